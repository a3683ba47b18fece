package top

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// Options configure `kvmtui top`, the read-only dashboard for a small
// tmux pane.
type Options struct {
	DemoURI  string
	Interval time.Duration
	Perf     perf.Config
}

// Top is the dashboard's model: host load, the busiest VMs with a sparkline
// each, the latest alert. It shares the list's stats flow (tick -> one bulk
// sweep + host stats per connection -> common.SweepMsg) and renders its whole
// screen when a sweep arrives or the terminal is resized; View returns it.
type Top struct {
	mgr   *libvirtx.Manager
	opts  Options
	tr    *perf.Tracker
	sp    *widget.Sparker
	theme *widget.Theme
	ctx   *common.Context // the connections and the VM inventory

	width, height int
	sweeping      bool
	started       bool // the first sweep was asked for (once a connection was up)
	sweeps        int
	// Sweeps of the running domains only: top shows the running VMs, takes
	// the totals from the inventory, and forgets what libvirt says is gone.
	sched  common.Sweeper
	screen string
}

// New builds the dashboard over a manager whose connections were added.
func New(mgr *libvirtx.Manager, opts Options) *Top {
	if opts.Interval < common.MinInterval {
		opts.Interval = common.MinInterval
	}
	t := &Top{
		mgr: mgr, opts: opts,
		tr:    perf.NewTracker(opts.Perf.Thresholds),
		sp:    widget.NewSparker(lipgloss.NewStyle()),
		theme: widget.NewTheme(),
		ctx:   common.NewContext(mgr, opts.DemoURI),
	}
	return t
}

// Init waits for the connections: the first sweep starts as soon as one
// connects (one before that finds nothing, and the next came an interval
// later).
func (t *Top) Init() tea.Cmd { return common.WaitEvents(t.mgr) }

// Update takes data and the few keys the dashboard has.
func (t *Top) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		t.width, t.height = msg.Width, msg.Height
		t.render()
	case common.EventsMsg:
		if t.applyEvents(msg) {
			t.render()
		}
		if !t.started && len(t.ctx.Connected()) > 0 {
			t.started, t.sweeping = true, true // the sweep's answer starts the ticks
			return t, tea.Batch(common.WaitEvents(t.mgr), common.Sweep(t.mgr, t.statGroups()))
		}
		return t, common.WaitEvents(t.mgr)
	case common.TickMsg:
		if t.sweeping {
			return t, nil
		}
		t.sweeping = true
		return t, t.sched.Next(t.mgr, t.opts.Interval, t.statGroups())
	case common.SweepMsg:
		t.sweeping = false
		t.sweeps++
		t.tr.Add(msg.Samples, msg.Hosts, perf.Lookup{
			Host:       func(uri string) libvirtx.HostInfo { return t.hostInfo(uri) },
			VCPUs:      func(uri, uuid string) int { d, _ := t.ctx.VM(uri, uuid); return d.VCPUs },
			ActiveOnly: msg.Active,
		})
		t.render()
		return t, common.Tick(t.opts.Interval)
	case tea.KeyMsg:
		switch msg.String() {
		case "q", "esc", "ctrl+c":
			return t, tea.Quit
		case "b":
			t.opts.Perf.Charts = nextOneRow(t.opts.Perf.Charts)
			t.render()
		}
	}
	return t, nil
}

func (t *Top) hostInfo(uri string) libvirtx.HostInfo {
	if c := t.ctx.Conns[uri]; c != nil {
		return c.Host
	}
	return libvirtx.HostInfo{}
}

// applyEvents keeps what the samples lack (vCPU counts, host facts,
// connection status); it reports whether the screen shows a change.
func (t *Top) applyEvents(evs []libvirtx.Event) bool {
	changed := false
	t.ctx.Apply(evs)
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ConnEvent:
			changed = true
		case libvirtx.InventoryEvent:
			changed = true // the count of VMs
			for _, v := range t.tr.VMs(e.URI) {
				if _, ok := t.ctx.VM(v.URI, v.UUID); !ok {
					t.tr.Forget(v.URI, v.UUID)
				}
			}
		case libvirtx.DomainEvent:
			changed = true
			if e.Gone {
				t.tr.Forget(e.URI, e.UUID)
			}
		}
	}
	return changed
}

// View returns the screen rendered by the last sweep or resize.
func (t *Top) View() string { return t.screen }

// Smallest pane the dashboard draws in.
const topMinWidth, topMinHeight = 30, 6

