package nets

import (
	"fmt"
	"strings"

	"kvmtui/libvirtx"
	"kvmtui/netdef"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

type column = objpage.Column[libvirtx.Network]

func (p *Page) columns() []column {
	w := p.ctx.Width
	cols := []column{{Title: "NAME", Width: 14, Text: func(n libvirtx.Network) string { return n.Name }}}
	if len(p.ctx.Conns) > 1 {
		cols = append(cols, column{Title: "HOST", Width: 10, Text: func(n libvirtx.Network) string { return p.ctx.Label(n.URI) }})
	}
	cols = append(cols,
		column{Title: "STATE", Width: 8, Text: state},
		column{Title: "AUTO", Width: 4, Text: func(n libvirtx.Network) string { return objpage.YesNo(n.Autostart) }},
		column{Title: "MODE", Width: widget.Choose(w >= 120, 16, 10), Text: func(n libvirtx.Network) string { return n.ModeText() }})
	if w >= 100 {
		cols = append(cols, column{Title: "BRIDGE", Width: 10, Text: func(n libvirtx.Network) string { return n.Bridge }})
	}
	return append(cols,
		column{Title: "SUBNETS", Width: widget.Choose(w >= 120, 36, 18), Text: func(n libvirtx.Network) string { return strings.Join(n.Subnets(), " ") }},
		column{Title: "LEASE", Width: 5, Text: leases},
		column{Title: "VMS", Text: func(n libvirtx.Network) string { return strings.Join(p.vmsOn(n, false), " ") }},
	)
}

func state(n libvirtx.Network) string {
	s := "inactive"
	switch {
	case n.Pending:
		s = "changed" // R restarts it
	case n.Active:
		s = "active"
	}
	if !n.Persistent {
		s += "*" // transient: gone when stopped
	}
	return s
}

func leases(n libvirtx.Network) string {
	if n.Leases < 0 {
		return "-"
	}
	return fmt.Sprint(n.Leases)
}

// View is the table with the selected network described below it.
func (p *Page) View() string {
	return p.list.View(objpage.Table[libvirtx.Network]{
		Columns: p.columns(),
		Loading: "reading the networks…",
		Empty:   "no virtual network defined: n makes one",
		Dim:     func(n libvirtx.Network) bool { return !n.Active },
		Footer:  p.footer,
	})
}

// footer describes the selected network: four lines, whatever it has.
func (p *Page) footer(n libvirtx.Network) []string {
	t := p.ctx.Theme
	head := []string{t.Title.Render(n.Name) + " on " + p.ctx.Label(n.URI), n.ModeText()}
	if n.Bridge != "" {
		head = append(head, "bridge "+n.Bridge)
	}
	if !n.Persistent {
		head = append(head, "transient (gone when stopped)")
	}
	head = append(head, "autostart "+objpage.YesNo(n.Autostart))
	if n.MTU != 0 {
		head = append(head, fmt.Sprint("MTU ", n.MTU))
	}
	if n.Domain != "" {
		head = append(head, "domain "+n.Domain)
	}
	out := []string{strings.Join(head, " · "), "", "", ""}
	for i, ip := range n.IPs[:min(len(n.IPs), 2)] {
		out[1+i] = ipLine(ip)
	}
	if len(n.IPs) == 0 {
		out[1] = "no IP of its own: guests attach to the host's network"
		if len(n.Devs) > 0 {
			out[1] += " through " + strings.Join(n.Devs, ", ")
		}
	}
	vms := p.vmsOn(n, false)
	out[3] = "no VM's NIC uses it"
	if n.Pending {
		out[2] = "runs with settings older than its definition: R restarts it to apply them"
	}
	if len(vms) > 0 {
		out[3] = fmt.Sprintf("%s on it: %s", widget.Plural(len(vms), "1 VM", fmt.Sprint(len(vms), " VMs")), strings.Join(vms, ", "))
	}
	return out
}

// ipLine is one subnet with its DHCP.
func ipLine(ip netdef.IP) string {
	s := "IPv4 " + ip.Prefix.String()
	if ip.Prefix.Addr().Is6() {
		s = "IPv6 " + ip.Prefix.String()
	}
	if len(ip.Ranges) == 0 && len(ip.Hosts) == 0 {
		return s + " · no DHCP"
	}
	var rs []string
	for _, r := range ip.Ranges {
		rs = append(rs, r.String())
	}
	s += " · DHCP " + strings.Join(rs, ", ")
	if n := len(ip.Hosts); n > 0 {
		s += " · " + widget.Plural(n, "1 static host", fmt.Sprint(n, " static hosts"))
	}
	return s
}

// Hints is the bottom line: a word per key; the help has the rest.
func (p *Page) Hints() string {
	k := p.keys
	return p.list.Hints(widget.Hint{Key: k.Open, Word: "DHCP/DNS"}, widget.Hint{Key: k.New, Word: "new"},
		widget.Hint{Key: k.Start, Word: "start"}, widget.Hint{Key: k.Stop, Word: "stop"}, widget.Hint{Key: k.Restart, Word: "restart"},
		widget.Hint{Key: k.Autostart, Word: "autostart"}, widget.Hint{Key: k.Delete, Word: "delete"}, widget.Hint{Key: k.Edit, Word: "XML"})
}
