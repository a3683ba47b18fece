// Package objpage is the frame of a page that lists libvirt objects of
// every host (storage pools, networks, …): listings loaded per connection
// and reloaded by the host's events, a cursor that stays on its object
// across reloads, a table with the selected object described below it,
// and questions asked over the table before what cannot be undone.
package objpage

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// List holds the listings of every connection and the cursor.
type List[T any] struct {
	ctx     *common.Context
	kind    string // the ObjectEvent kind that reloads a host: "pool", "network"; "domain": any VM's event
	load    func(uri string) ([]T, error)
	same    func(a, b T) bool // the same object, maybe changed
	byURI   map[string][]T
	errs    map[string]string // a connection whose listing failed, and why
	loading map[string]bool
	rows    []T // byURI flattened in the connections' order
	cursor  int
	offset  int
	keys    widget.ListKeys
	Ask     *Question // a question over the table
	job     *job      // the long action under way
}

type loadedMsg[T any] struct {
	uri   string
	items []T
	err   error
}

// Done is the outcome of an action on an object of a host: Text says what
// was done (or tried, with Err); the lists of that Kind read the host's
// listing again.
type Done struct {
	Kind, URI, Text string
	Err             error
}

// New starts loading every connected host's objects.
func New[T any](ctx *common.Context, kind string, load func(string) ([]T, error), same func(a, b T) bool) (*List[T], tea.Cmd) {
	l := &List[T]{ctx: ctx, kind: kind, load: load, same: same, byURI: map[string][]T{},
		errs: map[string]string{}, loading: map[string]bool{}, keys: widget.NewListKeys()}
	var cmds []tea.Cmd
	for _, uri := range ctx.Connected() {
		cmds = append(cmds, l.Reload(uri))
	}
	return l, tea.Batch(cmds...)
}

// Reload reads a host's listing again.
func (l *List[T]) Reload(uri string) tea.Cmd {
	l.loading[uri] = true
	return func() tea.Msg {
		items, err := l.load(uri)
		return loadedMsg[T]{uri: uri, items: items, err: err}
	}
}

// Update takes listings, action outcomes and the events that change a
// listing; handled is false for the page's own messages.
func (l *List[T]) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	if cmd, ok := l.jobMsg(msg); ok {
		return cmd, true
	}
	switch msg := msg.(type) {
	case loadedMsg[T]:
		delete(l.loading, msg.uri)
		if msg.err != nil {
			l.errs[msg.uri] = msg.err.Error()
		} else {
			delete(l.errs, msg.uri)
			l.byURI[msg.uri] = msg.items
		}
		l.rebuild()
		return nil, true
	case Done:
		if msg.Kind != l.kind {
			return nil, false
		}
		if msg.Err != nil {
			l.ctx.SetMsg(msg.Text+": "+msg.Err.Error(), true)
		} else {
			l.ctx.SetMsg(msg.Text, false)
		}
		return l.Reload(msg.URI), true // the test driver sends no pool or network events
	case common.DefinedMsg: // a raw XML edit
		if string(msg.Kind) != l.kind {
			return nil, false
		}
		return l.Reload(msg.URI), true
	case common.EventsMsg:
		return l.events(msg), true
	}
	return nil, false
}

// events reloads a host whose objects of the kind started, stopped, were
// defined or went, and a host that (re)connected; a lost host's go.
func (l *List[T]) events(evs common.EventsMsg) tea.Cmd {
	reload := map[string]bool{}
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ObjectEvent:
			if e.Kind == l.kind {
				reload[e.URI] = true
			}
		case libvirtx.DomainEvent:
			if l.kind == "domain" { // a list read from the VMs' definitions
				reload[e.URI] = true
			}
		case libvirtx.ConnEvent:
			switch e.Status {
			case libvirtx.Connected:
				reload[e.URI] = true
			case libvirtx.Disconnected, libvirtx.Closed:
				delete(l.byURI, e.URI)
				l.rebuild()
			}
		}
	}
	var cmds []tea.Cmd
	for uri := range reload {
		cmds = append(cmds, l.Reload(uri))
	}
	return tea.Batch(cmds...)
}

