package libvirtx

import (
	"errors"
	"fmt"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// LossError refuses a form edit: the element it changes holds something
// kvmtui's editor does not model (Why names it), so the edit could lose or
// contradict it. The user can edit the raw XML instead.
type LossError struct {
	Name string
	Why  *devices.PatchError
}

func (e *LossError) Error() string {
	return fmt.Sprintf("%s: %s; a form edit could lose or contradict it: edit the XML instead", e.Name, e.Why)
}

// Redefine changes the inactive definition where libvirt has no call of its
// own for the change, as a patch on the definition as libvirt wrote it
// (devices.PatchDomain): what libvirtxml does not model stays. It refuses
// (LossError) an edit of an element that holds such a thing; after
// defining, it re-reads the definition and checks that nothing but the
// intended change happened, restoring the old definition if something else
// changed.
func (m *Manager) Redefine(ref Ref, change func(*libvirtxml.Domain) error) (Applied, error) {
	if m.readOnly {
		return Applied{}, ErrReadOnly
	}
	var a Applied
	err := m.withConnDomain(ref, func(lc *libvirt.Connect, d *libvirt.Domain) error {
		var err error
		if a, err = target(d, false); err != nil {
			return err
		}
		before, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE)
		if err != nil {
			return err
		}
		after, intended, err := planRedefine(ref.Name, before, change)
		if err != nil {
			return err
		}
		if len(intended) == 0 {
			a = Applied{Running: a.Running} // nothing to do, and nothing done
			return nil
		}
		nd, err := lc.DomainDefineXMLFlags(after, libvirt.DOMAIN_DEFINE_VALIDATE)
		if err != nil {
			return err
		}
		nd.Free()
		reread, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE)
		if err != nil {
			return err
		}
		if extra := unintended(before, reread, intended); len(extra) > 0 {
			if rd, rerr := lc.DomainDefineXMLFlags(before, 0); rerr == nil {
				rd.Free()
			}
			return fmt.Errorf("libvirt changed more than intended, so the old definition was restored: %s", extra[0])
		}
		return nil
	})
	if err != nil {
		var le *LossError
		if errors.As(err, &le) {
			return Applied{}, le
		}
		return Applied{}, err
	}
	m.refreshLater(ref, "redefined")
	return a, nil
}

// planRedefine applies change to before as a patch (devices.PatchDomain)
// and returns the new XML with the differences it makes.
func planRedefine(name, before string, change func(*libvirtxml.Domain) error) (string, []devices.Difference, error) {
	after, intended, err := devices.PatchDomain(before, change)
	var pe *devices.PatchError
	if errors.As(err, &pe) {
		return "", nil, &LossError{Name: name, Why: pe}
	}
	return after, intended, err
}

// unintended lists what changed between before and reread beyond the
// intended differences. What libvirt only adds (defaults, addresses of new
// devices) is expected; anything dropped or changed outside the intended
// paths is not.
func unintended(before, reread string, intended []devices.Difference) []devices.Difference {
	got, err := devices.DiffDocs(before, reread)
	if err != nil {
		return []devices.Difference{{Kind: devices.Malformed, Path: "/", After: err.Error()}}
	}
	var out []devices.Difference
	for _, d := range got {
		if d.Kind == devices.ElementAdded || d.Kind == devices.AttrAdded {
			continue
		}
		if devices.Covered(d, intended) {
			continue
		}
		out = append(out, d)
	}
	return out
}
