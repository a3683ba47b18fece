package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// perfState is the performance side of the root model: the history of every
// VM and host (fed by the list's stats sweep), the thresholds, and the
// performance view, whose body is rendered when a sample arrives, a key
// changes it or the terminal is resized; View only joins the lines.
type perfState struct {
	cfg     perf.Config
	cfgPath string
	tr      *perf.Tracker
	sp      *widget.Sparker
	keys    perfKeys
	chart   lipgloss.Style

	sweeps common.Sweeper

	open    bool   // the performance view is shown
	host    bool   // its host page instead of the VM page
	hostURI string // the connection the host page shows
	wide    bool   // the whole history (downsampled) instead of the newest samples
	body    []string
}

// sparkColWidth is the width of the list's CPU sparkline column.
const sparkColWidth = 12

// initPerf loads the configuration ($XDG_CONFIG_HOME/kvmtui/perf.conf, or
// opts.Perf) and wires the list's decoration of rows.
func (m *Model) initPerf() {
	p := &perfState{cfgPath: perf.ConfigPath(), keys: newPerfKeys(), sweeps: common.Sweeper{Period: common.FullSweepPeriod},
		chart: lipgloss.NewStyle().Foreground(lipgloss.Color("6"))}
	if m.opts.Perf != nil {
		p.cfg = *m.opts.Perf
	} else {
		cfg, err := perf.LoadConfig(p.cfgPath)
		p.cfg = cfg
		if err != nil {
			m.ctx.SetMsg("config: "+strings.ReplaceAll(err.Error(), "\n", "; "), true)
		}
	}
	p.tr = perf.NewTracker(p.cfg.Thresholds)
	p.sp = widget.NewSparker(lipgloss.NewStyle())
	m.perf = p
	m.list.decorate = m.decorateRow
}

// perfLookup gives the tracker the host facts and vCPU counts the UI knows.
func (m *Model) perfLookup() perf.Lookup {
	return perf.Lookup{
		Host: func(uri string) libvirtx.HostInfo {
			if c := m.ctx.Conns[uri]; c != nil {
				return c.Host
			}
			return libvirtx.HostInfo{}
		},
		VCPUs: func(uri, uuid string) int {
			if r := m.list.rows[rowKey(uri, uuid)]; r != nil {
				return r.dom.VCPUs
			}
			return 0
		},
	}
}

// observePerf feeds one sweep to the history, before the list takes it (so
// the rows it renders see the new levels and sparklines), and tells the
// alerts the sweep raised on the message line.
func (m *Model) observePerf(msg common.SweepMsg) {
	p := m.perf
	lk := m.perfLookup()
	lk.ActiveOnly = msg.Active
	raised := p.tr.Add(msg.Samples, msg.Hosts, lk)
	for _, h := range p.tr.Hosts() {
		if m.ctx.Conns[h.URI] == nil {
			p.tr.DropConn(h.URI)
		}
	}
	// An alert gives the message line back to the connections after a
	// while, and at once when one of them is down: that matters more.
	down := false
	for _, c := range m.ctx.Conns {
		down = down || c.Status == libvirtx.Disconnected
	}
	if m.ctx.Msg.Alert && (down || time.Since(m.ctx.Msg.At) > alertShowFor) {
		m.ctx.SetMsg("", false)
	}
	if len(raised) > 0 && !down {
		m.ctx.SetAlert(alertLine(raised), maxLevel(raised) == perf.LevelCrit)
	}
	if msg.Active {
		m.decorateStopped()
	}
	m.renderPerf()
}

// decorateStopped updates the rows a sweep of the running domains has no
// sample for: a VM that stopped drops its level, and its sparkline moves on.
// (The list re-sorts them when it takes the sweep.)
func (m *Model) decorateStopped() {
	for _, r := range m.list.rows {
		v := m.perf.tr.VM(r.dom.URI, r.dom.UUID)
		if v == nil || v.Cur.State.Active() {
			continue
		}
		if r.level != v.Level() || (m.perf.cfg.ListSparkline && v.Series(perf.CPU) != nil) {
			m.decorateRow(r)
			r.render()
		}
	}
}

