package tui_test

import (
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2EScreen: V on the running fixture guest at 80x24 shows its VGA
// screen through VNC in half blocks (the frame's size and source said
// above it); ctrl+] goes back to the list.
func TestE2EScreen(t *testing.T) {
	uri := lt.URI(t)
	vm := lt.FixtureGuest(t, uri, "e2escreen")
	lt.MustVirsh(t, uri, "start", vm)
	s := startTUI(t, 80, 24, "-c", uri)
	s.showOnly(vm)
	s.waitRow(vm, "running")
	s.keys("V")
	scr := s.waitFor("the screen", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "720x400 · VNC 127.0.0.1:") && strings.Count(scr, "▀") > 1000
	})
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	if len(lines) != 24 || !strings.HasPrefix(lines[0], "kvmtui") || !strings.Contains(lines[23], "ctrl+] leaves") {
		t.Fatalf("title or hints pushed off the terminal:\n%s", scr)
	}
	s.keys("C-]")
	s.waitFor("the list", 10*time.Second, func(scr string) bool { return rowOf(scr, vm) != "" && strings.Contains(scr, "STATE") })
}
