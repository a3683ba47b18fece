// Package config reads kvmtui's configuration file,
// $XDG_CONFIG_HOME/kvmtui/kvmtui.conf: `key = value` lines, "# " starts a
// comment.
//
//	connect  = qemu+ssh://root@db1/system   # repeatable: opened at start when no -c
//	                                        # is given, offered by :connect
//	interval = 3s                           # the stats interval (--interval wins)
//	theme    = auto                         # auto, dark, light, high-contrast, mono, or
//	                                        # NAME for themes/NAME.theme beside this file
//	columns  = state,name,cpu,mem,disk,net  # the VM list's columns, in this order
//	key.list.start = x                      # rebind: key.VIEW.ACTION = KEY[,KEY…]
//
// A line that cannot be used is reported with the file, line and field, and
// left out; the rest still applies. The performance settings stay in
// perf.conf beside it.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FileName is the file's name in Dir.
const FileName = "kvmtui.conf"

// Dir is $XDG_CONFIG_HOME/kvmtui (XDG_CONFIG_HOME defaulting to ~/.config).
func Dir() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "kvmtui")
}

// Config is what the file says; zero values mean "not set".
type Config struct {
	Path     string
	Connect  []string
	Interval time.Duration
	Theme    string
	Columns  []string
	// Keys rebinds actions: view → action → keys.
	Keys map[string]map[string][]string

	lines map[string]int // field → its line, for later errors
}

// Error is a problem with one line of the file.
type Error struct {
	Path  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s: %s", e.Path, e.Line, e.Field, e.Msg) }

// Load reads the file at path. A missing file is an empty Config and no
// error; the errors are the lines it left out.
func Load(path string) (Config, []error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Config{Path: path}, nil
	}
	if err != nil {
		return Config{Path: path}, []error{err}
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads the lines of r (path names them in errors).
func Parse(path string, r io.Reader) (Config, []error) {
	c := Config{Path: path, lines: map[string]int{}}
	errs := EachLine(path, r, func(n int, k, v string) string {
		msg := c.set(k, v)
		if msg == "" {
			c.lines[k] = n
		}
		return msg
	})
	return c, errs
}

// EachLine calls set with each `key = value` line of r (# comments and
// blank lines skipped); a message set returns, or a line without "=",
// becomes an Error for that line. Theme files use it too.
func EachLine(path string, r io.Reader, set func(line int, key, value string) string) []error {
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := commentAt(line); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			errs = append(errs, &Error{path, n, line, "expected key = value"})
			continue
		}
		if msg := set(n, k, v); msg != "" {
			errs = append(errs, &Error{path, n, k, msg})
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %v", path, err))
	}
	return errs
}

// commentAt is where a comment starts: a # at the start of the line or
// after a space, and followed by a space or nothing (#rrggbb is a colour).
func commentAt(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') &&
			(i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t' || line[i+1] == '#') {
			return i
		}
	}
	return -1
}

// set applies one line; the message says why it could not.
func (c *Config) set(k, v string) string {
	switch {
	case k == "connect":
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" {
			return fmt.Sprintf("%q is not a libvirt URI (qemu:///system, qemu+ssh://root@host/system)", v)
		}
		c.Connect = append(c.Connect, v)
	case k == "interval":
		d, err := time.ParseDuration(v)
		if n, nerr := strconv.Atoi(v); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
		if err != nil || d < time.Second {
			return fmt.Sprintf("%q: expected seconds (3) or a duration (3s) of at least 1s", v)
		}
		c.Interval = d
	case k == "theme":
		if v == "" {
			return "expected a theme name"
		}
		c.Theme = v
	case k == "columns":
		c.Columns = nil
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				c.Columns = append(c.Columns, id)
			}
		}
		if len(c.Columns) == 0 {
			return "expected column names separated by commas"
		}
	case strings.HasPrefix(k, "key."):
		view, action, ok := strings.Cut(strings.TrimPrefix(k, "key."), ".")
		if !ok || view == "" || action == "" {
			return "expected key.VIEW.ACTION (key.list.start)"
		}
		var keys []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				keys = append(keys, s)
			}
		}
		if len(keys) == 0 {
			return "expected one or more keys separated by commas (x, ctrl+x, f5)"
		}
		if c.Keys == nil {
			c.Keys = map[string]map[string][]string{}
		}
		if c.Keys[view] == nil {
			c.Keys[view] = map[string][]string{}
		}
		c.Keys[view][action] = keys
	default:
		return "unknown setting (connect, interval, theme, columns, key.VIEW.ACTION)"
	}
	return ""
}

// ThemeDir is where user themes are: themes/ beside the file.
func (c *Config) ThemeDir() string { return filepath.Join(filepath.Dir(c.Path), "themes") }

// Errf is an error about a field the file set, for a check made after
// loading (a theme or column name, a key's action): it names the file and
// the field's line.
func (c *Config) Errf(field, format string, a ...any) error {
	return &Error{c.Path, c.lines[field], field, fmt.Sprintf(format, a...)}
}
