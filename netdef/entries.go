package netdef

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// ParseStaticHost reads a DHCP static host as typed: MAC (IPv4 only), name, IP.
// It checks the entry alone; CheckStaticHost checks it against the network.
func ParseStaticHost(mac, name, ip string) (StaticHost, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return StaticHost{}, fmt.Errorf("invalid IP address %q (like 192.168.100.10 or fd00::10)", ip)
	}
	h := StaticHost{Name: strings.TrimSpace(name), IP: a}
	if h.Name != "" && !hostnameRE.MatchString(h.Name) {
		return StaticHost{}, fmt.Errorf("invalid host name %q: letters, digits and '-', dots between labels", h.Name)
	}
	if strings.TrimSpace(mac) != "" {
		if a.Is6() {
			return StaticHost{}, fmt.Errorf("an IPv6 static host is matched by name, not MAC: leave the MAC empty")
		}
		if h.MAC, err = devices.ParseMAC(mac); err != nil {
			return StaticHost{}, err
		}
	}
	switch {
	case a.Is4() && h.MAC == "" && h.Name == "":
		return StaticHost{}, fmt.Errorf("an IPv4 static host needs the guest's MAC (or a name)")
	case a.Is6() && h.Name == "":
		return StaticHost{}, fmt.Errorf("an IPv6 static host needs a name (the guest's DHCPv6 host name)")
	}
	return h, nil
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

// CheckStaticHost refuses a static host whose address is outside the network's
// subnets or is the network's own, or whose MAC, name or address another
// host has. old is the host being changed (zero when adding).
func (n Net) CheckStaticHost(h, old StaticHost) error {
	i := n.HostsIP(h.IP)
	if i < 0 {
		return fmt.Errorf("%s is in none of %s's subnets (%s)", h.IP, n.Name, strings.Join(n.Subnets(), ", "))
	}
	if err := usable(n.IPs[i].Prefix, h.IP); err != nil {
		return err
	}
	for _, ip := range n.IPs {
		for _, o := range ip.Hosts {
			if o == old {
				continue
			}
			switch {
			case o.IP == h.IP:
				return fmt.Errorf("%s is taken by static host %s", h.IP, o)
			case h.MAC != "" && strings.EqualFold(o.MAC, h.MAC):
				return fmt.Errorf("MAC %s already has a static address: %s", h.MAC, o)
			case h.Name != "" && o.Name == h.Name && o.IP.Is4() == h.IP.Is4():
				return fmt.Errorf("name %s already has a static address: %s", h.Name, o)
			}
		}
	}
	return nil
}

// usable refuses the subnet's own addresses: the network address, the
// broadcast address (IPv4) and the address the host takes on the bridge.
func usable(p netip.Prefix, a netip.Addr) error {
	switch {
	case a == p.Addr():
		return fmt.Errorf("%s is the host's own address on this network", a)
	case a == p.Masked().Addr():
		return fmt.Errorf("%s is the network address of %s", a, p.Masked())
	case a.Is4() && a == lastAddr(p):
		return fmt.Errorf("%s is the broadcast address of %s", a, p.Masked())
	}
	return nil
}

// lastAddr is the highest address of the prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// StaticHostXML is the <host> element virNetworkUpdate takes.
func StaticHostXML(h StaticHost) (string, error) {
	x := libvirtxml.NetworkDHCPHost{MAC: h.MAC, Name: h.Name, IP: h.IP.String()}
	return x.Marshal()
}

// ParseRange reads a DHCP range typed as "start-end" (or "start - end").
func ParseRange(s string) (Range, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		// IPv6 addresses contain no '-', so one cut is enough; a space works too.
		a, b, ok = strings.Cut(strings.TrimSpace(s), " ")
	}
	start, e1 := netip.ParseAddr(strings.TrimSpace(a))
	end, e2 := netip.ParseAddr(strings.TrimSpace(b))
	if !ok || e1 != nil || e2 != nil {
		return Range{}, fmt.Errorf("invalid DHCP range %q: give the first and last address, like 192.168.100.100-192.168.100.200", s)
	}
	if start.Is4() != end.Is4() || end.Less(start) {
		return Range{}, fmt.Errorf("invalid DHCP range %q: the first address must come before the last, in one family", s)
	}
	return Range{start, end}, nil
}

