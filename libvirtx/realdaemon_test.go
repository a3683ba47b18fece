package libvirtx

// Tests against a real libvirtd with QEMU guests. `make test` starts the
// daemon and sets KVMTUI_TEST_URI; see libvirtxtest.URI for what happens
// without one.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func domainByName(t *testing.T, m *Manager, uri, name string) Domain {
	t.Helper()
	c, err := m.conn(uri)
	if err != nil {
		t.Fatal(err)
	}
	doms, err := c.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range doms {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("%s not in the inventory", name)
	return Domain{}
}

func waitState(t *testing.T, m *Manager, ref Ref, want State, timeout time.Duration) {
	t.Helper()
	waitFor(t, m, timeout, func(e Event) bool {
		de, ok := e.(DomainEvent)
		return ok && de.UUID == ref.UUID && !de.Gone && de.Domain.State == want
	})
}

func TestRealLifecycle(t *testing.T) {
	m, ref, uri := realGuest(t, "life")
	name := ref.Name

	steps := []struct {
		a       Action
		want    State
		virshIs string
	}{
		{Start, StateRunning, "running"},
		{Pause, StatePaused, "paused"},
		{Resume, StateRunning, "running"},
		{ManagedSave, StateShutoff, "shut off"},
	}
	for _, s := range steps {
		if err := m.Do(ref, s.a); err != nil {
			t.Fatalf("%s: %v", s.a, err)
		}
		waitState(t, m, ref, s.want, 30*time.Second)
		if got := lt.MustVirsh(t, uri, "domstate", name); got != s.virshIs {
			t.Fatalf("after %s virsh says %q, want %q", s.a, got, s.virshIs)
		}
	}
	if d := domainByName(t, m, uri, name); !d.ManagedSave {
		t.Fatal("managed save image not reported")
	}
	// Start restores the saved state and consumes the image.
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateRunning, 30*time.Second)
	if d := domainByName(t, m, uri, name); d.ManagedSave {
		t.Fatal("managed save image still there after restore")
	}

	// The bulk stats of a running QEMU guest carry CPU time and memory.
	s1 := sampleOf(t, m, ref)
	time.Sleep(1100 * time.Millisecond)
	s2 := sampleOf(t, m, ref)
	if !s1.HasCPU || s2.CPUTimeNs <= s1.CPUTimeNs || s2.RSSKiB == 0 {
		t.Fatalf("stats of a running guest: %+v then %+v", s1, s2)
	}

	if err := m.Do(ref, Reset); err != nil {
		t.Fatal(err)
	}
	if err := m.Do(ref, ForceOff); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateShutoff, 30*time.Second)
	if err := m.Do(ref, Pause); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("pause of a shut-off guest: %v, want libvirt's 'not running'", err)
	}
}

func sampleOf(t *testing.T, m *Manager, ref Ref) Sample {
	t.Helper()
	return sampleIn(t, m.Sweep, AllGroups, ref)
}

// sampleIn is ref's sample in a sweep of groups g.
func sampleIn(t *testing.T, sweep func(Groups) ([]Sample, map[string]error), g Groups, ref Ref) Sample {
	t.Helper()
	ss, errs := sweep(g)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, s := range ss {
		if s.UUID == ref.UUID {
			return s
		}
	}
	t.Fatalf("%s not in the sweep", ref.Name)
	return Sample{}
}

func TestRealACPIShutdown(t *testing.T) {
	m, ref, uri := realGuest(t, "acpi")
	name := ref.Name
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateRunning, 30*time.Second)
	// The guest's acpid must be up before the power button means anything:
	// ask until libvirt sees it stop.
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if err := m.Do(ref, Shutdown); err != nil && !strings.Contains(err.Error(), "not running") {
			t.Fatal(err)
		}
		if out, _ := lt.Virsh(t, uri, "domstate", name); out == "shut off" {
			return
		}
		time.Sleep(3 * time.Second)
	}
	t.Fatal("the guest did not power off on the ACPI shutdown request")
}

