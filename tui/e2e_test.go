package tui_test

// End-to-end tests: the built binary in tmux against the real libvirtd,
// driven by keys and read back with `tmux capture-pane -p`, with virsh as
// the witness of what happened to the VM.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"

	"github.com/creack/pty"
)

// binary returns the kvmtui binary: KVMTUI_BIN (set by make test), else one
// built for this test run.
func binary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("KVMTUI_BIN"); b != "" {
		return b
	}
	b := filepath.Join(t.TempDir(), "kvmtui")
	cmd := exec.Command("go", "build", "-o", b, ".")
	cmd.Dir = lt.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return b
}

// tmuxTUI is kvmtui running in a detached tmux session of a given size, on
// a tmux server of its own.
type tmuxTUI struct {
	t    *testing.T
	sock string
}

func startTUI(t *testing.T, w, h int, args ...string) *tmuxTUI {
	t.Helper()
	return startTUIEnv(t, nil, w, h, args...)
}

// startTUIEnv is startTUI with extra environment variables (NAME=value).
func startTUIEnv(t *testing.T, env []string, w, h int, args ...string) *tmuxTUI {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed (make test installs it)")
	}
	s := &tmuxTUI{t: t, sock: fmt.Sprintf("kvmtui-e2e-%d", time.Now().UnixNano())}
	// CI= : termenv takes a set CI for "no terminal" and drops the colours;
	// the pane is a terminal.
	argv := []string{"-L", s.sock, "new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-e", "CI="}
	for _, e := range env {
		argv = append(argv, "-e", e)
	}
	argv = append(append(argv, binary(t)), args...)
	if out, err := exec.Command("tmux", argv...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxTUI) screen() string {
	out, err := exec.Command("tmux", "-L", s.sock, "capture-pane", "-p").Output()
	if err != nil {
		return "(capture failed: " + err.Error() + ")"
	}
	return string(out)
}

// keys sends tmux key names (Enter, Escape, …) or literal text with a "lit:"
// prefix.
func (s *tmuxTUI) keys(ks ...string) {
	s.t.Helper()
	for _, k := range ks {
		args := []string{"-L", s.sock, "send-keys"}
		if lit, ok := strings.CutPrefix(k, "lit:"); ok {
			args = append(args, "-l", lit)
		} else {
			args = append(args, k)
		}
		if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
			s.t.Fatalf("send-keys %q: %v %s", k, err, out)
		}
	}
}

// waitFor polls the screen until cond holds.
func (s *tmuxTUI) waitFor(what string, timeout time.Duration, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rowOf is the table line that shows the VM (the title line, which may
// show the filter, is skipped).
func rowOf(screen, name string) string {
	lines := strings.Split(screen, "\n")
	for _, l := range lines[1:] {
		if strings.Contains(l, "no VM matches") {
			continue // the empty list's notice names the filter
		}
		if strings.Contains(l, name) {
			return l
		}
	}
	return ""
}

// showOnly filters the list down to the VM and waits for its row: the
// daemon may hold many more VMs than one screen shows.
func (s *tmuxTUI) showOnly(name string) {
	s.t.Helper()
	s.waitFor("the list", 15*time.Second, func(scr string) bool { return strings.Contains(scr, "STATE") })
	s.keys("/", "lit:"+name, "Enter")
	s.waitFor(name+" in the list", 30*time.Second, func(scr string) bool { return rowOf(scr, name) != "" })
}

func (s *tmuxTUI) waitRow(name, state string) {
	s.t.Helper()
	s.waitFor(name+" "+state, 30*time.Second, func(scr string) bool {
		return strings.Contains(rowOf(scr, name), " "+state+" ")
	})
}

// waitVirshState gives libvirt a moment: a starting guest shows "paused"
// until QEMU's CPUs are resumed.
func waitVirshState(t *testing.T, uri, name, want string) {
	t.Helper()
	var got string
	for i := 0; i < 300; i++ {
		if got = lt.MustVirsh(t, uri, "domstate", name); got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("virsh says %s is %q, want %q", name, got, want)
}

func TestE2ELifecycleInTmux(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, "e2e")
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			lt.Virsh(t, uri, "destroy", name)
			s := startTUI(t, size[0], size[1], "-c", uri, "--interval", "1s")
			s.showOnly(name)
			s.waitRow(name, "shut off")

			steps := []struct {
				key, ask      string // ask: the question the key opens, answered y
				screen, virsh string
			}{
				{"s", "", "running", "running"},
				{"P", "", "paused", "paused"},
				{"P", "", "running", "running"},
				{"F", "Force off " + name + "?", "shut off", "shut off"},
			}
			for _, st := range steps {
				s.keys(st.key)
				if st.ask != "" { // the question comes by message: answer it once it shows
					s.waitFor("the question", 10*time.Second, func(scr string) bool { return strings.Contains(scr, st.ask) })
					s.keys("y")
				}
				s.waitRow(name, st.screen)
				waitVirshState(t, uri, name, st.virsh)
			}
			frameIntact(t, s.screen(), size[1])
			s.keys("q")
		})
	}
}