// CheckRange refuses a range outside one subnet of the network, covering
// the subnet's own addresses, or overlapping another range (old is the
// range being changed, zero when adding).
func (n Net) CheckRange(r, old Range) error {
	i := n.HostsIP(r.Start)
	if i < 0 || !n.IPs[i].Prefix.Masked().Contains(r.End) {
		return fmt.Errorf("DHCP range %s is not inside one of %s's subnets (%s)", r, n.Name, strings.Join(n.Subnets(), ", "))
	}
	p := n.IPs[i].Prefix
	own := []netip.Addr{p.Addr(), p.Masked().Addr()}
	if p.Addr().Is4() {
		own = append(own, lastAddr(p))
	}
	for _, a := range own {
		if !a.Less(r.Start) && !r.End.Less(a) {
			return fmt.Errorf("DHCP range %s includes an address it must leave out: %w", r, usable(p, a))
		}
	}
	for _, o := range n.IPs[i].Ranges {
		if o != old && !r.End.Less(o.Start) && !o.End.Less(r.Start) {
			return fmt.Errorf("DHCP range %s overlaps range %s", r, o)
		}
	}
	return nil
}

// RangeXML is the <range> element virNetworkUpdate takes.
func RangeXML(r Range) (string, error) {
	x := libvirtxml.NetworkDHCPRange{Start: r.Start.String(), End: r.End.String()}
	return x.Marshal()
}

// ParseDNSHost reads a DNS host record: an address and host names
// separated by spaces or commas.
func ParseDNSHost(ip, names string) (DNSHost, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return DNSHost{}, fmt.Errorf("invalid IP address %q (like 192.168.100.10 or fd00::10)", ip)
	}
	d := DNSHost{IP: a}
	for _, n := range strings.FieldsFunc(names, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !hostnameRE.MatchString(n) {
			return DNSHost{}, fmt.Errorf("invalid host name %q: letters, digits and '-', dots between labels", n)
		}
		d.Names = append(d.Names, n)
	}
	if len(d.Names) == 0 {
		return DNSHost{}, fmt.Errorf("a DNS host record needs at least one name")
	}
	return d, nil
}

// CheckDNSHost refuses a second record for an address (libvirt keeps one
// <host> per IP: add names to it instead).
func (n Net) CheckDNSHost(d, old DNSHost) error {
	for _, o := range n.DNSHosts {
		if o.IP == d.IP && o.IP != old.IP {
			return fmt.Errorf("%s already has a DNS record (%s): change that one", d.IP, o)
		}
	}
	return nil
}

// DNSHostXML is the <host> element of <dns> virNetworkUpdate takes.
func DNSHostXML(d DNSHost) (string, error) {
	x := libvirtxml.NetworkDNSHost{IP: d.IP.String()}
	for _, n := range d.Names {
		x.Hostnames = append(x.Hostnames, libvirtxml.NetworkDNSHostHostname{Hostname: n})
	}
	return x.Marshal()
}

// FreeAddr proposes an address for a new static host: the first one of
// the first subnet with DHCP that no range, static host or the network
// itself takes (invalid when the subnet is full).
func (n Net) FreeAddr() netip.Addr {
	for _, ip := range n.IPs {
		if len(ip.Ranges) == 0 && len(ip.Hosts) == 0 {
			continue
		}
		p := ip.Prefix.Masked()
	next:
		for a := p.Addr().Next(); p.Contains(a); a = a.Next() {
			if usable(ip.Prefix, a) != nil {
				continue
			}
			for _, r := range ip.Ranges {
				if !a.Less(r.Start) && !r.End.Less(a) {
					a = r.End
					continue next
				}
			}
			for _, h := range ip.Hosts {
				if h.IP == a {
					continue next
				}
			}
			return a
		}
	}
	return netip.Addr{}
}
