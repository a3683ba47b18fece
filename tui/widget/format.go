package widget

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/termimg"
)

// HumanBytes is perf.HumanBytes: one formatting of sizes and rates for the
// list, the perf view and top.
var HumanBytes = perf.HumanBytes

// Fit pads or truncates s (which may hold ANSI sequences) to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// FitRight right-aligns s in w cells.
func FitRight(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-n) + s
}

// Plural picks the word for n things.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

var (
	passwdAttr = regexp.MustCompile(`passwd=('[^']*'|"[^"]*")`)
	cookieText = regexp.MustCompile(`(<cookie\b[^>]*>)[^<]*(</cookie>)`)
)

// HideSecrets masks display passwords and network-disk cookies in XML shown
// on screen (a dashboard may be watched over a shoulder); virsh dumpxml
// leaves them out too. The definitions themselves keep them.
func HideSecrets(xml string) string {
	xml = passwdAttr.ReplaceAllString(xml, "passwd='***'")
	return cookieText.ReplaceAllString(xml, "${1}***${2}")
}

// StateWord is a VM's state as the list shows it: a shut-off VM with a
// managed save is "saved".
func StateWord(d libvirtx.Domain) string {
	switch {
	case d.State == libvirtx.StateShutoff && d.ManagedSave:
		return "saved"
	case d.State == libvirtx.StateShutoff && d.Template:
		return "template"
	}
	return d.State.String()
}

// Center places a box in the middle of a w×h area (a dialog over a page).
func Center(w, h int, box string) string {
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}

// LevelMark is a threshold level as the list and top mark it.
func LevelMark(l perf.Level) string {
	switch l {
	case perf.LevelWarn:
		return "!"
	case perf.LevelCrit:
		return "!!"
	}
	return ""
}

// RateText is a rate in bytes per second, "-" when unknown.
func RateText(ok bool, v float64) string {
	if !ok {
		return "-"
	}
	return HumanBytes(v)
}

// PctText is a percentage with one decimal, "-" when unknown.
func PctText(ok bool, v float64) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.1f", v)
}

// SortVMs orders VMs by key, highest first, then by name.
func SortVMs(vs []*perf.VM, key func(*perf.VM) float64) {
	slices.SortStableFunc(vs, func(a, b *perf.VM) int {
		if c := cmp.Compare(key(b), key(a)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// Over draws box in the middle of a w×h area over bg, which is dimmed and
// stays readable around it: the user sees what a question is about.
func Over(th *Theme, bg, box string, w, h int) string {
	bgLines := strings.Split(bg, "\n")
	boxLines := strings.Split(box, "\n")
	bw := 0
	for _, l := range boxLines {
		bw = max(bw, ansi.StringWidth(l))
	}
	bw = min(bw, w)
	x, y := max((w-bw)/2, 0), max((h-len(boxLines))/2, 0)
	out := make([]string, h)
	for i := range out {
		plain := ""
		if i < len(bgLines) {
			plain = ansi.Strip(bgLines[i])
		}
		plain = Fit(plain, w)
		if i < y || i >= y+len(boxLines) {
			out[i] = th.Dim.Render(plain)
			continue
		}
		left, right := ansi.Truncate(plain, x, ""), ansi.TruncateLeft(plain, x+bw, "")
		out[i] = th.Dim.Render(left) + Fit(boxLines[i-y], bw) + th.Dim.Render(right)
	}
	return strings.Join(out, "\n")
}

// Choose is a if cond holds, else b: a short conditional for column
// widths and words.
func Choose[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

// Progress is a long action's line: what runs, a bar, bytes done of total,
// the rate and the time left.
func Progress(what string, done, total int64, start time.Time) string {
	frac := float64(done) / float64(max(total, 1))
	rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
	left := ""
	if rate > 0 && total > done {
		left = ", " + (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String() + " left"
	}
	const bar = 10
	filled := min(int(frac*bar), bar)
	return fmt.Sprintf("%s %3.0f%% %s%s %s of %s, %s/s%s", what, 100*frac, strings.Repeat("█", filled), strings.Repeat("░", bar-filled),
		HumanBytes(float64(done)), HumanBytes(float64(total)), HumanBytes(rate), left)
}

// UsageBar is a 10-cell bar of used of total (a file system, a pool).
func UsageBar(used, total uint64) string {
	const bar = 10
	n := 0
	if total > 0 {
		n = min(int(float64(used)/float64(total)*bar+0.5), bar)
	}
	return strings.Repeat("█", n) + strings.Repeat("░", bar-n)
}

// TermColors is what lipgloss found the terminal shows, for pictures
// drawn in cells (NO_COLOR: none).
func TermColors() termimg.Colors {
	switch lipgloss.ColorProfile() {
	case termenv.TrueColor:
		return termimg.TrueColor
	case termenv.ANSI256:
		return termimg.Colors256
	case termenv.ANSI:
		return termimg.Colors16
	}
	return termimg.NoColor
}
