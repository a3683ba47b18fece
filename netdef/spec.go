package netdef

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// Spec is a new network as the form fills it. Fields, Get and Set make it
// a form target; Check and XML finish it.
type Spec struct {
	Name    string
	Mode    string // one of Modes
	SubMode string // macvtap: one of MacvtapModes
	Dev     string // nat/route: the outgoing device; hostdev: the PF
	Devs    []string
	Bridge  string
	IPv4    netip.Prefix // the host's address on the network, with the prefix
	DHCPv4  *Range
	IPv6    netip.Prefix
	DHCPv6  *Range
	Domain  string
	Hosts   []StaticHost // DHCP static hosts, in their subnet's <dhcp>
	DNS     []DNSHost
	MTU     uint
	Start   bool
	Auto    bool
}

// Host is what a check needs to know of the host: its networks, its
// interfaces and bridges, and (on a local connection) its routes.
type Host struct {
	Nets    []Net
	Ifaces  []string
	Bridges []string
	Routes  []netip.Prefix
}

// NewSpec proposes an isolated network with a free IPv4 /24 and DHCP in
// its upper half, as virt-manager does.
func NewSpec(h Host) *Spec {
	s := &Spec{Name: freeName(h), Mode: "isolated", SubMode: "bridge", Start: true, Auto: true}
	for n := 100; n < 255; n++ {
		if v := fmt.Sprintf("192.168.%d.1/24", n); h.overlap(netip.MustParsePrefix(v), "") == "" {
			_ = s.setPrefix("ipv4", v)
			break
		}
	}
	return s
}

func freeName(h Host) string {
	for i := 1; ; i++ {
		name := fmt.Sprintf("network%d", i)
		if !slices.ContainsFunc(h.Nets, func(n Net) bool { return n.Name == name }) {
			return name
		}
	}
}

// routed reports whether the mode gives the network its own bridge and
// addresses (the others attach guests to a host device directly).
func (s *Spec) routed() bool {
	return s.Mode == "isolated" || s.Mode == "nat" || s.Mode == "route" || s.Mode == "open"
}

// Fields are the form's rows for the chosen mode.
func (s *Spec) Fields() []devices.Field {
	fs := []devices.Field{
		{Name: "name", Label: "Name", Type: devices.TypeText, Help: "the network's name in libvirt"},
		{Name: "mode", Label: "Forward mode", Type: devices.TypeEnum, Choices: Modes,
			Help: "isolated: guests and host only; nat/route/open: to the outside; bridge, macvtap, hostdev: a host device"},
	}
	switch s.Mode {
	case "nat", "route":
		fs = append(fs, devices.Field{Name: "dev", Label: "Outgoing device", Type: devices.TypeText, Optional: true, Help: "a host NIC; empty: any"})
	case "bridge":
		fs = append(fs, devices.Field{Name: "hostbridge", Label: "Host bridge", Type: devices.TypeText, Help: "an existing bridge on the host, like br0"})
	case "macvtap":
		fs = append(fs,
			devices.Field{Name: "devs", Label: "Host NICs", Type: devices.TypeText, Help: "host NICs guests attach to, separated by commas"},
			devices.Field{Name: "submode", Label: "Macvtap mode", Type: devices.TypeEnum, Choices: MacvtapModes, Help: "bridge: guests see each other; vepa: through the switch; private; passthrough: one guest per NIC"})
	case "hostdev":
		fs = append(fs, devices.Field{Name: "dev", Label: "SR-IOV PF", Type: devices.TypeText, Help: "the physical function whose VFs guests get, like enp3s0f0"})
	}
	if s.routed() {
		fs = append(fs,
			devices.Field{Name: "bridge", Label: "Bridge name", Type: devices.TypeText, Optional: true, Help: "the bridge libvirt makes; empty: virbrN"},
			devices.Field{Name: "ipv4", Label: "IPv4 address", Type: devices.TypeText, Optional: true, Help: "the host's address and prefix, like 192.168.100.1/24"},
			devices.Field{Name: "dhcp4", Label: "IPv4 DHCP range", Type: devices.TypeText, Optional: true, Help: "first-last, like 192.168.100.128-192.168.100.254; empty: no DHCP"},
			devices.Field{Name: "ipv6", Label: "IPv6 address", Type: devices.TypeText, Optional: true, Help: "the host's address and prefix, like fd00:100::1/64"},
			devices.Field{Name: "dhcp6", Label: "IPv6 DHCP range", Type: devices.TypeText, Optional: true, Help: "first-last; empty: no DHCPv6"},
			devices.Field{Name: "domain", Label: "DNS domain", Type: devices.TypeText, Optional: true, Help: "guests' names resolve under it, like lab.test"},
			devices.Field{Name: "hosts", Label: "Static hosts", Type: devices.TypeText, Optional: true,
				Help: "IP MAC [name] (IPv6: IP name), comma-separated, like 192.168.100.10 52:54:00:12:34:56 web"},
			devices.Field{Name: "dns", Label: "DNS records", Type: devices.TypeText, Optional: true,
				Help: "IP name [name…], comma-separated, like 192.168.100.5 nas nas.lab"},
			devices.Field{Name: "mtu", Label: "MTU", Type: devices.TypeNumber, Optional: true, Help: "68-65535; empty: the default (1500)"})
	}
	return append(fs,
		devices.Field{Name: "start", Label: "Start now", Type: devices.TypeBool},
		devices.Field{Name: "autostart", Label: "Start with the host", Type: devices.TypeBool})
}

