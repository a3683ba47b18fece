package libvirtx

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// rawOf is a qcow2 image's contents as raw bytes (backing chain included).
func rawOf(t *testing.T, img string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "raw")
	if b, err := exec.Command("qemu-img", "convert", "-U", "-O", "raw", img, out).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert %s: %v %s", img, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A full and a linked clone of a shut-off guest with a qcow2 disk and a
// NIC: both boot and read the source's data, have new UUIDs and MACs; the
// linked clone's disk is an overlay on the source's image, which stays
// unchanged while the linked clone writes.
func TestRealCloneFullAndLinked(t *testing.T) {
	uri := lt.URI(t)
	data := make([]byte, 16<<20)
	copy(data[10*512:], "kvmtui-source-data")
	// No driver for the NIC is in the guest: it sends nothing.
	vm, img, dir := lt.GuestWithDisk(t, uri, fmt.Sprintf("clonesrc-%d", os.Getpid()), data,
		`<interface type='user'><mac address='52:54:00:aa:bb:01'/><model type='virtio'/></interface>`)
	m, src := managerFor(t, uri, vm)
	before := fileSum(t, img)

	plan, err := m.PlanClone(src)
	if err != nil {
		t.Fatal(err)
	}
	clone := func(name string, mode CloneMode) Ref {
		t.Helper()
		p := plan
		p.Disks = append([]CloneDisk{}, plan.Disks...)
		p.Disks[0].Mode = mode
		p = p.Named(src.Name, name)
		var seen int
		t0 := time.Now()
		ref, err := m.Clone(src, CloneSpec{Name: name, Disks: p.Disks}, func(string, int64, int64) { seen++ })
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s clone in %v, %d progress reports", mode, time.Since(t0).Round(time.Millisecond), seen)
		t.Cleanup(func() {
			lt.RemoveDomain(t, uri, name)
		})
		return ref
	}
	full := clone(src.Name+"-full", CloneCopy)
	if tmpl, _ := m.IsTemplate(src); tmpl {
		t.Fatal("a full clone made its source a template")
	}
	linked := clone(src.Name+"-linked", CloneLinked)
	if tmpl, err := m.IsTemplate(src); !tmpl || err != nil {
		t.Fatalf("after a linked clone the source is no template: %v", err)
	}
	for _, c := range []Ref{full, linked} {
		if c.UUID == src.UUID {
			t.Fatalf("%s has the source's UUID", c.Name)
		}
		x := lt.MustVirsh(t, uri, "dumpxml", c.Name)
		if strings.Contains(x, "52:54:00:aa:bb:01") || !strings.Contains(x, "<mac address=") {
			t.Fatalf("%s's MAC:\n%s", c.Name, x)
		}
	}
	fullImg, linkedImg := diskOf(t, uri, full.Name), diskOf(t, uri, linked.Name)
	if fullImg == linkedImg || filepath.Dir(fullImg) != dir {
		t.Fatalf("clone images %s and %s", fullImg, linkedImg)
	}
	if info, _ := exec.Command("qemu-img", "info", "-U", linkedImg).CombinedOutput(); !strings.Contains(string(info), "backing file: "+img) {
		t.Fatalf("the linked clone's image is no overlay on %s:\n%s", img, info)
	}
	if info, _ := exec.Command("qemu-img", "info", "-U", fullImg).CombinedOutput(); strings.Contains(string(info), "backing file") {
		t.Fatalf("the full clone's image has a backing file:\n%s", info)
	}
	if !bytes.Equal(rawOf(t, fullImg), data) {
		t.Fatal("the full clone's disk differs from the source's")
	}

	// Both boot and read the source's data; the linked one writes.
	for _, c := range []Ref{full, linked} {
		r, send := startAtPrompt(t, m, c)
		send("dd if=/dev/vda bs=512 skip=10 count=1 2>/dev/null | head -c 18; echo")
		r.until(t, "kvmtui-source-data", 30*time.Second)
		if c == linked {
			send("echo -n clone-wrote | dd of=/dev/vda bs=512 seek=20 conv=fsync 2>/dev/null && echo done-$((1+1))")
			r.until(t, "done-2", 30*time.Second)
		}
		lt.MustVirsh(t, uri, "destroy", c.Name)
	}
	if fileSum(t, img) != before {
		t.Fatal("the source's image changed")
	}

	// The source's disk is read-only now: started anyway, it cannot write
	// the image its linked clone reads.
	if x := lt.MustVirsh(t, uri, "dumpxml", "--inactive", src.Name); !strings.Contains(x, "<readonly/>") {
		t.Fatalf("after a linked clone the source's disk is not read-only:\n%s", x)
	}
	r, send := startAtPrompt(t, m, src)
	send("echo -n source-wrote | dd of=/dev/vda bs=512 seek=30 conv=fsync 2>/dev/null && echo wrote-$((1+1)) || echo refused-$((2+1))")
	r.until(t, "refused-3", 30*time.Second)
	lt.MustVirsh(t, uri, "destroy", src.Name)
	if fileSum(t, img) != before {
		t.Fatal("the source, started after its linked clone, changed its image")
	}
	if got := rawOf(t, linkedImg); !bytes.Contains(got, []byte("clone-wrote")) || !bytes.Contains(got, []byte("kvmtui-source-data")) {
		t.Fatal("the linked clone lacks its write or the source's data")
	}

	// Taking the template mark off while the linked clone reads its image
	// is refused, naming the clone; nothing changes.
	err = m.SetTemplate(src, false)
	if err == nil || !strings.Contains(err.Error(), "stays a template") || !strings.Contains(err.Error(), linked.Name) {
		t.Fatalf("template off with a linked clone: %v", err)
	}
	if tmpl, _ := m.IsTemplate(src); !tmpl || !strings.Contains(lt.MustVirsh(t, uri, "dumpxml", "--inactive", src.Name), "<readonly/>") {
		t.Fatal("a refused template off changed the source")
	}
	// Without the clone (its VM and its image gone), the mark comes off and
	// the disk the clone made read-only is writable again.
	lt.RemoveDomain(t, uri, linked.Name)
	lt.MustVirsh(t, uri, "vol-delete", linkedImg)
	if err := m.SetTemplate(src, false); err != nil {
		t.Fatal(err)
	}
	if tmpl, _ := m.IsTemplate(src); tmpl {
		t.Fatal("still a template")
	}
	if x := lt.MustVirsh(t, uri, "dumpxml", "--inactive", src.Name); strings.Contains(x, "<readonly/>") {
		t.Fatalf("template off left the source's disk read-only:\n%s", x)
	}
}

