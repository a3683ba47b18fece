package packaging_test

// make deb, then the package as a user gets it: dpkg -i on this machine,
// kvmtui --version and man kvmtui from the installed files, dpkg --purge.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// What the package must install.
var installed = []string{
	"/usr/bin/kvmtui",
	"/usr/share/man/man1/kvmtui.1.gz",
	"/usr/share/man/man1/kvmtui-migrate.1.gz",
	"/usr/share/bash-completion/completions/kvmtui",
	"/usr/share/zsh/vendor-completions/_kvmtui",
	"/usr/share/fish/vendor_completions.d/kvmtui.fish",
}

func TestDebInstallsRunsAndRemoves(t *testing.T) {
	if os.Geteuid() != 0 {
		lt.NotRun(t, "DEB", "installing a package needs root (make test runs as root)")
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${Status}", "kvmtui").CombinedOutput(); err == nil && strings.Contains(string(out), "installed") {
		t.Fatalf("a kvmtui package is installed on this machine (%s); this test would replace and remove it: dpkg --purge kvmtui first", out)
	}
	out := t.TempDir()
	mk := exec.Command("make", "deb", "DEB_DIR="+out)
	mk.Dir = lt.RepoRoot()
	if b, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make deb: %v\n%s", err, b)
	}
	debs, _ := filepath.Glob(filepath.Join(out, "kvmtui_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb left %v in %s", debs, out)
	}
	deb := debs[0]
	field := func(name string) string {
		b, err := exec.Command("dpkg-deb", "--field", deb, name).Output()
		if err != nil {
			t.Fatalf("dpkg-deb --field %s: %v", name, err)
		}
		return strings.TrimSpace(string(b))
	}
	if d := field("Depends"); !strings.Contains(d, "libvirt0 (>=") || !strings.Contains(d, "libc6") {
		t.Errorf("Depends: %q, want libvirt0 and libc6 with versions", d)
	}
	if s := field("Suggests"); !strings.Contains(s, "virt-viewer") {
		t.Errorf("Suggests: %q, want virt-viewer", s)
	}

	run := func(name string, args ...string) string {
		t.Helper()
		b, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	purge := func() { exec.Command("dpkg", "--purge", "kvmtui").Run() }
	t.Cleanup(purge)
	run("dpkg", "-i", deb)
	for _, f := range installed {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("installed package lacks %s: %v", f, err)
		}
	}
	if v := run("/usr/bin/kvmtui", "--version"); !strings.HasPrefix(v, "kvmtui ") || strings.HasPrefix(v, "kvmtui devel") || !strings.Contains(v, "libvirt library") {
		t.Errorf("kvmtui --version from the package:\n%s", v)
	}
	if p := strings.TrimSpace(run("man", "-w", "kvmtui")); p != "/usr/share/man/man1/kvmtui.1.gz" {
		t.Errorf("man -w kvmtui: %q", p)
	}
	cmd := exec.Command("man", "-P", "cat", "kvmtui-migrate")
	cmd.Env = append(os.Environ(), "MANWIDTH=80")
	if page, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(page), "kvmtui-migrate") {
		t.Errorf("man kvmtui-migrate: %v\n%s", err, page)
	}

	purge()
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${Status}", "kvmtui").CombinedOutput(); err == nil && strings.Contains(string(out), " installed") {
		t.Errorf("after dpkg --purge: %s", out)
	}
	for _, f := range installed {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is still there after dpkg --purge", f)
		}
	}
}
