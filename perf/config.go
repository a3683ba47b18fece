package perf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"kvmtui/config"
	"kvmtui/libvirtx"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ChartStyle is how sparklines are drawn.
type ChartStyle int

const (
	Braille ChartStyle = iota // Unicode braille dots (line charts)
	Block                     // Unicode lower blocks (bar charts)
	ASCII                     // plain ASCII, for terminals and fonts without the above
)

var chartStyleNames = []string{"braille", "block", "ascii"}

func (s ChartStyle) String() string { return chartStyleNames[s] }

// Next is the style after s, for a key that cycles through them.
func (s ChartStyle) Next() ChartStyle { return (s + 1) % ChartStyle(len(chartStyleNames)) }

// ParseChartStyle reads "braille", "block" or "ascii".
func ParseChartStyle(v string) (ChartStyle, error) {
	for i, n := range chartStyleNames {
		if v == n {
			return ChartStyle(i), nil
		}
	}
	return 0, fmt.Errorf("%q: expected braille, block or ascii", v)
}

// Config is the performance part of kvmtui's configuration, read from
// ConfigPath at start. The file is optional; see DefaultConfig.
type Config struct {
	Thresholds    Thresholds
	Charts        ChartStyle
	ListSparkline bool // the CPU sparkline column of the VM list
	HistoryIO     bool // read disk and network counters even while nothing shows them
}

// Groups are the optional stats the configuration needs at every sweep:
// those a threshold watches, or all with history.io.
func (c Config) Groups() libvirtx.Groups {
	if c.HistoryIO {
		return libvirtx.AllGroups
	}
	var g libvirtx.Groups
	if l := c.Thresholds.Limits[WatchDisk]; l.Warn > 0 || l.Crit > 0 {
		g |= libvirtx.DiskStats
	}
	if l := c.Thresholds.Limits[WatchNet]; l.Warn > 0 || l.Crit > 0 {
		g |= libvirtx.NetStats
	}
	return g
}

// DefaultConfig is what kvmtui uses without a file.
func DefaultConfig() Config {
	return Config{Thresholds: DefaultThresholds(), Charts: Braille}
}

// ConfigFile is the file's name inside kvmtui's config directory.
const ConfigFile = "perf.conf"

// ConfigPath is perf.conf in kvmtui's configuration directory, beside
// kvmtui.conf.
func ConfigPath() string { return filepath.Join(config.Dir(), ConfigFile) }

// LoadConfig reads the file at path. A missing file gives the defaults and
// no error; a bad line gives the defaults for that key and an error naming
// the file and the line (the other lines still apply).
func LoadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return DefaultConfig(), nil
	}
	if err != nil {
		return DefaultConfig(), err
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		lines := strings.Split(err.Error(), "\n")
		for i := range lines {
			lines[i] = path + ":" + lines[i]
		}
		err = errors.New(strings.Join(lines, "\n"))
	}
	return c, err
}

// ParseConfig reads `key = value` lines; `#` starts a comment. Errors are
// "LINE: text" and joined; lines that parse still apply.
func ParseConfig(r io.Reader) (Config, error) {
	c := DefaultConfig()
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			errs = append(errs, fmt.Errorf("%d: %q: expected key = value", n, line))
			continue
		}
		if err := c.Set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Errorf("%d: %w", n, err))
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Thresholds.Check(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// Set applies one key; the :threshold command uses it too.
func (c *Config) Set(key, val string) error {
	switch key {
	case "hysteresis":
		f, err := strconv.ParseFloat(strings.TrimSuffix(val, "%"), 64)
		if err != nil || f < 0 || f >= 100 {
			return fmt.Errorf("hysteresis: %q: expected a percentage from 0 to 99", val)
		}
		c.Thresholds.Hysteresis = f
		return nil
	case "cooldown":
		d, err := time.ParseDuration(val)
		if err != nil || d < 0 {
			return fmt.Errorf("cooldown: %q: expected a duration such as 60s or 5m", val)
		}
		c.Thresholds.Cooldown = d
		return nil
	case "charts":
		s, err := ParseChartStyle(val)
		if err != nil {
			return fmt.Errorf("charts: %w", err)
		}
		c.Charts = s
		return nil
	}
	if p := c.switchKey(key); p != nil {
		b, err := parseBool(val)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*p = b
		return nil
	}
	name, lvl, ok := cutLast(key, ".")
	w, known := WatchByName(name)
	if !ok || !known || (lvl != "warn" && lvl != "crit") {
		return fmt.Errorf("unknown key %q (keys: %s)", key, strings.Join(ConfigKeys(), ", "))
	}
	f, err := ParseLevel(w, val)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if lvl == "warn" {
		c.Thresholds.Limits[w].Warn = f
	} else {
		c.Thresholds.Limits[w].Crit = f
	}
	return nil
}

// ParseLevel reads a threshold value: a percentage for the % watches
// ("80", "80%"), bytes per second for disk and net ("50M", "1.5G/s",
// "200KiB"), "off" or 0 for none.
func ParseLevel(w Watch, val string) (float64, error) {
	if val == "off" || val == "none" {
		return 0, nil
	}
	if w.Percent() {
		f, err := strconv.ParseFloat(strings.TrimSuffix(val, "%"), 64)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("%q: expected a percentage (or off)", val)
		}
		return f, nil
	}
	f, err := ParseRate(val)
	if err != nil {
		return 0, fmt.Errorf("%q: expected bytes per second such as 50M (or off)", val)
	}
	return f, nil
}

