package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// Smallest terminal the list is drawn in; below it, a one-line notice.
const minWidth, minHeight = 40, 8

// View draws the screen: title, the top page (or an overlay), message
// line, key hints. It only formats what Update prepared.
func (m *Model) View() string {
	if m.ctx.Width == 0 {
		return "starting…"
	}
	if m.ctx.Width < minWidth || m.ctx.Height < minHeight {
		return widget.Fit(fmt.Sprintf("terminal too small (%dx%d): kvmtui needs %dx%d", m.ctx.Width, m.ctx.Height, minWidth, minHeight), m.ctx.Width)
	}
	var body string
	switch {
	case m.secrets.open():
		bg := ""
		if m.Top() != nil {
			bg = m.Top().View()
		}
		body = widget.Over(m.ctx.Theme, bg, m.secrets.shown.View(m.ctx.Theme, m.ctx.Width), m.ctx.Width, m.ctx.BodyHeight())
	case m.over == overlayHelp:
		body = m.helpView()
	case m.over == overlayConfirm:
		body = widget.Over(m.ctx.Theme, m.Top().View(), m.confirm.View(m.ctx.Theme), m.ctx.Width, m.ctx.BodyHeight())
	case m.Top() != nil:
		body = m.Top().View()
	}
	return strings.Join([]string{m.titleLine(), body, m.messageLine(), m.bottomLine()}, "\n")
}

// titleLine: the name, the demo and read-only badges, the breadcrumbs of
// the pages over the list; on the right the topmost page's status.
func (m *Model) titleLine() string {
	left := m.ctx.Theme.Title.Render("kvmtui")
	if m.opts.DemoURI != "" {
		if _, ok := m.ctx.Conns[m.opts.DemoURI]; ok {
			left += " " + m.ctx.Theme.Demo.Render(" DEMO HOST: nothing here is real ")
		}
	}
	if m.ctx.ReadOnly() {
		left += " " + m.ctx.Theme.Warn.Render("[read-only]")
	}
	if len(m.ctx.Frozen) > 0 {
		var names []string
		for _, r := range m.ctx.Frozen {
			names = append(names, r.Name)
		}
		slices.Sort(names)
		left += " " + m.ctx.Theme.Error.Render("[FROZEN: "+strings.Join(names, ", ")+"]")
	}
	right := ""
	for _, p := range m.stack {
		if t := p.Title(); t != "" {
			left += " › " + t
		}
		if s, ok := p.(common.Statuser); ok {
			right = s.Status()
		}
	}
	gap := m.ctx.Width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return widget.Fit(left, m.ctx.Width)
	}
	return left + strings.Repeat(" ", gap) + right
}

// messageLine shows the last action's outcome, else the connections.
func (m *Model) messageLine() string {
	// A lost connection outranks a threshold alert.
	if m.ctx.Msg.Text != "" && m.ctx.Msg.Alert {
		for _, c := range m.ctx.Conns {
			if c.Status == libvirtx.Disconnected {
				return m.connLine()
			}
		}
	}
	if m.ctx.Msg.Text != "" {
		if m.ctx.Msg.Err {
			return widget.Fit(m.ctx.Theme.Error.Render(m.ctx.Msg.Text), m.ctx.Width)
		}
		return widget.Fit(m.ctx.Msg.Text, m.ctx.Width)
	}
	return m.connLine()
}

func (m *Model) connLine() string {
	parts := make([]string, 0, len(m.ctx.Conns))
	for _, c := range m.ctx.SortedConns() {
		parts = append(parts, m.connText(c))
	}
	return widget.Fit(strings.Join(parts, "  "), m.ctx.Width)
}

func (m *Model) connText(c *common.Conn) string {
	switch c.Status {
	case libvirtx.Connected:
		host := c.Host.Hostname
		if c.Label == "demo" {
			host = "libvirt's test driver (" + c.URI + ")"
		} else if host == "" {
			host = c.URI
		}
		return m.ctx.Theme.OK.Render("●") + " " + c.Label + " " + m.ctx.Theme.Dim.Render(host)
	case libvirtx.Disconnected:
		return m.ctx.Theme.Error.Render("✗ "+c.Label+": disconnected, retrying in "+c.Retry.String()) + " " + m.ctx.Theme.Dim.Render(c.Err)
	}
	return m.ctx.Theme.Warn.Render("… "+c.Label) + " " + c.Status.String()
}

