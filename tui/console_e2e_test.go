package tui_test

// End-to-end tests of the serial consoles: the built binary in tmux, the
// fixture guest on the real libvirtd, virsh as the witness.

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// untilPrompt presses Enter until the guest's shell prompt shows: output
// sent before anyone attached is lost, so a fresh attach sees nothing.
// (capture-pane drops the prompt's trailing blank.)
func (s *tmuxTUI) untilPrompt(timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(s.screen(), "kvmtui-guest#") {
		if time.Now().After(deadline) {
			s.t.Fatalf("no shell prompt within %v; screen:\n%s", timeout, s.screen())
		}
		s.keys("Enter")
		time.Sleep(time.Second)
	}
}

// run types a command into guest's shell and waits for want; it returns
// how long the output took to show.
//
// The TCG guest's serial output now and then stops mid-line until the next
// byte typed (seen in CI: "smal" of small7 for 10 s; and in the libvirtx
// console test): its UART waits for an interrupt that did not come. When
// want does not show, the guest's serial log (virtlogd's copy of what it
// wrote) decides: if it holds want, kvmtui failed to show it, and the test
// fails; else the guest stalled, and one Enter brings its output back.
func (s *tmuxTUI) run(guest, cmd, want string) time.Duration {
	s.t.Helper()
	t0 := time.Now()
	s.keys("lit:"+cmd, "Enter")
	has := func(scr string) bool { return strings.Contains(scr, want) }
	for deadline := t0.Add(10 * time.Second); !has(s.screen()); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(lt.SerialLog(guest))
			if i := strings.LastIndex(string(log), cmd); i >= 0 && strings.Contains(string(log[i+len(cmd):]), want) {
				s.t.Fatalf("%s wrote %q (its serial log) but the screen does not show it:\n%s", guest, want, s.screen())
			}
			s.t.Logf("%s has not written %q %v after %q (its serial log); pressing Enter", guest, want, time.Since(t0).Round(time.Millisecond), cmd)
			s.keys("Enter")
			s.waitFor(want, 10*time.Second, has)
			break
		}
	}
	return time.Since(t0)
}

// unique names a test VM after this process too: two runs of the suite on
// one daemon (a developer's and CI's) must not remove each other's guests.
// Short: the NAME column of a wide layout shows 20 characters.
func unique(name string) string { return fmt.Sprintf("%s%03d", name, os.Getpid()%1000) }

func (s *tmuxTUI) lines() int { return strings.Count(strings.TrimRight(s.screen(), "\n"), "\n") + 1 }

func TestE2ESerialConsoleFullScreenAndTakeover(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, unique("full"))
	lt.MustVirsh(t, uri, "start", name)
	waitVirshState(t, uri, name, "running")

	// Another client holds the console: kvmtui's own command line.
	cli := startTUI(t, 80, 24, "-c", uri, "console", name)
	exec.Command("tmux", "-L", cli.sock, "set-option", "-g", "remain-on-exit", "on").Run()
	cli.waitFor("the command-line console", 15*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Escape character is ^] (Ctrl + ])")
	})
	// Let the boot finish there, so its log does not scroll the full-screen
	// session's header away before the test reads it.
	cli.untilPrompt(90 * time.Second)

	s := startTUI(t, 80, 24, "-c", uri)
	s.showOnly(name)
	s.waitRow(name, "running")

	s.keys("c")
	s.waitFor("the takeover question", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Active console session") && strings.Contains(scr, "Take it over?")
	})
	t0 := time.Now()
	s.keys("y")
	s.waitFor("the full-screen console", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "Connected to "+name) && strings.Contains(scr, "Escape character is ^]")
	})
	t.Logf("takeover to attached: %v", time.Since(t0).Round(time.Millisecond))
	cli.waitFor("the other client to be cut off", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "closed") && strings.Contains(scr, "another client took it over")
	})

	s.untilPrompt(60 * time.Second)
	lat := s.run(name, "echo kvm$((40+2))tui", "kvm42tui")
	t.Logf("command typed to output on screen, through libvirt's stream and tmux: %v", lat.Round(time.Millisecond))
	if s.lines() > 24 {
		t.Fatalf("full-screen console taller than the terminal:\n%s", s.screen())
	}

	// Ctrl+] comes back to the list as it was: filter and all.
	s.keys("C-]")
	scr := s.waitFor("the list again", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "back from the console of "+name) && rowOf(scr, name) != ""
	})
	if !strings.Contains(scr, "/"+name) || strings.Contains(scr, "kvm42tui") {
		t.Fatalf("the list did not come back intact:\n%s", scr)
	}
	// The console is free again: virsh can take it without forcing (in a
	// terminal: virsh console wants one).
	virsh := exec.Command("virsh", "-c", uri, "console", name)
	tty, out := inPty(t, virsh, 80, 24)
	defer tty.Write([]byte{0x1d}) // ctrl+]: virsh leaves the console
	for i := 0; !strings.Contains(out(), "Connected to domain") && !strings.Contains(out(), "error:"); i++ {
		if i > 150 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(out(), "Connected to domain") || strings.Contains(out(), "Active console session") {
		t.Fatalf("virsh console after kvmtui's Ctrl+]:\n%s", out())
	}
}

