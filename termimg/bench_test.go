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
