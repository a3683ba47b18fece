package perfview

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
	"kvmtui/tui/tuitest"
)

// perfFeed drives synthetic sweeps of one VM at a chosen CPU use of its own
// vCPUs, the way the stats tick would deliver them.
type perfFeed struct {
	h   *harness
	dom libvirtx.Domain
	at  time.Time
	cpu uint64
}

func newPerfFeed(h *harness, name string) *perfFeed {
	f := &perfFeed{h: h, dom: h.VM(name), at: time.Unix(1_700_000_000, 0)}
	f.sweep(0) // the baseline: no rate yet
	return f
}

// sweep advances 2 s with the VM at pct % of its vCPUs.
func (f *perfFeed) sweep(pct float64) {
	dt := 2 * time.Second
	f.at = f.at.Add(dt)
	f.cpu += uint64(pct / 100 * float64(dt) * float64(f.dom.VCPUs))
	s := libvirtx.Sample{Ref: f.dom.Ref, At: f.at, State: libvirtx.StateRunning, HasCPU: true, CPUTimeNs: f.cpu,
		CurrentKiB: f.dom.MemoryKiB, RSSKiB: f.dom.MemoryKiB / 2}
	// Update directly: the tick it schedules is not wanted here.
	f.h.M.Update(common.SweepMsg{Samples: []libvirtx.Sample{s}, Hosts: []libvirtx.HostSample{{URI: f.dom.URI, At: f.at}}})
}

type harness struct{ *tuitest.Harness }

func newHarness(t *testing.T, readOnly bool) *harness {
	return &harness{tuitest.New(t, readOnly, tuitest.DemoURI(t))}
}

// selectVM moves the list's selection onto the named VM.
func (h *harness) selectVM(name string) {
	h.T.Helper()
	ctx := h.Ctx()
	ctx.Move(-1 << 20)
	for range ctx.VMs("") {
		if d, _ := ctx.Selected(); d.Name == name {
			return
		}
		ctx.Move(1)
	}
	h.T.Fatalf("%s is not in the list", name)
}

// perfHarness is a harness on the demo host with an empty config directory,
// so the user's perf.conf is neither read nor written.
func perfHarness(t *testing.T) *harness {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	return newHarness(t, false)
}

var tab = tea.KeyMsg{Type: tea.KeyTab}

func rowLine(screen, name string) string {
	for _, l := range strings.Split(screen, "\n")[1:] {
		if strings.Contains(l, " "+name) {
			return l
		}
	}
	return ""
}

func TestPerfLevelsMarkTheListAndCountInTheTitle(t *testing.T) {
	h := perfHarness(t)
	f := newPerfFeed(h, "web-01")
	f.sweep(50)
	h.ScreenLacks("warn", "crit", "ALERT")
	f.sweep(95)
	h.ScreenHas("1 crit", "ALERT crit web-01 CPU 95% ≥ 90%")
	if l := rowLine(h.M.View(), "web-01"); !strings.Contains(l, "!!") {
		t.Fatalf("web-01's row is not marked: %q", l)
	}
	// Staying high raises no new alert: the line is not re-set.
	h.Keys("esc")
	f.sweep(96)
	h.ScreenLacks("ALERT")
	h.ScreenHas("1 crit")
	// Down to warn (below 90 × 0.95), then clear.
	f.sweep(80)
	h.ScreenHas("1 warn")
	if l := rowLine(h.M.View(), "web-01"); !strings.Contains(l, " ! ") {
		t.Fatalf("web-01's row is not marked warn: %q", l)
	}
	f.sweep(10)
	h.ScreenLacks("warn", "crit")
}