// Get is a field's value as the form shows it.
func (s *Spec) Get(name string) string {
	switch name {
	case "name":
		return s.Name
	case "mode":
		return s.Mode
	case "submode":
		return s.SubMode
	case "dev":
		return s.Dev
	case "devs":
		return strings.Join(s.Devs, ",")
	case "bridge", "hostbridge":
		return s.Bridge
	case "ipv4":
		return prefixText(s.IPv4)
	case "ipv6":
		return prefixText(s.IPv6)
	case "dhcp4":
		return rangeText(s.DHCPv4)
	case "dhcp6":
		return rangeText(s.DHCPv6)
	case "domain":
		return s.Domain
	case "hosts":
		var out []string
		for _, h := range s.Hosts {
			out = append(out, strings.Join(strings.Fields(h.IP.String()+" "+h.MAC+" "+h.Name), " "))
		}
		return strings.Join(out, ", ")
	case "dns":
		var out []string
		for _, d := range s.DNS {
			out = append(out, d.String())
		}
		return strings.Join(out, ", ")
	case "mtu":
		if s.MTU == 0 {
			return ""
		}
		return strconv.FormatUint(uint64(s.MTU), 10)
	case "start":
		return yesNo(s.Start)
	case "autostart":
		return yesNo(s.Auto)
	}
	return ""
}

