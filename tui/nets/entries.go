package nets

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/netdef"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/objpage"
	"kvmtui/tui/widget"
)

// The entries page: one network's DHCP ranges, static hosts, DNS records
// and leases in one table, a section per kind (an empty section keeps a
// row, so a adds to it). Edits go through virNetworkUpdate, to the running
// network and its definition at once.

type entryKind int

const (
	kindRange entryKind = iota
	kindHost
	kindDNS
	kindLease
)

var kindWords = [...]string{"range", "static", "dns", "lease"}

// entry is a row: one of the pointers is set, or none for the row that
// stands for an empty section.
type entry struct {
	kind  entryKind
	net   *libvirtx.Network // the network as read with this row
	rng   *netdef.Range
	host  *netdef.StaticHost
	dns   *netdef.DNSHost
	lease *libvirtx.Lease
	empty string // what the empty section's row says
}

type entryKeys struct {
	Add, Edit, Remove, Back key.Binding
}

func newEntryKeys() entryKeys {
	return entryKeys{
		Add:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add a range, static host or DNS record")),
		Edit:   key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter/e", "change it (a lease: make it static)")),
		Remove: key.NewBinding(key.WithKeys("D", "x"), key.WithHelp("D/x", "remove it (asks first)")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the networks")),
	}
}

func (k entryKeys) help(readOnly bool) []key.Binding {
	if readOnly {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Add, k.Edit, k.Remove, k.Back}
}

// entriesPage lists one network's entries.
type entriesPage struct {
	ctx       *common.Context
	keys      entryKeys
	uri, name string
	list      *objpage.List[entry]
}

func newEntries(ctx *common.Context, n libvirtx.Network) (*entriesPage, tea.Cmd) {
	p := &entriesPage{ctx: ctx, keys: common.Bind(ctx, "net-entries", newEntryKeys()), uri: n.URI, name: n.Name}
	mgr := ctx.Mgr
	load := func(uri string) ([]entry, error) {
		if uri != n.URI {
			return nil, nil
		}
		cur, err := mgr.Network(uri, n.Name)
		if err != nil {
			return nil, err
		}
		var leases []libvirtx.Lease
		if cur.Active && cur.Leases >= 0 {
			if leases, err = mgr.Leases(uri, n.Name); err != nil {
				return nil, err
			}
		}
		return entries(&cur, leases), nil
	}
	same := func(a, b entry) bool { return a.kind == b.kind && a.key() == b.key() }
	var cmd tea.Cmd
	p.list, cmd = objpage.New(ctx, "network", load, same) // other hosts load nothing
	return p, cmd
}

// entries are the rows of a network, section by section.
func entries(n *libvirtx.Network, leases []libvirtx.Lease) []entry {
	var rs, hs, ds, ls []entry
	for _, ip := range n.IPs {
		for _, r := range ip.Ranges {
			rs = append(rs, entry{kind: kindRange, net: n, rng: &r})
		}
		for _, h := range ip.Hosts {
			hs = append(hs, entry{kind: kindHost, net: n, host: &h})
		}
	}
	for _, d := range n.DNSHosts {
		ds = append(ds, entry{kind: kindDNS, net: n, dns: &d})
	}
	for _, l := range leases {
		ls = append(ls, entry{kind: kindLease, net: n, lease: &l})
	}
	noIP := len(n.IPs) == 0
	if len(rs) == 0 {
		rs = []entry{{kind: kindRange, net: n, empty: widget.Choose(noIP, "no subnet of its own: no DHCP", "no DHCP range: a adds one")}}
	}
	if len(hs) == 0 {
		hs = []entry{{kind: kindHost, net: n, empty: widget.Choose(noIP, "no subnet of its own", "no static host: a adds one, or enter on a lease")}}
	}
	if len(ds) == 0 {
		ds = []entry{{kind: kindDNS, net: n, empty: "no DNS record: a adds one"}}
	}
	if len(ls) == 0 {
		why := "no lease"
		switch {
		case !n.Active:
			why = "not active: no leases"
		case n.Leases < 0:
			why = "this driver cannot list leases"
		}
		ls = []entry{{kind: kindLease, net: n, empty: why}}
	}
	return append(append(append(rs, hs...), ds...), ls...)
}

// key tells rows apart across reloads.
func (e entry) key() string {
	switch {
	case e.rng != nil:
		return e.rng.String()
	case e.host != nil:
		return e.host.String()
	case e.dns != nil:
		return e.dns.IP.String()
	case e.lease != nil:
		return e.lease.MAC + e.lease.IP
	}
	return ""
}

// Title is the page's crumb.
func (p *entriesPage) Title() string { return p.name + " DHCP/DNS" }

// Capturing: a question takes every key.
func (p *entriesPage) Capturing() bool { return p.list.Capturing() }

// Update takes keys; the list takes the rest.
func (p *entriesPage) Update(msg tea.Msg) tea.Cmd { return p.list.Route(msg, p.key) }

func (p *entriesPage) key(msg tea.KeyMsg) tea.Cmd {
	k, s := p.keys, p.list.Selected()
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case s == nil:
		return nil
	case key.Matches(msg, k.Add, k.Edit, k.Remove) && p.ctx.ReadOnly():
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
	case key.Matches(msg, k.Add, k.Edit) && s.kind == kindLease && s.lease == nil:
		p.ctx.SetMsg("no lease to make static: "+s.empty, false)
	case key.Matches(msg, k.Add, k.Edit) && len(s.net.IPs) == 0 && s.kind != kindDNS:
		p.ctx.SetMsg(p.name+" has no subnet of its own: its guests get addresses from the host's network", true)
	case key.Matches(msg, k.Add):
		return push(p.entryForm(*s, true), nil)
	case key.Matches(msg, k.Edit):
		return push(p.entryForm(*s, s.empty != ""), nil)
	case key.Matches(msg, k.Remove):
		p.remove(*s)
	}
	return nil
}

