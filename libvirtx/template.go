package libvirtx

import (
	"errors"

	"libvirt.org/go/libvirt"
)

// A template is a VM kept to be cloned: kvmtui marks it with an element
// of its own in the domain's <metadata>, so every kvmtui on every host
// sees the mark, and asks before starting one (its linked clones read its
// disks, which must not change).

// TemplateNS is the namespace of kvmtui's mark in a domain's metadata.
const TemplateNS = "https://kvmtui.dev/xmlns/template/1"

// SetTemplate marks a VM as a template, or takes the mark off.
func (m *Manager) SetTemplate(ref Ref, on bool) error {
	if m.readOnly {
		return ErrReadOnly
	}
	defer m.refreshLater(ref, "template")
	return m.withDomain(ref, func(d *libvirt.Domain) error {
		if p, err := d.IsPersistent(); err == nil && !p {
			return errors.New(ref.Name + " is transient: only a defined VM can be a template")
		}
		flags := libvirt.DOMAIN_AFFECT_CONFIG
		if active, _ := d.IsActive(); active {
			flags |= libvirt.DOMAIN_AFFECT_LIVE
		}
		mark := ""
		if on {
			mark = "<template/>"
		}
		return d.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, mark, "kvmtui", TemplateNS, flags)
	})
}

// Templates reads the marks of a connection's shut-off VMs, by UUID: one
// listing, then one call per VM, several in flight (a command's quick
// listing has no definitions, which hold the marks).
func (m *Manager) Templates(uri string) (map[string]bool, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return nil, err
	}
	defer done()
	doms, err := lc.ListAllDomains(libvirt.CONNECT_LIST_DOMAINS_INACTIVE)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	marked := make([]string, len(doms))
	fanout(len(doms), func(i int) {
		defer doms[i].Free()
		if _, err := doms[i].GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, TemplateNS, libvirt.DOMAIN_AFFECT_CONFIG); err == nil {
			marked[i], _ = doms[i].GetUUIDString()
		}
	})
	out := map[string]bool{}
	for _, u := range marked {
		if u != "" {
			out[u] = true
		}
	}
	return out, nil
}

// IsTemplate reads the mark of one VM (a command's quick listing does not
// read the definitions that hold it).
func (m *Manager) IsTemplate(ref Ref) (bool, error) {
	marked := false
	err := m.withDomain(ref, func(d *libvirt.Domain) error {
		_, err := d.GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, TemplateNS, libvirt.DOMAIN_AFFECT_CONFIG)
		var le libvirt.Error
		switch {
		case err == nil:
			marked = true
		case errors.As(err, &le) && le.Code == libvirt.ERR_NO_DOMAIN_METADATA:
		default:
			return err
		}
		return nil
	})
	return marked, err
}
