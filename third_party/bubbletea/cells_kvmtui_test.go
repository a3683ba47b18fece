package tea

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// screen is a small terminal for the renderer's output: the cursor
// movements, erases and SGR it writes; a cell's style is the SGR that sets
// it after a reset.
type screen struct {
	w, h, x, y int
	pen        sgr
	cells      [][]cell
}

func newScreen(w, h int) *screen {
	s := &screen{w: w, h: h, cells: make([][]cell, h)}
	for y := range s.cells {
		s.cells[y] = make([]cell, w)
	}
	return s
}

func (s *screen) erase(y, from int) {
	for x := from; x < s.w; x++ {
		s.cells[y][x] = cell{}
	}
}

func (s *screen) feed(t *testing.T, out string) {
	t.Helper()
	var state byte
	for len(out) > 0 {
		seq, width, n, next := ansi.DecodeSequence(out, state, nil)
		state, out = next, out[n:]
		switch {
		case seq == "\r":
			s.x = 0
		case seq == "\n":
			s.y = min(s.y+1, s.h-1)
		case isSGR(seq):
			if !s.pen.apply(seq[2 : len(seq)-1]) {
				t.Fatalf("the renderer wrote %q, which this screen does not know", seq)
			}
		case strings.HasPrefix(seq, "\x1b["):
			args, cmd := seq[2:len(seq)-1], seq[len(seq)-1]
			num := func(i, def int) int {
				f := strings.Split(args, ";")
				if i < len(f) {
					if v, err := strconv.Atoi(f[i]); err == nil {
						return v
					}
				}
				return def
			}
			switch cmd {
			case 'H':
				s.y, s.x = num(0, 1)-1, num(1, 1)-1
			case 'A':
				s.y = max(s.y-num(0, 1), 0)
			case 'G':
				s.x = num(0, 1) - 1
			case 'K':
				s.erase(s.y, s.x)
			case 'J':
				s.erase(s.y, s.x)
				for y := s.y + 1; y < s.h; y++ {
					s.erase(y, 0)
				}
			case 'l', 'h': // modes: not drawn
			default:
				t.Fatalf("the renderer wrote %q, which this screen does not know", seq)
			}
		case width > 0:
			if s.x+width > s.w {
				t.Fatalf("%q written past the right edge at %d,%d", seq, s.x, s.y)
			}
			s.cells[s.y][s.x] = cell{text: seq, pen: s.pen}
			for i := 1; i < width; i++ {
				s.cells[s.y][s.x+i] = cell{pen: s.pen}
			}
			s.x += width
		}
	}
}

func (s *screen) String() string {
	var b strings.Builder
	for _, row := range s.cells {
		fmt.Fprintf(&b, "%v\n", row)
	}
	return b.String()
}

// run is a piece of a line: a style, a word, and whether it resets after.
type run struct {
	style, word string
	reset       bool
}

var (
	words  = []string{"a", "bc", "def", "界", "😀", " ", "99.9", "x"}
	styles = []string{"", "\x1b[1m", "\x1b[38;2;10;200;30m", "\x1b[48;5;21m\x1b[31m", "\x1b[7m", "\x1b[22;39m", "\x1b[48;2;0;0;0m", "\x1b[2m"}
)

func randomRun(r *rand.Rand) run {
	// Half the styled runs leave their style on, as half-block pictures do.
	return run{styles[r.Intn(len(styles))], words[r.Intn(len(words))], r.Intn(2) == 0}
}

// randomLine is up to w cells of runs: colours, bold, wide characters;
// some lines are empty.
func randomLine(r *rand.Rand, w int) []run {
	var l []run
	for n, cells := r.Intn(w+1), 0; cells < n; {
		x := randomRun(r)
		l = append(l, x)
		cells += ansi.StringWidth(x.word)
	}
	return l
}

// text writes a line; it ends with a reset, as lipgloss and the half
// blocks write them (one that does not is written whole, see
// TestChangedCellsWriteLittle).
func text(l []run) string {
	var b strings.Builder
	for _, x := range l {
		b.WriteString(x.style + x.word)
		if x.reset {
			b.WriteString("\x1b[0m")
		}
	}
	return b.String() + "\x1b[0m"
}

// mutate changes a line a little, as a sweep does: a run replaced, one
// gone, one added at the end, or the last ones cut.
func mutate(r *rand.Rand, l []run) []run {
	l = append([]run(nil), l...)
	switch k := r.Intn(4); {
	case len(l) == 0 || k == 0:
		return append(l, randomRun(r))
	case k == 1:
		l[r.Intn(len(l))] = randomRun(r)
	case k == 2:
		i := r.Intn(len(l))
		l = append(l[:i], l[i+1:]...)
	default:
		l = l[:r.Intn(len(l))]
	}
	return l
}

