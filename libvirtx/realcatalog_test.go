package libvirtx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// attachOrRedefine is what the details view does: the device call, or for a
// shut-off VM whose driver has no such call, a guarded redefine.
func attachOrRedefine(m *Manager, ref Ref, dev *devices.Device, live bool) error {
	xml, err := dev.XML()
	if err != nil {
		return err
	}
	if dev.Kind.DefineOnly {
		_, err = m.Redefine(ref, dev.AddTo)
		return err
	}
	_, err = m.ModifyDevice(ref, Attach, xml, live)
	if errors.Is(err, ErrUnsupported) && !live {
		_, err = m.Redefine(ref, dev.AddTo)
	}
	return err
}

func detachOrRedefine(m *Manager, ref Ref, kindID string, index int, xml string, live bool) error {
	_, err := m.ModifyDevice(ref, Detach, xml, live)
	if errors.Is(err, ErrUnsupported) && !live {
		_, err = m.Redefine(ref, func(def *libvirtxml.Domain) error {
			for _, it := range devices.List(def) {
				if it.Kind.ID == kindID && it.Index == index {
					return it.Remove()
				}
			}
			return errors.New("device gone")
		})
	}
	return err
}

// deviceCounts counts a definition's devices by their XML, so a device
// keeps its identity when libvirt reorders its siblings (controllers are
// kept sorted by type); kinds says each XML's kind.
func deviceCounts(t *testing.T, xml string) (n map[string]int, kinds map[string]*devices.Kind, def *libvirtxml.Domain) {
	t.Helper()
	def = &libvirtxml.Domain{}
	if err := def.Unmarshal(xml); err != nil {
		t.Fatal(err)
	}
	n, kinds = map[string]int{}, map[string]*devices.Kind{}
	for _, it := range devices.List(def) {
		x, err := it.XML()
		if err != nil {
			t.Fatal(err)
		}
		n[x]++
		kinds[x] = it.Kind
	}
	return n, kinds, def
}

// sameApartFrom fails unless after is before plus (or minus) devices of
// kind k, and controllers libvirt adds for them (a root port for a new PCIe
// device); everything outside <devices> must be unchanged. It returns how
// many devices of k were added.
func sameApartFrom(t *testing.T, what, before, after string, k *devices.Kind) int {
	t.Helper()
	nb, kb, db := deviceCounts(t, before)
	na, ka, da := deviceCounts(t, after)
	delta := 0
	for x, c := range nb {
		// Live too: every earlier unplug was waited for until the guest let
		// the device go (hotplugRoundTrip), so none leaves late.
		if na[x] < c && kb[x] != k {
			t.Errorf("%s lost a device: %s", what, x)
		}
	}
	for x, c := range na {
		if extra := c - nb[x]; extra > 0 {
			switch {
			case ka[x] == k:
				delta += extra
			case strings.HasPrefix(x, "<controller"):
			default:
				t.Errorf("%s added an unrelated device: %s", what, x)
			}
		}
	}
	db.Devices, da.Devices = nil, nil
	xb, _ := db.Marshal()
	xa, _ := da.Marshal()
	if d, _ := devices.DiffDocs(xb, xa); len(d) > 0 {
		t.Errorf("%s changed the definition outside <devices>: %v", what, d)
	}
	return delta
}

// hostLacks tells a libvirt refusal that comes from this host's QEMU or
// kernel, which domain capabilities do not report: these exact messages,
// no others.
func hostLacks(err error) bool {
	for _, known := range []string{
		"unsupported configuration: this QEMU binary lacks multiple smartcard support", // QEMU built without libcacard's multiple readers
		"unsupported configuration: unable to open vhost-vsock device",                 // no vhost_vsock in the host's kernel
	} {
		if strings.HasSuffix(err.Error(), known) {
			return true
		}
	}
	return false
}

