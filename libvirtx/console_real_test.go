package libvirtx

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// conReader is the one reader of a console stream in a test: a second
// reader would take some of the output away.
type conReader struct {
	ch chan chunk
	w  io.Writer // the console's input, when it has one
}

type chunk struct {
	b   []byte
	err error
}

func newConReader(c io.Reader) *conReader {
	r := &conReader{ch: make(chan chunk, 4096)}
	r.w, _ = c.(io.Writer)
	go func() {
		for {
			buf := make([]byte, 4096)
			n, err := c.Read(buf)
			r.ch <- chunk{buf[:n], err}
			if err != nil {
				return
			}
		}
	}()
	return r
}

// until reads until want shows up and returns everything read.
func (r *conReader) until(t *testing.T, want string, timeout time.Duration) string {
	t.Helper()
	var all strings.Builder
	const nudge = 20 * time.Second
	if r.w != nil && timeout > nudge && !r.within(t, &all, want, nudge) {
		// Seen once on a loaded host: the guest's serial output stopped
		// mid-prompt ("kvmtui-gu") for over a minute. Enter at a shell
		// prompt changes nothing, and brings the output back.
		s := all.String()
		t.Logf("no %q after %v; pressing Enter (read so far ends %q)", want, nudge, s[max(0, len(s)-80):])
		r.w.Write([]byte("\r"))
		timeout -= nudge
	}
	if !r.within(t, &all, want, timeout) {
		t.Fatalf("no %q on the console within %v; read (end): %q", want, timeout, tail(all.String()))
	}
	return all.String()
}

// readUntil reads a console once until want shows up. It leaves a reader
// behind: call it at most once per stream (else use newConReader).
func readUntil(t *testing.T, c io.Reader, want string, timeout time.Duration) string {
	t.Helper()
	return newConReader(c).until(t, want, timeout)
}

