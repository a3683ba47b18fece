// Package termimg draws images in a terminal's text cells: Unicode upper
// half blocks (▀) whose foreground is the upper pixel and background the
// lower one, in 24-bit colour, so a cell holds two pixels.
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

// Scale averages img down (or samples it up) to cols×rows*2 pixels.
func Scale(img image.Image, cols, rows int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, cols, rows*2))
	for y := range rows * 2 {
		y0, y1 := b.Min.Y+y*b.Dy()/(rows*2), b.Min.Y+(y+1)*b.Dy()/(rows*2)
		y1 = max(y1, y0+1)
		for x := range cols {
			x0, x1 := b.Min.X+x*b.Dx()/cols, b.Min.X+(x+1)*b.Dx()/cols
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

// HalfBlocks renders px (cols×rows*2 pixels, see Scale) as rows lines of
// cols cells, each line ending with the colours reset. A colour is written
// only where it changes along the line.
func HalfBlocks(px *image.RGBA, cols, rows int) []string {
	lines := make([]string, rows)
	var sb strings.Builder
	for row := range rows {
		sb.Reset()
		var fg, bg color.RGBA
		for x := range cols {
			top, bot := px.RGBAAt(x, 2*row), px.RGBAAt(x, 2*row+1)
			if x == 0 || top != fg {
				sgr(&sb, 38, top)
				fg = top
			}
			if x == 0 || bot != bg {
				sgr(&sb, 48, bot)
				bg = bot
			}
			sb.WriteString("▀")
		}
		sb.WriteString("\x1b[0m")
		lines[row] = sb.String()
	}
	return lines
}

func sgr(sb *strings.Builder, kind int, c color.RGBA) {
	sb.WriteString("\x1b[")
	sb.WriteString(strconv.Itoa(kind))
	sb.WriteString(";2;")
	sb.WriteString(strconv.Itoa(int(c.R)))
	sb.WriteByte(';')
	sb.WriteString(strconv.Itoa(int(c.G)))
	sb.WriteByte(';')
	sb.WriteString(strconv.Itoa(int(c.B)))
	sb.WriteByte('m')
}
