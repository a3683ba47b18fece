package libvirtx

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"net"
	"path"
	"slices"
	"strings"

	"libvirt.org/go/libvirt"
)

// Inventory lists every domain of the connection with its snapshot: the
// states and flags of all of them from a few connection-wide calls (see
// bulk), then one call per domain for its definition, several in flight.
func (c *Conn) Inventory() ([]Domain, error) {
	lc, done, err := c.get()
	if err != nil {
		return nil, err
	}
	defer done()
	return inventory(c.uri, lc, readBulk(c.uri, lc))
}

func inventory(uri string, lc *libvirt.Connect, b *bulk) ([]Domain, error) {
	doms, err := lc.ListAllDomains(0)
	if err != nil {
		return nil, err
	}
	snaps := make([]Domain, len(doms))
	ok := make([]bool, len(doms))
	fanout(len(doms), func(i int) {
		// A domain can vanish between the list and the look: skip it, its
		// undefine event follows.
		snap, err := snapshotDomain(uri, &doms[i], b)
		snaps[i], ok[i] = snap, err == nil
		doms[i].Free()
	})
	out := make([]Domain, 0, len(doms))
	for i, d := range snaps {
		if ok[i] {
			out = append(out, d)
		}
	}
	return out, nil
}

// bulk is what a few connection-wide calls tell of every domain, in place
// of calls per domain: one stats call (state, vCPUs, memory) and three
// filtered listings (persistent, autostarted, with a managed save).
// Everything but what only the definitions hold: titles, OS, addresses.
type bulk struct {
	doms     map[string]Domain // by UUID
	complete bool              // every domain has its state: the listing can be shown as it is
	sized    bool              // every domain has its vCPUs and memory (the test driver's stats give states only)
}

// readBulk makes those calls; nil when one fails (a driver without them):
// the domains are then asked one by one.
func readBulk(uri string, lc *libvirt.Connect) *bulk {
	recs, err := allDomainStats(lc, libvirt.DOMAIN_STATS_STATE|libvirt.DOMAIN_STATS_VCPU|libvirt.DOMAIN_STATS_BALLOON, 0)
	if err != nil {
		return nil
	}
	var flags [3]map[string]bool
	for i, f := range []libvirt.ConnectListAllDomainsFlags{libvirt.CONNECT_LIST_DOMAINS_PERSISTENT,
		libvirt.CONNECT_LIST_DOMAINS_AUTOSTART, libvirt.CONNECT_LIST_DOMAINS_MANAGEDSAVE} {
		doms, err := lc.ListAllDomains(f)
		if err != nil {
			return nil
		}
		flags[i] = map[string]bool{}
		for j := range doms {
			if uuid, err := doms[j].GetUUIDString(); err == nil {
				flags[i][uuid] = true
			}
			doms[j].Free()
		}
	}
	b := &bulk{doms: map[string]Domain{}, complete: true, sized: true}
	for _, r := range recs {
		st, ok := r.get("state.state")
		if !ok {
			b.complete = false
			continue
		}
		reason, _ := r.get("state.reason")
		d := Domain{Ref: Ref{URI: uri, UUID: r.uuid, Name: r.name}, State: State(st), Reason: int(reason),
			Persistent: flags[0][r.uuid], Autostart: flags[1][r.uuid], ManagedSave: flags[2][r.uuid]}
		cur, okCur := r.get("vcpu.current")
		maxv, okMax := r.get("vcpu.maximum")
		mem, okMem := r.get("balloon.current")
		b.sized = b.sized && okCur && okMax && okMem
		d.VCPUs, d.MaxVCPUs, d.MemoryKiB = int(cur), int(maxv), mem
		d.MaxMemKiB, _ = r.get("balloon.maximum")
		b.doms[r.uuid] = d
	}
	return b
}

// listing is the bulk's domains as a first, partial inventory; false when
// the driver's stats lack a domain's state.
func (b *bulk) listing() ([]Domain, bool) {
	if b == nil || !b.complete {
		return nil, false
	}
	out := make([]Domain, 0, len(b.doms))
	for _, d := range b.doms {
		out = append(out, d)
	}
	return out, true
}

