package tui_test

// End-to-end tests of the performance features: `kvmtui top` in tmux at
// the smallest and a large pane, its batch export parsed back, and the
// performance view of a real running guest.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/perf"
)

// fits fails when the dashboard's title is not on the first line (pushed
// off by too many lines) or a line is wider than the pane.
func fits(t *testing.T, scr string, w, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	if len(lines) > h || !strings.HasPrefix(lines[0], "kvmtui") {
		t.Fatalf("the title is not on the first line of a %dx%d pane:\n%s", w, h, scr)
	}
	for _, l := range lines {
		if lipgloss.Width(l) > w {
			t.Fatalf("a line of %d cells in a %dx%d pane: %q", lipgloss.Width(l), w, h, l)
		}
	}
}

func TestE2ETopDashboardOnTheDemoHost(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, size := range [][2]int{{40, 10}, {120, 30}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			s := startTUI(t, size[0], size[1], "--demo", "top", "--interval", "1")
			scr := s.waitFor("rates", 15*time.Second, func(scr string) bool {
				return strings.Contains(scr, "kvmtui top") && !strings.Contains(scr, "sampling") && strings.Contains(scr, "/15 running")
			})
			fits(t, scr, size[0], size[1])
			for _, want := range []string{"running", "NAME", "CPU%", "MEM%"} {
				if !strings.Contains(scr, want) {
					t.Fatalf("no %q:\n%s", want, scr)
				}
			}
			if size[0] >= 80 && !strings.Contains(scr, "CPU HISTORY") {
				t.Fatalf("no sparkline column:\n%s", scr)
			}
			// It refreshes in place: the same layout, a later clock.
			clock := regexp.MustCompile(`\d\d:\d\d:\d\d`)
			first := clock.FindString(strings.Split(scr, "\n")[0])
			again := s.waitFor("the clock to move", 10*time.Second, func(scr string) bool {
				now := clock.FindString(strings.Split(scr, "\n")[0])
				return now != "" && now != first
			})
			fits(t, again, size[0], size[1])
			s.keys("q")
		})
	}
}

func TestE2ETopWithARealGuest(t *testing.T) {
	uri := lt.URI(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	name := lt.FixtureGuest(t, uri, "top")
	lt.MustVirsh(t, uri, "start", name)
	for _, size := range [][2]int{{40, 10}, {120, 30}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			s := startTUI(t, size[0], size[1], "-c", uri, "top", "--interval", "1")
			// Long names are cut in the middle to fit the pane: match the end.
			short := name[len(name)-5:]
			scr := s.waitFor("the guest with a CPU figure", 30*time.Second, func(scr string) bool {
				l := rowOf(scr, short)
				return strings.Contains(l, ".") && strings.Contains(scr, "CPU ") && !strings.Contains(scr, "sampling")
			})
			fits(t, scr, size[0], size[1])
			if !strings.Contains(scr, "MEM ") {
				t.Fatalf("no host memory:\n%s", scr)
			}
			s.keys("q")
		})
	}
}

func TestE2ETopBatchCSVAndJSON(t *testing.T) {
	uri := lt.URI(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	name := lt.FixtureGuest(t, uri, "batch")
	lt.MustVirsh(t, uri, "start", name)

	out, err := exec.Command(binary(t), "-c", uri, "top", "--batch", "--format", "csv", "--interval", "1", "--count", "2").Output()
	if err != nil {
		t.Fatalf("top --batch: %v\n%s", err, out)
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, out)
	}
	if strings.Join(rows[0], ",") != strings.Join(perf.CSVHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var hosts, guest int
	times := map[string]bool{}
	for _, r := range rows[1:] {
		times[r[col["time"]]] = true
		switch {
		case r[col["kind"]] == "host":
			hosts++
			if cpu, err := strconv.ParseFloat(r[col["cpu_pct"]], 64); err != nil || cpu < 0 || cpu > 100 {
				t.Errorf("host cpu_pct %q", r[col["cpu_pct"]])
			}
			if _, err := strconv.ParseUint(r[col["mem_avail_kib"]], 10, 64); err != nil {
				t.Errorf("host mem_avail_kib %q", r[col["mem_avail_kib"]])
			}
		case r[col["name"]] == name:
			guest++
			if r[col["state"]] != "running" {
				t.Errorf("guest state %q", r[col["state"]])
			}
			if cpu, err := strconv.ParseFloat(r[col["cpu_pct"]], 64); err != nil || cpu < 0 {
				t.Errorf("guest cpu_pct %q", r[col["cpu_pct"]])
			}
			if ns, err := strconv.ParseUint(r[col["cpu_time_ns"]], 10, 64); err != nil || ns == 0 {
				t.Errorf("guest cpu_time_ns %q", r[col["cpu_time_ns"]])
			}
			// The fixture guest has no disk and no NIC: unknown, not 0.
			if r[col["disk_rd_bps"]] != "" || r[col["net_rx_bps"]] != "" {
				t.Errorf("guest disk/net %q %q", r[col["disk_rd_bps"]], r[col["net_rx_bps"]])
			}
		}
	}
	if hosts != 2 || guest != 2 || len(times) != 2 {
		t.Fatalf("%d host rows, %d guest rows, %d times; want 2 2 2:\n%s", hosts, guest, len(times), out)
	}

	out, err = exec.Command(binary(t), "-c", uri, "top", "--batch", "--format", "json", "--interval", "1", "--count", "2").Output()
	if err != nil {
		t.Fatalf("top --batch json: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<22)
	n := 0
	for sc.Scan() {
		n++
		var rec perf.Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v\n%s", n, err, sc.Bytes())
		}
		if len(rec.Hosts) != 1 || rec.Hosts[0].CPUPct == nil || rec.Hosts[0].CPUs < 1 {
			t.Fatalf("hosts %+v", rec.Hosts)
		}
		found := false
		for _, v := range rec.VMs {
			if v.Name == name {
				found = v.CPUPct != nil && v.HostCPUPct != nil && v.State == "running" && v.VCPUs == 1 && v.DiskRdBps == nil
			}
		}
		if !found {
			t.Fatalf("guest missing or incomplete in %s", sc.Bytes())
		}
	}
	if n != 2 {
		t.Fatalf("%d JSON lines, want 2:\n%s", n, out)
	}
}

func TestE2EPerfViewOfARealGuest(t *testing.T) {
	uri := lt.URI(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	name := lt.FixtureGuest(t, uri, "perf")
	lt.MustVirsh(t, uri, "start", name)
	s := startTUI(t, 100, 30, "-c", uri, "--interval", "1s")
	s.waitFor("the VM", 15*time.Second, func(scr string) bool { return rowOf(scr, name) != "" })
	s.keys("/", "lit:"+name, "Enter")
	s.waitRow(name, "running")
	s.keys("p")
	scr := s.waitFor("the VM's charts with figures", 20*time.Second, func(scr string) bool {
		return strings.Contains(scr, "PERF "+name) && strings.Contains(scr, "% of its vCPUs") && strings.Contains(scr, "peak")
	})
	fits(t, scr, 100, 30)
	for _, want := range []string{"MEM", "DISK  no disk statistics", "NET   no interface statistics"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("no %q:\n%s", want, scr)
		}
	}
	s.keys("Tab")
	scr = s.waitFor("the host page", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "HOST system") && strings.Contains(scr, "busy") && strings.Contains(scr, "available")
	})
	fits(t, scr, 100, 30)
	s.keys("Escape")
	s.keys("%")
	s.waitFor("the sparkline column", 10*time.Second, func(scr string) bool { return strings.Contains(scr, "CPU HISTORY") })
	s.keys("q")
}