// TestRealEveryKindColdAttachDetach adds a default device of every addable
// kind to a shut-off VM and removes it again, checking each time that
// exactly that happened to the definition.
func TestRealEveryKindColdAttachDetach(t *testing.T) {
	t.Run("i440fx", func(t *testing.T) {
		m, ref, uri := realGuest(t, "catalog")
		withBuses(t, uri, ref.Name) // so the USB kinds are offered too
		everyKindColdAttachDetach(t, m, ref)
	})
	// PCIe root ports and the IOMMU need q35; USB redirection SPICE.
	t.Run("q35 spice", func(t *testing.T) {
		m, ref, _ := realGuest(t, "catalogq35", "machine='pc'", "machine='q35'",
			"<graphics type='vnc'", "<graphics type='spice'", "<controller type='usb' model='none'/>", "<controller type='usb' model='qemu-xhci'/>")
		everyKindColdAttachDetach(t, m, ref)
	})
}

func everyKindColdAttachDetach(t *testing.T, m *Manager, ref Ref) {
	caps := realCaps(t, m, ref)
	for _, k := range devices.Kinds() {
		if !k.Addable {
			continue
		}
		t.Run(k.ID, func(t *testing.T) {
			before, _ := m.DomainXML(ref, true, false)
			def := &libvirtxml.Domain{}
			if err := def.Unmarshal(before); err != nil {
				t.Fatal(err)
			}
			if why := k.Unavailable(caps, def); why != "" {
				t.Logf("not offered on this host/VM: %s", why)
				return
			}
			dev, err := k.New(caps, def)
			if err != nil {
				t.Fatal(err)
			}
			if err := dev.Check(); err != nil {
				t.Logf("needs a host resource first (%v): covered by the host devices tests", err)
				return
			}
			if err := attachOrRedefine(m, ref, dev, false); err != nil {
				if hostLacks(err) {
					t.Logf("THIS HOST CANNOT TAKE IT (not reported in domain capabilities): %v", err)
					return
				}
				t.Fatalf("attach: %v", err)
			}
			after, _ := m.DomainXML(ref, true, false)
			if n := sameApartFrom(t, "attach", before, after, k); n != 1 {
				t.Fatalf("attach added %d devices of the kind, want 1", n)
			}
			def2 := &libvirtxml.Domain{}
			def2.Unmarshal(after)
			var found *devices.Item
			items := devices.List(def2)
			for i := range items {
				if items[i].Kind == k {
					found = &items[i] // the last of its kind is the new one
				}
			}
			if found == nil {
				t.Fatalf("no %s in the definition after attach", k.ID)
			}
			x, _ := found.XML()
			if err := detachOrRedefine(m, ref, k.ID, found.Index, x, false); err != nil {
				t.Fatalf("detach: %v", err)
			}
			final, _ := m.DomainXML(ref, true, false)
			n := sameApartFrom(t, "attach+detach", before, final, k)
			if k.ID == "memballoon" && n == 1 && strings.Contains(final, "<memballoon model='virtio'") {
				// Without a <memballoon> element libvirt puts its default
				// back: a balloon is turned off with model='none'.
				return
			}
			if n != 0 {
				t.Fatalf("after detach %d extra devices of the kind remain", n)
			}
		})
	}
}

func realCaps(t *testing.T, m *Manager, ref Ref) *devices.Caps {
	t.Helper()
	raw, _ := m.DomainXML(ref, true, false)
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	x, err := m.DomainCapabilities(ref.URI, def.Devices.Emulator, def.OS.Type.Arch, def.OS.Type.Machine, def.Type)
	if err != nil {
		t.Fatal(err)
	}
	caps, err := devices.ParseCaps(x)
	if err != nil {
		t.Fatal(err)
	}
	return caps
}