// vmByMAC names the VM of the network's host with that NIC.
func (p *entriesPage) vmByMAC(mac string) string {
	for _, d := range p.ctx.VMs(p.uri) {
		for _, m := range d.MACs {
			if strings.EqualFold(m, mac) {
				return d.Name
			}
		}
	}
	return ""
}

// apply makes an edit and says what was done and where it took effect
// (Text, or Err with what was tried).
func (p *entriesPage) apply(e libvirtx.NetEdit, what string) objpage.Done {
	live, err := p.ctx.Mgr.EditNetwork(p.uri, p.name, e)
	switch {
	case err != nil:
		return objpage.Done{Kind: "network", URI: p.uri, Text: "not " + what, Err: err}
	case live:
		what += " (live and in its definition)"
	default:
		what += " (in its definition: the network is not running)"
	}
	return objpage.Done{Kind: "network", URI: p.uri, Text: what}
}

// edit is a form's save: a refusal stays on the form; otherwise the list
// below reads the network again.
func (p *entriesPage) edit(e libvirtx.NetEdit, what string) tea.Cmd {
	return func() tea.Msg {
		done := p.apply(e, what)
		if done.Err != nil {
			return formpage.Saved{Err: done.Err}
		}
		return formpage.Saved{Text: done.Text, Then: func() tea.Msg { return done }}
	}
}