// bottomLine is the command line, else the top page's keys.
func (m *Model) bottomLine() string {
	switch {
	case m.over == overlayCommand:
		return widget.Fit(m.input.View(), m.ctx.Width)
	case m.over == overlayHelp:
		return widget.Hints(m.ctx.Theme, m.ctx.Width, m.ctx.Keys.Back)
	case m.Top() != nil:
		return m.Top().Hints()
	}
	return ""
}

// helpSections are the help overlay's sections, generated from the key
// maps and the registry so they cannot drift from them: the pages on the
// stack, the general keys, every registered page's keys, the commands.
func (m *Model) helpSections() [][]string {
	th := m.ctx.Theme
	var secs []widget.Section
	for _, p := range m.stack {
		if h, ok := p.(common.Helper); ok {
			secs = append(secs, h.Help()...)
		}
	}
	secs = append(secs, widget.Section{Title: "General", Keys: m.ctx.Keys.All()})
	ref := append([][2]string(nil), rootHelp...)
	for _, c := range m.commanders() {
		ref = append(c.CommandHelp(), ref...)
	}
	for _, e := range common.Entries() {
		ref = append(ref, [2]string{e.Usage, e.Desc})
		if e.Help != nil {
			secs = append(secs, e.Help(m.ctx)...)
		}
	}
	cmds := widget.Section{Title: "Commands (:)"}
	for _, c := range ref {
		cmds.Lines = append(cmds.Lines, ":"+c[0], "    "+th.Dim.Render(c[1]))
	}
	out := make([][]string, 0, len(secs)+1)
	for _, s := range append(secs, cmds) {
		out = append(out, s.Render(th))
	}
	return out
}

// helpKey scrolls the help; ?, esc or q close it.
func (m *Model) helpKey(msg tea.KeyMsg) {
	maxOff := max(len(m.helpLines())-m.ctx.BodyHeight(), 0)
	switch msg.String() {
	case "j", "down":
		m.helpOffset = min(m.helpOffset+1, maxOff)
	case "k", "up":
		m.helpOffset = max(m.helpOffset-1, 0)
	case "pgdown", " ", "ctrl+f":
		m.helpOffset = min(m.helpOffset+m.ctx.BodyHeight(), maxOff)
	case "pgup", "ctrl+b":
		m.helpOffset = max(m.helpOffset-m.ctx.BodyHeight(), 0)
	}
	if key.Matches(msg, m.ctx.Keys.Help, m.ctx.Keys.Back) || msg.String() == "q" {
		m.over, m.helpOffset = noOverlay, 0
	}
}

// helpLines flows the sections into as many columns as the width holds.
func (m *Model) helpLines() []string {
	const colW, gap = 52, 3
	ncol := max(1, (m.ctx.Width+gap)/(colW+gap))
	secs := m.helpSections()
	total := 0
	for _, s := range secs {
		total += len(s) + 1
	}
	per := (total + ncol - 1) / ncol
	cols := make([][]string, ncol)
	c := 0
	for _, s := range secs {
		if c < ncol-1 && len(cols[c]) > 0 && len(cols[c])+len(s) > per {
			c++
		}
		cols[c] = append(append(cols[c], s...), "")
	}
	var lines []string
	for i := 0; ; i++ {
		var b strings.Builder
		more := false
		for k, col := range cols {
			if k > 0 {
				b.WriteString(strings.Repeat(" ", gap))
			}
			cell := ""
			if i < len(col) {
				cell, more = col[i], true
			}
			b.WriteString(widget.Fit(cell, colW))
		}
		if !more {
			return lines
		}
		lines = append(lines, widget.Fit(b.String(), m.ctx.Width))
	}
}

// helpView shows a window of the help; j/k scroll it on a short terminal.
func (m *Model) helpView() string {
	lines, h := m.helpLines(), m.ctx.BodyHeight()
	off := min(m.helpOffset, max(len(lines)-h, 0))
	win := append([]string(nil), lines[off:min(off+h, len(lines))]...)
	if off+h < len(lines) {
		win[len(win)-1] = widget.Fit(m.ctx.Theme.Dim.Render("  … more below: j/k or pgdn/pgup to scroll, esc to close"), m.ctx.Width)
	}
	for len(win) < h {
		win = append(win, "")
	}
	return strings.Join(win, "\n")
}
