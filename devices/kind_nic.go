package devices

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

var (
	nicTypes   = []string{"network", "bridge", "direct", "openvswitch", "user", "hostdev"}
	nicModels  = []string{"virtio", "e1000e", "e1000", "rtl8139", "vmxnet3", "ne2k_pci", "pcnet", "virtio-transitional", "virtio-non-transitional"}
	directMode = []string{"bridge", "vepa", "private", "passthrough"}
	// ifnameRE is a Linux interface name: up to 15 bytes, no '/', ':' or
	// spaces.
	ifnameRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,15}$`)
)

var kindNIC = register(&Kind{ID: "nic", Title: "Network interface", Hotplug: true, Addable: true}, &kindDef[lx.DomainInterface]{
	fields: nicFields(),
	list: func(def *lx.Domain) []*lx.DomainInterface {
		return pointers(def.Devices.Interfaces)
	},
	create: func(caps *Caps, def *lx.Domain) *lx.DomainInterface {
		model := "virtio"
		if m := machineOf(caps, def); !m.x86() && !m.pcie() {
			model = "" // let libvirt pick the machine's own
		}
		n := &lx.DomainInterface{
			MAC:    &lx.DomainInterfaceMAC{Address: freeMAC(def)},
			Source: &lx.DomainInterfaceSource{Network: &lx.DomainInterfaceSourceNetwork{Network: "default"}},
		}
		if model != "" {
			n.Model = &lx.DomainInterfaceModel{Type: model}
		}
		return n
	},
	sum:   nicSummary,
	valid: checkNIC,
	fix:   fixNIC,
	put: func(def *lx.Domain, n *lx.DomainInterface) {
		def.Devices.Interfaces = append(def.Devices.Interfaces, *n)
	},
})

// pointers returns pointers to a slice's elements, in order.
func pointers[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

// freeMAC returns a random MAC in QEMU's range that no NIC of def has.
func freeMAC(def *lx.Domain) string {
	for {
		m := RandomMAC()
		if !macUsed(def, m, nil) {
			return m
		}
	}
}

func macUsed(def *lx.Domain, mac string, self any) bool {
	if def == nil || def.Devices == nil {
		return false
	}
	for i := range def.Devices.Interfaces {
		n := &def.Devices.Interfaces[i]
		if any(n) != self && n.MAC != nil && strings.EqualFold(n.MAC.Address, mac) {
			return true
		}
	}
	return false
}

func nicType(n *lx.DomainInterface) string {
	s := n.Source
	switch {
	case s == nil:
		return ""
	case s.Network != nil:
		return "network"
	case s.Bridge != nil:
		if n.VirtualPort != nil && n.VirtualPort.Params != nil && n.VirtualPort.Params.OpenVSwitch != nil {
			return "openvswitch"
		}
		return "bridge"
	case s.Direct != nil:
		return "direct"
	case s.User != nil:
		return "user"
	case s.Hostdev != nil:
		return "hostdev"
	case s.Ethernet != nil:
		return "ethernet"
	case s.VHostUser != nil:
		return "vhostuser"
	case s.VDPA != nil:
		return "vdpa"
	case s.UDP != nil:
		return "udp"
	case s.MCast != nil:
		return "mcast"
	case s.Server != nil:
		return "server"
	case s.Client != nil:
		return "client"
	case s.Internal != nil:
		return "internal"
	case s.Null != nil:
		return "null"
	case s.VDS != nil:
		return "vds"
	}
	return ""
}

func isNIC(types ...string) func(*lx.DomainInterface) bool {
	return func(n *lx.DomainInterface) bool { return slices.Contains(types, nicType(n)) }
}

func isPasst(n *lx.DomainInterface) bool {
	return nicType(n) == "user" && n.Backend != nil && n.Backend.Type == "passt"
}

// bandwidthField builds one of the <bandwidth> rates. They change live
// through virDomainSetInterfaceParameters.
func bandwidthField(dir, what string) spec[lx.DomainInterface] {
	label := map[string]string{"inbound": "Inbound", "outbound": "Outbound"}[dir] + " " + what
	at := func(n *lx.DomainInterface, create bool) *int {
		if n.Bandwidth == nil {
			if !create {
				return nil
			}
			n.Bandwidth = &lx.DomainInterfaceBandwidth{}
		}
		p := &n.Bandwidth.Inbound
		if dir == "outbound" {
			p = &n.Bandwidth.Outbound
		}
		if *p == nil {
			if !create {
				return nil
			}
			*p = &lx.DomainInterfaceBandwidthParams{}
		}
		switch what {
		case "average":
			if (*p).Average == nil && create {
				(*p).Average = new(int)
			}
			return (*p).Average
		case "peak":
			if (*p).Peak == nil && create {
				(*p).Peak = new(int)
			}
			return (*p).Peak
		}
		if (*p).Burst == nil && create {
			(*p).Burst = new(int)
		}
		return (*p).Burst
	}
	f := spec[lx.DomainInterface]{
		Field: Field{Name: dir + "_" + what, Label: label, Type: TypeBandwidth, Optional: true, Live: true, Call: "SetInterfaceParameters",
			Help: "a rate like 10Mbit or 1MB/s (plain numbers are kB/s); empty for no limit"},
		when: func(n *lx.DomainInterface) bool { return nicType(n) != "hostdev" },
		get: func(n *lx.DomainInterface) string {
			p := at(n, false)
			if p == nil || *p <= 0 {
				return ""
			}
			if what == "burst" {
				return FormatSize(uint64(*p) * 1024)
			}
			return FormatBandwidth(uint64(*p))
		},
		set: func(n *lx.DomainInterface, s string) error {
			if s == "" || s == "0" {
				if p := at(n, false); p != nil {
					*p = 0
				}
				return nil
			}
			v := atou64(s)
			if v > 1<<31-1 {
				return fmt.Errorf("%s %s is above libvirt's limit of 2147483647 kB/s", label, s)
			}
			*at(n, true) = int(v)
			return nil
		},
	}
	if what == "burst" {
		f.Help = "how much may pass at peak speed, like 1MiB (plain numbers are KiB); empty for none"
		f.parse = func(s string) (string, error) {
			v, err := ParseBurst(s)
			if err != nil {
				return "", err
			}
			return strconv.FormatUint(v, 10), nil
		}
	}
	return f
}

func nicFields() []spec[lx.DomainInterface] {
	src := func(n *lx.DomainInterface) *lx.DomainInterfaceSource { return n.Source }
	return []spec[lx.DomainInterface]{
		{
			Field: Field{Name: "source_type", Label: "Connection", Type: TypeEnum, Choices: nicTypes,
				Help: "network: a libvirt network; bridge: a host bridge; direct: macvtap on a host NIC; openvswitch: an OVS bridge; user: no host setup (passt or slirp); hostdev: an SR-IOV VF"},
			get: nicType,
			set: func(n *lx.DomainInterface, s string) error {
				if s == nicType(n) {
					return nil
				}
				n.Source = &lx.DomainInterfaceSource{}
				n.VirtualPort, n.VLan, n.Backend, n.PortForward, n.Managed = nil, nil, nil, nil, ""
				switch s {
				case "network":
					n.Source.Network = &lx.DomainInterfaceSourceNetwork{Network: "default"}
				case "bridge":
					n.Source.Bridge = &lx.DomainInterfaceSourceBridge{Bridge: "br0"}
				case "openvswitch":
					n.Source.Bridge = &lx.DomainInterfaceSourceBridge{Bridge: "ovsbr0"}
					n.VirtualPort = &lx.DomainInterfaceVirtualPort{Params: &lx.DomainInterfaceVirtualPortParams{OpenVSwitch: &lx.DomainInterfaceVirtualPortParamsOpenVSwitch{}}}
				case "direct":
					n.Source.Direct = &lx.DomainInterfaceSourceDirect{Mode: "vepa"}
				case "user":
					n.Source.User = &lx.DomainInterfaceSourceUser{}
				case "hostdev":
					n.Source.Hostdev = &lx.DomainInterfaceSourceHostdev{PCI: &lx.DomainHostdevSubsysPCISource{}}
					n.Managed = "yes"
					n.Bandwidth = nil
				}
				return nil
			},
		},
		{
			Field: Field{Name: "network", Label: "Network", Type: TypeText, Help: "the libvirt network's name, like default"},
			when:  isNIC("network"),
			parse: parseObjectName("network"),
			get:   func(n *lx.DomainInterface) string { return src(n).Network.Network },
			set:   func(n *lx.DomainInterface, s string) error { src(n).Network.Network = s; return nil },
		},
		{
			Field: Field{Name: "bridge", Label: "Bridge", Type: TypeText, Help: "the host bridge's name, like br0"},
			when:  isNIC("bridge", "openvswitch"),
			parse: parseIfname("bridge"),
			get:   func(n *lx.DomainInterface) string { return src(n).Bridge.Bridge },
			set:   func(n *lx.DomainInterface, s string) error { src(n).Bridge.Bridge = s; return nil },
		},
		{
			Field: Field{Name: "dev", Label: "Host interface", Type: TypeText, Help: "the host NIC macvtap attaches to, like eno1"},
			when:  isNIC("direct"),
			parse: parseIfname("host interface"),
			get:   func(n *lx.DomainInterface) string { return src(n).Direct.Dev },
			set:   func(n *lx.DomainInterface, s string) error { src(n).Direct.Dev = s; return nil },
		},
		{
			Field: Field{Name: "direct_mode", Label: "macvtap mode", Type: TypeEnum, Choices: directMode,
				Help: "vepa: traffic goes through the switch; bridge: guests on this NIC see each other; private: isolated; passthrough: the whole NIC"},
			when: isNIC("direct"),
			get:  func(n *lx.DomainInterface) string { return src(n).Direct.Mode },
			set:  func(n *lx.DomainInterface, s string) error { src(n).Direct.Mode = s; return nil },
		},
		{
			Field: Field{Name: "vlan", Label: "VLAN", Type: TypeText, Optional: true,
				Help: "a VLAN tag 0-4095, or several separated by commas for a trunk"},
			when:  isNIC("openvswitch", "network", "hostdev"),
			parse: parseVLANs,
			get: func(n *lx.DomainInterface) string {
				if n.VLan == nil {
					return ""
				}
				var tags []string
				for _, t := range n.VLan.Tags {
					tags = append(tags, utoa(t.ID))
				}
				return strings.Join(tags, ",")
			},
			set: func(n *lx.DomainInterface, s string) error {
				n.VLan = nil
				if s == "" {
					return nil
				}
				v := &lx.DomainInterfaceVLan{}
				for t := range strings.SplitSeq(s, ",") {
					v.Tags = append(v.Tags, lx.DomainInterfaceVLanTag{ID: atou(t)})
				}
				if len(v.Tags) > 1 {
					v.Trunk = "yes"
				}
				n.VLan = v
				return nil
			},
		},
		{
			Field: Field{Name: "backend", Label: "User backend", Type: TypeEnum, Choices: []string{"slirp", "passt"}, Optional: true,
				Help: "passt is faster and can forward ports; slirp is QEMU's built-in"},
			choices: func(c *Caps) []string {
				if c.InterfaceBackends == nil {
					return nil
				}
				out := []string{"slirp"}
				if slices.Contains(c.InterfaceBackends, "passt") {
					out = append(out, "passt")
				}
				return out
			},
			when: isNIC("user"),
			get: func(n *lx.DomainInterface) string {
				if isPasst(n) {
					return "passt"
				}
				return "slirp"
			},
			set: func(n *lx.DomainInterface, s string) error {
				n.Backend = nil
				if s == "passt" {
					n.Backend = &lx.DomainInterfaceBackend{Type: "passt"}
				} else {
					n.PortForward = nil
				}
				return nil
			},
		},
		{
			Field: Field{Name: "port_forward", Label: "Port forwards", Type: TypeText, Optional: true,
				Help: "passt only: proto:host-ports[:guest-port] [exclude] [address=IP] [dev=IFACE], comma-separated, like tcp:2222:22,udp:5000-5010"},
			when:  isPasst,
			parse: parseOwnForwards,
			get:   func(n *lx.DomainInterface) string { return formatPortForwards(n.PortForward) },
			set: func(n *lx.DomainInterface, s string) error {
				n.PortForward = portForwards(s)
				return nil
			},
		},
		{
			Field: Field{Name: "pci", Label: "VF address", Type: TypePCI,
				Help: "the SR-IOV virtual function's host PCI address, like 0000:03:10.1"},
			when: isNIC("hostdev"),
			get: func(n *lx.DomainInterface) string {
				if p := src(n).Hostdev.PCI; p != nil {
					return pciAddrString(p.Address)
				}
				return ""
			},
			set: func(n *lx.DomainInterface, s string) error {
				src(n).Hostdev.PCI = &lx.DomainHostdevSubsysPCISource{Address: pciAddr(s)}
				return nil
			},
		},
		{
			Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: nicModels, Optional: true,
				Help: "the NIC the guest sees: virtio is fastest and needs guest drivers; e1000e works everywhere"},
			when: func(n *lx.DomainInterface) bool { return nicType(n) != "hostdev" },
			get: func(n *lx.DomainInterface) string {
				if n.Model == nil {
					return ""
				}
				return n.Model.Type
			},
			set: func(n *lx.DomainInterface, s string) error {
				n.Model = nil
				if s != "" {
					n.Model = &lx.DomainInterfaceModel{Type: s}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "mac", Label: "MAC address", Type: TypeMAC,
				Help: "unique on the network; libvirt's range is 52:54:00:xx:xx:xx"},
			get: func(n *lx.DomainInterface) string {
				if n.MAC == nil {
					return ""
				}
				return strings.ToLower(n.MAC.Address)
			},
			set: func(n *lx.DomainInterface, s string) error {
				n.MAC = &lx.DomainInterfaceMAC{Address: s}
				return nil
			},
		},
		{
			Field: Field{Name: "link_state", Label: "Link", Type: TypeEnum, Choices: []string{"up", "down"}, Live: true,
				Help: "down unplugs the virtual cable"},
			when: func(n *lx.DomainInterface) bool { return nicType(n) != "hostdev" },
			get: func(n *lx.DomainInterface) string {
				if n.Link != nil && n.Link.State == "down" {
					return "down"
				}
				return "up"
			},
			set: func(n *lx.DomainInterface, s string) error {
				n.Link = nil
				if s == "down" {
					n.Link = &lx.DomainInterfaceLink{State: "down"}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "mtu", Label: "MTU", Type: TypeNumber, Optional: true,
				Help: "bytes per frame, 68-65535; empty for the network's default"},
			min: 68, max: 65535,
			when: func(n *lx.DomainInterface) bool { return nicType(n) != "hostdev" },
			get: func(n *lx.DomainInterface) string {
				if n.MTU == nil {
					return ""
				}
				return optUtoa(n.MTU.Size)
			},
			set: func(n *lx.DomainInterface, s string) error {
				n.MTU = nil
				if s != "" {
					n.MTU = &lx.DomainInterfaceMTU{Size: atou(s)}
				}
				return nil
			},
		},
		bandwidthField("inbound", "average"),
		bandwidthField("inbound", "peak"),
		bandwidthField("inbound", "burst"),
		bandwidthField("outbound", "average"),
		bandwidthField("outbound", "peak"),
		bandwidthField("outbound", "burst"),
		bootOrderField(func(n *lx.DomainInterface) **lx.DomainDeviceBoot { return &n.Boot }),
	}
}

func parseIfname(what string) func(string) (string, error) {
	return func(s string) (string, error) {
		if !ifnameRE.MatchString(s) {
			return "", fmt.Errorf("invalid %s %q: expected a host interface name of up to 15 letters, digits, '.', '_' or '-', like br0", what, s)
		}
		return s, nil
	}
}

func parseVLANs(s string) (string, error) {
	var tags []string
	seen := map[uint64]bool{}
	for t := range strings.SplitSeq(s, ",") {
		t = strings.TrimSpace(t)
		v, err := parseDecimalField(t)
		if err != nil || v > 4095 {
			return "", fmt.Errorf("invalid VLAN %q: %q is not a tag from 0 to 4095; expected a tag like 10, or tags like 10,20 for a trunk", s, t)
		}
		if seen[v] {
			return "", fmt.Errorf("invalid VLAN %q: tag %d is listed twice", s, v)
		}
		seen[v] = true
		tags = append(tags, strconv.FormatUint(v, 10))
	}
	return strings.Join(tags, ","), nil
}

// Port forwards for passt, one range per comma-separated term:
// "tcp:2222:22" forwards host port 2222 to guest port 22, "udp:5000-5010"
// a range to the same ports. Options after a space: "exclude" (leave
// these out of a wider range), "address=IP" and "dev=IFACE" (where the
// host listens). Consecutive terms with the same protocol, address and
// device share one <portForward>, as libvirt writes them.
func parsePortForwards(s string) (string, error) {
	var out []string
	for term := range strings.SplitSeq(s, ",") {
		n, err := parsePortForward(strings.TrimSpace(term))
		if err != nil {
			return "", err
		}
		out = append(out, n)
	}
	return strings.Join(out, ","), nil
}

func parsePortForward(term string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("invalid port forward %q: %s; expected proto:host-ports[:guest-port] [exclude] [address=IP] [dev=IFACE], like tcp:2222:22 or udp:5000-5010", term, why)
	}
	words := strings.Fields(term)
	if len(words) == 0 {
		return "", bad("it is empty")
	}
	parts := strings.Split(words[0], ":")
	if len(parts) < 2 || len(parts) > 3 {
		return "", bad("wrong number of ':'")
	}
	proto := strings.ToLower(parts[0])
	if proto != "tcp" && proto != "udp" {
		return "", bad("the protocol must be tcp or udp")
	}
	port := func(p string) (uint64, error) {
		v, err := parseDecimalField(p)
		if err != nil || v < 1 || v > 65535 {
			return 0, bad(fmt.Sprintf("%q is not a port from 1 to 65535", p))
		}
		return v, nil
	}
	lo, hi, isRange := strings.Cut(parts[1], "-")
	a, err := port(lo)
	if err != nil {
		return "", err
	}
	norm := proto + ":" + strconv.FormatUint(a, 10)
	if isRange {
		b, err := port(hi)
		if err != nil {
			return "", err
		}
		if b < a {
			return "", bad("the range runs backwards")
		}
		norm += "-" + strconv.FormatUint(b, 10)
	}
	if len(parts) == 3 {
		to, err := port(parts[2])
		if err != nil {
			return "", err
		}
		norm += ":" + strconv.FormatUint(to, 10)
	}
	var exclude bool
	var addr, dev string
	for _, w := range words[1:] {
		k, v, _ := strings.Cut(w, "=")
		switch {
		case w == "exclude" && !exclude:
			exclude = true
		case k == "address" && addr == "":
			ip := net.ParseIP(v)
			if ip == nil {
				return "", bad(fmt.Sprintf("%q is not an IP address", v))
			}
			addr = ip.String()
		case k == "dev" && dev == "":
			if !ifnameRE.MatchString(v) {
				return "", bad(fmt.Sprintf("%q is not a host interface name", v))
			}
			dev = v
		default:
			return "", bad(fmt.Sprintf("unknown or repeated option %q", w))
		}
	}
	if exclude {
		norm += " exclude"
	}
	if addr != "" {
		norm += " address=" + addr
	}
	if dev != "" {
		norm += " dev=" + dev
	}
	return norm, nil
}

// portForwards turns normalized terms into libvirt's elements.
func portForwards(s string) []lx.DomainInterfaceSourcePortForward {
	if s == "" {
		return nil
	}
	var out []lx.DomainInterfaceSourcePortForward
	for term := range strings.SplitSeq(s, ",") {
		words := strings.Fields(term)
		parts := strings.Split(words[0], ":")
		lo, hi, _ := strings.Cut(parts[1], "-")
		r := lx.DomainInterfaceSourcePortForwardRange{Start: atou(lo), End: atou(hi)}
		if len(parts) == 3 {
			r.To = atou(parts[2])
		}
		f := lx.DomainInterfaceSourcePortForward{Proto: parts[0]}
		for _, w := range words[1:] {
			k, v, _ := strings.Cut(w, "=")
			switch k {
			case "exclude":
				r.Exclude = "yes"
			case "address":
				f.Address = v
			case "dev":
				f.Dev = v
			}
		}
		if n := len(out); n > 0 && out[n-1].Proto == f.Proto && out[n-1].Address == f.Address && out[n-1].Dev == f.Dev {
			out[n-1].Ranges = append(out[n-1].Ranges, r)
			continue
		}
		f.Ranges = []lx.DomainInterfaceSourcePortForwardRange{r}
		out = append(out, f)
	}
	return out
}

func formatPortForwards(pf []lx.DomainInterfaceSourcePortForward) string {
	var out []string
	for _, f := range pf {
		for _, r := range f.Ranges {
			t := f.Proto + ":" + utoa(r.Start)
			if r.End != 0 {
				t += "-" + utoa(r.End)
			}
			if r.To != 0 {
				t += ":" + utoa(r.To)
			}
			if r.Exclude == "yes" {
				t += " exclude"
			}
			if f.Address != "" {
				t += " address=" + f.Address
			}
			if f.Dev != "" {
				t += " dev=" + f.Dev
			}
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}

func fixNIC(n *lx.DomainInterface, _ ctx) {
	if b := n.Bandwidth; b != nil {
		for _, p := range []**lx.DomainInterfaceBandwidthParams{&b.Inbound, &b.Outbound} {
			if *p == nil {
				continue
			}
			for _, v := range []**int{&(*p).Average, &(*p).Peak, &(*p).Burst} {
				if *v != nil && **v == 0 {
					*v = nil
				}
			}
			if **p == (lx.DomainInterfaceBandwidthParams{}) {
				*p = nil
			}
		}
		if b.Inbound == nil && b.Outbound == nil {
			n.Bandwidth = nil
		}
	}
}

func checkNIC(n *lx.DomainInterface, c ctx) error {
	if n.MAC == nil || n.MAC.Address == "" {
		return fmt.Errorf("the NIC has no MAC address")
	}
	if macUsed(c.def, n.MAC.Address, c.orig) {
		return fmt.Errorf("MAC %s is already used by another NIC of this VM", n.MAC.Address)
	}
	switch nicType(n) {
	case "":
		return fmt.Errorf("the NIC has no connection; choose network, bridge, direct, openvswitch, user or hostdev")
	case "network":
		if n.Source.Network.Network == "" {
			return fmt.Errorf("the NIC needs a network name")
		}
	case "bridge", "openvswitch":
		if n.Source.Bridge.Bridge == "" {
			return fmt.Errorf("the NIC needs a bridge name")
		}
	case "direct":
		if n.Source.Direct.Dev == "" {
			return fmt.Errorf("a macvtap NIC needs the host interface it attaches to")
		}
	case "hostdev":
		if n.Source.Hostdev.PCI == nil || n.Source.Hostdev.PCI.Address == nil {
			return fmt.Errorf("an SR-IOV NIC needs the virtual function's PCI address")
		}
	}
	if len(n.PortForward) > 0 && !isPasst(n) {
		return fmt.Errorf("port forwards need the passt backend")
	}
	if b := n.Bandwidth; b != nil {
		for dir, p := range map[string]*lx.DomainInterfaceBandwidthParams{"inbound": b.Inbound, "outbound": b.Outbound} {
			if p != nil && (p.Average == nil || *p.Average == 0) && (p.Peak != nil || p.Burst != nil) {
				return fmt.Errorf("%s peak and burst need an %s average rate", dir, dir)
			}
		}
	}
	return checkBootOrder(n.Boot, c)
}

func nicSummary(n *lx.DomainInterface) string {
	model := ""
	if n.Model != nil {
		model = n.Model.Type
	}
	mac := ""
	if n.MAC != nil {
		mac = n.MAC.Address
	}
	head := strings.TrimSpace(model + " NIC " + mac)
	var conn string
	s := n.Source
	switch t := nicType(n); t {
	case "network":
		conn = "network " + s.Network.Network
	case "bridge":
		conn = "bridge " + s.Bridge.Bridge
	case "openvswitch":
		conn = "openvswitch " + s.Bridge.Bridge
	case "direct":
		conn = fmt.Sprintf("macvtap %s (%s)", s.Direct.Dev, s.Direct.Mode)
	case "user":
		conn = "user"
		if isPasst(n) {
			conn = "user (passt)"
		}
	case "hostdev":
		addr := ""
		if s.Hostdev.PCI != nil {
			addr = pciAddrString(s.Hostdev.PCI.Address)
		}
		conn = "SR-IOV VF " + addr
	default:
		conn = t
	}
	if n.VLan != nil && len(n.VLan.Tags) > 0 {
		var tags []string
		for _, t := range n.VLan.Tags {
			tags = append(tags, utoa(t.ID))
		}
		conn += " vlan " + strings.Join(tags, ",")
	}
	link := ""
	if n.Link != nil && n.Link.State == "down" {
		link = "link down"
	}
	return joinSummary(head, conn, link)
}

// CheckIfname refuses what cannot be a host interface name.
func CheckIfname(s string) error {
	if !ifnameRE.MatchString(s) {
		return fmt.Errorf("%q is not an interface name (up to 15 letters, digits, ., _ or -)", s)
	}
	return nil
}
