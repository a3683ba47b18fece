// Package screen is the guest's graphical screen inside the terminal (V on
// a running VM, :screen VM): its VNC display read with the rfb client
// (incremental updates: a still screen costs nothing) or, where kvmtui
// cannot reach the display itself (a remote host, SPICE), libvirt's
// screenshot once a second; drawn as a sixel or kitty picture where the
// terminal draws those (common.Context.Graphics), else in half blocks;
// aspect kept. Keys go to the guest; ctrl+] leaves.
package screen

import (
	"errors"
	"fmt"
	"image"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/console"
	"kvmtui/libvirtx"
	"kvmtui/rfb"
	"kvmtui/termimg"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"screen"},
		Usage: "screen [VM]",
		Desc:  "the VM's graphical screen in the terminal; keys go to the guest, ctrl+] leaves",
		Args:  (*common.Context).VMNames,
		Open:  Open,
		Help: func(*common.Context) []widget.Section {
			return []widget.Section{{Title: "Screen (V, :screen VM)", Lines: []string{
				"every key goes to the guest (ctrl+c too, a paste as typed); ctrl+g sends Ctrl+Alt+Del, Ctrl+Alt+Fn, Alt+Tab, Alt+F4, Super, Print; ctrl+] leaves",
				"VNC displays kvmtui can reach are live, and take the mouse (click, drag, wheel; shift+drag selects text in most terminals)",
				"others are libvirt screenshots, one a second, and keys only"}}}
		},
	})
}

// Page shows one VM's screen.
type Page struct {
	ctx     *common.Context
	dom     libvirtx.Domain
	client  *rfb.Client     // nil: the screenshot source
	tunnel  *console.Tunnel // the SSH tunnel to a remote host's loopback display, if one
	source  string
	frame   image.Image
	lines   []string // the frame drawn for the current size (see draw)
	cols    int      // the drawn frame's width in cells
	frames  []stamp  // the last frames', for the rate
	err     string
	combo   bool          // ctrl+g: the next key picks a combination to send
	buttons uint8         // the mouse buttons held, as RFB's bits (mouse.go)
	sent    chan struct{} // closed once the last input asked for is sent (inOrder)
	ch      chan tea.Msg
	done    chan struct{}

	// pictured is the graphics protocol of the picture the terminal shows
	// over lines (Blocks: none); shown is that picture, drawn at shownAt:
	// a new frame there draws only what changed (sixel; kitty where the
	// terminal paints edits).
	pictured termimg.Protocol
	shown    *image.RGBA
	shownAt  place
}

// stamp is when a frame came, and the bytes the VNC display had sent by
// then.
type stamp struct {
	at       time.Time
	received int64
}

// place is where a picture is: its cells, and the size in pixels a change
// is widened to (sixel's cell; 1x1 for kitty, which scales its picture to
// its cells).
type place struct {
	cells image.Rectangle
	cell  image.Point
}

type connectedMsg struct {
	p      *Page
	client *rfb.Client
	tunnel *console.Tunnel
	source string
	err    error
}

type frameMsg struct {
	p   *Page
	img image.Image
	err error
}

// Open connects to the named VM's display, else the selected one's.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	doms, err := ctx.Resolve(args)
	if err != nil {
		return nil, nil, fmt.Errorf("screen: %v", err)
	}
	d := doms[0]
	if !d.State.Active() {
		return nil, nil, fmt.Errorf("%s is %s: its screen shows once it runs", d.Name, widget.StateWord(d))
	}
	p := &Page{ctx: ctx, dom: d, ch: make(chan tea.Msg, 1), done: make(chan struct{})}
	return p, p.connect(), nil
}

