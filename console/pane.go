package console

import (
	"io"
	"strconv"
	"strings"
	"sync"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// Width is a new pane's terminal width. A serial console cannot tell the
// guest its size, so the guest assumes 80 columns (busybox's editor, getty,
// less); emulating another width would put its cursor movements in the
// wrong place. A pane changes width only when the guest is told (stty).
const Width = 80

// Scrollback is how many lines the pane keeps above its screen.
const Scrollback = 5000

// Pane is a live serial console rendered by a VT emulator: the guest's
// output goes through the emulator (colours, cursor movement, the busybox
// cursor-position query it answers), keys typed go back to the guest.
type Pane struct {
	rw io.ReadWriteCloser

	mu sync.Mutex
	em *vt.Emulator
	w  int
	h  int

	sendq   *queue        // bytes for the guest, written by send()
	changed chan struct{} // one pending "redraw" signal
	done    chan struct{} // closed when the stream ended
	errMu   sync.Mutex
	err     error
	once    sync.Once
}

// Snapshot is what a pane showed (scrollback included) and where its cursor
// was on the last line, to carry a console's history into a new pane.
type Snapshot struct {
	Lines   []string
	CursorX int
}

// NewPane starts emulating the console behind rw at width x height (Width
// unless the guest was told otherwise), after replaying seed (when not
// nil), so reattaching keeps what was on screen. The pane owns rw and
// closes it in Close.
func NewPane(rw io.ReadWriteCloser, width, height int, seed *Snapshot) *Pane {
	width, height = max(width, 1), max(height, 1)
	p := &Pane{
		rw:      rw,
		em:      vt.NewEmulator(width, height),
		w:       width,
		h:       height,
		sendq:   newQueue(),
		changed: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	p.em.SetScrollbackSize(Scrollback)
	if seed != nil && len(seed.Lines) > 0 {
		// Nothing reads the emulator's answers yet, and rendered lines hold
		// no queries, so this cannot block.
		_, _ = p.em.Write([]byte(seed.Replay()))
	}
	go p.output()
	go p.input()
	go p.send()
	return p
}

// output feeds the guest's bytes to the emulator until the stream ends.
func (p *Pane) output() {
	buf := make([]byte, 32*1024)
	for {
		n, err := p.rw.Read(buf)
		if n > 0 {
			p.mu.Lock()
			_, _ = p.em.Write(buf[:n])
			p.mu.Unlock()
			p.signal()
		}
		if err != nil {
			p.finish(err)
			return
		}
	}
}

// input drains what the emulator produces (typed keys, and its answers to
// queries such as ESC[6n) into the send queue. The emulator writes answers
// while p.mu is held and waits for this reader, so it must never wait on
// the stream: a slow libvirt call here froze the output and the UI.
func (p *Pane) input() {
	buf := make([]byte, 4096)
	for {
		n, err := p.em.Read(buf)
		if n > 0 {
			p.sendq.put(append([]byte(nil), buf[:n]...))
		}
		if err != nil {
			p.sendq.close()
			return
		}
	}
}

// send writes the queued bytes to the guest, in order.
func (p *Pane) send() {
	for {
		b, ok := p.sendq.take()
		if !ok {
			return
		}
		if _, err := p.rw.Write(b); err != nil {
			p.finish(err)
		}
	}
}

// queue is an unbounded FIFO of byte chunks: put never blocks.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  [][]byte
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *queue) put(b []byte) {
	q.mu.Lock()
	q.items = append(q.items, b)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Signal()
}

// take waits for a chunk; false once closed and empty.
func (q *queue) take() ([]byte, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return nil, false
	}
	b := q.items[0]
	q.items = q.items[1:]
	return b, true
}

func (p *Pane) finish(err error) {
	p.errMu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.errMu.Unlock()
	p.once.Do(func() { close(p.done) })
	p.signal()
}

func (p *Pane) signal() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// Changed delivers a signal when there is new output to draw.
func (p *Pane) Changed() <-chan struct{} { return p.changed }

// Done is closed when the console stream ended; Err says why.
func (p *Pane) Done() <-chan struct{} { return p.done }

// Err is why the stream ended (io.EOF: the guest's console closed).
func (p *Pane) Err() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

// Close ends the stream and the emulator.
func (p *Pane) Close() {
	p.rw.Close()
	p.finish(io.EOF)
	// Closing the input pipe ends the input goroutine; Emulator.Close would
	// race with its unlocked Read.
	if c, ok := p.em.InputPipe().(io.Closer); ok {
		c.Close()
	}
}

// Type sends text as typed (runes and control bytes) to the guest.
func (p *Pane) Type(s string) {
	if p.closed() {
		return
	}
	p.mu.Lock()
	p.em.SendText(s)
	p.mu.Unlock()
}

// specialKeys are the keys whose bytes depend on the terminal's modes
// (application cursor keys), so the emulator encodes them.
var specialKeys = map[string]rune{
	"up": vt.KeyUp, "down": vt.KeyDown, "left": vt.KeyLeft, "right": vt.KeyRight,
	"home": vt.KeyHome, "end": vt.KeyEnd, "pgup": vt.KeyPgUp, "pgdown": vt.KeyPgDown,
	"insert": vt.KeyInsert, "delete": vt.KeyDelete,
	"f1": vt.KeyF1, "f2": vt.KeyF2, "f3": vt.KeyF3, "f4": vt.KeyF4, "f5": vt.KeyF5, "f6": vt.KeyF6,
	"f7": vt.KeyF7, "f8": vt.KeyF8, "f9": vt.KeyF9, "f10": vt.KeyF10, "f11": vt.KeyF11, "f12": vt.KeyF12,
}

