package vmlist

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kvmtui/console"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// attachDelay keeps the pane from opening a console for every VM the cursor
// passes over.
const attachDelay = 250 * time.Millisecond

// paneState is the console pane: it follows the VM under the cursor and
// holds that VM's console while the VM runs.
type paneState struct {
	shown, focused bool
	key            common.VMID // row key of the VM shown
	dom            libvirtx.Domain
	active         bool
	gen            int // bumped at every change of VM: older messages are dropped
	sess           *console.Pane
	pending        bool  // an attach is scheduled or running
	failed         error // why the last attach failed; no retry until the VM changes state
	status         string
	back           int               // lines scrolled back
	lines          []string          // rendered content, refreshed when it changes
	keep           *console.Snapshot // this VM's console history, for the next session
	sizedFor       [2]int            // the terminal size the layout was made for
	g              paneGeom
	cols           int // the width the guest was told (fitPane); 0: console.Width
	told           int // and the height
}

// width is the emulated console's width.
func (p *paneState) width() int {
	if p.cols > 0 {
		return p.cols
	}
	return console.Width
}

// paneGeom splits the body between the list and the pane: side by side when
// the terminal has room for the console's width (80 columns unless the
// guest was told otherwise) and a usable list, else the pane below the list.
type paneGeom struct {
	beside       bool
	listW, listH int // listH counts the table header
	paneW, paneH int // paneH counts the title line
}

const minListBeside = 60

func (m *Page) paneGeometry() paneGeom {
	body := max(m.ctx.BodyHeight(), 2)
	if w := m.cons().pane.width(); m.ctx.Width >= w+1+minListBeside {
		return paneGeom{beside: true, listW: m.ctx.Width - w - 1, listH: body, paneW: w + 1, paneH: body}
	}
	listH := max(body*2/5, 3)
	return paneGeom{listW: m.ctx.Width, listH: listH, paneW: m.ctx.Width, paneH: max(body-listH, 2)}
}

func (p *paneState) rows() int { return max(p.g.paneH-1, 1) }

type (
	paneAttachMsg struct{ gen int }
	paneOpenedMsg struct {
		gen      int
		pane     *console.Pane
		err      error
		started  bool  // the VM was started with the console attached
		startErr error // the start itself failed
	}
	paneChangedMsg struct{ gen int }
	paneEndedMsg   struct {
		gen int
		err error
	}
)

func (m *Page) togglePane() tea.Cmd {
	p := &m.cons().pane
	p.shown = !p.shown
	if !p.shown {
		cmd := p.drop()
		*p = paneState{}
		m.list.height = max(m.ctx.Height-4, 1)
		m.list.clamp()
		m.ctx.SetMsg("console pane closed", false)
		return cmd
	}
	m.layoutPane()
	m.ctx.SetMsg("console pane: it shows the selected VM's serial console; tab types into it, ctrl+] comes back", false)
	return nil
}

// drop lets go of the session (closed inside a command: it is a libvirt call).
func (p *paneState) drop() tea.Cmd {
	s := p.sess
	p.sess, p.pending = nil, false
	p.gen++
	if s == nil {
		return nil
	}
	return func() tea.Msg { s.Close(); return nil }
}

// release hands the session of VM key to the full-screen console; the
// history stays in keep.
func (p *paneState) release(key common.VMID) *console.Pane {
	if p.key != key || p.sess == nil {
		return nil
	}
	s := p.sess
	p.keep = s.Snapshot(colorOn())
	p.sess, p.pending = nil, false
	p.gen++
	p.status = "the full-screen console has it"
	return s
}

// layoutPane sizes the list and the emulated screen to the terminal.
func (m *Page) layoutPane() {
	p := &m.cons().pane
	p.g = m.paneGeometry()
	p.sizedFor = [2]int{m.ctx.Width, m.ctx.Height}
	m.list.height = max(p.g.listH-1, 1)
	m.list.clamp()
	if p.sess != nil {
		p.sess.Resize(p.width(), p.rows())
		avail := p.g.paneW
		if p.g.beside {
			avail-- // the separator
		}
		if p.cols > 0 && (avail < p.cols || p.rows() != p.told) {
			m.ctx.SetMsg(fmt.Sprintf("the pane is now %dx%d but %s was told %dx%d: K z tells it the new size", min(avail, p.cols), p.rows(), p.dom.Name, p.cols, p.told), false)
		}
	}
	m.refreshPane()
}

