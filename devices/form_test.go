package devices

import (
	lt "kvmtui/libvirtx/libvirtxtest"
	"strings"
	"testing"

	lx "libvirt.org/go/libvirtxml"
)

// newDev makes a new device with nil caps in a q35 test domain and applies
// setup (field, value pairs) in order.
func newDev(t testing.TB, kind string, caps *Caps, setup ...string) *Device {
	t.Helper()
	def := testDomain(caps)
	if kind == "usb-redir" || kind == "smartcard" {
		withSpice(def)
	}
	d, err := KindByID(kind).New(caps, def)
	if err != nil {
		t.Fatalf("New %s: %v", kind, err)
	}
	for i := 0; i+1 < len(setup); i += 2 {
		if err := d.Set(setup[i], setup[i+1]); err != nil {
			t.Fatalf("%s: Set(%s, %q): %v", kind, setup[i], setup[i+1], err)
		}
	}
	return d
}

func rawXML(d *Device) string {
	s, _ := marshalDevice(d.v)
	return s
}

func TestSetRejectsBadValues(t *testing.T) {
	q35 := loadCaps(t, "domcaps-q35.xml")
	cases := []struct {
		kind  string
		caps  *Caps
		setup []string
		field string
		value string
		want  string
	}{
		{"disk", nil, nil, "path", "images/web.qcow2", "not an absolute path; expected an absolute path"},
		{"disk", nil, nil, "path", "", "Path is required"},
		{"disk", nil, nil, "target", "vda1", "expected a prefix (vd, sd, hd, fd) and letters"},
		{"disk", nil, nil, "bus", "floppy", "expected one of virtio, sata, scsi, ide, usb"},
		{"disk", q35, nil, "bus", "ide", "expected one of virtio, sata, scsi, usb"},
		{"cdrom", nil, nil, "bus", "virtio", "expected one of sata, scsi, ide, usb"},
		{"disk", nil, nil, "cache", "fast", "expected one of default, none, writethrough, writeback, directsync, unsafe"},
		{"disk", nil, nil, "serial", "a/b", "expected up to 36 letters, digits, spaces or _ . + -"},
		{"disk", nil, nil, "total_bytes_sec", "-5MiB", "must not be negative"},
		{"disk", nil, nil, "read_iops_sec", "lots", "not a whole number"},
		{"disk", nil, nil, "boot_order", "0", "expected a whole number from 1 to 65535"},
		{"disk", nil, nil, "readonly", "maybe", "expected yes or no"},
		{"disk", nil, []string{"source_type", "network"}, "host", "ceph1:99999", "not a number from 1 to 65535"},
		{"disk", nil, []string{"source_type", "network"}, "host", "bad host!", "neither a host name nor an IP address"},
		{"disk", nil, []string{"source_type", "volume"}, "pool", "a/b", "it contains '/'"},
		{"disk", nil, []string{"source_type", "nvme"}, "nvme_address", "1f.2", "expected [domain:]bus:slot.function"},
		{"disk", nil, nil, "no_such_field", "x", "a disk has no field \"no_such_field\""},
		{"disk", nil, nil, "protocol", "nbd", "Protocol does not apply to this disk"},
		{"nic", nil, nil, "mac", "01:00:5e:00:00:01", "multicast address"},
		{"nic", nil, nil, "mac", "52:54:00", "expected six hex pairs like 52:54:00:12:34:56"},
		{"nic", nil, nil, "mtu", "67", "expected a whole number from 68 to 65535"},
		{"nic", nil, nil, "inbound_average", "10 parsecs", "unknown unit"},
		{"nic", nil, nil, "outbound_burst", "100 bytes", "below 1 KiB"},
		{"nic", nil, nil, "network", "a/b", "it contains '/'"},
		{"nic", nil, nil, "bridge", "br0", "Bridge does not apply"},
		{"nic", nil, []string{"source_type", "bridge"}, "bridge", "my bridge", "expected a host interface name of up to 15"},
		{"nic", nil, []string{"source_type", "openvswitch"}, "vlan", "5000", "not a tag from 0 to 4095"},
		{"nic", nil, []string{"source_type", "openvswitch"}, "vlan", "10,10", "tag 10 is listed twice"},
		{"nic", nil, []string{"source_type", "user", "backend", "passt"}, "port_forward", "tcp:0:22", "\"0\" is not a port from 1 to 65535"},
		{"nic", nil, []string{"source_type", "user", "backend", "passt"}, "port_forward", "sctp:80", "the protocol must be tcp or udp"},
		{"nic", nil, []string{"source_type", "user", "backend", "passt"}, "port_forward", "tcp:90-80", "the range runs backwards"},
		{"nic", nil, []string{"source_type", "direct"}, "direct_mode", "vepa2", "expected one of bridge, vepa, private, passthrough"},
		{"nic", nil, []string{"source_type", "hostdev"}, "pci", "0000:03:20.1", "slot 0x20 is out of range"},
		{"graphics", nil, nil, "port", "5800", "VNC ports start at 5900"},
		{"graphics", nil, nil, "port", "70000", "expected auto or a port from 1 to 65535"},
		{"graphics", nil, nil, "listen", "localhost", "expected an IP address"},
		{"graphics", q35, nil, "type", "rdp", "expected one of vnc, spice"},
		{"graphics", nil, nil, "password", "a\x01b", "control character"},
		{"graphics", nil, nil, "password", "123456789", "a VNC password has at most 8 characters"},
		{"video", nil, nil, "heads", "17", "expected a whole number from 1 to 16"},
		{"video", nil, []string{"model", "qxl"}, "vram", "100", "expected 1 MiB to 4 GiB"},
		{"video", q35, nil, "model", "virtio-gpu", "expected one of virtio, qxl, vga, bochs, ramfb, cirrus, vmvga, none"},
		{"tpm", q35, nil, "model", "tpm-spapr", "expected one of tpm-crb, tpm-tis"},
		// This host has no swtpm, and libvirt says so.
		{"tpm", q35, nil, "backend", "emulator", "expected one of passthrough"},
		{"tpm", nil, nil, "version", "3.0", "expected one of 2.0, 1.2"},
		{"rng", nil, nil, "source", "/dev/zero", "expected one of /dev/urandom, /dev/random, /dev/hwrng"},
		{"rng", nil, []string{"backend", "egd"}, "egd", "127.0.0.1", "expected host:port"},
		{"watchdog", nil, nil, "model", "itco", "expected one of i6300esb, ib700, diag288"},
		{"watchdog", nil, nil, "action", "explode", "expected one of reset, shutdown"},
		{"usb-host", nil, nil, "usb_id", "logitech", "invalid USB vendor:product"},
		{"usb-host", nil, nil, "usb_address", "0:4", "bus \"0\" is not a number from 1 to 65535"},
		{"pci-host", nil, nil, "address", "00:1f", "no '.' before the function"},
		{"mdev", nil, nil, "uuid", "not-a-uuid", "expected 32 hex digits"},
		{"filesystem", nil, nil, "target", "my tag", "invalid mount tag"},
		{"filesystem", nil, nil, "source", "~/share", "not an absolute path"},
		{"serial", nil, nil, "port", "40", "expected a whole number from 0 to 31"},
		{"serial", nil, []string{"source_type", "tcp"}, "tcp", "4555", "expected host:port"},
		{"serial", nil, []string{"source_type", "file"}, "path", "", "a file needs a path"},
		{"vsock", nil, nil, "cid", "2", "expected auto or a number from 3 to 4294967294"},
		{"channel", nil, nil, "name", "org.example.0", "expected one of org.qemu.guest_agent.0, com.redhat.spice.0"},
		{"input", nil, nil, "bus", "ps2", "a tablet cannot sit on ps2"},
		{"input", nil, []string{"type", "evdev"}, "dev", "event0", "not an absolute path"},
		{"input", nil, []string{"type", "evdev"}, "grab_toggle", "ctrl-alt", "expected one of ctrl-ctrl"},
		{"memballoon", nil, nil, "stats_period", "-1", "not a whole number"},
		{"usb-controller", nil, nil, "ports", "16", "expected a whole number from 1 to 15"},
		{"scsi-controller", nil, nil, "model", "buslogic", "expected one of virtio-scsi"},
		{"pcie-root-port", nil, nil, "hotplug", "maybe", "expected one of on, off"},
		{"panic", nil, nil, "model", "pvpanic", "expected one of isa, hyperv, pseries, s390"},
		{"iommu", nil, nil, "model", "amd", "expected one of intel, virtio, smmuv3"},
		{"smartcard", nil, nil, "mode", "host-certificates", "expected one of passthrough, host"},
		{"usb-redir", nil, []string{"source_type", "tcp"}, "server", "host", "expected host:port"},
		{"sound", nil, nil, "model", "hda", "expected one of ich9"},
		{"parallel", nil, nil, "port", "3", "expected a whole number from 0 to 2"},
		{"console", nil, nil, "target_type", "sclp", "expected one of serial, virtio"},
		{"virtio-serial-controller", nil, nil, "ports", "32", "expected a whole number from 1 to 31"},
		{"floppy", nil, nil, "target", "fd0", "expected a prefix"},
	}
	for _, c := range cases {
		d := newDev(t, c.kind, c.caps, c.setup...)
		before := rawXML(d)
		err := d.Set(c.field, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Set(%s, %q) = %v, want an error with %q", c.kind, c.field, c.value, err, c.want)
			continue
		}
		if after := rawXML(d); after != before {
			t.Errorf("%s: a refused Set(%s) changed the device:\n%s\n->\n%s", c.kind, c.field, before, after)
		}
	}
}

