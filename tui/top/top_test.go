package top

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
)

// topFeed is a dashboard over n synthetic running VMs of one host with 4
// CPUs; VM i uses 2·i % of its one vCPU (i < 50).
type topFeed struct {
	top     *Top
	samples []libvirtx.Sample
	host    libvirtx.HostSample
}

const topURI = "qemu:///system"

func newTopFeed(tb testing.TB, n int) *topFeed {
	mgr := libvirtx.NewManager(false)
	tb.Cleanup(mgr.Close)
	top := New(mgr, Options{Interval: 2 * time.Second, Perf: perf.DefaultConfig()})
	doms := make([]libvirtx.Domain, n)
	f := &topFeed{top: top, samples: make([]libvirtx.Sample, n)}
	for i := range doms {
		d := libvirtx.Domain{Ref: libvirtx.Ref{URI: topURI, UUID: fmt.Sprintf("uuid-%03d", i), Name: fmt.Sprintf("guest-%03d", i)},
			State: libvirtx.StateRunning, VCPUs: 1, MemoryKiB: 1 << 20}
		doms[i] = d
		f.samples[i] = libvirtx.Sample{Ref: d.Ref, State: d.State, HasCPU: true, CurrentKiB: d.MemoryKiB,
			RSSKiB: d.MemoryKiB / 2, HasBlock: true, HasNet: true}
	}
	top.Update(common.EventsMsg{
		libvirtx.ConnEvent{URI: topURI, Status: libvirtx.Connected, Host: libvirtx.HostInfo{CPUs: 4, Hostname: "h1"}},
		libvirtx.InventoryEvent{URI: topURI, Domains: doms},
	})
	f.host = libvirtx.HostSample{URI: topURI, At: time.Unix(1_700_000_000, 0), HasCPU: true, HasMem: true,
		TotalKiB: 16 << 20, FreeKiB: 8 << 20}
	return f
}

// sweep advances 2 s.
func (f *topFeed) sweep() {
	f.host.At = f.host.At.Add(2 * time.Second)
	f.host.User += 3e9 // 3 of 8 CPU-seconds busy: 37.5 %
	f.host.Idle += 5e9
	for i := range f.samples {
		s := &f.samples[i]
		s.At = f.host.At
		s.CPUTimeNs += uint64(2*i%100) * 2e7 // 2·i % of 2 s
		s.RdBytes += uint64(i) * 4096
		s.RxBytes += uint64(i) * 1500
	}
	f.top.Update(common.SweepMsg{Samples: f.samples, Hosts: []libvirtx.HostSample{f.host}})
}

func TestTopScreenAtSmallAndLargeSizes(t *testing.T) {
	f := newTopFeed(t, 50)
	for _, size := range [][2]int{{40, 10}, {120, 30}} {
		f.top.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		f.sweep()
		f.sweep()
		scr := f.top.View()
		lines := strings.Split(scr, "\n")
		if len(lines) != size[1] {
			t.Fatalf("%v: %d lines:\n%s", size, len(lines), scr)
		}
		for _, l := range lines {
			if lipgloss.Width(l) > size[0] {
				t.Fatalf("%v: a line of %d cells: %q", size, lipgloss.Width(l), l)
			}
		}
		for _, want := range []string{"kvmtui top", "system CPU  38%", "MEM 50%", "50/50 running", "10 warn", "5 crit", "NAME", "CPU%"} {
			if !strings.Contains(scr, want) {
				t.Fatalf("%v: no %q:\n%s", size, want, scr)
			}
		}
		// The busiest first: guest-049 at 98 %, critical.
		if !strings.Contains(lines[4], "!!guest-049") || !strings.Contains(lines[4], "98.0") {
			t.Fatalf("%v: first row %q:\n%s", size, lines[4], scr)
		}
		if !strings.Contains(lines[size[1]-1], "warn") && !strings.Contains(lines[size[1]-1], "crit") {
			t.Fatalf("%v: no alert on the last line:\n%s", size, scr)
		}
	}
}

