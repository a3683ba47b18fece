package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// A template is a VM kept to be cloned: kvmtui marks it with an element
// of its own in the domain's <metadata>, so every kvmtui on every host
// sees the mark, and asks before starting one (its linked clones read its
// disks, which must not change).

// TemplateNS is the namespace of kvmtui's mark in a domain's metadata.
const TemplateNS = "https://kvmtui.dev/xmlns/template/1"

// templateMark is kvmtui's mark. ReadOnly lists the disk targets linked
// clones made read-only (protectBase): taking the mark off makes them
// writable again, once no clone reads them.
type templateMark struct {
	XMLName  xml.Name `xml:"template"`
	ReadOnly string   `xml:"readonly,attr,omitempty"`
}

// readMark returns a VM's mark, and whether it has one.
func readMark(d *libvirt.Domain) (templateMark, bool) {
	var mark templateMark
	raw, err := d.GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, TemplateNS, libvirt.DOMAIN_AFFECT_CONFIG)
	if err != nil {
		return mark, false
	}
	_ = xml.Unmarshal([]byte(raw), &mark)
	return mark, true
}

// writeMark sets the mark (nil: takes it off), in the definition and, on a
// running VM, live.
func writeMark(d *libvirt.Domain, mark *templateMark) error {
	flags := libvirt.DOMAIN_AFFECT_CONFIG
	if active, _ := d.IsActive(); active {
		flags |= libvirt.DOMAIN_AFFECT_LIVE
	}
	text := ""
	if mark != nil {
		b, err := xml.Marshal(mark)
		if err != nil {
			return err
		}
		text = string(b)
	}
	return d.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, text, "kvmtui", TemplateNS, flags)
}

// SetTemplate marks a VM as a template, or takes the mark off. Off, the
// disks its linked clones made read-only become writable again, unless a
// clone still reads them: then it stays a template, and the error names
// the clones.
func (m *Manager) SetTemplate(ref Ref, on bool) error {
	if m.readOnly {
		return ErrReadOnly
	}
	defer m.refreshLater(ref, "template")
	return m.withConnDomain(ref, func(lc *libvirt.Connect, d *libvirt.Domain) error {
		if p, err := d.IsPersistent(); err == nil && !p {
			return errors.New(ref.Name + " is transient: only a defined VM can be a template")
		}
		mark, marked := readMark(d)
		switch {
		case on && marked:
			return nil // keep what it records
		case on:
			return writeMark(d, &templateMark{})
		case !marked:
			return nil
		}
		if targets := strings.Fields(mark.ReadOnly); len(targets) > 0 {
			if err := releaseBase(lc, d, ref.Name, targets); err != nil {
				return err
			}
		}
		return writeMark(d, nil)
	})
}

// releaseBase makes a template's disk targets writable again, unless a
// linked clone reads one of their images.
func releaseBase(lc *libvirt.Connect, d *libvirt.Domain, name string, targets []string) error {
	plan, err := planClone(lc, d)
	if err != nil {
		return errors.New(ErrText(err))
	}
	images := map[string]bool{}
	for _, cd := range plan.Disks {
		if slices.Contains(targets, cd.Target) && cd.Source != "" {
			images[cd.Source] = true
		}
	}
	clones, err := overlaysOn(lc, images)
	if err != nil {
		return fmt.Errorf("it stays a template: its linked clones could not be looked for: %s", ErrText(err))
	}
	if len(clones) > 0 {
		return fmt.Errorf("it stays a template: its linked clones read its disks (%s); delete them first", strings.Join(clones, ", "))
	}
	before, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE)
	if err != nil {
		return errors.New(ErrText(err))
	}
	if _, err := setReadOnly(lc, name, before, func(t string) bool { return slices.Contains(targets, t) }, false); err != nil {
		return fmt.Errorf("%s's disks could not be made writable again: %s", name, ErrText(err))
	}
	return nil
}

// setReadOnly redefines the VM (its definition before) with the disks whose
// targets pick chooses read-only, or writable, and returns the targets it
// changed.
func setReadOnly(lc *libvirt.Connect, name, before string, pick func(target string) bool, ro bool) ([]string, error) {
	var changed []string
	after, _, err := planRedefine(name, before, func(def *libvirtxml.Domain) error {
		changed = changed[:0]
		for i := range def.Devices.Disks {
			dk := &def.Devices.Disks[i]
			if dk.Target == nil || !pick(dk.Target.Dev) || (dk.ReadOnly != nil) == ro {
				continue
			}
			dk.ReadOnly = nil
			if ro {
				dk.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
			}
			changed = append(changed, dk.Target.Dev)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	nd, err := lc.DomainDefineXMLFlags(after, libvirt.DOMAIN_DEFINE_VALIDATE)
	if err != nil {
		return nil, err
	}
	nd.Free()
	return changed, nil
}

// overlaysOn names the VMs (or, unused, the images) whose disk images in
// the host's active pools are overlays on one of images. A pool that
// cannot be listed is an error: a clone in it would be missed.
func overlaysOn(lc *libvirt.Connect, images map[string]bool) ([]string, error) {
	pools, err := lc.ListAllStoragePools(libvirt.CONNECT_LIST_STORAGE_POOLS_ACTIVE)
	if err != nil {
		return nil, err
	}
	defer func() {
		for i := range pools {
			pools[i].Free()
		}
	}()
	var found []string
	for i := range pools {
		vs, err := pools[i].ListAllStorageVolumes(0)
		if err != nil {
			return nil, err
		}
		for j := range vs {
			if v, err := readVolume("", "", &vs[j]); err == nil && images[v.Backing] {
				found = append(found, v.Path)
			}
			vs[j].Free()
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	users, _ := diskUsers(lc, "")
	var out []string
	for _, path := range found {
		if u := users[path]; len(u) > 0 {
			out = append(out, u...)
		} else {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
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
