package libvirtx

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kvmtui/install"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// newVMSetup connects, builds the fixture guest's kernel and initrd, and
// makes a pool for the test's volumes under the images directory (QEMU
// must be able to read them), removed with everything in it at the end.
func newVMSetup(t *testing.T) (uri string, m *Manager, pool, dir string) {
	t.Helper()
	uri = lt.URI(t)
	if out, err := exec.Command(filepath.Join(lt.RepoRoot(), "testdata/guest/build.sh"), lt.GuestDir).CombinedOutput(); err != nil {
		t.Fatalf("building the test guest: %v\n%s", err, out)
	}
	m = NewManager(false)
	t.Cleanup(m.Close)
	if err := m.Add(uri); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
	pool = lt.Prefix + fmt.Sprintf("pool-%d", os.Getpid())
	dir = "/var/lib/libvirt/images/" + pool
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lt.MustVirsh(t, uri, "pool-create-as", pool, "dir", "--target", dir)
	t.Cleanup(func() {
		lt.Virsh(t, uri, "pool-destroy", pool)
		os.RemoveAll(dir)
	})
	return uri, m, pool, dir
}

func hostFor(t *testing.T, m *Manager, uri string) *install.NewVMHost {
	t.Helper()
	h, err := m.NewVMHost(uri)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A VM built by the wizard's code with direct kernel boot of the fixture
// guest starts and reaches its shell on the serial console.
func TestRealCreateBootsFixtureKernel(t *testing.T) {
	uri, m, _, _ := newVMSetup(t)
	name := lt.Prefix + "newvm-kernel"
	lt.RemoveDomain(t, uri, name)
	t.Cleanup(func() { lt.RemoveDomain(t, uri, name) })
	n := &install.NewVM{Name: name, Method: install.MethodManual, VirtType: "qemu", Storage: install.StorageNone, Net: install.NetNone,
		Graphics: "none", MemoryMiB: 256, VCPUs: 1,
		Kernel: lt.GuestDir + "/vmlinux", Initrd: lt.GuestDir + "/initrd.img", Cmdline: "console=ttyS0 panic=-1"}
	bootAndSeePrompt(t, m, uri, n, nil)
	// The persistent definition is the final one: it keeps the kernel.
	if x := lt.MustVirsh(t, uri, "dumpxml", "--inactive", name); !strings.Contains(x, "<kernel>"+lt.GuestDir+"/vmlinux</kernel>") {
		t.Fatalf("persistent definition:\n%s", x)
	}
}

// testTreeInfo is the .treeinfo of a tree holding the fixture guest's
// kernel and initrd under boot/.
const testTreeInfo = "[general]\nfamily = kvmtui test guest\nversion = 1\narch = x86_64\n[images-x86_64]\nkernel = boot/vmlinux\ninitrd = boot/initrd.img\n"

// A network install from an http tree (served on loopback): .treeinfo
// names the kernel and initrd, kvmtui downloads them into pool volumes,
// the install boots them, then the volumes go and the persistent
// definition has no kernel.
func TestRealCreateNetworkInstallFromHTTPTree(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/tree/.treeinfo", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, testTreeInfo) })
	mux.Handle("/tree/boot/", http.StripPrefix("/tree/boot/", http.FileServer(http.Dir(lt.GuestDir))))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	installFromTree(t, "http://"+ln.Addr().String()+"/tree/", "tree")
}

// The same install from an ftp tree, served anonymously on loopback.
func TestRealCreateNetworkInstallFromFTPTree(t *testing.T) {
	root := t.TempDir()
	writeTestTree(t, filepath.Join(root, "tree"))
	installFromTree(t, "ftp://"+startFTP(t, root)+"/tree/", "ftptree")
}

// writeTestTree lays out .treeinfo and boot/ with the fixture guest's
// kernel and initrd (building them when missing).
func writeTestTree(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command(filepath.Join(lt.RepoRoot(), "testdata/guest/build.sh"), lt.GuestDir).CombinedOutput(); err != nil {
		t.Fatalf("building the test guest: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "boot"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".treeinfo"), []byte(testTreeInfo), 0o644)
	for _, f := range []string{"vmlinux", "initrd.img"} {
		b, err := os.ReadFile(filepath.Join(lt.GuestDir, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "boot", f), b, 0o644)
	}
}

func installFromTree(t *testing.T, location, suffix string) {
	uri, m, pool, _ := newVMSetup(t)
	name := lt.Prefix + "newvm-" + suffix
	lt.RemoveDomain(t, uri, name)
	t.Cleanup(func() { lt.RemoveDomain(t, uri, name) })
	n := &install.NewVM{Name: name, Method: install.MethodNetwork, Location: location,
		ExtraArgs: "console=ttyS0 panic=-1", VirtType: "qemu", Storage: install.StorageNone, Pool: pool, Net: install.NetNone,
		Graphics: "none", MemoryMiB: 256, VCPUs: 1}
	if _, err := m.PrepareMedia(context.Background(), uri, n, nil); err != nil {
		t.Fatal(err)
	}
	if n.Tree.Kernel != "boot/vmlinux" {
		t.Fatalf("treeinfo not read: %+v", n.Tree)
	}
	bootAndSeePrompt(t, m, uri, n, func(con io.Writer) {
		if vols := lt.MustVirsh(t, uri, "vol-list", pool); strings.Contains(vols, name+"-kernel") {
			t.Fatalf("the installer's kernel volume was not removed after the start:\n%s", vols)
		}
		if x := lt.MustVirsh(t, uri, "dumpxml", "--inactive", name); strings.Contains(x, "<kernel>") || strings.Contains(x, "on_reboot>destroy") {
			t.Fatalf("the persistent definition is not the final one:\n%s", x)
		}
		if x := lt.MustVirsh(t, uri, "dumpxml", name); !strings.Contains(x, "<kernel>") {
			t.Fatalf("the running install does not boot the downloaded kernel:\n%s", x)
		}
		// The installer's reboot stops the install (on_reboot=destroy);
		// kvmtui starts the VM again on its final definition.
		con.Write([]byte("reboot -f\r"))
		deadline := time.Now().Add(60 * time.Second)
		for {
			st := lt.MustVirsh(t, uri, "domstate", name)
			if x := lt.MustVirsh(t, uri, "dumpxml", name); st == "running" && !strings.Contains(x, "<kernel>") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not restarted on the final definition after the install's reboot: %s", st)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

func bootAndSeePrompt(t *testing.T, m *Manager, uri string, n *install.NewVM, after func(con io.Writer)) {
	t.Helper()
	h := hostFor(t, m, uri)
	n.Defaults(h, false)
	plan, err := n.Build(h, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ref, err := m.CreateVM(context.Background(), uri, plan, CreateStart)
	if err != nil {
		t.Fatal(err)
	}
	if st := lt.MustVirsh(t, uri, "domstate", n.Name); st != "running" {
		t.Fatalf("state after create: %s", st)
	}
	con, err := m.OpenConsole(ref, "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer con.Close()
	// Output before the attach is lost: ask for a fresh prompt until one comes.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Second):
				con.Write([]byte("\r"))
			}
		}
	}()
	readUntil(t, con, "kvmtui-guest# ", 90*time.Second)
	if after != nil {
		after(con)
	}
}

// A cloud image VM (customize: defined, not started) gets a qcow2 overlay
// of the image and a cidata seed volume holding its user-data; a create
// that libvirt refuses midway leaves no volume behind.
func TestRealCreateCloudInitAndCleanup(t *testing.T) {
	uri, m, pool, dir := newVMSetup(t)
	name := lt.Prefix + "newvm-cloud"
	lt.RemoveDomain(t, uri, name)
	t.Cleanup(func() { lt.RemoveDomain(t, uri, name) })
	img := filepath.Join(dir, "base.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", img, "1G").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, out)
	}
	lt.MustVirsh(t, uri, "pool-refresh", pool)
	mk := func(vmName string) *install.NewVM {
		return &install.NewVM{Name: vmName, Method: install.MethodCloud, Media: img, VirtType: "qemu", Storage: install.StorageNew,
			Pool: pool, DiskSize: 2 << 30, Net: install.NetNone, Graphics: "vnc", MemoryMiB: 256, VCPUs: 1,
			CloudInit: &install.CloudInit{User: "ada", SSHKeys: []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx ada@host"}, Hostname: "cloudy"}}
	}
	n := mk(name)
	if _, err := m.PrepareMedia(context.Background(), uri, n, nil); err != nil {
		t.Fatal(err)
	}
	if n.MediaFormat != "qcow2" {
		t.Fatalf("cloud image format %q", n.MediaFormat)
	}
	h := hostFor(t, m, uri)
	n.Defaults(h, false)
	plan, err := n.Build(h, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateVM(context.Background(), uri, plan, CreateDefine); err != nil {
		t.Fatal(err)
	}
	if st := lt.MustVirsh(t, uri, "domstate", name); st != "shut off" {
		t.Fatalf("customize left it %s", st)
	}
	vx := lt.MustVirsh(t, uri, "vol-dumpxml", "--pool", pool, name+".qcow2")
	if !strings.Contains(vx, "<backingStore>") || !strings.Contains(vx, img) {
		t.Fatalf("the disk is not an overlay of the cloud image:\n%s", vx)
	}
	seed := filepath.Join(t.TempDir(), "seed.iso")
	lt.MustVirsh(t, uri, "vol-download", "--pool", pool, name+"-cidata.iso", seed)
	out := filepath.Join(t.TempDir(), "seed")
	if b, err := exec.Command("xorriso", "-abort_on", "FAILURE", "-indev", seed, "-osirrox", "on", "-extract", "/", out).CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, b)
	}
	ud, _ := os.ReadFile(filepath.Join(out, "user-data"))
	md, _ := os.ReadFile(filepath.Join(out, "meta-data"))
	if !strings.Contains(string(ud), `name: "ada"`) || !strings.Contains(string(md), `local-hostname: "cloudy"`) {
		t.Fatalf("seed user-data:\n%s\nmeta-data:\n%s", ud, md)
	}

	// Midway failure: the volumes are created, then libvirt refuses the
	// definition (an emulator that is not there).
	bad := lt.Prefix + "newvm-bad"
	t.Cleanup(func() { lt.RemoveDomain(t, uri, bad) })
	n2 := mk(bad)
	n2.MediaFormat = "qcow2"
	n2.Defaults(h, false)
	plan2, err := n2.Build(h, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	plan2.Customize.Devices.Emulator = "/nonexistent/qemu-system-x86_64"
	_, err = m.CreateVM(context.Background(), uri, plan2, CreateDefine)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/qemu-system-x86_64") {
		t.Fatalf("want libvirt's refusal naming the emulator, got %v", err)
	}
	vols := lt.MustVirsh(t, uri, "vol-list", pool)
	if strings.Contains(vols, bad) {
		t.Fatalf("a failed create left volumes behind:\n%s", vols)
	}
	if _, err := lt.Virsh(t, uri, "dominfo", bad); err == nil {
		t.Fatal("a failed create left the domain defined")
	}
}
