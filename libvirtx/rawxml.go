package libvirtx

import (
	"errors"
	"fmt"

	"libvirt.org/go/libvirt"
)

// ObjectKind is what a raw XML edit edits.
type ObjectKind string

const (
	ObjDomain  ObjectKind = "domain"
	ObjNetwork ObjectKind = "network"
	ObjPool    ObjectKind = "pool"
	ObjFilter  ObjectKind = "nwfilter"
)

// ObjectXML returns the persistent (inactive) definition of a domain
// (by UUID), network, storage pool or network filter (by name), as `virsh
// edit` opens it.
func (m *Manager) ObjectXML(uri string, kind ObjectKind, id string) (string, error) {
	if kind == ObjFilter {
		return m.NWFilterXML(uri, id)
	}
	lc, done, err := m.lconn(uri)
	if err != nil {
		return "", err
	}
	defer done()
	var out string
	switch kind {
	case ObjDomain:
		err = m.withDomain(Ref{URI: uri, UUID: id, Name: id}, func(d *libvirt.Domain) error {
			out, err = d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE)
			return err
		})
		return out, err
	case ObjNetwork:
		n, err := lc.LookupNetworkByName(id)
		if err != nil {
			return "", errors.New(ErrText(err))
		}
		defer n.Free()
		out, err = n.GetXMLDesc(libvirt.NETWORK_XML_INACTIVE)
		if unsupportedFlags(err) { // the test driver keeps no inactive copy
			out, err = n.GetXMLDesc(0)
		}
		if err != nil {
			return "", errors.New(ErrText(err))
		}
		return out, nil
	case ObjPool:
		p, err := lc.LookupStoragePoolByName(id)
		if err != nil {
			return "", errors.New(ErrText(err))
		}
		defer p.Free()
		out, err = p.GetXMLDesc(libvirt.STORAGE_XML_INACTIVE)
		if unsupportedFlags(err) {
			out, err = p.GetXMLDesc(0)
		}
		if err != nil {
			return "", errors.New(ErrText(err))
		}
		return out, nil
	}
	return "", fmt.Errorf("unknown object kind %q", kind)
}

// DefineObject defines a domain, network or pool from XML, asking libvirt to
// validate it against its schema first (the DEFINE_VALIDATE flags), as
// `virsh edit` does.
func (m *Manager) DefineObject(uri string, kind ObjectKind, xml string) error {
	if m.readOnly {
		return ErrReadOnly
	}
	if kind == ObjFilter {
		_, err := m.DefineNWFilter(uri, xml) // checks what it includes first
		return err
	}
	lc, done, err := m.lconn(uri)
	if err != nil {
		return err
	}
	defer done()
	switch kind {
	case ObjDomain:
		d, err := lc.DomainDefineXMLFlags(xml, libvirt.DOMAIN_DEFINE_VALIDATE)
		if err != nil {
			return errors.New(ErrText(err))
		}
		uuid, _ := d.GetUUIDString()
		name, _ := d.GetName()
		d.Free()
		m.refreshLater(Ref{URI: uri, UUID: uuid, Name: name}, "defined")
	case ObjNetwork:
		n, err := lc.NetworkDefineXMLFlags(xml, libvirt.NETWORK_DEFINE_VALIDATE)
		if err != nil {
			return errors.New(ErrText(err))
		}
		n.Free()
	case ObjPool:
		p, err := lc.StoragePoolDefineXML(xml, libvirt.STORAGE_POOL_DEFINE_VALIDATE)
		if err != nil {
			return errors.New(ErrText(err))
		}
		p.Free()
	default:
		return fmt.Errorf("unknown object kind %q", kind)
	}
	return nil
}
