package details

import (
	"image"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/console"
	"kvmtui/libvirtx"
	"kvmtui/termimg"
	"kvmtui/tui/widget"
)

// The Overview of a running VM with a display shows a small picture of
// its screen (libvirt's screenshot, any display, any host): taken when the
// page loads, then again on a stats sweep once it is thumbEvery old, while
// the Overview is the node shown. The sweep is the clock so that a page
// keeps no timer of its own.

const (
	thumbEvery = 5 * time.Second
	thumbCols  = 40 // at most: it sits in the right pane, below the form
	thumbRows  = 8
)

// thumbMsg is a screenshot for the page of generation gen.
type thumbMsg struct {
	gen int
	img image.Image
	err error
}

// hasScreen: the VM runs and has a display to take a picture of.
func (d *Page) hasScreen() bool {
	return d.dom.State == libvirtx.StateRunning && d.def != nil && d.def.Devices != nil && len(d.def.Devices.Graphics) > 0
}

// shoot takes a screenshot when the Overview is shown and none is under way.
func (d *Page) shoot() tea.Cmd {
	if d.shooting || !d.hasScreen() || len(d.nodes) == 0 || d.nodes[d.cursor].kind != nodeOverview {
		return nil
	}
	d.shooting, d.shotAt = true, time.Now()
	mgr, ref, gen := d.ctx.Mgr, d.dom.Ref, d.gen
	return func() tea.Msg {
		b, mime, err := mgr.Screenshot(ref, 0)
		if err != nil {
			return thumbMsg{gen: gen, err: err}
		}
		_, img, err := console.ToPNG(b, mime)
		return thumbMsg{gen: gen, img: img, err: err}
	}
}

// shootIfOld is shoot once the picture is thumbEvery old.
func (d *Page) shootIfOld() tea.Cmd {
	if time.Since(d.shotAt) < thumbEvery {
		return nil
	}
	return d.shoot()
}

// thumbTaken keeps the picture; View draws it to the room it has.
func (d *Page) thumbTaken(msg thumbMsg) {
	d.shooting = false
	if msg.gen != d.gen {
		return
	}
	d.shot, d.thumb = nil, thumb{}
	if msg.err == nil {
		d.shot = msg.img
	}
}

// thumb is the picture drawn for one room, kept until the room changes.
type thumb struct {
	cols, rows int
	lines      []string
}

// thumbLines draws the screenshot in at most cols×rows cells.
func (d *Page) thumbLines(cols, rows int) []string {
	if d.shot == nil || cols < 8 || rows < 3 {
		return nil
	}
	cols, rows = min(cols, thumbCols), min(rows, thumbRows)
	if d.thumb.lines == nil || d.thumb.cols != cols || d.thumb.rows != rows {
		lines, _ := termimg.Draw(d.shot, cols, rows, widget.TermColors())
		d.thumb = thumb{cols, rows, lines}
	}
	return d.thumb.lines
}
