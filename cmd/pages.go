package cmd

// The pages kvmtui opens over its VM list register themselves: one line
// each here plugs them in (see docs/architecture.md).
import (
	_ "kvmtui/tui/hostdev"
	_ "kvmtui/tui/pools"
	_ "kvmtui/tui/rawedit"
)
