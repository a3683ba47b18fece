package vmlist

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// View is the table, with the console pane when open, and the delete
// dialog over it.
func (m *Page) View() string {
	if m.mode == modeDelete {
		return widget.Over(m.ctx.Theme, m.consoleBody(), m.deleteView(), m.ctx.Width, m.ctx.BodyHeight())
	}
	return m.consoleBody()
}

func (m *Page) tableView() string {
	lay := m.layout()
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
func (m *Page) emptyText() string {
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

// layout is the columns the terminal has room for.
func (m *Page) layout() tableLayout {
	return layoutFor(m.ctx.Width, len(m.ctx.Conns) > 1, m.colOrder, m.shownOptional()...)
}

// StatGroups are the optional stats of the columns the terminal shows.
func (m *Page) StatGroups() libvirtx.Groups {
	var g libvirtx.Groups
	for _, i := range m.layout().cols {
		g |= columns[i].stats
	}
	return g
}

// Status is the title line's count of VMs.
func (m *Page) Status() string {
	total, running, marked := m.list.counts()
	s := fmt.Sprintf("%d %s, %d running", total, widget.Plural(total, "VM", "VMs"), running)
	if m.list.filter != "" {
		s = fmt.Sprintf("%d of %d %s shown (/%s), %d running", len(m.list.view), total, widget.Plural(total, "VM", "VMs"), m.list.filter, running)
	}
	if marked > 0 {
		s += fmt.Sprintf(", %d marked", marked)
	}
	return s + m.perfCounts()
}

// Hints is the input being typed, else the most useful keys.
func (m *Page) Hints() string {
	if m.mode == modeFilter || m.mode == modeRename {
		return widget.Fit(m.input.View(), m.ctx.Width)
	}
	k, g := m.lk, m.ctx.Keys
	hints := []key.Binding{g.Help, g.Command, k.Filter, k.Mark}
	if !m.ctx.ReadOnly() {
		hints = append(hints, k.Start, k.Shutdown, k.ForceOff, k.Pause, k.Delete)
	}
	return widget.Hints(m.ctx.Theme, m.ctx.Width, append(hints, g.Quit)...)
}

// Help is the list's part of the help overlay, from its key maps.
func (m *Page) Help() []widget.Section {
	actions := widget.Section{Title: "VM actions", Lines: []string{"read-only: none"}}
	if !m.ctx.ReadOnly() {
		actions = widget.Section{Title: "VM actions", Keys: m.lk.mutating()}
	}
	return []widget.Section{
		{Title: "Navigate", Keys: m.lk.navigation()},
		actions,
		{Title: "Consoles", Keys: m.cons().keys.all()},
		{Title: "Performance", Keys: []key.Binding{m.lk.Perf, m.lk.SparkColumn}},
	}
}