// nextOneRow is what b switches to: one-row charts are blocks or ASCII
// (braille draws as blocks there), so b toggles between those two.
func nextOneRow(cs perf.ChartStyle) perf.ChartStyle {
	if oneRow(cs) == perf.ASCII {
		return perf.Block
	}
	return perf.ASCII
}

// oneRow is the chart style of one-line sparklines: blocks give eight
// levels in a cell where braille gives four; ASCII stays ASCII.
func oneRow(cs perf.ChartStyle) perf.ChartStyle {
	if cs == perf.ASCII {
		return perf.ASCII
	}
	return perf.Block
}

func (t *Top) render() {
	w, h := t.width, t.height
	if w == 0 {
		t.screen = "starting…"
		return
	}
	if w < topMinWidth || h < topMinHeight {
		t.screen = widget.Fit(fmt.Sprintf("pane too small (%dx%d): %dx%d at least", w, h, topMinWidth, topMinHeight), w)
		return
	}
	lines := make([]string, 0, h)
	title := t.theme.Title.Render("kvmtui top")
	right := time.Now().Format("15:04:05")
	if t.sweeps < 2 {
		right = "sampling…"
	}
	lines = append(lines, widget.Fit(title+strings.Repeat(" ", max(1, w-lipgloss.Width(title)-len(right)))+right, w))

	// Host lines.
	total, running := 0, 0
	for _, c := range t.ctx.SortedConns() {
		hh := t.tr.Host(c.URI)
		if c.Status != libvirtx.Connected || hh == nil {
			text := "… " + c.Label + " " + c.Status.String()
			if c.Status == libvirtx.Disconnected {
				text = t.theme.Error.Render("✗ " + c.Label + " disconnected, retrying")
			}
			lines = append(lines, widget.Fit(text, w))
			continue
		}
		running += hh.Cur.Running
		lines = append(lines, t.hostLine(c, hh, w))
	}
	total = len(t.ctx.VMs("")) // the inventory: sweeps between full ones see the running only
	warn, crit := t.tr.Counts()
	status := fmt.Sprintf("%d/%d running", running, total)
	if warn > 0 {
		status += " · " + t.theme.Warn.Render(fmt.Sprintf("%d warn", warn))
	}
	if crit > 0 {
		status += " · " + t.theme.Error.Render(fmt.Sprintf("%d crit", crit))
	}
	lines = append(lines, widget.Fit(status, w))

	// The busiest running VMs, as many as fit above the alert line.
	rows := h - len(lines) - 2
	vms := t.busiest()
	cols := topColumns(w, len(t.ctx.Conns) > 1)
	lines = append(lines, widget.Fit(t.theme.Header.Render(cols.header()), w))
	if len(vms) == 0 && rows > 0 {
		if t.sweeps < 2 {
			lines = append(lines, t.theme.Dim.Render("  waiting for the first samples…"))
		} else {
			lines = append(lines, t.theme.Dim.Render("  no VM running"))
		}
		rows--
	}
	for i := 0; i < rows && i < len(vms); i++ {
		lines = append(lines, widget.Fit(t.vmLine(vms[i], cols), w))
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:h-1], widget.Fit(t.alertLine(len(vms)-rows), w))
	t.screen = strings.Join(lines, "\n")
}

// hostLine: "system CPU 23% ▂▃▅▂ MEM 61% 4.1G avail", as much as fits.
func (t *Top) hostLine(c *common.Conn, hh *perf.Host, w int) string {
	p := hh.Cur
	name := c.Label
	if len(name) > 10 {
		name = name[:9] + "…"
	}
	cpu := "-"
	if p.CPUValid {
		cpu = fmt.Sprintf("%.0f%%", p.CPUPct)
	}
	s := fmt.Sprintf("%-*s CPU %4s ", min(len(name), 10), name, cpu)
	s = levelStyle(t.theme, max(hh.Levels[0], hh.Levels[1]), s)
	sw := min(max(w/5, 6), 30)
	s += t.sp.Render(hh.Series(perf.HostCPU).Tail(sw, nil), sw, 1, 100, oneRow(t.opts.Perf.Charts))[0]
	if p.MemValid {
		s += fmt.Sprintf(" MEM %.0f%%", p.MemUsedPct)
		if avail := " " + widget.HumanBytes(float64(p.MemAvailKiB)*1024) + " avail"; lipgloss.Width(s)+len(avail) <= w {
			s += avail
		}
	}
	if more := fmt.Sprintf(" VM CPU %.0f%%", p.GuestCPU); lipgloss.Width(s)+len(more) <= w {
		s += more
	}
	return widget.Fit(s, w)
}

