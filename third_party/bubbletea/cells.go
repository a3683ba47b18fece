package tea

// kvmtui's patch: a changed line is redrawn from its first changed cell to
// its last, not whole. A list row whose CPU figure moved costs those
// cells; a blinking cursor in the screen view two.

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// cell is one column of a rendered line: the grapheme printed there ("" for
// the right half of a wide one) and its graphic rendition.
type cell struct {
	text string
	pen  sgr
}

// lineCells splits a line into cells. ok is false when the line holds an
// escape sequence other than SGR (cursor movement, a hyperlink), an SGR
// attribute sgr does not know or a control character, or ends with a style
// in force (it would colour what follows): such a line is written whole.
func lineCells(s string) (cells []cell, ok bool) {
	var pen sgr
	var state byte
	cells = make([]cell, 0, min(len(s), 256))
	for len(s) > 0 {
		seq, width, n, next := ansi.DecodeSequence(s, state, nil)
		state, s = next, s[n:]
		switch {
		case seq == "":
			return nil, false
		case seq[0] == ansi.ESC:
			if !isSGR(seq) || !pen.apply(seq[2:len(seq)-1]) {
				return nil, false
			}
		case width == 0:
			if seq[0] < 0x20 || seq[0] == 0x7f || len(cells) == 0 {
				return nil, false
			}
			cells[len(cells)-1].text += seq // a zero-width mark joins its cell
		default:
			cells = append(cells, cell{text: seq, pen: pen})
			for range width - 1 {
				cells = append(cells, cell{pen: pen})
			}
		}
	}
	return cells, pen == sgr{}
}

// sgr is the graphic rendition in force: a slot per kind of attribute, each
// holding the parameters that set it, so that a style has one spelling
// however it was reached.
type sgr [sgrSlots]string

const (
	slotFg = iota
	slotBg
	slotUnderlineColor
	slotBold
	slotFaint
	slotItalic
	slotUnderline
	slotBlink
	slotReverse
	slotConceal
	slotStrike
	sgrSlots
)

// apply applies an SGR's parameters; false for one it does not know. The
// slots keep slices of params: nothing is allocated.
func (p *sgr) apply(params string) bool {
	pos := 0 // the next field's start; past the end when there is none
	next := func() (field string, start int, ok bool) {
		if pos > len(params) {
			return "", 0, false
		}
		start = pos
		if j := strings.IndexByte(params[pos:], ';'); j >= 0 {
			pos += j + 1
			return params[start : pos-1], start, true
		}
		pos = len(params) + 1
		return params[start:], start, true
	}
	for {
		field, start, ok := next()
		if !ok {
			return true
		}
		code, sub, _ := strings.Cut(field, ":")
		n := 0
		if code != "" {
			var err error
			if n, err = strconv.Atoi(code); err != nil {
				return false
			}
		}
		switch {
		case n == 0:
			*p = sgr{}
		case n == 1:
			p[slotBold] = code
		case n == 2:
			p[slotFaint] = code
		case n == 22:
			p[slotBold], p[slotFaint] = "", ""
		case n == 4:
			p[slotUnderline] = field // 4, or 4:3 (curly)
		case n == 3 || n == 5 || n == 6 || n == 7 || n == 8 || n == 9:
			p[onOffSlot(n)] = code
		case n == 23 || n == 24 || n == 25 || n == 27 || n == 28 || n == 29:
			p[onOffSlot(n-20)] = ""
		case n >= 30 && n <= 37, n >= 90 && n <= 97:
			p[slotFg] = code
		case n == 39:
			p[slotFg] = ""
		case n >= 40 && n <= 47, n >= 100 && n <= 107:
			p[slotBg] = code
		case n == 49:
			p[slotBg] = ""
		case n == 59:
			p[slotUnderlineColor] = ""
		case n == 38 || n == 48 || n == 58:
			if sub != "" { // 38:2::r:g:b and the like: one field
				p[colorSlot(n)] = field
				continue
			}
			// 38;5;n or 38;2;r;g;b: the colour's fields follow.
			kind, _, _ := next()
			take := 0
			switch kind {
			case "5":
				take = 1
			case "2":
				take = 3
			}
			for range take {
				if _, _, ok := next(); !ok {
					return false
				}
			}
			if take == 0 {
				return false
			}
			p[colorSlot(n)] = params[start:min(pos-1, len(params))]
		default:
			return false
		}
	}
}

