package termimg

import (
	"image"
	"strconv"
	"strings"
)

// Sixel is px (a picture or a part of one) as a DEC sixel image (xterm
// -ti vt340, foot, WezTerm, mlterm, konsole, Windows Terminal, tmux built
// with sixel), drawn at the cursor: bands of six pixel rows, each colour
// of a band one run-length coded row of six-bit columns. A picture of at
// most 256 colours (VGA text mode has 16) keeps its colours; a richer one
// is brought to xterm's 240 (the cube and the greys).
func Sixel(px *image.RGBA) string {
	w, h := px.Bounds().Dx(), px.Bounds().Dy()
	pal, idx, _ := palette(px)
	var sb strings.Builder
	sb.Grow(w * h / 4)
	// P2=1: pixels no colour sets keep what is under them (all are set).
	sb.WriteString("\x1bP0;1;0q\"1;1;" + strconv.Itoa(w) + ";" + strconv.Itoa(h))
	for i, c := range pal {
		sb.WriteString("#" + strconv.Itoa(i) + ";2;" + strconv.Itoa(percent(c.R)) + ";" + strconv.Itoa(percent(c.G)) + ";" + strconv.Itoa(percent(c.B)))
	}
	var (
		slot  [256]int // a colour's row in bits this band, +1 (0: unused)
		used  []int    // the band's colours, in order of first use
		bits  [][]byte // per used colour: its six-bit columns
		first []int    // per used colour: its first and last column
		last  []int
	)
	for y0 := 0; y0 < h; y0 += 6 {
		used = used[:0]
		// Row by row, in runs of a colour: the band's six rows each
		// set their bit in the columns of their colours.
		for dy := range min(6, h-y0) {
			line := idx[(y0+dy)*w:][:w]
			bit := byte(1) << dy
			var col []byte // the run's colour's columns
			s := -1
			for x, c := range line {
				if s < 0 || int(c) != used[s] {
					if s >= 0 {
						last[s] = max(last[s], x-1)
					}
					if s = slot[c] - 1; s < 0 {
						s = len(used)
						slot[c] = s + 1
						used = append(used, int(c))
						if s == len(bits) {
							bits, first, last = append(bits, make([]byte, w)), append(first, 0), append(last, 0)
						}
						clear(bits[s])
						first[s], last[s] = x, x
					}
					first[s] = min(first[s], x)
					col = bits[s]
				}
				col[x] |= bit
			}
			last[s] = w - 1
		}
		for s, c := range used {
			sb.WriteString("#" + strconv.Itoa(c))
			sixelRun(&sb, 0, first[s]) // blank up to the colour's first column
			run, n := bits[s][first[s]], 0
			for _, b := range bits[s][first[s] : last[s]+1] {
				if b != run {
					sixelRun(&sb, run, n)
					run, n = b, 0
				}
				n++
			}
			sixelRun(&sb, run, n)
			sb.WriteByte('$') // back to the band's start for the next colour
			slot[c] = 0
		}
		sb.WriteByte('-')
	}
	sb.WriteString("\x1b\\")
	return sb.String()
}

// sixelRun writes n columns of the six bits b, repeated with ! when that
// is shorter.
func sixelRun(sb *strings.Builder, b byte, n int) {
	ch := string(rune('?' + b))
	if n > 3 {
		sb.WriteString("!" + strconv.Itoa(n) + ch)
		return
	}
	for range n {
		sb.WriteString(ch)
	}
}

// percent is a colour channel as sixel's 0–100.
func percent(v uint8) int { return (int(v)*100 + 127) / 255 }

// ChangedCells is the part of a picture that differs between old and new
// (of one size), widened to whole cells of cw×ch pixels from its top
// left: what a sixel patch redraws. Empty when nothing changed.
func ChangedCells(old, new *image.RGBA, cw, ch int) image.Rectangle {
	b := new.Bounds()
	if old.Bounds() != b {
		return b
	}
	var r image.Rectangle
	for y := b.Min.Y; y < b.Max.Y; y++ {
		o := old.Pix[old.PixOffset(b.Min.X, y):old.PixOffset(b.Max.X, y)]
		n := new.Pix[new.PixOffset(b.Min.X, y):new.PixOffset(b.Max.X, y)]
		if string(o) == string(n) {
			continue
		}
		x0, x1 := 0, len(n)/4
		for x0 < x1 && string(o[4*x0:4*x0+4]) == string(n[4*x0:4*x0+4]) {
			x0++
		}
		for x1 > x0 && string(o[4*x1-4:4*x1]) == string(n[4*x1-4:4*x1]) {
			x1--
		}
		r = r.Union(image.Rect(b.Min.X+x0, y, b.Min.X+x1, y+1))
	}
	if r.Empty() {
		return r
	}
	r.Min.X, r.Min.Y = r.Min.X/cw*cw, r.Min.Y/ch*ch
	r.Max.X, r.Max.Y = (r.Max.X+cw-1)/cw*cw, (r.Max.Y+ch-1)/ch*ch
	return r.Intersect(b)
}
