// Package pages plugs every page into kvmtui: each registers itself (its
// ":" words, help and constructor) in its init, and one line here imports
// it. cmd imports this package; so do the root's tests.
package pages

import (
	_ "kvmtui/tui/agent"
	_ "kvmtui/tui/backups"
	_ "kvmtui/tui/clone"
	_ "kvmtui/tui/details"
	_ "kvmtui/tui/hostdev"
	_ "kvmtui/tui/hostifaces"
	_ "kvmtui/tui/hostinfo"
	_ "kvmtui/tui/migrate"
	_ "kvmtui/tui/nets"
	_ "kvmtui/tui/nwfilters"
	_ "kvmtui/tui/perfview"
	_ "kvmtui/tui/pools"
	_ "kvmtui/tui/portfwd"
	_ "kvmtui/tui/rawedit"
	_ "kvmtui/tui/screen"
	_ "kvmtui/tui/snapshots"
	_ "kvmtui/tui/top"
	_ "kvmtui/tui/vmlist"
	_ "kvmtui/tui/wizard"
)