// variants are shapes of a kind worth walking every field of.
var variants = map[string][][]string{
	"disk": {nil, {"source_type", "block", "path", "/dev/sdb"}, {"source_type", "network", "protocol", "rbd", "source_name", "rbd/img", "host", "ceph1:6789"},
		{"source_type", "volume", "pool", "default", "volume", "web.qcow2"}, {"source_type", "nvme", "nvme_address", "0000:01:00.0"}},
	"cdrom": {nil, {"path", "/iso/debian.iso"}},
	"nic": {nil, {"source_type", "bridge"}, {"source_type", "openvswitch", "vlan", "10,20"}, {"source_type", "direct", "dev", "eno1"},
		{"source_type", "user", "backend", "passt", "port_forward", "tcp:2222:22"}, {"source_type", "hostdev", "pci", "0000:03:10.1"}},
	"graphics":   {nil, {"type", "spice", "gl", "yes"}, {"listen", "127.0.0.1", "port", "5901", "password", "s3cret"}},
	"video":      {nil, {"model", "qxl", "vram", "64MiB", "heads", "2"}},
	"input":      {nil, {"type", "evdev", "dev", "/dev/input/event3", "grab", "yes", "grab_toggle", "ctrl-ctrl", "repeat", "on"}, {"type", "passthrough"}},
	"tpm":        {nil, {"backend", "passthrough"}},
	"rng":        {nil, {"backend", "egd"}, {"backend", "builtin"}, {"rate_bytes", "1024", "rate_period", "2000"}},
	"serial":     {nil, {"source_type", "file"}, {"source_type", "unix"}, {"source_type", "tcp"}},
	"filesystem": {nil, {"driver", "path", "readonly", "yes", "accessmode", "mapped"}},
	"usb-host":   {{"usb_id", "046d:c52b"}, {"usb_address", "001:004"}},
	"pci-host":   {{"address", "0000:03:00.0", "managed", "no"}},
	"mdev":       {{"uuid", "4b20d080-1b54-4048-85b3-a6a62d165c01", "display", "on"}},
	"usb-redir":  {nil, {"source_type", "tcp", "server", "192.0.2.7:4000"}},
	"vsock":      {nil, {"cid", "42"}},
	"memballoon": {nil, {"stats_period", "10", "free_page_reporting", "on"}},
}