func TestPerfViewOfAVMAndItsHost(t *testing.T) {
	h := perfHarness(t)
	f := newPerfFeed(h, "web-01")
	for _, p := range []float64{10, 20, 40, 80, 40, 20} {
		f.sweep(p)
	}
	h.selectVM("web-01")
	h.Keys("p")
	h.ScreenHas("PERF web-01", "running", "2 vCPU", "CPU", "20.0% of its vCPUs", "avg 35.0%", "peak 80.0%",
		"MEM", "50.0% of", "DISK", "no disk statistics", "NET", "[braille]", "esc/p back")
	// Braille charts, then blocks, then ASCII.
	if !strings.ContainsAny(h.M.View(), "⣀⡠⠔⠊⠉⢄⡀⣠") {
		t.Fatalf("no braille chart:\n%s", h.M.View())
	}
	h.Keys("b")
	h.ScreenHas("[block]")
	if !strings.ContainsAny(h.M.View(), "▁▂▃▄▅▆▇█") {
		t.Fatalf("no block chart:\n%s", h.M.View())
	}
	h.Keys("b")
	h.ScreenHas("[ascii]", "#")
	for _, l := range strings.Split(h.M.View(), "\n") {
		if strings.ContainsAny(l, "▁▂▃▄▅▆▇█⣀⡠⠔⠊") {
			t.Fatalf("ASCII mode draws Unicode: %q", l)
		}
	}
	// Another sweep redraws it (rendered when the sample arrives).
	before := h.M.View()
	f.sweep(100)
	if h.M.View() == before {
		t.Fatal("a sweep did not redraw the view")
	}
	h.ScreenHas("100.0% of its vCPUs")
	h.Keys("w")
	h.ScreenHas("all ")
	// The host page: its charts and the top VMs.
	h.Send(tab)
	h.ScreenHas("HOST demo", "VMs running", "Top VMs", "CPU  web-01 100.0%", "no CPU statistics from this driver", "Alerts")
	h.Send(tab) // one connection: back to the VM page
	h.ScreenHas("PERF web-01")
	// The next VM; esc back to the list.
	h.Keys("j")
	h.ScreenLacks("PERF web-01")
	h.Keys("esc")
	h.ScreenHas("NAME")
	h.ScreenLacks("PERF")
	// :perf host opens the host page directly.
	h.Keys(":", "perf host", "enter")
	h.ScreenHas("HOST demo")
	h.Keys("p")
	h.ScreenLacks("HOST demo")
}

func TestPerfViewFitsSmallAndLargeTerminals(t *testing.T) {
	h := perfHarness(t)
	f := newPerfFeed(h, "web-01")
	for i := 0; i < 50; i++ {
		f.sweep(float64(i * 2))
	}
	h.selectVM("web-01")
	h.Keys("p")
	for _, size := range [][2]int{{40, 10}, {80, 24}, {200, 50}} {
		h.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, page := range []string{"vm", "host"} {
			v := h.M.View()
			lines := strings.Split(v, "\n")
			if len(lines) != size[1] {
				t.Fatalf("%v %s: %d lines:\n%s", size, page, len(lines), v)
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w > size[0] {
					t.Fatalf("%v %s: a line of %d cells: %q", size, page, w, l)
				}
			}
			if !strings.Contains(v, "CPU") {
				t.Fatalf("%v %s: no CPU:\n%s", size, page, v)
			}
			h.Send(tab)
		}
	}
}

func TestSparklineColumnToggles(t *testing.T) {
	h := perfHarness(t)
	h.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	f := newPerfFeed(h, "web-01")
	for _, p := range []float64{0, 25, 50, 75, 100} {
		f.sweep(p)
	}
	h.ScreenLacks("CPU HISTORY")
	h.Keys("%")
	h.ScreenHas("CPU HISTORY")
	l := rowLine(h.M.View(), "web-01")
	if !strings.Contains(l, "▂▄▆█") {
		t.Fatalf("web-01's sparkline: %q", l)
	}
	h.Keys(":", "charts ascii", "enter")
	if l := rowLine(h.M.View(), "web-01"); !strings.Contains(l, " :=+#") {
		t.Fatalf("web-01's ASCII sparkline: %q", l)
	}
	h.Keys("%")
	h.ScreenLacks("CPU HISTORY")
}

func TestThresholdCommandAndSave(t *testing.T) {
	h := perfHarness(t)
	f := newPerfFeed(h, "web-01")
	f.sweep(60)
	h.ScreenLacks("warn")
	h.Keys(":", "threshold cpu warn 50", "enter")
	h.ScreenHas("cpu 50%/90%")
	h.Keys("esc") // an answer stays on the line a few seconds; alerts wait
	f.sweep(60)
	h.ScreenHas("1 warn", "ALERT warn web-01 CPU 60% ≥ 50%")
	h.Keys(":", "threshold disk 10M 1G", "enter")
	h.ScreenHas("disk 10.0M/s/1.0G/s")
	h.Keys(":", "threshold cpu warn 95", "enter")
	h.ScreenHas("warn (95) must be below crit (90)")
	h.Keys(":", "threshold save", "enter")
	h.ScreenHas("saved to")
	c, err := perf.LoadConfig(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "kvmtui", "perf.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Thresholds.Limits[perf.WatchCPU] != (perf.Limit{Warn: 50, Crit: 90}) || c.Thresholds.Limits[perf.WatchDisk].Warn != 10<<20 {
		t.Fatalf("saved %+v", c.Thresholds.Limits)
	}
	// From the view: t opens the command line with "threshold ".
	h.Keys("p", "t")
	h.ScreenHas(":threshold ")
	h.Keys("mem off", "enter")
	h.ScreenHas("mem off/off", "PERF")
}

