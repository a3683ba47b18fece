package details

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// keys are the details view's bindings; the help overlay lists them.
type keys struct {
	Up, Down, PageUp, PageDown, Top, Bottom                                                  key.Binding
	Open, Back, Add, Remove, EditXML, DeviceXML, Apply, Revert, NextField, PrevField, Choose key.Binding
	Snapshots, Agent, Migrate, Screen                                                        key.Binding
}

func newKeys() keys {
	return keys{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous node")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next node")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up the tree")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down the tree")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first node")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last node")),
		Open:      key.NewBinding(key.WithKeys("enter", "right", "l"), key.WithHelp("enter", "details / edit the node")),
		Back:      key.NewBinding(key.WithKeys("esc", "left", "h"), key.WithHelp("esc", "back")),
		Add:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add hardware")),
		Remove:    key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove device")),
		EditXML:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit XML")),
		DeviceXML: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "show the device's XML")),
		Snapshots: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "the VM's snapshots")),
		Agent:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "what its guest agent says")),
		Migrate:   key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "migrate to another host")),
		Screen:    key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "the guest's screen, here in the terminal")),
		Apply:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "apply")),
		Revert:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "revert")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("S-tab/↑", "previous field")),
		Choose:    key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→", "choose a value")),
	}
}

func (k keys) all() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back, k.Add, k.Remove, k.EditXML, k.DeviceXML, k.Snapshots, k.Agent, k.Migrate, k.Screen, k.Apply, k.Revert, k.NextField, k.PrevField, k.Choose}
}

// kindPicker offers every kind of the catalog; those the host or the VM
// cannot take are shown with the reason and cannot be picked.
type kindPicker struct {
	kinds  []*devices.Kind
	why    []string
	cursor int
	query  string // typed so far: jumps to the first matching title
}

func newKindPicker(d *Page) *kindPicker {
	p := &kindPicker{}
	for _, k := range devices.Kinds() {
		p.kinds = append(p.kinds, k)
		p.why = append(p.why, k.Unavailable(d.caps, d.def))
	}
	return p
}

