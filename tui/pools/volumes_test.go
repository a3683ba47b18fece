package pools

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/tui/formpage"
	"kvmtui/tui/tuitest"
)

func vol(p *volPage, name string) (libvirtx.Volume, bool) {
	for _, v := range p.list.Rows() {
		if v.Name == name {
			return v, true
		}
	}
	return libvirtx.Volume{}, false
}

func fill(t *testing.T, h *tuitest.Harness, kv ...string) {
	t.Helper()
	f := tuitest.Top[*formpage.Page](h)
	for i := 0; i < len(kv); i += 2 {
		if err := f.Form.Fill(kv[i], kv[i+1]); err != nil {
			t.Fatalf("%s=%q: %v", kv[i], kv[i+1], err)
		}
	}
}

// enter on a pool lists its volumes with the VMs using them; n creates
// one (a name taken stays on the form), c clones it, D deletes (a VM's
// disk asks "anyway").
func TestVolumePageOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":vol nopool", "enter")
	h.MsgHas(`vol: no storage pool "nopool"`)
	h.Keys(":pool", "enter", "enter")
	p := tuitest.Top[*volPage](h)
	if v, ok := vol(p, "web-01.qcow2"); !ok || strings.Join(v.Users, ",") != "web-01" || v.Format != "qcow2" {
		t.Fatalf("web-01's disk as listed: %+v", v)
	}
	h.ScreenHas("› Volumes of default", "NAME", "FORMAT", "alpine-edge.qcow2", "a disk of alpine-edge", "n new  R resize  c clone")

	h.Keys("n")
	fill(t, h, "name", "web-01.qcow2", "size", "1G")
	h.Keys("ctrl+s")
	h.ScreenHas("already has a volume web-01.qcow2")
	fill(t, h, "name", "scratch.qcow2", "pass", "one", "pass2", "two")
	h.Keys("ctrl+s")
	h.ScreenHas("the two passphrases differ")
	fill(t, h, "pass", "", "pass2", "")
	h.Keys("ctrl+s")
	h.MsgHas("created volume scratch.qcow2 in default")
	if v, ok := vol(p, "scratch.qcow2"); !ok || v.Capacity != 1<<30 {
		t.Fatalf("scratch as listed: %+v", v)
	}

	p.list.Select(func(v libvirtx.Volume) bool { return v.Name == "scratch.qcow2" })
	h.Keys("c")
	h.ScreenHas("A full copy of scratch.qcow2 (1 GiB)", "scratch-clone.qcow2")
	h.Keys("ctrl+s")
	h.MsgHas("cloned scratch.qcow2 to scratch-clone.qcow2 in default")
	if _, ok := vol(p, "scratch-clone.qcow2"); !ok {
		t.Fatal("no clone listed")
	}

	p.list.Select(func(v libvirtx.Volume) bool { return v.Name == "scratch-clone.qcow2" })
	h.Keys("D")
	h.ScreenHas("Delete volume scratch-clone.qcow2", "y  delete it")
	h.Keys("y")
	h.MsgHas("deleted scratch-clone.qcow2")
	if _, ok := vol(p, "scratch-clone.qcow2"); ok {
		t.Fatal("still listed")
	}
	p.list.Select(func(v libvirtx.Volume) bool { return v.Name == "web-01.qcow2" })
	h.Keys("D")
	h.ScreenHas("It is a disk of web-01: the VM loses it.", "y  delete it anyway")
	h.Keys("n")
	if _, ok := vol(p, "web-01.qcow2"); !ok {
		t.Fatal("n deleted it")
	}
	h.Keys("esc")
	tuitest.Top[*Page](h)
}

func TestVolumePageReadOnly(t *testing.T) {
	h := tuitest.New(t, true, tuitest.DemoURI(t))
	h.Keys(":vol default", "enter")
	tuitest.Top[*volPage](h)
	for _, k := range []string{"n", "R", "c", "W", "D"} {
		h.Ctx().SetMsg("", false)
		h.Keys(k)
		h.MsgHas("read-only")
	}
}

