package tui_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2EWizardCreatesABootingVM walks the new-VM wizard in tmux against
// the real daemon: a manual install booting the fixture guest's kernel,
// no disk, no network; the VM starts and its shell answers in the pane.
func TestE2EWizardCreatesABootingVM(t *testing.T) {
	uri := lt.URI(t)
	lt.FixtureGuest(t, uri, "wizbase") // builds the kernel and initrd
	name := lt.Prefix + unique("wiz")
	lt.RemoveDomain(t, uri, name)
	t.Cleanup(func() { lt.RemoveDomain(t, uri, name) })
	step := func(s *tmuxTUI, n int, title string) {
		t.Helper()
		want := "step " + string(rune('0'+n)) + " of 7: " + title
		s.waitFor(want, 20*time.Second, func(scr string) bool { return strings.Contains(scr, want) })
	}
	// choose presses → until the field labelled label shows value,
	// waiting for each press to show before the next. (Only that field's
	// choice counts: on a host with KVM, Firmware's "bios" sits above
	// Virtualization's "kvm".)
	choose := func(s *tmuxTUI, label, value string) {
		t.Helper()
		choice := regexp.MustCompile(regexp.QuoteMeta(label) + ` +‹ (\S+)`)
		shown := func(scr string) string {
			if m := choice.FindStringSubmatch(scr); m != nil {
				return m[1]
			}
			return ""
		}
		for i := 0; i < 8 && shown(s.screen()) != value; i++ {
			was := shown(s.screen())
			s.keys("Right")
			s.waitFor("the next choice", 5*time.Second, func(scr string) bool { v := shown(scr); return v != "" && v != was })
		}
		s.waitFor("the choice "+value, 5*time.Second, func(scr string) bool { return shown(scr) == value })
	}

	s := startTUI(t, 120, 40, "-c", uri)
	s.waitFor("the list", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "STATE") })
	s.keys("n")
	step(s, 1, "Name and install method")
	s.keys("C-u", "lit:"+name, "Down")
	choose(s, "Install from", "manual")
	s.keys("Down", "lit:"+lt.GuestDir+"/vmlinux", "Down", "lit:"+lt.GuestDir+"/initrd.img", "Down", "lit:console=ttyS0 panic=-1", "Enter")
	step(s, 2, "Operating system")
	s.keys("Enter") // generic
	step(s, 3, "Memory and CPUs")
	s.keys("C-u", "lit:256", "Enter")
	step(s, 4, "Storage")
	choose(s, "Storage", "none")
	s.keys("Enter")
	step(s, 5, "Network")
	choose(s, "Network", "none")
	s.keys("Enter")
	step(s, 6, "Firmware and platform")
	s.keys("Down", "Down", "Down", "Down") // Virtualization: TCG, as the fixture runs everywhere
	choose(s, "Virtualization", "qemu")
	s.keys("Enter")
	step(s, 7, "Review")
	s.waitFor("the summary", 5*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Manual install") && strings.Contains(scr, "256 MiB")
	})
	s.keys("Enter")
	s.showOnly(name)
	s.waitRow(name, "running")

	def := lt.MustVirsh(t, uri, "dumpxml", "--inactive", name)
	for _, want := range []string{"<domain type='qemu'>", "<kernel>" + lt.GuestDir + "/vmlinux</kernel>", "<memory unit='KiB'>262144</memory>", "<cmdline>console=ttyS0 panic=-1</cmdline>"} {
		if !strings.Contains(def, want) {
			t.Fatalf("definition lacks %s:\n%s", want, def)
		}
	}
	// Its shell answers on the serial console, in the pane.
	s.keys("C")
	s.waitFor("the pane", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "console: "+name) })
	s.keys("Tab")
	s.waitFor("focus", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "typing goes to the VM") })
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(s.screen(), "wiz-ok-3") {
		if time.Now().After(deadline) {
			t.Fatalf("no shell in the created VM:\n%s", s.screen())
		}
		s.keys("lit:echo wiz-ok-$((1+2))", "Enter")
		for wait := time.Now().Add(2 * time.Second); time.Now().Before(wait) && !strings.Contains(s.screen(), "wiz-ok-3"); {
			time.Sleep(50 * time.Millisecond) // a shell may not be up yet: type again after 2 s
		}
	}
}
