package backups

import _ "kvmtui/tui/vmlist" // the list the page opens over, as in the program
