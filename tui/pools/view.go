package pools

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// column is one column of the pool table.
type column struct {
	title string
	width int // 0: what is left
	text  func(p *Page, r libvirtx.Pool) string
}

func (p *Page) columns() []column {
	cols := []column{{"NAME", 14, func(_ *Page, r libvirtx.Pool) string { return r.Name }}}
	if len(p.ctx.Conns) > 1 {
		cols = append(cols, column{"HOST", 10, func(p *Page, r libvirtx.Pool) string { return p.ctx.Label(r.URI) }})
	}
	return append(cols,
		column{"TYPE", 7, func(_ *Page, r libvirtx.Pool) string { return r.Type }},
		column{"STATE", 8, func(_ *Page, r libvirtx.Pool) string { return state(r) }},
		column{"AUTO", 4, func(_ *Page, r libvirtx.Pool) string { return yesNo(r.Autostart) }},
		p.usedColumn(),
		column{"SIZE", 7, func(_ *Page, r libvirtx.Pool) string { return size(r.Active, r.Capacity) }},
		column{"FREE", 7, func(_ *Page, r libvirtx.Pool) string { return size(r.Active, r.Available) }},
		column{"VOLS", 4, func(_ *Page, r libvirtx.Pool) string { return vols(r) }},
		column{"PATH / SOURCE", 0, func(_ *Page, r libvirtx.Pool) string { return where(r) }},
	)
}

func state(r libvirtx.Pool) string {
	s := "inactive"
	if r.Active {
		s = "active"
	}
	if !r.Persistent {
		s += "*" // transient: gone when stopped
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func size(active bool, b uint64) string {
	if !active {
		return "-"
	}
	return widget.HumanBytes(float64(b))
}

func vols(r libvirtx.Pool) string {
	if r.Volumes < 0 {
		return "-"
	}
	return fmt.Sprint(r.Volumes)
}

// usedColumn is the share of the capacity in use: with a bar where the
// terminal is wide enough, the path needing the room more on 80 columns.
func (p *Page) usedColumn() column {
	bar := 0
	if p.ctx.Width >= 100 {
		bar = 8
	}
	return column{"USED", bar + 5, func(_ *Page, r libvirtx.Pool) string {
		if !r.Active || r.Capacity == 0 {
			return "-"
		}
		frac := float64(r.Allocation) / float64(r.Capacity)
		n := min(int(frac*float64(bar)+0.5), bar)
		return strings.Repeat("█", n) + strings.Repeat("░", bar-n) + fmt.Sprintf("%4.0f%%", frac*100)
	}}
}

func where(r libvirtx.Pool) string {
	switch {
	case r.Target != "" && r.Source != "":
		return r.Target + " ← " + r.Source
	case r.Target != "":
		return r.Target
	}
	return r.Source
}

func (p *Page) line(cols []column, r libvirtx.Pool, head bool) string {
	cells := make([]string, len(cols))
	used := 0
	for i, c := range cols {
		w := c.width
		if w == 0 {
			w = max(p.ctx.Width-used, 4)
		}
		used += w + 1
		s := c.title
		if !head {
			s = c.text(p, r)
		}
		cells[i] = widget.Fit(s, w)
	}
	return widget.Fit(strings.Join(cells, " "), p.ctx.Width)
}

// View is the table, the selected pool in full below it, and the hosts
// whose listing failed; a question over them.
func (p *Page) View() string {
	if p.ask != nil {
		return widget.Over(p.ctx.Theme, p.table(), p.questionView(), p.ctx.Width, p.ctx.BodyHeight())
	}
	return p.table()
}

func (p *Page) questionView() string {
	t := p.ctx.Theme
	lines := []string{p.ask.prompt, ""}
	for _, a := range p.ask.answers {
		lines = append(lines, t.Key.Render(a.key)+"  "+a.text)
	}
	lines = append(lines, t.Key.Render("n")+"  keep it (esc)")
	return t.Box.Width(min(p.ctx.Width-4, 80)).Render(strings.Join(lines, "\n"))
}

func (p *Page) table() string {
	t, w, h := p.ctx.Theme, p.ctx.Width, p.ctx.BodyHeight()
	cols := p.columns()
	lines := []string{t.Header.Render(p.line(cols, libvirtx.Pool{}, true))}
	for _, c := range p.ctx.SortedConns() {
		if e := p.errs[c.URI]; e != "" {
			lines = append(lines, widget.Fit(t.Error.Render("  "+c.Label+": "+e), w))
		}
	}
	switch {
	case len(p.rows) == 0 && len(p.loading) > 0:
		lines = append(lines, t.Dim.Render("  reading the storage pools…"))
	case len(p.rows) == 0:
		lines = append(lines, t.Dim.Render("  no storage pool defined (virt-manager and virsh pool-define-as make one)"))
	}
	footer := p.footer()
	room := max(h-len(lines)-len(footer), 1)
	p.offset = min(max(p.offset, p.cursor-room+1), p.cursor)
	for i := p.offset; i < min(p.offset+room, len(p.rows)); i++ {
		l := p.line(cols, p.rows[i], false)
		if i == p.cursor {
			l = t.Cursor.Render(l)
		} else if !p.rows[i].Active {
			l = t.Dim.Render(l)
		}
		lines = append(lines, l)
	}
	for len(lines) < h-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines[:max(h-len(footer), 0)], footer...)
	return strings.Join(lines[:h], "\n")
}

// footer describes the selected pool below a rule: three lines.
func (p *Page) footer() []string {
	t, w := p.ctx.Theme, p.ctx.Width
	out := []string{t.Dim.Render(strings.Repeat("─", w)), "", "", ""}
	r := p.selected()
	if r == nil {
		return out
	}
	kind := "persistent"
	if !r.Persistent {
		kind = "transient (gone when stopped)"
	}
	out[1] = widget.Fit(t.Title.Render(r.Name)+" on "+p.ctx.Label(r.URI)+" · "+r.Type+" · "+kind+" · autostart "+yesNo(r.Autostart), w)
	out[2] = "inactive: sizes and volumes are known once it is started"
	if r.Active {
		out[2] = fmt.Sprintf("%s of %s allocated, %s available, %s", widget.HumanBytes(float64(r.Allocation)),
			widget.HumanBytes(float64(r.Capacity)), widget.HumanBytes(float64(r.Available)), widget.Plural(r.Volumes, "1 volume", fmt.Sprint(r.Volumes, " volumes")))
	}
	out[2] = widget.Fit(out[2], w)
	out[3] = widget.Fit(where(*r), w)
	return out
}

// Hints is the bottom line: a word per key; the help has the rest.
func (p *Page) Hints() string {
	if p.ask != nil {
		return widget.Fit("answer the question", p.ctx.Width)
	}
	k, t := p.keys, p.ctx.Theme
	short := []struct {
		b    key.Binding
		word string
	}{{k.Refresh, "rescan"}, {k.Start, "start"}, {k.Stop, "stop"}, {k.Autostart, "autostart"}, {k.Delete, "remove"}}
	var parts []string
	if !p.ctx.ReadOnly() {
		for _, s := range short {
			parts = append(parts, t.Key.Render(s.b.Help().Key)+" "+s.word)
		}
	}
	parts = append(parts, t.Key.Render(k.Back.Help().Key)+" back", t.Key.Render(p.ctx.Keys.Help.Help().Key)+" help")
	return widget.Fit(strings.Join(parts, "  "), p.ctx.Width)
}