// useFitted takes the size the pane's guest was told (none: 80 columns),
// and lays the pane out again when that changes its width.
func (m *Page) useFitted() {
	c := m.cons()
	p := &c.pane
	f := c.fitted[p.key]
	if f[0] != p.cols {
		p.cols, p.told = f[0], f[1]
		m.layoutPane()
	}
}

// paneFollow keeps the pane on the selected VM: a new VM closes the old
// session and schedules an attach; a VM that starts gets attached.
func (m *Page) paneFollow() tea.Cmd {
	c := m.cons()
	p := &c.pane
	if !p.shown {
		return nil
	}
	if p.sizedFor != [2]int{m.ctx.Width, m.ctx.Height} {
		m.layoutPane()
	}
	sel := m.list.selected()
	if sel == nil {
		if p.key == (common.VMID{}) {
			return nil
		}
		cmd := p.drop()
		*p = paneState{shown: p.shown, focused: false, g: p.g, sizedFor: p.sizedFor, gen: p.gen}
		p.status = "no VM selected"
		m.layoutPane() // back to the default width
		return cmd
	}
	var cmds []tea.Cmd
	if sel.key != p.key {
		cmds = append(cmds, p.drop())
		p.key, p.failed, p.back, p.lines, p.keep = sel.key, nil, 0, nil, nil
		m.useFitted()
		p.active = !sel.dom.State.Active() // forces the state branch below
		if !p.active {
			p.status = "" // a running VM: the attach below sets it
		}
	}
	p.dom = sel.dom
	if active := sel.dom.State.Active(); active != p.active {
		p.active = active
		if !active {
			// A stopped VM's next start deserves a new attach; a failure
			// while it runs is not retried in a loop. Its guest boots at
			// 80 columns again.
			p.failed = nil
			delete(c.fitted, p.key)
			m.useFitted()
			if p.sess == nil {
				p.status = p.dom.Name + " is " + p.dom.State.String() + ": s starts it with this pane attached, to see it boot"
			}
		}
	}
	if p.active && p.sess == nil && !p.pending && p.failed == nil && c.holder != p.key {
		p.pending = true
		p.status = "attaching to the console of " + p.dom.Name + "…"
		gen := p.gen
		cmds = append(cmds, tea.Tick(attachDelay, func(time.Time) tea.Msg { return paneAttachMsg{gen: gen} }))
	}
	m.refreshPane()
	return tea.Batch(cmds...)
}

func (m *Page) paneAttach(msg paneAttachMsg) tea.Cmd {
	p := &m.cons().pane
	if msg.gen != p.gen || !p.shown {
		return nil
	}
	return paneOpenCmd(m.mgr, p.dom, p.gen, false, p.width(), p.rows(), p.keep)
}

func paneOpenCmd(mgr *libvirtx.Manager, d libvirtx.Domain, gen int, force bool, cols, rows int, seed *console.Snapshot) tea.Cmd {
	return func() tea.Msg {
		rw, err := openSerial(mgr, d, force)
		if err != nil {
			return paneOpenedMsg{gen: gen, err: err}
		}
		return paneOpenedMsg{gen: gen, pane: console.NewPane(rw, cols, rows, seed)}
	}
}

func (m *Page) paneOpened(msg paneOpenedMsg) tea.Cmd {
	p := &m.cons().pane
	if msg.gen != p.gen || !p.shown || m.cons().holder == p.key {
		if msg.pane != nil {
			return func() tea.Msg { msg.pane.Close(); return nil }
		}
		return nil
	}
	p.pending = false
	if msg.startErr != nil {
		// Not started: the pane waits for a start as before.
		m.ctx.SetMsg(fmt.Sprintf("start %s: %v", p.dom.Name, msg.startErr), true)
		p.status = p.dom.Name + " is " + p.dom.State.String() + ": s starts it with this pane attached, to see it boot"
		m.refreshPane()
		return nil
	}
	if msg.err != nil {
		p.failed = msg.err
		var busy libvirtx.ConsoleBusyError
		if errors.As(msg.err, &busy) {
			p.status = msg.err.Error() + ": another client holds it; tab, then enter, takes it over"
		} else {
			p.status = msg.err.Error()
		}
		switch {
		case errors.Is(msg.err, libvirtx.ErrStartedNoConsole):
			m.ctx.SetMsg(p.dom.Name+" "+msg.err.Error(), true)
		case msg.started:
			m.ctx.SetMsg("started "+p.dom.Name+", but its console: "+msg.err.Error(), true)
		}
		m.refreshPane()
		return nil
	}
	p.sess, p.failed, p.status, p.back, p.keep = msg.pane, nil, "", 0, nil
	p.sess.Resize(p.width(), p.rows())
	if msg.started {
		m.ctx.SetMsg("started "+p.dom.Name+" with the console attached", false)
	}
	m.refreshPane()
	return waitPane(p.sess, p.gen)
}

