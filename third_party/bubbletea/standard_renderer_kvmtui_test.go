package tea

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is the terminal: listen writes from its own goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls the terminal for s: a frame drawn without a tick.
func waitFor(t *testing.T, out *lockedBuffer, s string) {
	t.Helper()
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if strings.Contains(out.String(), s) {
			return
		}
	}
	t.Fatalf("%q never drawn; the terminal got %q", s, out.String())
}

// kvmtui's patch: a view is drawn when it is written, and an idle renderer
// does not wake up (upstream flushed 120 times a second at this rate).
func TestRendererDrawsWritesAndSleepsWhenIdle(t *testing.T) {
	out := &lockedBuffer{}
	r := newRenderer(out, false, maxFPS).(*standardRenderer)
	r.start()
	defer r.stop()

	r.write("first frame")
	waitFor(t, out, "first frame")
	r.write("second frame")
	waitFor(t, out, "second frame")

	r.mtx.Lock()
	before := r.flushes
	r.mtx.Unlock()
	time.Sleep(20 * r.framerate)
	r.mtx.Lock()
	idle := r.flushes - before
	r.mtx.Unlock()
	if idle != 0 {
		t.Errorf("%d flushes in 20 idle frame intervals, want none", idle)
	}

	// Writes between frames come out as one frame, the last.
	for i := 0; i < 50; i++ {
		r.write("burst " + strings.Repeat("x", i))
	}
	waitFor(t, out, "burst "+strings.Repeat("x", 49))
	r.mtx.Lock()
	burst := r.flushes - before
	r.mtx.Unlock()
	if burst > 3 {
		t.Errorf("50 quick writes took %d flushes; they should coalesce", burst)
	}
}
