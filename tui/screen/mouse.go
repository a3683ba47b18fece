package screen

import (
	tea "github.com/charmbracelet/bubbletea"
)

// The mouse, on a live VNC source: the terminal reports presses, drags,
// releases and the wheel by cell (tea.EnableMouseCellMotion while the page
// is open), and each becomes an RFB pointer event at the middle of the
// part of the guest's screen that cell shows. libvirt has no call for the
// pointer, so the screenshot source does without.

// RFB's button bits.
var buttonBits = map[tea.MouseButton]uint8{
	tea.MouseButtonLeft: 1, tea.MouseButtonMiddle: 2, tea.MouseButtonRight: 4,
	tea.MouseButtonWheelUp: 8, tea.MouseButtonWheelDown: 16,
	tea.MouseButtonWheelLeft: 32, tea.MouseButtonWheelRight: 64,
}

// imageTop is the terminal row of the picture's first line: the title
// line, then the page's own line saying what the picture is.
const imageTop = 2

// guestPoint is the guest pixel under the terminal cell x, y; ok is false
// outside the picture (then x, y are the nearest point on it).
func (p *Page) guestPoint(x, y int) (gx, gy int, ok bool) {
	rows := len(p.lines)
	if p.frame == nil || rows == 0 || p.cols == 0 {
		return 0, 0, false
	}
	col, row := x-max((p.ctx.Width-p.cols)/2, 0), y-imageTop
	ok = col >= 0 && col < p.cols && row >= 0 && row < rows
	col, row = min(max(col, 0), p.cols-1), min(max(row, 0), rows-1)
	b := p.frame.Bounds()
	// The middle of the cell: half a cell is one pixel row of the two a
	// half block shows, half a column.
	return (2*col + 1) * b.Dx() / (2 * p.cols), (2*row + 1) * b.Dy() / (2 * rows), ok
}

// mouse sends what the terminal reported to the guest.
func (p *Page) mouse(msg tea.MouseMsg) tea.Cmd {
	c := p.client
	if c == nil || p.err != "" {
		return nil
	}
	x, y, inside := p.guestPoint(msg.X, msg.Y)
	bit := buttonBits[msg.Button]
	var masks []uint8
	switch {
	case tea.MouseEvent(msg).IsWheel():
		if !inside {
			return nil
		}
		masks = []uint8{p.buttons | bit, p.buttons} // a notch: pressed and let go
	case msg.Action == tea.MouseActionPress:
		if !inside {
			return nil
		}
		p.buttons |= bit
		masks = []uint8{p.buttons}
	case msg.Action == tea.MouseActionRelease:
		// Terminals without SGR reporting do not say which button went up.
		if bit == 0 {
			p.buttons = 0
		}
		p.buttons &^= bit
		masks = []uint8{p.buttons}
	default: // motion: reported only while a button is held (a drag)
		masks = []uint8{p.buttons}
	}
	return p.inOrder(func() tea.Msg {
		for _, m := range masks {
			c.Pointer(x, y, m)
		}
		return nil
	})
}