// On the real daemon, through the page: a volume made, grown, shrunk
// after the question, wiped and deleted; virsh agrees at each step.
func TestVolumePageOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	pool, _ := lt.DirPool(t, uri, "volpage")

	h := tuitest.New(t, false, uri)
	h.Until("the pool's name", func() bool { return strings.Contains(strings.Join(h.Ctx().PoolNames(), " "), pool) })
	h.Keys(":vol "+pool, "enter")
	p := tuitest.Top[*volPage](h)
	h.ScreenHas("no volume in " + pool)
	h.Keys("n")
	fill(t, h, "name", "d.raw", "format", "raw", "size", "16M")
	h.Keys("ctrl+s")
	h.MsgHas("created volume d.raw")
	if info := lt.MustVirsh(t, uri, "vol-info", "--pool", pool, "d.raw", "--bytes"); !strings.Contains(info, "Capacity:       16777216 bytes") {
		t.Fatalf("vol-info:\n%s", info)
	}
	p.list.Select(func(v libvirtx.Volume) bool { return v.Name == "d.raw" })
	h.Keys("R")
	fill(t, h, "size", "32M")
	h.Keys("ctrl+s")
	h.MsgHas("resized d.raw to 32 MiB")
	h.Keys("R")
	fill(t, h, "size", "8M")
	h.Keys("ctrl+s")
	h.ScreenHas("Shrink d.raw from 32 MiB to 8 MiB?", "Everything past the new end is lost")
	h.Keys("y")
	h.MsgHas("resized d.raw to 8 MiB")
	if info := lt.MustVirsh(t, uri, "vol-info", "--pool", pool, "d.raw", "--bytes"); !strings.Contains(info, "Capacity:       8388608 bytes") {
		t.Fatalf("vol-info after the shrink:\n%s", info)
	}
	h.Keys("W")
	h.ScreenHas("Wipe d.raw? Everything in it is overwritten.", "y  wipe it with zeros, one pass", "r  random data, one pass", "d  DoD 5220.22-M, four passes")
	h.Keys("r")
	h.MsgHas("wiped d.raw")
	h.Keys("D", "y")
	h.MsgHas("deleted d.raw")
	if _, err := lt.Virsh(t, uri, "vol-info", "--pool", pool, "d.raw"); err == nil {
		t.Fatal("still there")
	}
}

// u uploads a local file into a new volume with its progress on the
// message line, d downloads it back; the bytes are the same.
func TestVolumeUploadDownloadOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	pool, _ := lt.DirPool(t, uri, "volxfer")
	dir := t.TempDir()
	src, back := filepath.Join(dir, "disk.img"), filepath.Join(dir, "back.img")
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	os.WriteFile(src, data, 0o644)

	h := tuitest.New(t, false, uri)
	h.Until("the pool's name", func() bool { return strings.Contains(strings.Join(h.Ctx().PoolNames(), " "), pool) })
	h.Keys(":vol "+pool, "enter")
	p := tuitest.Top[*volPage](h)
	h.Keys("u")
	if err := tuitest.Top[*formpage.Page](h).Form.Fill("file", "/nonexistent"); err == nil || !strings.Contains(err.Error(), "is not a file here") {
		t.Fatalf("a missing file: %v", err)
	}
	fill(t, h, "file", src)
	if got := tuitest.Top[*formpage.Page](h).Form.Fields[1].Input.Value(); got != "disk.img" {
		t.Fatalf("the volume name proposed: %q", got)
	}
	h.Keys("ctrl+s")
	h.Until("the upload", func() bool { return !p.list.Running() && strings.Contains(h.Ctx().Msg.Text, "uploaded") })
	v, ok := vol(p, "disk.img")
	if !ok || v.Capacity != uint64(len(data)) {
		t.Fatalf("the uploaded volume: %+v", v)
	}
	p.list.Select(func(v libvirtx.Volume) bool { return v.Name == "disk.img" })
	h.Keys("d")
	fill(t, h, "file", back)
	h.Keys("ctrl+s")
	h.Until("the download", func() bool { return !p.list.Running() && strings.Contains(h.Ctx().Msg.Text, "downloaded") })
	if got, _ := os.ReadFile(back); !bytes.Equal(got, data) {
		t.Fatalf("the round trip changed the data: %d bytes", len(got))
	}
}
