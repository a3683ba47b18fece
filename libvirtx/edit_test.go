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

func TestRedefineOnTestDriver(t *testing.T) {
	m, doms := connectTest(t, false)
	ref := doms[0].Ref
	if err := m.Do(ref, ForceOff); err != nil {
		t.Fatal(err)
	}
	a, err := m.Redefine(ref, func(d *libvirtxml.Domain) error {
		d.OnReboot = "destroy"
		return nil
	})
	if err != nil || !a.Config || a.Live {
		t.Fatalf("redefine: %+v %v", a, err)
	}
	xml, err := m.DomainXML(ref, true, false)
	if err != nil || !strings.Contains(xml, "<on_reboot>destroy</on_reboot>") {
		t.Fatalf("on_reboot not changed:\n%s", xml)
	}
	// A change that changes nothing defines nothing and reports no error.
	a, err = m.Redefine(ref, func(d *libvirtxml.Domain) error { return nil })
	if err != nil || a.Config || a.Live {
		t.Fatalf("a change of nothing: %+v %v", a, err)
	}
	if same, _ := m.DomainXML(ref, true, false); same != xml {
		t.Fatalf("a change of nothing changed the definition:\n%s", same)
	}
	// A change libvirt rejects leaves the old definition, with libvirt's text.
	_, err = m.Redefine(ref, func(d *libvirtxml.Domain) error {
		d.Memory = &libvirtxml.DomainMemory{Value: 0}
		d.Devices.Disks = append(d.Devices.Disks, libvirtxml.DomainDisk{Device: "bogus"})
		return nil
	})
	if err == nil {
		t.Fatal("an invalid definition was accepted")
	}
	if xml2, _ := m.DomainXML(ref, true, false); xml2 != xml {
		t.Fatal("a rejected redefine changed the definition")
	}
}

// A definition libvirtxml cannot carry whole is edited as a patch: what
// libvirtxml drops stays, the change is made. An edit of the very element
// holding what it drops is refused, naming it. libvirt 9.0 itself
// normalises away most constructs this libvirtxml lacks, so the lossy
// definition is one a newer libvirt writes (from libvirt's own test suite).
func TestRedefinePatchesLossyDefinition(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(lt.Corpus(t), "domain", "aarch64-virt-default-models.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if loss, _ := devices.CheckRoundTrip(devices.KindDomain, string(raw)); loss == nil {
		t.Fatal("the sample is no longer lossy: pick another")
	}
	after, intended, err := planRedefine("aarch64", string(raw), func(d *libvirtxml.Domain) error { d.Title = "patched"; return nil })
	if err != nil {
		t.Fatalf("title edit of a lossy definition: %v", err)
	}
	if len(intended) != 1 || intended[0].Path != "/domain/title" {
		t.Fatalf("differences %v, want the title only", intended)
	}
	if !strings.Contains(after, "<video/>") || !strings.Contains(after, "<title>patched</title>") {
		t.Fatalf("the bare <video/> libvirtxml rewrites was not kept, or no title:\n%s", after)
	}
	_, _, err = planRedefine("aarch64", string(raw), func(d *libvirtxml.Domain) error {
		d.Devices.Videos[0].Model.Heads = 2
		return nil
	})
	var le *LossError
	if !errors.As(err, &le) || !strings.Contains(le.Error(), "/domain/devices/video") || !strings.Contains(le.Error(), "edit the XML") {
		t.Fatalf("an edit of the lossy video was not refused naming it: %v", err)
	}
}

func TestUnintendedChangesAreCaught(t *testing.T) {
	before := `<domain><name>a</name><memory>1</memory><devices><disk><driver cache='none'/></disk></devices></domain>`
	intendedAfter := `<domain><name>a</name><memory>2</memory><devices><disk><driver cache='none'/></disk></devices></domain>`
	intended, err := devices.DiffDocs(before, intendedAfter)
	if err != nil {
		t.Fatal(err)
	}
	// libvirt adding an address is fine; dropping the cache mode is not.
	ok := `<domain><name>a</name><memory>2</memory><devices><disk><driver cache='none'/><address bus='0'/></disk></devices></domain>`
	if u := unintended(before, ok, intended); len(u) != 0 {
		t.Fatalf("additions flagged: %v", u)
	}
	bad := `<domain><name>a</name><memory>2</memory><devices><disk><driver/></disk></devices></domain>`
	if u := unintended(before, bad, intended); len(u) != 1 || !strings.Contains(u[0].String(), "@cache") {
		t.Fatalf("dropped attribute not caught: %v", u)
	}
}