func TestConfigFileIsReadAtStart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	os.MkdirAll(filepath.Join(dir, "kvmtui"), 0o755)
	os.WriteFile(filepath.Join(dir, "kvmtui", "perf.conf"), []byte("cpu.warn = 40\nlist.sparkline = on\nbogus = 1\n"), 0o644)
	h := newHarness(t, false)
	h.ScreenHas("CPU HISTORY")
	if !strings.Contains(h.Ctx().Msg.Text, `perf.conf:3: unknown key "bogus"`) {
		t.Fatalf("message %q", h.Ctx().Msg.Text)
	}
	if h.Ctx().Perf.Tr.Thresholds().Limits[perf.WatchCPU].Warn != 40 {
		t.Fatal("cpu.warn not applied")
	}
}

func TestHelpListsThePerfKeys(t *testing.T) {
	h := perfHarness(t)
	h.Send(tea.WindowSizeMsg{Width: 160, Height: 60})
	h.Keys("?")
	h.ScreenHas("Performance", "performance view", "CPU sparkline column", "braille / block / ascii", ":threshold")
}

// With sweeps of the running domains only, a VM that stopped has no sample:
// its mark and the title's count still go.
func TestStoppedVMLosesItsMarkOnAnActiveSweep(t *testing.T) {
	h := perfHarness(t)
	f := newPerfFeed(h, "web-01")
	f.sweep(95)
	h.ScreenHas("1 crit")
	f.at = f.at.Add(2 * time.Second)
	h.M.Update(common.SweepMsg{Hosts: []libvirtx.HostSample{{URI: f.dom.URI, At: f.at}}, Active: true})
	h.ScreenLacks("1 crit")
	if l := rowLine(h.M.View(), "web-01"); strings.Contains(l, "!!") {
		t.Fatalf("web-01 still marked: %q", l)
	}
}

// An alert does not hide a connection that is down.
func TestAlertYieldsToADownConnection(t *testing.T) {
	h := perfHarness(t)
	f := newPerfFeed(h, "web-01")
	f.sweep(95)
	h.ScreenHas("ALERT crit web-01")
	h.Ctx().Conns[f.dom.URI].Status = libvirtx.Disconnected
	f.at = f.at.Add(2 * time.Second)
	h.M.Update(common.SweepMsg{})
	h.ScreenLacks("ALERT")
	h.ScreenHas("disconnected, retrying")
}

// The sweep reads disk and network counters only while something shows
// them or a threshold watches them: a disk query costs libvirtd and QEMU a
// monitor call per running VM and sweep.
func TestSweepReadsTheStatsOnScreen(t *testing.T) {
	h := perfHarness(t)
	want := func(what string, g libvirtx.Groups) {
		t.Helper()
		if got := h.M.StatGroups(); got != g {
			t.Fatalf("%s: the sweep reads groups %b, want %b", what, got, g)
		}
	}
	h.ScreenHas("DISK R/W")
	h.ScreenLacks("NET RX/TX")
	want("the list at 80 columns (DISK, no NET column)", libvirtx.DiskStats)
	h.Send(tea.WindowSizeMsg{Width: 200, Height: 50})
	h.ScreenHas("DISK R/W", "NET RX/TX")
	want("the list at 200 columns", libvirtx.AllGroups)
	h.Send(tea.WindowSizeMsg{Width: 60, Height: 24})
	h.ScreenLacks("DISK R/W", "NET RX/TX")
	want("the list at 60 columns (neither)", 0)
	h.selectVM("web-01")
	h.Keys("p")
	h.ScreenHas("PERF web-01")
	want("the performance view", libvirtx.AllGroups)
	h.Keys("esc")
	want("back on the list at 60 columns", 0)
	h.Keys(":", "threshold disk 10M 1G", "enter")
	want("a disk threshold", libvirtx.DiskStats)
	h.Keys(":", "threshold disk off off", "enter")
	want("no disk threshold", 0)

	// The demo host's synthetic counters follow the groups too.
	h.Mgr.SetDemoLoad(tuitest.DemoURI(t))
	for _, g := range []libvirtx.Groups{0, libvirtx.DiskStats, libvirtx.AllGroups} {
		s, errs := h.Mgr.SweepActive(g)
		if len(errs) > 0 || len(s) == 0 {
			t.Fatalf("sweep: %v %v", s, errs)
		}
		for _, x := range s {
			if x.HasBlock != (g&libvirtx.DiskStats != 0) || x.HasNet != (g&libvirtx.NetStats != 0) {
				t.Fatalf("%s in a sweep of groups %b: disk counters %v, network counters %v", x.Name, g, x.HasBlock, x.HasNet)
			}
		}
	}
}
