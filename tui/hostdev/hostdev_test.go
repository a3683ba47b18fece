package hostdev

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/tuitest"
)

type harness struct{ *tuitest.Harness }

func newHarness(t *testing.T, readOnly bool) harness {
	return harness{tuitest.New(t, readOnly, tuitest.DemoURI(t))}
}

// page is the host devices page when it is on top.
func (h harness) page() *Page {
	p, _ := h.M.Top().(*Page)
	return p
}

// openHostdevs opens the host devices view with H and waits for the list.
func (h harness) openHostdevs() *Page {
	h.T.Helper()
	h.Keys("H")
	hd := h.page()
	if hd == nil || hd.loading || len(hd.devs) == 0 {
		h.T.Fatalf("host devices not loaded; screen:\n%s", h.M.View())
	}
	return hd
}

// devTo moves the cursor onto the device at addr.
func (h harness) devTo(addr string) {
	h.T.Helper()
	hd := h.page()
	for i, r := range hd.rows {
		if r.header == "" && hd.devs[r.dev].Address == addr {
			hd.cursor = i
			return
		}
	}
	h.T.Fatalf("no device %s in the view", addr)
}

// pickVM moves the attach picker's cursor onto the named VM.
func (h harness) pickVM(name string) {
	h.T.Helper()
	p := h.page().pick
	if p == nil {
		h.T.Fatalf("no VM picker; screen:\n%s", h.M.View())
	}
	for i, vm := range p.vms {
		if vm.Name == name {
			p.cursor = i
			return
		}
	}
	h.T.Fatalf("%s is not offered", name)
}

func TestHostdevViewListsTheDemoHost(t *testing.T) {
	h := newHarness(t, false)
	hd := h.openHostdevs()
	h.ScreenHas("Host devices on demo", "2 USB, 6 PCI", "USB devices", "PCI devices",
		"001:004", "003:002", "0000:03:00.0", "0000:0b:00.1", "└ 0000:04:10.0", "└ 0000:04:10.4",
		"nas-gateway*", "win11-desktop", "PASSTHROUGH", "safe")
	// USB first, then PCI; the VFs right under their PF, marked as such.
	var seq []string
	for _, r := range hd.rows {
		if r.header != "" {
			seq = append(seq, r.header)
			continue
		}
		s := hd.devs[r.dev].Address
		if r.vf {
			s = "vf " + s
		}
		seq = append(seq, s)
	}
	want := "usb 001:004 003:002 pci 0000:03:00.0 0000:04:00.0 vf 0000:04:10.0 vf 0000:04:10.4 0000:0b:00.0 0000:0b:00.1"
	if got := strings.Join(seq, " "); got != want {
		t.Fatalf("rows:\n %s\nwant\n %s", got, want)
	}
	// The cursor starts on the first device, and skips section headers.
	if d := hd.selected(); d == nil || d.Address != "001:004" {
		t.Fatalf("first selection: %+v", d)
	}
	h.Keys("j", "j")
	if d := hd.selected(); d == nil || d.Address != "0000:03:00.0" {
		t.Fatalf("after jj: %+v", d)
	}
	h.ScreenHas("0000:03:00.0 [1000:0087] Broadcom / LSI SAS2308 PCI-Express Fusion-MPT SAS-2",
		"Serial Attached SCSI controller · driver: none (unbound) · pci_0000_03_00_0", "IOMMU group 14: 0000:03:00.0",
		"safe to pass: alone in IOMMU group 14", "used by nas-gateway (running)")
	h.Keys("j")
	h.ScreenHas("SR-IOV physical function with 2 of 7 VFs")
	h.Keys("j")
	h.ScreenHas("SR-IOV virtual function of 0000:04:00.0")
	h.Keys("G")
	h.ScreenHas("IOMMU group 20: 0000:0b:00.0 0000:0b:00.1", "used by no VM")
	h.Keys("g")
	h.ScreenHas("USB device, bus 1 device 4", "used by win11-desktop")
	if v := h.M.View(); strings.Count(v, "\n") != 23 {
		t.Fatalf("the screen is not 24 lines at 80x24:\n%s", v)
	}

	// Wide: the IDs column and the full verdicts.
	h.Send(tea.WindowSizeMsg{Width: 200, Height: 50})
	h.ScreenHas("1000:0087", "IDS", "Broadcom / LSI SAS2308 PCI-Express Fusion-MPT SAS-2")
	h.Keys("?")
	h.ScreenHas("Host devices (H)", "detach from the host (to vfio-pci)", "attach to a VM")
	if e, ok := common.Lookup("hostdev"); !ok || e.Usage != "hostdev [URI]" {
		t.Fatal("no :hostdev in the registry, which feeds the command help")
	}
	h.ScreenHas(":hostdev [URI]")
	h.Keys("esc")
	if h.page() == nil {
		t.Fatal("help did not return to the host devices view")
	}
	h.ScreenHas("› Host devices: demo") // the breadcrumb
	h.Keys("esc")
	if !h.OnList() {
		t.Fatal("esc did not go back to the list")
	}

	// The command line opens it too, and names a host it does not know.
	h.Keys(":")
	h.Keys("hostdev test:///nowhere", "enter")
	h.MsgHas("not connected to test:///nowhere")
	h.Keys(":")
	h.Keys("hostdev", "enter")
	if h.page() == nil || len(h.page().devs) != 8 {
		t.Fatalf(":hostdev did not open the view; screen:\n%s", h.M.View())
	}
}

