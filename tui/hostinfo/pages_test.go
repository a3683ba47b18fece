package hostinfo

import (
	_ "kvmtui/tui/perfview" // p opens the host's charts
	_ "kvmtui/tui/vmlist"   // the list the page opens over, as in the program
)
