package devices

import (
	"errors"
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"

	"kvmtui/xmlpatch"
)

// PatchError refuses an edit that cannot be carried onto the definition
// as written without losing or contradicting something libvirtxml does
// not model. It names that something.
type PatchError struct {
	Path string // the element, /domain/devices/interface[2]/source
	What string // what it holds: portgroup="pg"
}

func (e *PatchError) Error() string {
	return fmt.Sprintf("%s holds %s, which kvmtui's editor does not model", e.Path, e.What)
}

// PatchDomain changes a domain definition the way change changes
// libvirtxml's model of it, as a patch on the document: what change does
// to the model (libvirtxml's view of before, then of after) is applied to
// before itself, so what libvirtxml drops — another program's attribute,
// a vendor element, metadata — stays as written. It returns the new
// definition and its differences from before.
//
// It refuses (*PatchError) when change edits an element that holds
// something libvirtxml did not read, and when the result, read back
// through libvirtxml, is not what change made or differs from before
// outside what change touched. A change of nothing returns before.
func PatchDomain(before string, change func(*libvirtxml.Domain) error) (string, []Difference, error) {
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(before); err != nil {
		return "", nil, fmt.Errorf("libvirtxml cannot read this domain: %w", err)
	}
	base, err := marshalDomain(def)
	if err != nil {
		return "", nil, err
	}
	if err := change(def); err != nil {
		return "", nil, err
	}
	next, err := marshalDomain(def)
	if err != nil {
		return "", nil, err
	}
	return patch(before, base, next, func(doc string) (string, error) {
		d := &libvirtxml.Domain{}
		if err := d.Unmarshal(doc); err != nil {
			return "", err
		}
		return marshalDomain(d)
	})
}

func marshalDomain(d *libvirtxml.Domain) (string, error) {
	s, err := d.Marshal()
	if err != nil {
		return "", fmt.Errorf("libvirtxml cannot write this domain: %w", err)
	}
	return schemaOrder(s), nil
}

// PatchElement carries the change from base to next (one element as
// libvirtxml writes it, before and after a form's edit) onto orig, the
// same element as libvirt wrote it. See PatchDomain.
func PatchElement(orig, base, next string) (string, error) {
	after, _, err := patch(orig, base, next, nil)
	return strings.TrimSuffix(after, "\n"), err
}

// patch merges base→next onto orig and checks the result: through
// model (libvirtxml's round trip, nil for none) it reads as next, and it
// differs from orig only where base and next differ.
func patch(orig, base, next string, model func(string) (string, error)) (string, []Difference, error) {
	intended, err := DiffDocs(base, next)
	if err != nil {
		return "", nil, err
	}
	if len(intended) == 0 {
		return orig, nil, nil
	}
	od, err := xmlpatch.Parse([]byte(orig))
	if err != nil {
		return "", nil, err
	}
	bd, err := xmlpatch.Parse([]byte(base))
	if err != nil {
		return "", nil, err
	}
	nd, err := xmlpatch.Parse([]byte(next))
	if err != nil {
		return "", nil, err
	}
	root, err := xmlpatch.Merge(od.Root, bd.Root, nd.Root)
	var c *xmlpatch.Conflict
	if errors.As(err, &c) {
		return "", nil, &PatchError{Path: c.Path, What: c.What}
	}
	if err != nil {
		return "", nil, err
	}
	od.Root = root
	after := od.String()
	if model != nil {
		seen, err := model(after)
		if err != nil {
			return "", nil, err
		}
		if d, _ := DiffDocs(next, seen); len(d) > 0 {
			return "", nil, &PatchError{Path: d[0].Path, What: "configuration the edit could not be placed next to (" + d[0].String() + ")"}
		}
	}
	made, err := DiffDocs(orig, after)
	if err != nil {
		return "", nil, err
	}
	for _, d := range made {
		if !Covered(d, intended) {
			return "", nil, &PatchError{Path: d.Path, What: "configuration the edit would change by the way (" + d.String() + ")"}
		}
	}
	return after, made, nil
}

// Covered: a difference inside (or at, or around) one of the intended
// ones' paths.
func Covered(d Difference, intended []Difference) bool {
	for _, i := range intended {
		if d.Path == i.Path || hasPathPrefix(d.Path, i.Path) || hasPathPrefix(i.Path, d.Path) {
			return true
		}
	}
	return false
}

func hasPathPrefix(p, prefix string) bool {
	return len(p) > len(prefix) && p[:len(prefix)] == prefix && (p[len(prefix)] == '/' || p[len(prefix)] == '[')
}

// FindDevice cuts out of a domain definition, as written, the device
// element that libvirtxml reads as dev (one device as Item.XML or
// Device.XML writes it): what device calls should carry, so an attribute
// libvirtxml lacks is not dropped from the device by an update.
func FindDevice(domain, dev string) (string, error) {
	want, err := deviceRoundTrip(dev)
	if err != nil {
		return "", err
	}
	doc, err := xmlpatch.Parse([]byte(domain))
	if err != nil {
		return "", err
	}
	wd, err := xmlpatch.Parse([]byte(want))
	if err != nil {
		return "", err
	}
	for _, list := range doc.Root.Elements() {
		if list.Name.Local != "devices" {
			continue
		}
		for _, el := range list.Elements() {
			if el.Name.Local != wd.Root.Name.Local {
				continue
			}
			got, err := deviceRoundTrip(el.String())
			if err != nil {
				continue
			}
			if d, err := DiffDocs(want, got); err == nil && len(d) == 0 {
				return el.String(), nil
			}
		}
	}
	return "", fmt.Errorf("the definition has no <%s> like this one any more: reload and try again", wd.Root.Name.Local)
}

// deviceRoundTrip is one device element as libvirtxml reads and writes it.
func deviceRoundTrip(dev string) (string, error) {
	d := &libvirtxml.Domain{}
	if err := d.Unmarshal("<domain><devices>" + dev + "</devices></domain>"); err != nil {
		return "", fmt.Errorf("libvirtxml cannot read this device: %w", err)
	}
	s, err := marshalDomain(d)
	if err != nil {
		return "", err
	}
	doc, err := xmlpatch.Parse([]byte(s))
	if err != nil {
		return "", err
	}
	for _, list := range doc.Root.Elements() {
		if list.Name.Local == "devices" {
			if els := list.Elements(); len(els) == 1 {
				return els[0].String(), nil
			}
		}
	}
	return "", errors.New("not one device element")
}