func TestE2EListComesBackAfterDaemonRestart(t *testing.T) {
	uri := lt.URI(t)
	if uri != "qemu:///system" || os.Geteuid() != 0 {
		lt.NotRun(t, "RESTART", "restarting libvirtd needs root and qemu:///system (make test runs as root on qemu:///system)")
	}
	name := lt.FixtureGuest(t, uri, "restart")
	s := startTUI(t, 100, 30, "-c", uri)
	s.showOnly(name)

	// The main daemon by its PID file: the migration tests' peer runs under
	// the same name.
	b, err := os.ReadFile("/run/libvirtd.pid")
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Fatalf("no PID of libvirtd in /run/libvirtd.pid: %v %q", err, b)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("stopping libvirtd (PID %d): %v", pid, err)
	}
	// Whatever happens next, leave a daemon running for the other tests.
	t.Cleanup(func() { exec.Command(filepath.Join(lt.RepoRoot(), "testdata/scripts/libvirtd-up.sh")).Run() })
	s.waitFor("the disconnection", 30*time.Second, func(scr string) bool {
		return strings.Contains(scr, "disconnected, retrying") && rowOf(scr, name) == ""
	})
	for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if out, err := exec.Command(filepath.Join(lt.RepoRoot(), "testdata/scripts/libvirtd-up.sh")).CombinedOutput(); err != nil {
		t.Fatalf("restarting libvirtd: %v %s", err, out)
	}
	s.waitFor("the list to come back", 60*time.Second, func(scr string) bool {
		return rowOf(scr, name) != "" && !strings.Contains(scr, "disconnected")
	})
}

// A hangup (the SSH session or tmux pane gone) ends kvmtui through its
// normal quit: it exits 0 after closing its libvirt connections instead of
// dying of the signal mid-call (which can crash libvirtd 9.0).
func TestE2EHangupEndsCleanly(t *testing.T) {
	uri := lt.URI(t)
	name := lt.FixtureGuest(t, uri, "hangup")
	// In a terminal of the test's own: tmux does not always keep a dead
	// pane's exit status.
	cmd := exec.Command(binary(t), "-c", uri)
	cmd.Env = append(os.Environ(), "TERM=screen-256color")
	_, out := inPty(t, cmd, 100, 30)
	for i := 0; !strings.Contains(out(), name); i++ {
		if i > 200 {
			t.Fatalf("no %s in the list:\n%q", name, out())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("kvmtui still runs 20 s after a hangup")
	}
	if st := cmd.ProcessState; !st.Exited() || st.ExitCode() != 0 {
		t.Fatalf("after a hangup kvmtui should quit and exit 0: %v", st)
	}
}

// inPty runs cmd in a terminal of its own (cols×rows) and returns the
// terminal and what cmd wrote to it so far; the test's end kills cmd if
// it still runs.
func inPty(t *testing.T, cmd *exec.Cmd, cols, rows uint16) (*os.File, func() string) {
	t.Helper()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out strings.Builder
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := tty.Read(b)
			mu.Lock()
			out.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		tty.Close()
	})
	return tty, func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
}

// frameIntact fails unless the title is on the first line and the key
// hints on the last: nothing was pushed off the terminal (tmux never shows
// more lines than the pane, so counting them proves nothing).
func frameIntact(t *testing.T, scr string, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	if len(lines) != h || !strings.HasPrefix(lines[0], "kvmtui") || !strings.Contains(lines[h-1], "? help") {
		t.Fatalf("title or key hints pushed off a %d-line terminal:\n%s", h, scr)
	}
}