func TestRealDeleteChoosesVolumes(t *testing.T) {
	uri := lt.URI(t)
	pool := "kvmtui-test-pool"
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lt.Virsh(t, uri, "pool-destroy", pool)
	lt.Virsh(t, uri, "pool-undefine", pool)
	lt.MustVirsh(t, uri, "pool-define-as", pool, "dir", "--target", dir)
	lt.MustVirsh(t, uri, "pool-start", pool)
	t.Cleanup(func() {
		lt.Virsh(t, uri, "pool-destroy", pool)
		lt.Virsh(t, uri, "pool-undefine", pool)
	})
	for _, v := range []string{"own.qcow2", "shared.qcow2", "media.iso"} {
		lt.MustVirsh(t, uri, "vol-create-as", pool, v, "1M", "--format", map[bool]string{true: "raw", false: "qcow2"}[strings.HasSuffix(v, ".iso")])
	}
	p := func(v string) string { return filepath.Join(dir, v) }
	def := func(name string, disks string) {
		xml := `<domain type='qemu'><name>` + name + `</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os><devices>` + disks + `</devices></domain>`
		lt.DefineXML(t, uri, name, xml)
	}
	disk := func(path, dev, extra string) string {
		return `<disk type='file' device='` + dev + `'><driver name='qemu'/><source file='` + path + `'/><target dev='` + map[bool]string{true: "sda", false: "vd" + extra[:1]}[dev == "cdrom"] + `' bus='` + map[bool]string{true: "sata", false: "virtio"}[dev == "cdrom"] + `'/>` + extra[1:] + `</disk>`
	}
	def("kvmtui-test-del", disk(p("own.qcow2"), "disk", "a")+disk(p("shared.qcow2"), "disk", "b")+disk(p("media.iso"), "cdrom", "c<readonly/>"))
	def("kvmtui-test-other", disk(p("shared.qcow2"), "disk", "a"))

	m := NewManager(false)
	defer m.Close()
	if err := m.Add(uri); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
	d := domainByName(t, m, uri, "kvmtui-test-del")
	plan, err := m.PlanDelete(d.Ref)
	if err != nil {
		t.Fatal(err)
	}
	chosen := map[string]bool{}
	for _, dk := range plan.Disks {
		if !dk.Managed {
			t.Fatalf("%s not seen as a pool volume", dk.Path)
		}
		chosen[dk.Path] = dk.Delete
	}
	if !chosen[p("own.qcow2")] || chosen[p("shared.qcow2")] || chosen[p("media.iso")] || len(chosen) != 3 {
		t.Fatalf("default choices = %v: want only own.qcow2", chosen)
	}
	// Refused up front: a path that is no volume; nothing is touched.
	if _, err := m.Delete(d.Ref, []string{"/nonexistent/disk.img"}); err == nil {
		t.Fatal("deleting a non-volume path was accepted")
	}
	if _, err := lt.Virsh(t, uri, "dominfo", "kvmtui-test-del"); err != nil {
		t.Fatal("a refused delete removed the domain")
	}
	res, err := m.Delete(d.Ref, []string{p("own.qcow2")})
	if err != nil || len(res.Deleted) != 1 || len(res.Failed) != 0 {
		t.Fatalf("delete: %+v %v", res, err)
	}
	if _, err := lt.Virsh(t, uri, "dominfo", "kvmtui-test-del"); err == nil {
		t.Fatal("domain still defined")
	}
	vols := lt.MustVirsh(t, uri, "vol-list", pool)
	if strings.Contains(vols, "own.qcow2") || !strings.Contains(vols, "shared.qcow2") || !strings.Contains(vols, "media.iso") {
		t.Fatalf("volumes after delete:\n%s", vols)
	}
}

// A sweep asks libvirtd for disk and network counters only with their
// groups: without them the records of a running guest with a disk carry
// none, with them they do.
func TestRealSweepGroups(t *testing.T) {
	uri := lt.URI(t)
	vm, _, _ := lt.GuestWithDisk(t, uri, "groups", nil, "")
	m, ref := managerFor(t, uri, vm)
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateRunning, 30*time.Second)
	of := func(g Groups) Sample { return sampleIn(t, m.SweepActive, g, ref) }
	if s := of(DiskStats); !s.HasBlock || s.HasNet || !s.HasCPU {
		t.Fatalf("a sweep with the disk group: %+v", s)
	}
	if s := of(0); s.HasBlock || s.HasNet || !s.HasCPU || s.RSSKiB == 0 {
		t.Fatalf("a sweep without the optional groups: %+v", s)
	}
}
