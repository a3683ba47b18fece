// Package pools is the storage pool page (:pool): every pool of every
// connection with its type, state, autostart, how full it is and where its
// storage lives, kept current by libvirt's pool events; r rescans a pool,
// s/S start and stop it, A toggles autostart, D removes it (and, asked,
// erases its storage).
package pools

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"pool", "pools"},
		Usage: "pool",
		Desc:  "storage pools of every host: type, state, space, volumes",
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Storage pools (:pool)", Keys: newKeys().help(ctx.ReadOnly())}}
		},
	})
}

type keys struct {
	widget.ListKeys
	Refresh, Back, Start, Stop, Autostart, Delete key.Binding
}

func newKeys() keys {
	return keys{
		ListKeys:  widget.NewListKeys(),
		Refresh:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rescan the pool's volumes")),
		Start:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "start the pool")),
		Stop:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "stop the pool (asks first)")),
		Autostart: key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "autostart on / off")),
		Delete:    key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "remove, or erase its storage (asks)")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Refresh, k.Start, k.Stop, k.Autostart, k.Delete, k.Back}
}

// Page lists the pools of every connection, by host then name.
type Page struct {
	ctx     *common.Context
	keys    keys
	byURI   map[string][]libvirtx.Pool
	errs    map[string]string // a connection whose listing failed, and why
	loading map[string]bool
	rows    []libvirtx.Pool // byURI flattened in URI order
	cursor  int
	offset  int
	ask     *question // a question over the list
}

// question asks before something that cannot be undone; each answer key
// has its command (esc or n: none).
type question struct {
	prompt  string
	answers []answer
}

type answer struct {
	key, text string
	run       tea.Cmd
}

type loadedMsg struct {
	uri   string
	pools []libvirtx.Pool
	err   error
}

// doneMsg is the outcome of a pool action.
type doneMsg struct {
	uri, text string
	err       error
}

func load(mgr *libvirtx.Manager, uri string) tea.Cmd {
	return func() tea.Msg {
		ps, err := mgr.Pools(uri)
		return loadedMsg{uri: uri, pools: ps, err: err}
	}
}

// Open lists the pools of every connected host.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 0 {
		return nil, nil, fmt.Errorf("usage: pool (it lists the pools of every host)")
	}
	p := &Page{ctx: ctx, keys: newKeys(), byURI: map[string][]libvirtx.Pool{},
		errs: map[string]string{}, loading: map[string]bool{}}
	var cmds []tea.Cmd
	for _, uri := range ctx.Connected() {
		p.loading[uri] = true
		cmds = append(cmds, load(ctx.Mgr, uri))
	}
	return p, tea.Batch(cmds...), nil
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Storage pools" }

// Update takes keys, listings and the events that change a listing.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return p.key(msg)
	case loadedMsg:
		delete(p.loading, msg.uri)
		if msg.err != nil {
			p.errs[msg.uri] = msg.err.Error()
		} else {
			delete(p.errs, msg.uri)
			p.byURI[msg.uri] = msg.pools
		}
		p.rebuild()
	case doneMsg:
		if msg.err != nil {
			p.ctx.SetMsg(msg.text+": "+msg.err.Error(), true)
		} else {
			p.ctx.SetMsg(msg.text, false)
		}
		p.loading[msg.uri] = true
		return load(p.ctx.Mgr, msg.uri) // the test driver sends no pool events
	case common.EventsMsg:
		return p.events(msg)
	}
	return nil
}

// Capturing: a question takes every key.
func (p *Page) Capturing() bool { return p.ask != nil }

// act runs pool actions in order, stopping at the first failure; text
// says what was done.
func (p *Page) act(r libvirtx.Pool, text string, as ...libvirtx.PoolAction) tea.Cmd {
	mgr := p.ctx.Mgr
	return func() tea.Msg {
		for _, a := range as {
			if err := mgr.DoPool(r.URI, r.Name, a); err != nil {
				return doneMsg{uri: r.URI, text: string(a) + " " + r.Name, err: err}
			}
		}
		return doneMsg{uri: r.URI, text: text}
	}
}

