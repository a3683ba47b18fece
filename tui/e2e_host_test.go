package tui_test

import (
	"os"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2EHostPage opens :host in tmux at 80x24 against the real daemon:
// the KVM line follows /dev/kvm, the frame stays whole, G reaches the
// guest architectures, esc goes back to the list.
func TestE2EHostPage(t *testing.T) {
	uri := lt.URI(t)
	s := startTUI(t, 80, 24, "-c", uri)
	s.waitFor("the list", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "STATE") })
	s.keys(":", "lit:host", "Enter")
	scr := s.waitFor("the host page", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "CPU") && strings.Contains(scr, "KVM") })
	frameIntact(t, scr, 24)
	want := "KVM: usable"
	if _, err := os.Stat("/dev/kvm"); err != nil {
		want = "KVM: not usable here"
	}
	if !strings.Contains(scr, want) || !strings.Contains(scr, "› Host ") {
		t.Fatalf("lacks %q:\n%s", want, scr)
	}
	s.keys("G")
	s.waitFor("the guests", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "qemu-system-x86_64") })
	s.keys("Escape")
	s.waitFor("the list again", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "STATE") })
}
