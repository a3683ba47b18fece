package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// humanBytes renders a byte count in binary units, short enough for a column.
func humanBytes(b float64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%.0fB", b)
	}
	units := "KMGTPE"
	i := -1
	for b >= unit && i < len(units)-1 {
		b /= unit
		i++
	}
	if b >= 100 {
		return fmt.Sprintf("%.0f%c", b, units[i])
	}
	return fmt.Sprintf("%.1f%c", b, units[i])
}

// fit pads or truncates s (which may hold ANSI sequences) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// fitRight right-aligns s in w cells.
func fitRight(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-n) + s
}