// rebuild flattens the listings, keeping the cursor on the same object.
func (l *List[T]) rebuild() {
	keep := l.Selected()
	var kept T
	if keep != nil {
		kept = *keep
	}
	l.rows = l.rows[:0]
	for _, c := range l.ctx.SortedConns() {
		l.rows = append(l.rows, l.byURI[c.URI]...)
	}
	for i, r := range l.rows {
		if keep != nil && l.same(r, kept) {
			l.cursor = i
		}
	}
	l.cursor = min(max(l.cursor, 0), max(len(l.rows)-1, 0))
}

// Loading tells whether a listing is being read.
func (l *List[T]) Loading() bool { return len(l.loading) > 0 }

// Rows are the objects in table order.
func (l *List[T]) Rows() []T { return l.rows }

// Selected is the object under the cursor, or nil.
func (l *List[T]) Selected() *T {
	if l.cursor < 0 || l.cursor >= len(l.rows) {
		return nil
	}
	return &l.rows[l.cursor]
}

// Select puts the cursor on the first object that matches.
func (l *List[T]) Select(match func(T) bool) {
	for i, r := range l.rows {
		if match(r) {
			l.cursor = i
			return
		}
	}
}

// Route is an object page's Update: a key answers an open question or
// moves the cursor, else it is the page's (pageKey); any other message is
// the list's (listings, outcomes, events).
func (l *List[T]) Route(msg tea.Msg, pageKey func(tea.KeyMsg) tea.Cmd) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		if cmd, handled := l.Key(k); handled {
			return cmd
		}
		return pageKey(k)
	}
	cmd, _ := l.Update(msg)
	return cmd
}

// Capturing: an open question takes every key.
func (l *List[T]) Capturing() bool { return l.Ask != nil }

// Key answers an open question or moves the cursor; handled is false for
// the page's own keys.
func (l *List[T]) Key(msg tea.KeyMsg) (cmd tea.Cmd, handled bool) {
	if l.Ask != nil {
		return l.answer(msg), true
	}
	if l.jobKey(msg) {
		return nil, true
	}
	k := l.keys
	switch {
	case key.Matches(msg, k.Up):
		l.cursor = max(l.cursor-1, 0)
	case key.Matches(msg, k.Down):
		l.cursor = min(l.cursor+1, max(len(l.rows)-1, 0))
	case key.Matches(msg, k.Top):
		l.cursor = 0
	case key.Matches(msg, k.Bottom):
		l.cursor = max(len(l.rows)-1, 0)
	default:
		return nil, false
	}
	return nil, true
}

// Question asks before something that cannot be undone; each answer key
// has its command (n, esc: none).
type Question struct {
	Prompt  string
	Answers []Answer
}

// Answer is one way to answer a question.
type Answer struct {
	Key, Text string
	Run       tea.Cmd
}

func (l *List[T]) answer(msg tea.KeyMsg) tea.Cmd {
	for _, a := range l.Ask.Answers {
		if msg.String() == a.Key {
			l.Ask = nil
			return a.Run
		}
	}
	if s := msg.String(); s == "n" || s == "esc" || s == "q" || s == "enter" {
		l.Ask = nil
		l.ctx.SetMsg("cancelled", false)
	}
	return nil
}

// Table is how a page draws its objects: columns, the words for an empty
// or loading table, whether a row is dimmed, and the lines describing the
// selected object below the table.
type Table[T any] struct {
	Columns []Column[T]
	Loading string
	Empty   string
	Dim     func(T) bool
	Footer  func(T) []string
	// Whole, when it says something for a row, is drawn after the first
	// column instead of the others (a row standing for an empty section).
	Whole func(T) string
}

// Column is one column of a table; Width 0 takes what is left.
type Column[T any] struct {
	Title string
	Width int
	Text  func(T) string
}