// startAtPrompt starts a VM with its serial console attached from the
// first byte, waits for the shell's prompt, and returns the console's one
// reader and a send that types a line.
func startAtPrompt(t *testing.T, m *Manager, ref Ref) (*conReader, func(string)) {
	t.Helper()
	c, err := m.StartWithConsole(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := newConReader(c)
	r.until(t, "kvmtui-guest# ", 90*time.Second)
	return r, sender(t, c)
}

// sender types a line on a console.
func sender(t *testing.T, c io.Writer) func(string) {
	return func(line string) {
		t.Helper()
		if _, err := c.Write([]byte(line + "\r")); err != nil {
			t.Fatal(err)
		}
	}
}

// attach takes a running VM's serial console (from whoever holds it) for
// the rest of the test: its one reader, and a send that types a line.
func attach(t *testing.T, m *Manager, ref Ref) (*conReader, func(string)) {
	t.Helper()
	c, err := m.OpenConsole(ref, "", true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return newConReader(c), sender(t, c)
}

// rest is what the stream sends within d (or until it ends).
func (r *conReader) rest(d time.Duration) string {
	var all strings.Builder
	deadline := time.After(d)
	for {
		select {
		case ch := <-r.ch:
			all.Write(ch.b)
			if ch.err != nil {
				return all.String()
			}
		case <-deadline:
			return all.String()
		}
	}
}

// within reads into all until it holds want (true) or timeout passes.
func (r *conReader) within(t *testing.T, all *strings.Builder, want string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.After(timeout)
	for !strings.Contains(all.String(), want) {
		select {
		case ch := <-r.ch:
			all.Write(ch.b)
			if ch.err != nil {
				t.Fatalf("console ended (%v) before %q; read (end): %q", ch.err, want, tail(all.String()))
			}
		case <-deadline:
			return false
		}
	}
	return true
}

// end waits for the stream to end and returns why.
func (r *conReader) end(timeout time.Duration) (error, bool) {
	deadline := time.After(timeout)
	for {
		select {
		case ch := <-r.ch:
			if ch.err != nil {
				return ch.err, true
			}
		case <-deadline:
			return nil, false
		}
	}
}

func tail(s string) string { return s[max(len(s)-2000, 0):] }

// StartWithConsole sees the boot from its first line; a second client is
// refused with libvirt's message until it forces the console, which cuts
// the first one off; Close wakes a blocked Read.
func TestRealConsoleStartBusyForceClose(t *testing.T) {
	m, ref, _ := realGuest(t, fmt.Sprintf("console-%d", os.Getpid()))

	t0 := time.Now()
	c, err := m.StartWithConsole(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	r := newConReader(c)
	boot := r.until(t, "kvmtui-guest# ", 60*time.Second)
	t.Logf("prompt %v after start", time.Since(t0).Round(10*time.Millisecond))
	// The kernel's first line: nothing was lost before the attach.
	if !strings.Contains(boot, "Linux version") || !strings.Contains(boot, "kvmtui-guest: booted") {
		t.Fatalf("boot log incomplete:\n%s", boot)
	}

	_, err = m.OpenConsole(ref, "", false)
	var busy ConsoleBusyError
	if !errors.As(err, &busy) || !strings.Contains(err.Error(), "Active console session exists") {
		t.Fatalf("second open: %v, want libvirt's busy error", err)
	}

	c2, err := m.OpenConsole(ref, "", true)
	if err != nil {
		t.Fatal("forced open:", err)
	}
	defer c2.Close()
	if err, ok := r.end(10 * time.Second); ok {
		t.Logf("first client cut off: %v", err)
	} else {
		t.Fatal("the first client still reads after a forced takeover")
	}
	c.Close()

	t1 := time.Now()
	if _, err := c2.Write([]byte("echo $((6*7))\r")); err != nil {
		t.Fatal(err)
	}
	r2 := newConReader(c2)
	r2.until(t, "42", 30*time.Second) // a TCG guest on a busy 2-core host can pause for seconds
	t.Logf("command round trip %v", time.Since(t1).Round(time.Millisecond))

	// Close while r2's reader is inside Recv, with nothing left to read.
	cs := c2.(*consoleStream)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		cs.mu.Lock()
		in := cs.inflight
		cs.mu.Unlock()
		if in > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reader never called Read again")
		}
	}
	c2.Close()
	if _, ok := r2.end(5 * time.Second); !ok {
		t.Fatal("Close did not wake a blocked Read")
	}
	// A closed stream refuses further use instead of touching freed memory.
	if _, err := c2.Write([]byte("x")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
}

func TestRealSendKeyAndScreenshot(t *testing.T) {
	m, ref, _ := realGuest(t, fmt.Sprintf("sendkey-%d", os.Getpid()))
	c, err := m.StartWithConsole(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := newConReader(c)
	r.until(t, "kvmtui-guest# ", 60*time.Second)

	// The shell can be up before the guest's keyboard is (under TCG the
	// kernel may probe it after the prompt): send again until it answers.
	var seen strings.Builder
	for try := 1; ; try++ {
		if err := m.SendKey(ref, "KEY_LEFTALT", "KEY_SYSRQ", "KEY_H"); err != nil {
			t.Fatal(err)
		}
		if r.within(t, &seen, "sysrq: HELP", 5*time.Second) {
			break
		}
		if try == 6 {
			t.Fatalf("no \"sysrq: HELP\" after %d sends over 30 s; read (end): %q", try, tail(seen.String()))
		}
	}

	img, mime, err := m.Screenshot(ref, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(img) < 1000 || (mime != "image/x-portable-pixmap" && mime != "image/png") {
		t.Fatalf("screenshot: %d bytes of %q", len(img), mime)
	}

	if err := m.SendKey(ref, "KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_DELETE"); err != nil {
		t.Fatal(err)
	}
	out := r.until(t, "kvmtui-guest: booted", 60*time.Second)
	if !strings.Contains(out, "reboot: Restarting system") {
		t.Fatalf("no restart before the new banner:\n%s", out)
	}
	if err := m.SendKey(ref, "KEY_NOPE"); err == nil || !strings.Contains(err.Error(), "KEY_NOPE") {
		t.Fatalf("unknown key: %v", err)
	}
}
