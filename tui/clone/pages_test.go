package clone

import _ "kvmtui/tui/vmlist" // the list the form opens over, as in the program
