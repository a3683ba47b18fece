package tui_test

import (
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2EMigrate moves a running guest to the peer daemon in tmux at 80x24:
// m, the pre-flight item by item, the progress bar moving, then the VM in
// the list under the other host.
func TestE2EMigrate(t *testing.T) {
	uri := lt.URI(t)
	peer := lt.Peer(t)
	vm := lt.FixtureGuest(t, uri, "e2emig")
	lt.RemoveDomain(t, peer, vm)
	t.Cleanup(func() { lt.RemoveDomain(t, peer, vm) })
	lt.MustVirsh(t, uri, "start", vm)

	s := startTUI(t, 80, 24, "-c", uri, "-c", peer)
	s.showOnly(vm)
	s.waitRow(vm, "running")
	s.keys("m")
	s.waitFor("the form", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Destination      "+peer) && strings.Contains(scr, "‹ live")
	})
	// 15 MiB/s: five seconds to watch the bar move.
	s.keys("Down", "Down", "Down", "Down", "Down", "lit:15", "C-s")
	scr := s.waitFor("the pre-flight", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "1 ready, 0 blocked") })
	for _, want := range []string{"✓ ready", "✓ another host   kvmtui-peer", "✓ CPU", "✓ name and UUID", "✓ memory"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("the pre-flight lacks %q:\n%s", want, scr)
		}
	}
	frameIntact(t, scr, 24)
	s.keys("Enter")
	first := s.waitFor("the progress bar", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "░") && strings.Contains(scr, "pass ") })
	frameIntact(t, first, 24)
	bar := func(scr string) int { return strings.Count(scr, "█") }
	s.waitFor("the bar to move", 30*time.Second, func(scr string) bool { return bar(scr) > bar(first) || strings.Contains(scr, "✓ moved") })
	s.waitFor("the end", 60*time.Second, func(scr string) bool { return strings.Contains(scr, "✓ moved in") })
	s.keys("Escape")
	s.waitFor(vm+" under the peer", 30*time.Second, func(scr string) bool { return strings.Contains(rowOf(scr, vm), "127.0.0.2") })
	if st := lt.MustVirsh(t, peer, "domstate", vm); st != "running" {
		t.Fatalf("virsh on the peer: %s", st)
	}
}