// alertShowFor is how long an alert stays on the message line; the host
// page (p, tab) keeps the latest ones.
const alertShowFor = time.Minute

func maxLevel(as []perf.Alert) perf.Level {
	l := perf.LevelOK
	for _, a := range as {
		l = max(l, a.Level)
	}
	return l
}

// alertLine tells one sweep's alerts in one line: the most severe first,
// then how many more.
func alertLine(as []perf.Alert) string {
	best := as[0]
	for _, a := range as[1:] {
		if a.Level > best.Level {
			best = a
		}
	}
	s := "ALERT " + best.String()
	if len(as) > 1 {
		s += fmt.Sprintf(" (+%d more: p, tab for the host page)", len(as)-1)
	}
	return s
}

// decorateRow sets a row's threshold level and its CPU sparkline from the
// history; vmList calls it when a sample arrives.
func (m *Model) decorateRow(r *row) {
	r.level, r.spark = perf.LevelOK, ""
	v := m.perf.tr.VM(r.dom.URI, r.dom.UUID)
	if v == nil {
		return
	}
	r.level = v.Level()
	if !m.perf.cfg.ListSparkline {
		return
	}
	if s := v.Series(perf.CPU); s != nil {
		cs := perf.Block
		if m.perf.cfg.Charts == perf.ASCII {
			cs = perf.ASCII
		}
		r.spark = m.perf.sp.Render(s.Tail(sparkColWidth, nil), sparkColWidth, 1, 100, cs)[0]
	}
}

// redecorate re-renders every row after a setting changed.
func (m *Model) redecorate() {
	for _, r := range m.list.rows {
		m.decorateRow(r)
		r.render()
	}
	m.list.rebuild()
}

// shownOptional lists the optional list columns that are on.
func (m *Model) shownOptional() []string {
	if m.perf.cfg.ListSparkline {
		return []string{"cpuhist"}
	}
	return nil
}

// perfCounts is the title bar's count of VMs above a level.
func (m *Model) perfCounts() string {
	w, c := m.perf.tr.Counts()
	s := ""
	if w > 0 {
		s += fmt.Sprintf(", %d warn", w)
	}
	if c > 0 {
		s += fmt.Sprintf(", %d crit", c)
	}
	return s
}

// openPerf shows the performance view of the selected VM (host: the host
// page of its connection).
func (m *Model) openPerf(host bool) {
	p := m.perf
	p.open, p.host = true, host
	if r := m.list.selected(); r != nil {
		p.hostURI = r.dom.URI
	} else if us := m.mgr.URIs(); len(us) > 0 && p.hostURI == "" {
		p.hostURI = us[0]
	}
	m.renderPerf()
}

// handlePerfKey takes the performance view's keys; ok is false for keys it
// leaves to the global bindings (help, command line, quit).
func (m *Model) handlePerfKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	p, k := m.perf, m.perf.keys
	switch {
	case key.Matches(msg, k.Back):
		p.open = false
		m.ctx.SetMsg("", false)
	case key.Matches(msg, k.Prev):
		m.list.move(-1)
		p.host = false
	case key.Matches(msg, k.Next):
		m.list.move(1)
		p.host = false
	case key.Matches(msg, k.HostView):
		m.nextPerfPage()
	case key.Matches(msg, k.Charts):
		p.cfg.Charts = p.cfg.Charts.Next()
		m.ctx.SetMsg("charts: "+p.cfg.Charts.String()+" (:threshold save keeps it)", false)
		m.redecorate()
	case key.Matches(msg, k.Window):
		p.wide = !p.wide
	case key.Matches(msg, k.Limit):
		m.startInput(modeCommand, ":", "threshold ")
		m.input.SetSuggestions(m.suggestions(m.input.Value()))
		return nil, true
	case key.Matches(msg, m.gk.Help, m.gk.Command, m.gk.Quit):
		return nil, false
	default:
		return nil, true
	}
	m.renderPerf()
	return nil, true
}