func TestGetSetRoundTrip(t *testing.T) {
	for _, cc := range capsCases(t) {
		for _, k := range Kinds() {
			if !k.Addable || k.Unavailable(cc.caps, nil) != "" {
				continue
			}
			vs := variants[k.ID]
			if vs == nil {
				vs = [][]string{nil}
			}
			for _, setup := range vs {
				d := newDev(t, k.ID, cc.caps, setup...)
				for _, f := range d.Fields() {
					v := d.Get(f.Name)
					if v == "" && !f.Optional {
						t.Errorf("%s %s %v: required field %s is empty", cc.name, k.ID, setup, f.Name)
						continue
					}
					if err := d.Set(f.Name, v); err != nil {
						t.Errorf("%s %s %v: Set(%s, Get() = %q): %v", cc.name, k.ID, setup, f.Name, v, err)
						continue
					}
					if got := d.Get(f.Name); got != v {
						t.Errorf("%s %s %v: %s: Get after Set(%q) = %q", cc.name, k.ID, setup, f.Name, v, got)
					}
				}
			}
		}
	}
}

// TestSetValues checks that values are normalized, land in the right XML
// and that the resulting device passes libvirt's schema.
func TestSetValues(t *testing.T) {
	lt.NeedSchemaTools(t) // before any assertion: a skip here skips nothing checked
	cases := []struct {
		kind      string
		setup     []string
		field     string
		value     string
		wantGet   string
		wantInXML []string
	}{
		{"disk", nil, "total_bytes_sec", "50MiB/s", "50 MiB/s", []string{"<total_bytes_sec>52428800</total_bytes_sec>"}},
		{"disk", nil, "write_iops_sec", "0500", "500", []string{"<write_iops_sec>500</write_iops_sec>"}},
		{"disk", nil, "bus", "SATA", "sata", []string{`dev="sda"`, `bus="sata"`}},
		{"disk", nil, "cache", "none", "none", []string{`cache="none"`}},
		{"disk", []string{"io", "native"}, "discard", "unmap", "unmap", []string{`io="native"`, `discard="unmap"`}},
		{"disk", nil, "serial", "WD-1234 x", "WD-1234 x", []string{"<serial>WD-1234 x</serial>"}},
		{"disk", nil, "shareable", "on", "yes", []string{"<shareable>"}},
		{"disk", []string{"source_type", "network", "protocol", "rbd", "source_name", "rbd/img"}, "host", "ceph1:6789", "ceph1:6789",
			[]string{`type="network"`, `protocol="rbd"`, `name="rbd/img"`, `<host name="ceph1" port="6789">`}},
		{"disk", []string{"source_type", "volume", "pool", "default"}, "volume", "web.qcow2", "web.qcow2", []string{`type="volume"`, `pool="default"`, `volume="web.qcow2"`}},
		{"disk", []string{"source_type", "nvme"}, "nvme_address", "01:00.0", "0000:01:00.0", []string{`type="nvme"`, `bus="0x01"`}},
		{"cdrom", nil, "path", "/iso/debian.iso", "/iso/debian.iso", []string{`<source file="/iso/debian.iso">`}},
		{"cdrom", []string{"path", "/iso/debian.iso"}, "path", "", "", []string{`device="cdrom"`}},
		{"nic", nil, "mac", "52-54-00-AB-CD-EF", "52:54:00:ab:cd:ef", []string{`address="52:54:00:ab:cd:ef"`}},
		{"nic", nil, "inbound_average", "10Mbit", "1250 kB/s", []string{`<inbound average="1250">`}},
		{"nic", []string{"outbound_average", "1MB/s"}, "outbound_burst", "1MiB", "1 MiB", []string{`<outbound average="1000" burst="1024">`}},
		{"nic", nil, "link_state", "down", "down", []string{`<link state="down">`}},
		{"nic", nil, "mtu", "9000", "9000", []string{`<mtu size="9000">`}},
		{"nic", []string{"source_type", "openvswitch", "bridge", "ovsbr1"}, "vlan", "10, 20", "10,20",
			[]string{`<vlan trunk="yes">`, `<tag id="20">`, `<virtualport type="openvswitch">`, `bridge="ovsbr1"`}},
		{"nic", []string{"source_type", "direct", "dev", "eno1"}, "direct_mode", "passthrough", "passthrough", []string{`type="direct"`, `dev="eno1" mode="passthrough"`}},
		{"nic", []string{"source_type", "user", "backend", "passt"}, "port_forward", "TCP:2222:22, udp:5000-5010", "tcp:2222:22,udp:5000-5010",
			[]string{`<backend type="passt">`, `<portForward proto="tcp">`, `<range start="2222" to="22">`, `<range start="5000" end="5010">`}},
		{"nic", []string{"source_type", "user", "backend", "passt"}, "port_forward", "tcp:22:2022 address=2001:db8::1:10, tcp:1020 exclude address=2001:db8::1:10,udp:53 dev=eth0",
			"tcp:22:2022 address=2001:db8::1:10,tcp:1020 exclude address=2001:db8::1:10,udp:53 dev=eth0",
			[]string{`<portForward proto="tcp" address="2001:db8::1:10">`, `<range start="1020" exclude="yes">`, `<portForward proto="udp" dev="eth0">`}},
		{"nic", []string{"source_type", "hostdev"}, "pci", "03:10.1", "0000:03:10.1", []string{`type="hostdev" managed="yes"`, `slot="0x10"`}},
		{"graphics", nil, "listen", "127.0.0.1", "127.0.0.1", []string{`<listen type="address" address="127.0.0.1">`}},
		{"graphics", nil, "port", "5905", "5905", []string{`port="5905"`, `autoport="no"`}},
		{"graphics", []string{"type", "spice"}, "gl", "yes", "yes", []string{`<gl enable="yes">`, `<listen type="none">`}},
		{"video", []string{"model", "qxl"}, "vram", "64MiB", "64 MiB", []string{`vram="65536"`}},
		{"input", []string{"type", "evdev", "dev", "/dev/input/event3"}, "grab", "yes", "yes", []string{`type="evdev"`, `dev="/dev/input/event3" grab="all"`}},
		{"tpm", nil, "model", "tpm-tis", "tpm-tis", []string{`model="tpm-tis"`, `type="emulator" version="2.0"`}},
		{"tpm", nil, "backend", "passthrough", "passthrough", []string{`<device path="/dev/tpm0">`}},
		{"rng", []string{"backend", "egd"}, "egd", "192.0.2.1:1708", "192.0.2.1:1708", []string{`model="egd"`, `host="192.0.2.1" service="1708"`}},
		{"usb-host", nil, "usb_id", "046D:C52B", "046d:c52b", []string{`<vendor id="0x046d">`, `<product id="0xc52b">`}},
		{"serial", []string{"source_type", "tcp"}, "tcp", "127.0.0.1:4555", "127.0.0.1:4555", []string{`type="tcp"`, `mode="bind" host="127.0.0.1" service="4555"`}},
		{"channel", nil, "name", "com.redhat.spice.0", "com.redhat.spice.0", []string{`type="spicevmc"`}},
		{"filesystem", []string{"driver", "path"}, "readonly", "yes", "yes", []string{"<readonly>"}},
		{"vsock", nil, "cid", "42", "42", []string{`auto="no" address="42"`}},
		{"memballoon", nil, "stats_period", "10", "10", []string{`<stats period="10">`}},
		{"usb-controller", nil, "ports", "8", "8", []string{`ports="8"`}},
		{"scsi-controller", nil, "queues", "4", "4", []string{`queues="4"`}},
		{"pcie-root-port", nil, "hotplug", "off", "off", []string{`hotplug="off"`}},
		{"watchdog", nil, "action", "poweroff", "poweroff", []string{`action="poweroff"`}},
	}
	for _, c := range cases {
		d := newDev(t, c.kind, nil, c.setup...)
		if err := d.Set(c.field, c.value); err != nil {
			t.Errorf("%s: Set(%s, %q): %v", c.kind, c.field, c.value, err)
			continue
		}
		if got := d.Get(c.field); got != c.wantGet {
			t.Errorf("%s: Get(%s) = %q, want %q", c.kind, c.field, got, c.wantGet)
		}
		doc, err := d.XML()
		if err != nil {
			t.Errorf("%s: XML: %v", c.kind, err)
			continue
		}
		for _, w := range c.wantInXML {
			if !strings.Contains(doc, w) {
				t.Errorf("%s: after %s=%q the XML lacks %s:\n%s", c.kind, c.field, c.value, w, doc)
			}
		}
		if c.kind == "usb-host" {
			continue // libvirtxml's element order; see requiredInput
		}
		def := testDomain(nil)
		enableSharedMemory(def)
		if err := d.AddTo(def); err != nil {
			t.Errorf("%s: AddTo: %v", c.kind, err)
			continue
		}
		validate(t, def)
	}
}