// connect reads where the display listens and dials its VNC display: on
// this machine, at the address it listens on, or through an SSH tunnel to
// a remote host's loopback (as the graphical viewer does); otherwise, or
// when that fails, the screenshot source.
func (p *Page) connect() tea.Cmd {
	mgr, ref, readOnly := p.ctx.Mgr, p.dom.Ref, p.ctx.ReadOnly()
	return func() tea.Msg {
		xml, err := mgr.DomainXML(ref, false, !readOnly)
		if err != nil {
			return connectedMsg{p: p, err: err}
		}
		dv, err := console.ParseDevices(xml)
		if err != nil {
			return connectedMsg{p: p, err: err}
		}
		if len(dv.Displays) == 0 {
			return connectedMsg{p: p, err: errors.New(ref.Name + " has no display: add a VNC display and a video device (a in its details)")}
		}
		source := "libvirt screenshots"
		for _, d := range dv.Displays {
			if d.Type != "vnc" || d.Port <= 0 {
				continue
			}
			plan := console.PlanViewer(ref.URI, d, ref.Name)
			var t *console.Tunnel
			through := ""
			if plan.Tunnel != nil {
				if t, err = console.OpenTunnel(*plan.Tunnel, 15*time.Second); err != nil {
					source += " (" + err.Error() + ")"
					continue
				}
				plan.VV.Port, through = t.LocalPort, " through an SSH tunnel to "+plan.Tunnel.Remote.Dest()
			}
			addr := net.JoinHostPort(plan.VV.Host, strconv.Itoa(plan.VV.Port))
			conn, err := dial("tcp", addr, 5*time.Second)
			if err != nil {
				if t != nil {
					t.Close()
				}
				continue
			}
			c, err := rfb.Connect(conn, d.Password)
			if err != nil {
				if t != nil {
					t.Close()
				}
				return connectedMsg{p: p, err: err}
			}
			return connectedMsg{p: p, client: c, tunnel: t, source: "VNC " + addr + through}
		}
		return connectedMsg{p: p, source: source}
	}
}

// dial reaches a display (a test records what the client sends through it).
var dial = net.DialTimeout

// Title is the page's crumb.
func (p *Page) Title() string { return "Screen of " + p.dom.Name }

// Capturing: every key goes to the guest.
func (p *Page) Capturing() bool { return true }

// Close ends the connection when kvmtui exits.
func (p *Page) Close() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	if p.client != nil {
		p.client.Close()
	}
	if p.tunnel != nil {
		p.tunnel.Close()
	}
}

// Update takes frames and keys.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case connectedMsg:
		if msg.p != p {
			return nil
		}
		if msg.err != nil {
			p.err = msg.err.Error()
			return nil
		}
		p.client, p.tunnel, p.source = msg.client, msg.tunnel, msg.source
		select {
		case <-p.done: // left before it connected
			p.Close()
			return nil
		default:
		}
		if p.client != nil {
			go p.stream()
			return tea.Batch(p.wait(), tea.EnableMouseCellMotion)
		}
		go p.poll()
		return p.wait()
	case frameMsg:
		if msg.p != p {
			return nil
		}
		if msg.err != nil {
			p.err = msg.err.Error()
			return p.clearPicture()
		}
		p.frame = msg.img
		st := stamp{at: time.Now()}
		if p.client != nil {
			st.received = p.client.Received()
		}
		p.frames = append(p.frames, st)
		if len(p.frames) > 20 {
			p.frames = p.frames[1:]
		}
		return tea.Batch(p.draw(), p.wait())
	case tea.WindowSizeMsg:
		p.shown = nil // the renderer repaints: the picture is drawn whole
		return p.draw()
	case tea.KeyMsg:
		if msg.String() == "ctrl+]" {
			p.Close()
			leave := common.Pop
			if p.client != nil { // the mouse was turned on for it
				leave = tea.Batch(tea.DisableMouse, common.Pop)
			}
			// The picture goes first: popping may end kvmtui (kvmtui screen).
			return tea.Sequence(p.clearPicture(), leave)
		}
		return p.key(msg)
	case tea.MouseMsg:
		return p.mouse(msg)
	}
	return nil
}

func (p *Page) wait() tea.Cmd {
	ch, done := p.ch, p.done
	return func() tea.Msg {
		select {
		case m := <-ch:
			return m
		case <-done:
			return nil
		}
	}
}

// send hands the newest frame on, dropping one the UI has not taken yet.
func (p *Page) send(m frameMsg) {
	select {
	case <-p.ch:
	default:
	}
	select {
	case p.ch <- m:
	case <-p.done:
	}
}

// stream runs the VNC client: each update becomes the newest frame (the UI
// redraws at its own pace, never behind).
func (p *Page) stream() {
	err := p.client.Run(func(image.Rectangle) { p.send(frameMsg{p: p, img: p.client.Frame()}) })
	select {
	case <-p.done:
	default:
		p.send(frameMsg{p: p, err: fmt.Errorf("the display closed: %v", err)})
	}
}

// poll takes libvirt's screenshot once a second.
func (p *Page) poll() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		b, mime, err := p.ctx.Mgr.Screenshot(p.dom.Ref, 0)
		var img image.Image
		if err == nil {
			_, img, err = console.ToPNG(b, mime)
		}
		p.send(frameMsg{p: p, img: img, err: err})
		select {
		case <-p.done:
			return
		case <-tick.C:
		}
	}
}

