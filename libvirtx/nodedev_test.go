package libvirtx

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// connectDemo opens the bundled demo host (libvirt's test driver loaded with
// testdata/demo/host.xml): its node devices are made up, nothing is real.
func connectDemo(t *testing.T, readOnly bool) (*Manager, string) {
	t.Helper()
	uri := "test://" + lt.RepoRoot() + "/testdata/demo/host.xml"
	m := NewManager(readOnly)
	t.Cleanup(m.Close)
	if err := m.Add(uri); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 5*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
	return m, uri
}

func byAddress(t *testing.T, devs []HostDevice, addr string) HostDevice {
	t.Helper()
	for _, d := range devs {
		if d.Address == addr {
			return d
		}
	}
	t.Fatalf("no device at %s in %d devices", addr, len(devs))
	return HostDevice{}
}

func userNames(us []DeviceUser) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func TestHostDevicesOnDemoHost(t *testing.T) {
	m, uri := connectDemo(t, true) // listing needs no write access
	devs, err := m.HostDevices(uri)
	if err != nil {
		t.Fatal(err)
	}
	var pci, usb int
	for _, d := range devs {
		switch d.Bus {
		case "pci":
			pci++
		case "usb":
			usb++
		default:
			t.Fatalf("%s: bus %q", d.Name, d.Bus)
		}
	}
	if pci != 6 || usb != 2 {
		t.Fatalf("%d PCI and %d USB devices, want 6 and 2 (the 'computer' device is neither)", pci, usb)
	}

	// Names and IDs from the node device XML, the class named like lspci.
	sas := byAddress(t, devs, "0000:03:00.0")
	if sas.Name != "pci_0000_03_00_0" || sas.IDs() != "1000:0087" || sas.Vendor != "Broadcom / LSI" ||
		sas.Product != "SAS2308 PCI-Express Fusion-MPT SAS-2" || sas.ClassName != "Serial Attached SCSI controller" {
		t.Fatalf("SAS card: %+v", sas)
	}
	if sas.IOMMUGroup != 14 || !slices.Equal(sas.Group, []string{"0000:03:00.0"}) || !sas.Safe || sas.Why != "alone in IOMMU group 14" {
		t.Fatalf("SAS card group: %d %v safe=%v %q", sas.IOMMUGroup, sas.Group, sas.Safe, sas.Why)
	}
	if len(sas.UsedBy) != 1 || sas.UsedBy[0].Name != "nas-gateway" || !sas.UsedBy[0].Running || sas.UsedBy[0].URI != uri {
		t.Fatalf("SAS card used by %+v, want nas-gateway (running)", sas.UsedBy)
	}

	key := byAddress(t, devs, "001:004")
	if key.Name != "usb_1_4" || key.IDs() != "1050:0407" || key.Title() != "Yubico.com Yubikey 4/5 OTP+U2F+CCID" {
		t.Fatalf("USB key: %+v", key)
	}
	if got := userNames(key.UsedBy); !slices.Equal(got, []string{"win11-desktop"}) || key.UsedBy[0].Running {
		t.Fatalf("USB key used by %+v, want win11-desktop (shut off)", key.UsedBy)
	}
	if rx := byAddress(t, devs, "003:002"); len(rx.UsedBy) != 0 || rx.Vendor != "Logitech, Inc." {
		t.Fatalf("receiver: %+v", rx)
	}

	// The GPU and its audio function share one IOMMU group.
	gpu, audio := byAddress(t, devs, "0000:0b:00.0"), byAddress(t, devs, "0000:0b:00.1")
	want := []string{"0000:0b:00.0", "0000:0b:00.1"}
	if gpu.IOMMUGroup != 20 || audio.IOMMUGroup != 20 || !slices.Equal(gpu.Group, want) || !slices.Equal(audio.Group, want) {
		t.Fatalf("group 20: %v / %v", gpu.Group, audio.Group)
	}
	// The test driver keeps no <driver>, so both are unbound: the group is
	// whole and safe.
	if !gpu.Safe || gpu.Why != "shares IOMMU group 20 only with bridges or devices off the host" {
		t.Fatalf("GPU verdict: %v %q", gpu.Safe, gpu.Why)
	}

	// SR-IOV: the PF lists its VFs, each VF names its PF, and the VFs sort
	// right after their PF.
	pf := byAddress(t, devs, "0000:04:00.0")
	if !slices.Equal(pf.VFs, []string{"0000:04:10.0", "0000:04:10.4"}) || pf.MaxVFs != 7 || pf.PF != "" {
		t.Fatalf("PF: VFs %v max %d", pf.VFs, pf.MaxVFs)
	}
	for _, a := range pf.VFs {
		if vf := byAddress(t, devs, a); vf.PF != pf.Address || len(vf.VFs) != 0 || vf.IOMMUGroup < 0 {
			t.Fatalf("VF %s: %+v", a, vf)
		}
	}
	var order []string
	for _, d := range devs {
		order = append(order, d.Address)
	}
	wantOrder := []string{"0000:03:00.0", "0000:04:00.0", "0000:04:10.0", "0000:04:10.4", "0000:0b:00.0", "0000:0b:00.1", "001:004", "003:002"}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("order %v, want %v", order, wantOrder)
	}
}