// waitPane waits for output (coalesced, so a boot log flood redraws a few
// times a second, not once per read) or the end of the stream.
func waitPane(s *console.Pane, gen int) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-s.Changed():
			time.Sleep(30 * time.Millisecond)
			return paneChangedMsg{gen: gen}
		case <-s.Done():
			return paneEndedMsg{gen: gen, err: s.Err()}
		}
	}
}

func (m *Page) paneChanged(msg paneChangedMsg) tea.Cmd {
	p := &m.cons().pane
	if msg.gen != p.gen || p.sess == nil {
		return nil
	}
	m.refreshPane()
	return waitPane(p.sess, p.gen)
}

func (m *Page) paneEnded(msg paneEndedMsg) {
	p := &m.cons().pane
	if msg.gen != p.gen || p.sess == nil {
		return
	}
	m.refreshPane() // the last output stays on screen
	s := p.sess
	p.keep = s.Snapshot(colorOn())
	p.sess = nil
	go s.Close()
	p.failed = errors.New("console closed")
	p.status = "console closed" + endReason(msg.err) + "; tab, then enter, reattaches"
	m.refreshPane()
}

// paneStart starts the pane's shut-off VM paused, attaches, then resumes
// it, so the pane shows the boot from the first line. It returns nil when
// the start is not for the pane's VM alone.
func (m *Page) paneStart(doms []libvirtx.Domain) tea.Cmd {
	if m.con == nil || !m.con.pane.shown || len(doms) != 1 || len(m.list.marks) > 0 {
		return nil
	}
	p := &m.con.pane
	d := doms[0]
	if common.VMKey(d.URI, d.UUID) != p.key || d.State.Active() || p.sess != nil {
		return nil
	}
	p.gen++
	p.pending, p.failed, p.lines, p.back = true, nil, nil, 0
	p.status = "starting " + d.Name + " with the console attached…"
	m.ctx.SetMsg(p.status, false)
	gen, cols, rows, mgr, seed := p.gen, p.width(), p.rows(), m.mgr, p.keep
	return func() tea.Msg {
		xml, err := mgr.DomainXML(d.Ref, true, false)
		if err == nil {
			var dv console.Devices
			if dv, err = console.ParseDevices(xml); err == nil {
				err = dv.Serial.Check(d.Name)
			}
		}
		if err != nil { // no console to watch: a plain start
			if serr := mgr.Do(d.Ref, libvirtx.Start); serr != nil {
				return paneOpenedMsg{gen: gen, err: serr, startErr: serr}
			}
			return paneOpenedMsg{gen: gen, err: err, started: true}
		}
		rw, err := mgr.StartWithConsole(d.Ref, "")
		if errors.Is(err, libvirtx.ErrStartedNoConsole) {
			return paneOpenedMsg{gen: gen, err: err, started: true}
		}
		if err != nil {
			return paneOpenedMsg{gen: gen, err: err, startErr: err}
		}
		return paneOpenedMsg{gen: gen, pane: console.NewPane(rw, cols, rows, seed), started: true}
	}
}

func (m *Page) focusPane(on bool) {
	p := &m.cons().pane
	p.focused = on
	if on {
		m.ctx.SetMsg("typing goes to "+p.dom.Name+"'s console; ctrl+] returns to the list", false)
	} else {
		m.ctx.SetMsg("", false)
	}
	m.refreshPane()
}

// scrollPane moves the pane half a screen back (dir 1) or forward (-1)
// in the console's history, focused or not.
func (m *Page) scrollPane(dir int) {
	p := &m.cons().pane
	p.back = max(p.back+dir*p.rows()/2, 0)
	m.refreshPane()
}

