package tui_test

import (
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2ESnapshots drives the snapshot page in tmux at 80x24 against a
// running guest with a qcow2 disk: two snapshots taken from the form make
// a tree, a revert after the question, a delete with the children; virsh
// agrees at each step.
func TestE2ESnapshots(t *testing.T) {
	uri := lt.URI(t)
	vm, _, _ := lt.GuestWithDisk(t, uri, "e2esnap", nil, "")
	lt.MustVirsh(t, uri, "start", vm)
	snaps := func() string {
		return strings.Join(strings.Fields(lt.MustVirsh(t, uri, "snapshot-list", vm, "--name")), " ")
	}

	s := startTUI(t, 80, 24, "-c", uri)
	s.showOnly(vm)
	s.keys("t")
	s.waitFor("the snapshot page", 15*time.Second, func(scr string) bool { return strings.Contains(scr, vm+" has no snapshot: n takes one") })
	s.keys("n")
	s.waitFor("the form", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "(running): ctrl+s takes it") })
	s.keys("Tab", "lit:before the upgrade", "C-s")
	s.waitFor("snapshot1", 60*time.Second, func(scr string) bool { return strings.Contains(scr, "took snapshot snapshot1 of "+vm) })
	s.keys("n")
	s.waitFor("the form", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "snapshot2") })
	s.keys("C-s")
	scr := s.waitFor("the tree", 60*time.Second, func(scr string) bool { return strings.Contains(scr, "└ snapshot2") })
	frameIntact(t, scr, 24)
	if got := snaps(); got != "snapshot1 snapshot2" {
		t.Fatalf("virsh lists %q", got)
	}
	if row := rowOf(scr, "snapshot2"); !strings.Contains(row, "●") || !strings.Contains(row, "running") {
		t.Fatalf("snapshot2 is not the current running snapshot: %q\n%s", row, scr)
	}

	s.keys("g", "Enter")
	s.waitFor("the question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "Revert "+vm+" to snapshot1?") })
	s.keys("y")
	s.waitFor("the revert", 60*time.Second, func(scr string) bool { return strings.Contains(scr, "reverted "+vm+" to snapshot1") })
	if cur := strings.TrimSpace(lt.MustVirsh(t, uri, "snapshot-current", vm, "--name")); cur != "snapshot1" {
		t.Fatalf("virsh: current snapshot %q", cur)
	}
	waitVirshState(t, uri, vm, "running")

	s.keys("D")
	s.waitFor("the question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "1 child below") })
	s.keys("c")
	s.waitFor("the deletion", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "deleted snapshot1 and its children") })
	if got := snaps(); got != "" {
		t.Fatalf("virsh still lists %q", got)
	}
}

// TestE2EClone clones a shut-off guest from the list in tmux (L, ctrl+s):
// the copy's progress on the message line, the clone in the list, virsh
// agrees on its disk.
func TestE2EClone(t *testing.T) {
	uri := lt.URI(t)
	data := make([]byte, 256<<20)
	rand.Read(data) // incompressible, so the copy takes a moment
	vm, _, dir := lt.GuestWithDisk(t, uri, "e2eclone", data, "")
	clone := vm + "-clone"
	t.Cleanup(func() { lt.RemoveDomain(t, uri, clone) })

	s := startTUI(t, 120, 30, "-c", uri) // the clone's long name whole in its row
	s.showOnly(vm)
	s.keys("L")
	s.waitFor("the form", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "Clone "+vm+": ctrl+s makes it") })
	s.keys("C-s")
	scr := s.waitFor("the clone", 60*time.Second, func(scr string) bool {
		return strings.Contains(scr, "cloned "+clone) || strings.Contains(scr, "cloning "+vm)
	})
	if strings.Contains(scr, "cloning "+vm) {
		t.Logf("progress on screen: %s", rowOf(scr, "cloning"))
	}
	s.waitFor("the clone's end", 60*time.Second, func(scr string) bool { return strings.Contains(scr, "cloned "+clone) })
	if out := lt.MustVirsh(t, uri, "domblklist", clone); !strings.Contains(out, filepath.Join(dir, clone+".qcow2")) {
		t.Fatalf("the clone's disk:\n%s", out)
	}
	s.keys("Escape", "/", "lit:"+clone, "Enter")
	s.waitFor("the clone in the list", 30*time.Second, func(scr string) bool { return rowOf(scr, clone) != "" })
}
