package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// copiesDiffer tells libvirt's "no such device" answers to a detach: the
// device may be there, but the copy asked for differs from the one it has.
func copiesDiffer(err error) bool {
	var le libvirt.Error
	return errors.As(err, &le) && (le.Code == libvirt.ERR_DEVICE_MISSING ||
		le.Code == libvirt.ERR_INVALID_ARG && strings.Contains(le.Message, "not present"))
}

// errNoTwin: the running VM has no copy of the device (it was added to the
// definition only, or the guest already let it go).
var errNoTwin = errors.New("the running VM has no copy of it")

// detachLiveTwin unplugs the running VM's copy of a device taken from the
// definition. The running copy may carry an address the definition lacks
// (first try: the device without its address), or, for a character device,
// a pty or socket path and an agent state libvirt adds at start (then: the
// one running device with the same target, by its alias).
func detachLiveTwin(d *libvirt.Domain, deviceXML string) error {
	err := d.DetachDeviceFlags(withoutAddress(deviceXML), libvirt.DOMAIN_DEVICE_MODIFY_LIVE)
	if !copiesDiffer(err) {
		return err
	}
	raw, e := d.GetXMLDesc(0)
	if e != nil {
		return err
	}
	alias, e := liveTwinAlias(raw, deviceXML)
	switch {
	case errors.Is(e, errNoTwin):
		return e
	case e != nil:
		return fmt.Errorf("%s (%v)", ErrText(err), e)
	}
	return d.DetachDeviceAlias(alias, libvirt.DOMAIN_DEVICE_MODIFY_LIVE)
}

// liveTwinAlias returns the alias of the running VM's copy of a character
// device (serial, console, parallel, channel), found by its target.
func liveTwinAlias(liveXML, deviceXML string) (string, error) {
	want := &libvirtxml.Domain{}
	if err := want.Unmarshal("<domain><devices>" + deviceXML + "</devices></domain>"); err != nil {
		return "", err
	}
	wanted := devices.List(want)
	if len(wanted) != 1 {
		return "", errors.New("not one device")
	}
	key, _ := chardevTarget(wanted[0])
	if key == "" {
		// libvirt finds other kinds by what identifies them (target dev,
		// MAC, source): missing twice means the VM does not have it.
		return "", errNoTwin
	}
	live := &libvirtxml.Domain{}
	if err := live.Unmarshal(liveXML); err != nil {
		return "", err
	}
	var found []string
	for _, it := range devices.List(live) {
		if k, alias := chardevTarget(it); it.Kind == wanted[0].Kind && k == key && alias != "" {
			found = append(found, alias)
		}
	}
	switch len(found) {
	case 0:
		return "", errNoTwin
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%d running devices have the target %s", len(found), key)
}

// chardevTarget identifies a character device by what the definition and
// the running VM share, its target (libvirt makes up the rest at start),
// and returns its alias; "" for other kinds.
func chardevTarget(it devices.Item) (key, alias string) {
	dev, err := it.Device(nil)
	if err != nil {
		return "", ""
	}
	port := func(p *uint) string {
		if p == nil {
			return "?"
		}
		return fmt.Sprint(*p)
	}
	aliasOf := func(a *libvirtxml.DomainAlias) string {
		if a == nil {
			return ""
		}
		return a.Name
	}
	switch v := dev.Value().(type) {
	case *libvirtxml.DomainChannel:
		switch t := v.Target; {
		case t == nil:
		case t.VirtIO != nil:
			return "virtio:" + t.VirtIO.Name, aliasOf(v.Alias)
		case t.Xen != nil:
			return "xen:" + t.Xen.Name, aliasOf(v.Alias)
		case t.GuestFWD != nil:
			return "guestfwd:" + t.GuestFWD.Address + ":" + t.GuestFWD.Port, aliasOf(v.Alias)
		}
	case *libvirtxml.DomainSerial:
		if v.Target != nil {
			return "serial:" + port(v.Target.Port), aliasOf(v.Alias)
		}
	case *libvirtxml.DomainConsole:
		if v.Target != nil {
			return "console:" + v.Target.Type + ":" + port(v.Target.Port), aliasOf(v.Alias)
		}
	case *libvirtxml.DomainParallel:
		if v.Target != nil {
			return "parallel:" + port(v.Target.Port), aliasOf(v.Alias)
		}
	}
	return "", ""
}

// withoutAddress drops the device's <address> element.
func withoutAddress(doc string) string {
	d := xml.NewDecoder(strings.NewReader(doc))
	depth := 0
	var start int64 = -1
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return doc
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == "address" {
				start = before
			}
		case xml.EndElement:
			if depth == 2 && t.Name.Local == "address" && start >= 0 {
				return doc[:start] + doc[d.InputOffset():]
			}
			depth--
		}
	}
}
