package install

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kvmtui/devices"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// testHost is a host like the test machine's (captured domain
// capabilities with OVMF and swtpm), with a default pool and network.
func testHost(t testing.TB) *NewVMHost {
	t.Helper()
	h := &NewVMHost{URI: "qemu:///system", Caps: map[string]*devices.Caps{}, MemBytes: 24 << 30, CPUs: 2, Local: true,
		Domains: []string{"web-01"},
		Pools: []PoolInfo{
			{Name: "default", Type: "dir", Path: "/var/lib/libvirt/images", Active: true, Available: 100 << 30,
				Volumes: []VolumeInfo{
					{Name: "debian-12.iso", Path: "/var/lib/libvirt/images/debian-12.iso", Format: "raw", Capacity: 600 << 20},
					{Name: "cloud.qcow2", Path: "/var/lib/libvirt/images/cloud.qcow2", Format: "qcow2", Capacity: 2 << 30},
				}},
			{Name: "small", Type: "dir", Path: "/srv/small", Active: true, Available: 5 << 30},
		},
		Networks: []NetworkInfo{{Name: "default", Active: true}, {Name: "isolated"}},
		Bridges:  []string{"br0"}, NICs: []string{"eno1", "br0"},
	}
	for _, vt := range []string{"kvm", "qemu"} {
		for _, m := range []string{"q35", "pc"} {
			key := vt + "/" + map[string]string{"q35": "q35", "pc": "i440fx"}[m]
			h.Caps[key] = loadCaps(t, "newvm-domcaps-"+vt+"-"+m+".xml")
		}
	}
	return h
}

var (
	sysDBOnce sync.Once
	sysDB     *OSDB
	sysDBErr  error
)

// systemOSDB is the installed osinfo-db (package osinfo-db) with the
// overlay; tests that need real osinfo data fail without it, since
// `make test` installs it.
func systemOSDB(t testing.TB) *OSDB {
	t.Helper()
	if _, err := os.Stat("/usr/share/osinfo/os"); err != nil {
		t.Fatal("osinfo-db is not installed (make test installs it): ", err)
	}
	sysDBOnce.Do(func() { sysDB, sysDBErr = LoadOSDB("/usr/share/osinfo") })
	if sysDBErr != nil {
		t.Fatal(sysDBErr)
	}
	return sysDB
}

func mustOS(t testing.TB, db *OSDB, id string) *OSInfo {
	t.Helper()
	o, err := db.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var testTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// build fills defaults and builds, failing the test on refusal.
func build(t testing.TB, h *NewVMHost, n *NewVM) *VMPlan {
	t.Helper()
	n.Defaults(h, false)
	p, err := n.Build(h, testTime)
	if err != nil {
		t.Fatalf("build %s: %v", n.Name, err)
	}
	return p
}

// validateDoc runs libvirt's own schema check (runValidate) on a
// definition's text.
// loadCaps parses a captured domcapabilities file from testdata.
func loadCaps(t testing.TB, name string) *devices.Caps {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := devices.ParseCaps(string(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func validateDoc(t *testing.T, doc, what string) {
	t.Helper()
	if out, err := lt.ValidateXML(t, doc, "domain"); err != nil {
		t.Fatalf("%s: virt-xml-validate refuses it: %v\n%s\n%s", what, err, out, doc)
	}
}
