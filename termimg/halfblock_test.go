package termimg

import (
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The half blocks decode back to the scaled image: the foreground of each
// cell is its upper pixel, the background its lower one.
func TestHalfBlocksDecodeToTheScaledImage(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for y := range 40 {
		for x := range 64 {
			src.SetRGBA(x, y, color.RGBA{uint8(x * 4), uint8(y * 6), uint8((x + y) % 256), 255})
		}
	}
	cols, rows := Fit(64, 40, 32, 30)
	if cols != 32 || rows != 10 {
		t.Fatalf("Fit = %dx%d, want 32x10 (aspect kept)", cols, rows)
	}
	px := Scale(src, cols, rows)
	lines := HalfBlocks(px, cols, rows)
	sgrRE := regexp.MustCompile(`\x1b\[(38|48);2;(\d+);(\d+);(\d+)m|▀`)
	for row, l := range lines {
		var fg, bg color.RGBA
		x := 0
		for _, m := range sgrRE.FindAllStringSubmatch(l, -1) {
			if m[0] == "▀" {
				if want := px.RGBAAt(x, 2*row); fg != want {
					t.Fatalf("cell %d,%d top %v, want %v", x, row, fg, want)
				}
				if want := px.RGBAAt(x, 2*row+1); bg != want {
					t.Fatalf("cell %d,%d bottom %v, want %v", x, row, bg, want)
				}
				x++
				continue
			}
			r, _ := strconv.Atoi(m[2])
			g, _ := strconv.Atoi(m[3])
			b, _ := strconv.Atoi(m[4])
			c := color.RGBA{uint8(r), uint8(g), uint8(b), 255}
			if m[1] == "38" {
				fg = c
			} else {
				bg = c
			}
		}
		if x != cols || !strings.HasSuffix(l, "\x1b[0m") {
			t.Fatalf("line %d has %d cells (want %d) or no reset", row, x, cols)
		}
	}
	// A still area costs one colour pair per line, not one per cell.
	still := image.NewRGBA(image.Rect(0, 0, 80, 10))
	for i := range still.Pix {
		still.Pix[i] = []byte{10, 20, 30, 255}[i%4]
	}
	flat := Scale(still, 40, 5)
	if l := HalfBlocks(flat, 40, 5)[0]; strings.Count(l, "\x1b[") != 3 {
		t.Fatalf("a flat line repeats its colours: %q", l)
	}
}
