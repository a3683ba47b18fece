package vmlist

// The pages the list opens, as in the program (tui/pages would import this
// package itself).
import (
	_ "kvmtui/tui/details"
	_ "kvmtui/tui/hostdev"
	_ "kvmtui/tui/perfview"
	_ "kvmtui/tui/rawedit"
	_ "kvmtui/tui/wizard"
)
