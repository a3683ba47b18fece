package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestPoolAndVolCommandsOnTheDemoHost(t *testing.T) {
	code, out, errOut := run(t, "--demo", "pool", "list", "--format", "json")
	var pools []libvirtx.Pool
	if code != 0 || json.Unmarshal([]byte(out), &pools) != nil || len(pools) != 3 || pools[0].Name != "default" {
		t.Fatalf("pool list: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(t, "--demo", "vol", "list", "default", "--format", "json")
	var vols []volJSON
	if code != 0 || json.Unmarshal([]byte(out), &vols) != nil || len(vols) != 14 {
		t.Fatalf("vol list: %d %s %s", code, out, errOut)
	}
	for _, c := range []struct {
		args       []string
		code       int
		out, error string
	}{
		{[]string{"vol", "create", "default", "x.qcow2", "--size", "1G"}, 0, "created volume x.qcow2 in default", ""},
		{[]string{"vol", "create", "default", "web-01.qcow2", "--size", "1G"}, 1, "", "already has a volume web-01.qcow2"},
		{[]string{"vol", "create", "default", "x.vmdk", "--size", "1G", "--format", "vmdk"}, 1, "", `cannot make "vmdk" volumes`},
		{[]string{"vol", "create", "default", "x", "--size", "lots"}, 2, "", `--size "lots"`},
		{[]string{"vol", "create", "nopool", "x", "--size", "1G"}, 1, "", `no storage pool named "nopool"`},
		{[]string{"vol", "delete", "default", "web-01.qcow2"}, 1, "", "web-01.qcow2 is used by web-01"},
		{[]string{"vol", "delete", "default", "web-01.qcow2", "--force"}, 0, "", ""},
		{[]string{"vol", "resize", "default", "web-01.qcow2", "1G"}, 1, "", "must be asked for"},
		{[]string{"vol", "clone", "iso", "CentOS-7-x86_64-Minimal-2009.iso", "c.iso"}, 0, "cloned CentOS-7-x86_64-Minimal-2009.iso to c.iso", ""},
		{[]string{"pool", "stop", "iso"}, 0, "", ""},
		{[]string{"pool", "define", "--name", "p2", "--target", "/srv/p2"}, 0, "defined pool p2", ""},
		{[]string{"pool", "define", "--name", "iso"}, 1, "", "a pool named iso already exists"},
		{[]string{"pool", "define", "--name", "p3", "--type", "netfs", "--target", "/mnt/x"}, 1, "", "a netfs pool needs its source host"},
		{[]string{"pool", "define", "--name", "p3", "--type", "fs", "--device", "relative"}, 2, "", `--device "relative"`},
		{[]string{"pool", "autostart", "maybe", "iso"}, 2, "", "usage: kvmtui pool autostart on|off POOL..."},
		{[]string{"pool", "refresh", "nopool"}, 1, "", `no storage pool named "nopool"`},
	} {
		code, out, errOut := run(t, append([]string{"--demo"}, c.args...)...)
		if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.error) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q\nwant exit %d, %q, %q", c.args, code, out, errOut, c.code, c.out, c.error)
		}
	}
}