// Key sends a named special key ("up", "f5", …); it reports false for a
// name it does not know.
func (p *Pane) Key(name string, alt bool) bool {
	code, ok := specialKeys[name]
	if !ok {
		return false
	}
	if p.closed() {
		return true
	}
	var mod vt.KeyMod
	if alt {
		mod = vt.ModAlt
	}
	p.mu.Lock()
	p.em.SendKey(vt.KeyPressEvent{Code: code, Mod: mod})
	p.mu.Unlock()
	return true
}

func (p *Pane) closed() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Resize changes the emulated screen's size. When it shrinks below the
// cursor, the top rows go to the scrollback, as in a real terminal, so the
// line being typed stays in view.
func (p *Pane) Resize(width, height int) {
	width, height = max(width, 1), max(height, 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if width == p.w && height == p.h {
		return
	}
	if cy := p.em.CursorPosition().Y; cy >= height {
		n := cy - height + 1
		// Scroll up n lines from the bottom row, then put the cursor back on
		// its (moved) line: DECSC, CUP last row, n LFs, DECRC, CUU n.
		var b strings.Builder
		b.WriteString("\x1b7\x1b[" + strconv.Itoa(p.h) + ";1H")
		b.WriteString(strings.Repeat("\n", n))
		b.WriteString("\x1b8\x1b[" + strconv.Itoa(n) + "A")
		_, _ = p.em.Write([]byte(b.String()))
	}
	p.em.Resize(width, height)
	p.w, p.h = width, height
}

// Cols is the emulated screen's width.
func (p *Pane) Cols() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w
}

// Height is the emulated screen's height.
func (p *Pane) Height() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.h
}

// CursorX is the cursor's column.
func (p *Pane) CursorX() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.em.CursorPosition().X
}

// Replay is the snapshot as terminal output: the lines, then the cursor
// back at its column (rendering dropped the line's trailing blanks).
func (s *Snapshot) Replay() string {
	return strings.Join(s.Lines, "\r\n") + "\x1b[0m\x1b[" + strconv.Itoa(s.CursorX+1) + "G"
}

// Snapshot renders every line, scrollback included, trailing blank lines
// dropped, with the cursor's column when it is on the last line kept.
func (p *Pane) Snapshot(color bool) *Snapshot {
	lines := p.All(color)
	p.mu.Lock()
	cur := p.em.CursorPosition()
	sb := p.em.ScrollbackLen()
	p.mu.Unlock()
	s := &Snapshot{Lines: lines, CursorX: cur.X}
	// The cursor may sit on blank lines below the text (after a newline).
	for len(s.Lines) <= sb+cur.Y {
		s.Lines = append(s.Lines, "")
	}
	return s
}

// All renders every line, scrollback included, trailing blank lines dropped.
func (p *Pane) All(color bool) []string {
	n := p.ScrollbackLen() + p.Height()
	lines := p.Lines(n, 0, p.Cols(), color, false)
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// ScrollbackLen is how many lines are above the screen.
func (p *Pane) ScrollbackLen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.em.ScrollbackLen()
}

// Lines renders rows lines of the console, back lines above the live
// screen's bottom (0: the live screen), each cut to width cells. color keeps
// the guest's colours and attributes; cursor shows the cursor (reversed).
func (p *Pane) Lines(rows, back, width int, color, cursor bool) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	sb := p.em.Scrollback()
	sbLen := sb.Len()
	total := sbLen + p.h
	back = min(max(back, 0), max(total-rows, 0))
	end := total - back
	start := max(end-rows, 0)
	cur := p.em.CursorPosition()
	out := make([]string, 0, rows)
	for i := start; i < end; i++ {
		var line uv.Line
		if i < sbLen {
			line = sb.Line(i)
		} else {
			y := i - sbLen
			line = make(uv.Line, p.w)
			for x := 0; x < p.w; x++ {
				if c := p.em.CellAt(x, y); c != nil {
					line[x] = *c
				}
			}
			if cursor && y == cur.Y && cur.X >= 0 && cur.X < p.w && !p.em.CursorHidden() {
				c := line[cur.X]
				if c.IsZero() || c.Content == "" {
					c = uv.EmptyCell
				}
				c.Style.Attrs |= uv.AttrReverse
				line[cur.X] = c
			}
		}
		if len(line) > width {
			line = line[:width]
		}
		if color {
			out = append(out, line.Render())
		} else {
			out = append(out, line.String())
		}
	}
	return out
}

// Text is the plain text of the scrollback and screen, trailing blank lines
// dropped: for tests and for copying.
func (p *Pane) Text() string { return strings.Join(p.All(false), "\n") }

// Write feeds bytes to the emulator as if the guest had sent them: a
// recorder pane (NewRecorder) keeps a copy of what another client showed.
func (p *Pane) Write(b []byte) (int, error) {
	p.mu.Lock()
	_, _ = p.em.Write(b)
	p.mu.Unlock()
	p.signal()
	return len(b), nil
}

// NewRecorder is a pane with no guest behind it: its answers to terminal
// queries go nowhere (the real terminal answers those), and it only shows
// what Write feeds it.
func NewRecorder(width, height int, seed *Snapshot) *Pane {
	return NewPane(&nullStream{closed: make(chan struct{})}, width, height, seed)
}

// nullStream blocks readers until closed and discards writes.
type nullStream struct {
	closed chan struct{}
	once   sync.Once
}

func (n *nullStream) Read([]byte) (int, error)    { <-n.closed; return 0, io.EOF }
func (n *nullStream) Write(b []byte) (int, error) { return len(b), nil }
func (n *nullStream) Close() error                { n.once.Do(func() { close(n.closed) }); return nil }
