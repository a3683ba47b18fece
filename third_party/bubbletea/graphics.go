package tea

import (
	"bytes"

	"github.com/charmbracelet/x/ansi"
)

// kvmtui's patch: a picture in a terminal graphics protocol (sixel,
// kitty's) drawn over the view. The view leaves the picture's cells blank
// (sixel) or fills them with placeholder text (kitty's Unicode
// placeholders); the renderer writes the picture's escape sequence after
// the frame, outside the line diffing that would mangle it.

// Graphic is a picture drawn with the cursor at Row, Col (cells from the
// view's top left, in the alternate screen). Rows is how many lines it
// covers: a sixel picture is pixels of the text it covers, erased when
// text is written there, so when the renderer rewrites any of those lines
// it draws the picture again. Rows 0: written once (kitty's pictures live
// apart from the text).
type Graphic struct {
	Row, Col, Rows int
	// Seq is the whole picture's escape sequence, asked for when it is
	// drawn whole.
	Seq func() string
	// Patch, when set, is drawn now in the whole picture's stead, with the
	// cursor at PatchRow, PatchCol: the part of the picture that changed
	// since the last one. Patches that come faster than frames are drawn
	// become one whole picture.
	Patch              string
	PatchRow, PatchCol int
	// Under are the view's lines the picture covers, as the program
	// draws them (blank): when other text is there — a dialog drawn over
	// the view — the picture is not drawn, so the text shows, until the
	// lines are Under again.
	Under []string
	// Hide, when set, is written as text comes over the picture: a
	// picture that floats above the text (kitty's direct placements) is
	// taken away for it.
	Hide string
}

type graphicMsg struct {
	g     Graphic
	clear bool   // forget the picture
	once  string // with clear: written once
}

// SetGraphic draws g with the next frame, in place of the picture before.
func SetGraphic(g Graphic) Cmd {
	return func() Msg { return graphicMsg{g: g} }
}

// GraphicIn is the picture msg draws, when it is SetGraphic's (for a
// program's tests: what a page asked to draw).
func GraphicIn(msg Msg) (Graphic, bool) {
	m, ok := msg.(graphicMsg)
	return m.g, ok && !m.clear
}

// ClearGraphic forgets the picture, writes seq once (kitty's delete, say)
// and repaints the view, which erases a sixel picture's pixels.
func ClearGraphic(seq string) Cmd {
	return func() Msg { return graphicMsg{clear: true, once: seq} }
}

// setGraphic takes a graphicMsg; the caller holds the lock.
func (r *standardRenderer) setGraphic(m graphicMsg) {
	if m.clear {
		r.forgetGraphic()
		r.graphicOnce += m.once
		r.repaint()
		return
	}
	if m.g.Patch == "" || r.patchDue { // a patch not drawn yet: this one alone would lose it
		r.graphicDue = true
	}
	r.graphic, r.patchDue = m.g, m.g.Patch != ""
	r.graphicOnce += r.hideGraphic(r.lastRenderedLines)
	r.changed()
}

// forgetGraphic drops the picture and what was due of it.
func (r *standardRenderer) forgetGraphic() {
	r.graphic, r.graphicDue, r.patchDue = Graphic{}, false, false
}

// covers is whether line i is under the picture.
func (r *standardRenderer) covers(i int) bool {
	g := r.graphic
	return g.Seq != nil && i >= g.Row && i < g.Row+g.Rows
}

// graphicUnder is whether the lines under the picture are its own.
func (r *standardRenderer) graphicUnder(lines []string) bool {
	g := r.graphic
	for i, u := range g.Under {
		if g.Row+i >= len(lines) || lines[g.Row+i] != u {
			return false
		}
	}
	return true
}

// hideGraphic notes whether text is over the picture in lines, and is
// its Hide as the text comes.
func (r *standardRenderer) hideGraphic(lines []string) string {
	was := r.graphicHidden
	r.graphicHidden = !r.graphicUnder(lines)
	if r.graphicHidden && !was && r.graphic.Seq != nil && r.altScreenActive {
		return r.graphic.Hide
	}
	return ""
}

// writeGraphic appends what is due: the one-off sequence, the picture
// whole or its patch; then the cursor goes back where the frame left it.
func (r *standardRenderer) writeGraphic(buf *bytes.Buffer) {
	g, whole, patch := r.graphic, r.graphicDue, r.patchDue
	r.graphicDue, r.patchDue = false, false
	if !r.altScreenActive {
		r.graphicOnce = ""
		return
	}
	buf.WriteString(r.graphicOnce)
	r.graphicOnce = ""
	switch {
	case r.graphicHidden: // drawn whole once its lines are its own again
		return
	case whole && g.Seq != nil:
		buf.WriteString(ansi.CursorPosition(g.Col+1, g.Row+1))
		buf.WriteString(g.Seq())
	case patch:
		buf.WriteString(ansi.CursorPosition(g.PatchCol+1, g.PatchRow+1))
		buf.WriteString(g.Patch)
	default:
		return
	}
	buf.WriteString(ansi.CursorPosition(0, r.lastLinesRendered()))
}
