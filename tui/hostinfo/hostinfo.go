// Package hostinfo is the host page (:host): what a host can give its
// guests — versions, whether KVM is usable, CPU and topology, memory,
// NUMA cells, huge page pools (h sets one), KSM, IOMMU, the architectures
// and machine types QEMU offers, usable CPU models, storage pool types and
// firmware. tab goes to the next host; p opens the host's charts.
package hostinfo

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"host", "hosts"},
		Usage: "host [URI]",
		Desc:  "what a host has: KVM, CPU, NUMA, memory, huge pages, KSM, machine types",
		Args:  func(ctx *common.Context) []string { return ctx.Connected() },
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Host (:host)", Keys: common.Bind(ctx, "host", newKeys()).help(ctx.ReadOnly())}}
		},
	})
}

type keys struct {
	widget.ListKeys
	Next, Reload, Huge, Perf, Back key.Binding
}

func newKeys() keys {
	return keys{
		ListKeys: widget.NewListKeys(),
		Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "the next host")),
		Reload:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read the host again")),
		Huge:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "set a huge page pool (asks first)")),
		Perf:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "the host's CPU and memory charts")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	out := []key.Binding{k.Next, k.Reload, k.Perf, k.Back}
	if !readOnly {
		out = append(out, k.Huge)
	}
	return out
}

// Page shows one host's details.
type Page struct {
	ctx    *common.Context
	keys   keys
	uri    string
	host   *libvirtx.HostDetails
	err    string
	offset int
}

type loadedMsg struct {
	uri  string
	host libvirtx.HostDetails
	err  error
}

// hugeDone is the outcome of setting a huge page pool.
type hugeDone struct {
	uri, text string
	err       error
}

// Open shows the named host, else the selected VM's, else the first.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	conns := ctx.Connected()
	var uri string
	switch {
	case len(args) > 1:
		return nil, nil, fmt.Errorf("usage: host [URI]")
	case len(args) == 1:
		for _, c := range conns {
			if c == args[0] || ctx.Label(c) == args[0] {
				uri = c
			}
		}
		if uri == "" {
			return nil, nil, fmt.Errorf("host: not connected to %q (connected: %s)", args[0], strings.Join(conns, ", "))
		}
	case len(conns) == 0:
		return nil, nil, fmt.Errorf("host: no host is connected")
	default:
		uri = conns[0]
		if d, ok := ctx.Selected(); ok {
			uri = d.URI
		}
	}
	p := &Page{ctx: ctx, keys: common.Bind(ctx, "host", newKeys()), uri: uri}
	return p, p.load(), nil
}

func (p *Page) load() tea.Cmd {
	mgr, uri := p.ctx.Mgr, p.uri
	return func() tea.Msg {
		h, err := mgr.HostDetails(uri)
		return loadedMsg{uri: uri, host: h, err: err}
	}
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Host " + p.ctx.Label(p.uri) }

// Update takes keys, the host's details and the pool's outcome.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.uri == p.uri {
			p.host, p.err = &msg.host, ""
			if msg.err != nil {
				p.err = msg.err.Error()
			}
		}
	case hugeDone:
		p.ctx.SetMsg(msg.text, msg.err != nil)
		if msg.uri == p.uri {
			return p.load()
		}
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case key.Matches(msg, k.Down):
		p.offset++
	case key.Matches(msg, k.Up):
		p.offset = max(p.offset-1, 0)
	case key.Matches(msg, k.Top):
		p.offset = 0
	case key.Matches(msg, k.Bottom):
		p.offset = 1 << 20 // View clamps it
	case key.Matches(msg, k.Reload):
		return p.load()
	case key.Matches(msg, k.Next):
		conns := p.ctx.Connected()
		for i, c := range conns {
			if c == p.uri {
				p.uri = conns[(i+1)%len(conns)]
				break
			}
		}
		p.host, p.offset = nil, 0
		return p.load()
	case key.Matches(msg, k.Perf):
		return common.Open("perf", "host", p.uri)
	case key.Matches(msg, k.Huge):
		return p.hugeForm()
	}
	return nil
}

// View is the host's details, scrolled.
func (p *Page) View() string {
	th, h := p.ctx.Theme, p.ctx.BodyHeight()
	var lines []string
	switch {
	case p.err != "":
		lines = []string{th.Error.Render(p.ctx.Label(p.uri) + ": " + p.err)}
	case p.host == nil:
		lines = []string{th.Dim.Render("reading " + p.ctx.Label(p.uri) + "…")}
	default:
		hint := "  (h sets a pool)"
		if p.ctx.ReadOnly() {
			hint = ""
		}
		lines = Lines(*p.host, th, p.ctx.Width, hint)
	}
	p.offset = min(p.offset, max(len(lines)-h, 0))
	lines = lines[p.offset:]
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:h], "\n")
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	k := p.keys
	hs := []widget.Hint{{Key: k.Next, Word: "next host"}, {Key: k.Reload, Word: "reload"}, {Key: k.Perf, Word: "charts"}}
	if !p.ctx.ReadOnly() {
		hs = append(hs, widget.Hint{Key: k.Huge, Word: "huge pages"})
	}
	return widget.WordHints(p.ctx.Theme, p.ctx.Width, append(hs, widget.Hint{Key: k.Back, Word: "back"},
		widget.Hint{Key: p.ctx.Keys.Help, Word: "help"})...)
}

func init() { common.RegisterKeys("host", func() any { return newKeys() }) }
