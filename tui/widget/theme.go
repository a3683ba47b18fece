package widget

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"kvmtui/config"
	"kvmtui/libvirtx"
)

// Theme holds every style the UI uses, built once. With NO_COLOR (or a
// terminal without colour) lipgloss renders them as plain text, so nothing
// may rely on colour alone: states are words, the cursor row is reversed.
// Colours a terminal cannot show are brought down to its 256 or 16 by
// lipgloss.
type Theme struct {
	Name      string
	Title     lipgloss.Style
	Header    lipgloss.Style
	Cursor    lipgloss.Style
	Marked    lipgloss.Style
	Dim       lipgloss.Style
	Error     lipgloss.Style
	Warn      lipgloss.Style
	OK        lipgloss.Style
	Demo      lipgloss.Style
	StatusBar lipgloss.Style
	Key       lipgloss.Style
	Box       lipgloss.Style
	Chart     lipgloss.Style // the performance view's charts
	States    map[libvirtx.State]lipgloss.Style
}

// palette is what themes differ in: a colour ("" none) per role.
type palette struct {
	marked, errc, warn, ok, chart, key, title string
	bold                                      bool // keys and titles, and states
}

// The built-in themes. default uses the terminal's own 16 colours, so it
// suits any background; dark and light are for one; high-contrast keeps
// to the brightest colours, in bold; mono has no colour at all.
var palettes = map[string]palette{
	"default":       {marked: "14", errc: "9", warn: "11", ok: "10", chart: "6"},
	"dark":          {marked: "#5fd7ff", errc: "#ff5f5f", warn: "#ffd75f", ok: "#87d75f", chart: "#5fafd7", key: "#d7afff"},
	"light":         {marked: "#005f87", errc: "#af0000", warn: "#875f00", ok: "#005f00", chart: "#0000af", key: "#5f0087"},
	"high-contrast": {marked: "#00ffff", errc: "#ff0000", warn: "#ffff00", ok: "#00ff00", chart: "#ffffff", key: "#ffffff", title: "#ffffff", bold: true},
	"mono":          {},
}

// ThemeNames are the built-in themes, and auto (dark or light, as the
// terminal's background is).
func ThemeNames() []string {
	names := []string{"auto"}
	for n := range palettes {
		names = append(names, n)
	}
	slices.Sort(names[1:])
	return names
}

// NewTheme is the default theme.
func NewTheme() *Theme { return fromPalette("default", palettes["default"]) }

func fg(s lipgloss.Style, c string) lipgloss.Style {
	if c == "" {
		return s
	}
	return s.Foreground(lipgloss.Color(c))
}

func fromPalette(name string, p palette) *Theme {
	st := lipgloss.NewStyle
	t := &Theme{
		Name:      name,
		Title:     fg(st().Bold(true), p.title),
		Header:    st().Bold(true).Underline(true),
		Cursor:    st().Reverse(true),
		Marked:    fg(st().Bold(true), p.marked),
		Dim:       st().Faint(!p.bold),
		Error:     fg(st().Bold(true), p.errc),
		Warn:      fg(st().Bold(p.bold), p.warn),
		OK:        fg(st().Bold(p.bold), p.ok),
		Demo:      st().Bold(true).Reverse(true),
		StatusBar: st(),
		Key:       fg(st().Bold(true), p.key),
		Box:       st().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		Chart:     fg(st(), p.chart),
	}
	t.States = map[libvirtx.State]lipgloss.Style{
		libvirtx.StateRunning:     t.OK,
		libvirtx.StatePaused:      t.Warn,
		libvirtx.StatePMSuspended: t.Warn,
		libvirtx.StateCrashed:     t.Error,
		libvirtx.StateShutoff:     t.Dim,
	}
	return t
}

// ThemeNamed is a built-in theme, or the user's NAME.theme in dir: the
// default theme with the styles the file sets (see setStyle). An error
// names what could not be used; the theme still comes back (the default
// for an unknown name).
func ThemeNamed(name, dir string) (*Theme, []error) {
	if name == "" || name == "auto" {
		if lipgloss.HasDarkBackground() {
			name = "dark"
		} else {
			name = "light"
		}
	}
	if p, ok := palettes[name]; ok {
		return fromPalette(name, p), nil
	}
	t := NewTheme()
	t.Name = name
	path := filepath.Join(dir, name+".theme")
	f, err := os.Open(path)
	if err != nil {
		return NewTheme(), []error{fmt.Errorf("theme %q: not built in (%s) and %v", name, strings.Join(ThemeNames(), ", "), err)}
	}
	defer f.Close()
	return t, config.EachLine(path, f, t.setStyle)
}

// setStyle applies a theme file's line: a role (title, header, cursor,
// marked, dim, error, warn, ok, demo, key, box, chart, running, paused,
// crashed, shutoff) = words: a colour (0-255 or #rrggbb) for the text,
// "on" and a colour for the background, bold, faint, italic, underline,
// reverse.
func (t *Theme) setStyle(_ int, role, val string) string {
	target := map[string]*lipgloss.Style{
		"title": &t.Title, "header": &t.Header, "cursor": &t.Cursor, "marked": &t.Marked,
		"dim": &t.Dim, "error": &t.Error, "warn": &t.Warn, "ok": &t.OK, "demo": &t.Demo,
		"key": &t.Key, "box": &t.Box, "chart": &t.Chart,
	}
	states := map[string]libvirtx.State{"running": libvirtx.StateRunning, "paused": libvirtx.StatePaused,
		"crashed": libvirtx.StateCrashed, "shutoff": libvirtx.StateShutoff}
	s := lipgloss.NewStyle()
	if role == "box" {
		s = s.Border(lipgloss.RoundedBorder()).Padding(0, 1)
	}
	words := strings.Fields(val)
	for i := 0; i < len(words); i++ {
		switch w := words[i]; w {
		case "bold":
			s = s.Bold(true)
		case "faint":
			s = s.Faint(true)
		case "italic":
			s = s.Italic(true)
		case "underline":
			s = s.Underline(true)
		case "reverse":
			s = s.Reverse(true)
		case "on":
			if i+1 == len(words) || !isColour(words[i+1]) {
				return `"on" needs a colour after it (on 236, on #303030)`
			}
			i++
			if role == "box" {
				s = s.BorderForeground(lipgloss.Color(words[i]))
			} else {
				s = s.Background(lipgloss.Color(words[i]))
			}
		default:
			if !isColour(w) {
				return fmt.Sprintf("%q: expected a colour (0-255, #rrggbb) or bold, faint, italic, underline, reverse, on COLOUR", w)
			}
			if role == "box" {
				s = s.BorderForeground(lipgloss.Color(w))
			} else {
				s = s.Foreground(lipgloss.Color(w))
			}
		}
	}
	state, isState := states[role]
	switch {
	case target[role] != nil:
		*target[role] = s
	case isState:
		t.States[state] = s
		if role == "paused" {
			t.States[libvirtx.StatePMSuspended] = s
		}
	default:
		return "unknown role (title, header, cursor, marked, dim, error, warn, ok, demo, key, box, chart, running, paused, crashed, shutoff)"
	}
	return ""
}

func isColour(w string) bool {
	if n, err := strconv.Atoi(w); err == nil {
		return n >= 0 && n <= 255
	}
	if len(w) != 7 || w[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(w[1:], 16, 32)
	return err == nil
}