// View draws the table filling the page body, with the question over it.
func (l *List[T]) View(tb Table[T]) string {
	if l.Ask == nil {
		return l.table(tb)
	}
	th := l.ctx.Theme
	lines := []string{l.Ask.Prompt, ""}
	for _, a := range l.Ask.Answers {
		lines = append(lines, th.Key.Render(a.Key)+"  "+a.Text)
	}
	lines = append(lines, th.Key.Render("n")+"  keep it (esc)")
	box := th.Box.Width(min(l.ctx.Width-4, 80)).Render(strings.Join(lines, "\n"))
	return widget.Over(th, l.table(tb), box, l.ctx.Width, l.ctx.BodyHeight())
}

func (l *List[T]) table(tb Table[T]) string {
	th, w, h := l.ctx.Theme, l.ctx.Width, l.ctx.BodyHeight()
	var zero T
	lines := []string{th.Header.Render(l.line(tb, zero, true))}
	for _, c := range l.ctx.SortedConns() {
		if e := l.errs[c.URI]; e != "" {
			lines = append(lines, widget.Fit(th.Error.Render("  "+c.Label+": "+e), w))
		}
	}
	switch {
	case len(l.rows) == 0 && len(l.loading) > 0:
		lines = append(lines, th.Dim.Render("  "+tb.Loading))
	case len(l.rows) == 0 && len(l.errs) == 0: // a failed listing is not an empty one
		lines = append(lines, th.Dim.Render("  "+tb.Empty))
	}
	footer := []string{th.Dim.Render(strings.Repeat("─", w))}
	if s := l.Selected(); s != nil && tb.Footer != nil {
		for _, f := range tb.Footer(*s) {
			footer = append(footer, widget.Fit(f, w))
		}
	}
	room := max(h-len(lines)-len(footer), 1)
	l.offset = min(max(l.offset, l.cursor-room+1), l.cursor)
	for i := l.offset; i < min(l.offset+room, len(l.rows)); i++ {
		s := l.line(tb, l.rows[i], false)
		if i == l.cursor {
			s = th.Cursor.Render(s)
		} else if tb.Dim != nil && tb.Dim(l.rows[i]) {
			s = th.Dim.Render(s)
		}
		lines = append(lines, s)
	}
	for len(lines) < h-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines[:max(h-len(footer), 0)], footer...)
	return strings.Join(lines[:min(h, len(lines))], "\n")
}

func (l *List[T]) line(tb Table[T], r T, head bool) string {
	cols := tb.Columns
	if !head && tb.Whole != nil && len(cols) > 0 {
		if s := tb.Whole(r); s != "" {
			return widget.Fit(widget.Fit(cols[0].Text(r), cols[0].Width)+" "+s, l.ctx.Width)
		}
	}
	cells := make([]string, len(cols))
	used := 0
	for i, c := range cols {
		w := c.Width
		if w == 0 {
			w = max(l.ctx.Width-used, 4)
		}
		used += w + 1
		s := c.Title
		if !head {
			s = c.Text(r)
		}
		cells[i] = widget.Fit(s, w)
	}
	return widget.Fit(strings.Join(cells, " "), l.ctx.Width)
}

// Hints is a page's bottom line: a word per key (only where the host can
// be changed), then back and help.
func (l *List[T]) Hints(words ...widget.Hint) string {
	if l.Ask != nil {
		return widget.Fit("answer the question", l.ctx.Width)
	}
	if l.job != nil {
		return widget.Fit(l.ctx.Theme.Key.Render("x")+" cancel "+l.job.what, l.ctx.Width)
	}
	if l.ctx.ReadOnly() {
		words = nil
	}
	return widget.WordHints(l.ctx.Theme, l.ctx.Width, append(words, widget.Hint{Key: l.ctx.Keys.Back, Word: "back"},
		widget.Hint{Key: l.ctx.Keys.Help, Word: "help"})...)
}

// YesNo is a flag as a table shows it.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