// nextPerfPage cycles: VM page, then each connection's host page.
func (m *Model) nextPerfPage() {
	p := m.perf
	uris := m.mgr.URIs()
	if len(uris) == 0 {
		return
	}
	if !p.host {
		p.host = true
		if r := m.list.selected(); r != nil {
			p.hostURI = r.dom.URI
		} else {
			p.hostURI = uris[0]
		}
		return
	}
	for i, u := range uris {
		if u == p.hostURI && i+1 < len(uris) {
			p.hostURI = uris[i+1]
			return
		}
	}
	p.host = false
}

// perfCommandHelp documents the performance commands in the help overlay.
var perfCommandHelp = [][2]string{
	{"perf [host]", "performance view of the selected VM / its host"},
	{"threshold [WATCH warn|crit VALUE]", "cpu mem disk net host.cpu host.mem; VALUE 80, 50M or off"},
	{"threshold WATCH WARN CRIT / save", "both levels / write " + perf.ConfigFile},
	{"charts braille|block|ascii", "how sparklines are drawn"},
	{"spark [on|off]", "the CPU sparkline column of the list"},
}

var perfCommandWords = []string{"perf", "threshold", "charts", "spark"}

// perfCommand runs the performance commands; ok is false for other words.
func (m *Model) perfCommand(word string, args []string) (tea.Cmd, bool) {
	p := m.perf
	fail := func(format string, a ...any) (tea.Cmd, bool) {
		m.ctx.SetMsg(fmt.Sprintf(format, a...), true)
		return nil, true
	}
	switch word {
	case "perf":
		m.openPerf(len(args) > 0 && args[0] == "host")
	case "charts":
		if len(args) != 1 {
			return fail("usage: charts braille|block|ascii")
		}
		cs, err := perf.ParseChartStyle(args[0])
		if err != nil {
			return fail("charts: %v", err)
		}
		p.cfg.Charts = cs
		m.redecorate()
		m.renderPerf()
	case "spark":
		on := !p.cfg.ListSparkline
		if len(args) == 1 {
			on = args[0] == "on"
		}
		m.setListSpark(on)
	case "threshold", "thresholds":
		return m.thresholdCommand(args), true
	default:
		return nil, false
	}
	return nil, true
}

func (m *Model) setListSpark(on bool) {
	m.perf.cfg.ListSparkline = on
	m.redecorate()
	if on {
		m.ctx.SetMsg("CPU sparkline column on (% toggles; the newest samples, 100 % = all the VM's vCPUs)", false)
	} else {
		m.ctx.SetMsg("CPU sparkline column off", false)
	}
}

// thresholdCommand: no args shows the levels; "save" writes the file;
// "WATCH warn|crit VALUE", "WATCH WARN CRIT", "WATCH off" or "KEY VALUE"
// (any config key) changes them.
func (m *Model) thresholdCommand(args []string) tea.Cmd {
	p := m.perf
	switch {
	case len(args) == 0:
		m.ctx.SetMsg(thresholdSummary(p.cfg.Thresholds), false)
		return nil
	case len(args) == 1 && args[0] == "save":
		if err := p.cfg.Save(p.cfgPath); err != nil {
			m.ctx.SetMsg("threshold save: "+err.Error(), true)
		} else {
			m.ctx.SetMsg("saved to "+p.cfgPath, false)
		}
		return nil
	}
	next := p.cfg
	var err error
	w, isWatch := perf.WatchByName(args[0])
	switch {
	case isWatch && len(args) == 2 && args[1] == "off":
		next.Thresholds.Limits[w] = perf.Limit{}
	case isWatch && len(args) == 3 && (args[1] == "warn" || args[1] == "crit"):
		err = next.Set(args[0]+"."+args[1], args[2])
	case isWatch && len(args) == 3:
		if err = next.Set(args[0]+".warn", args[1]); err == nil {
			err = next.Set(args[0]+".crit", args[2])
		}
	case !isWatch && len(args) == 2:
		err = next.Set(args[0], args[1])
	default:
		err = fmt.Errorf("usage: threshold WATCH warn|crit VALUE, threshold WATCH WARN CRIT, threshold WATCH off, threshold save (watches: cpu mem disk net host.cpu host.mem)")
	}
	if err == nil {
		err = next.Thresholds.Check()
	}
	if err != nil {
		m.ctx.SetMsg("threshold: "+err.Error(), true)
		return nil
	}
	p.cfg = next
	p.tr.SetThresholds(next.Thresholds)
	m.ctx.SetMsg(thresholdSummary(next.Thresholds)+" (from the next sample; :threshold save keeps them)", false)
	m.redecorate()
	m.renderPerf()
	return nil
}

