package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every setting read back; a missing file is the defaults.
func TestEverySetting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	os.WriteFile(path, []byte(`# kvmtui
connect = qemu:///system
connect = qemu+ssh://root@db1/system   # the database host
interval = 3
theme = high-contrast
columns = state, name ,cpu,mem
key.list.start = x, ctrl+x
key.global.quit = Q
`), 0o600)
	c, errs := Load(path)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := Config{
		Path:     path,
		Connect:  []string{"qemu:///system", "qemu+ssh://root@db1/system"},
		Interval: 3 * time.Second,
		Theme:    "high-contrast",
		Columns:  []string{"state", "name", "cpu", "mem"},
		Keys:     map[string]map[string][]string{"list": {"start": {"x", "ctrl+x"}}, "global": {"quit": {"Q"}}},
		lines:    c.lines,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("read\n%+v\nwant\n%+v", c, want)
	}
	if c.lines["theme"] != 5 || c.ThemeDir() != filepath.Join(dir, "themes") {
		t.Fatalf("theme line %d, dir %s", c.lines["theme"], c.ThemeDir())
	}

	none, errs := Load(filepath.Join(dir, "absent.conf"))
	if len(errs) > 0 || none.Connect != nil || none.Theme != "" || none.Interval != 0 {
		t.Fatalf("a missing file: %+v %v", none, errs)
	}
}

// A bad line is reported with the file, its line and field, and left out;
// the lines around it still apply.
func TestBadLinesNameFileLineField(t *testing.T) {
	c, errs := Parse("/etc/k.conf", strings.NewReader(`interval = 4s
interval = 0.2s
connect = not a uri
colour = blue
key.list = x
key.list.start =
just words
theme = dark
`))
	got := make([]string, len(errs))
	for i, e := range errs {
		got[i] = e.Error()
	}
	want := []string{
		`/etc/k.conf:2: interval: "0.2s": expected seconds (3) or a duration (3s) of at least 1s`,
		`/etc/k.conf:3: connect: "not a uri" is not a libvirt URI (qemu:///system, qemu+ssh://root@host/system)`,
		`/etc/k.conf:4: colour: unknown setting (connect, interval, theme, columns, key.VIEW.ACTION)`,
		`/etc/k.conf:5: key.list: expected key.VIEW.ACTION (key.list.start)`,
		`/etc/k.conf:6: key.list.start: expected one or more keys separated by commas (x, ctrl+x, f5)`,
		`/etc/k.conf:7: just words: expected key = value`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.Interval != 4*time.Second || c.Theme != "dark" || c.Connect != nil || c.Keys != nil {
		t.Fatalf("the good lines: %+v", c)
	}
	if err := c.Errf("theme", "no theme %q", "x"); err.Error() != `/etc/k.conf:8: theme: no theme "x"` {
		t.Fatalf("Errf: %v", err)
	}
}