// On the real daemon: create, grow, shrink (asked), clone, wipe, delete in
// a dir pool, checked with virsh.
func TestVolCommandsOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	pool, _ := lt.DirPool(t, uri, "clivol")
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append([]string{"-c", uri}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	must("pool", "refresh", pool)
	must("vol", "create", pool, "a.raw", "--size", "16M", "--format", "raw")
	must("vol", "resize", pool, "a.raw", "32M")
	must("vol", "resize", pool, "a.raw", "8M", "--shrink")
	if info := lt.MustVirsh(t, uri, "vol-info", "--pool", pool, "a.raw", "--bytes"); !strings.Contains(info, "Capacity:       8388608 bytes") {
		t.Fatalf("vol-info:\n%s", info)
	}
	must("vol", "create", pool, "b.qcow2", "--size", "1G", "--backing", "/var/lib/libvirt/images/"+pool+"/a.raw")
	if x := lt.MustVirsh(t, uri, "vol-dumpxml", "--pool", pool, "b.qcow2"); !strings.Contains(x, "<backingStore>") {
		t.Fatalf("no backing:\n%s", x)
	}
	must("vol", "clone", pool, "a.raw", "c.raw")
	must("vol", "wipe", pool, "c.raw")
	must("vol", "wipe", pool, "c.raw", "--algorithm", "random")
	if code, _, errOut := run(t, "-c", uri, "vol", "wipe", pool, "c.raw", "--algorithm", "magic"); code != 1 || !strings.Contains(errOut, `unknown wipe algorithm "magic"`) {
		t.Fatalf("a bad algorithm: %d %s", code, errOut)
	}
	var vols []volJSON
	json.Unmarshal([]byte(must("vol", "list", pool, "--format", "json")), &vols)
	if len(vols) != 3 || vols[1].Backing == "" {
		t.Fatalf("volumes %+v", vols)
	}
	// upload and download through libvirt's streams.
	dir := t.TempDir()
	src, back := filepath.Join(dir, "src"), filepath.Join(dir, "back")
	data := bytes.Repeat([]byte("kvmtui "), 150000)
	os.WriteFile(src, data, 0o644)
	if out := must("vol", "upload", pool, "up.raw", src); !strings.Contains(out, "uploaded up.raw") {
		t.Fatal(out)
	}
	must("vol", "download", pool, "up.raw", back)
	if got, _ := os.ReadFile(back); !bytes.Equal(got, data) {
		t.Fatalf("the round trip changed the data (%d of %d bytes)", len(got), len(data))
	}
	must("vol", "delete", pool, "up.raw")
	for _, v := range []string{"a.raw", "b.qcow2", "c.raw"} {
		must("vol", "delete", pool, v)
	}
	must("pool", "refresh", pool)
	if out := lt.MustVirsh(t, uri, "vol-list", pool); strings.Contains(out, ".raw") {
		t.Fatalf("left behind:\n%s", out)
	}
}

// vol create --luks-passphrase-file: an encrypted volume; an empty file
// is refused.
func TestVolCreateLUKS(t *testing.T) {
	uri := lt.URI(t)
	pool := lt.Prefix + "cliluks"
	gone := func() {
		lt.Virsh(t, uri, "pool-destroy", pool)
		lt.Virsh(t, uri, "pool-undefine", pool)
		os.RemoveAll("/var/lib/libvirt/images/" + pool)
		lt.RemoveSecrets(t, uri, "/var/lib/libvirt/images/"+pool+"/")
	}
	gone()
	t.Cleanup(gone)
	if code, out, errOut := run(t, "-c", uri, "pool", "define", "--name", pool, "--target", "/var/lib/libvirt/images/"+pool, "--autostart", "no"); code != 0 {
		t.Fatalf("pool define: %s %s", out, errOut)
	}
	dir := t.TempDir()
	empty, pass := filepath.Join(dir, "empty"), filepath.Join(dir, "pass")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(pass, []byte("s3cret phrase\n"), 0o600)
	if code, _, errOut := run(t, "-c", uri, "vol", "create", pool, "e.raw", "--size", "16M", "--format", "raw", "--luks-passphrase-file", empty); code != 1 || !strings.Contains(errOut, "holds no passphrase") {
		t.Fatalf("empty passphrase: %d %s", code, errOut)
	}
	if code, out, errOut := run(t, "-c", uri, "vol", "create", pool, "e.raw", "--size", "16M", "--format", "raw", "--luks-passphrase-file", pass); code != 0 {
		t.Fatalf("%s %s", out, errOut)
	}
	if x := lt.MustVirsh(t, uri, "vol-dumpxml", "--pool", pool, "e.raw"); !strings.Contains(x, "<encryption format='luks'>") {
		t.Fatalf("not encrypted:\n%s", x)
	}
	if code, _, errOut := run(t, "-c", uri, "vol", "delete", pool, "e.raw"); code != 0 {
		t.Fatal(errOut)
	}
}