func TestJudgeGroups(t *testing.T) {
	a := DeviceUser{Ref: Ref{UUID: "a", Name: "vm-a"}}
	b := DeviceUser{Ref: Ref{UUID: "b", Name: "vm-b"}}
	grp := func(n int, addrs ...string) (int, []string) { return n, addrs }
	mk := func(addr, driver string, bridge bool, users []DeviceUser, g int, members []string) HostDevice {
		return HostDevice{Bus: "pci", Address: addr, Driver: driver, Bridge: bridge, UsedBy: users, IOMMUGroup: g, Group: members}
	}
	g1, m1 := grp(1, "0000:00:01.0", "0000:01:00.0", "0000:01:00.1")
	g2, m2 := grp(2, "0000:02:00.0", "0000:02:00.1", "0000:02:00.2")
	g3, m3 := grp(3, "0000:03:00.0", "0000:03:00.1")
	g4, m4 := grp(4, "0000:04:00.0", "0000:04:00.1")
	devs := []HostDevice{
		// group 1: a root port (bridge, on pcieport), a GPU on nouveau and
		// its audio on snd_hda_intel.
		mk("0000:00:01.0", "pcieport", true, nil, g1, m1),
		mk("0000:01:00.0", "nouveau", false, nil, g1, m1),
		mk("0000:01:00.1", "snd_hda_intel", false, nil, g1, m1),
		// group 2: one on vfio-pci, one on pci-stub, one unbound.
		mk("0000:02:00.0", "vfio-pci", false, nil, g2, m2),
		mk("0000:02:00.1", "pci-stub", false, nil, g2, m2),
		mk("0000:02:00.2", "", false, nil, g2, m2),
		// group 3: its other member already given to vm-a.
		mk("0000:03:00.0", "vfio-pci", false, nil, g3, m3),
		mk("0000:03:00.1", "vfio-pci", false, []DeviceUser{a}, g3, m3),
		// group 4: a member that libvirt does not list.
		mk("0000:04:00.0", "", false, nil, g4, m4),
		// no IOMMU at all
		mk("0000:05:00.0", "e1000e", false, nil, -1, nil),
		{Bus: "usb", Address: "001:002"},
	}
	judgeGroups(devs)
	verdicts := map[string]string{}
	for _, d := range devs {
		v := "unsafe: "
		if d.Safe {
			v = "safe: "
		}
		verdicts[d.Address] = v + d.Why
	}
	want := map[string]string{
		"0000:00:01.0": "unsafe: a bridge: it stays with the host (the devices behind it can be passed)",
		"0000:01:00.0": "unsafe: IOMMU group 1 also holds 0000:01:00.1 (on snd_hda_intel)",
		"0000:01:00.1": "unsafe: IOMMU group 1 also holds 0000:01:00.0 (on nouveau)",
		"0000:02:00.0": "safe: shares IOMMU group 2 only with bridges or devices off the host",
		"0000:02:00.1": "safe: shares IOMMU group 2 only with bridges or devices off the host",
		"0000:02:00.2": "safe: shares IOMMU group 2 only with bridges or devices off the host",
		"0000:03:00.0": "unsafe: IOMMU group 3 also holds 0000:03:00.1 (given to vm-a)",
		"0000:03:00.1": "safe: shares IOMMU group 3 only with bridges or devices off the host",
		"0000:04:00.0": "unsafe: IOMMU group 4 also holds 0000:04:00.1 (unknown to libvirt)",
		"0000:05:00.0": "unsafe: no IOMMU group: the host's IOMMU is off (VT-d/AMD-Vi in firmware, intel_iommu=on)",
		"001:002":      "safe: USB needs no IOMMU group",
	}
	for addr, w := range want {
		if verdicts[addr] != w {
			t.Errorf("%s: %q\n   want %q", addr, verdicts[addr], w)
		}
	}
	// Two members going to the same VM do not block each other.
	devs[6].UsedBy = []DeviceUser{a}
	judgeGroups(devs)
	if !devs[6].Safe {
		t.Fatalf("03:00.0 with vm-a like its sibling: %q", devs[6].Why)
	}
	devs[6].UsedBy = []DeviceUser{b}
	judgeGroups(devs)
	if devs[6].Safe {
		t.Fatal("03:00.0 for vm-b while its sibling is vm-a's was judged safe")
	}
}

