package tui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2ERawEditWithEditor edits a VM's XML through a real editor process:
// the UI suspends, the "editor" (sed, run from an argv list) changes the
// file, the diff is shown, and `y` defines it on the real daemon.
func TestE2ERawEditWithEditor(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, "rawedit")
	script := filepath.Join(t.TempDir(), "editor.sh")
	// The editor is a script so the test sees it ran with the file as its
	// last argument; sed does the edit.
	os.WriteFile(script, []byte("#!/bin/sh\nexec sed -i 's|<on_reboot>restart</on_reboot>|<on_reboot>destroy</on_reboot>|' \"$1\"\n"), 0o755)
	s := startTUIEnv(t, []string{"EDITOR=" + script, "VISUAL="}, 120, 30, "-c", uri)
	s.showOnly(name)
	s.keys("e")
	s.waitFor("the diff", 40*time.Second, func(scr string) bool {
		return strings.Contains(scr, "-  <on_reboot>restart</on_reboot>") && strings.Contains(scr, "+  <on_reboot>destroy</on_reboot>")
	})
	s.keys("y")
	s.waitFor("the define", 40*time.Second, func(scr string) bool { return strings.Contains(scr, "defined domain "+name) })
	if !strings.Contains(lt.MustVirsh(t, uri, "dumpxml", "--inactive", name), "<on_reboot>destroy</on_reboot>") {
		t.Fatal("the edit did not reach libvirt")
	}
	// The list is intact after the editor gave the terminal back.
	if !strings.Contains(rowOf(s.screen(), name), "shut off") {
		t.Fatalf("list not restored:\n%s", s.screen())
	}
}
