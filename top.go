package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui"
)

const topUsage = `usage: kvmtui [flags] top [top flags]

A dense, read-only dashboard for a small pane (40x10 and up): host load, the
busiest VMs with a CPU sparkline each, the latest alert. q quits, b switches
the sparklines between Unicode and ASCII.

With --batch it writes samples to standard output instead, for scripts:
CSV (a header, then one row per host and per VM each interval) or JSON
Lines (one object per interval). Unknown values are empty / null.

top flags:
`

// seconds is an interval flag that takes "2" (seconds) or "2s", "1m".
type seconds struct{ d *time.Duration }

func (s seconds) String() string {
	if s.d == nil {
		return ""
	}
	return s.d.String()
}

func (s seconds) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		*s.d = time.Duration(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q: expected seconds (2) or a duration (2s)", v)
	}
	*s.d = d
	return nil
}

func topCommand(cfg config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("top", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, topUsage); fs.PrintDefaults() }
	batch := fs.Bool("batch", false, "write samples to standard output instead of the dashboard")
	format := fs.String("format", "csv", "batch output: csv or json")
	count := fs.Int("count", 0, "batch: stop after this many samples (0: never)")
	charts := fs.String("charts", "", "sparklines: braille, block or ascii (default: the config file's)")
	interval := cfg.interval
	fs.Var(seconds{&interval}, "interval", "seconds between samples (at least 1)")
	fs.Var(&cfg.uris, "c", "libvirt connection URI (repeatable)")
	fs.Var(&cfg.uris, "connect", "libvirt connection URI (repeatable)")
	fs.BoolVar(&cfg.readOnly, "readonly", cfg.readOnly, "open connections read-only")
	fs.BoolVar(&cfg.demo, "demo", cfg.demo, "use the bundled demo host")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kvmtui top: unexpected %q\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if interval < tui.MinInterval {
		fmt.Fprintf(stderr, "kvmtui top: --interval %v is too short: at least %v\n", interval, tui.MinInterval)
		return 2
	}
	if *format != "csv" && *format != "json" {
		fmt.Fprintf(stderr, "kvmtui top: --format %q: expected csv or json\n", *format)
		return 2
	}
	if *count < 0 {
		fmt.Fprintln(stderr, "kvmtui top: --count must be 0 or more")
		return 2
	}
	pc, err := perf.LoadConfig(perf.ConfigPath())
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui: config:", err)
	}
	if *charts != "" {
		cs, err := perf.ParseChartStyle(*charts)
		if err != nil {
			fmt.Fprintln(stderr, "kvmtui top: --charts", err)
			return 2
		}
		pc.Charts = cs
	}
	uris, demoURI, err := chooseURIs(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	if *batch {
		return topBatch(cfg.readOnly, uris, pc, *format, interval, *count, stdout, stderr)
	}
	if os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	mgr := libvirtx.NewManager(cfg.readOnly)
	defer mgr.Close()
	for _, u := range uris {
		if err := mgr.Add(u); err != nil {
			fmt.Fprintln(stderr, "kvmtui:", err)
			return 2
		}
	}
	m := tui.NewTop(mgr, tui.TopOptions{DemoURI: demoURI, Interval: interval, Perf: pc})
	// The screen changes once per interval: a low frame rate costs fewer
	// wake-ups and changes nothing a reader sees.
	if _, err := tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(topFPS)).Run(); err != nil {
		fmt.Fprintln(stderr, "kvmtui:", err)
		return 1
	}
	return 0
}

// topFPS is the dashboard's frame rate cap.
const topFPS = 5

