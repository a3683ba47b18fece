package vmlist

// Consoles: the full-screen serial console (c), the console pane beside the
// list (C, tab to type into it), the graphical console (v) and the send-key
// menu with screenshots (K). The state lives in consoleState; app.go calls
// consoleUpdate before its own routing and consoleAfter after it.

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/console"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

type consoleKeys struct {
	Full, Pane, Focus, Viewer, SendKey key.Binding
	// Inside the focused pane.
	Leave, ScrollUp, ScrollDown key.Binding
}

func newConsoleKeys() consoleKeys {
	return consoleKeys{
		Full:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "serial console, full screen")),
		Pane:       key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "console pane on / off")),
		Focus:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "type into the console pane")),
		Viewer:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "graphical console")),
		SendKey:    key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "send keys, screenshot")),
		Leave:      key.NewBinding(key.WithKeys("ctrl+]"), key.WithHelp("ctrl+]", "back from a console")),
		ScrollUp:   key.NewBinding(key.WithKeys("alt+pgup"), key.WithHelp("alt+pgup", "scroll back")),
		ScrollDown: key.NewBinding(key.WithKeys("alt+pgdown"), key.WithHelp("alt+pgdn", "scroll forward")),
	}
}

func (k consoleKeys) all() []key.Binding {
	return []key.Binding{k.Full, k.Pane, k.Focus, k.Leave, k.ScrollUp, k.ScrollDown, k.Viewer, k.SendKey}
}

type consoleState struct {
	keys    consoleKeys
	pane    paneState
	menu    *sendKeyMenu    // open send-key menu
	ws      *workstationBox // commands for a viewer on another machine
	holder  common.VMID     // row key whose console the full-screen session holds
	viewers map[*console.Viewer]string
	// fitted is the size (cols, rows) each running guest was told with
	// K z, by row key: the guest keeps it until it stops.
	fitted map[common.VMID][2]int
}

func (m *Page) cons() *consoleState {
	if m.con == nil {
		m.con = &consoleState{keys: common.Bind(m.ctx, "console", newConsoleKeys()), viewers: map[*console.Viewer]string{}, fitted: map[common.VMID][2]int{}}
	}
	return m.con
}

// consoleUpdate takes the console messages, and the keys while the pane has
// focus or a console dialog is open; done means app.go routes nothing else.
func (m *Page) consoleUpdate(msg tea.Msg) (tea.Cmd, bool) {
	c := m.cons()
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.mode != modeList {
			return nil, false
		}
		switch {
		case c.menu != nil:
			return m.sendKeyMenuKey(msg), true
		case c.ws != nil:
			return m.workstationKey(msg), true
		case c.pane.focused:
			return m.paneKey(msg), true
		}
		return nil, false
	case fullOpenedMsg:
		return m.fullOpened(msg), true
	case fullEndedMsg:
		m.fullEnded(msg)
		return nil, true
	case paneAttachMsg:
		return m.paneAttach(msg), true
	case paneOpenedMsg:
		return m.paneOpened(msg), true
	case paneChangedMsg:
		return m.paneChanged(msg), true
	case paneEndedMsg:
		m.paneEnded(msg)
		return nil, true
	case viewerMsg:
		return m.viewerEvent(msg), true
	case sendKeyDoneMsg:
		m.sendKeyDone(msg)
		return nil, true
	}
	return nil, false
}

// consoleAfter runs after every update: the pane follows the selected VM
// and the layout follows the terminal.
func (m *Page) consoleAfter() tea.Cmd {
	if m.con == nil {
		return nil
	}
	return m.paneFollow()
}

// handleConsoleKey takes the console keys from the VM list.
func (m *Page) handleConsoleKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	c := m.cons()
	switch {
	case key.Matches(msg, c.keys.Full):
		return m.openFull(), true
	case key.Matches(msg, c.keys.Pane):
		return m.togglePane(), true
	case key.Matches(msg, c.keys.Focus):
		if !c.pane.shown {
			m.ctx.SetMsg("no console pane: C opens it", true)
			return nil, true
		}
		m.focusPane(true)
		return nil, true
	case key.Matches(msg, c.keys.ScrollUp, c.keys.ScrollDown) && c.pane.shown:
		if key.Matches(msg, c.keys.ScrollUp) {
			m.scrollPane(1)
		} else {
			m.scrollPane(-1)
		}
		return nil, true
	case key.Matches(msg, c.keys.Viewer):
		return m.openViewer(), true
	case key.Matches(msg, c.keys.SendKey):
		m.openSendKeyMenu()
		return nil, true
	}
	return nil, false
}

// consoleTarget is the VM under the cursor, with the checks every console
// needs; the message says what to do instead.
func (m *Page) consoleTarget(what string, needWrite bool) (libvirtx.Domain, bool) {
	r := m.list.selected()
	if r == nil {
		m.ctx.SetMsg("no VM selected", true)
		return libvirtx.Domain{}, false
	}
	if needWrite && m.ctx.ReadOnly() {
		m.ctx.SetMsg(what+": "+libvirtx.ErrReadOnly.Error(), true)
		return libvirtx.Domain{}, false
	}
	if !r.dom.State.Active() {
		m.ctx.SetMsg(r.dom.Name+" is "+r.dom.State.String()+": start it (s) first, then "+what, true)
		return libvirtx.Domain{}, false
	}
	return r.dom, true
}

// consoleHelp is the help overlay's section.
func (m *Page) consoleHelp() []key.Binding { return m.cons().keys.all() }

// Close ends consoles and viewers when the program exits.
func (m *Page) Close() {
	if m.con == nil {
		return
	}
	if s := m.con.pane.sess; s != nil {
		s.Close()
	}
	for v := range m.con.viewers {
		v.Close()
	}
}

func init() { common.RegisterKeys("console", func() any { return newConsoleKeys() }) }
