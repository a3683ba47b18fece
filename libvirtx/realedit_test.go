package libvirtx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// realGuest connects to the real daemon and defines a fixture guest (its
// template changed by oldnew pairs, see lt.FixtureGuestWith).
func realGuest(t *testing.T, name string, oldnew ...string) (*Manager, Ref, string) {
	t.Helper()
	uri := lt.URI(t)
	m, ref := managerFor(t, uri, lt.FixtureGuestWith(t, uri, name, oldnew...))
	return m, ref, uri
}

// managerFor connects to uri and finds the VM named full there.
func managerFor(t *testing.T, uri, full string) (*Manager, Ref) {
	t.Helper()
	m := NewManager(false)
	t.Cleanup(m.Close)
	if err := m.Add(uri); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
	return m, domainByName(t, m, uri, full).Ref
}

func TestRealVCPUsAndMemory(t *testing.T) {
	m, ref, uri := realGuest(t, "scalars")
	// Shut off: the maximum is a definition change.
	if a, err := m.SetVCPUs(ref, 2, true); err != nil || a.Live || !a.Config {
		t.Fatalf("max vCPUs: %+v %v", a, err)
	}
	if _, err := m.SetMemory(ref, 320*1024, true); err != nil {
		t.Fatal(err)
	}
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateRunning, 30*time.Second)

	// Running: current vCPUs and memory change now and at next boot.
	a, err := m.SetVCPUs(ref, 2, false)
	if err != nil || !a.Live || !a.Config {
		t.Fatalf("hot-plug a vCPU: %+v %v", a, err)
	}
	if got := lt.MustVirsh(t, uri, "vcpucount", ref.Name, "--live", "--active"); got != "2" {
		t.Fatalf("live vCPUs = %q", got)
	}
	if got := lt.MustVirsh(t, uri, "vcpucount", ref.Name, "--config", "--active"); got != "2" {
		t.Fatalf("config vCPUs = %q", got)
	}
	// The maximum cannot change live: said plainly as next boot.
	if a, err := m.SetMemory(ref, 384*1024, true); err != nil || a.Live || !strings.Contains(a.String(), "after shutdown") {
		t.Fatalf("max memory while running: %+v (%s) %v", a, a, err)
	}
	if !strings.Contains(lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name), "<memory unit='KiB'>393216</memory>") {
		t.Fatal("max memory not in the definition")
	}
	// A value above the maximum: libvirt's own refusal.
	if _, err := m.SetVCPUs(ref, 3, false); err == nil {
		t.Fatal("3 vCPUs above a maximum of 2 accepted")
	}
}

func TestRealDeviceHotplugAndColdplug(t *testing.T) {
	m, ref, uri := realGuest(t, "devices")
	img := filepath.Join(lt.GuestDir, "kvmtui-test-devices-extra.img")
	if err := os.WriteFile(img, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(img) })
	disk := `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='` + img + `'/><target dev='vdb' bus='virtio'/></disk>`
	// A NIC on no network at all (a tap device nothing is bridged to): the
	// guest cannot send traffic anywhere.
	nic := `<interface type='ethernet'><mac address='52:54:00:4b:56:01'/><model type='virtio'/></interface>`

	// Shut off: the definition only.
	for _, dev := range []string{disk, nic} {
		a, err := m.ModifyDevice(ref, Attach, dev, true)
		if err != nil || a.Live || a.String() != "saved" {
			t.Fatalf("cold attach: %+v %v", a, err)
		}
	}
	def := lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name)
	if !strings.Contains(def, img) || !strings.Contains(def, "52:54:00:4b:56:01") {
		t.Fatalf("cold-plugged devices missing:\n%s", def)
	}
	for _, dev := range []string{disk, nic} {
		if _, err := m.ModifyDevice(ref, Detach, dev, true); err != nil {
			t.Fatalf("cold detach: %v", err)
		}
	}
	if def := lt.MustVirsh(t, uri, "dumpxml", "--inactive", ref.Name); strings.Contains(def, img) || strings.Contains(def, "52:54:00:4b:56:01") {
		t.Fatal("cold detach left the devices")
	}

	// Running: hot-plug, live and in the definition.
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateRunning, 30*time.Second)
	for _, dev := range []string{disk, nic} {
		a, err := m.ModifyDevice(ref, Attach, dev, true)
		if err != nil || !a.Live || !a.Config {
			t.Fatalf("hot-plug: %+v %v", a, err)
		}
	}
	live := lt.MustVirsh(t, uri, "dumpxml", ref.Name)
	if !strings.Contains(live, img) || !strings.Contains(live, "52:54:00:4b:56:01") {
		t.Fatalf("hot-plugged devices not live:\n%s", live)
	}
	// Update: the NIC's link goes down, live.
	down := strings.Replace(nic, "</interface>", "<link state='down'/></interface>", 1)
	if _, err := m.ModifyDevice(ref, Update, down, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lt.MustVirsh(t, uri, "domif-getlink", ref.Name, "52:54:00:4b:56:01"), "down") {
		t.Fatal("link state not changed live")
	}
	// Not hot-pluggable (live=false): definition only, said as next boot.
	a, err := m.ModifyDevice(ref, Detach, disk, false)
	if err != nil || a.Live || a.String() != "applies after shutdown (next boot)" {
		t.Fatalf("config-only detach on a running VM: %+v (%s) %v", a, a, err)
	}
	if !strings.Contains(lt.MustVirsh(t, uri, "dumpxml", ref.Name), img) {
		t.Fatal("a config-only detach removed the live disk")
	}
	// Bad input: libvirt's words come back.
	if _, err := m.ModifyDevice(ref, Attach, "<disk><bogus/></disk>", true); err == nil {
		t.Fatal("a malformed device was accepted")
	}
}
