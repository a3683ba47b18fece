package screen

import (
	_ "kvmtui/tui/details" // the pages the screen page opens from, as in the program
	_ "kvmtui/tui/vmlist"
)
