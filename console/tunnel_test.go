package console

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as a fake ssh (KVMTUI_FAKE_SSH=ok|fail): it
// parses -L like ssh and forwards, so the tunnel code runs for real without
// an SSH server; and as a fake remote-viewer.
func TestMain(m *testing.M) {
	switch os.Getenv("KVMTUI_FAKE_SSH") {
	case "":
		os.Exit(m.Run())
	case "fail":
		fmt.Fprintln(os.Stderr, "ssh: connect to host nowhere port 22: Connection refused")
		os.Exit(255)
	case "ok":
		// One binary plays both programs: remote-viewer gets a .vv path.
		if len(os.Args) == 2 && strings.HasSuffix(os.Args[1], ".vv") {
			fakeViewer(os.Args[1:])
		}
		fakeSSH(os.Args[1:])
	default:
		fmt.Fprintf(os.Stderr, "KVMTUI_FAKE_SSH=%q: expected ok or fail\n", os.Getenv("KVMTUI_FAKE_SSH"))
		os.Exit(2)
	}
}

// fakeViewer checks the .vv file as remote-viewer would read it, then
// exits like a viewer whose window was closed.
func fakeViewer(args []string) {
	st, err := os.Stat(args[0])
	if err != nil || st.Mode().Perm() != 0o600 {
		fmt.Fprintln(os.Stderr, "bad .vv file:", err)
		os.Exit(1)
	}
	data, _ := os.ReadFile(args[0])
	if v, err := ParseVV(string(data)); err != nil || v.Host != "127.0.0.1" {
		fmt.Fprintln(os.Stderr, "bad .vv content:", string(data))
		os.Exit(1)
	}
	time.Sleep(300 * time.Millisecond)
	os.Exit(0)
}

func fakeSSH(args []string) {
	var fwd string
	for i, a := range args {
		if a == "-L" && i+1 < len(args) {
			fwd = args[i+1]
		}
	}
	// 127.0.0.1:LOCAL:TARGET:PORT
	parts := strings.SplitN(fwd, ":", 3)
	l, err := net.Listen("tcp", parts[0]+":"+parts[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bind:", err)
		os.Exit(255)
	}
	target := parts[2]
	if i := strings.LastIndex(target, ":"); i > 0 {
		target = strings.Trim(target[:i], "[]") + ":" + target[i+1:]
	}
	for {
		c, err := l.Accept()
		if err != nil {
			os.Exit(0)
		}
		go func() {
			t, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				return
			}
			go io.Copy(t, c)
			io.Copy(c, t)
			c.Close()
		}()
	}
}

func useFakeSSH(t *testing.T, mode string) {
	t.Helper()
	old := SSH
	SSH = os.Args[0]
	t.Setenv("KVMTUI_FAKE_SSH", mode)
	t.Cleanup(func() { SSH = old })
}

func TestTunnelForwardsAndCloses(t *testing.T) {
	useFakeSSH(t, "ok")
	display, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer display.Close()
	go func() {
		for {
			c, err := display.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("RFB 003.008\n"))
			c.Close()
		}
	}()
	port := display.Addr().(*net.TCPAddr).Port
	tun, err := OpenTunnel(TunnelSpec{Remote: Remote{Host: "db1"}, TargetHost: "127.0.0.1", TargetPort: port}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tun.LocalPort))
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, _ := io.ReadAll(c)
	c.Close()
	if string(b) != "RFB 003.008\n" {
		t.Fatalf("through the tunnel came %q", b)
	}
	tun.Close()
	select {
	case <-tun.Exited():
	case <-time.After(3 * time.Second):
		t.Fatal("ssh still running after Close")
	}
	if listening(tun.LocalPort) {
		t.Fatal("the local port is still bound after Close")
	}
}

func TestTunnelFailureCarriesSSHsMessage(t *testing.T) {
	useFakeSSH(t, "fail")
	_, err := OpenTunnel(TunnelSpec{Remote: Remote{Host: "nowhere", User: "root"}, TargetHost: "127.0.0.1", TargetPort: 5900}, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "SSH tunnel to root@nowhere failed: ssh: connect to host nowhere port 22: Connection refused") {
		t.Fatalf("got %v", err)
	}
}

func TestLaunchExplainsMissingPieces(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if _, err := Launch(Plan{VV: VV{Type: "vnc", Host: "127.0.0.1", Port: 5900}}); err == nil || !strings.Contains(err.Error(), "no graphical display") {
		t.Fatalf("without a display: %v", err)
	}
	t.Setenv("DISPLAY", ":99")
	old := RemoteViewer
	RemoteViewer = "kvmtui-no-such-viewer"
	defer func() { RemoteViewer = old }()
	_, err := Launch(Plan{VV: VV{Type: "vnc", Host: "127.0.0.1", Port: 5900}})
	if err == nil || !strings.Contains(err.Error(), "kvmtui-no-such-viewer is not installed (apt install virt-viewer)") {
		t.Fatalf("without remote-viewer: %v", err)
	}
}

func TestLaunchReportsAFailedTunnel(t *testing.T) {
	useFakeSSH(t, "fail")
	t.Setenv("DISPLAY", ":99")
	old := RemoteViewer
	RemoteViewer = "true" // found in PATH; never reached
	defer func() { RemoteViewer = old }()
	p := PlanViewer("qemu+ssh://root@nowhere/system", Display{Type: "vnc", Listen: "127.0.0.1", Port: 5900}, "w")
	_, err := Launch(p)
	if err == nil || !strings.Contains(err.Error(), "Connection refused; check that `ssh root@nowhere` works without a password") {
		t.Fatalf("got %v", err)
	}
}

// When the viewer exits, its tunnel closes and its file is gone.
func TestViewerExitClosesItsTunnel(t *testing.T) {
	useFakeSSH(t, "ok")
	t.Setenv("DISPLAY", ":99")
	old := RemoteViewer
	RemoteViewer = os.Args[0]
	defer func() { RemoteViewer = old }()
	p := PlanViewer("qemu+ssh://root@db1/system", Display{Type: "vnc", Listen: "127.0.0.1", Port: 5900}, "w")
	v, err := Launch(p)
	if err != nil {
		t.Fatal(err)
	}
	if v.Tunnel == nil || v.VV.Port != v.Tunnel.LocalPort {
		t.Fatalf("the viewer does not go through the tunnel: %+v", v.VV)
	}
	if err := v.Wait(); err != nil {
		t.Fatalf("viewer: %v", err)
	}
	select {
	case <-v.Tunnel.Exited():
	case <-time.After(3 * time.Second):
		t.Fatal("the tunnel outlived the viewer")
	}
	if listening(v.Tunnel.LocalPort) {
		t.Fatal("the tunnel's port is still bound")
	}
	if _, err := os.Stat(v.File); !os.IsNotExist(err) {
		t.Fatalf("the .vv file (it may hold a password) is still there: %v", err)
	}
}