// After any frame, a frame drawn cell by cell over it leaves on the
// terminal exactly what drawing it on an empty terminal does: over a
// random frame, and over one that differs a little.
func TestChangedCellsLeaveTheFrameAFullDrawWould(t *testing.T) {
	const w, h = 24, 6
	r := rand.New(rand.NewSource(1))
	render := func(frames ...[][]run) *screen {
		var out lockedBuffer
		rd := newRenderer(&out, false, 60).(*standardRenderer)
		rd.width, rd.height, rd.altScreenActive = w, h, true
		for _, f := range frames {
			lines := make([]string, len(f))
			for i, l := range f {
				lines[i] = text(l)
			}
			rd.write(strings.Join(lines, "\n"))
			rd.flush()
		}
		s := newScreen(w, h)
		s.feed(t, out.String())
		return s
	}
	diffed := 0
	for round := range 500 {
		a, b := make([][]run, h), make([][]run, h)
		for i := range a {
			a[i] = randomLine(r, w+4) // some wider than the terminal
			b[i] = randomLine(r, w+4)
			if round%4 != 0 {
				b[i] = a[i]
				if r.Intn(2) == 0 {
					b[i] = mutate(r, a[i])
				}
			}
		}
		full, over := render(b), render(a, b)
		if full.String() != over.String() {
			t.Fatalf("round %d: drawn over\n%v\nthe frame\n%v\nleaves\n%s\nwhere a full draw leaves\n%s", round, a, b, over, full)
		}
		for i := range a {
			if _, ok := changedCells(text(a[i]), text(b[i])); ok && similar(text(a[i]), text(b[i])) {
				diffed++
			}
		}
	}
	if diffed < 500 {
		t.Fatalf("only %d lines went cell by cell", diffed)
	}
}

// One changed figure in a wide row costs its cells, not the row.
func TestChangedCellsWriteLittle(t *testing.T) {
	row := func(cpu string) string {
		return "\x1b[1mrunning\x1b[0m  web-01  " + strings.Repeat("\x1b[38;2;1;2;3m·\x1b[0m", 150) + "  \x1b[32m" + cpu + "\x1b[0m"
	}
	seg, ok := changedCells(row("12.5"), row("12.7"))
	if !ok || len(seg) > 20 || !strings.Contains(seg, "7") {
		t.Fatalf("one digit changed: %q (%d bytes) written", seg, len(seg))
	}
	// A line that leaves a style on, or moves the cursor, is written whole.
	for _, l := range []string{"\x1b[1mbold", "a\x1b[2Cb", "\x1b]8;;http://x\x07a\x1b]8;;\x07"} {
		if _, ok := changedCells(l, l+"x"); ok {
			t.Errorf("%q was split into cells", l)
		}
	}
}

// A style has one spelling however it was reached.
func TestSGRSpelling(t *testing.T) {
	for _, c := range []struct {
		seqs []string
		want string
	}{
		{[]string{"1", "31"}, "\x1b[31;1m"},
		{[]string{"31;1"}, "\x1b[31;1m"},
		{[]string{"38;2;1;2;3", "48;5;21", "39"}, "\x1b[48;5;21m"},
		{[]string{"7", "0", "4:3"}, "\x1b[4:3m"},
		{[]string{"1", "22", ""}, ""},
		{[]string{"2", "1"}, "\x1b[1;2m"}, // bold and faint together
		{[]string{"1;2", "22"}, ""},
	} {
		var p sgr
		for _, s := range c.seqs {
			if !p.apply(s) {
				t.Fatalf("%q refused", s)
			}
		}
		if p.String() != c.want {
			t.Errorf("%q: %q, want %q", c.seqs, p.String(), c.want)
		}
	}
	var p sgr
	if p.apply("38;2;1") || p.apply("53") {
		t.Error("a short colour or an unknown attribute was taken")
	}
}

// A 200-column row of half blocks, each cell its own colours, one cell
// changed: what the screen view's blinking cursor costs a frame.
func BenchmarkChangedCellsHalfBlocks(b *testing.B) {
	row := func(x int) string {
		var s strings.Builder
		for i := range 200 {
			c := (i * 37) % 256
			if i == x {
				c = 255 - c
			}
			fmt.Fprintf(&s, "\x1b[38;2;%d;%d;%dm\x1b[48;2;%d;0;0m▀", c, c, c, c)
		}
		return s.String() + "\x1b[0m"
	}
	old, now := row(-1), row(100)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := changedCells(old, now); !ok {
			b.Fatal("not split")
		}
	}
}

// halfBlockFrame is a 200x50 picture in half blocks, each cell its own
// colours as the screen view draws them; invert swaps every colour, shift
// scrolls it a line.
func halfBlockFrame(invert bool, shift int) string {
	lines := make([]string, 50)
	for y := range lines {
		var s strings.Builder
		for x := range 200 {
			c := ((y+shift)*7 + x*13) % 256
			if (x/5+y+shift)%3 == 0 {
				c = 0 // runs of one colour, as text on a plain background
			}
			if invert {
				c = 255 - c
			}
			fmt.Fprintf(&s, "\x1b[38;2;%d;%d;%dm\x1b[48;2;%d;%d;%dm▀", c, c, c, c/2, c/2, c/2)
		}
		lines[y] = s.String() + "\x1b[0m"
	}
	return strings.Join(lines, "\n")
}

// A flush of a 200x50 picture after another: every cell changed, or the
// picture scrolled a line; cells: false writes changed lines whole, as
// upstream does.
func BenchmarkFlushHalfBlocks(b *testing.B) {
	for _, c := range []struct {
		name string
		next string
	}{{"whole", halfBlockFrame(true, 0)}, {"scroll", halfBlockFrame(false, 1)}} {
		for _, cells := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/cells=%v", c.name, cells), func(b *testing.B) {
				var out countingWriter
				r := newRenderer(&out, false, 60).(*standardRenderer)
				r.width, r.height, r.altScreenActive = 200, 50, true
				frames := []string{halfBlockFrame(false, 0), c.next}
				for i := 0; b.Loop(); i++ {
					if !cells {
						r.skipCells = make([]int, 50)
						for j := range r.skipCells {
							r.skipCells[j] = 1 << 30
						}
					}
					r.write(frames[i%2])
					r.flush()
				}
				b.ReportMetric(float64(out.n)/float64(b.N), "B/frame")
			})
		}
	}
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