// poolKey rescans, starts, stops, toggles autostart or removes the
// selected pool.
func (p *Page) poolKey(msg tea.KeyMsg, r libvirtx.Pool) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Refresh):
		p.ctx.SetMsg("rescanning "+r.Name+"…", false)
		return p.act(r, "rescanned "+r.Name, libvirtx.PoolRefresh)
	case key.Matches(msg, k.Start):
		if r.Active {
			p.ctx.SetMsg(r.Name+" is already active", false)
			return nil
		}
		return p.act(r, "started "+r.Name, libvirtx.PoolStart)
	case key.Matches(msg, k.Stop):
		if !r.Active {
			p.ctx.SetMsg(r.Name+" is not active", false)
			return nil
		}
		p.ask = &question{prompt: "Stop pool " + r.Name + "? Its volumes stay, but VMs cannot use them until it is started again.",
			answers: []answer{{"y", "stop it", p.act(r, "stopped "+r.Name, libvirtx.PoolStop)}}}
	case key.Matches(msg, k.Autostart):
		if r.Autostart {
			return p.act(r, r.Name+" no longer starts with the host", libvirtx.PoolAutostartOff)
		}
		return p.act(r, r.Name+" starts with the host", libvirtx.PoolAutostartOn)
	case key.Matches(msg, k.Delete):
		p.ask = p.deleteQuestion(r)
	}
	return nil
}

// deleteQuestion offers to remove the pool from libvirt (its storage
// stays) or to erase its storage too, naming what that destroys.
func (p *Page) deleteQuestion(r libvirtx.Pool) *question {
	q := &question{prompt: "Remove pool " + r.Name + " from libvirt?"}
	remove := []libvirtx.PoolAction{libvirtx.PoolUndefine}
	erase := []libvirtx.PoolAction{libvirtx.PoolErase, libvirtx.PoolUndefine}
	if !r.Persistent {
		q.prompt = "Stop transient pool " + r.Name + "? It is gone from libvirt once stopped."
		remove = []libvirtx.PoolAction{libvirtx.PoolStop}
		erase = nil
	}
	q.answers = append(q.answers, answer{"y", "remove it; its storage stays", p.act(r, "removed pool "+r.Name, remove...)})
	if erase != nil {
		what := where(r)
		if r.Volumes > 0 {
			what = fmt.Sprintf("%s with its %d %s", what, r.Volumes, widget.Plural(r.Volumes, "volume", "volumes"))
		}
		q.answers = append(q.answers, answer{"e", "remove it and ERASE its storage:\n   " + what, p.act(r, "erased and removed pool "+r.Name, erase...)})
	}
	return q
}

// answerKey takes the answer to the open question.
func (p *Page) answerKey(msg tea.KeyMsg) tea.Cmd {
	for _, a := range p.ask.answers {
		if msg.String() == a.key {
			p.ask = nil
			return a.run
		}
	}
	if s := msg.String(); s == "n" || s == "esc" || s == "q" || s == "enter" {
		p.ask = nil
		p.ctx.SetMsg("cancelled", false)
	}
	return nil
}

// events reloads a host's pools when one of them started, stopped, was
// defined or went, and when the host (re)connects; a lost host's go.
func (p *Page) events(evs common.EventsMsg) tea.Cmd {
	reload := map[string]bool{}
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ObjectEvent:
			if e.Kind == "pool" {
				reload[e.URI] = true
			}
		case libvirtx.ConnEvent:
			switch e.Status {
			case libvirtx.Connected:
				reload[e.URI] = true
			case libvirtx.Disconnected, libvirtx.Closed:
				delete(p.byURI, e.URI)
				p.rebuild()
			}
		}
	}
	var cmds []tea.Cmd
	for uri := range reload {
		p.loading[uri] = true
		cmds = append(cmds, load(p.ctx.Mgr, uri))
	}
	return tea.Batch(cmds...)
}

// rebuild flattens the listings, keeping the cursor on the same pool.
func (p *Page) rebuild() {
	var keep libvirtx.Pool
	if s := p.selected(); s != nil {
		keep = *s
	}
	p.rows = p.rows[:0]
	for _, c := range p.ctx.SortedConns() {
		p.rows = append(p.rows, p.byURI[c.URI]...)
	}
	for i, r := range p.rows {
		if r.URI == keep.URI && r.Name == keep.Name {
			p.cursor = i
		}
	}
	p.cursor = min(max(p.cursor, 0), max(len(p.rows)-1, 0))
}

func (p *Page) selected() *libvirtx.Pool {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return nil
	}
	return &p.rows[p.cursor]
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	if p.ask != nil {
		return p.answerKey(msg)
	}
	k := p.keys
	if key.Matches(msg, k.Refresh, k.Start, k.Stop, k.Autostart, k.Delete) {
		s := p.selected()
		switch {
		case p.ctx.ReadOnly():
			p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
		case s == nil:
			p.ctx.SetMsg("no pool selected", true)
		default:
			return p.poolKey(msg, *s)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, max(len(p.rows)-1, 0))
	case key.Matches(msg, k.Top):
		p.cursor = 0
	case key.Matches(msg, k.Bottom):
		p.cursor = max(len(p.rows)-1, 0)
	}
	return nil
}