func (d *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := d.keys
	if d.confirm != nil {
		run, done := d.confirm.Answer(msg)
		if done {
			d.confirm = nil
			if run == nil {
				d.ctx.SetMsg("cancelled", false)
			}
		}
		return run
	}
	if d.leave != "" {
		switch msg.String() {
		case "y", "Y":
			fn := d.leaveFn
			d.leave, d.leaveFn = "", nil
			return fn()
		case "n", "N", "esc":
			d.leave, d.leaveFn = "", nil
		}
		return nil
	}
	if d.picker != nil {
		return d.handlePicker(msg)
	}
	if d.needVol != nil {
		return d.volumeSizeKey(msg)
	}
	if d.loading {
		if key.Matches(msg, k.Back) {
			return d.close()
		}
		return nil
	}
	if d.inForm {
		return d.handleFormKey(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		return d.close()
	case key.Matches(msg, k.Up):
		d.moveTree(-1)
	case key.Matches(msg, k.Down):
		d.moveTree(1)
	case key.Matches(msg, k.PageUp):
		d.moveTree(-d.ctx.BodyHeight())
	case key.Matches(msg, k.PageDown):
		d.moveTree(d.ctx.BodyHeight())
	case key.Matches(msg, k.Top):
		d.moveTree(-len(d.nodes))
	case key.Matches(msg, k.Bottom):
		d.moveTree(len(d.nodes))
	case key.Matches(msg, k.Open):
		n := d.nodes[d.cursor]
		if d.form != nil && !d.ctx.ReadOnly() {
			d.inForm = true
		} else if n.kind == nodeXML {
			d.inForm = true // scroll the XML
		}
	case key.Matches(msg, k.DeviceXML):
		d.showXML = !d.showXML
	case key.Matches(msg, k.Add):
		if d.ctx.ReadOnly() {
			d.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
			return nil
		}
		d.picker = newKindPicker(d)
	case key.Matches(msg, k.Remove):
		if d.ctx.ReadOnly() {
			d.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
			return nil
		}
		d.removeDevice()
	case key.Matches(msg, k.EditXML):
		if d.ctx.ReadOnly() {
			d.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
			return nil
		}
		return common.Open("edit", d.dom.UUID)
	case key.Matches(msg, k.Snapshots):
		return common.Open("snap", d.dom.UUID)
	case key.Matches(msg, k.Agent):
		return common.Open("agent", d.dom.UUID)
	case key.Matches(msg, k.Migrate):
		return common.Open("migrate", d.dom.UUID)
	case key.Matches(msg, k.Screen):
		return common.Open("screen", d.dom.UUID)
	}
	return nil
}

// moveTree moves the cursor by step nodes, skipping group headers; past
// either end it stops on the first or last node (g, G, pgup, pgdn).
func (d *Page) moveTree(step int) {
	dir := 1
	if step < 0 {
		dir = -1
	}
	i := min(max(d.cursor+step, 0), len(d.nodes)-1)
	for i >= 0 && i < len(d.nodes) && d.nodes[i].kind == nodeGroup {
		i += dir // a header: on to the next node that way
	}
	if i < 0 || i >= len(d.nodes) || i == d.cursor {
		return
	}
	d.cursor = i
	d.resetForm()
}

func (d *Page) handleFormKey(msg tea.KeyMsg) tea.Cmd {
	k := d.keys
	if d.nodes[d.cursor].kind == nodeXML && d.adding == nil {
		switch msg.String() {
		case "up", "k":
			d.scroll = max(d.scroll-1, 0)
		case "down", "j":
			d.scroll++
		case "pgup":
			d.scroll = max(d.scroll-d.ctx.BodyHeight(), 0)
		case "pgdown", " ":
			d.scroll += d.ctx.BodyHeight()
		case "esc", "left", "h":
			d.inForm = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Apply):
		return d.applyForm()
	case key.Matches(msg, k.Revert):
		if d.adding != nil {
			d.form = d.deviceForm(d.adding)
		} else {
			d.resetForm()
			d.inForm = true
		}
		d.ctx.SetMsg("reverted", false)
	case msg.String() == "esc":
		if d.adding != nil {
			d.leave = "Discard the new device?"
			d.leaveFn = func() tea.Cmd { d.resetForm(); d.inForm = false; d.ctx.SetMsg("", false); return nil }
			return nil
		}
		d.inForm = false // unapplied changes stay marked in the form
	default:
		return d.form.Update(msg)
	}
	return nil
}

func (d *Page) handlePicker(msg tea.KeyMsg) tea.Cmd {
	p := d.picker
	switch msg.String() {
	case "up":
		p.cursor = max(p.cursor-1, 0)
	case "down":
		p.cursor = min(p.cursor+1, len(p.kinds)-1)
	case "esc":
		d.picker = nil
	case "backspace":
		p.query = p.query[:max(len(p.query)-1, 0)]
	case "enter":
		if p.why[p.cursor] != "" {
			d.ctx.SetMsg(p.kinds[p.cursor].Title+": "+p.why[p.cursor], true)
			return nil
		}
		dev, err := p.kinds[p.cursor].New(d.caps, d.def)
		if err != nil {
			d.ctx.SetMsg(err.Error(), true)
			return nil
		}
		d.picker = nil
		d.adding = dev
		note := d.hostNetwork(dev)
		d.form = d.deviceForm(dev)
		d.inForm = true
		d.ctx.SetMsg("new "+strings.ToLower(dev.Kind.Title)+": set it up, then ctrl+s to add"+note, false)
	default:
		// Typing jumps to the kind whose title starts with what was typed.
		if msg.Type == tea.KeyRunes {
			p.query += strings.ToLower(string(msg.Runes))
			for i, k := range p.kinds {
				if strings.HasPrefix(strings.ToLower(k.Title), p.query) {
					p.cursor = i
					break
				}
			}
		}
	}
	return nil
}

// close returns to the list, asking first when a form has unapplied
// changes.
func (d *Page) close() tea.Cmd {
	if d.form != nil && (d.form.Dirty() || d.adding != nil) {
		d.leave = "Leave without applying your changes?"
		d.leaveFn = func() tea.Cmd { return common.Pop }
		return nil
	}
	return common.Pop
}

// volumeSizeKey edits the size of the volume a new disk's missing path
// asks for, on the bottom line.
func (d *Page) volumeSizeKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		d.needVol = nil
		return nil
	case tea.KeyEnter:
		return d.volumeSizeEntered(d.volIn.Value())
	}
	var cmd tea.Cmd
	d.volIn, cmd = d.volIn.Update(msg)
	return cmd
}

// hostNetwork points a new NIC at a virtual network the host has: the
// catalog's "default" where there is one, else the host's first network;
// with none, it says so (the VM could not start on a missing network).
func (d *Page) hostNetwork(dev *devices.Device) string {
	nets := d.choices.Networks
	if dev.Kind.ID != "nic" || dev.Get("network") == "" || slices.Contains(nets, dev.Get("network")) {
		return ""
	}
	if len(nets) == 0 {
		return "; this host has no virtual network: choose a bridge, macvtap or user networking"
	}
	if err := dev.Set("network", nets[0]); err != nil {
		return ""
	}
	return "; on network " + nets[0] + " (the host has no network " + `"default"` + ")"
}

func init() { common.RegisterKeys("details", func() any { return newKeys() }) }
