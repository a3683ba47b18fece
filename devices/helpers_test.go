package devices

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	lx "libvirt.org/go/libvirtxml"
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
	tool, err := exec.LookPath("virt-xml-validate")
	if err == nil {
		_, err = exec.LookPath("xmllint")
	}
	if err != nil {
		msg := "virt-xml-validate or xmllint not found (apt-get install libvirt-clients libxml2-utils)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPING SCHEMA VALIDATION: " + msg)
	}
	f := filepath.Join(t.TempDir(), "domain.xml")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, f, "domain").CombinedOutput()
	return string(out), err
}

func oneLineOK(s string) bool {
	return s != "" && !strings.ContainsAny(s, "\n\r")
}
