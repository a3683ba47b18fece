package tui

import _ "kvmtui/tui/pages" // the pages the root opens, as in the program
