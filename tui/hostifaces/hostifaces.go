// Package hostifaces is the host interfaces page (:iface): every network
// interface of every host with its type, state, MAC, MTU, addresses,
// bridge ports or bond slaves, and the virtual networks on it. It only
// reads: libvirt's udev backend, Debian's, cannot change interfaces.
package hostifaces

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"iface", "ifaces", "interfaces", "host-ifaces"},
		Usage: "iface",
		Desc:  "host network interfaces: state, MAC, MTU, addresses, bridge ports",
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			k := common.Bind(ctx, "hostifaces", newKeys())
			return []widget.Section{{Title: "Host interfaces (:iface)", Keys: []key.Binding{k.Reload, k.Back}}}
		},
	})
}

type keys struct{ Reload, Back key.Binding }

func newKeys() keys {
	return keys{
		Reload: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read the host's interfaces again")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Page lists the interfaces of every connection, by host then name.
type Page struct {
	ctx  *common.Context
	keys keys
	list *objpage.List[libvirtx.HostIface]
}

// Open lists the interfaces of every connected host.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 0 {
		return nil, nil, fmt.Errorf("usage: iface (it lists the network interfaces of every host)")
	}
	same := func(a, b libvirtx.HostIface) bool { return a.URI == b.URI && a.Name == b.Name }
	list, cmd := objpage.New(ctx, "interface", ctx.Mgr.HostIfaces, same)
	return &Page{ctx: ctx, keys: common.Bind(ctx, "hostifaces", newKeys()), list: list}, cmd, nil
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Host interfaces" }

// Update takes keys; the list takes the rest.
func (p *Page) Update(msg tea.Msg) tea.Cmd { return p.list.Route(msg, p.key) }

// key takes the page's own keys.
func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Back):
		return common.Pop
	case key.Matches(msg, p.keys.Reload):
		var cmds []tea.Cmd
		for _, uri := range p.ctx.Connected() {
			cmds = append(cmds, p.list.Reload(uri))
		}
		return tea.Batch(cmds...)
	}
	return nil
}

// View is the table with the selected interface described below it.
func (p *Page) View() string {
	type col = objpage.Column[libvirtx.HostIface]
	wide := p.ctx.Width >= 120
	cols := []col{{Title: "NAME", Width: 14, Text: func(i libvirtx.HostIface) string { return i.Name }}}
	if len(p.ctx.Conns) > 1 {
		cols = append(cols, col{Title: "HOST", Width: 10, Text: func(i libvirtx.HostIface) string { return p.ctx.Label(i.URI) }})
	}
	cols = append(cols,
		col{Title: "TYPE", Width: 8, Text: func(i libvirtx.HostIface) string { return i.Type }},
		col{Title: "STATE", Width: 7, Text: func(i libvirtx.HostIface) string { return i.State }},
		col{Title: "MAC", Width: 17, Text: func(i libvirtx.HostIface) string { return i.MAC }},
		col{Title: "MTU", Width: 5, Text: func(i libvirtx.HostIface) string { return widget.Choose(i.MTU > 0, fmt.Sprint(i.MTU), "-") }})
	if wide {
		cols = append(cols, col{Title: "ADDRESSES", Width: 36, Text: func(i libvirtx.HostIface) string { return strings.Join(i.Addrs, " ") }})
	}
	cols = append(cols, col{Title: "PORTS / MASTER", Text: ports})
	return p.list.View(objpage.Table[libvirtx.HostIface]{
		Columns: cols,
		Loading: "reading the interfaces…",
		Empty:   "the host lists no interface",
		Dim:     func(i libvirtx.HostIface) bool { return i.State == "down" },
		Footer:  p.footer,
	})
}

func ports(i libvirtx.HostIface) string {
	if i.Master != "" {
		return "in " + i.Master
	}
	return strings.Join(i.Members, " ")
}

func (p *Page) footer(i libvirtx.HostIface) []string {
	head := []string{p.ctx.Theme.Title.Render(i.Name) + " on " + p.ctx.Label(i.URI), i.Type, i.State}
	if i.SpeedMbps > 0 {
		head = append(head, fmt.Sprint(i.SpeedMbps, " Mb/s"))
	}
	if !i.Libvirt {
		head = append(head, "seen by the kernel, not libvirt's interface driver")
	}
	out := []string{strings.Join(head, " · "), "no address", "", "no virtual network on it"}
	if len(i.Addrs) > 0 {
		out[1] = "addresses: " + strings.Join(i.Addrs, ", ")
	}
	switch {
	case len(i.Members) > 0:
		out[2] = "ports: " + strings.Join(i.Members, ", ")
	case i.Master != "":
		out[2] = "a port of " + i.Master
	}
	if len(i.UsedBy) > 0 {
		out[3] = "networks on it: " + strings.Join(i.UsedBy, ", ")
	}
	return out
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	return p.list.Hints(widget.Hint{Key: p.keys.Reload, Word: "reload"})
}

func init() { common.RegisterKeys("hostifaces", func() any { return newKeys() }) }