func TestTitleAndDescription(t *testing.T) {
	m, doms := connectTest(t, false)
	ref := doms[0].Ref
	// test:///default is one instance per process: other tests may have
	// stopped its domain.
	if doms[0].State != StateRunning {
		if err := m.Do(ref, Start); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.SetTitle(ref, "line one\nline two"); err == nil {
		t.Fatal("a two-line title was accepted")
	}
	a, err := m.SetTitle(ref, "Front end")
	if err != nil || !a.Live || !a.Config {
		t.Fatalf("title: %+v %v", a, err)
	}
	if _, err := m.SetDescription(ref, "serves\nthe web"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 2*time.Second, func(e Event) bool {
		de, ok := e.(DomainEvent)
		return ok && de.Domain.Title == "Front end"
	})
	xml, _ := m.DomainXML(ref, true, false)
	if !strings.Contains(xml, "<description>serves\nthe web</description>") {
		t.Fatalf("description not in the definition:\n%s", xml)
	}
}

func TestWithoutAddress(t *testing.T) {
	in := `<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x03'/></source><address type='pci' slot='0x07'/></hostdev>`
	want := `<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x03'/></source></hostdev>`
	if got := withoutAddress(in); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := withoutAddress(`<rng model='virtio'/>`); got != `<rng model='virtio'/>` {
		t.Fatalf("no address: %s", got)
	}
}

// The running copy of a channel has a socket path libvirt made up, the
// agent's state and an alias: it is found by its target, and only when one
// running device has that target. Other kinds are never matched this way.
func TestLiveTwinAlias(t *testing.T) {
	live := `<domain type='kvm'><name>x</name><devices>
  <channel type='unix'>
    <source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-3-x/org.qemu.guest_agent.0'/>
    <target type='virtio' name='org.qemu.guest_agent.0' state='disconnected'/>
    <alias name='channel0'/>
    <address type='virtio-serial' controller='0' bus='0' port='1'/>
  </channel>
  <channel type='spicevmc'>
    <target type='virtio' name='com.redhat.spice.0'/>
    <alias name='channel1'/>
  </channel>
  <serial type='pty'><source path='/dev/pts/3'/><target type='isa-serial' port='0'/><alias name='serial0'/></serial>
  <hostdev mode='subsystem' type='usb'><source><vendor id='0x1050'/><product id='0x0407'/></source><alias name='hostdev0'/></hostdev>
</devices></domain>`
	cfg := `<channel type="unix">
  <target type="virtio" name="org.qemu.guest_agent.0"></target>
  <address type="virtio-serial" controller="0" bus="0" port="1"></address>
</channel>`
	if a, err := liveTwinAlias(live, cfg); err != nil || a != "channel0" {
		t.Fatalf("channel: alias = %q, %v", a, err)
	}
	if a, err := liveTwinAlias(live, `<serial type="pty"><target type="isa-serial" port="0"></target></serial>`); err != nil || a != "serial0" {
		t.Fatalf("serial: alias = %q, %v", a, err)
	}
	other := strings.Replace(cfg, "org.qemu.guest_agent.0", "org.example.0", 1)
	if a, err := liveTwinAlias(live, other); !errors.Is(err, errNoTwin) {
		t.Fatalf("a channel the VM lacks: %q, %v", a, err)
	}
	// A USB device the definition has is never matched to another one.
	hostdev := `<hostdev mode="subsystem" type="usb"><source><vendor id="0x046d"></vendor><product id="0xc52b"></product></source></hostdev>`
	if a, err := liveTwinAlias(live, hostdev); err == nil {
		t.Fatalf("a host device matched %q", a)
	}
}
