// Package portfwd is the port forward page (:ports): every host port the
// VMs' passt NICs forward into their guests, on every host. enter opens
// the VM's NIC in its details, where the Port forwards field edits them;
// a host port two NICs would take is refused there before libvirt sees it.
package portfwd

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/details"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"ports", "port-forwards", "portfwd"},
		Usage: "ports",
		Desc:  "host ports the VMs' passt NICs forward into their guests",
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			k := common.Bind(ctx, "portfwd", newKeys())
			return []widget.Section{{Title: "Port forwards (:ports)", Keys: []key.Binding{k.Open, k.Back}}}
		},
	})
}

type keys struct{ Open, Back key.Binding }

func newKeys() keys {
	return keys{
		Open: key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter/e", "the VM's NIC, to edit its forwards")),
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Page lists the forwards of every connection, by host then VM.
type Page struct {
	ctx  *common.Context
	keys keys
	list *objpage.List[libvirtx.PortForward]
}

// Open lists the forwards of every connected host.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 0 {
		return nil, nil, fmt.Errorf("usage: ports (it lists the port forwards of every host's VMs)")
	}
	same := func(a, b libvirtx.PortForward) bool {
		return a.URI == b.URI && a.UUID == b.UUID && a.NIC == b.NIC && a.Proto == b.Proto && a.Start == b.Start
	}
	list, cmd := objpage.New(ctx, "domain", ctx.Mgr.PortForwards, same)
	return &Page{ctx: ctx, keys: common.Bind(ctx, "portfwd", newKeys()), list: list}, cmd, nil
}

// Title is the page's crumb.
func (p *Page) Title() string { return "Port forwards" }

// Update takes keys; the list takes the rest.
func (p *Page) Update(msg tea.Msg) tea.Cmd { return p.list.Route(msg, p.key) }

// key takes the page's own keys.
func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	switch s := p.list.Selected(); {
	case key.Matches(msg, p.keys.Back):
		return common.Pop
	case key.Matches(msg, p.keys.Open) && s != nil:
		for _, d := range p.ctx.VMs(s.URI) {
			if d.UUID == s.UUID {
				pg, cmd := details.NewAt(p.ctx, d, "nic", s.NIC)
				return func() tea.Msg { return common.PushMsg{Page: pg, Cmd: cmd} }
			}
		}
		p.ctx.SetMsg(s.VM+" is gone", true)
	}
	return nil
}

// View is the table with the selected forward described below it.
func (p *Page) View() string {
	type col = objpage.Column[libvirtx.PortForward]
	cols := []col{{Title: "VM", Width: 20, Text: func(f libvirtx.PortForward) string { return f.VM }}}
	if len(p.ctx.Conns) > 1 {
		cols = append(cols, col{Title: "HOST", Width: 10, Text: func(f libvirtx.PortForward) string { return p.ctx.Label(f.URI) }})
	}
	cols = append(cols,
		col{Title: "FORWARD", Width: 36, Text: func(f libvirtx.PortForward) string { return f.Forward.String() }},
		col{Title: "NIC", Width: 17, Text: func(f libvirtx.PortForward) string { return f.MAC }},
		col{Title: "RUNNING", Text: func(f libvirtx.PortForward) string { return objpage.YesNo(f.Running) }})
	return p.list.View(objpage.Table[libvirtx.PortForward]{
		Columns: cols,
		Loading: "reading the VMs' definitions…",
		Empty:   "no VM forwards a port: a user NIC with the passt backend can, where the host's libvirt offers passt",
		Dim:     func(f libvirtx.PortForward) bool { return !f.Running },
		Footer:  p.footer,
	})
}

func (p *Page) footer(f libvirtx.PortForward) []string {
	listen := "every host address"
	if f.Address != "" {
		listen = f.Address
	}
	if f.Dev != "" {
		listen += " on " + f.Dev
	}
	guest := "the same port"
	if f.To != 0 {
		guest = fmt.Sprint("port ", f.To)
	}
	line := fmt.Sprintf("%s port %d", f.Proto, f.Start)
	if f.End != 0 {
		line = fmt.Sprintf("%s ports %d-%d", f.Proto, f.Start, f.End)
	}
	out := []string{p.ctx.Theme.Title.Render(f.VM) + " on " + p.ctx.Label(f.URI) + " · NIC " + f.MAC,
		line + " on " + listen + " → " + guest + " in the guest"}
	if f.Exclude {
		out[1] = line + " left out of a wider range: nothing listens there"
	}
	out = append(out, "enter opens the NIC: its Port forwards field edits them (at the VM's next boot when running)")
	return out
}

// Hints is the bottom line.
func (p *Page) Hints() string {
	return p.list.Hints(widget.Hint{Key: p.keys.Open, Word: "edit in the NIC"})
}

func init() { common.RegisterKeys("portfwd", func() any { return newKeys() }) }