func TestHostdevAttachVFAndUSBToShutOffVMs(t *testing.T) {
	h := newHarness(t, false)
	h.openHostdevs()

	// A VF to a shut-off VM: in the definition ("saved").
	h.devTo("0000:04:10.4")
	h.Keys("a")
	h.ScreenHas("Attach 0000:04:10.4 (Intel Corporation I350 Ethernet", "to which VM?", "legacy-centos7")
	h.pickVM("legacy-centos7")
	h.Keys("enter")
	h.MsgHas("attached 0000:04:10.4 to legacy-centos7: saved")
	xml, err := h.Mgr.DomainXML(h.VM("legacy-centos7").Ref, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(xml, "<hostdev mode='subsystem' type='pci' managed='yes'>") ||
		!strings.Contains(xml, "<address domain='0x0000' bus='0x04' slot='0x10' function='0x4'/>") {
		t.Fatalf("no VF hostdev in the definition:\n%s", xml)
	}
	// The list was re-read: the VF names its VM now.
	h.devTo("0000:04:10.4")
	h.ScreenHas("used by legacy-centos7")
	// Twice is refused in the picker, before libvirt.
	h.Keys("a")
	h.pickVM("legacy-centos7")
	h.ScreenHas("already has it")
	h.Keys("enter")
	h.MsgHas("legacy-centos7: already has it")
	h.Keys("esc")
	if n := strings.Count(mustXML(t, h, "legacy-centos7"), "function='0x4'"); n != 1 {
		t.Fatalf("the VF is in the definition %d times", n)
	}

	// A USB device by its IDs.
	h.devTo("003:002")
	h.Keys("a")
	h.pickVM("fedora-40-ws")
	h.Keys("enter")
	h.MsgHas("attached 003:002 to fedora-40-ws: saved")
	xml = mustXML(t, h, "fedora-40-ws")
	if !strings.Contains(xml, "<hostdev mode='subsystem' type='usb'") || !strings.Contains(xml, "<vendor id='0x046d'/>") ||
		!strings.Contains(xml, "<product id='0xc52b'/>") {
		t.Fatalf("no USB hostdev in the definition:\n%s", xml)
	}

	// The GPU's audio function to fedora-40-ws: the GPU's IOMMU group is
	// then split between the host and a VM, and the GPU's verdict says so.
	h.devTo("0000:0b:00.1")
	h.Keys("a")
	h.pickVM("fedora-40-ws")
	h.Keys("enter")
	h.MsgHas("attached 0000:0b:00.1 to fedora-40-ws: saved")
	h.devTo("0000:0b:00.0")
	h.ScreenHas("not safe to pass: IOMMU group 20 also holds 0000:0b:00.1 (given to fedora-40-ws)")
	// Attaching it anyway warns in the picker.
	h.Keys("a")
	h.ScreenHas("not safe to pass yet: IOMMU group 20")
	h.Keys("esc")

	// A running VM is attached live; the test driver has no device calls,
	// and libvirt's refusal is shown verbatim.
	h.devTo("0000:04:10.0")
	h.Keys("a")
	h.pickVM("web-01")
	h.Keys("enter")
	h.MsgHas("attach 0000:04:10.0 to web-01: attach device:")
	h.MsgHas("this function is not supported by the connection driver: virDomainAttachDeviceFlags")
	if strings.Contains(mustXML(t, h, "web-01"), "<hostdev") {
		t.Fatal("web-01 got a hostdev")
	}
}

func mustXML(t *testing.T, h harness, vm string) string {
	t.Helper()
	xml, err := h.Mgr.DomainXML(h.VM(vm).Ref, true, false)
	if err != nil {
		t.Fatal(err)
	}
	return xml
}

func TestHostdevDetachAndReattach(t *testing.T) {
	h := newHarness(t, false)
	hd := h.openHostdevs()

	// Refused in words before libvirt.
	h.devTo("001:004")
	h.Keys("d")
	h.MsgHas("only PCI devices are detached from the host")
	h.Keys("r")
	h.MsgHas("only PCI devices are reattached")
	h.devTo("0000:03:00.0")
	h.Keys("d")
	h.MsgHas("0000:03:00.0 is in use by nas-gateway (running): it is already away from the host")
	h.Keys("r")
	h.MsgHas("nas-gateway is running with 0000:03:00.0: shut it down")
	if hd.ask != nil {
		t.Fatal("a refusal asked a question")
	}

	// The warning before a device leaves the host; n keeps it.
	h.devTo("0000:0b:00.0")
	h.Keys("d")
	h.ScreenHas("Detach 0000:0b:00.0", "The host loses 0000:0b:00.0 until it is reattached", "No VM uses it yet")
	h.Keys("n")
	h.MsgHas("cancelled")
	// y asks libvirt; the test driver has no node device detach, and says so.
	h.Keys("d", "y")
	h.MsgHas("detach pci_0000_0b_00_0: this function is not supported by the connection driver: virNodeDeviceDetachFlags")
	t.Logf("libvirt's test driver has no node device detach/reattach; the view shows: %s", h.Ctx().Msg.Text)
	h.Keys("r")
	h.MsgHas("reattach pci_0000_0b_00_0: this function is not supported by the connection driver: virNodeDeviceReAttach")

	// The SR-IOV PF: the warning says its VFs go with it.
	h.devTo("0000:04:00.0")
	h.Keys("d")
	h.ScreenHas("its 2 virtual functions go away")
	h.Keys("esc")

	// What a real host reports and the test driver cannot: drivers, bridges.
	i := hd.rows[hd.cursor].dev
	hd.devs[i].Driver = "vfio-pci"
	h.Keys("d")
	h.MsgHas("already detached (on vfio-pci); r gives it back to the host")
	hd.devs[i].Driver = "igb"
	h.Keys("r")
	h.MsgHas("0000:04:00.0 is not detached: the host's igb driver has it")
	hd.devs[i].Bridge = true
	for _, k := range []string{"d", "r", "a"} {
		h.Keys(k)
		h.MsgHas("0000:04:00.0 is a bridge")
	}
	if hd.ask != nil || hd.pick != nil {
		t.Fatal("a refusal opened a question or the picker")
	}
}

func TestHostdevReadOnly(t *testing.T) {
	h := newHarness(t, true)
	h.openHostdevs()
	h.ScreenLacks("detach")
	h.devTo("0000:0b:00.0")
	for _, k := range []string{"d", "r", "a"} {
		h.Keys(k)
		h.MsgHas(libvirtx.ErrReadOnly.Error())
	}
	if h.page().ask != nil || h.page().pick != nil {
		t.Fatal("read-only opened a question or the picker")
	}
}