// An iSCSI pool with CHAP, defined on the real daemon (not started: there
// is no target here): the pool names a private libvirt secret that holds
// the password, which virsh cannot read back; deleting the pool removes
// the secret. The password never appears on the command line.
func TestPoolDefineWithCHAPOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	name := lt.Prefix + "chap"
	usage := "kvmtui-pool-" + name
	gone := func() {
		lt.Virsh(t, uri, "pool-undefine", name)
		if out, err := lt.Virsh(t, uri, "secret-list"); err == nil {
			for _, line := range strings.Split(out, "\n") {
				if f := strings.Fields(line); len(f) >= 2 && strings.Contains(line, usage) {
					lt.Virsh(t, uri, "secret-undefine", f[0])
				}
			}
		}
	}
	gone()
	t.Cleanup(gone)
	pass := filepath.Join(t.TempDir(), "chap")
	if err := os.WriteFile(pass, []byte("s3cret pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"-c", uri, "pool", "define", "--name", name, "--type", "iscsi", "--host", "127.0.0.1", "--source", "iqn.2024-01.org.example:t1",
		"--target", "/dev/disk/by-path", "--start", "no", "--autostart", "no"}
	if code, _, errOut := run(t, append(base, "--secret-file", pass)...); code != 1 || !strings.Contains(errOut, "needs its user") {
		t.Fatalf("a secret without a user: exit %d %s", code, errOut)
	}
	code, out, errOut := run(t, append(base, "--auth_user", "kvm", "--secret-file", pass)...)
	if code != 0 || !strings.Contains(out, "defined pool "+name) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	x := lt.MustVirsh(t, uri, "pool-dumpxml", name)
	if !strings.Contains(x, "<auth type='chap' username='kvm'>") || !strings.Contains(x, "<secret usage='"+usage+"'/>") {
		t.Fatalf("the pool does not name its secret:\n%s", x)
	}
	list := lt.MustVirsh(t, uri, "secret-list")
	var id string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, usage) {
			id = strings.Fields(line)[0]
		}
	}
	if id == "" {
		t.Fatalf("no secret with usage %s:\n%s", usage, list)
	}
	if v, err := lt.Virsh(t, uri, "secret-get-value", id); err == nil {
		t.Fatalf("the private secret was read back: %q", v)
	}
	if code, _, errOut := run(t, "-c", uri, "pool", "delete", name); code != 0 {
		t.Fatalf("pool delete: exit %d %s", code, errOut)
	}
	if list := lt.MustVirsh(t, uri, "secret-list"); strings.Contains(list, usage) {
		t.Fatalf("the pool's secret outlived it:\n%s", list)
	}
}

// pool sources: a server is named for netfs and iscsi; what libvirt says
// when it finds nothing reaches the user.
func TestPoolSourcesOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	if code, _, errOut := run(t, "-c", uri, "pool", "sources", "netfs"); code != 2 || !strings.Contains(errOut, "name the server with --host") {
		t.Fatalf("netfs without --host: exit %d %s", code, errOut)
	}
	// no NFS server here: libvirt's words (which depend on whether
	// showmount is installed), exit 1
	if code, _, errOut := run(t, "-c", uri, "pool", "sources", "netfs", "--host", "127.0.0.1"); code != 1 || !strings.HasPrefix(errOut, "kvmtui: ") || len(errOut) < 20 {
		t.Fatalf("netfs on a host without exports: exit %d %s", code, errOut)
	}
	if code, out, errOut := run(t, "-c", uri, "pool", "sources", "logical"); code != 0 {
		t.Fatalf("logical: exit %d %s%s", code, out, errOut)
	}
}

