package libvirtx

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/pooldef"
)

// poolSpec is a spec for the host with fields set as typed.
func poolSpec(t *testing.T, h pooldef.Host, sets ...string) *pooldef.Spec {
	t.Helper()
	s := pooldef.New(h)
	for i := 0; i < len(sets); i += 2 {
		if err := s.Set(sets[i], sets[i+1]); err != nil {
			t.Fatalf("%s=%q: %v", sets[i], sets[i+1], err)
		}
	}
	return s
}

// Every pool type's form XML is defined by the test driver (which knows
// every type; nothing is built or started there).
func TestEveryPoolTypeOnTestDriver(t *testing.T) {
	m, _ := connectTest(t, false)
	const uri = "test:///default"
	h, err := m.PoolHost(uri)
	if err != nil {
		t.Fatal(err)
	}
	h.Supported = nil // the test driver reports no pool capabilities: every type
	for _, c := range [][]string{
		{"type", "dir", "target", "/t/dir"},
		{"type", "fs", "device", "/dev/sdb", "target", "/t/fs"},
		{"type", "netfs", "host", "nas", "sourcedir", "/export", "target", "/t/nfs"},
		{"type", "logical", "source", "vg0", "target", "/dev/vg0"},
		{"type", "disk", "device", "/dev/sdc", "target", "/dev"},
		{"type", "iscsi", "host", "127.0.0.1", "source", "iqn.2024-01.org.example:t", "target", "/dev/disk/by-path"},
		{"type", "iscsi-direct", "host", "127.0.0.1", "source", "iqn.2024-01.org.example:t", "initiator", "iqn.2024-01.org.example:me"},
		{"type", "scsi", "source", "host0", "target", "/dev/disk/by-path"},
		{"type", "mpath", "target", "/dev/mapper"},
		{"type", "rbd", "host", "ceph1", "source", "rbdpool"},
		{"type", "gluster", "host", "g1", "source", "vol0", "sourcedir", "/"},
		{"type", "zfs", "source", "tank"},
		{"type", "vstorage", "source", "cl1", "target", "/t/vz"},
	} {
		s := poolSpec(t, h, append([]string{"name", "kt-" + c[1]}, c...)...)
		s.Build, s.Start, s.Auto = false, false, false
		if err := m.DefinePool(uri, s); err != nil {
			t.Errorf("%s: %v", c[1], err)
			continue
		}
		ps, _ := m.Pools(uri)
		i := slices.IndexFunc(ps, func(p Pool) bool { return p.Name == "kt-"+c[1] })
		if i < 0 || ps[i].Type != c[1] {
			t.Errorf("%s not listed as such: %+v", c[1], ps)
		}
		m.DoPool(uri, "kt-"+c[1], PoolUndefine)
	}
}