func TestCheckRefusesWhatLibvirtRefuses(t *testing.T) {
	cases := []struct {
		kind  string
		setup []string
		want  string
	}{
		{"disk", []string{"total_bytes_sec", "10M", "read_bytes_sec", "5M"}, "total bytes/s cannot be set together with read or write bytes/s"},
		{"disk", []string{"total_iops_sec", "100", "write_iops_sec", "50"}, "total IOPS cannot be set together"},
		{"disk", []string{"bus", "sata", "readonly", "yes"}, "libvirt refuses read-only sata disks"},
		{"disk", []string{"source_type", "network", "protocol", "iscsi"}, "needs a name"},
		{"disk", []string{"source_type", "volume"}, "needs both a pool and a volume"},
		{"cdrom", []string{"bus", "ide"}, "machine q35 has no IDE controller; use sata"},
		{"nic", []string{"inbound_peak", "10Mbit"}, "inbound peak and burst need an inbound average rate"},
		{"nic", []string{"source_type", "direct"}, "needs the host interface"},
		{"nic", []string{"source_type", "hostdev"}, "needs the virtual function's PCI address"},
		{"tpm", []string{"version", "1.2"}, "tpm-crb needs TPM 2.0"},
		{"usb-host", nil, "choose the host USB device"},
		{"pci-host", nil, "choose the host PCI device"},
		{"mdev", nil, "choose the mediated device"},
	}
	for _, c := range cases {
		d := newDev(t, c.kind, nil, c.setup...)
		if _, err := d.XML(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: XML err = %v, want %q", c.kind, c.setup, err, c.want)
		}
		if err := d.AddTo(testDomain(nil)); err == nil {
			t.Errorf("%s %v: AddTo accepted an invalid device", c.kind, c.setup)
		}
	}
}

