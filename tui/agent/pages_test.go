package agent

import (
	_ "kvmtui/tui/details" // the pages the agent page opens from, as in the program
	_ "kvmtui/tui/vmlist"
)
