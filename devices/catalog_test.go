package devices

import (
	lt "kvmtui/libvirtx/libvirtxtest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	lx "libvirt.org/go/libvirtxml"
)

// requiredInput are the values kinds that pick a host device cannot
// default: the test sets them as a user would.
// (usb-host is chosen by bus:device here: libvirtxml writes <product>
// before <vendor>, which libvirt's parser takes but its schema refuses.)
var requiredInput = map[string]map[string]string{
	"usb-host": {"usb_address": "001:004"},
	"pci-host": {"address": "0000:03:00.0"},
	"mdev":     {"uuid": "4b20d080-1b54-4048-85b3-a6a62d165c01"},
}

// expectedUnavailable lists, per capability set, the addable kinds this
// host's QEMU or machine cannot take, with the reason shown.
var expectedUnavailable = map[string]map[string]string{
	"q35 caps": {
		"mdev": "this QEMU offers no mediated devices (mdev)",
	},
	"pc caps": {
		"mdev":           "this QEMU offers no mediated devices (mdev)",
		"pcie-root-port": "machine i440fx has no PCIe root ports",
		"iommu":          "machine i440fx has no IOMMU (intel-iommu needs q35)",
	},
}

// withSpice gives def the SPICE display USB redirection rides on.
func withSpice(def *lx.Domain) {
	def.Devices.Graphics = append(def.Devices.Graphics, lx.DomainGraphic{Spice: &lx.DomainGraphicSpice{AutoPort: "yes"}})
}

func TestNewDeviceOfEveryKindValidates(t *testing.T) {
	lt.NeedSchemaTools(t) // before any assertion: a skip here skips nothing checked
	for _, cc := range capsCases(t) {
		t.Run(cc.name, func(t *testing.T) {
			for _, k := range Kinds() {
				t.Run(k.ID, func(t *testing.T) {
					def := testDomain(cc.caps)
					if k.ID == "usb-redir" || k.ID == "smartcard" {
						withSpice(def)
					}
					why := k.Unavailable(cc.caps, def)
					if !k.Addable {
						if !strings.Contains(why, "no form to add one") {
							t.Errorf("list-only kind: Unavailable = %q, want the XML editor named", why)
						}
						if _, err := k.New(cc.caps, def); err == nil {
							t.Errorf("New succeeded on a list-only kind")
						}
						return
					}
					if want, ok := expectedUnavailable[cc.name][k.ID]; ok {
						if why != want {
							t.Errorf("Unavailable = %q, want %q", why, want)
						}
						if _, err := k.New(cc.caps, def); err == nil || !strings.Contains(err.Error(), want) {
							t.Errorf("New on an unavailable kind: err = %v, want one with %q", err, want)
						}
						return
					}
					if why != "" {
						t.Fatalf("Unavailable = %q, want available", why)
					}
					dev, err := k.New(cc.caps, def)
					if err != nil {
						t.Fatal(err)
					}
					if vals := requiredInput[k.ID]; vals != nil {
						if _, err := dev.XML(); err == nil || !strings.Contains(err.Error(), "choose") {
							t.Errorf("XML of a host device nobody chose: err = %v, want a 'choose ...' message", err)
						}
						for f, v := range vals {
							if err := dev.Set(f, v); err != nil {
								t.Fatalf("Set(%s, %s): %v", f, v, err)
							}
						}
					}
					if k.ID == "filesystem" && dev.Get("driver") == "virtiofs" {
						// Alone, it cannot go into a VM without shared
						// memory; AddTo turns that on.
						if _, err := dev.XML(); err == nil || !strings.Contains(err.Error(), "shared memory") {
							t.Errorf("virtiofs XML without shared memory: err = %v", err)
						}
						enableSharedMemory(def)
					}
					doc, err := dev.XML()
					if err != nil {
						t.Fatalf("XML: %v", err)
					}
					if !strings.HasPrefix(doc, "<"+k.Element) {
						t.Errorf("XML starts %.40q, want <%s", doc, k.Element)
					}
					if _, err := k.impl.decode(doc); err != nil {
						t.Errorf("XML does not parse back: %v\n%s", err, doc)
					}
					if s := dev.Summary(); !oneLineOK(s) {
						t.Errorf("Summary %q is not one non-empty line", s)
					}
					if err := dev.AddTo(def); err != nil {
						t.Fatalf("AddTo: %v", err)
					}
					found := 0
					for _, it := range List(def) {
						if it.Kind == k {
							found++
							if it.Summary != dev.Summary() {
								t.Errorf("listed summary %q, device summary %q", it.Summary, dev.Summary())
							}
						}
					}
					if found != 1 {
						t.Errorf("List finds %d %s devices after AddTo, want 1", found, k.ID)
					}
					validate(t, def)
				})
			}
		})
	}
}