func TestHostdevUsersFromDefinitions(t *testing.T) {
	ix := &userIndex{pci: map[string][]DeviceUser{}}
	u := DeviceUser{Ref: Ref{UUID: "u1", Name: "vm1"}}
	ix.scan(`<domain><devices>
	  <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x0b' slot='0x00' function='0x1'/></source></hostdev>
	  <hostdev mode='subsystem' type='usb'><source><address bus='3' device='12'/></source></hostdev>
	  <interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></source></interface>
	  <interface type='network'><source network='default'/></interface>
	</devices></domain>`, u)
	ix.scan(`<domain><devices><hostdev mode='subsystem' type='usb'><source><vendor id='0x046D'/><product id='0xc52b'/></source></hostdev></devices></domain>`,
		DeviceUser{Ref: Ref{UUID: "u2", Name: "vm2"}})
	for _, c := range []struct {
		d    HostDevice
		want []string
	}{
		{HostDevice{Bus: "pci", Address: "0000:0b:00.1"}, []string{"vm1"}},
		{HostDevice{Bus: "pci", Address: "0000:04:10.4"}, []string{"vm1"}},
		{HostDevice{Bus: "pci", Address: "0000:04:10.0"}, nil},
		{HostDevice{Bus: "usb", Address: "003:012", VendorID: "1234", ProductID: "5678"}, []string{"vm1"}},
		{HostDevice{Bus: "usb", Address: "001:002", VendorID: "046d", ProductID: "c52b"}, []string{"vm2"}},
		{HostDevice{Bus: "usb", Address: "003:008", VendorID: "046d", ProductID: "c52a"}, nil},
	} {
		if got := userNames(ix.of(&c.d)); !slices.Equal(got, c.want) {
			t.Errorf("%s: used by %v, want %v", c.d.Address, got, c.want)
		}
	}
}

