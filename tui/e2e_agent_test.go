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
	// An ext2 disk the guest mounts: a file system for the agent to freeze.
	vm, _, _ := lt.GuestWithDisk(t, uri, "e2eagent", lt.Ext2Image(t), lt.AgentChannel)
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
	// The details Overview says what the agent says; i there opens its page.
	s.keys("Enter")
	s.waitFor("the agent in the Overview", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Guest OS      kvmtui test guest 1") && strings.Contains(scr, "Hostname      kvmtui-guest")
	})
	s.keys("i")
	// The agent page's title first: the Overview below it names the guest's OS too.
	scr := s.waitFor("the agent's answer", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Guest agent of "+vm) && strings.Contains(scr, "kvmtui test guest 1")
	})
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

	// Frozen: said in the title on every page, and thawed when kvmtui quits.
	s.keys("f", "y")
	s.waitFor("the frozen mark", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "[FROZEN: "+vm+"]") })
	if out := lt.MustVirsh(t, uri, "qemu-agent-command", vm, `{"execute":"guest-fsfreeze-status"}`); !strings.Contains(out, "frozen") {
		t.Fatalf("the guest says %s", out)
	}
	// One Escape at a time: two in one read arrive as alt+esc.
	s.keys("Escape")
	s.waitFor("the details", 10*time.Second, func(scr string) bool { return !strings.Contains(scr, "Guest agent of") })
	s.keys("Escape")
	s.waitFor("the list, still warned", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "STATE") && strings.Contains(scr, "[FROZEN: "+vm+"]")
	})
	s.keys("q")
	deadline = time.Now().Add(30 * time.Second)
	for out := ""; !strings.Contains(out, "thawed"); out = lt.MustVirsh(t, uri, "qemu-agent-command", vm, `{"execute":"guest-fsfreeze-status"}`) {
		if time.Now().After(deadline) {
			t.Fatalf("still %s after kvmtui quit", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