func TestKindsAreComplete(t *testing.T) {
	// Every kind of the list is in the catalog.
	want := []string{"disk", "cdrom", "floppy", "nic", "graphics", "video", "sound", "input", "tpm", "rng",
		"watchdog", "channel", "filesystem", "usb-host", "pci-host", "mdev", "serial", "console", "parallel",
		"usb-controller", "scsi-controller", "virtio-serial-controller", "pcie-root-port", "smartcard",
		"usb-redir", "panic", "vsock", "memballoon", "iommu"}
	for _, id := range want {
		k := KindByID(id)
		if k == nil {
			t.Errorf("KindByID(%q) = nil", id)
			continue
		}
		if !k.Addable {
			t.Errorf("%s is not addable", id)
		}
		if len(k.Fields(nil)) == 0 {
			t.Errorf("%s has no fields", id)
		}
	}
	if KindByID("no-such") != nil {
		t.Error("KindByID found an unknown kind")
	}
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if seen[k.ID] {
			t.Errorf("kind %s registered twice", k.ID)
		}
		seen[k.ID] = true
		if k.Title == "" || k.Element == "" {
			t.Errorf("kind %s lacks a title or element", k.ID)
		}
		names := map[string]bool{}
		for _, f := range k.Fields(nil) {
			if names[f.Name] || f.Name == "" || f.Label == "" || f.Help == "" {
				t.Errorf("%s: field %q is duplicated or lacks a label or help", k.ID, f.Name)
			}
			names[f.Name] = true
			if f.Type == TypeEnum && len(f.Choices) == 0 {
				t.Errorf("%s.%s: an enum without choices", k.ID, f.Name)
			}
		}
	}
}

func TestHotplugFlags(t *testing.T) {
	hot := map[string]bool{"disk": true, "cdrom": true, "nic": true, "input": true, "rng": true, "watchdog": true,
		"channel": true, "filesystem": true, "usb-host": true, "pci-host": true, "mdev": true, "serial": true,
		"console": true, "scsi-controller": true, "usb-redir": true, "vsock": true}
	for _, id := range []string{"graphics", "video", "sound", "tpm", "panic", "memballoon", "iommu", "parallel",
		"usb-controller", "virtio-serial-controller", "pcie-root-port", "smartcard"} {
		hot[id] = false
	}
	for id, want := range hot {
		if got := KindByID(id).Hotplug; got != want {
			t.Errorf("%s.Hotplug = %v, want %v", id, got, want)
		}
	}
	def := testDomain(nil)
	disk, _ := KindByID("disk").New(nil, def)
	if why := disk.Hotplug(); why != "" {
		t.Errorf("virtio disk: Hotplug() = %q, want hot-pluggable", why)
	}
	if err := disk.Set("bus", "sata"); err != nil {
		t.Fatal(err)
	}
	if why := disk.Hotplug(); !strings.Contains(why, "sata disk cannot be hot-plugged") {
		t.Errorf("sata disk: Hotplug() = %q", why)
	}
	fs, _ := KindByID("filesystem").New(nil, def)
	if why := fs.Hotplug(); why != "" {
		t.Errorf("virtiofs: Hotplug() = %q", why)
	}
	if err := fs.Set("driver", "path"); err != nil {
		t.Fatal(err)
	}
	if why := fs.Hotplug(); !strings.Contains(why, "9p shared folder cannot be hot-plugged") {
		t.Errorf("9p: Hotplug() = %q", why)
	}
	video, _ := KindByID("video").New(nil, def)
	if why := video.Hotplug(); !strings.Contains(why, "applies after shutdown") {
		t.Errorf("video: Hotplug() = %q", why)
	}
}

