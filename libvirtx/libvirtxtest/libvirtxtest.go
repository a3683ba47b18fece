// Package libvirtxtest holds what tests against a real libvirtd share: the
// daemon's URI, the bootable fixture guest, and virsh as an independent
// witness of libvirt's state. It does not import libvirtx, so libvirtx's own
// tests can use it.
package libvirtxtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Prefix names every domain, pool or network a test creates.
const Prefix = "kvmtui-test-"

// RepoRoot is the module's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// URI returns the real daemon's URI (KVMTUI_TEST_URI, set by `make test`).
// Without one the test does not run (see NotRun); with one, a daemon that
// does not answer (it died mid-run, a restart failed) is a failure, never
// a skip.
func URI(t testing.TB) string {
	t.Helper()
	uri := os.Getenv("KVMTUI_TEST_URI")
	if uri == "" {
		NotRun(t, "REAL-LIBVIRTD", "KVMTUI_TEST_URI is not set (make test sets it and starts libvirtd)")
	}
	// make test's supervisor restarts a crashed libvirtd within seconds
	// (testdata/scripts/libvirtd-up.sh): a test that starts meanwhile waits.
	for start := time.Now(); ; time.Sleep(500 * time.Millisecond) {
		out, err := Virsh(t, uri, "version")
		if err == nil {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("libvirtd at %s (KVMTUI_TEST_URI) is not reachable (waited 15 s): %s", uri, out)
		}
	}
	return uri
}

// Strict reports whether every prerequisite must be there: under `make
// test` (KVMTUI_REQUIRE_ALL=1, which installs them) and under CI.
func Strict() bool { return os.Getenv("KVMTUI_REQUIRE_ALL") != "" || os.Getenv("CI") != "" }

// NotRun is the one way a test does not run for want of a prerequisite:
// in strict mode it fails, naming what is missing and how to get it;
// otherwise (`make unit`, a bare `go test`) it skips loudly, and `make
// test`'s summary counts the skip.
func NotRun(t testing.TB, what, why string) {
	t.Helper()
	if Strict() {
		t.Fatal(what + " test cannot run: " + why)
	}
	t.Skip("SKIPPED, " + what + " TEST NOT RUN: " + why)
}

// Corpus is the directory of libvirt's own test-suite XML: KVMTUI_CORPUS,
// else shared/corpus/libvirt in a directory above the repository.
func Corpus(t testing.TB) string {
	t.Helper()
	if c := os.Getenv("KVMTUI_CORPUS"); c != "" {
		if st, err := os.Stat(c); err != nil || !st.IsDir() {
			t.Fatalf("KVMTUI_CORPUS=%s is not a directory", c)
		}
		return c
	}
	for d := RepoRoot(); ; d = filepath.Dir(d) {
		c := filepath.Join(d, "shared", "corpus", "libvirt")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	NotRun(t, "CORPUS", "libvirt's XML corpus not found: set KVMTUI_CORPUS or put shared/corpus/libvirt above the repository")
	return ""
}

// NeedSchemaTools checks, at a test's start, for what ValidateXML runs.
func NeedSchemaTools(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"virt-xml-validate", "xmllint"} {
		if _, err := exec.LookPath(tool); err != nil {
			NotRun(t, "SCHEMA", tool+" not found (apt-get install libvirt-clients libxml2-utils)")
		}
	}
}