func TestTopWaitsForSamplesAndSaysSo(t *testing.T) {
	f := newTopFeed(t, 3)
	f.top.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	if !strings.Contains(f.top.View(), "sampling") {
		t.Fatalf("before any sample:\n%s", f.top.View())
	}
	f.top.Update(tea.WindowSizeMsg{Width: 20, Height: 5})
	if !strings.Contains(f.top.View(), "pane too small") {
		t.Fatalf("20x5:\n%s", f.top.View())
	}
	f.top.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	// One-row sparklines are blocks or ASCII (braille draws as blocks there).
	_, cmd := f.top.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'b'}})
	if cmd != nil || f.top.opts.Perf.Charts != perf.ASCII {
		t.Fatal("b does not switch the charts to ASCII")
	}
	f.top.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'b'}})
	if f.top.opts.Perf.Charts != perf.Block {
		t.Fatal("b does not switch back to blocks")
	}
	_, cmd = f.top.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'q'}})
	if cmd == nil {
		t.Fatal("q does nothing")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q does not quit")
	}
}

// One stats tick of the dashboard over 50 running VMs: tracker, sort,
// sparklines of the visible rows, the screen, and View.
func BenchmarkTopSweep50(b *testing.B) {
	f := newTopFeed(b, 50)
	f.top.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	f.sweep()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.sweep()
		_ = f.top.View()
	}
}

func TestMidTrunc(t *testing.T) {
	for _, c := range [][3]string{
		{"kvmtui-test-bench-031", "10", "kvm…ch-031"},
		{"web-01", "10", "web-01"},
		{"abcdefghijkl", "5", "a…jkl"},
	} {
		w := 0
		fmt.Sscan(c[1], &w)
		if got := midTrunc(c[0], w); got != c[2] || lipgloss.Width(got) > w {
			t.Errorf("midTrunc(%q, %d) = %q, want %q", c[0], w, got, c[2])
		}
	}
}

// Every column keeps a space before it, even when MEM% is 100.0 and the
// name fills its column.
func TestTopColumnsNeverRunTogether(t *testing.T) {
	f := newTopFeed(t, 3)
	for i := range f.samples {
		f.samples[i].RSSKiB = f.samples[i].CurrentKiB // 100 % of its memory
		f.samples[i].Name = strings.Repeat("n", 40)
	}
	for _, w := range []int{40, 60, 80, 120} {
		f.top.Update(tea.WindowSizeMsg{Width: w, Height: 12})
		f.sweep()
		f.sweep()
		found := false
		for _, l := range strings.Split(f.top.View(), "\n") {
			if strings.Contains(l, "100.0") {
				found = true
				if strings.Contains(l, "0100.0") || strings.Contains(l, ".0100") || !strings.Contains(l, " 100.0") {
					t.Fatalf("%d columns: MEM%% runs into the column before it: %q", w, l)
				}
			}
		}
		if !found {
			t.Fatalf("%d columns: no VM at 100.0 %% memory:\n%s", w, f.top.View())
		}
	}
}

// The first sweep goes out as soon as a connection is up (it went out at
// start, found nothing, and the data came an interval later), once; the
// VM count shows as soon as the inventory arrives.
func TestTopSweepsOnceAConnectionIsUp(t *testing.T) {
	mgr := libvirtx.NewManager(false)
	t.Cleanup(mgr.Close)
	top := New(mgr, Options{Interval: 2 * time.Second, Perf: perf.DefaultConfig()})
	top.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	top.Update(common.EventsMsg{libvirtx.ConnEvent{URI: topURI, Status: libvirtx.Connecting}})
	if top.sweeping {
		t.Fatal("a sweep before any connection is up")
	}
	_, cmd := top.Update(common.EventsMsg{libvirtx.ConnEvent{URI: topURI, Status: libvirtx.Connected, Host: libvirtx.HostInfo{CPUs: 4}}})
	if !top.sweeping {
		t.Fatal("no sweep once the connection is up")
	}
	if batch, ok := cmd().(tea.BatchMsg); !ok || len(batch) != 2 {
		t.Fatal("the sweep is not asked for beside the wait for events")
	}
	top.Update(common.EventsMsg{libvirtx.InventoryEvent{URI: topURI, Domains: []libvirtx.Domain{
		{Ref: libvirtx.Ref{URI: topURI, UUID: "u1", Name: "a"}}, {Ref: libvirtx.Ref{URI: topURI, UUID: "u2", Name: "b"}}}}})
	if !strings.Contains(top.View(), "0/2 running") {
		t.Fatalf("the inventory's count is not shown:\n%s", top.View())
	}
	top.Update(common.SweepMsg{}) // the first sweep's answer: the ticks start
	top.Update(common.EventsMsg{libvirtx.ConnEvent{URI: "qemu:///session", Status: libvirtx.Connected}})
	if top.sweeping {
		t.Fatal("a second first sweep: the ticks would run twice as often")
	}
}
