package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// NWFilter is a network filter as the :nwfilter page lists it.
type NWFilter struct {
	URI, Name, UUID, Chain string
	Priority               int
	Rules                  int
	Refs                   []string // the filters it includes
	Users                  []string // what references it: "VM (NIC mac)" or "filter NAME"
	Bound                  []string // running NICs it is applied to: "vnet0 (VM)"
}

// FilterBinding is a filter applied to a running VM's NIC.
type FilterBinding struct {
	PortDev, MAC, Filter, Owner string
}

// NWFilters lists a connection's network filters by name, each with the
// VM NICs (persistent or live definitions) and filters that reference it.
func (m *Manager) NWFilters(uri string) ([]NWFilter, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	fs, err := lc.ListAllNWFilters(0)
	if err != nil {
		return nil, fmt.Errorf("listing the network filters: %s", ErrText(err))
	}
	var out []NWFilter
	for i := range fs {
		doc, err := fs[i].GetXMLDesc(0)
		fs[i].Free()
		if err != nil {
			continue // gone since the listing
		}
		x := &libvirtxml.NWFilter{}
		if x.Unmarshal(doc) != nil {
			continue
		}
		f := NWFilter{URI: uri, Name: x.Name, UUID: x.UUID, Chain: x.Chain, Priority: x.Priority}
		for _, e := range x.Entries {
			if e.Rule != nil {
				f.Rules++
			}
			if e.Ref != nil {
				f.Refs = append(f.Refs, e.Ref.Filter)
			}
		}
		out = append(out, f)
	}
	users, err := nicFilterUsers(lc)
	if err != nil {
		return nil, err
	}
	bound, err := bindings(lc)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, b := range bound {
			if b.Filter == out[i].Name {
				out[i].Bound = append(out[i].Bound, b.PortDev+" ("+b.Owner+")")
			}
		}
		out[i].Users = users[out[i].Name]
		for _, o := range out {
			if slices.Contains(o.Refs, out[i].Name) {
				out[i].Users = append(out[i].Users, "filter "+o.Name)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// nicFilterUsers maps a filter's name to the VM NICs referencing it, in
// each VM's persistent definition and, when running, its live one.
func nicFilterUsers(lc *libvirt.Connect) (map[string][]string, error) {
	ds, err := lc.ListAllDomains(0)
	if err != nil {
		return nil, fmt.Errorf("listing the VMs: %s", ErrText(err))
	}
	users := map[string][]string{}
	for i := range ds {
		name, _ := ds[i].GetName()
		flags := []libvirt.DomainXMLFlags{libvirt.DOMAIN_XML_INACTIVE}
		if active, _ := ds[i].IsActive(); active {
			flags = append(flags, 0)
		}
		for _, fl := range flags {
			doc, err := ds[i].GetXMLDesc(fl)
			if err != nil {
				continue
			}
			var x listXML
			if xml.Unmarshal([]byte(doc), &x) != nil {
				continue
			}
			for _, nic := range x.NICs {
				if f := nic.FilterRef.Filter; f != "" {
					u := fmt.Sprintf("%s (NIC %s)", name, nic.MAC.Address)
					if !slices.Contains(users[f], u) {
						users[f] = append(users[f], u)
					}
				}
			}
		}
		ds[i].Free()
	}
	return users, nil
}

// bindings lists the filters applied to running VMs' NICs.
func bindings(lc *libvirt.Connect) ([]FilterBinding, error) {
	bs, err := lc.ListAllNWFilterBindings(0)
	if err != nil {
		return nil, fmt.Errorf("listing the filter bindings: %s", ErrText(err))
	}
	var out []FilterBinding
	for i := range bs {
		doc, err := bs[i].GetXMLDesc(0)
		bs[i].Free()
		x := &libvirtxml.NWFilterBinding{}
		if err != nil || x.Unmarshal(doc) != nil {
			continue
		}
		b := FilterBinding{}
		if x.PortDev != nil {
			b.PortDev = x.PortDev.Name
		}
		if x.MAC != nil {
			b.MAC = x.MAC.Address
		}
		if x.FilterRef != nil {
			b.Filter = x.FilterRef.Filter
		}
		if x.Owner != nil {
			b.Owner = x.Owner.Name
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PortDev < out[j].PortDev })
	return out, nil
}

// NWFilterXML is a filter's definition.
func (m *Manager) NWFilterXML(uri, name string) (string, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return "", err
	}
	defer done()
	f, err := lc.LookupNWFilterByName(name)
	if err != nil {
		return "", fmt.Errorf("no network filter %q on %s", name, uri)
	}
	defer f.Free()
	doc, err := f.GetXMLDesc(0)
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	return doc, nil
}

// CheckNWFilter refuses a filter document that is malformed, unnamed or
// includes a filter the host does not have (libvirt would accept it and
// fail only when a VM starts).
func CheckNWFilter(doc string, have []string) (*libvirtxml.NWFilter, error) {
	x := &libvirtxml.NWFilter{}
	if err := x.Unmarshal(doc); err != nil {
		return nil, fmt.Errorf("not a network filter document: %v", err)
	}
	if strings.TrimSpace(x.Name) == "" {
		return nil, errors.New("the filter has no name")
	}
	for _, e := range x.Entries {
		if e.Ref != nil && e.Ref.Filter != x.Name && !slices.Contains(have, e.Ref.Filter) {
			return nil, fmt.Errorf("filter %s includes filter %q, which this host does not have", x.Name, e.Ref.Filter)
		}
		if e.Ref != nil && e.Ref.Filter == x.Name {
			return nil, fmt.Errorf("filter %s includes itself", x.Name)
		}
	}
	return x, nil
}

// DefineNWFilter checks a filter document against the host's filters and
// defines it (replacing the filter of that name, as virsh nwfilter-define
// does).
func (m *Manager) DefineNWFilter(uri, doc string) (name string, err error) {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return "", err
	}
	defer done()
	have, err := lc.ListNWFilters()
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	x, err := CheckNWFilter(doc, have)
	if err != nil {
		return "", err
	}
	if doc, err = withUUIDOf(lc, x, doc); err != nil {
		return "", err
	}
	f, err := lc.NWFilterDefineXMLFlags(doc, libvirt.NWFILTER_DEFINE_VALIDATE)
	if err != nil {
		return "", errors.New(ErrText(err))
	}
	f.Free()
	return x.Name, nil
}

// withUUIDOf gives a document without a UUID the UUID of the filter it
// replaces: libvirt refuses a second filter of the same name otherwise.
// The document is rewritten only when libvirtxml keeps all of it.
func withUUIDOf(lc *libvirt.Connect, x *libvirtxml.NWFilter, doc string) (string, error) {
	if x.UUID != "" {
		return doc, nil
	}
	f, err := lc.LookupNWFilterByName(x.Name)
	if err != nil {
		return doc, nil // a new filter
	}
	defer f.Free()
	if x.UUID, err = f.GetUUIDString(); err != nil {
		return "", errors.New(ErrText(err))
	}
	if loss, err := devices.CheckRoundTrip(devices.KindNWFilter, doc); err != nil || loss != nil {
		return "", fmt.Errorf("filter %s exists: give its <uuid> to replace it", x.Name)
	}
	return x.Marshal()
}

// CopyNWFilter defines a new filter with the rules of an existing one (a
// shipped one such as clean-traffic as a starting point).
func (m *Manager) CopyNWFilter(uri, from, name string) error {
	doc, err := m.NWFilterXML(uri, from)
	if err != nil {
		return err
	}
	x := &libvirtxml.NWFilter{}
	if err := x.Unmarshal(doc); err != nil {
		return err
	}
	if _, err := m.NWFilterXML(uri, name); err == nil {
		return fmt.Errorf("a network filter named %q exists", name)
	}
	x.Name, x.UUID = name, ""
	doc, err = x.Marshal()
	if err != nil {
		return err
	}
	_, err = m.DefineNWFilter(uri, doc)
	return err
}

// UndefineNWFilter removes a filter no VM NIC and no filter references,
// naming them otherwise.
func (m *Manager) UndefineNWFilter(uri, name string) error {
	if m.readOnly {
		return ErrReadOnly
	}
	fs, err := m.NWFilters(uri)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(fs, func(f NWFilter) bool { return f.Name == name })
	if i < 0 {
		return fmt.Errorf("no network filter %q on %s", name, uri)
	}
	if u := fs[i].Users; len(u) > 0 {
		return fmt.Errorf("filter %s is in use by %s: drop the references first", name, strings.Join(u, ", "))
	}
	lc, done, err := m.lconn(uri)
	if err != nil {
		return err
	}
	defer done()
	f, err := lc.LookupNWFilterByName(name)
	if err != nil {
		return fmt.Errorf("no network filter %q on %s", name, uri)
	}
	defer f.Free()
	if err := f.Undefine(); err != nil {
		return errors.New(ErrText(err))
	}
	return nil
}
