package snapshots

import (
	_ "kvmtui/tui/details" // the pages the snapshots open from, as in the program
	_ "kvmtui/tui/vmlist"
)
