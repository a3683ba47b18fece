// Package netdef is a libvirt virtual network as kvmtui shows, defines and
// edits it: a summary read from its XML, the new-network form, the checks
// made before libvirt sees a definition (overlapping subnets, bridges in
// use, DHCP ranges outside their subnet, taken MACs and addresses) and the
// XML fragments virNetworkUpdate takes for live edits. It makes no libvirt
// call: libvirtx reads and writes, this package decides.
package netdef

import (
	"net/netip"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// Net is what kvmtui shows of a network's definition.
type Net struct {
	Name     string
	Mode     string   // isolated, nat, route, open, bridge, macvtap, hostdev
	SubMode  string   // macvtap: bridge, vepa, private or passthrough
	Dev      string   // nat/route: the outgoing device, if pinned
	Devs     []string // macvtap: the host NICs; hostdev: the PF
	Bridge   string   // the bridge libvirt makes, or the host bridge it uses
	MTU      uint
	Domain   string // DNS domain
	IPs      []IP
	DNSHosts []DNSHost
}

// IP is one <ip> of a network: its address and prefix, and its DHCP.
type IP struct {
	Prefix netip.Prefix // the network's address with its prefix length
	Ranges []Range
	Hosts  []StaticHost
}

// Family is "ipv4" or "ipv6", as libvirt spells it.
func (ip IP) Family() string {
	if ip.Prefix.Addr().Is4() {
		return "ipv4"
	}
	return "ipv6"
}

// Range is a DHCP range.
type Range struct{ Start, End netip.Addr }

func (r Range) String() string { return r.Start.String() + "-" + r.End.String() }

// StaticHost is a DHCP static host: a MAC (IPv4) or a name/ID (IPv6) given an
// address.
type StaticHost struct {
	MAC, Name string
	IP        netip.Addr
}

func (h StaticHost) String() string {
	who := h.MAC
	if h.Name != "" {
		who = strings.TrimPrefix(who+" "+h.Name, " ")
	}
	return who + " → " + h.IP.String()
}

// DNSHost is a DNS host record the network's resolver answers.
type DNSHost struct {
	IP    netip.Addr
	Names []string
}

func (d DNSHost) String() string { return d.IP.String() + " " + strings.Join(d.Names, " ") }

// Modes are the forward modes the new-network form offers, in its order.
var Modes = []string{"isolated", "nat", "route", "open", "bridge", "macvtap", "hostdev"}

// MacvtapModes are the direct-connection modes of a macvtap network.
var MacvtapModes = []string{"bridge", "vepa", "private", "passthrough"}

// FromXML summarises a parsed definition. Malformed addresses are left out
// (libvirt would not have accepted them).
func FromXML(x *libvirtxml.Network) Net {
	n := Net{Name: x.Name, Mode: "isolated"}
	if x.Bridge != nil {
		n.Bridge = x.Bridge.Name
	}
	if x.MTU != nil {
		n.MTU = x.MTU.Size
	}
	if x.Domain != nil {
		n.Domain = x.Domain.Name
	}
	if f := x.Forward; f != nil {
		n.Mode, n.Dev = f.Mode, f.Dev
		if n.Mode == "" {
			n.Mode = "nat" // libvirt's default for <forward/>
		}
		for _, i := range f.Interfaces {
			n.Devs = append(n.Devs, i.Dev)
		}
		for _, pf := range f.PFs {
			n.Devs = append(n.Devs, pf.Dev)
		}
		switch {
		case n.Mode == "bridge" && len(f.Interfaces) > 0, n.Mode == "vepa", n.Mode == "private", n.Mode == "passthrough":
			n.Mode, n.SubMode = "macvtap", n.Mode
		}
	}
	for _, xi := range x.IPs {
		if ip, ok := fromXMLIP(xi); ok {
			n.IPs = append(n.IPs, ip)
		}
	}
	if x.DNS != nil {
		for _, h := range x.DNS.Host {
			a, err := netip.ParseAddr(h.IP)
			if err != nil {
				continue
			}
			d := DNSHost{IP: a}
			for _, hn := range h.Hostnames {
				d.Names = append(d.Names, hn.Hostname)
			}
			n.DNSHosts = append(n.DNSHosts, d)
		}
	}
	return n
}

func fromXMLIP(xi libvirtxml.NetworkIP) (IP, bool) {
	a, err := netip.ParseAddr(xi.Address)
	if err != nil {
		return IP{}, false
	}
	bits := int(xi.Prefix)
	if xi.Netmask != "" {
		m, err := netip.ParseAddr(xi.Netmask)
		if err != nil {
			return IP{}, false
		}
		bits = MaskBits(m)
	}
	if bits == 0 && xi.Prefix == 0 {
		bits = 24 // libvirt derives a classful mask; 24 is the usual case
		if a.Is6() {
			bits = 64
		}
	}
	ip := IP{Prefix: netip.PrefixFrom(a, bits)}
	if xi.DHCP != nil {
		for _, r := range xi.DHCP.Ranges {
			s, e1 := netip.ParseAddr(r.Start)
			e, e2 := netip.ParseAddr(r.End)
			if e1 == nil && e2 == nil {
				ip.Ranges = append(ip.Ranges, Range{s, e})
			}
		}
		for _, h := range xi.DHCP.Hosts {
			addr, _ := netip.ParseAddr(h.IP)
			name := h.Name
			if name == "" {
				name = h.ID
			}
			ip.Hosts = append(ip.Hosts, StaticHost{MAC: h.MAC, Name: name, IP: addr})
		}
	}
	return ip, true
}

// MaskBits counts the leading ones of a dotted netmask.
func MaskBits(m netip.Addr) int {
	n := 0
	for _, b := range m.AsSlice() {
		for i := 7; i >= 0 && b&(1<<i) != 0; i-- {
			n++
		}
	}
	return n
}

// ModeText is the forward mode as the network page shows it.
func (n Net) ModeText() string {
	switch {
	case n.SubMode != "":
		return n.Mode + " (" + n.SubMode + ")"
	case n.Dev != "":
		return n.Mode + " via " + n.Dev
	}
	return n.Mode
}

// Subnets lists the network's IP subnets, IPv4 first as libvirt keeps them.
func (n Net) Subnets() []string {
	var out []string
	for _, ip := range n.IPs {
		out = append(out, ip.Prefix.String())
	}
	return out
}

// HostsIP is the index of the <ip> that a static host for addr belongs
// to (virNetworkUpdate's parentIndex), or -1.
func (n Net) HostsIP(addr netip.Addr) int {
	for i, ip := range n.IPs {
		if ip.Prefix.Masked().Contains(addr) {
			return i
		}
	}
	return -1
}