// TestRealHotplugKinds hot-plugs default devices of the kinds QEMU takes
// live into the running fixture guest and unplugs them again.
func TestRealHotplugKinds(t *testing.T) {
	m, ref, uri := realGuest(t, "hotplug")
	caps := realCaps(t, m, ref)
	// Booted to its shell, so its kernel answers ACPI unplug requests (one
	// sent during early boot is lost, and the device stays).
	startAtPrompt(t, m, ref)
	img := filepath.Join(lt.GuestDir, ref.Name+"-disk.img")
	os.WriteFile(img, make([]byte, 1<<20), 0o644)
	t.Cleanup(func() { os.Remove(img) })

	for _, id := range []string{"disk", "rng", "watchdog", "channel", "vsock", "scsi-controller"} {
		t.Run(id, func(t *testing.T) {
			var set map[string]string
			if id == "disk" {
				set = map[string]string{"path": img, "format": "raw"}
			}
			// A channel needs a virtio-serial controller the VM lacks:
			// the config-only attach is what is tested for it. Every other
			// kind must be released live by the (booted) guest.
			hotplugRoundTrip(t, m, ref, uri, caps, id, set, id != "channel")
		})
	}
	if !strings.Contains(lt.MustVirsh(t, uri, "domstate", ref.Name), "running") {
		t.Fatal("the guest did not survive the hot-plugging")
	}
}

// TestRealHotplugOnUSBAndVirtioSerial gives the fixture guest a USB
// controller and a virtio-serial controller, then hot-plugs what needs
// them (a USB tablet, a guest agent channel), changes the CD-ROM's media
// and the display's password live.
func TestRealHotplugOnUSBAndVirtioSerial(t *testing.T) {
	m, ref, uri := realGuest(t, "hotusb")
	withBuses(t, uri, ref.Name)
	caps := realCaps(t, m, ref)
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateRunning, 30*time.Second)
	// A channel the VM booted with: its running copy has a socket path and
	// a state the definition lacks, and still goes, live and for good.
	t.Run("boot-time channel removed live", func(t *testing.T) {
		def := &libvirtxml.Domain{}
		def.Unmarshal(lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name))
		var x string
		for _, it := range devices.List(def) {
			if s, _ := it.XML(); it.Kind.ID == "channel" && strings.Contains(s, "org.kvmtui.boot.0") {
				x = s
			}
		}
		if x == "" {
			t.Fatal("the fixture has no boot-time channel")
		}
		if a, err := m.ModifyDevice(ref, Detach, x, true); err != nil || !a.Live || !a.Config {
			t.Fatalf("remove: %+v %v", a, err)
		}
		// The guest acks a live unplug in its own time (libvirt waits 5 s,
		// then lets the device go when QEMU says so): under TCG, wait for it.
		for _, flag := range []string{"--inactive", "--migratable"} {
			deadline := time.Now().Add(30 * time.Second)
			for strings.Contains(lt.MustVirsh(t, uri, "dumpxml", flag, ref.Name), "org.kvmtui.boot.0") {
				if time.Now().After(deadline) {
					t.Fatalf("the channel is still in dumpxml %s after 30 s", flag)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	})
	t.Run("usb tablet", func(t *testing.T) {
		hotplugRoundTrip(t, m, ref, uri, caps, "input", map[string]string{"type": "tablet", "bus": "usb"}, true)
	})
	t.Run("guest agent channel", func(t *testing.T) {
		hotplugRoundTrip(t, m, ref, uri, caps, "channel", nil, true)
	})
	t.Run("cd-rom media, live", func(t *testing.T) {
		media := lt.GuestDir + "/initrd.img" // any file: QEMU does not look inside
		for _, path := range []string{media, ""} {
			def := &libvirtxml.Domain{}
			def.Unmarshal(lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name))
			var dev *devices.Device
			for _, it := range devices.List(def) {
				if it.Kind.ID == "cdrom" {
					dev, _ = it.Device(caps)
				}
			}
			if dev == nil {
				t.Fatal("no CD-ROM in the fixture")
			}
			if err := dev.Set("path", path); err != nil {
				t.Fatal(err)
			}
			x, err := dev.XML()
			if err != nil {
				t.Fatal(err)
			}
			if a, err := m.ModifyDevice(ref, Update, x, true); err != nil || !a.Live || !a.Config {
				t.Fatalf("change the media to %q: %+v %v", path, a, err)
			}
			live := lt.MustVirsh(t, uri, "dumpxml", ref.Name)
			if has := strings.Contains(live, "<source file='"+media+"'"); has != (path != "") {
				t.Fatalf("media %q: the running VM's CD-ROM says otherwise:\n%s", path, live)
			}
		}
	})
	t.Run("display password, live", func(t *testing.T) {
		live := lt.MustVirsh(t, uri, "dumpxml", "--inactive", "--security-info", ref.Name)
		g := &libvirtxml.Domain{}
		if err := g.Unmarshal(live); err != nil || g.Devices == nil || len(g.Devices.Graphics) == 0 {
			t.Fatalf("no display in the running fixture: %v", err)
		}
		var it devices.Item
		for _, i := range devices.List(g) {
			if i.Kind.ID == "graphics" {
				it = i
			}
		}
		dev, err := it.Device(caps)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range dev.Fields() {
			if f.Name == "password" && !f.Live {
				t.Fatal("the password of a display started with one is said not to change live")
			}
		}
		if err := dev.Set("password", "s3cret42"); err != nil {
			t.Fatal(err)
		}
		x, err := dev.XML()
		if err != nil {
			t.Fatal(err)
		}
		a, err := m.ModifyDevice(ref, Update, x, true)
		if err != nil || !a.Live {
			t.Fatalf("update the password: %+v %v", a, err)
		}
		if !strings.Contains(lt.MustVirsh(t, uri, "dumpxml", "--security-info", ref.Name), "passwd='s3cret42'") {
			t.Fatal("the running VM's display has not the new password")
		}
	})
}