func diskOf(t *testing.T, uri, vm string) string {
	t.Helper()
	for _, l := range strings.Split(lt.MustVirsh(t, uri, "domblklist", vm), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "vda" {
			return f[1]
		}
	}
	t.Fatalf("%s has no vda", vm)
	return ""
}

// A clone that fails midway removes what it made: two disks, the second's
// image gone between the plan and the clone, so its copy fails after the
// first disk's copy was made; no copy and no VM are left.
func TestRealCloneFailingMidwayLeavesNothing(t *testing.T) {
	uri := lt.URI(t)
	pool, dir := lt.DirPool(t, uri, "cloneroll")
	second := filepath.Join(dir, "second.qcow2")
	if b, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", second, "16M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, b)
	}
	lt.MustVirsh(t, uri, "pool-refresh", pool)
	vm, _, srcDir := lt.GuestWithDisk(t, uri, fmt.Sprintf("cloneroll-%d", os.Getpid()), nil,
		`<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='`+second+`'/><target dev='vdb' bus='virtio'/></disk>`)
	m, src := managerFor(t, uri, vm)
	plan, err := m.PlanClone(src)
	if err != nil || len(plan.Disks) != 2 {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	name := src.Name + "-c"
	p := plan.Named(src.Name, name)
	lt.MustVirsh(t, uri, "vol-delete", "--pool", pool, "second.qcow2")
	before := func(d string) []string {
		es, _ := os.ReadDir(d)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	srcBefore, dirBefore := before(srcDir), before(dir)
	if _, err := m.Clone(src, CloneSpec{Name: name, Disks: p.Disks}, func(string, int64, int64) {}); err == nil {
		lt.RemoveDomain(t, uri, name)
		t.Fatal("a clone of a disk that is gone succeeded")
	}
	if got := before(srcDir); fmt.Sprint(got) != fmt.Sprint(srcBefore) {
		t.Fatalf("the first disk's copy was left: %v (was %v)", got, srcBefore)
	}
	if got := before(dir); fmt.Sprint(got) != fmt.Sprint(dirBefore) {
		t.Fatalf("files were left: %v (was %v)", got, dirBefore)
	}
	if _, err := lt.Virsh(t, uri, "dominfo", name); err == nil {
		lt.RemoveDomain(t, uri, name)
		t.Fatal("the failed clone left a VM")
	}
}