// startTarget runs an iSCSI target (tgtd, its own control port) on
// 127.0.0.1:port with one 32 MiB LUN behind CHAP user/password; it stops
// when the test ends.
func startTarget(t *testing.T, port int, iqn, user, password string) {
	t.Helper()
	if _, err := exec.LookPath("tgtd"); err != nil {
		t.Fatal("tgtd is not installed (tgt; make test installs it)")
	}
	const ctl = "7" // a control port of the test's own: tgtadm -C 7
	lun := filepath.Join(t.TempDir(), "lun.img")
	if err := os.WriteFile(lun, nil, 0o600); err != nil || os.Truncate(lun, 32<<20) != nil {
		t.Fatal("making the LUN's image")
	}
	d := exec.Command("tgtd", "-f", "-C", ctl, "--iscsi", fmt.Sprintf("portal=127.0.0.1:%d", port))
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Process.Kill(); d.Wait() })
	adm := func(args ...string) {
		t.Helper()
		var err error
		var out []byte
		for i := 0; i < 50; i++ { // until tgtd listens on its control socket
			if out, err = exec.Command("tgtadm", append([]string{"-C", ctl, "--lld", "iscsi"}, args...)...).CombinedOutput(); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("tgtadm %v: %v %s", args, err, out)
	}
	adm("--op", "new", "--mode", "target", "--tid", "1", "-T", iqn)
	adm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "-b", lun)
	adm("--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL")
	adm("--op", "new", "--mode", "account", "--user", user, "--password", password)
	adm("--op", "bind", "--mode", "account", "--tid", "1", "--user", user)
}

// An iscsi-direct pool (libvirt's own initiator, libiscsi) on a target
// that asks CHAP: discovery finds the target; with the right password the
// pool starts and lists the LUN;
// with a wrong one it is defined but does not start, with the target's
// refusal; deleting it removes its secret.
func TestISCSIDirectPoolWithCHAPOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	const port, iqn = 3261, "iqn.2026-12.dev.kvmtui:chap"
	startTarget(t, port, iqn, "kvm", "s3cretpass12")
	name := lt.Prefix + "direct"
	t.Cleanup(func() {
		lt.Virsh(t, uri, "pool-destroy", name)
		lt.Virsh(t, uri, "pool-undefine", name)
	})
	dir := t.TempDir()
	define := func(password string) (int, string, string) {
		f := filepath.Join(dir, "p")
		os.WriteFile(f, []byte(password+"\n"), 0o600)
		return run(t, "-c", uri, "pool", "define", "--name", name, "--type", "iscsi-direct", "--host", fmt.Sprintf("127.0.0.1:%d", port),
			"--source", iqn, "--initiator", "iqn.2026-12.dev.kvmtui:client", "--auth_user", "kvm", "--secret-file", f, "--autostart", "no")
	}
	// discovery: the portal's targets, as the form offers them
	code, out, errOut := run(t, "-c", uri, "pool", "sources", "iscsi-direct", "--host", fmt.Sprintf("127.0.0.1:%d", port), "--initiator", "iqn.2026-12.dev.kvmtui:client")
	if code != 0 || strings.TrimSpace(out) != iqn {
		t.Fatalf("pool sources: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = define("s3cretpass12")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "-c", uri, "vol", "list", name)
	if code != 0 || !strings.Contains(out, "unit:0:0:1") || !strings.Contains(out, "32 MiB") {
		t.Fatalf("the LUN is not listed: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "-c", uri, "pool", "delete", name); code != 0 {
		t.Fatalf("pool delete: %s", errOut)
	}
	code, _, errOut = define("wrong password")
	if code != 1 || !strings.Contains(errOut, "defined, but it did not start") || !strings.Contains(errOut, "Authentication failure") {
		t.Fatalf("a wrong password: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "-c", uri, "pool", "delete", name); code != 0 {
		t.Fatalf("pool delete: %s", errOut)
	}
	if list := lt.MustVirsh(t, uri, "secret-list"); strings.Contains(list, "kvmtui-pool-"+name) {
		t.Fatalf("the pool's secret outlived it:\n%s", list)
	}
}