// entryForm opens the form adding an entry of the row's kind (a lease
// row adds the static host that keeps its address) or changing the row.
func (p *entriesPage) entryForm(s entry, add bool) common.Page {
	n := s.net
	op := libvirtx.NetChange
	if add || s.kind == kindLease {
		op = libvirtx.NetAdd
	}
	title := map[libvirtx.NetOp]string{libvirtx.NetAdd: "Add to ", libvirtx.NetChange: "Change in "}[op] + n.Name
	switch s.kind {
	case kindRange:
		f := &netdef.RangeForm{}
		if !add {
			f.Start, f.End = s.rng.Start.String(), s.rng.End.String()
		}
		note := "A DHCP range of " + n.Name + " (" + strings.Join(n.Subnets(), ", ") + "). ctrl+s saves it."
		return formpage.New(p.ctx, title+": DHCP range", note, form.New(f, nil), func() tea.Cmd {
			r, err := f.Range()
			if err != nil {
				return saved(err)
			}
			e := libvirtx.NetEdit{Op: op, Range: &r, OldRange: s.rng}
			return p.edit(e, verb(op)+" DHCP range "+r.String()+" of "+n.Name)
		})
	case kindDNS:
		f := &netdef.DNSForm{}
		if !add {
			f.IP, f.Names = s.dns.IP.String(), strings.Join(s.dns.Names, " ")
		}
		note := "A name " + n.Name + "'s DNS server answers for its guests. ctrl+s saves it."
		return formpage.New(p.ctx, title+": DNS record", note, form.New(f, nil), func() tea.Cmd {
			d, err := f.DNS()
			if err != nil {
				return saved(err)
			}
			e := libvirtx.NetEdit{Op: op, DNS: &d, OldDNS: s.dns}
			return p.edit(e, verb(op)+" DNS record "+d.String()+" of "+n.Name)
		})
	}
	f := &netdef.HostForm{}
	var old *netdef.StaticHost
	switch {
	case s.kind == kindLease:
		f.MAC, f.Name, f.IP = s.lease.MAC, s.lease.Hostname, s.lease.IP
		if netip.MustParseAddr(s.lease.IP).Is6() {
			f.MAC = "" // DHCPv6 hosts are matched by name
		}
	case add:
		if a := n.FreeAddr(); a.IsValid() {
			f.IP = a.String()
		}
	default:
		old = s.host
		f.MAC, f.Name, f.IP = s.host.MAC, s.host.Name, s.host.IP.String()
	}
	note := "An address " + n.Name + "'s DHCP always gives this guest. ctrl+s saves it."
	suggest := map[string][]string{"mac": p.macsOn(n.Name)}
	return formpage.New(p.ctx, title+": static host", note, form.New(f, suggest), func() tea.Cmd {
		h, err := f.Host()
		if err != nil {
			return saved(err)
		}
		what := verb(op) + " static host " + h.String() + " of " + n.Name
		if l := p.leaseOf(n, h.MAC); l != nil && l.IP != h.IP.String() {
			what += "; the guest moves to it when its lease of " + l.IP + " renews"
		}
		return p.edit(libvirtx.NetEdit{Op: op, Host: &h, Old: old}, what)
	})
}

func saved(err error) tea.Cmd { return func() tea.Msg { return formpage.Saved{Err: err} } }

func verb(op libvirtx.NetOp) string {
	return map[libvirtx.NetOp]string{libvirtx.NetAdd: "added", libvirtx.NetChange: "changed", libvirtx.NetRemove: "removed"}[op]
}

// macsOn are the MACs of the VMs with a NIC on the network, for the
// static host form to offer.
func (p *entriesPage) macsOn(net string) []string {
	var out []string
	for _, d := range p.ctx.VMs(p.uri) {
		if slices.Contains(d.Networks, net) {
			out = append(out, d.MACs...)
		}
	}
	return out
}

// leaseOf is the current lease of a MAC, if the page has read one.
func (p *entriesPage) leaseOf(n *libvirtx.Network, mac string) *libvirtx.Lease {
	for _, r := range p.list.Rows() {
		if r.lease != nil && r.net == n && mac != "" && strings.EqualFold(r.lease.MAC, mac) {
			return r.lease
		}
	}
	return nil
}

// remove asks before removing the selected range, static host or record.
func (p *entriesPage) remove(s entry) {
	var e libvirtx.NetEdit
	var what, consequence string
	switch {
	case s.rng != nil:
		e = libvirtx.NetEdit{Op: libvirtx.NetRemove, OldRange: s.rng}
		what, consequence = "DHCP range "+s.rng.String(), "Guests holding a lease from it keep it until it expires."
	case s.host != nil:
		e = libvirtx.NetEdit{Op: libvirtx.NetRemove, Old: s.host}
		what = "static host " + s.host.String()
		if vm := p.vmByMAC(s.host.MAC); vm != "" {
			consequence = vm + " gets an address from the range when its lease ends."
		}
	case s.dns != nil:
		e = libvirtx.NetEdit{Op: libvirtx.NetRemove, OldDNS: s.dns}
		what = "DNS record " + s.dns.String()
	case s.lease != nil:
		p.ctx.SetMsg("a lease ends by itself; enter makes its address static", false)
		return
	default:
		p.ctx.SetMsg("nothing to remove here", false)
		return
	}
	prompt := "Remove " + what + " from " + p.name + "?"
	if consequence != "" {
		prompt += "\n" + consequence
	}
	run := func() tea.Msg { return p.apply(e, "removed "+what+" of "+p.name) }
	p.list.Ask = &objpage.Question{Prompt: prompt, Answers: []objpage.Answer{{Key: "y", Text: "remove it", Run: run}}}
}