// View is the frame, centred, and a line saying what it is.
func (p *Page) View() string {
	w, h := p.ctx.Width, p.ctx.BodyHeight()
	th := p.ctx.Theme
	var out []string
	switch {
	case p.err != "":
		out = append(out, th.Error.Render(widget.Fit(p.err, w)))
	case p.frame == nil:
		out = append(out, th.Dim.Render("connecting to the screen of "+p.dom.Name+"…"))
	case p.lines == nil:
		out = append(out, widget.Fit("too small for the screen", w))
	default:
		pad := strings.Repeat(" ", max((w-p.cols)/2, 0))
		b := p.frame.Bounds()
		drawn := ""
		if p.pictured != termimg.Blocks {
			drawn = " · " + p.pictured.String()
		}
		out = append(out, th.Dim.Render(widget.Fit(fmt.Sprintf("%dx%d · %s · %s%s", b.Dx(), b.Dy(), p.source, p.rate(), drawn), w)))
		for _, l := range p.lines {
			out = append(out, pad+l)
		}
	}
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out[:h], "\n")
}

// draw scales the newest frame to the page and renders it, once per frame
// or resize, so that View only joins lines: in half blocks, or as a
// picture the renderer writes over the lines (the terminal's graphics).
func (p *Page) draw() tea.Cmd {
	w, h := p.ctx.Width, p.ctx.BodyHeight()
	p.lines, p.cols = nil, 0
	if p.frame == nil || w < 10 || h < 4 || p.err != "" {
		return p.clearPicture()
	}
	g := p.ctx.Graphics
	if g.Protocol == termimg.Blocks {
		p.lines, p.cols = termimg.Draw(p.frame, w, h-1, widget.TermColors())
		return nil
	}
	cw, ch := g.CellSize()
	b := p.frame.Bounds()
	rows := h - 1
	if g.Protocol == termimg.KittyImage {
		rows = min(rows, termimg.KittyMaxRows)
	}
	cols, rows := termimg.FitCells(b.Dx(), b.Dy(), w, rows, cw, ch)
	// Never more pixels than the guest's: kitty scales the picture to the
	// cells itself; a sixel picture is drawn pixel for pixel, so a small
	// screen stays small and sharp, its cells those it covers.
	pw, ph := termimg.FitPixels(b.Dx(), b.Dy(), min(cols*cw, b.Dx()), min(rows*ch, b.Dy()))
	if g.Protocol == termimg.SixelImage {
		cols, rows = (pw+cw-1)/cw, (ph+ch-1)/ch
	}
	px := termimg.Resize(p.frame, pw, ph)
	p.cols, p.pictured = cols, g.Protocol
	pic := tea.Graphic{Row: imageTop, Col: max((w-cols)/2, 0)}
	if g.Protocol == termimg.KittyImage {
		return p.kitty(px, pic, cols, rows)
	}
	return p.sixel(px, pic, cols, rows, image.Pt(cw, ch))
}

// kitty shows px as kitty's picture over cols×rows cells, placeholders or
// blank under a direct placement (the picture kitty's to scale to them):
// whole where it is new or changed, but where the terminal paints edits
// (kitty itself) only the part that changed; nothing when nothing did (a
// screenshot a second of a still screen).
func (p *Page) kitty(px *image.RGBA, pic tea.Graphic, cols, rows int) tea.Cmd {
	tmux := p.ctx.Graphics.Tmux
	if p.ctx.Graphics.KittyDirect {
		// kitty before placeholders: the picture floats above blank
		// cells, taken away while a dialog is over them.
		p.blank(&pic, cols, rows)
		pic.Seq = func() string { return termimg.KittyPlace(px, kittyID, cols, rows, tmux) }
		pic.Hide = termimg.KittyHide(kittyID, tmux)
	} else {
		p.lines = termimg.KittyPlaceholders(kittyID, cols, rows)
		pic.Seq = func() string { return termimg.Kitty(px, kittyID, cols, rows, tmux) }
	}
	r, _ := p.news(px, place{image.Rect(pic.Col, pic.Row, pic.Col+cols, pic.Row+rows), image.Pt(1, 1)})
	switch {
	case r.Empty():
		return nil
	case r == px.Rect || !p.ctx.Graphics.KittyEdits:
		return tea.SetGraphic(pic)
	}
	pic.Patch = termimg.KittyEdit(px.SubImage(r).(*image.RGBA), r.Min.Sub(px.Rect.Min), kittyID, tmux)
	pic.PatchRow, pic.PatchCol = pic.Row, pic.Col
	return tea.SetGraphic(pic)
}

