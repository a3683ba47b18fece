package tui_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// TestE2ENetworkPage drives :net in tmux against the real daemon: a new
// isolated network with IPv4 and IPv6 is defined and started from the
// form; a static host is added, moved and removed on its DHCP page, each
// step checked in libvirt's live and persistent XML; the network is
// deleted after the question. The page is read at 80x24 too.
func TestE2ENetworkPage(t *testing.T) {
	uri := lt.URI(t)
	name := lt.Prefix + "e2enet"
	gone := func() {
		lt.Virsh(t, uri, "net-destroy", name)
		lt.Virsh(t, uri, "net-undefine", name)
	}
	gone()
	t.Cleanup(gone)
	dump := func(flags ...string) string {
		return lt.MustVirsh(t, uri, append([]string{"net-dumpxml", name}, flags...)...)
	}

	s := startTUI(t, 120, 40, "-c", uri)
	s.waitFor("the list", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "STATE") })
	s.keys(":", "lit:net", "Enter")
	s.waitFor("the network page", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "SUBNETS") })

	// The form: name, mode (isolated), bridge, IPv4, its DHCP (derived),
	// IPv6 (its DHCP derived), domain, MTU, start now, autostart.
	s.keys("n")
	s.waitFor("the form", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "New network on") })
	s.keys("C-u", "lit:"+name, "Tab", "Tab", "C-u", "lit:virbr-kt-e2e", "Tab", "C-u", "lit:192.168.232.1/24",
		"Tab", "Tab", "C-u", "lit:fd00:232::1/64", "C-s")
	s.waitFor("the definition", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "defined network "+name) })
	x := dump()
	for _, want := range []string{"<bridge name='virbr-kt-e2e'", "<ip address='192.168.232.1' prefix='24'>",
		"<range start='192.168.232.128' end='192.168.232.254'", "<ip family='ipv6' address='fd00:232::1' prefix='64'>"} {
		if !strings.Contains(x, want) {
			t.Fatalf("the network lacks %s:\n%s", want, x)
		}
	}
	if info := lt.MustVirsh(t, uri, "net-info", name); !strings.Contains(info, "Active:         yes") || !strings.Contains(info, "Autostart:      yes") {
		t.Fatalf("not started with autostart:\n%s", info)
	}

	// The cursor to the new network, then its DHCP page, then the static
	// hosts' section.
	footerSays := func(prefix string) func(string) bool {
		return func(scr string) bool {
			for _, l := range strings.Split(scr, "\n") {
				if strings.HasPrefix(l, prefix) {
					return true
				}
			}
			return false
		}
	}
	// press sends a key and waits for the screen to change (a moment at
	// most: g on the first row changes nothing).
	press := func(k string) {
		before := s.screen()
		s.keys(k)
		for i := 0; i < 20 && s.screen() == before; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
	moveTo := func(prefix string) {
		t.Helper()
		if footerSays(prefix)(s.screen()) {
			return
		}
		press("g")
		for i := 0; !footerSays(prefix)(s.screen()); i++ {
			if i == 40 {
				t.Fatalf("no row described as %q:\n%s", prefix, s.screen())
			}
			press("j")
		}
	}
	moveTo(name + " on ")
	s.keys("Enter")
	s.waitFor("the DHCP page", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "no static host: a adds one") })
	moveTo("no static host")
	s.keys("a")
	s.waitFor("the host form", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "192.168.232.2") })
	s.keys("lit:52:54:00:12:34:56", "Tab", "lit:e2ehost", "C-s")
	s.waitFor("the static host", 20*time.Second, func(scr string) bool {
		return strings.Contains(scr, "added static host 52:54:00:12:34:56 e2ehost → 192.168.232.2 of "+name+" (live and in its definition)")
	})
	host := "<host mac='52:54:00:12:34:56' name='e2ehost' ip='192.168.232.2'/>"
	if !strings.Contains(dump(), host) || !strings.Contains(dump("--inactive"), host) {
		t.Fatalf("the host is not live and defined:\n%s\n%s", dump(), dump("--inactive"))
	}

	// 80x24: the table, the footer and the hints all fit.
	exec.Command("tmux", "-L", s.sock, "resize-window", "-x", "80", "-y", "24").Run()
	scr := s.waitFor("80 columns", 10*time.Second, func(scr string) bool {
		return len(strings.Split(strings.TrimRight(scr, "\n"), "\n")) == 24 && strings.Contains(scr, "192.168.232.2       52:54:00:12:34:56")
	})
	frameIntact(t, scr, 24)

	moveTo("static host 52:54:00:12:34:56")
	s.keys("Enter")
	s.waitFor("the host's form", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "An address "+name+"'s DHCP always gives") })
	s.keys("Tab", "Tab", "C-u", "lit:192.168.232.3", "C-s")
	s.waitFor("the moved host", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "changed static host") })
	moved := strings.Replace(host, "232.2'", "232.3'", 1)
	if !strings.Contains(dump(), moved) || !strings.Contains(dump("--inactive"), moved) {
		t.Fatalf("the host did not move live and in the definition:\n%s", dump("--inactive"))
	}
	moveTo("static host 52:54:00:12:34:56")
	s.keys("D")
	s.waitFor("the question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "Remove static host") })
	s.keys("y")
	s.waitFor("the removal", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "removed static host") })
	if strings.Contains(dump(), "e2ehost") || strings.Contains(dump("--inactive"), "e2ehost") {
		t.Fatalf("the host is still there:\n%s", dump("--inactive"))
	}

	s.keys("Escape")
	moveTo(name + " on ")
	s.keys("D")
	s.waitFor("the question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "Delete network "+name) })
	s.keys("y")
	s.waitFor("the deletion", 20*time.Second, func(scr string) bool { return strings.Contains(scr, "deleted network "+name) })
	if _, err := lt.Virsh(t, uri, "net-info", name); err == nil {
		t.Fatal("the network is still defined")
	}
}
