package tui_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The configuration file at 80x24 on the demo host: the dark and light
// themes colour the screen differently, NO_COLOR takes every colour away,
// and a broken line is named (file, line, field) while kvmtui starts anyway.
func TestE2EConfigThemesAndBrokenLines(t *testing.T) {
	coloured := map[string]string{}
	for _, c := range []struct{ theme, env string }{{"dark", ""}, {"light", ""}, {"dark", "NO_COLOR=1"}} {
		dir, err := os.MkdirTemp("", "k") // short: the message line shows the path
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		os.MkdirAll(filepath.Join(dir, "kvmtui"), 0o755)
		conf := fmt.Sprintf("theme = %s\ninterval = 0\n", c.theme)
		os.WriteFile(filepath.Join(dir, "kvmtui", "kvmtui.conf"), []byte(conf), 0o600)
		env := []string{"XDG_CONFIG_HOME=" + dir, "COLORTERM=truecolor"}
		if c.env != "" {
			env = append(env, c.env)
		}
		s := startTUIEnv(t, env, 80, 24, "--demo")
		scr := s.waitFor("the list and the ignored line", 20*time.Second, func(scr string) bool {
			return strings.Contains(scr, "web-01") && strings.Contains(scr, "kvmtui.conf:2: interval:")
		})
		frameIntact(t, scr, 24)
		out, err := exec.Command("tmux", "-L", s.sock, "capture-pane", "-p", "-e").Output()
		if err != nil {
			t.Fatal(err)
		}
		coloured[c.theme+c.env] = string(out)
		s.keys("q")
	}
	dark, light, none := coloured["dark"], coloured["light"], coloured["darkNO_COLOR=1"]
	if !strings.Contains(dark, "\x1b[38;") || !strings.Contains(light, "\x1b[38;") || dark == light {
		t.Errorf("the dark and light themes do not colour the screen differently:\n%q\n%q", lastLine(dark), lastLine(light))
	}
	if strings.Contains(none, "\x1b[38;") {
		t.Errorf("NO_COLOR still colours: %q", lastLine(none))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
