package termimg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Protocol is how a picture reaches the terminal.
type Protocol int

const (
	Blocks     Protocol = iota // half blocks: every terminal
	SixelImage                 // DEC sixel
	KittyImage                 // kitty's graphics protocol, Unicode placeholders
)

func (p Protocol) String() string {
	return [...]string{"half blocks", "sixel", "kitty graphics"}[p]
}

// Graphics is what the terminal kvmtui runs in draws.
type Graphics struct {
	Protocol Protocol
	Tmux     bool // inside tmux: kitty's escapes go through its passthrough
	// KittyEdits: the terminal paints edits of a kitty picture (kitty
	// itself; Ghostty takes whole pictures only).
	KittyEdits bool
	// KittyDirect: kitty's pictures are placed at the cursor, above the
	// text (kitty 0.20 to 0.27, before placeholders).
	KittyDirect bool
	// CellW, CellH are a cell's size in pixels as the terminal said (0:
	// it did not; CellSize asks the tty's window size first).
	CellW, CellH int
}

// EnvVar overrides what Detect asks the terminal.
const EnvVar = "KVMTUI_GRAPHICS"

// Detect finds how tty draws pictures: KVMTUI_GRAPHICS (blocks, sixel or
// kitty) when set, else the terminal's answers to kitty's graphics query,
// to XTVERSION (kitty's placeholders need kitty 0.28 or Ghostty) and to
// Primary Device Attributes (4: sixel), which every VT100-like terminal
// answers, so the wait ends as soon as it does. Inside tmux, which
// answers for itself, kitty graphics pass through only when its
// allow-passthrough is on and the terminal outside is such a kitty;
// sixel when tmux was built with it. A terminal that answers nothing in
// timeout gets half blocks.
func Detect(tty *os.File, getenv func(string) string, timeout time.Duration) (Graphics, error) {
	inTmux := getenv("TMUX") != ""
	switch v := getenv(EnvVar); v {
	case "":
	case "blocks":
		return Graphics{}, nil
	case "sixel":
		return Graphics{Protocol: SixelImage}, nil
	case "kitty":
		return Graphics{Protocol: KittyImage, Tmux: inTmux, KittyEdits: getenv("TERM") == "xterm-kitty"}, nil
	default:
		return Graphics{}, errors.New(EnvVar + "=" + v + ": want blocks, sixel or kitty")
	}
	if tty == nil || !term.IsTerminal(int(tty.Fd())) || getenv("TERM") == "dumb" {
		return Graphics{}, nil
	}
	query := "\x1b[>0q\x1b[16t\x1b[c" // name and version, cell size in pixels, device attributes
	// kitty's query is an APC string, which tmux drops and the Linux
	// console and GNU screen would show as text.
	if t := getenv("TERM"); !inTmux && t != "linux" && !strings.HasPrefix(t, "screen") {
		query = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\" + query
	}
	answer, err := ask(tty, query, da1, timeout)
	if err != nil {
		return Graphics{}, nil
	}
	g := parseAnswer(answer)
	if inTmux && g.Protocol != SixelImage {
		if pass, edits := tmuxPassesKitty(getenv("TMUX_PANE")); pass {
			g.Protocol, g.Tmux, g.KittyEdits = KittyImage, true, edits
		}
	}
	return g, nil
}

var (
	xtversion = regexp.MustCompile(`\x1bP>\|([^\x1b]*)\x1b\\`)
	da1       = regexp.MustCompile(`\x1b\[\?([0-9;]*)c`)
	cellSize  = regexp.MustCompile(`\x1b\[6;([0-9]+);([0-9]+)t`)
)

