package devices

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lx "libvirt.org/go/libvirtxml"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// loadCaps parses a captured domcapabilities file from testdata.
func loadCaps(t testing.TB, name string) *Caps {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCaps(string(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// capsCases are the capability sets every catalog test runs with: none
// (libvirt's whole set) and the two captured from this host's QEMU.
func capsCases(t testing.TB) []struct {
	name string
	caps *Caps
} {
	return []struct {
		name string
		caps *Caps
	}{
		{"nil caps", nil},
		{"q35 caps", loadCaps(t, "domcaps-q35.xml")},
		{"pc caps", loadCaps(t, "domcaps-pc.xml")},
	}
}

// testDomain is the smallest definition libvirt's schema accepts, on
// the machine caps describes (q35 without caps).
func testDomain(caps *Caps) *lx.Domain {
	machine, arch := "q35", "x86_64"
	if caps != nil {
		machine, arch = caps.Machine, caps.Arch
	}
	return &lx.Domain{
		Type:   "qemu",
		Name:   "kvmtui-catalog",
		Memory: &lx.DomainMemory{Value: 256, Unit: "MiB"},
		OS:     &lx.DomainOS{Type: &lx.DomainOSType{Arch: arch, Machine: machine, Type: "hvm"}},
		Devices: &lx.DomainDeviceList{
			Emulator: "/usr/bin/qemu-system-x86_64",
		},
	}
}

// validate runs libvirt's own schema check, virt-xml-validate, on a
// definition. Without the tool the test fails in CI and is skipped,
// loudly, elsewhere.
func validate(t *testing.T, def *lx.Domain) {
	t.Helper()
	doc, err := def.Marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if out, err := runValidate(t, doc); err != nil {
		t.Fatalf("virt-xml-validate rejects the definition: %v\n%s\n%s", err, out, doc)
	}
}

func runValidate(t *testing.T, doc string) (string, error) {
	t.Helper()
	return lt.ValidateXML(t, doc, "domain")
}

func oneLineOK(s string) bool {
	return s != "" && !strings.ContainsAny(s, "\n\r")
}