// Virsh runs virsh against uri and returns its trimmed output.
func Virsh(t testing.TB, uri string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command("virsh", append([]string{"-c", uri}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// MustVirsh is Virsh that fails the test on error.
func MustVirsh(t testing.TB, uri string, args ...string) string {
	t.Helper()
	out, err := Virsh(t, uri, args...)
	if err != nil {
		t.Fatalf("virsh %v: %v\n%s", args, err, out)
	}
	return out
}

// GuestDir is where testdata/guest/build.sh puts the fixture guest.
const GuestDir = "/var/lib/libvirt/images/kvmtui-guest"

// GuestFiles builds the fixture guest's kernel and initramfs into GuestDir
// (vmlinux, initrd.img) when missing; it returns the repository's root.
func GuestFiles(t testing.TB) string {
	t.Helper()
	root := RepoRoot()
	if out, err := exec.Command(filepath.Join(root, "testdata/guest/build.sh"), GuestDir).CombinedOutput(); err != nil {
		t.Fatalf("building the test guest: %v\n%s", err, out)
	}
	return root
}

// FixtureGuest defines Prefix+name booting the tiny test guest (a kernel and
// a busybox initramfs with a shell on ttyS0), building it when missing. The
// domain is removed when the test ends.
func FixtureGuest(t testing.TB, uri, name string) string {
	t.Helper()
	return FixtureGuestWith(t, uri, name)
}

// FixtureGuestWith is FixtureGuest with the template's text changed first:
// old, new pairs as strings.NewReplacer takes them (each old must occur).
func FixtureGuestWith(t testing.TB, uri, name string, oldnew ...string) string {
	t.Helper()
	root := GuestFiles(t)
	tmpl, err := os.ReadFile(filepath.Join(root, "testdata/guest/domain.xml.in"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(oldnew); i += 2 {
		if !strings.Contains(string(tmpl), oldnew[i]) {
			t.Fatalf("the fixture's template has no %q", oldnew[i])
		}
	}
	tmpl = []byte(strings.NewReplacer(oldnew...).Replace(string(tmpl)))
	name = Prefix + name
	xml := strings.NewReplacer("@NAME@", name, "@KERNEL@", GuestDir+"/vmlinux", "@INITRD@", GuestDir+"/initrd.img").Replace(string(tmpl))
	DefineXML(t, uri, name, xml)
	return name
}

// GuestWithDisk defines the fixture guest Prefix+name with a qcow2 virtio
// disk (vda in the guest) in a dir pool of its own, holding raw (nil: an
// empty 16 MiB disk); extra adds devices. The image is named after the VM.
// It returns the VM's name, the image's path and the pool's directory.
func GuestWithDisk(t testing.TB, uri, name string, raw []byte, extra string) (vm, img, dir string) {
	t.Helper()
	pool, dir := DirPool(t, uri, name)
	img = filepath.Join(dir, Prefix+name+".qcow2")
	args := []string{"create", "-q", "-f", "qcow2", img, "16M"}
	if raw != nil {
		src := filepath.Join(t.TempDir(), "disk.raw")
		if err := os.WriteFile(src, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		args = []string{"convert", "-O", "qcow2", src, img}
	}
	if out, err := exec.Command("qemu-img", args...).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img %v: %v %s", args, err, out)
	}
	MustVirsh(t, uri, "pool-refresh", pool)
	const at = "<controller type='usb' model='none'/>"
	vm = FixtureGuestWith(t, uri, name, at, at+`
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='`+img+`'/><target dev='vda' bus='virtio'/></disk>`+extra)
	return vm, img, dir
}

// DefineXML defines a domain from xml (replacing one of that name) and
// removes it when the test ends.
func DefineXML(t testing.TB, uri, name, xml string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), name+".xml")
	if err := os.WriteFile(f, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	RemoveDomain(t, uri, name)
	MustVirsh(t, uri, "define", f)
	t.Cleanup(func() { RemoveDomain(t, uri, name) })
}

// RemoveDomain destroys and undefines a domain, ignoring "not found".
//
// A daemon that is restarting (the supervisor restarts one that crashed)
// is waited for, up to 15 s: else its guest would stay behind.
func RemoveDomain(t testing.TB, uri, name string) {
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		Virsh(t, uri, "destroy", name)
		out, err := Virsh(t, uri, "undefine", name, "--managed-save", "--snapshots-metadata", "--checkpoints-metadata", "--nvram")
		if err == nil || !strings.Contains(out, "failed to connect to the hypervisor") || time.Now().After(deadline) {
			return
		}
	}
}

// ValidateXML runs libvirt's own schema check, virt-xml-validate, on a
// document of the given kind (domain, network, pool, ...) and returns its
// output. Without the tool (libvirt-clients, xmllint from libxml2-utils)
// the test cannot run: see NotRun.
func ValidateXML(t testing.TB, doc, kind string) (string, error) {
	t.Helper()
	NeedSchemaTools(t)
	f := filepath.Join(t.TempDir(), kind+".xml")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("virt-xml-validate", f, kind).CombinedOutput()
	return string(out), err
}

// DirPool defines and starts a dir pool Prefix+name in a fresh directory
// under /var/lib/libvirt/images (where QEMU may open files), removing any
// left by a test that was killed; pool and directory go when the test
// ends. It returns the pool's name and directory.
func DirPool(t testing.TB, uri, name string) (pool, dir string) {
	t.Helper()
	pool = Prefix + name
	dir = filepath.Join("/var/lib/libvirt/images", pool)
	gone := func() {
		Virsh(t, uri, "pool-destroy", pool)
		Virsh(t, uri, "pool-undefine", pool)
		os.RemoveAll(dir)
		RemoveSecrets(t, uri, dir+"/")
	}
	gone()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gone)
	MustVirsh(t, uri, "pool-define-as", pool, "dir", "--target", dir)
	MustVirsh(t, uri, "pool-start", pool)
	return pool, dir
}

// RemoveSecrets undefines the libvirt secrets of the volumes under a path
// prefix (LUKS volumes' passphrases a failed test left).
func RemoveSecrets(t testing.TB, uri, prefix string) {
	out, _ := Virsh(t, uri, "secret-list")
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[1] == "volume" && strings.HasPrefix(f[2], prefix) {
			Virsh(t, uri, "secret-undefine", f[0])
		}
	}
}

// PeerURI is the second libvirtd testdata/scripts/libvirtd-peer.sh runs:
// another host to libvirt (own host UUID, hostname, state and config) on
// the same machine, reached over loopback.
const PeerURI = "qemu+tcp://127.0.0.2/system"

// Peer starts the second libvirtd (once per machine: later calls find it
// answering) and returns its URI; `make test` stops it at the end. Needs
// root, as the real daemon does.
func Peer(t testing.TB) string {
	t.Helper()
	URI(t)
	out, err := exec.Command(filepath.Join(RepoRoot(), "testdata/scripts/libvirtd-peer.sh"), "start").CombinedOutput()
	if err != nil {
		NotRun(t, "PEER-LIBVIRTD", "the second libvirtd did not start: "+strings.TrimSpace(string(out)))
	}
	return PeerURI
}

// SASLPeerURI is the libvirtd that wants a SASL login (libvirtd-peer.sh's
// sasl kind): user names and passwords from its own database.
const SASLPeerURI = "qemu+tcp://127.0.0.3/system"

// SASLLogin starts the SASL libvirtd (once per machine) and adds a user
// with a random password to its database for the test; it returns the
// URI, the user and the password.
func SASLLogin(t testing.TB) (uri, user, password string) {
	t.Helper()
	URI(t)
	out, err := exec.Command(filepath.Join(RepoRoot(), "testdata/scripts/libvirtd-peer.sh"), "start", "sasl").CombinedOutput()
	if err != nil {
		NotRun(t, "SASL-LIBVIRTD", "the SASL libvirtd did not start: "+strings.TrimSpace(string(out)))
	}
	b := make([]byte, 8)
	rand.Read(b)
	user, password = fmt.Sprintf("kvmtui%d", os.Getpid()), hex.EncodeToString(b)
	// The realm is the daemon's host name (DIGEST-MD5's default).
	db := []string{"-f", "/var/lib/kvmtui-peer-sasl/passwd.db", "-a", "libvirt", "-u", "kvmtui-sasl"}
	add := exec.Command("saslpasswd2", append(append([]string{"-p", "-c"}, db...), user)...)
	add.Stdin = strings.NewReader(password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("saslpasswd2 (make test installs sasl2-bin): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("saslpasswd2", append(append([]string{"-d"}, db...), user)...).Run() })
	return SASLPeerURI, user, password
}

// Ext2Image is a 16 MiB disk holding an empty ext2 file system (mke2fs of
// busybox-static, which the guest's build installs, on the host): the
// fixture guest mounts it on /mnt, a real block file system for the guest
// agent to list and freeze.
func Ext2Image(t testing.TB) []byte {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ext2.img")
	if err := os.WriteFile(f, make([]byte, 16<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/bin/busybox", "mke2fs", "-F", "-L", "KVMTUI", f).CombinedOutput(); err != nil {
		t.Fatalf("busybox mke2fs: %v %s", err, out)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// AgentChannel is the guest agent's channel, for a fixture guest's extra devices.
const AgentChannel = `<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>`

// SerialLog is where virtlogd keeps what a guest wrote to its first
// serial port (the fixture guest's console).
func SerialLog(vm string) string { return "/var/log/libvirt/qemu/" + vm + "-serial0.log" }

// FileHas waits up to d for the file at path to hold s.
func FileHas(path, s string, d time.Duration) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		if b, _ := os.ReadFile(path); strings.Contains(string(b), s) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
