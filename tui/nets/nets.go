// Package nets is the virtual network page (:net): every network of every
// connection with its forward mode, bridge, subnets, DHCP, leases and the
// VMs on it, kept current by libvirt's network events. s/S start and stop
// a network, A toggles autostart, D deletes it, n defines a new one, e
// edits its XML, and enter opens its DHCP hosts, ranges, DNS records and
// leases, edited live.
package nets

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/netdef"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
	"kvmtui/tui/rawedit"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"net", "nets", "network", "networks"},
		Usage: "net",
		Desc:  "virtual networks of every host: mode, subnets, DHCP, leases, VMs",
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{
				{Title: "Virtual networks (:net)", Keys: common.Bind(ctx, "nets", newKeys()).help(ctx.ReadOnly())},
				{Title: "A network's DHCP and DNS (enter)", Keys: common.Bind(ctx, "net-entries", newEntryKeys()).help(ctx.ReadOnly())},
			}
		},
	})
}

type keys struct {
	Open, New, Start, Stop, Restart, Autostart, Delete, Edit, Back key.Binding
}

func newKeys() keys {
	return keys{
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "DHCP hosts, ranges, DNS records, leases")),
		New:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new network")),
		Start:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "start the network")),
		Stop:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "stop the network (asks first)")),
		Restart:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restart it: its definition applies (asks)")),
		Autostart: key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "autostart on / off")),
		Delete:    key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete the network (asks first)")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit its XML in $EDITOR")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

func (k keys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Open, k.Back}
	}
	return []key.Binding{k.Open, k.New, k.Start, k.Stop, k.Restart, k.Autostart, k.Delete, k.Edit, k.Back}
}

// Page lists the networks of every connection, by host then name.
type Page struct {
	ctx  *common.Context
	keys keys
	list *objpage.List[libvirtx.Network]
}

func sameNet(a, b libvirtx.Network) bool { return a.URI == b.URI && a.Name == b.Name }

// Open lists the networks of every connected host.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 0 {
		return nil, nil, fmt.Errorf("usage: net (it lists the networks of every host)")
	}
	list, cmd := objpage.New(ctx, "network", ctx.Mgr.Networks, sameNet)
	return &Page{ctx: ctx, keys: common.Bind(ctx, "nets", newKeys()), list: list}, cmd, nil
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Networks" }

// Update takes keys; the list takes listings and events.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case restartOffer:
		p.askRestart(msg.net)
		return nil
	case common.DefinedMsg:
		cmd, _ := p.list.Update(msg)
		if msg.Kind == libvirtx.ObjNetwork {
			cmd = tea.Batch(cmd, p.offerRestart(msg))
		}
		return cmd
	}
	return p.list.Route(msg, p.key)
}

// Capturing: a question takes every key.
func (p *Page) Capturing() bool { return p.list.Capturing() }

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	s := p.list.Selected()
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case key.Matches(msg, k.Open) && s != nil:
		return push(newEntries(p.ctx, *s))
	case key.Matches(msg, k.New, k.Start, k.Stop, k.Restart, k.Autostart, k.Delete, k.Edit) && p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.New):
		return p.newNetwork(s)
	case key.Matches(msg, k.Start, k.Stop, k.Restart, k.Autostart, k.Delete, k.Edit) && s == nil:
		p.ctx.SetMsg("no network selected", true)
	case key.Matches(msg, k.Start, k.Stop, k.Restart, k.Autostart, k.Delete, k.Edit):
		return p.netKey(msg, *s)
	}
	return nil
}

func push(pg common.Page, cmd tea.Cmd) tea.Cmd {
	return func() tea.Msg { return common.PushMsg{Page: pg, Cmd: cmd} }
}

// act runs a network action; text says what was done.
func (p *Page) act(n libvirtx.Network, text string, a libvirtx.NetAction) tea.Cmd {
	mgr := p.ctx.Mgr
	return func() tea.Msg {
		if err := mgr.DoNet(n.URI, n.Name, a); err != nil {
			return objpage.Done{Kind: "network", URI: n.URI, Text: string(a) + " " + n.Name, Err: err}
		}
		return objpage.Done{Kind: "network", URI: n.URI, Text: text}
	}
}

