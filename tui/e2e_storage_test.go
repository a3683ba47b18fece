package tui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2EStorage drives :pool in tmux against the real daemon: a dir pool
// made from the form, a volume created in it, grown, a file uploaded with
// its progress on the message line, the volume deleted after the
// question; virsh agrees at each step.
func TestE2EStorage(t *testing.T) {
	uri := lt.URI(t)
	pool := lt.Prefix + "e2epool"
	dir := "/var/lib/libvirt/images/" + pool
	gone := func() {
		lt.Virsh(t, uri, "pool-destroy", pool)
		lt.Virsh(t, uri, "pool-undefine", pool)
		os.RemoveAll(dir)
	}
	gone()
	t.Cleanup(gone)
	src := filepath.Join(t.TempDir(), "upload.img")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(strings.Repeat("kvmtui", 1<<20))) // 6 MiB
	f.Close()

	s := startTUI(t, 120, 40, "-c", uri)
	s.waitFor("the list", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "STATE") })
	s.keys(":", "lit:pool", "Enter")
	s.waitFor("the pool page", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "PATH / SOURCE") })
	s.keys("n")
	s.waitFor("the form", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "New pool on") })
	s.keys("C-u", "lit:"+pool, "Tab", "Tab", "C-u", "lit:"+dir, "C-s")
	s.waitFor("the pool", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "defined pool "+pool) })
	if info := lt.MustVirsh(t, uri, "pool-info", pool); !strings.Contains(info, "State:          running") {
		t.Fatalf("pool-info:\n%s", info)
	}
	s.keys("Escape", ":", "lit:vol "+pool, "Enter")
	s.waitFor("the volume page", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "no volume in "+pool) })
	s.keys("n")
	s.waitFor("the volume form", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "A new volume in "+pool) })
	s.keys("lit:data.qcow2", "Tab", "Tab", "C-u", "lit:64M", "C-s")
	s.waitFor("the volume", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "created volume data.qcow2") })
	s.keys("R")
	s.waitFor("the resize form", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "data.qcow2 is 64 MiB") })
	s.keys("C-u", "lit:128M", "C-s")
	s.waitFor("the resize", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "resized data.qcow2 to 128 MiB") })
	if info := lt.MustVirsh(t, uri, "vol-info", "--pool", pool, "data.qcow2", "--bytes"); !strings.Contains(info, "Capacity:       134217728 bytes") {
		t.Fatalf("vol-info:\n%s", info)
	}
	s.keys("u")
	s.waitFor("the upload form", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "Upload a file of this machine") })
	s.keys("lit:"+src, "C-s")
	scr := s.waitFor("the upload", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "uploaded "+src) || strings.Contains(scr, "uploading upload.img")
	})
	if strings.Contains(scr, "uploading upload.img") {
		t.Logf("progress on screen: %s", rowOf(scr, "uploading"))
	}
	s.waitFor("the upload's end", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "uploaded "+src) })
	if got, _ := os.ReadFile(filepath.Join(dir, "upload.img")); len(got) != 6<<20 {
		t.Fatalf("the uploaded volume has %d bytes", len(got))
	}
	s.waitFor("the row", 10*time.Second, func(scr string) bool { return rowOf(scr, "data.qcow2") != "" })
	s.keys("g")
	s.waitFor("data.qcow2 selected", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "data.qcow2 in "+pool) })
	s.keys("D")
	s.waitFor("the question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "Delete volume data.qcow2") })
	s.keys("y")
	s.waitFor("the deletion", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "deleted data.qcow2") })
	if _, err := lt.Virsh(t, uri, "vol-info", "--pool", pool, "data.qcow2"); err == nil {
		t.Fatal("still there")
	}
}
