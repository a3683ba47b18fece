package libvirtx

import (
	"encoding/xml"
	"fmt"
	"path"
	"strings"

	"libvirt.org/go/libvirt"
)

// Inventory lists every domain of the connection with its snapshot.
func (c *Conn) Inventory() ([]Domain, error) {
	lc, done, err := c.get()
	if err != nil {
		return nil, err
	}
	defer done()
	doms, err := lc.ListAllDomains(0)
	if err != nil {
		return nil, err
	}
	out := make([]Domain, 0, len(doms))
	for i := range doms {
		// A domain can vanish between the list and the look: skip it, its
		// undefine event follows.
		if snap, err := snapshotDomain(c.uri, &doms[i]); err == nil {
			out = append(out, snap)
		}
		doms[i].Free()
	}
	return out, nil
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
	return snapshotDomain(c.uri, d)
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
	NICs []struct {
		Type   string `xml:"type,attr"`
		Source struct {
			Network string `xml:"network,attr"`
		} `xml:"source"`
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

func snapshotDomain(uri string, d *libvirt.Domain) (Domain, error) {
	var s Domain
	var err error
	s.URI = uri
	if s.Name, err = d.GetName(); err != nil {
		return s, err
	}
	if s.UUID, err = d.GetUUIDString(); err != nil {
		return s, err
	}
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
	if (s.State == StateRunning || s.State == StatePaused) && ipQuerySafe(uri, d, &x) {
		s.IPs = leaseIPs(d)
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
