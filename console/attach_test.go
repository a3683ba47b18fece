package console

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

func canonical(t *testing.T, fd uintptr) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ICANON != 0
}

// readUntil reads c until want arrives; on a timeout it returns what came.
func readUntil(c net.Conn, want string) string {
	var all []byte
	buf := make([]byte, 256)
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	for !strings.Contains(string(all), want) {
		n, err := c.Read(buf)
		all = append(all, buf[:n]...)
		if err != nil {
			return string(all) + " (" + err.Error() + ")"
		}
	}
	return string(all)
}

// A real pty stands in for the user's terminal: raw mode must pass bytes
// one by one (no line buffering, Ctrl+C as a byte), Ctrl+] must end the
// session, and the terminal must come back in cooked mode.
func TestAttachRawModeAndEscape(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer tty.Close()
	if !canonical(t, tty.Fd()) {
		t.Fatal("a new pty should start in canonical mode")
	}
	ours, guest := net.Pipe()
	defer guest.Close()
	done := make(chan Ended, 1)
	go func() {
		e, err := Attach(ours, tty, tty)
		if err != nil {
			t.Error(err)
		}
		done <- e
	}()
	for deadline := time.Now().Add(3 * time.Second); canonical(t, tty.Fd()); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("terminal not in raw mode while attached")
		}
	}
	master.Write([]byte("ab\x03"))
	if got := readUntil(guest, "\x03"); got != "ab\x03" {
		t.Fatalf("guest got %q, want the bytes as typed", got)
	}
	go guest.Write([]byte("kvmtui-guest# "))
	buf := make([]byte, 64)
	master.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, _ := master.Read(buf)
	if !strings.Contains(string(buf[:n]), "kvmtui-guest# ") {
		t.Fatalf("terminal showed %q", buf[:n])
	}
	gotX := make(chan string, 1)
	go func() { gotX <- readUntil(guest, "x") }()
	master.Write([]byte("x\x1dy"))
	select {
	case e := <-done:
		if !e.Escaped {
			t.Fatalf("Attach ended with %+v, want escaped", e)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Ctrl+] did not end the session")
	}
	if got := <-gotX; got != "x" {
		t.Fatalf("bytes before Ctrl+] should reach the guest, bytes after it not: %q", got)
	}
	if !canonical(t, tty.Fd()) {
		t.Fatal("terminal left in raw mode")
	}
	// The stream is closed: the guest side sees the end.
	guest.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := guest.Read(buf); err == nil {
		t.Fatal("console stream still open after detaching")
	}
}

func TestAttachEndsWhenTheStreamCloses(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer tty.Close()
	ours, guest := net.Pipe()
	done := make(chan Ended, 1)
	go func() { e, _ := Attach(ours, tty, tty); done <- e }()
	time.Sleep(100 * time.Millisecond)
	guest.Close() // the VM stopped
	select {
	case e := <-done:
		if e.Escaped {
			t.Fatal("reported as escaped")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Attach still running after the stream closed")
	}
	if !canonical(t, tty.Fd()) {
		t.Fatal("terminal left in raw mode")
	}
	// Attach no longer reads the terminal: a key typed now stays for the TUI.
	master.Write([]byte("q"))
	tty.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 8)
	// cooked mode: the byte waits for a newline; send one.
	master.Write([]byte("\n"))
	n, err := tty.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "q") {
		t.Fatalf("the key typed after the session went elsewhere: %q %v", buf[:n], err)
	}
}