// On the real daemon: a dir pool built (its directory made) and started;
// an fs pool on a loop device built (mkfs) and started (mounted); a second
// build over that filesystem is refused and leaves no definition.
func TestRealPoolDefine(t *testing.T) {
	m, uri := connectReal(t)
	h, err := m.PoolHost(uri)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(h.Supported, "fs") || !slices.Contains(h.Supported, "dir") {
		t.Fatalf("the daemon supports %v", h.Supported)
	}
	gone := func(name string) {
		lt.Virsh(t, uri, "pool-destroy", name)
		lt.Virsh(t, uri, "pool-undefine", name)
	}
	dirName := lt.Prefix + "newdir"
	dir := "/var/lib/libvirt/images/" + dirName
	gone(dirName)
	os.RemoveAll(dir)
	t.Cleanup(func() { gone(dirName); os.RemoveAll(dir) })
	if err := m.DefinePool(uri, poolSpec(t, h, "name", dirName, "target", dir, "autostart", "no")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("the build made no directory: %v", err)
	}
	if info := lt.MustVirsh(t, uri, "pool-info", dirName); !strings.Contains(info, "State:          running") {
		t.Fatalf("pool-info:\n%s", info)
	}
	h, _ = m.PoolHost(uri)
	if err := m.DefinePool(uri, poolSpec(t, h, "name", lt.Prefix+"x", "target", "/nowhere/at/all", "build", "no")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("a missing target: %v", err)
	}

	// fs on a loop device.
	img := filepath.Join(t.TempDir(), "fs.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil || os.Truncate(img, 64<<20) != nil {
		t.Fatal("making the image")
	}
	out, err := exec.Command("losetup", "-f", "--show", img).Output()
	if err != nil {
		t.Fatalf("losetup (make test runs as root with loop devices): %v", err)
	}
	loop := strings.TrimSpace(string(out))
	fsName, mnt := lt.Prefix+"newfs", filepath.Join(t.TempDir(), "mnt")
	t.Cleanup(func() {
		gone(fsName)
		exec.Command("losetup", "-d", loop).Run()
	})
	s := poolSpec(t, h, "name", fsName, "type", "fs", "device", loop, "format", "ext4", "target", mnt, "build", "yes", "autostart", "no")
	if err := m.DefinePool(uri, s); err != nil {
		t.Fatal(err)
	}
	if mounts, _ := os.ReadFile("/proc/mounts"); !strings.Contains(string(mounts), loop+" "+mnt+" ext4") {
		t.Fatalf("%s is not mounted on %s", loop, mnt)
	}
	gone(fsName)
	h, _ = m.PoolHost(uri)
	s = poolSpec(t, h, "name", fsName, "type", "fs", "device", loop, "format", "ext4", "target", mnt, "build", "yes", "autostart", "no")
	if err := m.DefinePool(uri, s); err == nil || !strings.Contains(err.Error(), "so it was not defined") {
		t.Fatalf("a build over a filesystem: %v", err)
	}
	if _, err := lt.Virsh(t, uri, "pool-info", fsName); err == nil {
		t.Fatal("the refused pool is defined")
	}
}

// loopDevice attaches a sparse file of size bytes as a loop device (with
// partition scanning), detached when the test ends.
func loopDevice(t *testing.T, size int64) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil || os.Truncate(img, size) != nil {
		t.Fatal("making the image")
	}
	out, err := exec.Command("losetup", "-f", "-P", "--show", img).Output()
	if err != nil {
		t.Fatalf("losetup (make test runs as root with loop devices): %v", err)
	}
	loop := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", loop).Run() })
	return loop
}

