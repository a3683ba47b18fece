package pools

import (
	"fmt"
	"strings"

	"kvmtui/libvirtx"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

type column = objpage.Column[libvirtx.Pool]

func (p *Page) columns() []column {
	cols := []column{{Title: "NAME", Width: 14, Text: func(r libvirtx.Pool) string { return r.Name }}}
	if len(p.ctx.Conns) > 1 {
		cols = append(cols, column{Title: "HOST", Width: 10, Text: func(r libvirtx.Pool) string { return p.ctx.Label(r.URI) }})
	}
	return append(cols,
		column{Title: "TYPE", Width: 7, Text: func(r libvirtx.Pool) string { return r.Type }},
		column{Title: "STATE", Width: 8, Text: state},
		column{Title: "AUTO", Width: 4, Text: func(r libvirtx.Pool) string { return objpage.YesNo(r.Autostart) }},
		p.usedColumn(),
		column{Title: "SIZE", Width: 7, Text: func(r libvirtx.Pool) string { return size(r.Active, r.Capacity) }},
		column{Title: "FREE", Width: 7, Text: func(r libvirtx.Pool) string { return size(r.Active, r.Available) }},
		column{Title: "VOLS", Width: 4, Text: vols},
		column{Title: "PATH / SOURCE", Text: where},
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
	return column{Title: "USED", Width: bar + 5, Text: func(r libvirtx.Pool) string {
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

// View is the table, the selected pool in full below it, and the hosts
// whose listing failed; a question over them.
func (p *Page) View() string {
	return p.list.View(objpage.Table[libvirtx.Pool]{
		Columns: p.columns(),
		Loading: "reading the storage pools…",
		Empty:   "no storage pool defined (virt-manager and virsh pool-define-as make one)",
		Dim:     func(r libvirtx.Pool) bool { return !r.Active },
		Footer:  p.footer,
	})
}

// footer describes the selected pool: three lines.
func (p *Page) footer(r libvirtx.Pool) []string {
	t := p.ctx.Theme
	kind := "persistent"
	if !r.Persistent {
		kind = "transient (gone when stopped)"
	}
	sizes := "inactive: sizes and volumes are known once it is started"
	if r.Active {
		sizes = fmt.Sprintf("%s of %s allocated, %s available, %s", widget.HumanBytes(float64(r.Allocation)),
			widget.HumanBytes(float64(r.Capacity)), widget.HumanBytes(float64(r.Available)), widget.Plural(r.Volumes, "1 volume", fmt.Sprint(r.Volumes, " volumes")))
	}
	return []string{t.Title.Render(r.Name) + " on " + p.ctx.Label(r.URI) + " · " + r.Type + " · " + kind + " · autostart " + objpage.YesNo(r.Autostart),
		sizes, where(r)}
}

// Hints is the bottom line: a word per key; the help has the rest.
func (p *Page) Hints() string {
	k := p.keys
	return p.list.Hints(widget.Hint{Key: k.Open, Word: "volumes"}, widget.Hint{Key: k.New, Word: "new"}, widget.Hint{Key: k.Refresh, Word: "rescan"}, widget.Hint{Key: k.Start, Word: "start"},
		widget.Hint{Key: k.Stop, Word: "stop"}, widget.Hint{Key: k.Autostart, Word: "autostart"}, widget.Hint{Key: k.Delete, Word: "remove"})
}
