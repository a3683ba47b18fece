package libvirtx

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/netdef"
)

// Network is a virtual network as the network page lists it.
type Network struct {
	URI, UUID string
	netdef.Net
	Active     bool
	Persistent bool
	Autostart  bool
	Leases     int  // DHCP leases; -1 when unknown (inactive, or the driver cannot tell)
	Pending    bool // running with settings older than its definition: a restart applies them
}

// Networks lists a connection's virtual networks by name: one listing,
// then per network its definition, flags and lease count.
func (m *Manager) Networks(uri string) ([]Network, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	return listNetworks(uri, lc, true)
}

func listNetworks(uri string, lc *libvirt.Connect, leases bool) ([]Network, error) {
	ns, err := lc.ListAllNetworks(0)
	if err != nil {
		return nil, fmt.Errorf("listing the networks: %s", ErrText(err))
	}
	out := make([]Network, 0, len(ns))
	for i := range ns {
		if n, err := readNetwork(uri, &ns[i], leases); err == nil {
			out = append(out, n)
		}
		ns[i].Free()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func readNetwork(uri string, ln *libvirt.Network, leases bool) (Network, error) {
	n := Network{URI: uri, Leases: -1}
	x, err := netXML(ln, 0)
	if err != nil {
		return n, err // gone since the listing
	}
	n.Net, n.UUID = netdef.FromXML(x), x.UUID
	n.Active, _ = ln.IsActive()
	n.Persistent, _ = ln.IsPersistent()
	n.Autostart, _ = ln.GetAutostart()
	if n.Active && n.Persistent {
		if def, err := netXML(ln, libvirt.NETWORK_XML_INACTIVE); err == nil {
			n.Pending = !sameNetwork(x, def)
		}
	}
	if leases && n.Active && len(n.IPs) > 0 {
		if ls, err := ln.GetDHCPLeases(); err == nil {
			n.Leases = len(ls)
		}
	}
	return n, nil
}

func netXML(ln *libvirt.Network, flags libvirt.NetworkXMLFlags) (*libvirtxml.Network, error) {
	raw, err := ln.GetXMLDesc(flags)
	if err != nil {
		return nil, err
	}
	x := &libvirtxml.Network{}
	return x, x.Unmarshal(raw)
}

// sameNetwork compares a running network with its definition as libvirt
// writes them (libvirtxml drops the live-only connections count).
func sameNetwork(live, def *libvirtxml.Network) bool {
	a, err1 := live.Marshal()
	b, err2 := def.Marshal()
	return err1 == nil && err2 == nil && a == b
}

// NetAction is what the network page does to a network.
type NetAction string

const (
	NetStart        NetAction = "start"         // virNetworkCreate
	NetStop         NetAction = "stop"          // virNetworkDestroy: guests on it lose their link
	NetAutostartOn  NetAction = "autostart on"  // virNetworkSetAutostart
	NetAutostartOff NetAction = "autostart off" //
	NetUndefine     NetAction = "delete"        // stopped first when active
	NetRestart      NetAction = "restart"       // stop and start: the definition's settings apply
)

// DoNet runs a network action.
func (m *Manager) DoNet(uri, name string, a NetAction) error {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	ln, err := lc.LookupNetworkByName(name)
	if err != nil {
		return fmt.Errorf("no network %q on %s", name, uri)
	}
	defer ln.Free()
	active, _ := ln.IsActive()
	switch a {
	case NetStart:
		err = ln.Create()
	case NetStop:
		err = ln.Destroy()
	case NetRestart:
		if err = ln.Destroy(); err == nil {
			err = ln.Create()
		}
	case NetAutostartOn, NetAutostartOff:
		err = ln.SetAutostart(a == NetAutostartOn)
	case NetUndefine:
		persistent, _ := ln.IsPersistent()
		if active {
			err = ln.Destroy()
		}
		if err == nil && persistent {
			err = ln.Undefine()
		}
	default:
		return fmt.Errorf("unknown network action %q", a)
	}
	if err != nil {
		return errors.New(ErrText(err))
	}
	return nil
}

// Lease is a DHCP lease of a network.
type Lease struct {
	MAC, IP, Hostname, ClientID string
	Prefix                      uint
	Expiry                      time.Time // zero: never
}

// Leases reads a network's DHCP leases (virNetworkGetDHCPLeases), by IP.
func (m *Manager) Leases(uri, name string) ([]Lease, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	ln, err := lc.LookupNetworkByName(name)
	if err != nil {
		return nil, fmt.Errorf("no network %q on %s", name, uri)
	}
	defer ln.Free()
	ls, err := ln.GetDHCPLeases()
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	out := make([]Lease, 0, len(ls))
	for _, l := range ls {
		e := Lease{MAC: l.Mac, IP: l.IPaddr, Prefix: l.Prefix, Hostname: l.Hostname, ClientID: l.Clientid}
		if l.ExpiryTime.Unix() > 0 {
			e.Expiry = l.ExpiryTime
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IP < out[j].IP })
	return out, nil
}

// NetHost reads what a new network's check needs: the host's networks,
// its interfaces and bridges (libvirt's view, and this machine's for a
// local connection) and, locally, its routes.
func (m *Manager) NetHost(uri string) (netdef.Host, error) {
	var h netdef.Host
	lc, done, err := m.lconn(uri)
	if err != nil {
		return h, err
	}
	defer done()
	nets, err := listNetworks(uri, lc, false)
	if err != nil {
		return h, err
	}
	for _, n := range nets {
		h.Nets = append(h.Nets, n.Net)
	}
	for _, i := range hostIfaces(uri, lc) {
		h.Ifaces = append(h.Ifaces, i.Name)
		if i.IsBridge() {
			h.Bridges = append(h.Bridges, i.Name)
		}
	}
	if IsLocal(uri) {
		h.Routes = localRoutes()
	}
	return h, nil
}

// localRoutes reads this machine's IPv4 and IPv6 routes from /proc, leaving
// out the default routes and the ones libvirt's own bridges carry (the
// networks' subnets are checked by name).
func localRoutes() []netip.Prefix {
	var out []netip.Prefix
	readProc("/proc/net/route", func(f []string) {
		if len(f) < 8 || f[0] == "Iface" || strings.HasPrefix(f[0], "virbr") {
			return
		}
		dst, e1 := strconv.ParseUint(f[1], 16, 32)
		mask, e2 := strconv.ParseUint(f[7], 16, 32)
		if e1 != nil || e2 != nil || mask == 0 {
			return
		}
		// /proc/net/route prints the address in host (little-endian) order.
		a := netip.AddrFrom4([4]byte{byte(dst), byte(dst >> 8), byte(dst >> 16), byte(dst >> 24)})
		m := netip.AddrFrom4([4]byte{byte(mask), byte(mask >> 8), byte(mask >> 16), byte(mask >> 24)})
		out = append(out, netip.PrefixFrom(a, netdef.MaskBits(m)).Masked())
	})
	readProc("/proc/net/ipv6_route", func(f []string) {
		if len(f) < 10 || strings.HasPrefix(f[9], "virbr") || f[9] == "lo" {
			return
		}
		b, err := hex.DecodeString(f[0])
		bits, err2 := strconv.ParseUint(f[1], 16, 8)
		if err != nil || err2 != nil || len(b) != 16 || bits == 0 {
			return
		}
		a := netip.AddrFrom16([16]byte(b))
		if a.IsLinkLocalUnicast() || a.IsMulticast() {
			return
		}
		out = append(out, netip.PrefixFrom(a, int(bits)).Masked())
	})
	return out
}

func readProc(path string, line func([]string)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line(strings.Fields(sc.Text()))
	}
}

// DefineNetwork checks a new network against the host, defines it, and
// then sets autostart and starts it as the spec asks. A failed start says
// libvirt's words and leaves the definition in place.
func (m *Manager) DefineNetwork(uri string, s *netdef.Spec) error {
	h, err := m.NetHost(uri)
	if err != nil {
		return err
	}
	if err := s.Check(h); err != nil {
		return err
	}
	doc, err := s.XML()
	if err != nil {
		return err
	}
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	ln, err := lc.NetworkDefineXML(doc)
	if err != nil {
		return errors.New(ErrText(err))
	}
	defer ln.Free()
	return autostartAndStart("network "+s.Name, s.Auto, s.Start, ln.SetAutostart, ln.Create)
}

// autostartAndStart finishes a definition as its form asked; a failure
// says the object is defined all the same, with libvirt's words.
func autostartAndStart(what string, auto, start bool, setAutostart func(bool) error, create func() error) error {
	if auto {
		if err := setAutostart(true); err != nil {
			return fmt.Errorf("%s is defined, but autostart failed: %s", what, ErrText(err))
		}
	}
	if start {
		if err := create(); err != nil {
			return fmt.Errorf("%s is defined, but it did not start: %s", what, ErrText(err))
		}
	}
	return nil
}

// Network reads one network.
func (m *Manager) Network(uri, name string) (Network, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return Network{}, err
	}
	defer done()
	ln, err := lc.LookupNetworkByName(name)
	if err != nil {
		return Network{}, fmt.Errorf("no network %q on %s", name, uri)
	}
	defer ln.Free()
	n, err := readNetwork(uri, ln, true)
	if err != nil {
		return n, errors.New(ErrText(err))
	}
	return n, nil
}
