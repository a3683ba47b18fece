package libvirtx

import (
	"strings"
	"testing"
	"time"
)

// snapVM defines a shut-off VM with one qcow2 and one raw disk on the test
// driver (which keeps snapshots as metadata only).
func snapVM(t *testing.T, m *Manager, name, format string) Ref {
	t.Helper()
	lc, done, err := m.writeConn("test:///default")
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	d, err := lc.DomainDefineXML(`<domain type='test'><name>` + name + `</name><memory>65536</memory><os><type>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='` + format + `'/><source file='/guest/` + name + `.img'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><source file='/guest/install.iso'/><target dev='sda' bus='sata'/><readonly/></disk></devices></domain>`)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Free()
	uuid, _ := d.GetUUIDString()
	return Ref{URI: "test:///default", UUID: uuid, Name: name}
}

func names(ss []Snapshot) string {
	var out []string
	for _, s := range ss {
		n := strings.Repeat(" ", s.Depth) + s.Name
		if s.Current {
			n += "*"
		}
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

func mustSnap(t *testing.T, m *Manager, ref Ref, name string) {
	t.Helper()
	if _, err := m.CreateSnapshot(ref, SnapshotSpec{Name: name, Kind: SnapInternal, Description: "before " + name}); err != nil {
		t.Fatal(name, err)
	}
	time.Sleep(time.Second) // creation times are in seconds: keep siblings in order
}

func TestSnapshotTreeRevertDeleteOnTestDriver(t *testing.T) {
	m, _ := connectTest(t, false)
	ref := snapVM(t, m, "snaptree", "qcow2")
	p, err := m.PlanSnapshot(ref)
	if err != nil || len(p.Disks) != 1 || p.Disks[0].Target != "vda" || p.Disks[0].Format != "qcow2" || p.Memory != 64<<20 {
		t.Fatalf("plan = %+v, %v: want vda (qcow2) only, 64 MiB", p, err)
	}
	mustSnap(t, m, ref, "a")
	mustSnap(t, m, ref, "b") // child of a
	if err := m.RevertSnapshot(ref, "a", RevertAsTaken, false); err != nil {
		t.Fatal(err)
	}
	mustSnap(t, m, ref, "c") // a second branch under a
	mustSnap(t, m, ref, "d")
	ss, err := m.Snapshots(ref)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(ss); got != "a, b, c,  d*" {
		t.Fatalf("tree = %q, want a with children b and c, d under c, d current", got)
	}
	if ss[0].Children != 2 || ss[0].State != "shutoff" || ss[0].Kind() != "internal" || ss[0].Description != "before a" || ss[0].Created.IsZero() {
		t.Fatalf("a = %+v", ss[0])
	}

	// Bad input changes nothing.
	for _, bad := range []SnapshotSpec{{Name: "a", Kind: SnapInternal}, {Name: "x/y", Kind: SnapInternal}, {Name: "", Kind: SnapInternal},
		{Name: "e", Kind: "weird"}, {Name: "e", Kind: SnapDiskOnly}, {Name: "e", Kind: SnapDiskOnly, Overlays: map[string]string{"vda": "rel.qcow2"}}} {
		if _, err := m.CreateSnapshot(ref, bad); err == nil {
			t.Errorf("%+v was taken", bad)
		}
	}
	if _, err := m.CreateSnapshot(ref, SnapshotSpec{Name: "a", Kind: SnapInternal}); err == nil || !strings.Contains(err.Error(), "already has a snapshot named a") {
		t.Errorf("duplicate name: %v", err)
	}
	if err := m.RevertSnapshot(ref, "nope", RevertAsTaken, false); err == nil || !strings.Contains(err.Error(), `no snapshot "nope"`) {
		t.Errorf("revert to a missing snapshot: %v", err)
	}

	// c and its child go together; then b alone (metadata-only deletes are
	// the real daemon's: the test driver has no such flag).
	if err := m.DeleteSnapshot(ref, "c", DeleteChildren); err != nil {
		t.Fatal(err)
	}
	if err := m.DeleteSnapshot(ref, "b", DeleteOne); err != nil {
		t.Fatal(err)
	}
	if ss, _ = m.Snapshots(ref); names(ss) != "a*" { // d went: its ancestor a is current
		t.Fatalf("after deletes: %q, want only a, current", names(ss))
	}
	if out := lvVirshSnapshots(t, m, ref); out != "a" {
		t.Fatalf("libvirt lists %q", out)
	}
}

// lvVirshSnapshots asks libvirt directly (the test driver lives in this
// process, so virsh cannot see it).
func lvVirshSnapshots(t *testing.T, m *Manager, ref Ref) string {
	_, d, done, err := m.openDomain(ref, false)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	ns, err := d.ListAllSnapshots(0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range ns {
		n, _ := ns[i].GetName()
		ns[i].Free()
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

// The external snapshot refusals and merges are the real daemon's tests
// (the test driver takes no disk-only snapshot).
func TestSnapshotRefusalsOnTestDriver(t *testing.T) {
	m, _ := connectTest(t, false)
	raw := snapVM(t, m, "snapraw", "raw")
	_, err := m.CreateSnapshot(raw, SnapshotSpec{Name: "s", Kind: SnapInternal})
	if err == nil || !strings.Contains(err.Error(), "it needs qcow2 disks and vda is raw") || !strings.Contains(err.Error(), "disk-only or external") {
		t.Fatalf("internal snapshot of a raw disk: %v", err)
	}
	if _, err := m.MergeSnapshot(t.Context(), raw, "none", false, func(string, int64, int64) {}); err == nil || !strings.Contains(err.Error(), `no snapshot "none"`) {
		t.Errorf("merge of a missing snapshot: %v", err)
	}
	ro, _ := connectTest(t, true)
	if _, err := ro.CreateSnapshot(raw, SnapshotSpec{Name: "t", Kind: SnapInternal}); err != ErrReadOnly {
		t.Errorf("read-only: %v", err)
	}
}
