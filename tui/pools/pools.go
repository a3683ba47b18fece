// Package pools is the storage pool page (:pool): every pool of every
// connection with its type, state, autostart, how full it is and where its
// storage lives, kept current by libvirt's pool events; r rescans a pool,
// s/S start and stop it, A toggles autostart, D removes it (and, asked,
// erases its storage).
package pools

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/pooldef"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"pool", "pools"},
		Usage: "pool",
		Desc:  "storage pools of every host: type, state, space, volumes",
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Storage pools (:pool)", Keys: common.Bind(ctx, "pools", newKeys()).help(ctx.ReadOnly())},
				{Title: "A pool's volumes (enter, :vol POOL)", Keys: common.Bind(ctx, "volumes", newVolKeys()).help(ctx.ReadOnly())}}
		},
	})
	common.Register(common.Entry{
		Words: []string{"vol", "vols", "volumes"},
		Usage: "vol POOL",
		Desc:  "a storage pool's volumes: create, resize, clone, wipe, delete",
		Args:  (*common.Context).PoolNames,
		Open:  openVolumes,
	})
}

type keys struct {
	Open, New, Refresh, Back, Start, Stop, Autostart, Delete key.Binding
}

func newKeys() keys {
	return keys{
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "the pool's volumes")),
		New:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new pool: dir, fs, netfs, logical, iscsi …")),
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
		return []key.Binding{k.Open, k.Back}
	}
	return []key.Binding{k.Open, k.New, k.Refresh, k.Start, k.Stop, k.Autostart, k.Delete, k.Back}
}

// Page lists the pools of every connection, by host then name.
type Page struct {
	ctx  *common.Context
	keys keys
	list *objpage.List[libvirtx.Pool]
}

// Open lists the pools of every connected host.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 0 {
		return nil, nil, fmt.Errorf("usage: pool (it lists the pools of every host)")
	}
	list, cmd := objpage.New(ctx, "pool", ctx.Mgr.Pools, func(a, b libvirtx.Pool) bool { return a.URI == b.URI && a.Name == b.Name })
	return &Page{ctx: ctx, keys: common.Bind(ctx, "pools", newKeys()), list: list}, cmd, nil
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Storage pools" }

// Update takes keys; the list takes listings and events.
func (p *Page) Update(msg tea.Msg) tea.Cmd { return p.list.Route(msg, p.key) }

// Capturing: a question takes every key.
func (p *Page) Capturing() bool { return p.list.Capturing() }

// act runs pool actions in order, stopping at the first failure; text
// says what was done.
func (p *Page) act(r libvirtx.Pool, text string, as ...libvirtx.PoolAction) tea.Cmd {
	mgr := p.ctx.Mgr
	return func() tea.Msg {
		for _, a := range as {
			if err := mgr.DoPool(r.URI, r.Name, a); err != nil {
				return objpage.Done{Kind: "pool", URI: r.URI, Text: string(a) + " " + r.Name, Err: err}
			}
		}
		return objpage.Done{Kind: "pool", URI: r.URI, Text: text}
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
		p.list.Ask = &objpage.Question{Prompt: "Stop pool " + r.Name + "? Its volumes stay, but VMs cannot use them until it is started again.",
			Answers: []objpage.Answer{{Key: "y", Text: "stop it", Run: p.act(r, "stopped "+r.Name, libvirtx.PoolStop)}}}
	case key.Matches(msg, k.Autostart):
		if r.Autostart {
			return p.act(r, r.Name+" no longer starts with the host", libvirtx.PoolAutostartOff)
		}
		return p.act(r, r.Name+" starts with the host", libvirtx.PoolAutostartOn)
	case key.Matches(msg, k.Delete):
		p.list.Ask = p.deleteQuestion(r)
	}
	return nil
}

