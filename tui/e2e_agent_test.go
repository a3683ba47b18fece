package tui_test

import (
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2EGuestAgent opens the agent page (i) of the fixture guest running
// qemu-ga, in tmux against the real daemon: the guest's OS, hostname and
// kernel on screen; the clock set from the host; p sets a password.
func TestE2EGuestAgent(t *testing.T) {
	uri := lt.URI(t)
	vm := lt.FixtureGuestWith(t, uri, "e2eagent", "<controller type='usb' model='none'/>",
		`<controller type='usb' model='none'/><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>`)
	lt.MustVirsh(t, uri, "start", vm)
	// The agent answers once the guest has booted.
	deadline := time.Now().Add(90 * time.Second)
	for _, err := lt.Virsh(t, uri, "guestinfo", vm, "--hostname"); err != nil; _, err = lt.Virsh(t, uri, "guestinfo", vm, "--hostname") {
		if time.Now().After(deadline) {
			t.Fatal("the guest agent never answered")
		}
		time.Sleep(time.Second)
	}
	s := startTUI(t, 80, 24, "-c", uri)
	s.showOnly(vm)
	s.keys("i")
	scr := s.waitFor("the agent's answer", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "kvmtui test guest 1") })
	for _, want := range []string{"Guest agent of " + vm, "hostname     kvmtui-guest", "kernel       6.", "Interfaces (", "lo "} {
		if !strings.Contains(scr, want) {
			t.Fatalf("screen lacks %q:\n%s", want, scr)
		}
	}
	frameIntact(t, scr, 24)
	s.keys("c")
	s.waitFor("the clock", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "set the clock of "+vm) })
	s.keys("p")
	s.waitFor("the form", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "Set a password inside") })
	s.keys("Tab", "lit:pw-e2e", "Tab", "lit:pw-e2e", "C-s")
	s.waitFor("the password", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "set the password of root in "+vm) })
}
