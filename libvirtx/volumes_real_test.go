package libvirtx

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func volumeNamed(t *testing.T, m *Manager, uri, pool, name string) Volume {
	t.Helper()
	vs, err := m.Volumes(uri, pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %s in %+v", name, vs)
	return Volume{}
}

// Create (qcow2, raw preallocated, an overlay), refusals (a name taken, a
// format the pool cannot make, more than the pool has, a shrink not
// asked for), resize, clone, wipe, and delete refused for a VM's disk
// unless forced; each checked with virsh.
func TestRealVolumeActions(t *testing.T) {
	m, uri := connectReal(t)
	pool := dirPoolName(t, uri, "volpool")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.CreateVolume(uri, pool, VolSpec{Name: "base.qcow2", Format: "qcow2", Capacity: 1 << 30}))
	must(m.CreateVolume(uri, pool, VolSpec{Name: "full.raw", Format: "raw", Capacity: 8 << 20, Prealloc: true}))
	base := volumeNamed(t, m, uri, pool, "base.qcow2")
	must(m.CreateVolume(uri, pool, VolSpec{Name: "top.qcow2", Format: "qcow2", Capacity: 1 << 30, Backing: base.Path}))
	if x := lt.MustVirsh(t, uri, "vol-dumpxml", "--pool", pool, "top.qcow2"); !strings.Contains(x, "<path>"+base.Path+"</path>") {
		t.Fatalf("the overlay has no backing:\n%s", x)
	}
	if v := volumeNamed(t, m, uri, pool, "top.qcow2"); v.Backing != base.Path || v.Format != "qcow2" || v.Capacity != 1<<30 {
		t.Fatalf("overlay as listed %+v", v)
	}
	if v := volumeNamed(t, m, uri, pool, "full.raw"); v.Allocation < 8<<20 {
		t.Fatalf("the preallocated volume has %d bytes", v.Allocation)
	}
	for _, c := range []struct {
		s    VolSpec
		want string
	}{
		{VolSpec{Name: "base.qcow2", Format: "qcow2", Capacity: 1 << 20}, "already has a volume base.qcow2"},
		{VolSpec{Name: "x.vmdk", Format: "vmdk", Capacity: 1 << 20}, `cannot make "vmdk" volumes`},
		{VolSpec{Name: "huge", Format: "raw", Capacity: 1 << 60, Prealloc: true}, "is more than pool"},
		{VolSpec{Name: "a/b", Format: "raw", Capacity: 1 << 20}, "invalid volume name"},
		{VolSpec{Name: "ov.raw", Format: "raw", Capacity: 1 << 20, Backing: base.Path}, "only a qcow2 volume"},
	} {
		if err := m.CreateVolume(uri, pool, c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	if _, err := lt.Virsh(t, uri, "vol-info", "--pool", pool, "huge"); err == nil {
		t.Fatal("a refused volume was made")
	}

	// Resize: grow; a shrink needs asking for.
	if live, err := m.ResizeVolume(uri, pool, "full.raw", 16<<20, false); err != nil || live != "" {
		t.Fatalf("grow: %q %v", live, err)
	}
	if _, err := m.ResizeVolume(uri, pool, "full.raw", 4<<20, false); err == nil || !strings.Contains(err.Error(), "must be asked for") {
		t.Fatalf("an unasked shrink: %v", err)
	}
	// libvirt shrinks only below what is not allocated: a sparse volume.
	if _, err := m.ResizeVolume(uri, pool, "full.raw", 4<<20, true); err == nil || !strings.Contains(err.Error(), "below existing allocation") {
		t.Fatalf("shrinking a preallocated volume: %v", err)
	}
	must(m.CreateVolume(uri, pool, VolSpec{Name: "sparse.raw", Format: "raw", Capacity: 8 << 20}))
	must2(t)(m.ResizeVolume(uri, pool, "sparse.raw", 4<<20, true))
	if v := volumeNamed(t, m, uri, pool, "sparse.raw"); v.Capacity != 4<<20 {
		t.Fatalf("after the shrink: %d", v.Capacity)
	}

	// Clone and wipe.
	must(m.CloneVolume(uri, pool, "full.raw", "copy.raw", ""))
	if v := volumeNamed(t, m, uri, pool, "copy.raw"); v.Capacity != 16<<20 || v.Format != "raw" {
		t.Fatalf("clone %+v", v)
	}
	if err := m.CloneVolume(uri, pool, "full.raw", "copy.raw", ""); err == nil {
		t.Fatal("a clone over an existing name")
	}
	os.WriteFile(volumeNamed(t, m, uri, pool, "copy.raw").Path, []byte("data"), 0o644)
	must(m.DoVolume(uri, pool, "copy.raw", VolWipe, false))
	if b, _ := os.ReadFile(volumeNamed(t, m, uri, pool, "copy.raw").Path); strings.Contains(string(b), "data") {
		t.Fatal("the wipe left the data")
	}

	// A VM's disk: delete refused naming it, forced it goes.
	vm := lt.FixtureGuestWith(t, uri, "voluser", "  </devices>",
		"    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='"+filepath.Join(filepath.Dir(base.Path), "copy.raw")+"'/><target dev='vdb' bus='virtio'/></disk>\n  </devices>")
	if v := volumeNamed(t, m, uri, pool, "copy.raw"); strings.Join(v.Users, ",") != vm {
		t.Fatalf("users %v", v.Users)
	}
	if err := m.DoVolume(uri, pool, "copy.raw", VolDelete, false); err == nil || !strings.Contains(err.Error(), "used by "+vm) {
		t.Fatalf("deleting a VM's disk: %v", err)
	}
	must(m.DoVolume(uri, pool, "copy.raw", VolDelete, true))
	if _, err := lt.Virsh(t, uri, "vol-info", "--pool", pool, "copy.raw"); err == nil {
		t.Fatal("still there")
	}
}

func must2(t *testing.T) func(string, error) {
	return func(_ string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A running VM's disk grows through the VM (virDomainBlockResize): QEMU's
// block device has the new size at once; it cannot shrink while running.
func TestRealVolumeLiveResize(t *testing.T) {
	m, uri := connectReal(t)
	pool := dirPoolName(t, uri, "livepool")
	if err := m.CreateVolume(uri, pool, VolSpec{Name: "data.qcow2", Format: "qcow2", Capacity: 64 << 20}); err != nil {
		t.Fatal(err)
	}
	path := volumeNamed(t, m, uri, pool, "data.qcow2").Path
	vm := lt.FixtureGuestWith(t, uri, "liveresize", "  </devices>",
		"    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='"+path+"'/><target dev='vdb' bus='virtio'/></disk>\n  </devices>")
	_, ref := managerFor(t, uri, vm)
	r, send := startAtPrompt(t, m, ref)
	send("echo size-$(cat /sys/block/vda/size)") // its only virtio disk: vda to the guest
	r.until(t, "size-131072", 30*time.Second)    // 64 MiB in 512-byte sectors
	live, err := m.ResizeVolume(uri, pool, "data.qcow2", 128<<20, false)
	if err != nil || live != vm {
		t.Fatalf("live grow: %q %v", live, err)
	}
	if info := lt.MustVirsh(t, uri, "domblkinfo", vm, "vdb"); !strings.Contains(info, "Capacity:       134217728") {
		t.Fatalf("QEMU's view after the resize:\n%s", info)
	}
	// and the guest's: its kernel takes the new capacity at once
	send("echo size-$(cat /sys/block/vda/size)") // its only virtio disk: vda to the guest
	r.until(t, "size-262144", 30*time.Second)
	if _, err := m.ResizeVolume(uri, pool, "data.qcow2", 64<<20, true); err == nil || !strings.Contains(err.Error(), "can grow while it runs, not shrink") {
		t.Fatalf("a live shrink: %v", err)
	}
}

// A LUKS volume: its passphrase in a private libvirt secret (virsh cannot
// read it back), listed as encrypted, opened by QEMU when a VM using it
// starts; deleting it removes the secret too.
func TestRealLUKSVolume(t *testing.T) {
	m, uri := connectReal(t)
	pool := dirPoolName(t, uri, "lukspool")
	if err := m.CreateVolume(uri, pool, VolSpec{Name: "secret.raw", Format: "raw", Capacity: 16 << 20, Passphrase: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	v := volumeNamed(t, m, uri, pool, "secret.raw")
	x := lt.MustVirsh(t, uri, "vol-dumpxml", "--pool", pool, "secret.raw")
	m1 := regexp.MustCompile(`<encryption format='luks'>\s*<secret type='passphrase' uuid='([0-9a-f-]+)'/>`).FindStringSubmatch(x)
	if !v.Encrypted || m1 == nil {
		t.Fatalf("not a LUKS volume: %+v\n%s", v, x)
	}
	uuid := m1[1]
	t.Cleanup(func() { lt.Virsh(t, uri, "secret-undefine", uuid) })
	if out, err := lt.Virsh(t, uri, "secret-get-value", uuid); err == nil || !strings.Contains(out+err.Error(), "private") {
		t.Fatalf("the passphrase can be read back: %q %v", out, err)
	}
	if sx := lt.MustVirsh(t, uri, "secret-dumpxml", uuid); !strings.Contains(sx, "<volume>"+v.Path+"</volume>") {
		t.Fatalf("the secret is not the volume's:\n%s", sx)
	}
	vm := lt.FixtureGuestWith(t, uri, "luksuser", "  </devices>",
		"    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='"+v.Path+"'><encryption format='luks'><secret type='passphrase' uuid='"+uuid+
			"'/></encryption></source><target dev='vdb' bus='virtio'/></disk>\n  </devices>")
	lt.MustVirsh(t, uri, "start", vm)
	if st := lt.MustVirsh(t, uri, "domstate", vm); !strings.Contains(st, "running") {
		t.Fatalf("the VM with the LUKS disk is %s", st)
	}
	lt.RemoveDomain(t, uri, vm)
	if err := m.DoVolume(uri, pool, "secret.raw", VolDelete, false); err != nil {
		t.Fatal(err)
	}
	if _, err := lt.Virsh(t, uri, "secret-dumpxml", uuid); err == nil {
		t.Fatal("the deleted volume's secret is still defined")
	}
}

// BenchmarkVolumes5000 lists a dir pool of 5,000 volumes on the real
// daemon with their details; BenchmarkVolumeNames5000 is :vol's first
// screen (names and paths from one call).
func BenchmarkVolumes5000(b *testing.B)     { benchVolumes(b, false) }
func BenchmarkVolumeNames5000(b *testing.B) { benchVolumes(b, true) }

func benchVolumes(b *testing.B, namesOnly bool) {
	uri := lt.URI(b)
	m := NewManager(true)
	defer m.Close()
	if err := m.Add(uri); err != nil {
		b.Fatal(err)
	}
	pool := dirPoolName(b, uri, fmt.Sprintf("bench5000-%v", namesOnly))
	dir := "/var/lib/libvirt/images/" + pool
	for i := 0; i < 5000; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("vol-%04d.raw", i)), nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	lt.MustVirsh(b, uri, "pool-refresh", pool)
	b.ReportAllocs()
	b.ResetTimer()
	list := m.Volumes
	if namesOnly {
		list = m.VolumeNames
	}
	for range b.N {
		vs, err := list(uri, pool)
		if err != nil || len(vs) != 5000 {
			b.Fatalf("%d volumes, %v", len(vs), err)
		}
	}
}

// dirPoolName is lt.DirPool's pool name.
func dirPoolName(t testing.TB, uri, name string) string {
	pool, _ := lt.DirPool(t, uri, name)
	return pool
}