// onOffSlot is the slot of the attributes 3, 4, 5, 6, 7, 8 and 9.
func onOffSlot(n int) int {
	switch n {
	case 3:
		return slotItalic
	case 4:
		return slotUnderline
	case 5, 6:
		return slotBlink
	case 7:
		return slotReverse
	case 8:
		return slotConceal
	}
	return slotStrike
}

func colorSlot(n int) int {
	switch n {
	case 38:
		return slotFg
	case 48:
		return slotBg
	}
	return slotUnderlineColor
}

// String is the SGR that sets p from a reset ("" for none).
func (p sgr) String() string {
	var set []string
	for _, v := range p {
		if v != "" {
			set = append(set, v)
		}
	}
	if len(set) == 0 {
		return ""
	}
	return "\x1b[" + strings.Join(set, ";") + "m"
}

// isSGR reports whether seq is a Select Graphic Rendition sequence.
func isSGR(seq string) bool {
	if len(seq) < 3 || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return false
	}
	for _, c := range []byte(seq[2 : len(seq)-1]) {
		if (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}

// cellsRetry is how many flushes a line is written whole after splitting
// it into cells saved little (a picture whose every cell changes): the
// split costs CPU, and such a line tends to keep changing whole.
const cellsRetry = 32

// cellsWorth reports whether line i is worth splitting into cells now.
func (r *standardRenderer) cellsWorth(i int) bool {
	for len(r.skipCells) <= i {
		r.skipCells = append(r.skipCells, 0)
	}
	if r.skipCells[i] > 0 {
		r.skipCells[i]--
		return false
	}
	return true
}

// similar is a cheap test of whether two lines share most of their bytes
// (a common start and end): only then are they split into cells.
func similar(a, b string) bool {
	n := min(len(a), len(b))
	pre := 0
	for pre < n && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < n-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	return 2*(pre+suf) >= max(len(a), len(b))
}

// changedCells is what rewrites the line old as now, the cursor at its
// start: a move to the first changed column, the cells up to the last
// changed one, and an erase when now is the shorter. ok is false when
// either line cannot be split into cells.
func changedCells(old, now string) (out string, ok bool) {
	oc, ok1 := lineCells(old)
	nc, ok2 := lineCells(now)
	if !ok1 || !ok2 {
		return "", false
	}
	at := func(cs []cell, i int) (cell, bool) {
		if i < len(cs) {
			return cs[i], true
		}
		return cell{}, false
	}
	differ := func(i int) bool {
		o, okO := at(oc, i)
		n, okN := at(nc, i)
		return okO != okN || o != n
	}
	width := max(len(oc), len(nc))
	first := 0
	for first < width && !differ(first) {
		first++
	}
	if first == width {
		return "", true
	}
	last := width - 1
	for !differ(last) {
		last--
	}
	// first is never the right half of a wide grapheme: both halves carry
	// the same style, and the left half differs when the right one does.
	var b strings.Builder
	b.WriteString("\x1b[" + strconv.Itoa(first+1) + "G")
	// The pen at the line's start is not known: it is set at the first cell.
	for i := first; i <= last && i < len(nc); i++ {
		c := nc[i]
		if c.text == "" {
			continue // written with its left half
		}
		if i == first || c.pen != nc[i-1].pen {
			b.WriteString("\x1b[0m" + c.pen.String())
		}
		b.WriteString(c.text)
	}
	if first < min(last+1, len(nc)) && nc[min(last, len(nc)-1)].pen != (sgr{}) {
		b.WriteString("\x1b[0m")
	}
	if len(nc) < len(oc) {
		b.WriteString(ansi.EraseLineRight)
	}
	return b.String(), true
}