func TestNewPicksFreeNamesAndAddresses(t *testing.T) {
	lt.NeedSchemaTools(t) // before any assertion: a skip here skips nothing checked
	def := testDomain(nil)
	add := func(id string) *Device {
		t.Helper()
		d, err := KindByID(id).New(nil, def)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.AddTo(def); err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, want := range []string{"vda", "vdb", "vdc"} {
		if got := add("disk").Get("target"); got != want {
			t.Errorf("disk target %s, want %s", got, want)
		}
	}
	if got := add("cdrom").Get("target"); got != "sda" {
		t.Errorf("cdrom target %s, want sda (sata on q35)", got)
	}
	macs := map[string]bool{}
	for range 20 {
		m := add("nic").Get("mac")
		if macs[m] || !strings.HasPrefix(m, "52:54:00:") {
			t.Errorf("NIC MAC %s repeats or is outside 52:54:00", m)
		}
		macs[m] = true
	}
	if p := add("serial").Get("port"); p != "0" {
		t.Errorf("first serial port %s, want 0", p)
	}
	if p := add("serial").Get("port"); p != "1" {
		t.Errorf("second serial port %s, want 1", p)
	}
	add("pcie-root-port")
	add("pcie-root-port")
	var idx []uint
	for _, c := range def.Devices.Controllers {
		if c.Model == "pcie-root-port" {
			idx = append(idx, *c.Index)
		}
	}
	if len(idx) != 2 || idx[0] != 1 || idx[1] != 2 {
		t.Errorf("root port indexes %v, want [1 2]", idx)
	}
	if got := add("channel").Get("name"); got != "org.qemu.guest_agent.0" {
		t.Errorf("first channel %s", got)
	}
	if got := add("channel").Get("name"); got != "com.redhat.spice.0" {
		t.Errorf("second channel %s, want the SPICE agent", got)
	}
	if why := KindByID("channel").Unavailable(nil, def); why == "" {
		t.Error("a third channel is offered though both agents exist")
	}
	add("tpm")
	if why := KindByID("tpm").Unavailable(nil, def); why != "the VM already has a TPM" {
		t.Errorf("second TPM: Unavailable = %q", why)
	}
	add("filesystem")
	if !sharedMemory(def) {
		t.Error("adding a virtiofs folder did not turn on shared memory")
	}
	if got := add("filesystem").Get("target"); got != "share1" {
		t.Errorf("second mount tag %s, want share1", got)
	}
	validate(t, def)
}

func TestDefaultsFollowMachineAndCaps(t *testing.T) {
	q35, pc := loadCaps(t, "domcaps-q35.xml"), loadCaps(t, "domcaps-pc.xml")
	cases := []struct {
		kind, field string
		caps        *Caps
		want        string
	}{
		{"disk", "bus", q35, "virtio"},
		{"cdrom", "bus", q35, "sata"},
		{"cdrom", "bus", pc, "sata"},
		{"sound", "model", q35, "ich9"},
		{"sound", "model", pc, "ich6"},
		{"tpm", "model", nil, "tpm-crb"},
		{"tpm", "backend", nil, "emulator"},
		{"tpm", "version", nil, "2.0"},
		// This host has no swtpm: libvirt offers only passthrough.
		{"tpm", "backend", q35, "passthrough"},
		{"rng", "source", nil, "/dev/urandom"},
		{"watchdog", "model", pc, "i6300esb"},
		{"input", "type", nil, "tablet"},
		{"input", "bus", nil, "usb"},
		{"video", "model", q35, "virtio"},
		{"graphics", "type", q35, "vnc"},
		{"channel", "name", nil, "org.qemu.guest_agent.0"},
		{"usb-controller", "model", nil, "qemu-xhci"},
		{"scsi-controller", "model", nil, "virtio-scsi"},
		{"nic", "model", nil, "virtio"},
		{"nic", "network", nil, "default"},
		{"filesystem", "driver", q35, "virtiofs"},
	}
	for _, c := range cases {
		d, err := KindByID(c.kind).New(c.caps, testDomain(c.caps))
		if err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		if got := d.Get(c.field); got != c.want {
			t.Errorf("new %s %s = %q, want %q", c.kind, c.field, got, c.want)
		}
	}
}

func TestUnavailableReasons(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "domcaps-q35.xml"))
	if err != nil {
		t.Fatal(err)
	}
	noTPM := regexp.MustCompile(`(?s)<tpm supported='yes'>.*?</tpm>`).ReplaceAllString(string(b), "<tpm supported='no'/>")
	noRNG := strings.Replace(string(b), "<rng supported='yes'>", "<rng supported='no'>", 1)
	caps := func(doc string) *Caps {
		c, err := ParseCaps(doc)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		kind string
		caps *Caps
		def  *lx.Domain
		want string
	}{
		{"tpm", caps(noTPM), nil, "this QEMU offers no TPM"},
		{"rng", caps(noRNG), nil, "this QEMU offers no virtio RNG"},
		{"pcie-root-port", loadCaps(t, "domcaps-pc.xml"), nil, "machine i440fx has no PCIe root ports"},
		// The VM's own machine wins over the one caps were asked for.
		{"pcie-root-port", loadCaps(t, "domcaps-q35.xml"), testDomain(loadCaps(t, "domcaps-pc.xml")), "machine i440fx has no PCIe root ports"},
		{"usb-redir", nil, testDomain(nil), "USB redirection goes over SPICE: add a SPICE display first"},
		{"floppy", loadCaps(t, "domcaps-q35.xml"), nil, ""},
		{"lease", nil, nil, "kvmtui has no form to add one: add it with the XML editor (e)"},
	}
	for _, c := range cases {
		if got := KindByID(c.kind).Unavailable(c.caps, c.def); got != c.want {
			t.Errorf("%s: Unavailable = %q, want %q", c.kind, got, c.want)
		}
	}
}
