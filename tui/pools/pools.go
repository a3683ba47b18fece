// Package pools is the storage pool page (:pool): every pool of every
// connection with its type, state, autostart, how full it is and where its
// storage lives, kept current by libvirt's pool events; r rescans a pool.
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
	Up, Down, Top, Bottom, Refresh, Back, Help key.Binding
}

func newKeys() keys {
	return keys{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:  key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rescan the pool's volumes")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Refresh, k.Back}
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
}

type loadedMsg struct {
	uri   string
	pools []libvirtx.Pool
	err   error
}

type refreshedMsg struct {
	uri, name string
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
	case refreshedMsg:
		if msg.err != nil {
			p.ctx.SetMsg("refresh "+msg.name+": "+msg.err.Error(), true)
			return nil
		}
		p.ctx.SetMsg("rescanned "+msg.name, false)
		return load(p.ctx.Mgr, msg.uri)
	case common.EventsMsg:
		return p.events(msg)
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
	var keep string
	if s := p.selected(); s != nil {
		keep = common.VMKey(s.URI, s.Name)
	}
	p.rows = p.rows[:0]
	for _, c := range p.ctx.SortedConns() {
		p.rows = append(p.rows, p.byURI[c.URI]...)
	}
	for i, r := range p.rows {
		if common.VMKey(r.URI, r.Name) == keep {
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
	k := p.keys
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
	case key.Matches(msg, k.Refresh):
		s := p.selected()
		switch {
		case p.ctx.ReadOnly():
			p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
		case s == nil:
			p.ctx.SetMsg("no pool selected", true)
		default:
			mgr, uri, name := p.ctx.Mgr, s.URI, s.Name
			p.ctx.SetMsg("rescanning "+name+"…", false)
			return func() tea.Msg { return refreshedMsg{uri: uri, name: name, err: mgr.RefreshPool(uri, name)} }
		}
	}
	return nil
}