// ParseRate reads bytes per second: a number with an optional binary unit
// (K, M, G, T; "B", "iB" and "/s" may follow).
func ParseRate(val string) (float64, error) {
	s := strings.TrimSuffix(strings.TrimSpace(val), "/s")
	s = strings.TrimSuffix(s, "B")
	s = strings.TrimSuffix(s, "i")
	mult := 1.0
	if n := len(s); n > 0 {
		if i := strings.IndexByte("KMGT", s[n-1]&^0x20); i >= 0 {
			mult = float64(uint64(1) << (10 * (i + 1)))
			s = s[:n-1]
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a rate", val)
	}
	return f * mult, nil
}

// Check reports levels that cannot work: a warning at or above its
// critical level.
func (t Thresholds) Check() error {
	var errs []error
	for w, l := range t.Limits {
		if l.Warn > 0 && l.Crit > 0 && l.Warn >= l.Crit {
			errs = append(errs, fmt.Errorf("%s: warn (%v) must be below crit (%v)", Watch(w).Name(), l.Warn, l.Crit))
		}
	}
	return errors.Join(errs...)
}

// switchKey is where an on/off key is kept, nil for another key.
func (c *Config) switchKey(key string) *bool {
	switch key {
	case "mem.rss":
		return &c.Thresholds.MemRSS
	case "list.sparkline":
		return &c.ListSparkline
	case "history.io":
		return &c.HistoryIO
	}
	return nil
}

// ConfigKeys lists every key the file takes.
func ConfigKeys() []string {
	var ks []string
	for w := Watch(0); w < NumWatch; w++ {
		ks = append(ks, w.Name()+".warn", w.Name()+".crit")
	}
	return append(ks, "mem.rss", "hysteresis", "cooldown", "charts", "list.sparkline", "history.io")
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "yes", "true", "1":
		return true, nil
	case "off", "no", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q: expected on or off", v)
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// levelText renders a level for the file: "off", "80" or "50M".
func levelText(w Watch, v float64) string {
	if v <= 0 {
		return "off"
	}
	if w.Percent() {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	for i := 4; i > 0; i-- {
		u := float64(uint64(1) << (10 * i))
		if v >= u && v/u == float64(int64(v/u)) {
			return strconv.FormatInt(int64(v/u), 10) + string("KMGT"[i-1])
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Format renders the configuration as a commented file that ParseConfig
// reads back to the same values.
func (c Config) Format() string {
	var b strings.Builder
	b.WriteString(`# kvmtui performance settings (perf.conf). key = value; # starts a comment.
# Thresholds: a VM or host at or above a level is marked and counted; rising
# to a level raises one alert. "off" (or 0) disables a level.
#   cpu        % of the VM's own vCPUs (100 = all its vCPUs busy)
#   mem        % of the VM's memory in use, as the guest reports it (virtio
#              balloon statistics); see mem.rss
#   disk, net  bytes per second, read + write / rx + tx (K, M, G suffixes)
#   host.cpu   % of the host's CPUs busy; host.mem: % used (not free/buffers/cache)
`)
	for w := Watch(0); w < NumWatch; w++ {
		l := c.Thresholds.Limits[w]
		fmt.Fprintf(&b, "%s.warn = %s\n%s.crit = %s\n", w.Name(), levelText(w, l.Warn), w.Name(), levelText(w, l.Crit))
	}
	fmt.Fprintf(&b, `# Apply the mem levels to QEMU's resident size where the guest reports no
# memory statistics (on or off). QEMU's RSS is what the host spends, and stays
# near 100 %% once a guest has touched its memory.
mem.rss = %s
# A level is left only below level × (1 − hysteresis/100).
hysteresis = %s
# The same VM and watch raise no new alert of the same level within this time.
cooldown = %s
# Sparklines: braille, block or ascii.
charts = %s
# The CPU sparkline column in the VM list: on or off.
list.sparkline = %s
# Disk and network counters are read while something shows them (the DISK
# and NET columns, the performance view) or a threshold watches them: a
# disk query costs libvirtd and QEMU a monitor call per running VM. On:
# read them at every sweep, for a history without gaps.
history.io = %s
`, onOff(c.Thresholds.MemRSS), strconv.FormatFloat(c.Thresholds.Hysteresis, 'f', -1, 64), c.Thresholds.Cooldown, c.Charts, onOff(c.ListSparkline), onOff(c.HistoryIO))
	return b.String()
}

// Save writes the configuration to path, creating its directory.
func (c Config) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(c.Format()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