// deleteQuestion offers to remove the pool from libvirt (its storage
// stays) or to erase its storage too, naming what that destroys.
func (p *Page) deleteQuestion(r libvirtx.Pool) *objpage.Question {
	q := &objpage.Question{Prompt: "Remove pool " + r.Name + " from libvirt?"}
	remove := []libvirtx.PoolAction{libvirtx.PoolUndefine}
	erase := []libvirtx.PoolAction{libvirtx.PoolErase, libvirtx.PoolUndefine}
	if !r.Persistent {
		q.Prompt = "Stop transient pool " + r.Name + "? It is gone from libvirt once stopped."
		remove = []libvirtx.PoolAction{libvirtx.PoolStop}
		erase = nil
	}
	q.Answers = append(q.Answers, objpage.Answer{Key: "y", Text: "remove it; its storage stays", Run: p.act(r, "removed pool "+r.Name, remove...)})
	if erase != nil {
		what := where(r)
		if r.Volumes > 0 {
			what = fmt.Sprintf("%s with its %d %s", what, r.Volumes, widget.Plural(r.Volumes, "volume", "volumes"))
		}
		q.Answers = append(q.Answers, objpage.Answer{Key: "e", Text: "remove it and ERASE its storage:\n   " + what, Run: p.act(r, "erased and removed pool "+r.Name, erase...)})
	}
	return q
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	switch s := p.list.Selected(); {
	case key.Matches(msg, k.Back):
		return common.Pop
	case key.Matches(msg, k.New) && p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.New):
		return p.newPool(s)
	case key.Matches(msg, k.Open) && s != nil && !s.Active:
		p.ctx.SetMsg(s.Name+" is not active: s starts it", true)
	case key.Matches(msg, k.Open) && s != nil:
		pg, cmd := newVolPage(p.ctx, s.URI, s.Name)
		return func() tea.Msg { return common.PushMsg{Page: pg, Cmd: cmd} }
	case key.Matches(msg, k.Refresh, k.Start, k.Stop, k.Autostart, k.Delete):
		switch {
		case p.ctx.ReadOnly():
			p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
		case s == nil:
			p.ctx.SetMsg("no pool selected", true)
		default:
			return p.poolKey(msg, *s)
		}
	}
	return nil
}

// newPool opens the new-pool form for the selected pool's host (the only
// host when none is selected), after reading what its checks need.
func (p *Page) newPool(s *libvirtx.Pool) tea.Cmd {
	uri := ""
	switch conns := p.ctx.Connected(); {
	case s != nil:
		uri = s.URI
	case len(conns) == 1:
		uri = conns[0]
	default:
		p.ctx.SetMsg("select a pool on the host you mean", true)
		return nil
	}
	ctx := p.ctx
	return func() tea.Msg {
		h, err := ctx.Mgr.PoolHost(uri)
		if err != nil {
			return common.StatusMsg{Text: "reading the host's pools: " + err.Error(), Err: true}
		}
		spec := pooldef.New(h)
		vgs, _ := ctx.Mgr.PoolSources(uri, "logical", "", "") // suggestions: none is fine
		f := form.New(spec, map[string][]string{"source": vgs})
		note := "New pool on " + ctx.Label(uri) + ": ctrl+s defines it (built and started as set below)."
		page := formpage.New(ctx, "New pool", note, f, func() tea.Cmd {
			return func() tea.Msg {
				if err := ctx.Mgr.DefinePool(uri, spec); err != nil {
					return formpage.Saved{Err: err}
				}
				done := objpage.Done{Kind: "pool", URI: uri, Text: "defined pool " + spec.Name}
				return formpage.Saved{Text: done.Text, Then: func() tea.Msg { return done }}
			}
		})
		page.OnLeave = func(field string) tea.Cmd { return discover(ctx, uri, spec, field) }
		return common.PushMsg{Page: page}
	}
}

func init() { common.RegisterKeys("pools", func() any { return newKeys() }) }

// discover asks libvirt, once the server's host is typed, what it offers:
// an NFS server's exports, an iSCSI portal's targets.
func discover(ctx *common.Context, uri string, spec *pooldef.Spec, field string) tea.Cmd {
	into := map[string]string{"netfs": "sourcedir", "iscsi": "source", "iscsi-direct": "source"}[spec.Type]
	host, initiator := spec.Host, spec.Initiator
	// iscsi-direct logs in as its initiator: asked once both are typed
	if (field != "host" && field != "initiator") || into == "" || host == "" || spec.Type == "iscsi-direct" && initiator == "" {
		return nil
	}
	poolType := spec.Type
	ctx.SetMsg("asking "+host+" what it offers…", false)
	return func() tea.Msg {
		found, err := ctx.Mgr.PoolSources(uri, poolType, host, initiator)
		switch {
		case err != nil:
			return formpage.Suggest{Field: into, Text: host + ": nothing found (" + err.Error() + "); type it", Err: true}
		case len(found) == 0:
			return formpage.Suggest{Field: into, Text: host + " offers nothing to " + uri + "; type it"}
		}
		return formpage.Suggest{Field: into, Values: found, Text: fmt.Sprintf("%s offers %d (tab completes them): %s", host, len(found), strings.Join(found[:min(len(found), 4)], ", "))}
	}
}