func prefixText(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

func rangeText(r *Range) string {
	if r == nil {
		return ""
	}
	return r.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

var (
	netNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`)
	ifNameRE  = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,15}$`) // IFNAMSIZ-1
)

// Set validates one field; a bad value changes nothing.
func (s *Spec) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "name":
		if !netNameRE.MatchString(v) {
			return fmt.Errorf("invalid network name %q: letters, digits and _ . + -", v)
		}
		s.Name = v
	case "mode":
		if !slices.Contains(Modes, v) {
			return fmt.Errorf("mode must be one of %s", strings.Join(Modes, ", "))
		}
		s.Mode = v
	case "submode":
		if !slices.Contains(MacvtapModes, v) {
			return fmt.Errorf("macvtap mode must be one of %s", strings.Join(MacvtapModes, ", "))
		}
		s.SubMode = v
	case "dev", "bridge", "hostbridge":
		if v != "" && !ifNameRE.MatchString(v) {
			return fmt.Errorf("invalid interface name %q: up to 15 letters, digits, '.', '-', '_'", v)
		}
		if name == "dev" {
			s.Dev = v
		} else {
			s.Bridge = v
		}
	case "devs":
		var devs []string
		for _, d := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if !ifNameRE.MatchString(d) {
				return fmt.Errorf("invalid interface name %q", d)
			}
			devs = append(devs, d)
		}
		s.Devs = devs
	case "ipv4", "ipv6":
		return s.setPrefix(name, v)
	case "dhcp4", "dhcp6":
		var r *Range
		if v != "" {
			rr, err := ParseRange(v)
			if err != nil {
				return err
			}
			if rr.Start.Is4() != (name == "dhcp4") {
				return fmt.Errorf("%s is not an %s range", v, familyWord(name == "dhcp4"))
			}
			r = &rr
		}
		if name == "dhcp4" {
			s.DHCPv4 = r
		} else {
			s.DHCPv6 = r
		}
	case "domain":
		if v != "" && !hostnameRE.MatchString(v) {
			return fmt.Errorf("invalid DNS domain %q", v)
		}
		s.Domain = v
	case "hosts":
		var hosts []StaticHost
		for _, e := range entries(v) {
			h, err := parseHostEntry(e)
			if err != nil {
				return err
			}
			hosts = append(hosts, h)
		}
		s.Hosts = hosts
	case "dns":
		var recs []DNSHost
		for _, e := range entries(v) {
			ip, names, _ := strings.Cut(e, " ")
			d, err := ParseDNSHost(ip, names)
			if err != nil {
				return err
			}
			recs = append(recs, d)
		}
		s.DNS = recs
	case "mtu":
		if v == "" {
			s.MTU = 0
			return nil
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < 68 || n > 65535 {
			return fmt.Errorf("MTU must be a number from 68 to 65535")
		}
		s.MTU = uint(n)
	case "start", "autostart":
		b, err := parseBool(v)
		if err != nil {
			return err
		}
		if name == "start" {
			s.Start = b
		} else {
			s.Auto = b
		}
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// entries splits a comma-separated list, dropping empty entries.
func entries(v string) []string {
	var out []string
	for e := range strings.SplitSeq(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// parseHostEntry reads "IP MAC [name]" or "IP name" (either order after
// the address).
func parseHostEntry(e string) (StaticHost, error) {
	f := strings.Fields(e)
	if len(f) < 2 || len(f) > 3 {
		return StaticHost{}, fmt.Errorf("invalid static host %q: give IP MAC [name], or IP name", e)
	}
	var mac, name string
	for _, w := range f[1:] {
		if strings.Count(w, ":") == 5 && !strings.Contains(f[0], ":") {
			mac = w
		} else {
			name = w
		}
	}
	return ParseStaticHost(mac, name, f[0])
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "y", "on", "true":
		return true, nil
	case "no", "n", "off", "false":
		return false, nil
	}
	return false, fmt.Errorf("answer yes or no")
}

func (s *Spec) setPrefix(name, v string) error {
	v4 := name == "ipv4"
	if v == "" {
		if v4 {
			s.IPv4, s.DHCPv4 = netip.Prefix{}, nil
		} else {
			s.IPv6, s.DHCPv6 = netip.Prefix{}, nil
		}
		return nil
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return fmt.Errorf("invalid address %q: give the host's address and prefix, like %s", v, map[bool]string{true: "192.168.100.1/24", false: "fd00:100::1/64"}[v4])
	}
	switch {
	case p.Addr().Is4() != v4:
		return fmt.Errorf("%s is not an %s address", v, familyWord(v4))
	case v4 && (p.Bits() < 8 || p.Bits() > 30):
		return fmt.Errorf("IPv4 prefix must be 8 to 30 (a /%d leaves no room for guests)", p.Bits())
	case !v4 && p.Bits() != 64:
		return fmt.Errorf("IPv6 prefix must be 64: libvirt's DHCPv6 and router advertisements need a /64")
	}
	if p.Addr() == p.Masked().Addr() || (v4 && p.Addr() == lastAddr(p)) {
		return fmt.Errorf("%s is not a host address of %s: use one like %s", p.Addr(), p.Masked(), p.Masked().Addr().Next())
	}
	// The DHCP range follows the subnet; a range the user typed is set
	// after this (the form replays fields in order) and wins.
	r := dhcpProposal(p)
	if v4 {
		s.IPv4, s.DHCPv4 = p, &r
	} else {
		s.IPv6, s.DHCPv6 = p, &r
	}
	return nil
}

// dhcpProposal is the DHCP range virt-manager proposes: the upper half of
// an IPv4 subnet without its broadcast address, ::100-::1ff for IPv6.
func dhcpProposal(p netip.Prefix) Range {
	base := p.Masked().Addr().As16()
	if p.Addr().Is6() {
		base[14], base[15] = 1, 0
		end := base
		end[15] = 0xff
		return Range{netip.AddrFrom16(base), netip.AddrFrom16(end)}
	}
	b := p.Masked().Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= 1 << (31 - p.Bits()) // the subnet's middle
	start := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	return Range{start, lastAddr(p).Prev()}
}

// Check refuses a spec that cannot work on the host, before libvirt sees
// it: a name or bridge in use, a subnet overlapping another network's or
// a host route (naming it), a DHCP range outside its subnet, an unknown
// host device.
func (s *Spec) Check(h Host) error {
	for _, n := range h.Nets {
		if n.Name == s.Name {
			return fmt.Errorf("a network named %s already exists", s.Name)
		}
	}
	switch s.Mode {
	case "bridge":
		if s.Bridge == "" {
			return fmt.Errorf("a bridge-mode network needs the name of a bridge on the host")
		}
		if len(h.Bridges) > 0 && !slices.Contains(h.Bridges, s.Bridge) {
			return fmt.Errorf("the host has no bridge %s (it has %s)", s.Bridge, strings.Join(h.Bridges, ", "))
		}
		if len(h.Bridges) == 0 && len(h.Ifaces) > 0 {
			return fmt.Errorf("the host has no bridge %s (it has no bridge at all)", s.Bridge)
		}
	case "macvtap", "hostdev":
		devs := s.Devs
		if s.Mode == "hostdev" {
			devs = []string{s.Dev}
		}
		if len(devs) == 0 || devs[0] == "" {
			return fmt.Errorf("a %s network needs a host NIC", s.Mode)
		}
		for _, d := range devs {
			if len(h.Ifaces) > 0 && !slices.Contains(h.Ifaces, d) {
				return fmt.Errorf("the host has no interface %s (it has %s)", d, strings.Join(h.Ifaces, ", "))
			}
		}
	case "nat", "route":
		if s.Dev != "" && len(h.Ifaces) > 0 && !slices.Contains(h.Ifaces, s.Dev) {
			return fmt.Errorf("the host has no interface %s (it has %s)", s.Dev, strings.Join(h.Ifaces, ", "))
		}
	}
	if !s.routed() {
		return nil
	}
	if s.Bridge != "" {
		for _, n := range h.Nets {
			if n.Bridge == s.Bridge {
				return fmt.Errorf("bridge %s is in use by network %s", s.Bridge, n.Name)
			}
		}
		if slices.Contains(h.Ifaces, s.Bridge) {
			return fmt.Errorf("bridge name %s is in use by a host interface", s.Bridge)
		}
	}
	probe := Net{Name: s.Name}
	for _, p := range []netip.Prefix{s.IPv4, s.IPv6} {
		if !p.IsValid() {
			continue
		}
		if what := h.overlap(p, s.Name); what != "" {
			return fmt.Errorf("subnet %s overlaps %s", p.Masked(), what)
		}
		probe.IPs = append(probe.IPs, IP{Prefix: p})
	}
	for _, r := range []*Range{s.DHCPv4, s.DHCPv6} {
		if r == nil {
			continue
		}
		if err := probe.CheckRange(*r, Range{}); err != nil {
			return err
		}
	}
	// Static hosts and records are checked as if added one by one.
	for i, ip := range probe.IPs {
		r := s.DHCPv6
		if ip.Prefix.Addr().Is4() {
			r = s.DHCPv4
		}
		probe.IPs[i].Ranges = rangesOf(r)
	}
	for _, h := range s.Hosts {
		if err := probe.CheckStaticHost(h, StaticHost{}); err != nil {
			return err
		}
		i := probe.HostsIP(h.IP)
		if len(probe.IPs[i].Ranges) == 0 {
			return fmt.Errorf("static host %s: subnet %s has no DHCP range", h, probe.IPs[i].Prefix.Masked())
		}
		probe.IPs[i].Hosts = append(probe.IPs[i].Hosts, h)
	}
	for _, d := range s.DNS {
		if err := probe.CheckDNSHost(d, DNSHost{}); err != nil {
			return err
		}
		probe.DNSHosts = append(probe.DNSHosts, d)
	}
	if s.Mode == "open" && !s.IPv4.IsValid() && !s.IPv6.IsValid() {
		return fmt.Errorf("an open network needs an IP address (it routes without firewall rules)")
	}
	return nil
}

func rangesOf(r *Range) []Range {
	if r == nil {
		return nil
	}
	return []Range{*r}
}

// overlap names what p overlaps on the host: another network's subnet or
// a host route; "" when none.
func (h Host) overlap(p netip.Prefix, self string) string {
	p = p.Masked()
	for _, n := range h.Nets {
		if n.Name == self {
			continue
		}
		for _, ip := range n.IPs {
			if ip.Prefix.Masked().Overlaps(p) {
				return fmt.Sprintf("network %s's %s", n.Name, ip.Prefix.Masked())
			}
		}
	}
	for _, r := range h.Routes {
		if r.Bits() > 0 && r.Overlaps(p) {
			return "the host route to " + r.String()
		}
	}
	return ""
}

// XML is the network's definition.
func (s *Spec) XML() (string, error) {
	x := &libvirtxml.Network{Name: s.Name}
	switch s.Mode {
	case "nat", "route", "open":
		x.Forward = &libvirtxml.NetworkForward{Mode: s.Mode, Dev: s.Dev}
	case "bridge":
		x.Forward = &libvirtxml.NetworkForward{Mode: "bridge"}
	case "macvtap":
		x.Forward = &libvirtxml.NetworkForward{Mode: s.SubMode}
		for _, d := range s.Devs {
			x.Forward.Interfaces = append(x.Forward.Interfaces, libvirtxml.NetworkForwardInterface{Dev: d})
		}
	case "hostdev":
		x.Forward = &libvirtxml.NetworkForward{Mode: "hostdev", Managed: "yes", PFs: []libvirtxml.NetworkForwardPF{{Dev: s.Dev}}}
	}
	if s.Bridge != "" {
		x.Bridge = &libvirtxml.NetworkBridge{Name: s.Bridge}
	}
	if !s.routed() {
		return x.Marshal()
	}
	if s.MTU != 0 {
		x.MTU = &libvirtxml.NetworkMTU{Size: s.MTU}
	}
	if s.Domain != "" {
		x.Domain = &libvirtxml.NetworkDomain{Name: s.Domain, LocalOnly: "yes"}
	}
	for _, ip := range []struct {
		p netip.Prefix
		r *Range
	}{{s.IPv4, s.DHCPv4}, {s.IPv6, s.DHCPv6}} {
		if !ip.p.IsValid() {
			continue
		}
		xi := libvirtxml.NetworkIP{Address: ip.p.Addr().String(), Prefix: uint(ip.p.Bits())}
		if ip.p.Addr().Is6() {
			xi.Family = "ipv6"
		}
		if ip.r != nil {
			xi.DHCP = &libvirtxml.NetworkDHCP{Ranges: []libvirtxml.NetworkDHCPRange{{Start: ip.r.Start.String(), End: ip.r.End.String()}}}
			for _, h := range s.Hosts {
				if ip.p.Masked().Contains(h.IP) {
					xi.DHCP.Hosts = append(xi.DHCP.Hosts, libvirtxml.NetworkDHCPHost{MAC: h.MAC, Name: h.Name, IP: h.IP.String()})
				}
			}
		}
		x.IPs = append(x.IPs, xi)
	}
	if len(s.DNS) > 0 {
		x.DNS = &libvirtxml.NetworkDNS{}
		for _, d := range s.DNS {
			xh := libvirtxml.NetworkDNSHost{IP: d.IP.String()}
			for _, n := range d.Names {
				xh.Hostnames = append(xh.Hostnames, libvirtxml.NetworkDNSHostHostname{Hostname: n})
			}
			x.DNS.Host = append(x.DNS.Host, xh)
		}
	}
	return x.Marshal()
}

func familyWord(v4 bool) string {
	if v4 {
		return "IPv4"
	}
	return "IPv6"
}

// Snapshot lets the form replay typed fields over the spec as it opened
// (a typed DHCP range then wins over the one a new address proposes).
func (s *Spec) Snapshot() (func(), error) {
	saved := *s // Set replaces slices and ranges, never changes them in place
	return func() { *s = saved }, nil
}
