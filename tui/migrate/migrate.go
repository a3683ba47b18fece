// Package migrate is the migration page (:migrate [VM…], m on the list and
// in the details; :evacuate URI): where to and how, then the pre-flight of
// every VM item by item (✓ ! ✗ with what to do), then the migrations
// running together, each with a bar, its rate's sparkline and libvirt's
// job figures; x cancels one (it stays where it was), p switches one to
// post-copy.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"migrate"},
		Usage: "migrate [VM...]",
		Desc:  "move VMs to another host: pre-flight checks, then live or offline migration",
		Args:  (*common.Context).VMNames,
		Open:  Open,
		Help:  help,
	})
	common.Register(common.Entry{
		Words: []string{"evacuate"},
		Usage: "evacuate [URI]",
		Desc:  "migrate every running VM of a host away, spread by free memory",
		Args:  func(c *common.Context) []string { return c.Connected() },
		Open:  OpenEvacuate,
		Help:  help,
	})
}

func help(ctx *common.Context) []widget.Section {
	k := common.Bind(ctx, "migrate", newKeys())
	return []widget.Section{{Title: "Migration (:migrate VM, m; :evacuate URI)", Keys: []key.Binding{k.Check, k.Start, k.Override, k.Cancel, k.Postcopy, k.Back}}}
}

type keys struct {
	Check, Start, Override, Cancel, Postcopy, Up, Down, Back key.Binding
}

func newKeys() keys {
	return keys{
		Check:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "run the pre-flight")),
		Start:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start what passed")),
		Override: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "go ahead despite warnings")),
		Cancel:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel the selected migration")),
		Postcopy: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "switch the selected one to post-copy")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑↓", "select")),
		Down:     key.NewBinding(key.WithKeys("down", "j")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

type phase int

const (
	editing  phase = iota // the form
	checking              // planning and pre-flights under way
	checked               // the pre-flights are in: enter starts
	running               // migrations run (or ended)
)

// rowState is where one VM's migration is.
type rowState int

const (
	rowChecking rowState = iota
	rowBlocked
	rowReady
	rowQueued
	rowRunning
	rowMoved
	rowFailed
)

// row is one VM to move.
type row struct {
	vm     libvirtx.Ref
	spec   libvirtx.MigrateSpec
	checks libvirtx.Checks
	state  rowState
	prog   libvirtx.MigrateProgress
	rates  []float64 // MB/s per report, for the sparkline
	res    libvirtx.MigrateResult
	err    string
	cancel context.CancelFunc
	ch     chan tea.Msg
}

// Page is one migration (of one or several VMs) or one evacuation.
type Page struct {
	ctx      *common.Context
	keys     keys
	title    string
	src      string // evacuate: the host being emptied
	vms      []libvirtx.Domain
	opts     *options
	form     *form.Form
	phase    phase
	rows     []*row
	sel      int
	override bool
	err      string
}

// Open is the form for the named VMs, else the marked ones, else the selected one.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if ctx.ReadOnly() {
		return nil, nil, libvirtx.ErrReadOnly
	}
	doms, err := ctx.Resolve(args)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: %v", err)
	}
	o := &options{Mode: "live", Keep: "move", Storage: "shared", Postcopy: "off", Transport: "direct", Parallel: 1}
	if !doms[0].State.Active() {
		o.Mode = "offline"
	}
	if to := others(ctx, doms[0].URI); len(to) > 0 {
		o.To = to[0]
	}
	var names []string
	for _, d := range doms {
		names = append(names, d.Name)
	}
	p := &Page{ctx: ctx, keys: common.Bind(ctx, "migrate", newKeys()), vms: doms, opts: o, title: "Migrate " + strings.Join(names, ", ")}
	p.form = form.New(o, map[string][]string{"to": others(ctx, doms[0].URI)})
	p.form.Focus()
	return p, nil, nil
}

// OpenEvacuate is the form that empties a host: the named connection,
// else the selected VM's.
func OpenEvacuate(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if ctx.ReadOnly() {
		return nil, nil, libvirtx.ErrReadOnly
	}
	var src string
	switch {
	case len(args) > 1:
		return nil, nil, errors.New("usage: evacuate [URI]")
	case len(args) == 1:
		src = args[0]
		if !slices.Contains(ctx.Connected(), src) {
			return nil, nil, fmt.Errorf("evacuate: not connected to %s", src)
		}
	default:
		d, ok := ctx.Selected()
		if !ok {
			return nil, nil, errors.New("evacuate: which host? :evacuate URI")
		}
		src = d.URI
	}
	o := &options{evacuate: true, To: strings.Join(others(ctx, src), ","), Mode: "live", Keep: "move", Storage: "shared", Postcopy: "off", Transport: "direct", Parallel: 1}
	p := &Page{ctx: ctx, keys: common.Bind(ctx, "migrate", newKeys()), src: src, opts: o, title: "Evacuate " + ctx.Label(src)}
	p.form = form.New(o, map[string][]string{"to": others(ctx, src)})
	p.form.Focus()
	return p, nil, nil
}