// sixel draws px as a sixel picture at pic's cell, over cols×rows blank
// cells of the given size: whole where it is new, else only the cells
// that changed since the last frame (a blinking cursor, a line of text).
func (p *Page) sixel(px *image.RGBA, pic tea.Graphic, cols, rows int, cell image.Point) tea.Cmd {
	p.blank(&pic, cols, rows)
	pic.Seq = func() string { return termimg.Sixel(px) }
	r, moved := p.news(px, place{image.Rect(pic.Col, pic.Row, pic.Col+cols, pic.Row+rows), cell})
	switch {
	case moved: // the guest's resolution changed: the last picture's pixels go first
		return tea.Sequence(tea.ClearGraphic(""), tea.SetGraphic(pic))
	case r.Empty():
		return nil
	case r == px.Rect:
		return tea.SetGraphic(pic)
	}
	pic.Patch = termimg.Sixel(px.SubImage(r).(*image.RGBA))
	pic.PatchCol, pic.PatchRow = pic.Col+r.Min.X/cell.X, pic.Row+r.Min.Y/cell.Y
	return tea.SetGraphic(pic)
}

// news records px as the picture shown at at, and is what of it the
// terminal lacks: all of it where it is the first, or moved or changed
// size (moved: the last one is elsewhere), else the cells that changed
// since the last one (empty: none).
func (p *Page) news(px *image.RGBA, at place) (r image.Rectangle, moved bool) {
	shown, was := p.shown, p.shownAt
	p.shown, p.shownAt = px, at
	switch {
	case shown == nil:
		return px.Rect, false
	case at != was || shown.Rect != px.Rect:
		return px.Rect, true
	}
	return termimg.ChangedCells(shown, px, at.cell.X, at.cell.Y), false
}

// blank makes the page's lines cols×rows blank cells for a picture drawn
// over them (sixel, kitty's direct placements), which the picture covers
// (text written there erases it or must hide it): a dialog over them
// hides the picture.
func (p *Page) blank(pic *tea.Graphic, cols, rows int) {
	p.lines = make([]string, rows)
	pic.Rows, pic.Under = rows, make([]string, rows) // the lines as View draws them
	for i := range p.lines {
		p.lines[i] = strings.Repeat(" ", cols)
		pic.Under[i] = strings.Repeat(" ", pic.Col) + p.lines[i]
	}
}

// kittyID is the id of the picture kitty shows (1–255: the placeholders'
// colour); by process, so two kvmtuis in one kitty keep theirs apart.
var kittyID = os.Getpid()%255 + 1

// clearPicture takes a picture the terminal shows away.
func (p *Page) clearPicture() tea.Cmd {
	was := p.pictured
	p.pictured, p.shown = termimg.Blocks, nil
	switch was {
	case termimg.KittyImage:
		return tea.ClearGraphic(termimg.KittyDelete(kittyID, p.ctx.Graphics.Tmux))
	case termimg.SixelImage:
		return tea.ClearGraphic("")
	}
	return nil
}

// stillAfter is how long without a frame makes the screen "still".
const stillAfter = 2 * time.Second

// rate says how fast frames came, as of the last one: between frames the
// line does not change, so a still screen redraws nothing (VNC sends no
// frame for it), and once frames stop it says so.
func (p *Page) rate() string {
	n := len(p.frames)
	if n == 0 || time.Since(p.frames[n-1].at) > stillAfter {
		return "still"
	}
	if n < 2 {
		return "first frame"
	}
	first, last := p.frames[0], p.frames[n-1]
	span := last.at.Sub(first.at).Seconds()
	rate := fmt.Sprintf("%.1f frames/s", float64(n-1)/span)
	if p.client != nil { // what the display costs the link (an SSH tunnel's)
		rate += " · " + widget.HumanBytes(float64(last.received-first.received)/span) + "/s"
	}
	return rate
}

// Hints is the bottom line: the way out first, so that a narrow terminal
// or a long name never cuts it off.
func (p *Page) Hints() string {
	if p.combo {
		return widget.Fit(comboMenu, p.ctx.Width)
	}
	return widget.Fit("ctrl+] leaves  ctrl+g Ctrl+Alt+Del, Ctrl+Alt+Fn…  keys go to "+p.dom.Name, p.ctx.Width)
}