// domain is one domain from the bulk; false when unknown (no bulk, or a
// domain defined since).
func (b *bulk) domain(uuid string) (Domain, bool) {
	if b == nil {
		return Domain{}, false
	}
	d, ok := b.doms[uuid]
	return d, ok
}

// Domain reads one domain's snapshot by UUID.
func (c *Conn) Domain(uuid string) (Domain, error) {
	lc, done, err := c.get()
	if err != nil {
		return Domain{}, err
	}
	defer done()
	d, err := lc.LookupDomainByUUIDString(uuid)
	if err != nil {
		return Domain{}, err
	}
	defer d.Free()
	return snapshotDomain(c.uri, d, nil)
}

// listXML is the part of a domain's XML the list shows; decoding only this is
// far cheaper than the full libvirtxml model.
type listXML struct {
	Title string `xml:"title"`
	VCPU  struct {
		Current int `xml:"current,attr"`
		Max     int `xml:",chardata"`
	} `xml:"vcpu"`
	Memory  sizedValue `xml:"memory"`
	Current sizedValue `xml:"currentMemory"`
	OS      struct {
		ID string `xml:"id,attr"`
	} `xml:"metadata>libosinfo>os"`
	Channels []struct {
		Target struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"` // a running VM's: connected or disconnected
		} `xml:"target"`
	} `xml:"devices>channel"`
	Templates []struct {
		XMLName xml.Name // kvmtui's has TemplateNS; another program's <template> is not
	} `xml:"metadata>template"`
	NICs []struct {
		Type   string `xml:"type,attr"`
		Source struct {
			Network string `xml:"network,attr"`
		} `xml:"source"`
		MAC struct {
			Address string `xml:"address,attr"`
		} `xml:"mac"`
		FilterRef struct {
			Filter string `xml:"filter,attr"`
		} `xml:"filterref"`
	} `xml:"devices>interface"`
}

type sizedValue struct {
	Unit  string `xml:"unit,attr"`
	Value uint64 `xml:",chardata"`
}

// KiB converts a libvirt <memory unit=…> value to KiB.
func (v sizedValue) KiB() uint64 {
	switch strings.ToLower(v.Unit) {
	case "b", "bytes":
		return v.Value / 1024
	case "", "k", "kib":
		return v.Value
	case "kb":
		return v.Value * 1000 / 1024
	case "m", "mib":
		return v.Value * 1024
	case "mb":
		return v.Value * 1000 * 1000 / 1024
	case "g", "gib":
		return v.Value * 1024 * 1024
	case "gb":
		return v.Value * 1000 * 1000 * 1000 / 1024
	case "t", "tib":
		return v.Value * 1024 * 1024 * 1024
	}
	return v.Value
}

