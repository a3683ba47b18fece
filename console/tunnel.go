package console

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SSH is the ssh client the tunnel runs (a variable for tests).
var SSH = "ssh"

// AskPass, when set, is the program the tunnel's ssh asks its questions
// through (the UI's askpass client: a password comes to the UI); unset,
// ssh may ask nothing (BatchMode), as nobody could answer.
var AskPass string

// Tunnel is a running `ssh -N -L 127.0.0.1:PORT:TARGET` process.
type Tunnel struct {
	LocalPort int
	cmd       *exec.Cmd
	out       *tail
	exited    chan struct{}
	once      sync.Once
}

// OpenTunnel starts ssh and waits until it listens on 127.0.0.1, or fails
// with ssh's own last line of error output.
func OpenTunnel(spec TunnelSpec, timeout time.Duration) (*Tunnel, error) {
	if _, err := exec.LookPath(SSH); err != nil {
		return nil, fmt.Errorf("no ssh client to tunnel the display through (%v): install openssh-client", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("SSH tunnel: no free local port: %v", err)
	}
	fwd := "127.0.0.1:" + strconv.Itoa(port) + ":" + hostForForward(spec.TargetHost) + ":" + strconv.Itoa(spec.TargetPort)
	args := []string{"-N", "-o", "ExitOnForwardFailure=yes", "-L", fwd}
	if AskPass == "" {
		args = append(args, "-o", "BatchMode=yes")
	}
	args = append(append(args, spec.Remote.SSHOptions()...), spec.Remote.Dest())
	t := &Tunnel{LocalPort: port, cmd: exec.Command(SSH, args...), out: &tail{}, exited: make(chan struct{})}
	if AskPass != "" {
		t.cmd.Env = append(os.Environ(), "SSH_ASKPASS="+AskPass, "SSH_ASKPASS_REQUIRE=force")
	}
	t.cmd.Stdout, t.cmd.Stderr = t.out, t.out
	if err := t.cmd.Start(); err != nil {
		return nil, fmt.Errorf("SSH tunnel to %s: %v", spec.Remote.Dest(), err)
	}
	var waitErr error
	go func() { waitErr = t.cmd.Wait(); close(t.exited) }()
	deadline := time.After(timeout)
	for {
		select {
		case <-t.exited:
			return nil, fmt.Errorf("SSH tunnel to %s failed: %s", spec.Remote.Dest(), t.out.lastLine(waitErr))
		case <-deadline:
			t.Close()
			return nil, fmt.Errorf("SSH tunnel to %s: not listening after %v: %s", spec.Remote.Dest(), timeout, t.out.lastLine(nil))
		case <-time.After(50 * time.Millisecond):
		}
		if listening(port) {
			return t, nil
		}
	}
}

// Close stops ssh.
func (t *Tunnel) Close() {
	t.once.Do(func() {
		if t.cmd.Process != nil {
			t.cmd.Process.Kill()
		}
		<-t.exited
	})
}

// Exited is closed when ssh is gone.
func (t *Tunnel) Exited() <-chan struct{} { return t.exited }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// listening reports whether something bound the port: a bind attempt, not a
// connection, so the display never sees a stray client.
func listening(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return true
	}
	l.Close()
	return false
}

// tail keeps the end of a process's output for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(p), nil
}

// lastLine is the last non-empty line written, else err's text.
func (t *tail) lastLine(err error) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	if err != nil {
		return err.Error()
	}
	return "no output"
}

var errNoDisplay = errors.New("no graphical display here (DISPLAY and WAYLAND_DISPLAY are unset)")
