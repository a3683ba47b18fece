package widget

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"kvmtui/perf"
)

func TestAsciiChart(t *testing.T) {
	sp := NewSparker(lipgloss.NewStyle())
	got := sp.Render([]float64{0, 25, 50, 100, 200}, 6, 2, 100, perf.ASCII)
	// Right-aligned; 200 is clipped to the maximum; 25 % of two rows is
	// half a cell: asciiLevels[4].
	if want := []string{"    ##", "  =###"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("ascii chart %q, want %q", got, want)
	}
	one := sp.Render([]float64{0, 50, 100}, 5, 1, 100, perf.ASCII)[0]
	if one != "   =#" {
		t.Fatalf("one row %q", one)
	}
	blocks := sp.Render([]float64{12.5, 100}, 4, 1, 100, perf.Block)[0]
	if lipgloss.Width(blocks) != 4 || !strings.HasSuffix(blocks, "▁█") {
		t.Fatalf("block row %q", blocks)
	}
}