// On the real daemon, on loop devices: a logical pool built into a new
// volume group (pvcreate, vgcreate by libvirt) and found by discovery, a
// volume made in it (a whole LV; refused with libvirt's words on a kernel
// without device-mapper) and deleted; a disk pool labelled gpt (parted), a
// partition made and deleted.
func TestRealLogicalAndDiskPools(t *testing.T) {
	m, uri := connectReal(t)
	for _, tool := range []string{"vgcreate", "parted"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (lvm2, parted: make test installs them)", tool)
		}
	}
	gone := func(name string) {
		lt.Virsh(t, uri, "pool-destroy", name)
		lt.Virsh(t, uri, "pool-undefine", name)
	}

	// logical
	vg := lt.Prefix + "vg"
	exec.Command("vgremove", "-f", vg).Run() // a killed run's group
	pv := loopDevice(t, 64<<20)
	t.Cleanup(func() {
		gone(vg)
		exec.Command("vgremove", "-f", vg).Run()
		exec.Command("pvremove", "-f", pv).Run()
	})
	h, err := m.PoolHost(uri)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DefinePool(uri, poolSpec(t, h, "name", vg, "type", "logical", "source", vg, "device", pv, "target", "/dev/"+vg, "build", "yes", "autostart", "no")); err != nil {
		t.Fatalf("logical pool: %v", err)
	}
	if out, err := exec.Command("vgs", "--noheadings", "-o", "vg_name,pv_count", vg).CombinedOutput(); err != nil || !strings.Contains(string(out), vg) {
		t.Fatalf("vgs: %v %s", err, out)
	}
	if found, err := m.PoolSources(uri, "logical", "", ""); err != nil || !slices.Contains(found, vg) {
		t.Fatalf("the new group is not among the sources libvirt finds: %v %v", found, err)
	}
	err = m.CreateVolume(uri, vg, VolSpec{Name: "lv1", Capacity: 8 << 20})
	if misc, _ := os.ReadFile("/proc/misc"); !strings.Contains(string(misc), "device-mapper") {
		// A kernel without device-mapper (some VMs' kernels) can make the
		// group but activate no LV: the volume is refused with libvirt's
		// words and nothing is left.
		if err == nil || !strings.Contains(err.Error(), "lvcreate") {
			t.Fatalf("an LV without device-mapper: %v", err)
		}
		if out, _ := exec.Command("lvs", "--noheadings", vg).Output(); strings.Contains(string(out), "lv1") {
			t.Fatalf("a refused LV is there: %s", out)
		}
	} else {
		if err != nil {
			t.Fatalf("a volume in the logical pool: %v", err)
		}
		// allocated whole: not a thin snapshot LV
		if out, _ := exec.Command("lvs", "--noheadings", "-o", "lv_name,lv_size,segtype", "--units", "m", vg).Output(); !strings.Contains(string(out), "lv1") || !strings.Contains(string(out), "8.00m") || !strings.Contains(string(out), "linear") {
			t.Fatalf("lvs: %s", out)
		}
		if err := m.DeleteVolume(uri, "/dev/"+vg+"/lv1"); err != nil {
			t.Fatalf("deleting the LV: %v", err)
		}
		if out, _ := exec.Command("lvs", "--noheadings", vg).Output(); strings.Contains(string(out), "lv1") {
			t.Fatalf("the LV is still there: %s", out)
		}
	}

	// disk
	dev := loopDevice(t, 64<<20)
	dname := lt.Prefix + "disk"
	gone(dname)
	t.Cleanup(func() { gone(dname) })
	h, _ = m.PoolHost(uri)
	if err := m.DefinePool(uri, poolSpec(t, h, "name", dname, "type", "disk", "device", dev, "format", "gpt", "target", "/dev", "build", "yes", "autostart", "no")); err != nil {
		t.Fatalf("disk pool: %v", err)
	}
	if out, err := exec.Command("parted", "-s", dev, "print").CombinedOutput(); err != nil || !strings.Contains(string(out), "Partition Table: gpt") {
		t.Fatalf("parted print: %v %s", err, out)
	}
	part := filepath.Base(dev) + "p1"
	if err := m.CreateVolume(uri, dname, VolSpec{Name: part, Format: "linux", Capacity: 16 << 20}); err != nil {
		t.Fatalf("a partition: %v", err)
	}
	if out, _ := exec.Command("parted", "-s", dev, "print").Output(); !strings.Contains(string(out), " 1 ") {
		t.Fatalf("no partition 1:\n%s", out)
	}
	vols, err := m.VolumeNames(uri, dname)
	if err != nil || len(vols) != 1 {
		t.Fatalf("the pool's volumes: %v %v", vols, err)
	}
	switch err := m.DeleteVolume(uri, vols[0].Path); {
	case err != nil && strings.Contains(err.Error(), "rm --script p1"):
		// libvirt 9.0 takes /dev/loopNp1's partition number to be "p1" (a
		// device name ending in a digit) and parted refuses: libvirt's
		// words reach the user, and the partition stays.
		if out, _ := exec.Command("parted", "-s", dev, "print").Output(); !strings.Contains(string(out), " 1 ") {
			t.Fatalf("a refused delete removed partition 1:\n%s", out)
		}
	case err != nil:
		t.Fatalf("deleting the partition: %v", err)
	default:
		if out, _ := exec.Command("parted", "-s", dev, "print").Output(); strings.Contains(string(out), " 1 ") {
			t.Fatalf("partition 1 is still there:\n%s", out)
		}
	}
}
