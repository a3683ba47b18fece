package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
)

// Smallest terminal the list is drawn in; below it, a one-line notice.
const minWidth, minHeight = 40, 8

// View draws the screen: title, table, message line, key hints. It only
// formats what Update prepared.
func (m *Model) View() string {
	if m.width == 0 {
		return "starting…"
	}
	if m.width < minWidth || m.height < minHeight {
		return fit(fmt.Sprintf("terminal too small (%dx%d): kvmtui needs %dx%d", m.width, m.height, minWidth, minHeight), m.width)
	}
	var body string
	switch m.mode {
	case modeHelp:
		body = m.helpView()
	case modeConfirm:
		body = m.overlay(m.confirmView())
	case modeDelete:
		body = m.overlay(m.deleteView())
	case modeRawDiff:
		body = m.overlay(m.theme.Box.Render(m.rawDiffView()))
	case modeDetails:
		body = m.detailsView()
	case modeHostdev:
		body = m.hostdevView()
	case modeWizard:
		body = m.wizardView()
	default:
		if m.perf.open {
			body = m.perfView()
		} else {
			body = m.consoleBody() // the table, with the console pane when open
		}
	}
	return strings.Join([]string{m.titleLine(), body, m.messageLine(), m.bottomLine()}, "\n")
}

// bodyHeight is what is left between the title and the two bottom lines.
func (m *Model) bodyHeight() int { return m.height - 3 }

func (m *Model) titleLine() string {
	total, running, marked := m.list.counts()
	left := m.theme.Title.Render("kvmtui")
	if m.opts.DemoURI != "" {
		if _, ok := m.conns[m.opts.DemoURI]; ok {
			left += " " + m.theme.Demo.Render(" DEMO HOST: nothing here is real ")
		}
	}
	if m.readOnly() {
		left += " " + m.theme.Warn.Render("[read-only]")
	}
	right := fmt.Sprintf("%d %s, %d running", total, plural(total, "VM", "VMs"), running)
	if m.list.filter != "" {
		right = fmt.Sprintf("%d of %d %s shown (/%s), %d running", len(m.list.view), total, plural(total, "VM", "VMs"), m.list.filter, running)
	}
	if marked > 0 {
		right += fmt.Sprintf(", %d marked", marked)
	}
	right += m.perfCounts()
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fit(left, m.width)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) tableView() string {
	lay := layoutFor(m.width, len(m.conns) > 1, m.shownOptional()...)
	l := m.list
	lines := make([]string, 0, m.bodyHeight())
	lines = append(lines, fit(m.theme.Header.Render(lay.header(l.sortCol, l.sortDesc)), m.width))
	if len(l.view) == 0 {
		lines = append(lines, m.theme.Dim.Render(m.emptyText()))
	}
	end := min(l.offset+l.height, len(l.view))
	for i := l.offset; i < end; i++ {
		r := l.view[i]
		if i == l.cursor {
			lines = append(lines, m.theme.Cursor.Render(fit(lay.line(r, l.marks[r.key], nil), m.width)))
			continue
		}
		style := m.theme.States[r.dom.State]
		styleState := func(s string) string { return style.Render(s) }
		line := lay.line(r, l.marks[r.key], styleState)
		if l.marks[r.key] {
			line = m.theme.Marked.Render(line)
		}
		lines = append(lines, fit(line, m.width))
	}
	for len(lines) < m.bodyHeight() {
		lines = append(lines, "")
	}
	return strings.Join(lines[:m.bodyHeight()], "\n")
}

func (m *Model) emptyText() string {
	switch {
	case m.list.filter != "":
		return "  no VM matches /" + m.list.filter + " (esc clears the filter)"
	case len(m.conns) == 0:
		return "  no connection: :connect URI"
	}
	for _, c := range m.conns {
		if c.status == libvirtx.Connected {
			return "  no VMs defined"
		}
	}
	return "  waiting for libvirt…"
}

// messageLine shows the last action's outcome, else the connections.
func (m *Model) messageLine() string {
	// A lost connection outranks a threshold alert.
	if m.msg != "" && m.msgAlert {
		for _, c := range m.conns {
			if c.status == libvirtx.Disconnected {
				return m.connLine()
			}
		}
	}
	if m.msg != "" {
		if m.msgErr {
			return fit(m.theme.Error.Render(m.msg), m.width)
		}
		return fit(m.msg, m.width)
	}
	return m.connLine()
}