func thresholdSummary(t perf.Thresholds) string {
	parts := make([]string, 0, perf.NumWatch)
	for w := perf.Watch(0); w < perf.NumWatch; w++ {
		l := t.Limits[w]
		lv := func(v float64) string {
			if v <= 0 {
				return "off"
			}
			return w.Format(v)
		}
		parts = append(parts, fmt.Sprintf("%s %s/%s", w.Name(), lv(l.Warn), lv(l.Crit)))
	}
	return "warn/crit: " + strings.Join(parts, ", ")
}

// perfView is the performance view's body, rendered beforehand.
func (m *Model) perfView() string {
	h := m.ctx.BodyHeight()
	lines := make([]string, 0, h)
	lines = append(lines, m.perf.body...)
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:h], "\n")
}

// perfHints are the bottom line's keys while the performance view is open.
func (m *Model) perfHints() []key.Binding {
	k := m.perf.keys
	return []key.Binding{k.Back, k.Next, k.HostView, k.Charts, k.Window, k.Limit, m.gk.Help, m.gk.Quit}
}

// renderPerf renders the performance view's body for the current size.
func (m *Model) renderPerf() {
	p := m.perf
	if !p.open || m.ctx.Width == 0 || m.ctx.Height == 0 {
		return
	}
	w, h := m.ctx.Width, max(m.ctx.BodyHeight(), 1)
	var lines []string
	if p.host {
		lines = m.renderHostPage(w, h)
	} else {
		lines = m.renderVMPage(w, h)
	}
	for i := range lines {
		lines[i] = widget.Fit(lines[i], w)
	}
	p.body = lines
}

// chart is one metric block of a page.
type chart struct {
	label string    // the figures, without the title
	short string    // the same for a narrow one-line layout
	title string    // "CPU"
	vals  []float64 // raw values of the window, oldest first
	max   float64   // 0: the window's peak
	level perf.Level
}

// window is how many samples a page draws: the newest that fit the width,
// or the whole history.
func (m *Model) window(width int) int {
	if m.perf.wide {
		return perf.HistoryLen
	}
	return width
}

func (m *Model) windowText(n int) string {
	d := time.Duration(n) * m.opts.Interval
	mode := "newest"
	if m.perf.wide {
		mode = "all"
	}
	return fmt.Sprintf("%s %s (w)", mode, d.Round(time.Second))
}

// drawCharts lays charts out in h lines of width w: a title line and at
// least one chart row each when they fit, else one line each with the
// figures left and a one-row sparkline right.
func (m *Model) drawCharts(cs []chart, w, h int) []string {
	p := m.perf
	var out []string
	if len(cs) == 0 || h <= 0 {
		return out
	}
	per := h / len(cs)
	if per >= 2 {
		for _, c := range cs {
			out = append(out, m.chartTitle(c)+"  "+c.label)
			vals := perf.Downsample(c.vals, w-1)
			out = append(out, prefixAll(" ", p.sp.Render(vals, w-1, per-1, c.max, p.cfg.Charts))...)
		}
		return out
	}
	lw := min(max(w/2, 30), w)
	sw := w - lw - 1
	for i, c := range cs {
		if i >= h {
			break
		}
		label := c.label
		if w < 80 && c.short != "" {
			label = c.short
			lw = min(w, 22)
			sw = w - lw - 1
		}
		line := widget.Fit(m.chartTitle(c)+" "+label, lw)
		if sw >= 6 {
			line += " " + p.sp.Render(perf.Downsample(c.vals, sw), sw, 1, c.max, p.cfg.Charts)[0]
		}
		out = append(out, line)
	}
	return out
}