// others are the connections up but uri: the likely destinations.
func others(ctx *common.Context, uri string) []string {
	var out []string
	for _, u := range ctx.Connected() {
		if u != uri {
			out = append(out, u)
		}
	}
	return out
}

// Title is the page's crumb.
func (p *Page) Title() string { return p.title }

// Capturing: the form takes every key while it is shown.
func (p *Page) Capturing() bool { return p.phase == editing }

type plannedMsg struct {
	p     *Page
	moves []libvirtx.Move
	err   error
}

type checkedMsg struct {
	p      *Page
	i      int
	checks libvirtx.Checks
}

type progressMsg struct {
	p    *Page
	i    int
	prog libvirtx.MigrateProgress
}

type endedMsg struct {
	p   *Page
	i   int
	res libvirtx.MigrateResult
	err error
}

type switchedMsg struct {
	p   *Page
	err error
}

// Update takes keys and the outcomes of what runs.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return p.key(msg)
	case plannedMsg:
		if msg.p == p {
			return p.planned(msg)
		}
	case checkedMsg:
		if msg.p == p {
			r := p.rows[msg.i]
			r.checks, r.state = msg.checks, rowReady
			if msg.checks.Blocked(p.override) {
				r.state = rowBlocked
			}
			if !slices.ContainsFunc(p.rows, func(r *row) bool { return r.state == rowChecking }) {
				p.phase = checked
			}
		}
	case progressMsg:
		if msg.p == p {
			r := p.rows[msg.i]
			r.prog = msg.prog
			r.rates = append(r.rates, float64(msg.prog.Rate)/1e6)
			if len(r.rates) > 120 {
				r.rates = r.rates[len(r.rates)-120:]
			}
			return wait(r.ch)
		}
	case endedMsg:
		if msg.p == p {
			return p.ended(msg)
		}
	case switchedMsg:
		if msg.p == p && msg.err != nil {
			p.ctx.SetMsg("post-copy: "+msg.err.Error(), true)
		}
	}
	return nil
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	if p.phase == editing {
		switch {
		case msg.String() == "ctrl+c":
			return tea.Quit
		case key.Matches(msg, k.Back):
			return common.Pop
		case key.Matches(msg, k.Check):
			if bad := p.form.Invalid(); bad != nil {
				p.err = bad.Label + ": " + bad.Err
				return nil
			}
			p.err = ""
			return p.check()
		}
		p.err = ""
		return p.form.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Up):
		p.sel = max(p.sel-1, 0)
	case key.Matches(msg, k.Down):
		p.sel = min(p.sel+1, len(p.rows)-1)
	case key.Matches(msg, k.Back):
		if p.phase == checking {
			p.ctx.SetMsg("the pre-flight runs: a moment", false)
			return nil
		}
		if p.busy() {
			p.ctx.SetMsg("migrations run: x cancels the selected one; esc once they end", true)
			return nil
		}
		if p.phase == checked {
			p.phase, p.rows = editing, nil
			p.form.Focus()
			return nil
		}
		return common.Pop
	case key.Matches(msg, k.Override) && p.phase == checked:
		p.override = !p.override
		for _, r := range p.rows {
			if r.state == rowBlocked || r.state == rowReady {
				r.state = widget.Choose(r.checks.Blocked(p.override), rowBlocked, rowReady)
			}
		}
	case key.Matches(msg, k.Start) && p.phase == checked:
		return p.start()
	case key.Matches(msg, k.Cancel) && p.phase == running:
		if r := p.selected(); r != nil && r.state == rowRunning {
			r.cancel()
			p.ctx.SetMsg("cancelling the migration of "+r.vm.Name+"…", false)
		} else if r != nil && r.state == rowQueued {
			r.state, r.err = rowFailed, "cancelled before it started"
		}
	case key.Matches(msg, k.Postcopy) && p.phase == running:
		r := p.selected()
		if r == nil || r.state != rowRunning {
			return nil
		}
		if !r.spec.Postcopy {
			p.ctx.SetMsg(r.vm.Name+" was started without post-copy (choose it in the form)", true)
			return nil
		}
		mgr, ref := p.ctx.Mgr, r.vm
		return common.Ask("Switch "+ref.Name+" to post-copy? It then runs on the destination; if the link breaks before the copy ends, the VM is lost.",
			func() tea.Msg { return switchedMsg{p: p, err: mgr.SwitchToPostcopy(ref)} })
	}
	return nil
}

func (p *Page) selected() *row {
	if p.sel < len(p.rows) {
		return p.rows[p.sel]
	}
	return nil
}

func (p *Page) busy() bool {
	return slices.ContainsFunc(p.rows, func(r *row) bool { return r.state == rowRunning || r.state == rowQueued }) || p.phase == checking
}

