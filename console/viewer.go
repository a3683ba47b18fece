package console

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// RemoteViewer is the viewer program (a variable for tests).
var RemoteViewer = "remote-viewer"

// HaveDisplay reports whether a graphical program started here would show
// up somewhere: an X or Wayland display is set.
func HaveDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// Viewer is a running remote-viewer, with the tunnel it uses.
type Viewer struct {
	File   string // the .vv file handed to it
	VV     VV     // what it connects to (after the tunnel)
	Tunnel *Tunnel
	cmd    *exec.Cmd
	out    *tail
	done   chan struct{}
	err    error
}

// Launch opens the tunnel the plan needs, writes the .vv file and starts
// remote-viewer on it.
func Launch(p Plan) (*Viewer, error) {
	if !HaveDisplay() {
		return nil, errNoDisplay
	}
	path, err := exec.LookPath(RemoteViewer)
	if err != nil {
		return nil, fmt.Errorf("%s is not installed (apt install virt-viewer), or run `kvmtui vv VM | remote-viewer -` where it is", RemoteViewer)
	}
	v := &Viewer{VV: p.VV, out: &tail{}, done: make(chan struct{})}
	if p.Tunnel != nil {
		t, err := OpenTunnel(*p.Tunnel, 15*time.Second)
		if err != nil {
			ssh := shellJoin(append(append([]string{"ssh"}, p.Tunnel.Remote.SSHOptions()...), p.Tunnel.Remote.Dest()))
			return nil, fmt.Errorf("%v; check that `%s` works without a password, or make the display listen on an address this machine reaches", err, ssh)
		}
		v.Tunnel = t
		v.VV.Host, v.VV.Port, v.VV.TLSPort = "127.0.0.1", t.LocalPort, 0
	}
	if v.File, err = WriteVV(v.VV); err != nil {
		v.closeTunnel()
		return nil, err
	}
	v.cmd = exec.Command(path, v.File)
	v.cmd.Stdout, v.cmd.Stderr = v.out, v.out
	// Its own process group: keys typed in kvmtui's terminal never signal it.
	v.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := v.cmd.Start(); err != nil {
		os.Remove(v.File)
		v.closeTunnel()
		return nil, fmt.Errorf("starting %s: %v", RemoteViewer, err)
	}
	go func() {
		err := v.cmd.Wait()
		if err != nil {
			v.err = fmt.Errorf("%s: %s", RemoteViewer, v.out.lastLine(err))
		}
		v.closeTunnel()
		os.Remove(v.File) // normally remote-viewer already did (delete-this-file)
		close(v.done)
	}()
	return v, nil
}

func (v *Viewer) closeTunnel() {
	if v.Tunnel != nil {
		v.Tunnel.Close()
	}
}

// Wait blocks until the viewer exits; the error carries its last line of
// output when it failed.
func (v *Viewer) Wait() error {
	<-v.done
	return v.err
}

// Done is closed when the viewer exited.
func (v *Viewer) Done() <-chan struct{} { return v.done }

// Close ends the viewer (and so its tunnel).
func (v *Viewer) Close() {
	if v.cmd.Process != nil {
		syscall.Kill(-v.cmd.Process.Pid, syscall.SIGTERM)
	}
	select {
	case <-v.done:
	case <-time.After(2 * time.Second):
		syscall.Kill(-v.cmd.Process.Pid, syscall.SIGKILL)
		<-v.done
	}
}
