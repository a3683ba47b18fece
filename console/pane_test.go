package console

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// guestEnd is the guest's side of a fake console stream.
func newTestPane(t *testing.T, h int) (*Pane, net.Conn) {
	t.Helper()
	ours, guest := net.Pipe()
	p := NewPane(ours, Width, h, nil)
	t.Cleanup(func() { p.Close(); guest.Close() })
	return p, guest
}

func waitText(t *testing.T, p *Pane, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(p.Text(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("pane never showed %q; it shows:\n%s", want, p.Text())
		}
		select {
		case <-p.Changed():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestPaneEmulatesCursorMovementAndAnswersCPR(t *testing.T) {
	p, guest := newTestPane(t, 5)
	// Overwrite "XXXXX" through a carriage return, clear to the end of line,
	// then ask for the cursor position like busybox's line editor.
	go guest.Write([]byte("XXXXX\rab\x1b[K\r\n\x1b[31mred\x1b[0m\r\nkvmtui-guest# \x1b[6n"))
	reply := make([]byte, 16)
	guest.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, err := guest.Read(reply)
	if err != nil {
		t.Fatal("no answer to ESC[6n:", err)
	}
	if got := string(reply[:n]); got != "\x1b[3;15R" {
		t.Fatalf("cursor position report %q, want row 3 col 15", got)
	}
	waitText(t, p, "kvmtui-guest#")
	lines := strings.Split(p.Text(), "\n")
	if lines[0] != "ab" || lines[1] != "red" {
		t.Fatalf("screen is %q", lines)
	}
	colored := p.Lines(5, 0, Width, true, false)[1]
	if !strings.Contains(colored, "\x1b[31m") && !strings.Contains(colored, "31") {
		t.Fatalf("red text lost its colour: %q", colored)
	}
}

func TestPaneTypesKeysWithTerminalModes(t *testing.T) {
	p, guest := newTestPane(t, 5)
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 64)
		var all []byte
		for len(all) < 8 {
			n, err := guest.Read(b)
			if err != nil {
				break
			}
			all = append(all, b[:n]...)
		}
		got <- string(all)
	}()
	p.Type("ls\r")
	p.Key("up", false)
	// Application cursor mode changes what the up arrow sends.
	// The marker after the mode change shows once the emulator took both.
	go guest.Write([]byte("\x1b[?1hmode-set"))
	waitText(t, p, "mode-set")
	p.Key("up", false)
	select {
	case s := <-got:
		if s != "ls\r\x1b[A\x1bOA" {
			t.Fatalf("guest received %q", s)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("guest received nothing")
	}
}

func TestPaneScrollbackAndShrink(t *testing.T) {
	p, guest := newTestPane(t, 10)
	var b strings.Builder
	for i := 0; i < 30; i++ {
		b.WriteString("line " + string(rune('A'+i%26)) + "\r\n")
	}
	b.WriteString("prompt# ")
	go guest.Write([]byte(b.String()))
	waitText(t, p, "prompt#")
	if n := p.ScrollbackLen(); n != 21 {
		t.Fatalf("scrollback holds %d lines, want 21", n)
	}
	// Scrolled back by 20 lines, the top line is the second one printed.
	if top := p.Lines(10, 20, Width, false, false)[0]; top != "line B" {
		t.Fatalf("scrolled view starts with %q", top)
	}
	// Shrinking below the cursor keeps the prompt on screen and loses nothing.
	p.Resize(Width, 4)
	live := p.Lines(4, 0, Width, false, false)
	if live[3] != "prompt#" || live[2] != "line D" {
		t.Fatalf("after shrinking, the screen is %q", live)
	}
	if !strings.Contains(p.Text(), "line A\nline B") {
		t.Fatalf("shrinking lost lines:\n%s", p.Text())
	}
	// Typing still lands after the prompt.
	go guest.Write([]byte("x"))
	waitText(t, p, "prompt# x")
	p.Resize(Width, 12)
	if got := p.Lines(12, 0, Width, false, false); len(got) != 12 {
		t.Fatalf("grown pane renders %d lines", len(got))
	}
}

func TestPaneReportsTheEndOfTheStream(t *testing.T) {
	p, guest := newTestPane(t, 5)
	guest.Close()
	select {
	case <-p.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("Done not closed after the stream ended")
	}
	if p.Err() != io.EOF && p.Err() == nil {
		t.Fatalf("Err = %v", p.Err())
	}
	p.Type("ignored") // must not block on a dead stream
}

func TestPaneSeedKeepsEarlierOutput(t *testing.T) {
	old, guest := newTestPane(t, 4)
	go guest.Write([]byte("\x1b[33mboot 1\x1b[0m\r\nb\r\nc\r\nd\r\ne\r\nprompt# "))
	waitText(t, old, "prompt#")
	seed := old.Snapshot(true)
	ours, guest2 := net.Pipe()
	defer guest2.Close()
	p2 := NewPane(ours, Width, 4, seed)
	defer p2.Close()
	if got := p2.Text(); !strings.HasPrefix(got, "boot 1\nb\nc\nd\ne\nprompt#") {
		t.Fatalf("seeded pane shows:\n%s", got)
	}
	if !strings.Contains(strings.Join(p2.All(true), "\n"), "33") {
		t.Fatal("seed lost its colours")
	}
	// The cursor is back after the prompt's trailing blank.
	if x := p2.CursorX(); x != len("prompt# ") {
		t.Fatalf("cursor at column %d after the replay", x)
	}
}

func TestRecorderAnswersNothing(t *testing.T) {
	r := NewRecorder(Width, 4, &Snapshot{Lines: []string{"before"}, CursorX: 6})
	defer r.Close()
	r.Write([]byte("\r\nkvmtui-guest# \x1b[6n"))
	if got := r.Text(); got != "before\nkvmtui-guest#" {
		t.Fatalf("recorder shows %q", got)
	}
}

// blockingWriter is a stream whose writes hang, like a stuck libvirt call.
type blockingWriter struct {
	net.Conn
	release chan struct{}
}

func (b blockingWriter) Write(p []byte) (int, error) { <-b.release; return len(p), nil }

// A stream that does not take our bytes must not stop the guest's output
// from being shown, nor freeze whoever reads the pane.
func TestPaneOutputFlowsWhileWritesHang(t *testing.T) {
	ours, guest := net.Pipe()
	defer guest.Close()
	bw := blockingWriter{Conn: ours, release: make(chan struct{})}
	defer close(bw.release)
	p := NewPane(bw, Width, 5, nil)
	defer p.Close()
	go guest.Write([]byte("kvmtui-guest# \x1b[6n"))
	waitText(t, p, "kvmtui-guest#")
	p.Type("ls\r") // queued behind the hung answer
	go guest.Write([]byte("\r\nmore output"))
	waitText(t, p, "more output")
}