// topBatch samples every interval and writes count records (0: until
// killed). The first sweep only sets the baseline: rates need two.
func topBatch(readOnly bool, uris []string, pc perf.Config, format string, interval time.Duration, count int, stdout, stderr io.Writer) int {
	exp, err := perf.NewExport(format, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "kvmtui top:", err)
		return 2
	}
	mgr := libvirtx.NewManager(readOnly)
	defer mgr.Close()
	inv := newInventory()
	pending := map[string]bool{}
	for _, u := range uris {
		if err := mgr.Add(u); err != nil {
			fmt.Fprintln(stderr, "kvmtui:", err)
			return 2
		}
		pending[u] = true
	}
	ready := make(chan libvirtx.ConnEvent, 16)
	go inv.follow(mgr, ready)
	deadline := time.After(30 * time.Second)
	up := 0
	for len(pending) > 0 {
		select {
		case e := <-ready:
			if !pending[e.URI] {
				continue
			}
			delete(pending, e.URI)
			if e.Status == libvirtx.Connected {
				up++
			} else {
				fmt.Fprintf(stderr, "kvmtui: %s: %s (retrying in the background)\n", e.URI, e.Err)
			}
		case <-deadline:
			for u := range pending {
				fmt.Fprintf(stderr, "kvmtui: no answer from %s within 30s\n", u)
			}
			pending = nil
		}
	}
	if up == 0 {
		return 1
	}
	tr := perf.NewTracker(pc.Thresholds)
	// Like the UI: the running domains each time, every domain every 30 s.
	ticks := 0
	sweepOnce := func() time.Time {
		lk := perf.Lookup{Host: inv.host, VCPUs: inv.vcpus, ActiveOnly: true}
		sweep := mgr.SweepActive
		if ticks++; time.Duration(ticks)*interval >= 30*time.Second || ticks == 1 {
			ticks, sweep, lk.ActiveOnly = 1, mgr.Sweep, false
		}
		s, errs := sweep()
		var hosts []libvirtx.HostSample
		for _, u := range mgr.URIs() {
			if errs[u] != nil {
				fmt.Fprintf(stderr, "kvmtui: %s: %v\n", u, errs[u])
				continue
			}
			if h, err := mgr.HostStats(u); err == nil {
				hosts = append(hosts, h)
			}
		}
		tr.Add(s, hosts, lk)
		return time.Now()
	}
	sweepOnce()
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for i := 0; count == 0 || i < count; i++ {
		<-tk.C
		at := sweepOnce()
		if err := exp.Write(at, tr); err != nil {
			fmt.Fprintln(stderr, "kvmtui top:", err)
			return 1
		}
	}
	return 0
}

// inventory follows libvirt's events for what samples lack: vCPU counts
// and host facts. It reports each connection's first inventory or failure.
type inventory struct {
	mu    sync.Mutex
	vcpu  map[string]int
	hosts map[string]libvirtx.HostInfo
}

func newInventory() *inventory {
	return &inventory{vcpu: map[string]int{}, hosts: map[string]libvirtx.HostInfo{}}
}

func (iv *inventory) follow(mgr *libvirtx.Manager, ready chan<- libvirtx.ConnEvent) {
	told := map[string]bool{}
	tell := func(e libvirtx.ConnEvent) {
		if !told[e.URI] {
			told[e.URI] = true
			ready <- e
		}
	}
	for {
		for _, e := range mgr.Next() {
			iv.mu.Lock()
			switch e := e.(type) {
			case libvirtx.ConnEvent:
				if e.Status == libvirtx.Connected {
					iv.hosts[e.URI] = e.Host
				}
				if e.Status == libvirtx.Disconnected {
					iv.mu.Unlock()
					tell(e)
					continue
				}
			case libvirtx.InventoryEvent:
				for _, d := range e.Domains {
					iv.vcpu[perf.Key(d.URI, d.UUID)] = d.VCPUs
				}
				iv.mu.Unlock()
				tell(libvirtx.ConnEvent{URI: e.URI, Status: libvirtx.Connected})
				continue
			case libvirtx.DomainEvent:
				if !e.Gone {
					iv.vcpu[perf.Key(e.URI, e.UUID)] = e.Domain.VCPUs
				}
			}
			iv.mu.Unlock()
		}
	}
}

func (iv *inventory) host(uri string) libvirtx.HostInfo {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return iv.hosts[uri]
}

func (iv *inventory) vcpus(uri, uuid string) int {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return iv.vcpu[perf.Key(uri, uuid)]
}
