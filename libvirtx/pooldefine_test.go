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