func (m *Model) connLine() string {
	parts := make([]string, 0, len(m.conns))
	for _, c := range m.sortedConns() {
		parts = append(parts, m.connText(c))
	}
	return fit(strings.Join(parts, "  "), m.width)
}

func (m *Model) connText(c *connState) string {
	switch c.status {
	case libvirtx.Connected:
		host := c.host.Hostname
		if c.label == "demo" {
			host = "libvirt's test driver (" + c.uri + ")"
		} else if host == "" {
			host = c.uri
		}
		return m.theme.OK.Render("●") + " " + c.label + " " + m.theme.Dim.Render(host)
	case libvirtx.Disconnected:
		return m.theme.Error.Render("✗ "+c.label+": disconnected, retrying in "+c.retry.String()) + " " + m.theme.Dim.Render(c.err)
	}
	return m.theme.Warn.Render("… "+c.label) + " " + c.status.String()
}

// bottomLine is the active input, else the most useful keys.
func (m *Model) bottomLine() string {
	if m.inputMode() {
		return fit(m.input.View(), m.width)
	}
	if m.mode == modeDetails {
		return fit(m.detailsHints(), m.width)
	}
	if m.mode == modeHostdev {
		return m.hostdevHints()
	}
	if m.mode == modeWizard {
		return m.wizardHints()
	}
	if m.perf.open {
		parts := []string{}
		for _, b := range m.perfHints() {
			parts = append(parts, m.theme.Key.Render(b.Help().Key)+" "+b.Help().Desc)
		}
		return fit(strings.Join(parts, "  "), m.width)
	}
	hints := []key.Binding{m.gk.Help, m.gk.Command, m.lk.Filter, m.lk.Mark}
	if !m.readOnly() {
		hints = append(hints, m.lk.Start, m.lk.Shutdown, m.lk.ForceOff, m.lk.Pause, m.lk.Delete)
	}
	hints = append(hints, m.gk.Quit)
	parts := make([]string, len(hints))
	for i, b := range hints {
		parts[i] = m.theme.Key.Render(b.Help().Key) + " " + b.Help().Desc
	}
	return fit(strings.Join(parts, "  "), m.width)
}

// overlay centres a box over the table area.
func (m *Model) overlay(box string) string {
	return lipgloss.Place(m.width, m.bodyHeight(), lipgloss.Center, lipgloss.Center, box)
}

// helpSections are the help overlay's sections, generated from the key
// maps so they cannot drift from them.
func (m *Model) helpSections() [][]string {
	section := func(title string, bs []key.Binding) []string {
		out := []string{m.theme.Header.Render(title)}
		for _, b := range bs {
			out = append(out, fmt.Sprintf("%-8s %s", b.Help().Key, b.Help().Desc))
		}
		return out
	}
	actions := []string{m.theme.Header.Render("VM actions"), "read-only: none"}
	if !m.readOnly() {
		actions = section("VM actions", m.lk.mutating())
	}
	cmds := []string{m.theme.Header.Render("Commands (:)")}
	for _, c := range append(commandHelp, perfCommandHelp...) {
		cmds = append(cmds, ":"+c[0], "    "+m.theme.Dim.Render(c[1]))
	}
	return [][]string{
		section("Navigate", m.lk.navigation()),
		section("General", m.gk.all()),
		actions,
		section("Details (enter)", m.dk.all()),
		section("Consoles", m.consoleHelp()),
		section("Performance", append(m.perf.keys.list(), m.perf.keys.view()...)),
		section("Host devices (H)", m.hk.help(m.readOnly())),
		cmds,
	}
}

// helpLines flows the sections into as many columns as the width holds.
func (m *Model) helpLines() []string {
	const colW, gap = 52, 3
	ncol := max(1, (m.width+gap)/(colW+gap))
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
			b.WriteString(fit(cell, colW))
		}
		if !more {
			return lines
		}
		lines = append(lines, fit(b.String(), m.width))
	}
}

// helpView shows a window of the help; j/k scroll it on a short terminal.
func (m *Model) helpView() string {
	lines, h := m.helpLines(), m.bodyHeight()
	off := min(m.helpOffset, max(len(lines)-h, 0))
	win := append([]string(nil), lines[off:min(off+h, len(lines))]...)
	if off+h < len(lines) {
		win[len(win)-1] = fit(m.theme.Dim.Render("  … more below: j/k or pgdn/pgup to scroll, esc to close"), m.width)
	}
	for len(win) < h {
		win = append(win, "")
	}
	return strings.Join(win, "\n")
}
