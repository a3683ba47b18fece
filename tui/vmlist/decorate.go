package vmlist

import (
	"fmt"

	"kvmtui/perf"
)

// sparkColWidth is the width of the list's CPU sparkline column.
const sparkColWidth = 12

// decorateStopped updates the rows a sweep of the running domains has no
// sample for: a VM that stopped drops its level, and its sparkline moves on.
// (The list re-sorts them when it takes the sweep.)
func (m *Page) decorateStopped() {
	for _, r := range m.list.rows {
		v := m.ctx.Perf.Tr.VM(r.dom.URI, r.dom.UUID)
		if v == nil || v.Cur.State.Active() {
			continue
		}
		if r.level != v.Level() || (m.ctx.Perf.Cfg.ListSparkline && v.Series(perf.CPU) != nil) {
			m.decorateRow(r)
			r.render()
		}
	}
}

// decorateRow sets a row's threshold level and its CPU sparkline from the
// history; vmList calls it when a sample arrives.
func (m *Page) decorateRow(r *row) {
	r.level, r.spark = perf.LevelOK, ""
	v := m.ctx.Perf.Tr.VM(r.dom.URI, r.dom.UUID)
	if v == nil {
		return
	}
	r.level = v.Level()
	if !m.ctx.Perf.Cfg.ListSparkline {
		return
	}
	if s := v.Series(perf.CPU); s != nil {
		cs := perf.Block
		if m.ctx.Perf.Cfg.Charts == perf.ASCII {
			cs = perf.ASCII
		}
		r.spark = m.ctx.Perf.Sparks.Render(s.Tail(sparkColWidth, nil), sparkColWidth, 1, 100, cs)[0]
	}
}

// redecorate re-renders every row after a setting changed.
func (m *Page) redecorate() {
	for _, r := range m.list.rows {
		m.decorateRow(r)
		r.render()
	}
	m.list.rebuild()
}

// shownOptional lists the optional list columns that are on.
func (m *Page) shownOptional() []string {
	if m.ctx.Perf.Cfg.ListSparkline {
		return []string{"cpuhist"}
	}
	return nil
}

// perfCounts is the title bar's count of VMs above a level.
func (m *Page) perfCounts() string {
	w, c := m.ctx.Perf.Tr.Counts()
	s := ""
	if w > 0 {
		s += fmt.Sprintf(", %d warn", w)
	}
	if c > 0 {
		s += fmt.Sprintf(", %d crit", c)
	}
	return s
}