// busiest is every running VM, the highest level first, then by CPU use of
// its vCPUs, then memory.
func (t *Top) busiest() []*perf.VM {
	var vs []*perf.VM
	for _, v := range t.tr.VMs("") {
		if st := v.Cur.State; st == libvirtx.StateRunning || st == libvirtx.StateBlocked {
			vs = append(vs, v)
		}
	}
	widget.SortVMs(vs, func(v *perf.VM) float64 {
		c, _ := v.Cur.Value(perf.CPU)
		mem, _ := v.Cur.Value(perf.Mem)
		return float64(v.Level())*1e6 + min(c, 9999)*100 + mem/100
	})
	return vs
}

// statGroups are the optional stats the dashboard reads: disk and network
// while its columns show, or a threshold watches them.
func (t *Top) statGroups() libvirtx.Groups {
	g := t.opts.Perf.Groups()
	if c := topColumns(t.width, false); c.disk {
		g |= libvirtx.AllGroups
	}
	return g
}

// topCols is which columns the dashboard shows at a width.
type topCols struct {
	nameW, sparkW    int
	host, disk, net  bool
	hostW, rateWidth int
}

func topColumns(w int, multi bool) topCols {
	c := topCols{nameW: min(max(w/4, 10), 24), rateWidth: 7, hostW: 8}
	used := 2 + c.nameW + 6 + 6 // mark, name, CPU%, MEM% (each with a space before: "100.0")
	if w >= 80 {
		c.disk, c.net = true, true
		used += 2 * (1 + c.rateWidth)
	}
	if multi && w >= 100 {
		c.host = true
		used += 1 + c.hostW
	}
	c.sparkW = min(max(w-used-1, 0), 60)
	return c
}

func (c topCols) header() string {
	s := "  " + widget.Fit("NAME", c.nameW)
	if c.host {
		s += " " + widget.Fit("HOST", c.hostW)
	}
	s += widget.FitRight("CPU%", 6) + widget.FitRight("MEM%", 6)
	if c.disk {
		s += " " + widget.FitRight("DISK", c.rateWidth)
	}
	if c.net {
		s += " " + widget.FitRight("NET", c.rateWidth)
	}
	if c.sparkW >= 4 {
		s += " " + widget.Fit("CPU HISTORY", c.sparkW)
	}
	return s
}

func (t *Top) vmLine(v *perf.VM, c topCols) string {
	p := v.Cur
	mark := widget.Fit(widget.LevelMark(v.Level()), 2)
	s := levelStyle(t.theme, v.Level(), mark) + widget.Fit(midTrunc(v.Name, c.nameW), c.nameW)
	if c.host {
		label := v.URI
		if cs := t.ctx.Conns[v.URI]; cs != nil {
			label = cs.Label
		}
		s += " " + widget.Fit(label, c.hostW)
	}
	s += widget.FitRight(widget.PctText(p.VCPUValid, p.VCPUPct), 6) + widget.FitRight(widget.PctText(p.MemValid, p.MemPct), 6)
	if c.disk {
		s += " " + widget.FitRight(widget.RateText(p.HasDisk, p.RdBps+p.WrBps), c.rateWidth)
	}
	if c.net {
		s += " " + widget.FitRight(widget.RateText(p.HasNet, p.RxBps+p.TxBps), c.rateWidth)
	}
	if c.sparkW >= 4 {
		if r := v.Series(perf.CPU); r != nil {
			s += " " + t.sp.Render(r.Tail(c.sparkW, nil), c.sparkW, 1, 100, oneRow(t.opts.Perf.Charts))[0]
		}
	}
	return s
}

// alertLine is the newest alert, else how many VMs did not fit and the keys.
func (t *Top) alertLine(hidden int) string {
	if as := t.tr.Alerts(); len(as) > 0 {
		a := as[len(as)-1]
		return levelStyle(t.theme, a.Level, a.At.Format("15:04")+" "+a.String())
	}
	s := "q quit  b charts"
	if hidden > 0 {
		s = fmt.Sprintf("+%d more running  ", hidden) + s
	}
	return t.theme.Dim.Render(s)
}

func levelStyle(th *widget.Theme, l perf.Level, s string) string {
	switch l {
	case perf.LevelWarn:
		return th.Warn.Render(s)
	case perf.LevelCrit:
		return th.Error.Render(s)
	}
	return s
}

// midTrunc cuts a long name in the middle, where names that share a prefix
// ("web-prod-01", "web-prod-02") do not differ: "kvmt…h-031".
func midTrunc(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 5 {
		return s
	}
	head := (w - 1) / 3
	return string(r[:head]) + "…" + string(r[len(r)-(w-1-head):])
}
