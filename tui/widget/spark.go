package widget

import (
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/perf"
)

// Sparker draws sparklines: with ntcharts (Unicode braille line charts or
// block bar charts) or as plain ASCII. It keeps one ntcharts canvas per size,
// so drawing allocates little. It is called when a sample arrives or the
// layout changes, never from View.
type Sparker struct {
	models map[[2]int]*sparkline.Model
	style  lipgloss.Style
}

// NewSparker draws in style (the block and braille charts).
func NewSparker(style lipgloss.Style) *Sparker {
	return &Sparker{models: map[[2]int]*sparkline.Model{}, style: style}
}

// asciiLevels are the ASCII glyphs from empty to full, for one cell.
const asciiLevels = " .:-=+*#"

// Render draws vals (oldest first, NaN for a gap) right-aligned into a
// w×h chart scaled from 0 to maxV (maxV <= 0: the largest value), and
// returns h lines of exactly w cells.
func (s *Sparker) Render(vals []float64, w, h int, maxV float64, cs perf.ChartStyle) []string {
	if w <= 0 || h <= 0 {
		return nil
	}
	if len(vals) > w {
		vals = vals[len(vals)-w:]
	}
	if maxV <= 0 {
		for _, v := range vals {
			if v > maxV {
				maxV = v
			}
		}
		if maxV <= 0 {
			maxV = 1
		}
	}
	blank := true
	for _, v := range vals {
		blank = blank && math.IsNaN(v)
	}
	if blank { // nothing known: no chart, not a flat line at zero
		out := make([]string, h)
		for i := range out {
			out[i] = strings.Repeat(" ", w)
		}
		return out
	}
	clean := make([]float64, len(vals))
	for i, v := range vals {
		if math.IsNaN(v) || v < 0 {
			v = 0
		}
		clean[i] = min(v, maxV)
	}
	if cs == perf.ASCII {
		return asciiChart(clean, w, h, maxV)
	}
	if cs == perf.Block && h == 1 {
		// The one-line sparklines of the list and of top are drawn
		// directly: ntcharts' canvas renders every cell through lipgloss,
		// which costs microseconds a cell, per row, per sweep.
		return []string{blockRow(clean, w, maxV)}
	}
	k := [2]int{w, h}
	m := s.models[k]
	if m == nil {
		nm := sparkline.New(w, h, sparkline.WithStyle(s.style))
		m = &nm
		s.models[k] = m
	}
	m.Clear()
	m.AutoMaxValue = false
	m.SetMax(maxV)
	m.PushAll(clean)
	if cs == perf.Braille {
		m.DrawBraille()
	} else {
		m.Draw()
	}
	lines := strings.Split(m.View(), "\n")
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return lines[:h]
}

// asciiChart draws columns of '#' with a partial top cell from asciiLevels.
func asciiChart(vals []float64, w, h int, maxV float64) []string {
	rows := make([][]byte, h)
	for i := range rows {
		rows[i] = []byte(strings.Repeat(" ", w))
	}
	off := w - len(vals)
	top := len(asciiLevels) - 1
	for i, v := range vals {
		height := v / maxV * float64(h) // in cells
		for r := 0; r < h; r++ {
			fill := height - float64(r)
			var c byte = ' '
			switch {
			case fill >= 1:
				c = asciiLevels[top]
			case fill > 0:
				c = asciiLevels[max(1, int(math.Round(fill*float64(top))))]
			}
			rows[h-1-r][off+i] = c
		}
	}
	out := make([]string, h)
	for i, r := range rows {
		out[i] = string(r)
	}
	return out
}

// blocks are the lower block elements from one eighth to full.
var blocks = []rune(" ▁▂▃▄▅▆▇█")

// blockRow draws one row of lower blocks, right-aligned, the same glyphs
// as ntcharts' column sparkline.
func blockRow(vals []float64, w int, maxV float64) string {
	var b strings.Builder
	b.Grow(w * 3)
	for i := len(vals); i < w; i++ {
		b.WriteByte(' ')
	}
	for _, v := range vals {
		n := int(math.Round(v / maxV * 8))
		if n == 0 && v > 0 {
			n = 1 // something, however little, shows
		}
		b.WriteRune(blocks[min(max(n, 0), 8)])
	}
	return b.String()
}
