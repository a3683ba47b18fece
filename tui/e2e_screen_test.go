package tui_test

import (
	"fmt"
	"os"
	"os/exec"
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

// A remote host's display that listens on its loopback: the screen view
// reaches it through an SSH tunnel, as the graphical viewer does (the
// "remote host" is this one, through an sshd on 127.0.0.1), and leaving
// the screen closes the tunnel.
func TestE2EScreenThroughSSHTunnel(t *testing.T) {
	uri := lt.URI(t)
	vm := lt.FixtureGuest(t, uri, unique("scrtun"))
	lt.MustVirsh(t, uri, "start", vm)
	remote := lt.SSHD(t)
	sshURI := remote.URI()
	s := startTUI(t, 120, 40, "-c", sshURI)
	s.showOnly(vm)
	s.waitRow(vm, "running")
	s.keys("V")
	s.waitFor("the screen through the tunnel", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "through an SSH tunnel to root@127.0.0.1") && strings.Count(scr, "▀") > 1000
	})
	tunnel := fmt.Sprintf("ssh -N .*-p %d", remote.Port)
	if exec.Command("pgrep", "-f", tunnel).Run() != nil {
		t.Fatal("no ssh -N tunnel process")
	}
	s.keys("C-]")
	for i := 0; exec.Command("pgrep", "-f", tunnel).Run() == nil; i++ {
		if i > 50 {
			t.Fatal("the SSH tunnel outlived the screen view")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kvmtui screen VM: the screen at once, ctrl+] ends kvmtui (exit 0); a VM
// that is not there ends it with the reason (exit 1). In a terminal of the
// test's own (creack/pty), to see the exit status.
func TestE2EScreenCommand(t *testing.T) {
	for _, c := range []struct {
		vm, want string
		status   int
	}{
		{"web-01", "Screen of web-01", 0},
		{"nosuch", `kvmtui: screen: no VM named "nosuch"`, 1},
	} {
		cmd := exec.Command(binary(t), "--demo", "screen", c.vm)
		// screen-256color: Bubble Tea asks an xterm for its background
		// colour when it starts, and this terminal would not answer (5 s).
		cmd.Env = append(os.Environ(), "TERM=screen-256color")
		tty, out := inPty(t, cmd, 100, 30)
		for i := 0; !strings.Contains(out(), c.want); i++ {
			if i > 200 {
				t.Fatalf("kvmtui screen %s: no %q in:\n%q", c.vm, c.want, out())
			}
			time.Sleep(100 * time.Millisecond)
		}
		if c.status == 0 {
			tty.Write([]byte{0x1d}) // ctrl+]
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("kvmtui screen %s did not end", c.vm)
		}
		if got := cmd.ProcessState.ExitCode(); got != c.status {
			t.Errorf("kvmtui screen %s: exit %d, want %d", c.vm, got, c.status)
		}
	}
}