// paneKey handles a key while the pane has focus: everything goes to the
// guest except ctrl+] and the scroll keys.
func (m *Page) paneKey(msg tea.KeyMsg) tea.Cmd {
	c := m.cons()
	p := &c.pane
	switch {
	case msg.Type == tea.KeyCtrlCloseBracket:
		p.back = 0 // unfocused, the pane shows the live console
		m.focusPane(false)
		return nil
	case key.Matches(msg, c.keys.ScrollUp):
		m.scrollPane(1)
		return nil
	case key.Matches(msg, c.keys.ScrollDown):
		m.scrollPane(-1)
		return nil
	}
	if p.sess == nil {
		var busy libvirtx.ConsoleBusyError
		if errors.As(p.failed, &busy) && msg.Type == tea.KeyEnter {
			d, gen, rows := p.dom, p.gen, p.rows()
			return common.Ask(
				m.wrapPrompt(fmt.Sprintf("%s: %s.\nTake the console over? The other client is cut off.", d.Name, p.failed)),
				paneOpenCmd(m.mgr, d, gen, true, p.width(), rows, p.keep))
		}
		if p.failed != nil && p.active && !p.pending && msg.Type == tea.KeyEnter {
			p.failed = nil // paneFollow attaches again
			return nil
		}
		m.ctx.SetMsg("no console attached ("+p.status+"); ctrl+] returns to the list", true)
		return nil
	}
	if p.back != 0 {
		p.back = 0
		m.refreshPane()
	}
	typeInto(p.sess, msg)
	return nil
}

// typeInto sends a key press to the guest as a terminal would encode it.
func typeInto(s *console.Pane, k tea.KeyMsg) {
	alt := ""
	if k.Alt {
		alt = "\x1b"
	}
	switch {
	case k.Type == tea.KeyRunes:
		s.Type(alt + string(k.Runes))
	case k.Type == tea.KeySpace:
		s.Type(alt + " ")
	case k.Type >= 0 && k.Type < 32 || k.Type == 127:
		// Bubble Tea numbers control keys by their byte: enter is \r,
		// backspace DEL, ctrl+c \x03.
		s.Type(alt + string(rune(k.Type)))
	case k.Type == tea.KeyShiftTab:
		s.Type("\x1b[Z")
	default:
		s.Key(k.Type.String(), k.Alt)
	}
}

func colorOn() bool { return lipgloss.ColorProfile() != termenv.Ascii }

// refreshPane re-renders the pane's lines; View only joins them.
func (m *Page) refreshPane() {
	p := &m.cons().pane
	if !p.shown {
		return
	}
	if p.sess != nil {
		p.lines = p.sess.Lines(p.rows(), p.back, min(p.width(), p.g.paneW), colorOn(), p.focused)
		if sb := p.sess.ScrollbackLen(); p.back > sb {
			p.back = sb
		}
	}
}

func (m *Page) paneView() string {
	p := &m.cons().pane
	g := p.g
	w := g.paneW
	prefix := ""
	if g.beside {
		prefix, w = "│", g.paneW-1
	}
	title := " console"
	if p.dom.Name != "" {
		title += ": " + p.dom.Name
	}
	if p.back > 0 {
		title += fmt.Sprintf("  [%d lines back]", p.back)
	}
	style := m.ctx.Theme.Header
	if p.focused {
		title += "  typing goes to the VM · ctrl+] back · alt+pgup/pgdn scroll"
		style = m.ctx.Theme.Cursor
	} else {
		title += "  (tab to type)"
	}
	out := []string{prefix + style.Render(widget.Fit(title, w))}
	body := p.lines
	rows := p.rows()
	if p.sess == nil && p.status != "" {
		// Keep what was last shown under the status line.
		body = append([]string{m.ctx.Theme.Dim.Render(p.status)}, body...)
		if len(body) > rows {
			body = append(body[:1], body[len(body)-rows+1:]...)
		}
	}
	for i := 0; i < rows; i++ {
		l := ""
		if i < len(body) {
			l = body[i]
		}
		out = append(out, prefix+widget.Fit(l, w))
	}
	return strings.Join(out, "\n")
}

// consoleBody is the list's body with the console pane, or a console dialog.
func (m *Page) consoleBody() string {
	if m.con != nil && m.con.menu != nil {
		return widget.Center(m.ctx.Width, m.ctx.BodyHeight(), m.sendKeyMenuView())
	}
	if m.con != nil && m.con.ws != nil {
		return widget.Center(m.ctx.Width, m.ctx.BodyHeight(), m.workstationView())
	}
	if m.con == nil || !m.con.pane.shown {
		return m.tableView()
	}
	g := m.con.pane.g
	// tableView draws into the whole terminal; give it the list's area.
	w, h := m.ctx.Width, m.ctx.Height
	m.ctx.Width, m.ctx.Height = g.listW, g.listH+3
	table := m.tableView()
	m.ctx.Width, m.ctx.Height = w, h
	pane := m.paneView()
	if !g.beside {
		return table + "\n" + pane
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, table, pane)
}
