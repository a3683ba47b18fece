// Package termimg draws images in a terminal's text cells: Unicode upper
// half blocks (▀) whose foreground is the upper pixel and background the
// lower one, so a cell holds two pixels; in 24-bit colour, or brought down
// to the 256 or 16 colours a terminal has, or in shades without colour.
package termimg

import (
	"image"
	"image/color"
	"strconv"
	"strings"
)

// Fit is the cell grid an image of w×h pixels takes in at most cols×rows
// cells, aspect ratio kept (a cell is two square pixels high).
func Fit(w, h, cols, rows int) (int, int) {
	if w <= 0 || h <= 0 || cols <= 0 || rows <= 0 {
		return 0, 0
	}
	c, r := cols, (cols*h/w+1)/2
	if r > rows {
		r = rows
		c = max(rows*2*w/h, 1)
	}
	return c, max(r, 1)
}

// FitCells is the cell grid an image of w×h pixels takes in at most
// cols×rows cells of cw×ch pixels, aspect ratio kept.
func FitCells(w, h, cols, rows, cw, ch int) (int, int) {
	if w <= 0 || h <= 0 || cols <= 0 || rows <= 0 || cw <= 0 || ch <= 0 {
		return 0, 0
	}
	c, r := cols, (cols*cw*h+w*ch-1)/(w*ch)
	if r > rows {
		r = rows
		c = max(rows*ch*w/(h*cw), 1)
	}
	return c, max(r, 1)
}

// FitPixels is the size of a w×h image scaled to fit in pw×ph pixels,
// aspect ratio kept.
func FitPixels(w, h, pw, ph int) (int, int) {
	if w <= 0 || h <= 0 || pw <= 0 || ph <= 0 {
		return 0, 0
	}
	if pw*h <= ph*w {
		return pw, max(pw*h/w, 1)
	}
	return max(ph*w/h, 1), ph
}

// Draw is img in at most cols×rows cells, aspect kept (Fit, Scale,
// HalfBlocks), and the width in cells it took.
func Draw(img image.Image, cols, rows int, c Colors) ([]string, int) {
	b := img.Bounds()
	cols, rows = Fit(b.Dx(), b.Dy(), cols, rows)
	if cols == 0 {
		return nil, 0
	}
	return HalfBlocks(Scale(img, cols, rows), cols, rows, c), cols
}

// Scale averages img down (or samples it up) to cols×rows*2 pixels: two
// for each cell.
func Scale(img image.Image, cols, rows int) *image.RGBA {
	return Resize(img, cols, rows*2)
}

// Resize averages img down (or samples it up) to w×h pixels from 0,0; a
// picture of that size already is img itself, not a copy.
func Resize(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	if rgba, ok := img.(*image.RGBA); ok && b == image.Rect(0, 0, w, h) {
		return rgba
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		y0, y1 := b.Min.Y+y*b.Dy()/h, b.Min.Y+(y+1)*b.Dy()/h
		y1 = max(y1, y0+1)
		for x := range w {
			x0, x1 := b.Min.X+x*b.Dx()/w, b.Min.X+(x+1)*b.Dx()/w
			x1 = max(x1, x0+1)
			var r, g, bl, n uint32
			for yy := y0; yy < y1; yy++ {
				if rgba, ok := img.(*image.RGBA); ok { // the VNC frame: no interface call a pixel
					row := rgba.Pix[rgba.PixOffset(x0, yy):rgba.PixOffset(x1, yy)]
					for i := 0; i < len(row); i += 4 {
						r, g, bl, n = r+uint32(row[i]), g+uint32(row[i+1]), bl+uint32(row[i+2]), n+1
					}
					continue
				}
				for xx := x0; xx < x1; xx++ {
					cr, cg, cb, _ := img.At(xx, yy).RGBA()
					r, g, bl, n = r+cr>>8, g+cg>>8, bl+cb>>8, n+1
				}
			}
			out.SetRGBA(x, y, color.RGBA{uint8(r / n), uint8(g / n), uint8(bl / n), 255})
		}
	}
	return out
}

// Colors is what a terminal shows.
type Colors int

const (
	TrueColor Colors = iota // 24-bit
	Colors256               // xterm's 256: the 6×6×6 cube and 24 greys
	Colors16                // the 16 ANSI colours
	NoColor                 // none (NO_COLOR, a dumb terminal): shades
)

