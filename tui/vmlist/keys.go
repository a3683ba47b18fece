package vmlist

import (
	"kvmtui/tui/common"
	"kvmtui/tui/widget"

	"github.com/charmbracelet/bubbles/key"
)

// listKeys are the VM list's bindings. Mutating ones are left out of the help
// (and refused) on read-only connections; see mutating.
type listKeys struct {
	widget.ListKeys
	PageUp, PageDown                     key.Binding
	Filter, Mark, MarkAll, Sort, SortRev key.Binding
	Details                              key.Binding

	Start, Shutdown, Reboot, Reset, ForceOff, Pause key.Binding
	Save, Autostart, Rename, Delete, EditXML        key.Binding

	HostDevices key.Binding // the host devices page (tui/hostdev)
	Snapshots   key.Binding // the selected VM's snapshots (tui/snapshots)
	Clone       key.Binding // the clone form (tui/clone)
	Backups     key.Binding // the selected VM's backups (tui/backups)
	Agent       key.Binding // what the VM's guest agent says (tui/agent)
	Migrate     key.Binding // move the VM to another host (tui/migrate)
	Screen      key.Binding // the guest's graphical screen in the terminal (tui/screen)
	New         key.Binding // the new-VM wizard (tui/wizard)
	Perf        key.Binding // the performance view (tui/perfview)
	SparkColumn key.Binding // the CPU sparkline column
}

func newListKeys() listKeys {
	return listKeys{
		ListKeys: widget.NewListKeys(),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Details:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details: hardware, forms")),
		Mark:     key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark")),
		MarkAll:  key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("ctrl+a", "mark all shown")),
		Sort:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort by next column")),
		SortRev:  key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "reverse sort")),

		Start:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "start / restore")),
		Shutdown:  key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "shut down")),
		Reboot:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reboot")),
		Reset:     key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "reset")),
		ForceOff:  key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "force off")),
		Pause:     key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "pause / resume")),
		Save:      key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "managed save")),
		Autostart: key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "autostart on/off")),
		Rename:    key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", "rename")),
		Delete:    key.NewBinding(key.WithKeys("D", "ctrl+d"), key.WithHelp("D", "delete")),
		EditXML:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit XML in $EDITOR")),

		HostDevices: key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "host devices: USB, PCI, SR-IOV")),
		Snapshots:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "snapshots of the VM")),
		Clone:       key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "clone the VM (or the marked ones)")),
		Backups:     key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "backups of the VM")),
		Agent:       key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "guest agent: what the guest says")),
		Migrate:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "migrate to another host (or the marked VMs)")),
		Screen:      key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "the guest's screen, here in the terminal")),
		New:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new VM (wizard)")),
		Perf:        key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "performance view")),
		SparkColumn: key.NewBinding(key.WithKeys("%"), key.WithHelp("%", "CPU sparkline column")),
	}
}

func (k listKeys) navigation() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Details, k.Filter, k.Mark, k.MarkAll, k.Sort, k.SortRev, k.HostDevices, k.Snapshots, k.Backups, k.Agent, k.Screen}
}

func (k listKeys) mutating() []key.Binding {
	return []key.Binding{k.Start, k.Shutdown, k.Reboot, k.Reset, k.ForceOff, k.Pause, k.Save, k.Autostart, k.Rename, k.Delete, k.EditXML, k.New, k.Clone, k.Migrate}
}

func init() { common.RegisterKeys("list", func() any { return newListKeys() }) }
