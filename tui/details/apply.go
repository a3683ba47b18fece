package details

import (
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// Applying what the user did: a form's changes, a new device, a removed
// one (and its volume), a volume created for a new disk.

// applyForm sends the form's changes to libvirt the way libvirt intends.
func (d *Page) applyForm() tea.Cmd {
	f := d.form
	if f == nil {
		return nil
	}
	if bad := f.Invalid(); bad != nil {
		d.ctx.SetMsg(bad.Label+": "+bad.Err, true)
		return nil
	}
	if d.adding == nil && !f.Dirty() {
		d.ctx.SetMsg("nothing to apply", false)
		return nil
	}
	ref, mgr, running := d.dom.Ref, d.ctx.Mgr, d.dom.State.Active()
	switch t := f.Target.(type) {
	case *sectionForm:
		return d.applySettings(t, f.Changed())
	case *devices.Device:
		xml, err := t.XML()
		if err != nil {
			d.ctx.SetMsg(err.Error(), true)
			return nil
		}
		what := strings.ToLower(t.Kind.Title)
		path := t.Get("path")
		newDisk := d.adding != nil && t.Kind.ID == "disk"
		var op func() (libvirtx.Applied, error)
		switch {
		case d.adding != nil:
			live := running && t.Hotplug() == ""
			op = func() (libvirtx.Applied, error) {
				if t.Kind.DefineOnly {
					return mgr.Redefine(ref, t.AddTo)
				}
				a, err := mgr.ModifyDevice(ref, libvirtx.Attach, xml, live)
				if errors.Is(err, libvirtx.ErrUnsupported) && !running {
					a, err = mgr.Redefine(ref, t.AddTo)
				}
				return a, err
			}
			what = "added " + what
		case running && f.AllLive():
			before, err := d.items[d.nodes[d.cursor].item].XML()
			if err != nil {
				d.ctx.SetMsg(err.Error(), true)
				return nil
			}
			op = func() (libvirtx.Applied, error) { return mgr.UpdateDevice(ref, before, xml, true) }
		default:
			// No live change: the persistent definition, behind the guard.
			it := d.items[d.nodes[d.cursor].item]
			kindID, index := it.Kind.ID, it.Index
			op = func() (libvirtx.Applied, error) {
				return mgr.Redefine(ref, func(def *libvirtxml.Domain) error {
					x, err := findItem(def, kindID, index)
					if err != nil {
						return err
					}
					return x.Replace(t)
				})
			}
		}
		mac := t.Get("mac")
		nicIndex := -1 // a new NIC
		if d.adding == nil {
			nicIndex = d.items[d.nodes[d.cursor].item].Index
		}
		forwards, _ := devices.ParseForwards(t.Get("port_forward"))
		return func() tea.Msg {
			// A host port another NIC forwards is refused too.
			if t.Kind.ID == "nic" {
				if err := mgr.PortClash(ref.URI, ref.UUID, nicIndex, forwards); err != nil {
					return detailsAppliedMsg{what: what, err: err}
				}
			}
			// A MAC another VM has, or a source path the host does not have,
			// is refused before libvirt sees the change; for a new disk, a
			// volume can be created there.
			if mac != "" {
				if owner, _ := mgr.MACOwner(ref.URI, mac, ref.UUID); owner != "" {
					return detailsAppliedMsg{what: what, err: fmt.Errorf("MAC %s is already used by %s: pick another", mac, owner)}
				}
			}
			if path != "" {
				if exists, known := mgr.PathExists(ref.URI, path); known && !exists {
					if newDisk && mgr.PoolHolds(ref.URI, path) {
						return needVolumeMsg{path: path, format: t.Get("format"), op: op, what: what}
					}
					return detailsAppliedMsg{what: what, err: fmt.Errorf("%s does not exist on the host: pick an existing path or volume", path)}
				}
			}
			a, err := op()
			return detailsAppliedMsg{what: what, applied: a, err: err}
		}
	}
	return nil
}

func (d *Page) applied(msg detailsAppliedMsg) tea.Cmd {
	if msg.err != nil {
		var le *libvirtx.LossError
		if errors.As(msg.err, &le) {
			d.ctx.SetMsg(le.Error()+" (press e)", true)
			return nil
		}
		what := msg.what
		if kind, ok := strings.CutPrefix(what, "added "); ok {
			what = kind + " not added" // nothing was: say so first
		}
		d.ctx.SetMsg(what+": "+msg.err.Error(), true)
		d.stale = true // part of it may have happened (the definition, not the running VM)
		return d.reloadIfStale()
	}
	d.ctx.SetMsg(fmt.Sprintf("%s: %s", msg.what, msg.applied), false)
	if msg.volume {
		d.offerVolumeDelete(msg.path)
	}
	if d.adding != nil {
		d.focusKind = d.adding.Kind.ID // the reload puts the cursor on it
	}
	d.inForm, d.adding, d.stale = false, nil, false
	d.resetForm() // until the reload brings the new definition
	return d.reload()
}

// removeDevice asks, then detaches the device under the cursor.
func (d *Page) removeDevice() {
	n := d.nodes[d.cursor]
	if n.kind != nodeDevice {
		d.ctx.SetMsg("select a device to remove", true)
		return
	}
	it := d.items[n.item]
	xml, err := it.XML()
	if err != nil {
		d.ctx.SetMsg(err.Error(), true)
		return
	}
	dev, err := it.Device(d.caps)
	live := err == nil && d.dom.State.Active() && dev.Hotplug() == ""
	ref, mgr := d.dom.Ref, d.ctx.Mgr
	when := ""
	if d.dom.State.Active() && !live {
		when = " (it stays until shutdown)"
	}
	kindID, index := it.Kind.ID, it.Index
	var path string
	if dev != nil && (it.Kind.ID == "disk") {
		path = dev.Get("path")
	}
	d.confirm = &widget.Confirm{
		Prompt: fmt.Sprintf("Remove %s from %s%s?", it.Summary, d.dom.Name, when),
		Run: func() tea.Msg {
			a, err := mgr.DetachDevice(ref, xml, live)
			if errors.Is(err, libvirtx.ErrUnsupported) && !live {
				a, err = mgr.Redefine(ref, func(def *libvirtxml.Domain) error { return removeItem(def, kindID, index) })
			}
			msg := detailsAppliedMsg{what: "removed " + strings.ToLower(it.Kind.Title), applied: a, err: err}
			if err == nil && path != "" {
				msg.volume, _, _ = mgr.VolumeFate(ref.URI, path, ref.UUID)
				if msg.volume {
					msg.path = path
				}
			}
			return msg
		},
	}
}

// offerVolumeDelete asks whether the removed disk's volume goes too.
func (d *Page) offerVolumeDelete(path string) {
	mgr, uri := d.ctx.Mgr, d.dom.URI
	d.confirm = &widget.Confirm{
		Prompt: fmt.Sprintf("Also delete the volume %s? No other VM uses it; its data is lost.", path),
		Run: func() tea.Msg {
			err := mgr.DeleteVolume(uri, path)
			return detailsAppliedMsg{what: "deleted volume " + path, applied: libvirtx.Applied{Config: true}, err: err}
		},
	}
}

// needVolumeMsg: a new disk's path does not exist yet; ask for the size of
// a volume to create there.
type needVolumeMsg struct {
	path, format, what string
	op                 func() (libvirtx.Applied, error)
}

// createVolumeThen creates the volume and attaches the disk; if attaching
// fails, the new volume is deleted again so nothing is left behind.
func createVolumeThen(mgr *libvirtx.Manager, uri string, nv needVolumeMsg, bytes uint64) tea.Cmd {
	return func() tea.Msg {
		format := nv.format
		if format != "raw" {
			format = "qcow2"
		}
		if err := mgr.CreateVolumeAt(uri, nv.path, bytes, format); err != nil {
			return detailsAppliedMsg{what: nv.what, err: err}
		}
		a, err := nv.op()
		if err != nil {
			if derr := mgr.DeleteVolume(uri, nv.path); derr != nil {
				err = fmt.Errorf("%v; and the new volume could not be removed: %v", err, derr)
			}
		}
		return detailsAppliedMsg{what: nv.what + " with a new volume", applied: a, err: err}
	}
}

// findItem finds a device again in a freshly read definition by its kind
// and its position among that kind's devices.
func findItem(def *libvirtxml.Domain, kindID string, index int) (devices.Item, error) {
	for _, x := range devices.List(def) {
		if x.Kind.ID == kindID && x.Index == index {
			return x, nil
		}
	}
	return devices.Item{}, fmt.Errorf("the device is no longer in the definition")
}

func removeItem(def *libvirtxml.Domain, kindID string, index int) error {
	x, err := findItem(def, kindID, index)
	if err != nil {
		return err
	}
	return x.Remove()
}

// volumeSizeEntered creates the volume of the size typed and attaches the
// new disk on it.
func (d *Page) volumeSizeEntered(val string) tea.Cmd {
	if d.needVol == nil {
		return nil
	}
	nv := *d.needVol
	d.needVol = nil
	bytes, err := devices.ParseSize(val, "GiB")
	if err != nil || bytes == 0 {
		if err == nil {
			err = errors.New("a volume needs a size above zero")
		}
		d.ctx.SetMsg(err.Error(), true)
		return nil
	}
	d.ctx.SetMsg("creating "+nv.path+"…", false)
	return createVolumeThen(d.ctx.Mgr, d.dom.URI, nv, bytes)
}