// netKey starts, stops, toggles autostart, deletes or edits the selected
// network, asking before what cuts guests off.
func (p *Page) netKey(msg tea.KeyMsg, n libvirtx.Network) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Start):
		if n.Active {
			p.ctx.SetMsg(n.Name+" is already active", false)
			return nil
		}
		p.ctx.SetMsg("starting "+n.Name+"…", false)
		return p.act(n, "started "+n.Name, libvirtx.NetStart)
	case key.Matches(msg, k.Stop):
		if !n.Active {
			p.ctx.SetMsg(n.Name+" is not active", false)
			return nil
		}
		prompt := "Stop network " + n.Name + "?" + p.onIt(n, true, cutOff)
		if !n.Persistent {
			prompt += "\nIt is transient: stopped, it is gone."
		}
		p.list.Ask = &objpage.Question{Prompt: prompt,
			Answers: []objpage.Answer{{Key: "y", Text: "stop it", Run: p.act(n, "stopped "+n.Name, libvirtx.NetStop)}}}
	case key.Matches(msg, k.Restart):
		if !n.Active {
			p.ctx.SetMsg(n.Name+" is not active: s starts it", false)
			return nil
		}
		p.askRestart(n)
	case key.Matches(msg, k.Autostart):
		if !n.Persistent {
			p.ctx.SetMsg(n.Name+" is transient: only a defined network can start with the host", true)
			return nil
		}
		if n.Autostart {
			return p.act(n, n.Name+" no longer starts with the host", libvirtx.NetAutostartOff)
		}
		return p.act(n, n.Name+" starts with the host", libvirtx.NetAutostartOn)
	case key.Matches(msg, k.Delete):
		prompt := "Delete network " + n.Name + " from libvirt?" + p.onIt(n, false, "they will not start until their NICs use another network")
		if n.Active {
			prompt += "\nIt is stopped first."
		}
		p.list.Ask = &objpage.Question{Prompt: prompt,
			Answers: []objpage.Answer{{Key: "y", Text: "delete it", Run: p.act(n, "deleted network "+n.Name, libvirtx.NetUndefine)}}}
	case key.Matches(msg, k.Edit):
		pg, cmd, err := rawedit.Open(p.ctx, n.URI, libvirtx.ObjNetwork, n.Name, n.Name)
		if err != nil {
			p.ctx.SetMsg(err.Error(), true)
			return nil
		}
		return push(pg, cmd)
	}
	return nil
}

// cutOff is what stopping a network does to the running VMs on it:
// libvirt does not plug their NICs back when it starts again.
const cutOff = "they lose their link, and get it back only when each VM restarts"

// askRestart asks before restarting a network, saying why it would.
func (p *Page) askRestart(n libvirtx.Network) {
	prompt := "Restart network " + n.Name + "?"
	if n.Pending {
		prompt = "Network " + n.Name + " runs with settings older than its definition.\nRestart it to apply them?"
	}
	prompt += p.onIt(n, true, cutOff)
	p.list.Ask = &objpage.Question{Prompt: prompt,
		Answers: []objpage.Answer{{Key: "y", Text: "restart it", Run: p.act(n, "restarted "+n.Name, libvirtx.NetRestart)}}}
}

// restartOffer is a network read again after its XML was edited.
type restartOffer struct{ net libvirtx.Network }

// offerRestart reads a network whose XML was just edited: running, it
// keeps its old settings until restarted, so the page offers that.
func (p *Page) offerRestart(msg common.DefinedMsg) tea.Cmd {
	mgr := p.ctx.Mgr
	return func() tea.Msg {
		n, err := mgr.Network(msg.URI, msg.ID)
		if err != nil || !n.Pending {
			return nil
		}
		return restartOffer{n}
	}
}

// onIt names the VMs whose NICs use the network (the running ones only,
// when running), with what happens to them.
func (p *Page) onIt(n libvirtx.Network, running bool, consequence string) string {
	names := p.vmsOn(n, running)
	if len(names) == 0 {
		return ""
	}
	vms := widget.Plural(len(names), "1 VM is", fmt.Sprint(len(names), " VMs are"))
	if running {
		vms = widget.Plural(len(names), "1 running VM is", fmt.Sprint(len(names), " running VMs are"))
	}
	return fmt.Sprintf("\n%s on it: %s;\n%s.", vms, strings.Join(names, ", "), consequence)
}

// vmsOn lists the VMs of the network's host whose NICs use it.
func (p *Page) vmsOn(n libvirtx.Network, runningOnly bool) []string {
	var out []string
	for _, d := range p.ctx.VMs(n.URI) {
		if (!runningOnly || d.State.Active()) && slices.Contains(d.Networks, n.Name) {
			out = append(out, d.Name)
		}
	}
	return out
}

// newNetwork opens the new-network form for the selected network's host
// (the only host when none is selected), after reading what its checks
// need.
func (p *Page) newNetwork(s *libvirtx.Network) tea.Cmd {
	uri := ""
	switch conns := p.ctx.Connected(); {
	case s != nil:
		uri = s.URI
	case len(conns) == 1:
		uri = conns[0]
	default:
		p.ctx.SetMsg("select a network on the host you mean", true)
		return nil
	}
	mgr, ctx := p.ctx.Mgr, p.ctx
	return func() tea.Msg {
		h, err := mgr.NetHost(uri)
		if err != nil {
			return common.StatusMsg{Text: "reading the host's networks: " + err.Error(), Err: true}
		}
		return common.PushMsg{Page: newNetworkForm(ctx, uri, h)}
	}
}

// newNetworkForm is the new-network form: ctrl+s checks the spec against
// the host again (another network may have come since), defines it and
// starts it as asked.
func newNetworkForm(ctx *common.Context, uri string, h netdef.Host) common.Page {
	spec := netdef.NewSpec(h)
	suggest := map[string][]string{"dev": h.Ifaces, "devs": h.Ifaces, "hostbridge": h.Bridges}
	f := form.New(spec, suggest)
	note := "New network on " + ctx.Label(uri) + ": ctrl+s defines it (and starts it if set below)."
	return formpage.New(ctx, "New network", note, f, func() tea.Cmd {
		return func() tea.Msg {
			if err := ctx.Mgr.DefineNetwork(uri, spec); err != nil {
				return formpage.Saved{Err: err}
			}
			done := objpage.Done{Kind: "network", URI: uri, Text: "defined network " + spec.Name}
			return formpage.Saved{Text: done.Text, Then: func() tea.Msg { return done }}
		}
	})
}

func init() { common.RegisterKeys("nets", func() any { return newKeys() }) }