// HalfBlocks renders px (cols×rows*2 pixels, see Scale) as rows lines of
// cols cells in the colours c, each line ending with the colours reset. A
// colour is written only where it changes along the line.
func HalfBlocks(px *image.RGBA, cols, rows int, c Colors) []string {
	if c == NoColor {
		return shades(px, cols, rows)
	}
	lines := make([]string, rows)
	var sb strings.Builder
	for row := range rows {
		sb.Reset()
		var fg, bg termColor
		for x := range cols {
			top, bot := toTerm(px.RGBAAt(x, 2*row), c), toTerm(px.RGBAAt(x, 2*row+1), c)
			if x == 0 || top != fg {
				top.sgr(&sb, 38)
				fg = top
			}
			if x == 0 || bot != bg {
				bot.sgr(&sb, 48)
				bg = bot
			}
			sb.WriteString("▀")
		}
		sb.WriteString("\x1b[0m")
		lines[row] = sb.String()
	}
	return lines
}

// termColor is a colour as the terminal gets it: 24-bit, or an index
// into its 256 or 16.
type termColor struct {
	rgb    color.RGBA
	idx    int
	colors Colors
}

func toTerm(c color.RGBA, cs Colors) termColor {
	switch cs {
	case Colors256:
		return termColor{idx: index256(c), colors: cs}
	case Colors16:
		return termColor{idx: nearest(c, ansi16[:]), colors: cs}
	}
	return termColor{rgb: c, colors: cs}
}

// sgr writes the escape that sets it as the foreground (kind 38) or the
// background (48).
func (t termColor) sgr(sb *strings.Builder, kind int) {
	sb.WriteString("\x1b[")
	switch t.colors {
	case Colors256:
		sb.WriteString(strconv.Itoa(kind) + ";5;" + strconv.Itoa(t.idx))
	case Colors16:
		base := kind - 8 // 30 or 40, and 90 or 100 for the bright half
		if t.idx >= 8 {
			base += 60 - 8
		}
		sb.WriteString(strconv.Itoa(base + t.idx))
	default:
		sb.WriteString(strconv.Itoa(kind) + ";2;" + strconv.Itoa(int(t.rgb.R)) + ";" + strconv.Itoa(int(t.rgb.G)) + ";" + strconv.Itoa(int(t.rgb.B)))
	}
	sb.WriteByte('m')
}

// The levels of xterm's colour cube, and the 16 ANSI colours as VGA shows
// them (terminals differ a little; the nearest is what matters).
var (
	cubeLevels = [6]uint8{0, 95, 135, 175, 215, 255}
	ansi16     = [16]color.RGBA{
		{0, 0, 0, 255}, {170, 0, 0, 255}, {0, 170, 0, 255}, {170, 85, 0, 255},
		{0, 0, 170, 255}, {170, 0, 170, 255}, {0, 170, 170, 255}, {170, 170, 170, 255},
		{85, 85, 85, 255}, {255, 85, 85, 255}, {85, 255, 85, 255}, {255, 255, 85, 255},
		{85, 85, 255, 255}, {255, 85, 255, 255}, {85, 255, 255, 255}, {255, 255, 255, 255},
	}
)

// index256 is the nearer of c's cube colour and its grey (232–255).
func index256(c color.RGBA) int {
	level := func(v uint8) int {
		best := 0
		for i, l := range cubeLevels {
			if absDiff(v, l) < absDiff(v, cubeLevels[best]) {
				best = i
			}
		}
		return best
	}
	r, g, b := level(c.R), level(c.G), level(c.B)
	cube := color.RGBA{cubeLevels[r], cubeLevels[g], cubeLevels[b], 255}
	grey := min((int(c.R)+int(c.G)+int(c.B))/3, 238)
	gi := max((grey-8+5)/10, 0) // grey n is 8+10n
	gv := uint8(8 + 10*gi)
	if dist(c, color.RGBA{gv, gv, gv, 255}) < dist(c, cube) {
		return 232 + gi
	}
	return 16 + 36*r + 6*g + b
}

func nearest(c color.RGBA, pal []color.RGBA) int {
	best := 0
	for i, p := range pal {
		if dist(c, p) < dist(c, pal[best]) {
			best = i
		}
	}
	return best
}

func dist(a, b color.RGBA) int {
	dr, dg, db := int(a.R)-int(b.R), int(a.G)-int(b.G), int(a.B)-int(b.B)
	return dr*dr + dg*dg + db*db
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// shades draws without colour: a half block where the upper and lower
// pixels differ much, else a shade of their mean brightness.
func shades(px *image.RGBA, cols, rows int) []string {
	lines := make([]string, rows)
	ramp := []string{" ", "░", "▒", "▓", "█"}
	luma := func(c color.RGBA) float64 {
		return (0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)) / 255
	}
	var sb strings.Builder
	for row := range rows {
		sb.Reset()
		for x := range cols {
			top, bot := luma(px.RGBAAt(x, 2*row)), luma(px.RGBAAt(x, 2*row+1))
			switch {
			case top-bot > 0.25:
				sb.WriteString("▀")
			case bot-top > 0.25:
				sb.WriteString("▄")
			default:
				sb.WriteString(ramp[min(int((top+bot)/2*5), 4)])
			}
		}
		lines[row] = sb.String()
	}
	return lines
}
