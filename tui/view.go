package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// Smallest terminal the list is drawn in; below it, a one-line notice.
const minWidth, minHeight = 40, 8

// View draws the screen: title, table, message line, key hints. It only
// formats what Update prepared.
func (m *Model) View() string {
	if m.ctx.Width == 0 {
		return "starting…"
	}
	if m.ctx.Width < minWidth || m.ctx.Height < minHeight {
		return widget.Fit(fmt.Sprintf("terminal too small (%dx%d): kvmtui needs %dx%d", m.ctx.Width, m.ctx.Height, minWidth, minHeight), m.ctx.Width)
	}
	var body string
	switch m.mode {
	case modeHelp:
		body = m.helpView()
	case modeConfirm:
		body = widget.Center(m.ctx.Width, m.ctx.BodyHeight(), m.confirm.View(m.ctx.Theme))
	case modeDelete:
		body = widget.Center(m.ctx.Width, m.ctx.BodyHeight(), m.deleteView())
	default:
		body = m.screenBody()
	}
	return strings.Join([]string{m.titleLine(), body, m.messageLine(), m.bottomLine()}, "\n")
}

// screenBody is what is under any overlay: the top page, else the
// performance view, or the list.
func (m *Model) screenBody() string {
	switch {
	case m.Top() != nil:
		return m.Top().View()
	case m.perf.open:
		return m.perfView()
	}
	return m.consoleBody() // the table, with the console pane when open
}

func (m *Model) titleLine() string {
	total, running, marked := m.list.counts()
	left := m.ctx.Theme.Title.Render("kvmtui")
	if m.opts.DemoURI != "" {
		if _, ok := m.ctx.Conns[m.opts.DemoURI]; ok {
			left += " " + m.ctx.Theme.Demo.Render(" DEMO HOST: nothing here is real ")
		}
	}
	if m.ctx.ReadOnly() {
		left += " " + m.ctx.Theme.Warn.Render("[read-only]")
	}
	for _, p := range m.stack {
		left += " › " + p.Title() // breadcrumbs
	}
	right := fmt.Sprintf("%d %s, %d running", total, widget.Plural(total, "VM", "VMs"), running)
	if m.list.filter != "" {
		right = fmt.Sprintf("%d of %d %s shown (/%s), %d running", len(m.list.view), total, widget.Plural(total, "VM", "VMs"), m.list.filter, running)
	}
	if marked > 0 {
		right += fmt.Sprintf(", %d marked", marked)
	}
	right += m.perfCounts()
	gap := m.ctx.Width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return widget.Fit(left, m.ctx.Width)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) tableView() string {
	lay := layoutFor(m.ctx.Width, len(m.ctx.Conns) > 1, m.shownOptional()...)
	l := m.list
	lines := make([]string, 0, m.ctx.BodyHeight())
	lines = append(lines, widget.Fit(m.ctx.Theme.Header.Render(lay.header(l.sortCol, l.sortDesc)), m.ctx.Width))
	if len(l.view) == 0 {
		lines = append(lines, m.ctx.Theme.Dim.Render(m.emptyText()))
	}
	end := min(l.offset+l.height, len(l.view))
	for i := l.offset; i < end; i++ {
		r := l.view[i]
		if i == l.cursor {
			lines = append(lines, m.ctx.Theme.Cursor.Render(widget.Fit(lay.line(r, l.marks[r.key], nil), m.ctx.Width)))
			continue
		}
		style := m.ctx.Theme.States[r.dom.State]
		styleState := func(s string) string { return style.Render(s) }
		line := lay.line(r, l.marks[r.key], styleState)
		if l.marks[r.key] {
			line = m.ctx.Theme.Marked.Render(line)
		}
		lines = append(lines, widget.Fit(line, m.ctx.Width))
	}
	for len(lines) < m.ctx.BodyHeight() {
		lines = append(lines, "")
	}
	return strings.Join(lines[:m.ctx.BodyHeight()], "\n")
}

func (m *Model) emptyText() string {
	switch {
	case m.list.filter != "":
		return "  no VM matches /" + m.list.filter + " (esc clears the filter)"
	case len(m.ctx.Conns) == 0:
		return "  no connection: :connect URI"
	}
	for _, c := range m.ctx.Conns {
		if c.Status == libvirtx.Connected {
			return "  no VMs defined"
		}
	}
	return "  waiting for libvirt…"
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

// bottomLine is the active input, else the most useful keys.
func (m *Model) bottomLine() string {
	if m.inputMode() {
		return widget.Fit(m.input.View(), m.ctx.Width)
	}
	if p := m.Top(); p != nil {
		return p.Hints()
	}
	if m.perf.open {
		parts := []string{}
		for _, b := range m.perfHints() {
			parts = append(parts, m.ctx.Theme.Key.Render(b.Help().Key)+" "+b.Help().Desc)
		}
		return widget.Fit(strings.Join(parts, "  "), m.ctx.Width)
	}
	hints := []key.Binding{m.gk.Help, m.gk.Command, m.lk.Filter, m.lk.Mark}
	if !m.ctx.ReadOnly() {
		hints = append(hints, m.lk.Start, m.lk.Shutdown, m.lk.ForceOff, m.lk.Pause, m.lk.Delete)
	}
	hints = append(hints, m.gk.Quit)
	parts := make([]string, len(hints))
	for i, b := range hints {
		parts[i] = m.ctx.Theme.Key.Render(b.Help().Key) + " " + b.Help().Desc
	}
	return widget.Fit(strings.Join(parts, "  "), m.ctx.Width)
}

// helpSections are the help overlay's sections, generated from the key
// maps so they cannot drift from them.
func (m *Model) helpSections() [][]string {
	section := func(title string, bs []key.Binding) []string {
		return widget.Section{Title: title, Keys: bs}.Render(m.ctx.Theme)
	}
	actions := []string{m.ctx.Theme.Header.Render("VM actions"), "read-only: none"}
	if !m.ctx.ReadOnly() {
		actions = section("VM actions", m.lk.mutating())
	}
	cmds := []string{m.ctx.Theme.Header.Render("Commands (:)")}
	for _, c := range append(commandHelp, perfCommandHelp...) {
		cmds = append(cmds, ":"+c[0], "    "+m.ctx.Theme.Dim.Render(c[1]))
	}
	var pages [][]string
	for _, e := range common.Entries() {
		cmds = append(cmds, ":"+e.Usage, "    "+m.ctx.Theme.Dim.Render(e.Desc))
		if e.Help != nil {
			for _, sec := range e.Help(m.ctx) {
				pages = append(pages, sec.Render(m.ctx.Theme))
			}
		}
	}
	return append([][]string{
		section("Navigate", m.lk.navigation()),
		section("General", m.gk.all()),
		actions,
		section("Consoles", m.consoleHelp()),
		section("Performance", append(m.perf.keys.list(), m.perf.keys.view()...)),
	}, append(pages, cmds)...)
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