// snapshotDomain reads one domain; b, when known, has its state and flags.
func snapshotDomain(uri string, d *libvirt.Domain, b *bulk) (Domain, error) {
	var s Domain
	var err error
	s.URI = uri
	if s.Name, err = d.GetName(); err != nil {
		return s, err
	}
	if s.UUID, err = d.GetUUIDString(); err != nil {
		return s, err
	}
	if q, ok := b.domain(s.UUID); ok {
		s.State, s.Reason, s.Persistent, s.Autostart, s.ManagedSave = q.State, q.Reason, q.Persistent, q.Autostart, q.ManagedSave
	} else {
		state, reason, err := d.GetState()
		if err != nil {
			return s, err
		}
		s.State, s.Reason = State(state), reason
		s.Persistent, _ = d.IsPersistent()
		if s.Persistent {
			s.Autostart, _ = d.GetAutostart()
			s.ManagedSave, _ = d.HasManagedSaveImage(0)
		}
	}
	raw, err := d.GetXMLDesc(0)
	if err != nil {
		return s, err
	}
	var x listXML
	if err := xml.Unmarshal([]byte(raw), &x); err != nil {
		return s, fmt.Errorf("domain %s: reading its XML: %w", s.Name, err)
	}
	s.Title = x.Title
	s.MaxVCPUs = x.VCPU.Max
	s.VCPUs = x.VCPU.Current
	if s.VCPUs == 0 {
		s.VCPUs = s.MaxVCPUs
	}
	s.MaxMemKiB = x.Memory.KiB()
	s.MemoryKiB = x.Current.KiB()
	if s.MemoryKiB == 0 {
		s.MemoryKiB = s.MaxMemKiB
	}
	s.OS = shortOSID(x.OS.ID)
	for _, t := range x.Templates {
		s.Template = s.Template || t.XMLName.Space == TemplateNS
	}
	for _, nic := range x.NICs {
		if nic.Type == "network" && !slices.Contains(s.Networks, nic.Source.Network) {
			s.Networks = append(s.Networks, nic.Source.Network)
		}
		if nic.MAC.Address != "" {
			s.MACs = append(s.MACs, strings.ToLower(nic.MAC.Address))
		}
	}
	for _, ch := range x.Channels {
		if ch.Target.Name == "org.qemu.guest_agent.0" {
			s.Agent = cmp.Or(ch.Target.State, AgentConfigured)
		}
	}
	if (s.State == StateRunning || s.State == StatePaused) && ipQuerySafe(uri, d, &x) {
		s.IPs = leaseIPs(d)
		if len(s.IPs) == 0 && s.Agent == AgentConnected { // a bridged NIC: no lease, but the guest knows
			s.IPs = agentIPs(d)
		}
	}
	return s, nil
}

// ipQuerySafe guards against a libvirt 9.0 test-driver crash: its
// virDomainInterfaceAddresses dereferences the <ip> of the network each NIC
// is on, and segfaults for a network without one (a bridge-forward network).
func ipQuerySafe(uri string, d *libvirt.Domain, x *listXML) bool {
	if !strings.HasPrefix(uri, "test:") {
		return true
	}
	lc, err := d.DomainGetConnect()
	if err != nil {
		return false
	}
	defer lc.Close() // drops only the reference DomainGetConnect took
	for _, nic := range x.NICs {
		if nic.Type != "network" {
			continue
		}
		n, err := lc.LookupNetworkByName(nic.Source.Network)
		if err != nil {
			return false
		}
		raw, err := n.GetXMLDesc(0)
		n.Free()
		if err != nil || !strings.Contains(raw, "<ip") {
			return false
		}
	}
	return true
}

// shortOSID turns "http://debian.org/debian/12" into "debian12", the short id
// users know from virt-install --os-variant.
func shortOSID(id string) string {
	if id == "" {
		return ""
	}
	id = strings.TrimRight(id, "/")
	ver := path.Base(id)
	family := path.Base(path.Dir(id))
	if family == "." || family == "/" || strings.Contains(family, ".") {
		return ver
	}
	return family + ver
}

// leaseIPs asks the DHCP leases of libvirt's networks. It is one call and
// needs no guest agent; guests on bridges show no address here.
// agentIPs are the guest's addresses as its agent says, but loopback and
// link-local ones.
func agentIPs(d *libvirt.Domain) []string {
	ifaces, err := d.ListAllInterfaceAddresses(libvirt.DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)
	if err != nil {
		return nil
	}
	var ips []string
	for _, i := range ifaces {
		for _, a := range i.Addrs {
			if ip := net.ParseIP(a.Addr); ip != nil && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
				ips = append(ips, a.Addr)
			}
		}
	}
	return ips
}

func leaseIPs(d *libvirt.Domain) []string {
	ifaces, err := d.ListAllInterfaceAddresses(libvirt.DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE)
	if err != nil {
		return nil
	}
	var ips []string
	for _, i := range ifaces {
		for _, a := range i.Addrs {
			ips = append(ips, a.Addr)
		}
	}
	return ips
}
