package tui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kvmtui/perf"
)

// humanBytes is perf.HumanBytes: one formatting of sizes and rates for the
// list, the perf view and top.
var humanBytes = perf.HumanBytes

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

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

var (
	passwdAttr = regexp.MustCompile(`passwd=('[^']*'|"[^"]*")`)
	cookieText = regexp.MustCompile(`(<cookie\b[^>]*>)[^<]*(</cookie>)`)
)

// hideSecrets masks display passwords and network-disk cookies in XML shown
// on screen (a dashboard may be watched over a shoulder); virsh dumpxml
// leaves them out too. The definitions themselves keep them.
func hideSecrets(xml string) string {
	xml = passwdAttr.ReplaceAllString(xml, "passwd='***'")
	return cookieText.ReplaceAllString(xml, "${1}***${2}")
}
