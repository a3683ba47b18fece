package tui

import "github.com/charmbracelet/bubbles/key"

// globalKeys work everywhere a text input does not have focus.
type globalKeys struct {
	Help    key.Binding
	Command key.Binding
	Quit    key.Binding
	Back    key.Binding
}

// listKeys are the VM list's bindings. Mutating ones are left out of the help
// (and refused) on read-only connections; see mutating.
type listKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Filter, Mark, MarkAll, Sort, SortRev    key.Binding
	Details                                 key.Binding

	Start, Shutdown, Reboot, Reset, ForceOff, Pause key.Binding
	Save, Autostart, Rename, Delete, EditXML        key.Binding

	HostDevices key.Binding // the host devices view (hostdev.go)
	New         key.Binding // the new-VM wizard (tui/wizard)
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
	}
}

func newListKeys() listKeys {
	return listKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
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
		New:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new VM (wizard)")),
	}
}

func (k listKeys) navigation() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Details, k.Filter, k.Mark, k.MarkAll, k.Sort, k.SortRev, k.HostDevices}
}

func (k listKeys) mutating() []key.Binding {
	return []key.Binding{k.Start, k.Shutdown, k.Reboot, k.Reset, k.ForceOff, k.Pause, k.Save, k.Autostart, k.Rename, k.Delete, k.EditXML, k.New}
}

func (k globalKeys) all() []key.Binding { return []key.Binding{k.Help, k.Command, k.Back, k.Quit} }

// perfKeys open the performance view and the list's sparkline column (from
// the list), and work inside the performance view.
type perfKeys struct {
	Open, SparkColumn                                 key.Binding
	Back, Prev, Next, HostView, Charts, Window, Limit key.Binding
}

func newPerfKeys() perfKeys {
	return perfKeys{
		Open:        key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "performance view")),
		SparkColumn: key.NewBinding(key.WithKeys("%"), key.WithHelp("%", "CPU sparkline column")),
		Back:        key.NewBinding(key.WithKeys("esc", "p"), key.WithHelp("esc/p", "back to the list")),
		Prev:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous VM")),
		Next:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next VM")),
		HostView:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "VM / host view (tab again: next host)")),
		Charts:      key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "braille / block / ascii")),
		Window:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "recent / whole history")),
		Limit:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "set a threshold (:threshold)")),
	}
}

func (k perfKeys) list() []key.Binding { return []key.Binding{k.Open, k.SparkColumn} }

func (k perfKeys) view() []key.Binding {
	return []key.Binding{k.Back, k.Prev, k.Next, k.HostView, k.Charts, k.Window, k.Limit}
}