// The test driver has no node device detach/reattach: libvirt's own refusal
// comes back verbatim. A read-only connection refuses before libvirt, and so
// does a USB device.
func TestDetachReattachOnTestDriver(t *testing.T) {
	m, uri := connectDemo(t, false)
	err := m.DetachHostDevice(uri, "pci_0000_03_00_0")
	if err == nil || !strings.Contains(err.Error(), "not supported by the connection driver: virNodeDeviceDetachFlags") {
		t.Fatalf("detach on the test driver: %v", err)
	}
	t.Logf("libvirt's test driver does not support node device detach/reattach; it says: %v", err)
	err = m.ReattachHostDevice(uri, "pci_0000_03_00_0")
	if err == nil || !strings.Contains(err.Error(), "virNodeDeviceReAttach") {
		t.Fatalf("reattach on the test driver: %v", err)
	}
	if err := m.DetachHostDevice(uri, "usb_1_4"); err == nil || !strings.Contains(err.Error(), "only PCI devices") {
		t.Fatalf("detach of a USB device: %v", err)
	}
	if err := m.DetachHostDevice(uri, "pci_ffff_ff_1f_7"); err == nil || !strings.Contains(err.Error(), "pci_ffff_ff_1f_7") {
		t.Fatalf("detach of a missing device: %v", err)
	}

	ro, uri := connectDemo(t, true)
	if err := ro.DetachHostDevice(uri, "pci_0000_03_00_0"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only detach: %v", err)
	}
	if err := ro.ReattachHostDevice(uri, "pci_0000_03_00_0"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only reattach: %v", err)
	}
}

// The real host: every PCI function libvirt lists is here, each with an
// IOMMU group or a note saying there is none. Nothing is detached: the only
// detach calls are on a read-only connection and on a name no device has.
func TestRealHostDevices(t *testing.T) {
	uri := lt.URI(t)
	m := NewManager(true)
	defer m.Close()
	if err := m.Add(uri); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
	devs, err := m.HostDevices(uri)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, d := range devs {
		names[d.Name] = true
		if d.Bus != "pci" {
			continue
		}
		switch {
		case d.IOMMUGroup >= 0:
			if !slices.Contains(d.Group, d.Address) {
				t.Errorf("%s: IOMMU group %d %v lacks the device itself", d.Name, d.IOMMUGroup, d.Group)
			}
		case !strings.HasPrefix(d.Why, "no IOMMU group"):
			t.Errorf("%s has no IOMMU group and no note saying so: %q", d.Name, d.Why)
		}
		if d.Why == "" || d.VendorID == "" || len(d.VendorID) != 4 {
			t.Errorf("%s: %+v", d.Name, d)
		}
		t.Logf("%s %s %-28s driver=%-12q group=%d safe=%v: %s", d.Address, d.IDs(), d.Title(), d.Driver, d.IOMMUGroup, d.Safe, d.Why)
	}
	for _, cp := range []string{"pci", "usb_device"} {
		out := lt.MustVirsh(t, uri, "nodedev-list", "--cap", cp)
		for _, n := range strings.Fields(out) {
			if !names[n] {
				t.Errorf("virsh lists %s, HostDevices does not", n)
			}
		}
	}
	if err := m.DetachHostDevice(uri, devs[0].Name); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only detach of a real device: %v", err)
	}

	rw := NewManager(false)
	defer rw.Close()
	if err := rw.Add(uri); err != nil {
		t.Fatal(err)
	}
	waitFor(t, rw, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
	if err := rw.DetachHostDevice(uri, "pci_ffff_ff_1f_7"); err == nil || !strings.Contains(err.Error(), "pci_ffff_ff_1f_7") {
		t.Fatalf("detach of a device that does not exist: %v", err)
	}
}

// A USB hostdev by IDs, as libvirtxml writes it, validates after schemaOrder:
// a redefine of a VM with one (the demo's win11-desktop) works.
func TestRedefineKeepsUSBIDsInSchemaOrder(t *testing.T) {
	m, _ := connectDemo(t, false)
	var ref Ref
	for _, u := range m.URIs() {
		c, _ := m.conn(u)
		doms, _ := c.Inventory()
		for _, d := range doms {
			if d.Name == "win11-desktop" {
				ref = d.Ref
			}
		}
	}
	if _, err := m.Redefine(ref, func(d *libvirtxml.Domain) error { d.OnReboot = "destroy"; return nil }); err != nil {
		t.Fatalf("redefine of a VM with a USB hostdev: %v", err)
	}
}