// check plans the moves (one per VM, or the evacuation's spread) and runs
// their pre-flights.
func (p *Page) check() tea.Cmd {
	p.phase, p.rows, p.sel, p.override = checking, nil, 0, false
	base := p.opts.spec()
	mgr := p.ctx.Mgr
	if p.src != "" {
		src, dests := p.src, p.opts.dests(p.opts.To)
		return func() tea.Msg {
			moves, err := mgr.PlanEvacuation(src, dests, base)
			return plannedMsg{p: p, moves: moves, err: err}
		}
	}
	var moves []libvirtx.Move
	for _, d := range p.vms {
		s := base
		s.Dest = p.opts.To
		moves = append(moves, libvirtx.Move{VM: d.Ref, MemKiB: d.MemoryKiB, Spec: s})
	}
	return p.planned(plannedMsg{p: p, moves: moves})
}

func (p *Page) planned(msg plannedMsg) tea.Cmd {
	if msg.err != nil {
		p.phase, p.err = editing, msg.err.Error()
		return nil
	}
	if len(msg.moves) == 0 {
		p.phase, p.err = editing, "no running VM on "+p.src
		return nil
	}
	var cmds []tea.Cmd
	mgr := p.ctx.Mgr
	for i, mv := range msg.moves {
		p.rows = append(p.rows, &row{vm: mv.VM, spec: mv.Spec})
		cmds = append(cmds, func() tea.Msg { return checkedMsg{p: p, i: i, checks: mgr.Preflight(mv.VM, mv.Spec)} })
	}
	return tea.Batch(cmds...)
}

// start queues every row that passed and starts as many as may run at once.
func (p *Page) start() tea.Cmd {
	n := 0
	for _, r := range p.rows {
		if r.state == rowReady {
			r.state = rowQueued
			n++
		}
	}
	if n == 0 {
		warned := slices.ContainsFunc(p.rows, func(r *row) bool { return r.checks.Worst() == libvirtx.CheckWarn })
		p.ctx.SetMsg("nothing passed the pre-flight"+widget.Choose(warned && !p.override, " (o goes ahead despite warnings)", ""), true)
		return nil
	}
	p.phase = running
	return p.next()
}

// next starts queued rows while fewer than the limit run.
func (p *Page) next() tea.Cmd {
	limit := widget.Choose(p.src != "", p.opts.Parallel, len(p.rows))
	runs := 0
	for _, r := range p.rows {
		if r.state == rowRunning {
			runs++
		}
	}
	var cmds []tea.Cmd
	for i, r := range p.rows {
		if runs >= limit {
			break
		}
		if r.state != rowQueued {
			continue
		}
		runs++
		r.state = rowRunning
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel, r.ch = cancel, make(chan tea.Msg, 1)
		mgr, ref, spec, ch := p.ctx.Mgr, r.vm, r.spec, r.ch
		go func() {
			res, err := mgr.Migrate(ctx, ref, spec, func(pr libvirtx.MigrateProgress) {
				select { // the newest is enough: never hold the migration up
				case ch <- progressMsg{p: p, i: i, prog: pr}:
				default:
				}
			})
			cancel()
			ch <- endedMsg{p: p, i: i, res: res, err: err}
		}()
		cmds = append(cmds, wait(r.ch))
	}
	return tea.Batch(cmds...)
}

func wait(ch <-chan tea.Msg) tea.Cmd { return func() tea.Msg { return <-ch } }

func (p *Page) ended(msg endedMsg) tea.Cmd {
	r := p.rows[msg.i]
	r.res = msg.res
	if msg.err != nil {
		r.state, r.err = rowFailed, msg.err.Error()
	} else {
		r.state = rowMoved
	}
	cmd := p.next()
	if !p.busy() {
		p.ctx.SetMsg(p.summary(), slices.ContainsFunc(p.rows, func(r *row) bool { return r.state == rowFailed }))
	}
	return cmd
}

// summary is the last word: moved, and what stayed with why.
func (p *Page) summary() string {
	var moved, stayed []string
	for _, r := range p.rows {
		switch r.state {
		case rowMoved:
			moved = append(moved, r.vm.Name)
		case rowFailed, rowBlocked:
			stayed = append(stayed, r.vm.Name)
		}
	}
	text := fmt.Sprintf("moved %d of %d", len(moved), len(p.rows))
	if len(moved) > 0 {
		text += ": " + strings.Join(moved, ", ")
	}
	if len(stayed) > 0 {
		text += "; stayed: " + strings.Join(stayed, ", ") + " (why: on the page)"
	}
	for _, r := range p.rows {
		if r.state == rowMoved {
			if _, ok := p.ctx.Conns[r.res.Dest.URI]; !ok {
				text += "; :connect " + r.res.Dest.URI + " shows them there"
				break
			}
		}
	}
	return text
}

func init() { common.RegisterKeys("migrate", func() any { return newKeys() }) }