// View is the table with the selected entry described below it.
func (p *entriesPage) View() string {
	return p.list.View(objpage.Table[entry]{
		Columns: p.columns(),
		Loading: "reading " + p.name + "…",
		Empty:   "no such network",
		Dim:     func(e entry) bool { return e.empty != "" },
		Footer:  p.footer,
		Whole:   func(e entry) string { return e.empty },
	})
}

func (p *entriesPage) columns() []objpage.Column[entry] {
	wide := p.ctx.Width >= 120
	return []objpage.Column[entry]{
		{Title: "KIND", Width: 6, Text: func(e entry) string { return kindWords[e.kind] }},
		{Title: "ADDRESS", Width: widget.Choose(wide, 40, 19), Text: entryAddr},
		{Title: "MAC", Width: 17, Text: func(e entry) string {
			switch {
			case e.host != nil:
				return e.host.MAC
			case e.lease != nil:
				return e.lease.MAC
			}
			return ""
		}},
		{Title: "NAME", Width: widget.Choose(wide, 24, 14), Text: func(e entry) string {
			switch {
			case e.host != nil:
				return e.host.Name
			case e.dns != nil:
				return strings.Join(e.dns.Names, " ")
			case e.lease != nil:
				return e.lease.Hostname
			}
			return ""
		}},
		{Title: "VM / NOTE", Text: p.note},
	}
}

// entryAddr is the row's address; an IPv4 range drops the end's repeated
// leading octets (192.168.122.2-254).
func entryAddr(e entry) string {
	switch {
	case e.rng != nil:
		s, end := e.rng.Start.String(), e.rng.End.String()
		if e.rng.Start.Is4() {
			a, b := strings.Split(s, "."), strings.Split(end, ".")
			i := 0
			for i < 3 && a[i] == b[i] {
				i++
			}
			end = strings.Join(b[i:], ".")
		}
		return s + "-" + end
	case e.host != nil:
		return e.host.IP.String()
	case e.dns != nil:
		return e.dns.IP.String()
	case e.lease != nil:
		return e.lease.IP
	}
	return ""
}

// note names the VM owning a static host or lease, and when a lease ends.
func (p *entriesPage) note(e entry) string {
	switch {
	case e.host != nil:
		return p.vmByMAC(e.host.MAC)
	case e.lease != nil:
		s := p.vmByMAC(e.lease.MAC)
		if !e.lease.Expiry.IsZero() {
			s = strings.TrimSpace(s + " ends in " + time.Until(e.lease.Expiry).Round(time.Minute).String())
		}
		return s
	}
	return ""
}

// footer describes the network and the selected entry.
func (p *entriesPage) footer(e entry) []string {
	t := p.ctx.Theme
	n := e.net
	state := "active"
	if !n.Active {
		state = "not active: changes go to its definition"
	}
	out := []string{t.Title.Render(n.Name) + " on " + p.ctx.Label(n.URI) + " · " + n.ModeText() + " · " + state, "", ""}
	for i, ip := range n.IPs[:min(len(n.IPs), 2)] {
		out[1+i] = ipLine(ip)
	}
	switch {
	case e.rng != nil:
		out = append(out, fmt.Sprintf("DHCP range %s: guests without a static host get an address from it", e.rng))
	case e.host != nil:
		out = append(out, "static host "+e.host.String()+": DHCP always gives it this address")
	case e.dns != nil:
		out = append(out, "DNS record: "+strings.Join(e.dns.Names, ", ")+" resolve to "+e.dns.IP.String()+" on this network")
	case e.lease != nil:
		s := "lease of " + e.lease.IP + " to " + e.lease.MAC
		if e.lease.ClientID != "" {
			s += " (client id " + e.lease.ClientID + ")"
		}
		out = append(out, s+": enter keeps this address for it")
	default:
		out = append(out, e.empty)
	}
	return out
}

// Hints is the bottom line.
func (p *entriesPage) Hints() string {
	k := p.keys
	return p.list.Hints(widget.Hint{Key: k.Add, Word: "add"}, widget.Hint{Key: k.Edit, Word: "change"}, widget.Hint{Key: k.Remove, Word: "remove"})
}

func init() { common.RegisterKeys("net-entries", func() any { return newEntryKeys() }) }