// parseAnswer reads the terminal's answers to Detect's query.
func parseAnswer(a string) Graphics {
	var g Graphics
	if m := da1.FindStringSubmatch(a); m != nil && slices.Contains(strings.Split(m[1], ";"), "4") {
		g.Protocol = SixelImage
	}
	// kitty's query answered OK by a terminal that shows placeholders:
	// WezTerm and Konsole answer it too, without them (they get sixel).
	if m := xtversion.FindStringSubmatch(a); strings.Contains(a, "\x1b_Gi=31;OK") && m != nil {
		switch {
		case placeholders(m[1]):
			g.Protocol, g.KittyEdits = KittyImage, kittyVersion(m[1]) >= 0
		case kittyVersion(m[1]) >= 20: // edits and C=1 came in 0.20
			g.Protocol, g.KittyEdits, g.KittyDirect = KittyImage, true, true
		}
	}
	if m := cellSize.FindStringSubmatch(a); m != nil {
		g.CellH, _ = strconv.Atoi(m[1])
		g.CellW, _ = strconv.Atoi(m[2])
	}
	return g
}

// ask writes query to tty in raw mode and reads until end matches the
// answer or timeout passes.
func ask(tty *os.File, query string, end *regexp.Regexp, timeout time.Duration) (string, error) {
	fd := int(tty.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", err
	}
	defer term.Restore(fd, old)
	if _, err := tty.WriteString(query); err != nil {
		return "", err
	}
	deadline := time.Now().Add(timeout)
	var got []byte
	buf := make([]byte, 256)
	for !end.Match(got) {
		wait := time.Until(deadline)
		if wait <= 0 {
			return string(got), errors.New("the terminal did not answer")
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if n, err := unix.Poll(fds, int(wait.Milliseconds())+1); err != nil && err != unix.EINTR {
			return string(got), err
		} else if n == 0 {
			continue
		}
		n, err := unix.Read(fd, buf)
		if err != nil && err != unix.EINTR && err != unix.EAGAIN {
			return string(got), err
		}
		got = append(got, buf[:max(n, 0)]...)
	}
	return string(got), nil
}

// placeholders is whether the terminal of this name and version (its
// XTVERSION answer, "kitty(0.35.2)") shows kitty's Unicode placeholders:
// kitty from 0.28, Ghostty.
func placeholders(version string) bool {
	return strings.Contains(strings.ToLower(version), "ghostty") || kittyVersion(version) >= 28
}

// kittyVersion is kitty's minor version in XTVERSION's answer (1.0 and
// later: 1000 and more), -1 when it does not name kitty itself.
func kittyVersion(version string) int {
	v := strings.ToLower(version)
	var major, minor int
	if _, err := fmt.Sscanf(v[max(strings.Index(v, "kitty("), 0):], "kitty(%d.%d", &major, &minor); err != nil {
		return -1
	}
	return major*1000 + minor
}

// tmuxPassesKitty is whether tmux hands kitty's escapes to a terminal
// outside that draws them, and whether that terminal paints edits.
func tmuxPassesKitty(pane string) (pass, edits bool) {
	args := []string{"display-message", "-p"}
	if pane != "" {
		args = append(args, "-t", pane)
	}
	out, err := exec.Command("tmux", append(args, "#{allow-passthrough}|#{client_termname}|#{client_termtype}")...).Output()
	if err != nil {
		return false, false
	}
	f := strings.SplitN(strings.TrimSpace(string(out)), "|", 3)
	if len(f) < 3 || f[0] == "0" || f[0] == "off" || f[0] == "" { // a format gives 1 for on
		return false, false
	}
	// The terminal's XTVERSION answer, when tmux has it; else its TERM.
	if f[2] != "" {
		return placeholders(f[2]), kittyVersion(f[2]) >= 0
	}
	return f[1] == "xterm-kitty" || f[1] == "xterm-ghostty", f[1] == "xterm-kitty"
}

// CellSize is a cell's size in pixels: from the terminal's window size
// (which follows font changes), else as g's terminal said, else 10x20.
func (g Graphics) CellSize() (int, int) {
	if ws, err := unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ); err == nil && ws.Xpixel > 0 && ws.Ypixel > 0 && ws.Col > 0 && ws.Row > 0 {
		return int(ws.Xpixel / ws.Col), int(ws.Ypixel / ws.Row)
	}
	if g.CellW > 0 && g.CellH > 0 {
		return g.CellW, g.CellH
	}
	return 10, 20
}
