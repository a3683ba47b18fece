package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// copiesDiffer tells libvirt's "no such device" answers to a detach: the
// device is there, but the copy asked for differs from the one it has.
func copiesDiffer(err error) bool {
	var le libvirt.Error
	return errors.As(err, &le) && (le.Code == libvirt.ERR_DEVICE_MISSING ||
		le.Code == libvirt.ERR_INVALID_ARG && strings.Contains(le.Message, "not present"))
}

// detachLiveTwin unplugs the running VM's copy of a device taken from the
// definition. The running copy may carry an address the definition lacks,
// or a socket or pty path libvirt made up at start: first the device
// without its address, else the one running device that matches it apart
// from those, by its alias.
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
	if e != nil {
		return fmt.Errorf("%s (%v)", ErrText(err), e)
	}
	return d.DetachDeviceAlias(alias, libvirt.DOMAIN_DEVICE_MODIFY_LIVE)
}

var (
	aliasAttr   = regexp.MustCompile(`<alias name="([^"]+)"`)
	betweenTags = regexp.MustCompile(`>\s+<`)
)

// liveTwinAlias finds, in the running VM's XML, the one device of the same
// kind as deviceXML that equals it once alias, address and generated
// source paths are set aside, and returns its alias.
func liveTwinAlias(liveXML, deviceXML string) (string, error) {
	want := &libvirtxml.Domain{}
	if err := want.Unmarshal("<domain><devices>" + deviceXML + "</devices></domain>"); err != nil {
		return "", err
	}
	wanted := devices.List(want)
	if len(wanted) != 1 {
		return "", errors.New("not one device")
	}
	live := &libvirtxml.Domain{}
	if err := live.Unmarshal(liveXML); err != nil {
		return "", err
	}
	key := func(it devices.Item) string {
		x, _ := it.XML()
		return betweenTags.ReplaceAllString(withoutElements(x, "alias", "address", "source"), "><")
	}
	wantKey := key(wanted[0])
	var found []string
	for _, it := range devices.List(live) {
		if it.Kind != wanted[0].Kind || key(it) != wantKey {
			continue
		}
		x, _ := it.XML()
		if m := aliasAttr.FindStringSubmatch(x); m != nil {
			found = append(found, m[1])
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("%d running devices match it", len(found))
	}
	return found[0], nil
}

// withoutAddress drops the device's <address> element.
func withoutAddress(doc string) string { return withoutElements(doc, "address") }

// withoutElements drops the device's direct children with these names.
func withoutElements(doc string, names ...string) string {
	d := xml.NewDecoder(strings.NewReader(doc))
	depth, start := 0, int64(-1)
	var out strings.Builder
	last := int64(0)
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			out.WriteString(doc[last:])
			return out.String()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && start < 0 && slices.Contains(names, t.Name.Local) {
				start = before
			}
		case xml.EndElement:
			if depth == 2 && start >= 0 {
				out.WriteString(doc[last:start])
				last, start = d.InputOffset(), -1
			}
			depth--
		}
	}
}