func (m *Model) chartTitle(c chart) string {
	t := fmt.Sprintf("%-4s", c.title)
	switch c.level {
	case perf.LevelWarn:
		return m.ctx.Theme.Warn.Render(t + "!")
	case perf.LevelCrit:
		return m.ctx.Theme.Error.Render(t + "!!")
	}
	return m.ctx.Theme.Header.Render(t)
}

func prefixAll(pre string, ls []string) []string {
	for i := range ls {
		ls[i] = pre + ls[i]
	}
	return ls
}

// sumTail is the newest n values of the sum of some series (a gap in any
// is a gap).
func sumTail(n int, rs ...*perf.Ring) []float64 {
	if len(rs) == 0 || rs[0] == nil {
		return nil
	}
	out := rs[0].Tail(n, nil)
	for _, r := range rs[1:] {
		t := r.Tail(n, nil)
		for i := range out {
			out[i] += t[i]
		}
	}
	return out
}

func pct(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", v)
}

func rate(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return perf.HumanBytes(v) + "/s"
}

// curPeak is the short form: "12.0% pk 80.0%".
func curPeak(cur string, vals []float64, f func(float64, bool) string) string {
	_, pk, ok := perf.SliceStats(vals)
	return cur + " pk " + f(pk, ok)
}

// avgPeak renders "avg X peak Y" of a window's values.
func avgPeak(vals []float64, f func(float64, bool) string) string {
	a, pk, ok := perf.SliceStats(vals)
	if !ok {
		return "avg -  peak -"
	}
	return "avg " + f(a, true) + "  peak " + f(pk, true)
}

func (m *Model) renderVMPage(w, h int) []string {
	r := m.list.selected()
	if r == nil {
		return []string{m.ctx.Theme.Header.Render("PERFORMANCE"), "", "  no VM selected (esc: back to the list)"}
	}
	d := r.dom
	head := fmt.Sprintf("%s %s · %s · %d vCPU · %s · %s", m.ctx.Theme.Title.Render("PERF"), d.Name, widget.StateWord(d), d.VCPUs,
		widget.HumanBytes(float64(d.MemoryKiB)*1024), r.label)
	v := m.perf.tr.VM(d.URI, d.UUID)
	if v == nil || v.Series(perf.CPU) == nil {
		return []string{m.headRight(head, "["+m.perf.cfg.Charts.String()+"]", w), "",
			"  no samples yet: kvmtui keeps a VM's history from the first time it sees it running"}
	}
	n := m.window(w - 1)
	cpu := v.Series(perf.CPU).Tail(n, nil)
	head = m.headRight(head, fmt.Sprintf("[%s] %s", m.perf.cfg.Charts, m.windowText(len(cpu))), w)
	c := v.Cur
	cs := []chart{
		{title: "CPU", vals: cpu, max: 100, level: v.Levels[perf.WatchCPU],
			label: fmt.Sprintf("%s of its vCPUs (host %s)  %s", pct(c.VCPUPct, c.VCPUValid), pct(c.CPUPct, c.Valid), avgPeak(cpu, pct)),
			short: curPeak(pct(c.VCPUPct, c.VCPUValid), cpu, pct)},
	}
	mem := v.Series(perf.Mem).Tail(n, nil)
	cs = append(cs, chart{title: "MEM", vals: mem, max: 100, level: v.Levels[perf.WatchMem],
		label: fmt.Sprintf("%s of %s  %s", pct(c.MemPct, c.MemValid), widget.HumanBytes(float64(c.CurKiB)*1024), avgPeak(mem, pct)),
		short: curPeak(pct(c.MemPct, c.MemValid), mem, pct)})
	disk := sumTail(n, v.Series(perf.DiskRd), v.Series(perf.DiskWr))
	dl := "no disk statistics"
	if c.HasDisk {
		dl = fmt.Sprintf("r %s w %s  %.0f/%.0f IOPS  %s", rate(c.RdBps, true), rate(c.WrBps, true), c.RdIOPS, c.WrIOPS, avgPeak(disk, rate))
	}
	cs = append(cs, chart{title: "DISK", vals: disk, level: v.Levels[perf.WatchDisk], label: dl,
		short: curPeak(rate(c.RdBps+c.WrBps, c.HasDisk), disk, rate)})
	netv := sumTail(n, v.Series(perf.NetRx), v.Series(perf.NetTx))
	nl := "no interface statistics"
	if c.HasNet {
		nl = fmt.Sprintf("rx %s tx %s  %s", rate(c.RxBps, true), rate(c.TxBps, true), avgPeak(netv, rate))
	}
	cs = append(cs, chart{title: "NET", vals: netv, level: v.Levels[perf.WatchNet], label: nl,
		short: curPeak(rate(c.RxBps+c.TxBps, c.HasNet), netv, rate)})
	return append([]string{head}, m.drawCharts(cs, w, h-1)...)
}

