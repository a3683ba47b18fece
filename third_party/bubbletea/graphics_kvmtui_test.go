package tea

import (
	"strings"
	"testing"
)

// kvmtui's patch: a picture is written after the frame at its place, again
// only when text is written over it, and cleared with a repaint.
func TestGraphicDrawnAfterTheFrameAndAgainWhenOverwritten(t *testing.T) {
	out := &lockedBuffer{}
	r := newRenderer(out, false, maxFPS).(*standardRenderer)
	r.altScreenActive = true
	frame := func(view string) string {
		t.Helper()
		before := len(out.String())
		r.write(view)
		r.flush()
		return out.String()[before:]
	}
	picture := func() string { return "<PICTURE>" }
	view := "title\n\n\n\nhints"
	frame(view)
	r.handleMessages(graphicMsg{g: Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture}})
	got := frame(view)
	if want := "\x1b[2;5H<PICTURE>\x1b[5;H"; got != want {
		t.Fatalf("the picture alone: %q, want %q", got, want)
	}
	if got := frame(view); got != "" {
		t.Errorf("an unchanged frame wrote %q", got)
	}
	if got := frame("title 2\n\n\n\nhints"); strings.Contains(got, "<PICTURE>") {
		t.Errorf("a line beside the picture changed, and it was drawn again: %q", got)
	}
	if got := frame("title 2\n\nover it\n\nhints"); !strings.HasSuffix(got, "\x1b[2;5H<PICTURE>\x1b[5;H") {
		t.Errorf("text written over the picture, and it was not drawn again: %q", got)
	}
	r.handleMessages(ClearGraphic("<DELETE>")())
	got = frame("title 2\n\nover it\n\nhints")
	if strings.Count(got, "<DELETE>") != 1 || strings.Contains(got, "<PICTURE>") || !strings.Contains(got, "title 2") {
		t.Errorf("clearing: %q (want the delete once, the view repainted, no picture)", got)
	}
	if got := frame("title 2\n\nover it again\n\nhints"); strings.Contains(got, "<") {
		t.Errorf("a cleared picture came back: %q", got)
	}
	// A patch is drawn at its place; two before a flush become the whole.
	r.handleMessages(SetGraphic(Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture})())
	frame("title 3\n\n\n\nhints")
	r.handleMessages(SetGraphic(Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture, Patch: "<PATCH 1>", PatchRow: 2, PatchCol: 6})())
	if got := frame("title 3\n\n\n\nhints"); got != "\x1b[3;7H<PATCH 1>\x1b[5;H" {
		t.Errorf("a patch: %q", got)
	}
	r.handleMessages(SetGraphic(Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture, Patch: "<PATCH 2>", PatchRow: 2, PatchCol: 6})())
	r.handleMessages(SetGraphic(Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture, Patch: "<PATCH 3>", PatchRow: 3, PatchCol: 6})())
	if got := frame("title 3\n\n\n\nhints"); got != "\x1b[2;5H<PICTURE>\x1b[5;H" {
		t.Errorf("two patches before a flush: %q, want the whole picture", got)
	}

	// A dialog over the picture shows: the picture waits until its lines
	// are its own again, and is then drawn whole.
	under := []string{"", "", ""}
	frame("title 4\n\n\n\nhints")
	r.handleMessages(SetGraphic(Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture, Under: under})())
	frame("title 4\n\n\n\nhints")
	if got := frame("title 4\n\n[ password? ]\n\nhints"); strings.Contains(got, "<") {
		t.Errorf("the picture was drawn over a dialog: %q", got)
	}
	r.handleMessages(SetGraphic(Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture, Under: under, Patch: "<PATCH>", PatchRow: 2})())
	if got := frame("title 4\n\n[ password? ]\n\nhints"); strings.Contains(got, "<") {
		t.Errorf("a patch was drawn over a dialog: %q", got)
	}
	if got := frame("title 4\n\n\n\nhints"); !strings.HasSuffix(got, "\x1b[2;5H<PICTURE>\x1b[5;H") {
		t.Errorf("the dialog closed, and the picture was not drawn whole: %q", got)
	}

	// A picture above the text (kitty's direct placement) is taken away
	// while a dialog is over it, once.
	r.handleMessages(SetGraphic(Graphic{Row: 1, Col: 4, Rows: 3, Seq: picture, Under: under, Hide: "<HIDE>"})())
	frame("title 5\n\n\n\nhints")
	if got := frame("title 5\n\n[ password? ]\n\nhints"); strings.Count(got, "<HIDE>") != 1 || strings.Contains(got, "<PICTURE>") {
		t.Errorf("a dialog over a floating picture: %q, want it hidden once", got)
	}
	if got := frame("title 5\n\n[ password?? ]\n\nhints"); strings.Contains(got, "<") {
		t.Errorf("the dialog changed: %q", got)
	}
	if got := frame("title 5\n\n\n\nhints"); !strings.HasSuffix(got, "\x1b[2;5H<PICTURE>\x1b[5;H") || strings.Contains(got, "<HIDE>") {
		t.Errorf("the dialog closed, and the floating picture was not drawn whole: %q", got)
	}

	r.handleMessages(graphicMsg{g: Graphic{Row: 1, Rows: 3, Seq: picture}})
	r.handleMessages(WindowSizeMsg{Width: 40, Height: 10})
	if got := frame("title 2\n\nover it again\n\nhints"); strings.Contains(got, "<PICTURE>") {
		t.Errorf("a picture drawn for the old size came back after a resize: %q", got)
	}
}
