package cmd

import (
	"fmt"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
	"kvmtui/tui/top"
)

const topLong = `A dense, read-only dashboard for a small pane (40x10 and up): host load, the
busiest VMs with a CPU sparkline each, the latest alert. q quits, b switches
the sparklines between Unicode and ASCII.

With --batch it writes samples to standard output instead, for scripts:
CSV (a header, then one row per host and per VM each interval) or JSON
Lines (one object per interval). Unknown values are empty / null.`

// topFPS is the dashboard's frame rate cap: the screen changes once per
// interval, and a low rate costs fewer wake-ups.
const topFPS = 5

func (o *options) topCommand() *cobra.Command {
	var (
		batch          bool
		format, charts string
		count          int
		interval       time.Duration
	)
	c := &cobra.Command{
		Use:   "top [--interval N] [--batch [--format csv|json] [--count M]]",
		Short: "a compact read-only dashboard for a tmux pane, or samples for scripts",
		Long:  topLong,
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !c.Flags().Changed("interval") {
				interval = o.interval
			}
			switch {
			case interval < common.MinInterval:
				return o.usage("top: --interval %v is too short: at least %v", interval, common.MinInterval)
			case format != "csv" && format != "json":
				return o.usage("top: --format %q: expected csv or json", format)
			case count < 0:
				return o.usage("top: --count must be 0 or more")
			}
			pc, err := perf.LoadConfig(perf.ConfigPath())
			if err != nil {
				fmt.Fprintln(o.stderr, "kvmtui: config:", err)
			}
			if charts != "" {
				cs, err := perf.ParseChartStyle(charts)
				if err != nil {
					return o.usage("top: --charts %v", err)
				}
				pc.Charts = cs
			}
			uris, demoURI, err := o.chooseURIs()
			if err != nil {
				return o.fail(err)
			}
			// Neither the dashboard nor its CSV can take a login prompt:
			// a host that asks for one shows why it is not connected.
			libvirtx.UsePrompter(func(string, string, bool) (string, bool) { return "", false })
			if batch {
				return o.topBatch(uris, pc, format, interval, count)
			}
			noColor()
			mgr, err := o.manager(uris)
			if err != nil {
				return err
			}
			defer mgr.Close()
			if demoURI != "" { // the screen only: --batch output is the driver's own figures
				mgr.SetDemoLoad(demoURI)
			}
			m := top.New(mgr, top.Options{DemoURI: demoURI, Interval: interval, Perf: pc})
			if err := runScreen(tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(topFPS))); err != nil {
				return o.fail(err)
			}
			return nil
		},
	}
	f := c.Flags()
	f.BoolVar(&batch, "batch", false, "write samples to standard output instead of the dashboard")
	f.StringVar(&format, "format", "csv", "batch output: csv or json")
	f.IntVar(&count, "count", 0, "batch: stop after this many samples (0: never)")
	f.StringVar(&charts, "charts", "", "sparklines: braille, block or ascii (default: the config file's)")
	f.Var(seconds{&interval}, "interval", "seconds between samples (at least 1)")
	return c
}

// topBatch samples every interval and writes count records (0: until
// killed). The first sweep only sets the baseline: rates need two.
func (o *options) topBatch(uris []string, pc perf.Config, format string, interval time.Duration, count int) error {
	exp, err := perf.NewExport(format, o.stdout)
	if err != nil {
		return o.usage("top: %v", err)
	}
	mgr, err := o.manager(uris)
	if err != nil {
		return err
	}
	defer mgr.Close()
	inv := &inventory{ctx: common.NewContext(mgr, "")}
	pending := map[string]bool{}
	for _, u := range uris {
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
				fmt.Fprintf(o.stderr, "kvmtui: %s: %s (retrying in the background)\n", e.URI, e.Err)
			}
		case <-deadline:
			for u := range pending {
				fmt.Fprintf(o.stderr, "kvmtui: no answer from %s within 30s\n", u)
			}
			pending = nil
		}
	}
	if up == 0 {
		return exitCode(1)
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
		s, errs := sweep(libvirtx.AllGroups) // the records carry every figure
		var hosts []libvirtx.HostSample
		for _, u := range mgr.URIs() {
			if errs[u] != nil {
				fmt.Fprintf(o.stderr, "kvmtui: %s: %v\n", u, errs[u])
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
	ctx, stop := stopContext() // a kill ends the samples, not the process
	defer stop()
	for i := 0; count == 0 || i < count; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tk.C:
		}
		at := sweepOnce()
		if err := exp.Write(at, tr); err != nil {
			return o.fail(fmt.Errorf("top: %w", err))
		}
	}
	return nil
}

// inventory follows libvirt's events for what samples lack (vCPU counts,
// host facts) in a context like the UI's, and reports each connection's
// first inventory or failure.
type inventory struct {
	mu  sync.Mutex
	ctx *common.Context
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
		evs := mgr.Next()
		iv.mu.Lock()
		iv.ctx.Apply(evs)
		iv.mu.Unlock()
		for _, e := range evs {
			switch e := e.(type) {
			case libvirtx.ConnEvent:
				if e.Status == libvirtx.Disconnected {
					tell(e)
				}
			case libvirtx.InventoryEvent:
				tell(libvirtx.ConnEvent{URI: e.URI, Status: libvirtx.Connected})
			}
		}
	}
}

func (iv *inventory) host(uri string) libvirtx.HostInfo {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	if c := iv.ctx.Conns[uri]; c != nil {
		return c.Host
	}
	return libvirtx.HostInfo{}
}

func (iv *inventory) vcpus(uri, uuid string) int {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	d, _ := iv.ctx.VM(uri, uuid)
	return d.VCPUs
}
