package vmlist

import (
	"kvmtui/tui/widget"
	"slices"
	"strings"
)

// tableLayout is which columns fit the terminal and how wide NAME is.
type tableLayout struct {
	cols      []int // indexes into columns, in display order
	nameWidth int
}

const markWidth = 2 // "* " for a marked VM

// layoutFor keeps columns by priority until the width is used; NAME gets the
// rest, up to 40 cells. HOST shows only when there is more than one connection;
// optional columns only when named in shown.
func layoutFor(width int, multiHost bool, base []int, shown ...string) tableLayout {
	nameIdx, _ := columnByID("name")
	hostIdx, _ := columnByID("host")
	if base == nil {
		base, _ = columnOrder(nil)
	}
	order := make([]int, 0, len(columns))
	for _, i := range base {
		if i == hostIdx && !multiHost {
			continue
		}
		if columns[i].optional && !slices.Contains(shown, columns[i].id) {
			continue
		}
		order = append(order, i)
	}
	byPrio := slices.Clone(order)
	slices.SortStableFunc(byPrio, func(a, b int) int { return columns[a].prio - columns[b].prio })

	used := markWidth + columns[nameIdx].width
	keep := map[int]bool{nameIdx: true}
	for _, i := range byPrio {
		if i == nameIdx {
			continue
		}
		if used+1+columns[i].width > width {
			break
		}
		used += 1 + columns[i].width
		keep[i] = true
	}
	lay := tableLayout{nameWidth: columns[nameIdx].width}
	if extra := width - used; extra > 0 {
		lay.nameWidth += min(extra, 40-columns[nameIdx].width)
	}
	for _, i := range order {
		if keep[i] {
			lay.cols = append(lay.cols, i)
		}
	}
	return lay
}

func (lay tableLayout) width(i int) int {
	if columns[i].id == "name" {
		return lay.nameWidth
	}
	return columns[i].width
}

// header renders the column titles, marking the sort column.
func (lay tableLayout) header(sortCol int, desc bool) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", markWidth))
	for n, i := range lay.cols {
		if n > 0 {
			b.WriteByte(' ')
		}
		t := columns[i].title
		if i == sortCol {
			// The arrow stays; a narrow column cuts the name instead.
			arrow := "↑"
			if desc {
				arrow = "↓"
			}
			if w := lay.width(i); len(t) >= w {
				t = t[:max(w-1, 0)]
			}
			t += arrow
		}
		if columns[i].right {
			b.WriteString(widget.FitRight(t, lay.width(i)))
		} else {
			b.WriteString(widget.Fit(t, lay.width(i)))
		}
	}
	return b.String()
}

// line renders one row's cells; state is styled by the caller's function.
func (lay tableLayout) line(r *row, marked bool, styleState func(string) string) string {
	var b strings.Builder
	if marked {
		b.WriteString("* ")
	} else {
		b.WriteString("  ")
	}
	if r.stale {
		r.render()
	}
	for n, i := range lay.cols {
		if n > 0 {
			b.WriteByte(' ')
		}
		w := lay.width(i)
		var cell string
		if columns[i].right {
			cell = widget.FitRight(r.cells[i], w)
		} else {
			cell = widget.Fit(r.cells[i], w)
		}
		if columns[i].id == "state" && styleState != nil {
			cell = styleState(cell)
		}
		b.WriteString(cell)
	}
	return b.String()
}

// next is the visible column after col (the first when col is hidden):
// what o sorts by next.
func (lay tableLayout) next(col int) int {
	at := slices.Index(lay.cols, col)
	return lay.cols[(at+1)%len(lay.cols)]
}
