package libvirtx

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// HostIface is a network interface of a host: what libvirt's interface
// driver says (virConnectListAllInterfaces), and for a local connection
// what this machine's kernel says too (libvirt's udev backend lists
// neither bridges' members nor addresses, nor taps and libvirt's bridges).
type HostIface struct {
	URI, Name string
	Type      string // ethernet, bridge, bond, vlan, …
	MAC       string
	State     string // up, down, unknown (libvirt's link state, or the kernel's)
	MTU       int
	SpeedMbps int // 0: unknown
	Addrs     []string
	Members   []string // a bridge's ports, a bond's slaves
	Master    string   // the bridge or bond it is a member of
	Libvirt   bool     // libvirt's interface driver lists it
	UsedBy    []string // the virtual networks on it, with how: "default (nat, libvirt's bridge)"
}

// IsBridge tells whether guests can attach to it as a bridge.
func (i HostIface) IsBridge() bool { return i.Type == "bridge" }

// HostIfaces lists a host's interfaces by name, with the virtual networks
// using each.
func (m *Manager) HostIfaces(uri string) ([]HostIface, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	out := hostIfaces(uri, lc)
	nets, err := listNetworks(uri, lc, false)
	if err != nil {
		return out, nil // the interfaces are still worth showing
	}
	for i := range out {
		for _, n := range nets {
			switch name := out[i].Name; {
			case n.Bridge == name && n.Mode == "bridge":
				out[i].UsedBy = append(out[i].UsedBy, n.Name+" (guests bridged onto it)")
			case n.Bridge == name:
				out[i].UsedBy = append(out[i].UsedBy, n.Name+" ("+n.ModeText()+", libvirt's bridge)")
			case slices.Contains(n.Devs, name) || n.Dev == name:
				out[i].UsedBy = append(out[i].UsedBy, n.Name+" ("+n.ModeText()+" through it)")
			}
		}
	}
	return out, nil
}

// hostIfaces reads libvirt's interfaces and, locally, the kernel's.
func hostIfaces(uri string, lc *libvirt.Connect) []HostIface {
	var out []HostIface
	if ifs, err := lc.ListAllInterfaces(0); err == nil {
		for i := range ifs {
			if raw, err := ifs[i].GetXMLDesc(0); err == nil {
				x := &libvirtxml.Interface{}
				if x.Unmarshal(raw) == nil && x.Name != "" {
					out = append(out, fromIfaceXML(uri, x))
				}
			}
			ifs[i].Free()
		}
	}
	if IsLocal(uri) {
		out = addLocalIfaces(uri, out)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func fromIfaceXML(uri string, x *libvirtxml.Interface) HostIface {
	h := HostIface{URI: uri, Name: x.Name, Type: "ethernet", State: "unknown", Libvirt: true}
	if x.MAC != nil {
		h.MAC = x.MAC.Address
	}
	if x.MTU != nil {
		h.MTU = int(x.MTU.Size)
	}
	if x.Link != nil {
		h.State, h.SpeedMbps = x.Link.State, int(x.Link.Speed)
		if h.SpeedMbps == 4294967295 || h.SpeedMbps < 0 { // udev's "unknown"
			h.SpeedMbps = 0
		}
	}
	for _, p := range x.Protocol {
		for _, a := range p.IPs {
			h.Addrs = append(h.Addrs, a.Address+"/"+strconv.Itoa(int(a.Prefix)))
		}
	}
	members := func(ifs []libvirtxml.Interface) {
		for _, m := range ifs {
			h.Members = append(h.Members, m.Name)
		}
	}
	switch {
	case x.Bridge != nil:
		h.Type = "bridge"
		members(x.Bridge.Interfaces)
	case x.Bond != nil:
		h.Type = "bond"
		members(x.Bond.Interfaces)
	case x.VLAN != nil:
		h.Type = "vlan"
	}
	return h
}

// addLocalIfaces completes libvirt's list with this machine's kernel view:
// every interface, its addresses, state, bridge ports, bond slaves and
// master.
func addLocalIfaces(uri string, out []HostIface) []HostIface {
	kernel, err := net.Interfaces()
	if err != nil {
		return out
	}
	for _, k := range kernel {
		i := slices.IndexFunc(out, func(h HostIface) bool { return h.Name == k.Name })
		if i < 0 {
			out = append(out, HostIface{URI: uri, Name: k.Name, Type: "ethernet"})
			i = len(out) - 1
		}
		h := &out[i]
		if h.MAC == "" {
			h.MAC = k.HardwareAddr.String()
		}
		if h.MTU == 0 {
			h.MTU = k.MTU
		}
		sys := "/sys/class/net/" + k.Name
		switch {
		case exists(sys + "/bridge"):
			h.Type = "bridge"
			h.Members = dirNames(sys + "/brif")
		case exists(sys + "/bonding"):
			h.Type = "bond"
			if b, err := os.ReadFile(sys + "/bonding/slaves"); err == nil {
				h.Members = strings.Fields(string(b))
			}
		case exists(sys + "/tun_flags"):
			h.Type = "tap"
		case k.Flags&net.FlagLoopback != 0:
			h.Type = "loopback"
		}
		if m, err := os.Readlink(sys + "/master"); err == nil {
			h.Master = filepath.Base(m)
		}
		if st, err := os.ReadFile(sys + "/operstate"); err == nil && (h.State == "" || h.State == "unknown") {
			h.State = strings.TrimSpace(string(st))
		}
		if len(h.Addrs) == 0 {
			if as, err := k.Addrs(); err == nil {
				for _, a := range as {
					h.Addrs = append(h.Addrs, a.String())
				}
			}
		}
	}
	return out
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func dirNames(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}
