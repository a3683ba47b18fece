package widget

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
)

// Every built-in theme builds; the user's NAME.theme changes the styles it
// names and reports a bad line with its file, line and role.
func TestThemes(t *testing.T) {
	for _, n := range ThemeNames() {
		if th, errs := ThemeNamed(n, t.TempDir()); len(errs) > 0 || th == nil {
			t.Errorf("%s: %v", n, errs)
		}
	}
	if th, _ := ThemeNamed("mono", ""); th.Error.GetForeground() != (lipgloss.NoColor{}) {
		t.Errorf("mono has a colour: %v", th.Error.GetForeground())
	}
	if d, l := mustTheme(t, "dark"), mustTheme(t, "light"); d.OK.GetForeground() == l.OK.GetForeground() {
		t.Error("dark and light have the same colours")
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ocean.theme"), []byte(`error = #ff0000 bold
running = 33 underline on 17
warn = purple
box = 39
nonsense = 1
`), 0o600)
	th, errs := ThemeNamed("ocean", dir)
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "ocean.theme:3: warn: \"purple\"") || !strings.Contains(errs[1].Error(), "ocean.theme:5: nonsense: unknown role") {
		t.Fatalf("errors: %v", errs)
	}
	run := th.States[libvirtx.StateRunning]
	if th.Error.GetForeground() != lipgloss.Color("#ff0000") || !th.Error.GetBold() ||
		run.GetForeground() != lipgloss.Color("33") || run.GetBackground() != lipgloss.Color("17") || !run.GetUnderline() ||
		th.Box.GetBorderTopForeground() != lipgloss.Color("39") {
		t.Fatalf("the file's styles did not apply")
	}
	if th.Warn.GetForeground() != NewTheme().Warn.GetForeground() {
		t.Error("a bad line changed its style")
	}

	if th, errs := ThemeNamed("nosuch", dir); len(errs) != 1 || !strings.Contains(errs[0].Error(), `theme "nosuch": not built in`) || th.Name != "default" {
		t.Fatalf("an unknown theme: %s %v", th.Name, errs)
	}
}

func mustTheme(t *testing.T, n string) *Theme {
	th, errs := ThemeNamed(n, "")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return th
}