// headRight puts right at the right end of a line that starts with left.
func (m *Model) headRight(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) renderHostPage(w, h int) []string {
	p := m.perf
	uri := p.hostURI
	label := uri
	if c := m.ctx.Conns[uri]; c != nil {
		label = c.Label
	}
	hh := p.tr.Host(uri)
	if hh == nil {
		return []string{m.ctx.Theme.Title.Render("HOST") + " " + label, "", "  no samples yet"}
	}
	c := hh.Cur
	head := fmt.Sprintf("%s %s", m.ctx.Theme.Title.Render("HOST"), label)
	if hh.Hostname != "" {
		head += " (" + hh.Hostname + ")"
	}
	total := 0
	for _, r := range m.list.rows {
		if r.dom.URI == uri {
			total++
		}
	}
	head += fmt.Sprintf(" · %d CPUs · %d/%d VMs running", hh.CPUs, c.Running, total)
	if c.MemValid {
		head += " · " + widget.HumanBytes(float64(c.MemTotalKiB)*1024)
	}
	n := m.window(w - 1)
	cpu := hh.Series(perf.HostCPU).Tail(n, nil)
	head = m.headRight(head, fmt.Sprintf("[%s] %s", p.cfg.Charts, m.windowText(len(cpu))), w)

	// Below the charts: the top VMs by each metric, then the latest alerts.
	var tail []string
	tail = append(tail, m.ctx.Theme.Header.Render("Top VMs"))
	tops := []struct {
		title string
		m     perf.Metric
		f     func(float64, bool) string
		sum   perf.Metric
	}{
		{"CPU", perf.CPU, pct, -1}, {"MEM", perf.Mem, pct, -1},
		{"DISK", perf.DiskRd, rate, perf.DiskWr}, {"NET", perf.NetRx, rate, perf.NetTx},
	}
	for _, t := range tops {
		var parts []string
		for _, v := range m.topBy(uri, t.m, t.sum, 5) {
			x, _ := v.Cur.Value(t.m)
			if t.sum >= 0 {
				y, _ := v.Cur.Value(t.sum)
				x += y
			}
			parts = append(parts, v.Name+" "+t.f(x, true))
		}
		if len(parts) == 0 {
			parts = []string{"-"}
		}
		tail = append(tail, fmt.Sprintf("%-4s %s", t.title, strings.Join(parts, " · ")))
	}
	var alerts []perf.Alert
	for _, a := range p.tr.Alerts() {
		if a.URI == uri {
			alerts = append(alerts, a)
		}
	}
	if len(alerts) > 0 {
		tail = append(tail, m.ctx.Theme.Header.Render("Alerts"))
		for i := len(alerts) - 1; i >= 0 && i >= len(alerts)-3; i-- {
			tail = append(tail, alerts[i].At.Format("15:04:05")+" "+alerts[i].String())
		}
	}

	memUsed := hh.Series(perf.HostMemUsed).Tail(n, nil)
	guest := hh.Series(perf.GuestCPU).Tail(n, nil)
	gdisk := hh.Series(perf.GuestDisk).Tail(n, nil)
	gnet := hh.Series(perf.GuestNet).Tail(n, nil)
	memLabel := "no memory statistics from this driver"
	if c.MemValid {
		memLabel = fmt.Sprintf("%s used, %s available  %s", pct(c.MemUsedPct, true), widget.HumanBytes(float64(c.MemAvailKiB)*1024), avgPeak(memUsed, pct))
	}
	cpuLabel := "no CPU statistics from this driver"
	if c.CPUStats {
		cpuLabel = fmt.Sprintf("%s busy  %s", pct(c.CPUPct, c.CPUValid), avgPeak(cpu, pct))
	}
	cs := []chart{
		{title: "CPU", vals: cpu, max: 100, level: hh.Levels[0], label: cpuLabel, short: curPeak(pct(c.CPUPct, c.CPUValid), cpu, pct)},
		{title: "MEM", vals: memUsed, max: 100, level: hh.Levels[1], label: memLabel, short: curPeak(pct(c.MemUsedPct, c.MemValid), memUsed, pct)},
		{title: "VMs", vals: guest, max: 100, label: "CPU of all VMs " + pct(c.GuestCPU, true) + " of the host  " + avgPeak(guest, pct),
			short: curPeak(pct(c.GuestCPU, true), guest, pct)},
		{title: "DISK", vals: gdisk, label: "all VMs " + rate(c.GuestDisk, true) + "  " + avgPeak(gdisk, rate), short: curPeak(rate(c.GuestDisk, true), gdisk, rate)},
		{title: "NET", vals: gnet, label: "all VMs " + rate(c.GuestNet, true) + "  " + avgPeak(gnet, rate), short: curPeak(rate(c.GuestNet, true), gnet, rate)},
	}
	room := h - 1 - len(tail)
	if room < len(cs) {
		// A short terminal: the charts come first, the lists get what is left.
		room = min(h-1, len(cs))
	}
	lines := append([]string{head}, m.drawCharts(cs, w, room)...)
	for _, t := range tail {
		if len(lines) >= h {
			break
		}
		lines = append(lines, t)
	}
	return lines
}

// topBy is a connection's VMs with the highest value of a metric (plus a
// second one when sum >= 0), highest first.
func (m *Model) topBy(uri string, a, sum perf.Metric, n int) []*perf.VM {
	if sum < 0 {
		return m.perf.tr.Top(uri, a, n)
	}
	vs := m.perf.tr.Top(uri, a, -1)
	total := func(v *perf.VM) float64 {
		x, _ := v.Cur.Value(a)
		y, _ := v.Cur.Value(sum)
		return x + y
	}
	widget.SortVMs(vs, total)
	var out []*perf.VM
	for _, v := range vs {
		if total(v) > 0 {
			out = append(out, v)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// perfArgWords completes the performance commands' arguments.
func perfArgWords(word string) []string {
	switch word {
	case "threshold":
		ws := []string{"save", "hysteresis", "cooldown"}
		for w := perf.Watch(0); w < perf.NumWatch; w++ {
			ws = append(ws, w.Name())
		}
		return ws
	case "charts":
		return []string{"braille", "block", "ascii"}
	case "spark":
		return []string{"on", "off"}
	}
	return []string{"host"}
}
