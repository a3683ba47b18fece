package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
)

// detailsKeys are the details view's bindings; the help overlay lists them.
type detailsKeys struct {
	Open, Back, Add, Remove, EditXML, DeviceXML, Apply, Revert, NextField, PrevField, Choose key.Binding
}

func newDetailsKeys() detailsKeys {
	return detailsKeys{
		Open:      key.NewBinding(key.WithKeys("enter", "right", "l"), key.WithHelp("enter", "details / edit the node")),
		Back:      key.NewBinding(key.WithKeys("esc", "left", "h"), key.WithHelp("esc", "back")),
		Add:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add hardware")),
		Remove:    key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove device")),
		EditXML:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit XML")),
		DeviceXML: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "show the device's XML")),
		Apply:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "apply")),
		Revert:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "revert")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("S-tab/↑", "previous field")),
		Choose:    key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→", "choose a value")),
	}
}

func (k detailsKeys) all() []key.Binding {
	return []key.Binding{k.Open, k.Back, k.Add, k.Remove, k.EditXML, k.DeviceXML, k.Apply, k.Revert, k.NextField, k.PrevField, k.Choose}
}

// kindPicker offers every kind of the catalog; those the host or the VM
// cannot take are shown with the reason and cannot be picked.
type kindPicker struct {
	kinds  []*devices.Kind
	why    []string
	cursor int
	query  string // typed so far: jumps to the first matching title
}

func newKindPicker(d *details) *kindPicker {
	p := &kindPicker{}
	for _, k := range devices.Kinds() {
		p.kinds = append(p.kinds, k)
		p.why = append(p.why, k.Unavailable(d.caps, d.def))
	}
	return p
}

func (m *Model) detailsKey(msg tea.KeyMsg) tea.Cmd {
	d, k := m.det, m.dk
	if d.confirm != nil {
		run, done := d.confirm.Answer(msg)
		if done {
			d.confirm = nil
			if run == nil {
				m.ctx.SetMsg("cancelled", false)
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
		return m.handlePicker(msg)
	}
	if d.loading {
		if key.Matches(msg, k.Back) {
			m.closeDetails()
		}
		return nil
	}
	if d.inForm {
		return m.handleFormKey(msg)
	}
	switch {
	case key.Matches(msg, m.gk.Quit) && msg.String() == "ctrl+c":
		return tea.Quit
	case key.Matches(msg, m.gk.Help):
		m.mode = modeHelp
		m.helpReturn = modeDetails
	case key.Matches(msg, k.Back):
		m.closeDetails()
	case msg.String() == "up" || msg.String() == "k":
		m.moveTree(-1)
	case msg.String() == "down" || msg.String() == "j":
		m.moveTree(1)
	case key.Matches(msg, k.Open):
		n := d.nodes[d.cursor]
		if d.form != nil && !m.ctx.ReadOnly() {
			d.inForm = true
		} else if n.kind == nodeXML {
			d.inForm = true // scroll the XML
		}
	case key.Matches(msg, k.DeviceXML):
		d.showXML = !d.showXML
	case key.Matches(msg, k.Add):
		if m.ctx.ReadOnly() {
			m.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
			return nil
		}
		d.picker = newKindPicker(d)
	case key.Matches(msg, k.Remove):
		if m.ctx.ReadOnly() {
			m.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
			return nil
		}
		m.removeDevice()
	case key.Matches(msg, k.EditXML):
		if m.ctx.ReadOnly() {
			m.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
			return nil
		}
		return common.Open("edit", d.dom.Name)
	}
	return nil
}

// moveTree moves the cursor, skipping group headers.
func (m *Model) moveTree(step int) {
	d := m.det
	i := d.cursor
	for {
		i += step
		if i < 0 || i >= len(d.nodes) {
			return
		}
		if d.nodes[i].kind != nodeGroup {
			break
		}
	}
	d.cursor = i
	m.resetForm()
}

func (m *Model) handleFormKey(msg tea.KeyMsg) tea.Cmd {
	d, k := m.det, m.dk
	if d.nodes[d.cursor].kind == nodeXML && d.adding == nil {
		switch msg.String() {
		case "up", "k":
			d.scroll = max(d.scroll-1, 0)
		case "down", "j":
			d.scroll++
		case "pgup":
			d.scroll = max(d.scroll-m.ctx.BodyHeight(), 0)
		case "pgdown", " ":
			d.scroll += m.ctx.BodyHeight()
		case "esc", "left", "h":
			d.inForm = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Apply):
		return m.applyForm()
	case key.Matches(msg, k.Revert):
		if d.adding != nil {
			d.form = form.New(d.adding, d.suggestions())
		} else {
			m.resetForm()
			d.inForm = true
		}
		m.ctx.SetMsg("reverted", false)
	case msg.String() == "esc":
		if d.adding != nil {
			d.leave = "Discard the new device?"
			d.leaveFn = func() tea.Cmd { m.resetForm(); d.inForm = false; return nil }
			return nil
		}
		d.inForm = false // unapplied changes stay marked in the form
	default:
		return d.form.Update(msg)
	}
	return nil
}

func (m *Model) handlePicker(msg tea.KeyMsg) tea.Cmd {
	d := m.det
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
			m.ctx.SetMsg(p.kinds[p.cursor].Title+": "+p.why[p.cursor], true)
			return nil
		}
		dev, err := p.kinds[p.cursor].New(d.caps, d.def)
		if err != nil {
			m.ctx.SetMsg(err.Error(), true)
			return nil
		}
		d.picker = nil
		d.adding = dev
		d.form = form.New(dev, d.suggestions())
		d.inForm = true
		m.ctx.SetMsg("new "+strings.ToLower(dev.Kind.Title)+": set it up, then ctrl+s to add", false)
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

// closeDetails returns to the list, asking first when a form has unapplied
// changes.
func (m *Model) closeDetails() {
	d := m.det
	if d.form != nil && (d.form.Dirty() || d.adding != nil) {
		d.leave = "Leave without applying your changes?"
		d.leaveFn = func() tea.Cmd { m.det, m.mode = nil, modeList; return nil }
		return
	}
	m.det, m.mode = nil, modeList
}