// withBuses gives the fixture guest (defined, shut off) a USB controller, a
// virtio-serial controller with a channel, an empty CD-ROM drive and a
// display password.
func withBuses(t *testing.T, uri, name string) {
	t.Helper()
	def := lt.MustVirsh(t, uri, "dumpxml", "--inactive", name)
	x := strings.Replace(def, "<controller type='usb' index='0' model='none'/>",
		"<controller type='usb' index='0' model='qemu-xhci'/><controller type='virtio-serial' index='0'/>"+
			"<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>"+
			"<channel type='unix'><target type='virtio' name='org.kvmtui.boot.0'/></channel>", 1)
	// A display started with a password: only on such QEMU changes it live.
	x = strings.Replace(x, "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>",
		"<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' passwd='first1'>", 1)
	if !strings.Contains(x, "qemu-xhci") || !strings.Contains(x, "passwd='first1'") {
		t.Fatalf("the fixture's USB controller or display is not as expected:\n%s", def)
	}
	f := filepath.Join(t.TempDir(), "def.xml")
	os.WriteFile(f, []byte(x), 0o644)
	lt.MustVirsh(t, uri, "define", f)
}

// hotplugRoundTrip hot-plugs a default device of kind id (with the fields
// in set) into the running VM, checks that exactly it arrived live and in
// the definition, and unplugs it again. A kind the catalog calls not
// hot-pluggable is attached to the definition only, as the UI does.
func hotplugRoundTrip(t *testing.T, m *Manager, ref Ref, uri string, caps *devices.Caps, id string, set map[string]string, mustLive bool) {
	t.Helper()
	k := devices.KindByID(id)
	raw, _ := m.DomainXML(ref, true, false)
	def := &libvirtxml.Domain{}
	def.Unmarshal(raw)
	if why := k.Unavailable(caps, def); why != "" {
		t.Fatalf("%s unavailable: %s", id, why)
	}
	dev, err := k.New(caps, def)
	if err != nil {
		t.Fatal(err)
	}
	for f, v := range set {
		if err := dev.Set(f, v); err != nil {
			t.Fatal(err)
		}
	}
	if why := dev.Hotplug(); why != "" {
		if mustLive {
			t.Fatalf("%s: %s", id, why)
		}
		// Said before anything reaches libvirt; the config-only
		// attach is what the UI then does: the definition gains it, the
		// running VM does not, and it is taken out again.
		liveBefore := lt.MustVirsh(t, uri, "dumpxml", ref.Name)
		cfgBefore := lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name)
		if err := attachOrRedefine(m, ref, dev, false); err != nil {
			t.Fatalf("%s not hot-pluggable (%s), and the config-only attach failed: %v", id, why, err)
		}
		t.Logf("not hot-pluggable here, said as: %s", why)
		cfg := lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name)
		if n := sameApartFrom(t, "config-only attach", cfgBefore, cfg, k); n != 1 {
			t.Fatalf("the config-only attach put %d devices in the definition, want 1", n)
		}
		if n := sameApartFrom(t, "config-only attach (live)", liveBefore, lt.MustVirsh(t, uri, "dumpxml", ref.Name), k); n != 0 {
			t.Fatalf("the config-only attach put %d devices in the running VM, want none", n)
		}
		// The new one: the device of this kind the definition has once more.
		nb, _, _ := deviceCounts(t, cfgBefore)
		na, _, cur := deviceCounts(t, cfg)
		var added devices.Item
		for _, it := range devices.List(cur) {
			if x, _ := it.XML(); it.Kind == k && na[x] > nb[x] {
				added = it
			}
		}
		x, _ := added.XML()
		if err := detachOrRedefine(m, ref, k.ID, added.Index, x, false); err != nil {
			t.Fatalf("taking the config-only %s out: %v", id, err)
		}
		if n := sameApartFrom(t, "config-only detach", cfgBefore, lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name), k); n != 0 {
			t.Fatal("the config-only device stayed in the definition")
		}
		return
	}
	liveBefore := lt.MustVirsh(t, uri, "dumpxml", ref.Name)
	cfgBefore := lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name)
	if err := attachOrRedefine(m, ref, dev, true); err != nil {
		if hostLacks(err) {
			t.Logf("THIS HOST CANNOT TAKE IT: %v", err)
			return
		}
		t.Fatalf("hot-plug: %v", err)
	}
	if n := sameApartFrom(t, "hot-plug (live)", liveBefore, lt.MustVirsh(t, uri, "dumpxml", ref.Name), k); n != 1 {
		t.Fatalf("hot-plug put %d devices in the running VM, want 1", n)
	}
	if n := sameApartFrom(t, "hot-plug (config)", cfgBefore, lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name), k); n != 1 {
		t.Fatalf("hot-plug put %d devices in the definition, want 1", n)
	}
	// Detach the device as the definition has it now (with the address
	// libvirt gave it), as the details view does.
	var x string
	_, _, cur := deviceCounts(t, lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name))
	for _, it := range devices.List(cur) {
		if it.Kind == k {
			x, _ = it.XML()
		}
	}
	if _, err := m.ModifyDevice(ref, Detach, x, true); err != nil {
		t.Fatalf("unplug: %v", err)
	}
	if n := sameApartFrom(t, "unplug (config)", cfgBefore, lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name), k); n != 0 {
		t.Fatal("unplug left the device in the definition")
	}
	// The running VM lets go once the guest acknowledges the unplug
	// (ACPI for PCI devices); the fixture's kernel may take a while.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		nb, _, _ := deviceCounts(t, liveBefore)
		na, _, _ := deviceCounts(t, lt.MustVirsh(t, uri, "dumpxml", ref.Name))
		if len(na) <= len(nb) {
			return
		}
		time.Sleep(time.Second)
	}
	if mustLive {
		// USB and virtio-serial unplugs need no guest acknowledgement.
		t.Fatalf("the running VM still has the %s 30 s after the unplug", id)
	}
	t.Logf("NOTE: the guest has not released the %s after 30 s (libvirt's unplug was accepted; the busybox guest acknowledges ACPI unplugs slowly under TCG)", id)
}