func TestCheckSeesTheDefinition(t *testing.T) {
	def := testDomain(nil)
	for range 2 {
		d, _ := KindByID("disk").New(nil, def)
		if err := d.AddTo(def); err != nil {
			t.Fatal(err)
		}
	}
	items := List(def)
	second, err := items[1].Device(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Renaming onto the other disk's target collides; onto its own does not.
	if err := second.Set("target", "vda"); err != nil {
		t.Fatal(err)
	}
	if _, err := second.XML(); err == nil || !strings.Contains(err.Error(), "target vda is already used") {
		t.Errorf("duplicate target: %v", err)
	}
	if err := second.Set("target", "vdb"); err != nil {
		t.Fatal(err)
	}
	if _, err := second.XML(); err != nil {
		t.Errorf("a disk collides with itself: %v", err)
	}
	// A device boot order next to <os><boot dev> is refused.
	def.OS.BootDevices = []lx.DomainBootDevice{{Dev: "hd"}}
	if err := second.Set("boot_order", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := second.XML(); err == nil || !strings.Contains(err.Error(), "per-device boot order") {
		t.Errorf("boot order with <boot dev>: %v", err)
	}
	// Replace writes the edit back into the definition.
	def.OS.BootDevices = nil
	if err := second.Set("cache", "none"); err != nil {
		t.Fatal(err)
	}
	if err := items[1].Replace(second); err != nil {
		t.Fatal(err)
	}
	if def.Devices.Disks[1].Driver.Cache != "none" || def.Devices.Disks[1].Boot.Order != 1 {
		t.Errorf("Replace did not write the edit back: %+v", def.Devices.Disks[1])
	}
	// The listed device itself was not touched by the edits before.
	if def.Devices.Disks[0].Target.Dev != "vda" {
		t.Errorf("the first disk changed: %+v", def.Devices.Disks[0].Target)
	}
	nic, _ := KindByID("nic").New(nil, def)
	if err := nic.AddTo(def); err != nil {
		t.Fatal(err)
	}
	other, _ := KindByID("nic").New(nil, def)
	if err := other.Set("mac", nic.Get("mac")); err != nil {
		t.Fatal(err)
	}
	if err := other.AddTo(def); err == nil || !strings.Contains(err.Error(), "already used by another NIC") {
		t.Errorf("duplicate MAC: %v", err)
	}
}

// QEMU changes a display's password live only when the display started
// with one: the field says so, and the form then saves for the next start.
func TestDisplayPasswordLiveOnlyWhenStartedWithOne(t *testing.T) {
	for _, tc := range []struct {
		attr string
		live bool
	}{{"", false}, {" passwd='old'", true}} {
		def := &lx.Domain{}
		if err := def.Unmarshal("<domain type='kvm'><name>x</name><devices><graphics type='vnc' port='-1'" + tc.attr + "/></devices></domain>"); err != nil {
			t.Fatal(err)
		}
		dev, err := List(def)[0].Device(nil)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range dev.Fields() {
			if f.Name == "password" {
				found = true
				if f.Live != tc.live {
					t.Errorf("display%s: password live = %v, want %v", tc.attr, f.Live, tc.live)
				}
			}
		}
		if !found {
			t.Fatal("no password field")
		}
	}
}
