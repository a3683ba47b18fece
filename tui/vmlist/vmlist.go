package vmlist

import (
	"cmp"
	"slices"
	"strings"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// row is one VM in the list with its latest samples. cells holds each
// column's text, rendered when the data changes, never in View.
type row struct {
	key    common.VMID
	dom    libvirtx.Domain
	label  string // the connection's short name
	prev   libvirtx.Sample
	cur    libvirtx.Sample
	rates  perf.Rates
	level  perf.Level // the highest threshold level it is at
	spark  string     // its CPU sparkline, when that column is on
	cells  []string
	stale  bool   // cells behind the rates: rendered when next drawn
	search string // lower-case text the filter matches against
}

func (r *row) render() {
	r.stale = false
	if r.cells == nil {
		r.cells = make([]string, len(columns))
	}
	for i, c := range columns {
		r.cells[i] = c.text(r)
	}
	r.search = strings.ToLower(strings.Join([]string{r.dom.Name, r.dom.Title, widget.StateWord(r.dom), r.label, r.dom.OS, strings.Join(r.dom.IPs, " ")}, " "))
}

// vmList is the main view's data: every VM of every connection, the filtered
// and sorted view of them, the cursor and the marks.
type vmList struct {
	rows     map[common.VMID]*row
	view     []*row
	cursor   int
	chosen   bool // the user moved the cursor: it follows its VM from then on (until then it stays on top while rows arrive)
	offset   int
	height   int // rows of the table body
	sortCol  int
	sortDesc bool
	filter   string
	marks    map[common.VMID]bool
	conns    map[string]*common.Conn // the context's: labels and host CPU counts
	decorate func(r *row)            // sets level and spark from the history (decorate.go)
}

func newVMList(conns map[string]*common.Conn) *vmList {
	name, _ := columnByID("name")
	return &vmList{rows: map[common.VMID]*row{}, marks: map[common.VMID]bool{}, conns: conns, sortCol: name}
}

// conn is what the list knows of a connection (nothing once it is gone).
func (l *vmList) conn(uri string) common.Conn {
	if c := l.conns[uri]; c != nil {
		return *c
	}
	return common.Conn{}
}

// setInventory replaces the domains of one connection, keeping the samples of
// those that stay.
func (l *vmList) setInventory(uri string, doms []libvirtx.Domain) {
	keep := make(map[common.VMID]bool, len(doms))
	for _, d := range doms {
		k := common.VMKey(uri, d.UUID)
		keep[k] = true
		l.upsert(k, d)
	}
	for k, r := range l.rows {
		if r.dom.URI == uri && !keep[k] {
			delete(l.rows, k)
			delete(l.marks, k)
		}
	}
	l.rebuild()
}

// dropConn forgets the domains of a connection (closed or lost).
func (l *vmList) dropConn(uri string) {
	for k, r := range l.rows {
		if r.dom.URI == uri {
			delete(l.rows, k)
			delete(l.marks, k)
		}
	}
	l.rebuild()
}

func (l *vmList) upsert(k common.VMID, d libvirtx.Domain) {
	r := l.rows[k]
	if r == nil {
		r = &row{key: k}
		l.rows[k] = r
	}
	r.dom = d
	r.label = l.conn(d.URI).Label
	if !d.State.Active() {
		r.rates = perf.Rates{}
	}
	r.render()
}

// applyDomainEvent updates or removes one domain.
func (l *vmList) applyDomainEvent(e libvirtx.DomainEvent) {
	k := common.VMKey(e.URI, e.UUID)
	if e.Gone {
		delete(l.rows, k)
		delete(l.marks, k)
	} else {
		l.upsert(k, e.Domain)
	}
	l.rebuild()
}

// applySamples takes one sweep's samples and recomputes the rates. A state
// that differs from the snapshot means an event was missed: the sample wins.
// Rows are rendered when drawn (a screenful of thousands), and the view is
// sorted again only when the sweep can have changed its order or filter.
func (l *vmList) applySamples(samples []libvirtx.Sample) {
	resort := columns[l.sortCol].live
	for _, s := range samples {
		r := l.rows[common.VMKey(s.URI, s.UUID)]
		if r == nil {
			continue // not in the inventory yet; its event is on the way
		}
		r.prev, r.cur = r.cur, s
		r.rates = perf.Compute(r.prev, r.cur, l.conn(s.URI).Host.CPUs)
		moved := r.dom.State != s.State
		r.dom.State = s.State
		if l.decorate != nil {
			l.decorate(r)
		}
		if moved { // the state word is in the filter's text
			r.render()
			resort = true
		} else {
			r.stale = true
		}
	}
	if resort {
		l.rebuild()
	}
}

// rebuild recomputes the filtered, sorted view and keeps the cursor on the
// same VM where it can.
func (l *vmList) rebuild() {
	var at common.VMID
	if sel := l.selected(); sel != nil {
		at = sel.key
	}
	l.view = l.view[:0]
	f := strings.ToLower(l.filter)
	for _, r := range l.rows {
		if f == "" || strings.Contains(r.search, f) {
			l.view = append(l.view, r)
		}
	}
	c := columns[l.sortCol].cmp
	slices.SortFunc(l.view, func(a, b *row) int {
		n := c(a, b)
		if l.sortDesc {
			n = -n
		}
		if n == 0 {
			n = strings.Compare(a.dom.Name, b.dom.Name)
		}
		if n == 0 {
			n = cmp.Or(strings.Compare(a.key.URI, b.key.URI), strings.Compare(a.key.UUID, b.key.UUID))
		}
		return n
	})
	l.cursor = 0
	if at != (common.VMID{}) && l.chosen {
		for i, r := range l.view {
			if r.key == at {
				l.cursor = i
				break
			}
		}
	}
	l.clamp()
}

func (l *vmList) clamp() {
	if l.cursor >= len(l.view) {
		l.cursor = len(l.view) - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
	h := max(l.height, 1)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	if maxOff := max(len(l.view)-h, 0); l.offset > maxOff {
		l.offset = maxOff
	}
	if l.offset < 0 {
		l.offset = 0
	}
}

func (l *vmList) move(n int) {
	l.chosen = true
	l.cursor += n
	l.clamp()
}

func (l *vmList) selected() *row {
	if l.cursor < 0 || l.cursor >= len(l.view) {
		return nil
	}
	return l.view[l.cursor]
}

func (l *vmList) toggleMark() {
	if r := l.selected(); r != nil {
		if l.marks[r.key] {
			delete(l.marks, r.key)
		} else {
			l.marks[r.key] = true
		}
	}
}

// markAll marks every VM shown, or clears the marks when all are marked.
func (l *vmList) markAll() {
	all := len(l.view) > 0
	for _, r := range l.view {
		all = all && l.marks[r.key]
	}
	for _, r := range l.view {
		if all {
			delete(l.marks, r.key)
		} else {
			l.marks[r.key] = true
		}
	}
}

// targets are the VMs an action applies to: the marked ones, else the one
// under the cursor.
func (l *vmList) targets() []libvirtx.Domain {
	var out []libvirtx.Domain
	for _, r := range l.view {
		if l.marks[r.key] {
			out = append(out, r.dom)
		}
	}
	if len(out) == 0 {
		if r := l.selected(); r != nil {
			out = append(out, r.dom)
		}
	}
	return out
}

func (l *vmList) setSort(col int, desc bool) {
	l.sortCol, l.sortDesc = col, desc
	l.rebuild()
}

func (l *vmList) setFilter(f string) {
	l.filter = f
	l.rebuild()
}

// counts returns how many VMs there are, run, and are marked.
func (l *vmList) counts() (total, running, marked int) {
	for _, r := range l.rows {
		total++
		if r.dom.State == libvirtx.StateRunning {
			running++
		}
	}
	return total, running, len(l.marks)
}
