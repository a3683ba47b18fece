package perf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsWithoutAFile(t *testing.T) {
	c, err := LoadConfig(filepath.Join(t.TempDir(), "none.conf"))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Thresholds.Limits
	if l[WatchCPU] != (Limit{70, 90}) || l[WatchMem] != (Limit{70, 90}) || l[WatchDisk] != (Limit{}) {
		t.Fatalf("defaults: %+v", l)
	}
	if c.Charts != Braille || c.ListSparkline {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestConfigParse(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(`
# comment
cpu.warn = 60      # trailing comment
cpu.crit = 85%
disk.warn = 50M
disk.crit = 1.5G/s
net.warn = 200KiB
mem.crit = off
host.mem.warn = 80
hysteresis = 10
cooldown = 5m
charts = ascii
list.sparkline = on
`))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Thresholds.Limits
	if l[WatchCPU] != (Limit{60, 85}) || l[WatchDisk] != (Limit{50 << 20, 1.5 * (1 << 30)}) ||
		l[WatchNet].Warn != 200<<10 || l[WatchMem] != (Limit{70, 0}) || l[WatchHostMem].Warn != 80 {
		t.Fatalf("limits: %+v", l)
	}
	if c.Thresholds.Hysteresis != 10 || c.Thresholds.Cooldown != 5*time.Minute || c.Charts != ASCII || !c.ListSparkline {
		t.Fatalf("config: %+v", c)
	}
}

func TestConfigErrorsNameTheLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "perf.conf")
	os.WriteFile(p, []byte("cpu.warn = 60\nbogus = 1\nmem.warn = lots\ncharts = fancy\nnet.crit\ndisk.warn = 10M\ndisk.crit = 5M\n"), 0o644)
	c, err := LoadConfig(p)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, s := range []string{p + ":2: unknown key \"bogus\"", p + ":3: mem.warn", p + ":4: charts", p + ":5:", "disk: warn"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q:\n%s", s, msg)
		}
	}
	// Good lines still apply, bad ones keep their defaults.
	if c.Thresholds.Limits[WatchCPU].Warn != 60 || c.Thresholds.Limits[WatchMem].Warn != 70 {
		t.Fatalf("limits: %+v", c.Thresholds.Limits)
	}
}

func TestConfigSaveReadsBack(t *testing.T) {
	c := DefaultConfig()
	c.Thresholds.Limits[WatchCPU] = Limit{55, 80}
	c.Thresholds.Limits[WatchDisk] = Limit{100 << 20, 1 << 30}
	c.Thresholds.Limits[WatchNet] = Limit{12345, 0}
	c.Thresholds.Hysteresis = 2.5
	c.Thresholds.Cooldown = 90 * time.Second
	c.Charts, c.ListSparkline = Block, true
	c.Thresholds.MemRSS = true
	p := filepath.Join(t.TempDir(), "sub", "perf.conf")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, c)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), "disk.warn = 100M") {
		t.Fatalf("file:\n%s", b)
	}
}

func TestConfigPathFollowsXDG(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/cfg")
	if p := ConfigPath(); p != "/x/cfg/kvmtui/perf.conf" {
		t.Fatal(p)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p := ConfigPath(); p != "/home/u/.config/kvmtui/perf.conf" {
		t.Fatal(p)
	}
}
