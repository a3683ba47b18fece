package migrate

import (
	_ "kvmtui/tui/details" // the pages the migrate page opens from, as in the program
	_ "kvmtui/tui/vmlist"
)
