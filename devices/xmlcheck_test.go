package devices

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a-lossless.xml", minimalDomain)
	lossy := write("sub/b-lossy.xml", strings.Replace(minimalDomain, "<devices>", "<devices><foo/>", 1))
	// the disk cache edit changes a driver that holds what libvirtxml drops
	stuck := write("sub/e-stuck.xml", strings.Replace(minimalDomain, "type='qcow2'", "type='qcow2' future='1'", 1))
	malformed := write("c-malformed.xml", "<domain><name>x</domain>")
	notLibvirt := write("d-html.xml", "<html/>")
	write("notes.txt", "<domain><foo/></domain>") // not *.xml: skipped in a directory
	missing := filepath.Join(dir, "missing.xml")

	var out bytes.Buffer
	sum, err := CheckPaths([]string{dir, missing}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ERROR " + malformed + ": XML syntax error on line 1: element <name> closed by </domain>",
		"ERROR " + notLibvirt + ": root element <html> is not a libvirt domain, network, pool, volume, domainsnapshot or filter",
		"LOSSY " + lossy + ": /domain/devices/foo: element dropped; editable: form edits keep it",
		"LOSSY " + stuck + `: /domain/devices/disk/driver/@future: "1" dropped; not editable: disk cache: /domain/devices/disk/driver holds future="1", which kvmtui's editor does not model`,
		"ERROR " + missing + ": no such file or directory",
		"6 files, 1 lossless, 2 lossy, 3 errors; 2 of 3 domains editable by kvmtui's forms",
	}
	if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
	if (sum != Summary{Files: 6, Lossless: 1, Lossy: 2, Errors: 3, Domains: 3, Editable: 2}) || sum.OK() {
		t.Errorf("summary %+v, OK %v", sum, sum.OK())
	}
}

func TestCheckPathsSingleFile(t *testing.T) {
	// A file named directly is checked whatever its extension.
	p := filepath.Join(t.TempDir(), "vm1.def")
	if err := os.WriteFile(p, []byte(minimalDomain), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := CheckPaths([]string{p}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "1 files, 1 lossless, 0 lossy, 0 errors; 1 of 1 domains editable by kvmtui's forms\n" || !sum.OK() {
		t.Errorf("output %q, summary %+v", out.String(), sum)
	}
}

func TestSummaryOK(t *testing.T) {
	for s, want := range map[Summary]bool{
		{}:                      true,
		{Files: 3, Lossless: 3}: true,
		{Files: 1, Lossy: 1}:    false,
		{Files: 1, Errors: 1}:   false,
	} {
		if s.OK() != want {
			t.Errorf("%+v.OK() = %v, want %v", s, s.OK(), want)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCheckPathsWriteError(t *testing.T) {
	if _, err := CheckPaths(nil, failingWriter{}); err == nil || err.Error() != "disk full" {
		t.Errorf("err = %v, want disk full", err)
	}
}
