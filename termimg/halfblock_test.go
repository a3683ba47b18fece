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
	lines := HalfBlocks(px, cols, rows, TrueColor)
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
	if l := HalfBlocks(flat, 40, 5, TrueColor)[0]; strings.Count(l, "\x1b[") != 3 {
		t.Fatalf("a flat line repeats its colours: %q", l)
	}
}

// Terminals without 24-bit colour get the nearest of their 256 or 16, and
// without colour shades; each keeps what the picture is.
func TestFewerColours(t *testing.T) {
	px := image.NewRGBA(image.Rect(0, 0, 4, 2))
	// Columns: red over black, grey over grey, white over black, black over white.
	for x, c := range [][2]color.RGBA{
		{{255, 0, 0, 255}, {0, 0, 0, 255}}, {{128, 128, 128, 255}, {128, 128, 128, 255}},
		{{255, 255, 255, 255}, {0, 0, 0, 255}}, {{0, 0, 0, 255}, {255, 255, 255, 255}},
	} {
		px.SetRGBA(x, 0, c[0])
		px.SetRGBA(x, 1, c[1])
	}
	for _, c := range []struct {
		colors Colors
		want   string
	}{
		{Colors256, "\x1b[38;5;196m\x1b[48;5;16m▀\x1b[38;5;244m\x1b[48;5;244m▀\x1b[38;5;231m\x1b[48;5;16m▀\x1b[38;5;16m\x1b[48;5;231m▀\x1b[0m"},
		{Colors16, "\x1b[31m\x1b[40m▀\x1b[37m\x1b[47m▀\x1b[97m\x1b[40m▀\x1b[30m\x1b[107m▀\x1b[0m"},
		{NoColor, "▀▒▀▄"},
	} {
		if got := HalfBlocks(px, 4, 1, c.colors)[0]; got != c.want {
			t.Errorf("colours %d:\n got %q\nwant %q", c.colors, got, c.want)
		}
	}
}