func TestE2EConsolePaneBootResizeAndCtrlAltDel(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, unique("pane"))
	logGuestSerialOnFailure(t, name)
	s := startTUI(t, 200, 50, "-c", uri)
	s.showOnly(name)
	s.waitRow(name, "shut off")
	s.keys("C")
	s.waitFor("the pane", 5*time.Second, func(scr string) bool {
		return strings.Contains(scr, "console: "+name) && strings.Contains(scr, "s starts it with this pane attached")
	})

	// Started from the list with the pane open: the boot log from its
	// first line (the kernel banner), then the shell.
	t0 := time.Now()
	s.keys("s")
	s.waitFor("the boot log", 30*time.Second, func(scr string) bool { return strings.Contains(scr, "│[    ") })
	first := time.Since(t0)
	s.waitFor("the prompt", 60*time.Second, func(scr string) bool { return strings.Contains(scr, "kvmtui-guest#") })
	t.Logf("pane: first boot line %v, prompt %v after s", first.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	waitVirshState(t, uri, name, "running")

	s.keys("Tab")
	s.waitFor("focus", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "typing goes to the VM") })
	// The whole boot is there, from the kernel's first line, in the
	// scrollback.
	for i := 0; i < 20; i++ {
		s.keys("M-PPage")
	}
	s.waitFor("the kernel's first line", 5*time.Second, func(scr string) bool {
		return strings.Contains(scr, "[    0.000000] Linux version")
	})
	lat := s.run(name, "echo pane$((2+3))", "pane5")
	t.Logf("pane: command typed to output on screen: %v", lat.Round(time.Millisecond))

	// K z fits the guest's terminal to the wide pane: stty typed at its
	// shell, the emulator as wide; a 120-character line then stays whole.
	s.keys("C-]", "K")
	s.waitFor("the send-key menu", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "Send to "+name) })
	s.keys("z")
	fit := regexp.MustCompile(`typed stty rows (\d+) cols (\d+)`)
	scr := s.waitFor("the stty line", 10*time.Second, func(scr string) bool { return fit.MatchString(scr) })
	size := fit.FindStringSubmatch(scr)
	if cols, _ := strconv.Atoi(size[2]); cols <= 80 {
		t.Fatalf("a 200-column terminal fitted the pane to %d columns", cols)
	}
	s.keys("Tab")
	s.run(name, "stty size", size[1]+" "+size[2])
	s.run(name, "printf '%120s\\n' '' | tr ' ' x", strings.Repeat("x", 120))

	// Shrink to 80x24: the pane moves below the list and keeps the prompt.
	exec.Command("tmux", "-L", s.sock, "resize-window", "-x", "80", "-y", "24").Run()
	scr = s.waitFor("the small layout", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "console: "+name) && strings.Contains(scr, "pane5") && strings.Count(scr, "\n") <= 24
	})
	if rowOf(scr, name) == "" {
		t.Fatalf("the list lost the VM at 80x24:\n%s", scr)
	}
	s.run(name, "echo small$((3+4))", "small7")
	// Scrollback still holds the boot log.
	s.keys("M-PPage", "M-PPage", "M-PPage", "M-PPage", "M-PPage", "M-PPage")
	s.waitFor("the scrolled-back boot log", 5*time.Second, func(scr string) bool {
		return strings.Contains(scr, "lines back]") && strings.Contains(scr, "[    ")
	})
	s.keys("C-]")
	s.waitFor("the list keys again", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "(tab to type)") })
	// Scrolling works from the list too, without typing into the pane.
	s.keys("M-PPage", "M-PPage")
	s.waitFor("scrolled back from the list", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "lines back]") })
	s.keys("M-NPage", "M-NPage", "M-NPage")
	s.waitFor("back to the live console", 5*time.Second, func(scr string) bool { return !strings.Contains(scr, "lines back]") })

	// Ctrl+Alt+F2 through send-key switches the guest's virtual terminal
	// (the kernel's keyboard handler does it; tty0/active says which). The
	// kernel switches only to a terminal that exists: opening tty2 makes it.
	s.keys("Tab")
	s.waitFor("focus", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "typing goes to the VM") })
	s.run(name, "echo >/dev/tty2; echo vt-$(cat /sys/class/tty/tty0/active)", "vt-tty1")
	s.keys("C-]", "K")
	s.waitFor("the send-key menu", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "Send to "+name) })
	s.keys("F2")
	s.waitFor("the sent message", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "sent Ctrl+Alt+F2 to "+name) })
	s.keys("Tab")
	s.run(name, "echo vt-$(cat /sys/class/tty/tty0/active)", "vt-tty2")
	// Alt+SysRq+h: the kernel prints its SysRq help on the serial console.
	s.keys("C-]", "K")
	s.waitFor("the send-key menu", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "Send to "+name) })
	s.keys("r", "h")
	s.waitFor("the kernel's SysRq help", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "sysrq: HELP") })

	// Ctrl+Alt+Del through libvirt's send-key: the guest reboots and its
	// banner comes back in the pane.
	s.keys("K")
	s.waitFor("the send-key menu", 5*time.Second, func(scr string) bool { return strings.Contains(scr, "Send to "+name) })
	s.keys("d")
	s.waitFor("the banner of a new boot", 60*time.Second, func(scr string) bool {
		return strings.Contains(scr, "kvmtui-guest: booted") && !strings.Contains(scr, "small7")
	})
	// Witnesses: virtlogd's copy of the serial output, and virsh.
	serialLog, _ := os.ReadFile(lt.SerialLog(name))
	if !strings.Contains(string(serialLog), "reboot: Restarting system") {
		t.Fatalf("the serial log shows no restart:\n%s", serialLog)
	}
	if st := lt.MustVirsh(t, uri, "domstate", name); st != "running" {
		t.Fatalf("after the reboot virsh says %q", st)
	}
}

// logGuestSerialOnFailure logs the end of what the guest wrote to its
// serial port (virtlogd's copy) if the test fails: it tells a guest that
// stopped writing from output that did not reach the screen.
func logGuestSerialOnFailure(t *testing.T, name string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		b, err := os.ReadFile(lt.SerialLog(name))
		if err != nil {
			t.Logf("the guest's serial log: %v", err)
			return
		}
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		t.Logf("the guest's serial log, last lines:\n%s", strings.Join(lines[max(len(lines)-15, 0):], "\n"))
	})
}

// kvmtui console from the shell refuses what it cannot do, in one line.
func TestE2EConsoleCommandRefusals(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, unique("ref"))
	out, err := exec.Command(binary(t), "-c", uri, "console", name).CombinedOutput()
	want := fmt.Sprintf("kvmtui: %s is shut off: start it first (kvmtui start %s)\n", name, name)
	if err == nil || string(out) != want {
		t.Fatalf("console of a stopped VM: %v %q", err, out)
	}
	out, err = exec.Command(binary(t), "-c", uri, "vv", name).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "its display has no port until it runs") {
		t.Fatalf("vv of a stopped VM: %v %q", err, out)
	}
}
