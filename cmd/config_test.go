package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig puts a kvmtui.conf in a fresh XDG_CONFIG_HOME.
func writeConfig(t *testing.T, text string) string {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	os.MkdirAll(filepath.Join(dir, "kvmtui"), 0o755)
	p := filepath.Join(dir, "kvmtui", "kvmtui.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// kvmtui config: the file, what it ignores (exit 1), the settings and
// every key binding with its rebinding.
func TestConfigCommand(t *testing.T) {
	p := writeConfig(t, "theme = light\ninterval = fast\ncolumns = name,cpu,nope\nkey.list.start = x\nkey.list.launch = y\n")
	code, out, errOut := run(t, "config")
	for _, want := range []string{
		"file: " + p,
		"ignored: " + p + `:2: interval: "fast"`,
		"ignored: " + p + ":3: columns: no column nope",
		"ignored: " + p + `:5: key.list.launch: list has no action "launch"`,
		"theme: light",
		"key.list.start = x    # start / restore",
		"key.global.quit = q,ctrl+c    # quit",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kvmtui config lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("exit %d with ignored lines, want 1 (%s)", code, errOut)
	}
	writeConfig(t, "theme = mono\n")
	if code, out, _ := run(t, "config"); code != 0 || strings.Contains(out, "ignored") {
		t.Errorf("a good file: exit %d\n%s", code, out)
	}
}

// The file's connections are used when no -c is given (and
// LIBVIRT_DEFAULT_URI is unset); its interval when --interval is not.
func TestConfigConnectionsAndInterval(t *testing.T) {
	writeConfig(t, "connect = test:///default\ninterval = 7\n")
	t.Setenv("LIBVIRT_DEFAULT_URI", "")
	code, out, errOut := run(t, "list")
	if code != 0 || !strings.Contains(out, "test:///default") {
		t.Fatalf("kvmtui list with a saved connection: exit %d\n%s%s", code, out, errOut)
	}
	if _, out, _ := run(t, "config"); !strings.Contains(out, "interval: 7s") {
		t.Errorf("the file's interval:\n%s", out)
	}
	if _, out, _ := run(t, "--interval", "3", "config"); !strings.Contains(out, "interval: 3s") {
		t.Errorf("--interval does not win over the file:\n%s", out)
	}
}
