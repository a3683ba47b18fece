package cmd

import _ "kvmtui/tui/pages" // every page registers itself
