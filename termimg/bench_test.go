package termimg

import (
	"image"
	"testing"
)

// A VGA text-mode frame (720x400) scaled and drawn for an 80x24 and a
// 200x50 terminal, in each terminal's colours: the CPU a frame costs.
func BenchmarkFrame(b *testing.B) {
	src := image.NewRGBA(image.Rect(0, 0, 720, 400))
	for i := range src.Pix {
		src.Pix[i] = byte(i * 7)
	}
	for _, size := range []struct {
		name       string
		cols, rows int
	}{{"80x24", 80, 22}, {"200x50", 200, 48}} {
		for _, c := range []struct {
			name   string
			colors Colors
		}{{"truecolor", TrueColor}, {"256", Colors256}, {"16", Colors16}, {"none", NoColor}} {
			b.Run(size.name+"/"+c.name, func(b *testing.B) {
				cols, rows := Fit(720, 400, size.cols, size.rows)
				var n int
				for b.Loop() {
					for _, l := range HalfBlocks(Scale(src, cols, rows), cols, rows, c.colors) {
						n += len(l)
					}
				}
				b.ReportMetric(float64(n)/float64(b.N), "bytes/frame")
			})
		}
	}
}

// The picture protocols for the same VGA text-mode frame, sent whole: the
// CPU and the bytes a frame costs.
func BenchmarkPicture(b *testing.B) {
	src := vgaText(720, 400)
	b.Run("sixel", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = len(Sixel(src))
		}
		b.ReportMetric(float64(n), "bytes/frame")
	})
	b.Run("kitty", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = len(Kitty(src, 1, 100, 30, false))
		}
		b.ReportMetric(float64(n), "bytes/frame")
	})
}
