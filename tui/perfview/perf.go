// Package perfview is the performance page (p, :perf): sparkline charts of
// the selected VM's CPU, memory, disk and network, or of a host with its
// busiest VMs and latest alerts; and the commands that set the thresholds
// and chart styles (:threshold, :charts, :spark).
package perfview

import (
	"errors"
	"fmt"
	"slices"
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

func init() {
	common.Register(common.Entry{
		Words: []string{"perf"},
		Usage: "perf [host [URI]]",
		Desc:  "performance view of the selected VM / its host",
		Args:  func(*common.Context) []string { return []string{"host"} },
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Performance (p)", Keys: common.Bind(ctx, "perf", newKeys()).view()}}
		},
	})
	common.Register(common.Entry{Words: []string{"threshold", "thresholds"}, Usage: "threshold [WATCH warn|crit VALUE]",
		Desc: "cpu mem disk net host.cpu host.mem; VALUE 80, 50M or off; WATCH WARN CRIT: both; save: write " + perf.ConfigFile,
		Args: func(*common.Context) []string { return argWords("threshold") }, Run: thresholdCommand})
	common.Register(common.Entry{Words: []string{"charts"}, Usage: "charts braille|block|ascii",
		Desc: "how sparklines are drawn", Args: func(*common.Context) []string { return argWords("charts") }, Run: chartsCommand})
	common.Register(common.Entry{Words: []string{"spark"}, Usage: "spark [on|off]",
		Desc: "the CPU sparkline column of the list", Args: func(*common.Context) []string { return argWords("spark") }, Run: sparkCommand})
}

// Page is the performance view. Its body is rendered when a sample
// arrives, a key changes it or the terminal is resized; View only joins
// the lines.
type Page struct {
	ctx     *common.Context
	keys    keys
	chart   lipgloss.Style
	host    bool   // the host page instead of the VM page
	hostURI string // the connection the host page shows
	wide    bool   // the whole history (downsampled) instead of the newest samples
	body    []string
}

// Open shows the selected VM's page ("host": its host's page; "host URI":
// that host's).
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 2 || len(args) >= 1 && args[0] != "host" {
		return nil, nil, errors.New("usage: perf [host [URI]]")
	}
	m := &Page{ctx: ctx, keys: common.Bind(ctx, "perf", newKeys()), host: len(args) >= 1, chart: ctx.Theme.Chart}
	switch d, ok := ctx.Selected(); {
	case len(args) == 2:
		if !slices.Contains(ctx.Mgr.URIs(), args[1]) {
			return nil, nil, fmt.Errorf("perf: not connected to %q", args[1])
		}
		m.hostURI = args[1]
	case ok:
		m.hostURI = d.URI
	case len(ctx.Mgr.URIs()) > 0:
		m.hostURI = ctx.Mgr.URIs()[0]
	}
	m.render()
	return m, nil, nil
}

// StatGroups: the view charts disk and network.
func (m *Page) StatGroups() libvirtx.Groups { return libvirtx.AllGroups }

// Title is the page's crumb.
func (m *Page) Title() string {
	if m.host {
		return "Performance: " + m.ctx.Label(m.hostURI)
	}
	if d, ok := m.ctx.Selected(); ok {
		return "Performance: " + d.Name
	}
	return "Performance"
}

// Update re-renders on a sweep, a resize, a settings change or a key.
func (m *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m.key(msg)
	case common.SweepMsg, tea.WindowSizeMsg, common.PerfChangedMsg:
		m.render()
	}
	return nil
}

// key takes the view's keys; the root keeps help, the command line and
// ctrl+c.
func (m *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.ctx.SetMsg("", false)
		return common.Pop
	case key.Matches(msg, k.Prev):
		m.ctx.Move(-1)
		m.host = false
	case key.Matches(msg, k.Next):
		m.ctx.Move(1)
		m.host = false
	case key.Matches(msg, k.HostView):
		m.nextPerfPage()
	case key.Matches(msg, k.Charts):
		cfg := &m.ctx.Perf.Cfg
		cfg.Charts = cfg.Charts.Next()
		m.ctx.SetMsg("charts: "+cfg.Charts.String()+" (:threshold save keeps it)", false)
		return changed
	case key.Matches(msg, k.Window):
		m.wide = !m.wide
	case key.Matches(msg, k.Limit):
		return func() tea.Msg { return common.CommandLineMsg{Text: "threshold "} }
	case msg.String() == "q":
		return tea.Quit
	}
	m.render()
	return nil
}

// changed tells every page the performance settings changed.
func changed() tea.Msg { return common.PerfChangedMsg{} }

// nextPerfPage cycles: VM page, then each connection's host page.
func (m *Page) nextPerfPage() {
	uris := m.ctx.Mgr.URIs()
	if len(uris) == 0 {
		return
	}
	if !m.host {
		m.host = true
		if d, ok := m.ctx.Selected(); ok {
			m.hostURI = d.URI
		} else {
			m.hostURI = uris[0]
		}
		return
	}
	for i, u := range uris {
		if u == m.hostURI && i+1 < len(uris) {
			m.hostURI = uris[i+1]
			return
		}
	}
	m.host = false
}

// View is the body, rendered beforehand.
func (m *Page) View() string {
	h := m.ctx.BodyHeight()
	lines := make([]string, 0, h)
	lines = append(lines, m.body...)
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:h], "\n")
}

// Hints are the bottom line's keys.
func (m *Page) Hints() string {
	k := m.keys
	return widget.Hints(m.ctx.Theme, m.ctx.Width, k.Back, k.Next, k.HostView, k.Charts, k.Window, k.Limit, m.ctx.Keys.Help)
}

// render renders the body for the current size.
func (m *Page) render() {
	if m.ctx.Width == 0 || m.ctx.Height == 0 {
		return
	}
	w, h := m.ctx.Width, max(m.ctx.BodyHeight(), 1)
	var lines []string
	if m.host {
		lines = m.renderHostPage(w, h)
	} else {
		lines = m.renderVMPage(w, h)
	}
	for i := range lines {
		lines[i] = widget.Fit(lines[i], w)
	}
	m.body = lines
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
func (m *Page) window(width int) int {
	if m.wide {
		return perf.HistoryLen
	}
	return width
}

func (m *Page) windowText(n int) string {
	d := time.Duration(n) * m.ctx.Interval
	mode := "newest"
	if m.wide {
		mode = "all"
	}
	return fmt.Sprintf("%s %s (w)", mode, d.Round(time.Second))
}

// drawCharts lays charts out in h lines of width w: a title line and at
// least one chart row each when they fit, else one line each with the
// figures left and a one-row sparkline right.
func (m *Page) drawCharts(cs []chart, w, h int) []string {
	var out []string
	if len(cs) == 0 || h <= 0 {
		return out
	}
	per := h / len(cs)
	if per >= 2 {
		for _, c := range cs {
			out = append(out, m.chartTitle(c)+"  "+c.label)
			vals := perf.Downsample(c.vals, w-1)
			out = append(out, prefixAll(" ", m.ctx.Perf.Sparks.Render(vals, w-1, per-1, c.max, m.ctx.Perf.Cfg.Charts))...)
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
			line += " " + m.ctx.Perf.Sparks.Render(perf.Downsample(c.vals, sw), sw, 1, c.max, m.ctx.Perf.Cfg.Charts)[0]
		}
		out = append(out, line)
	}
	return out
}

func (m *Page) chartTitle(c chart) string {
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

func (m *Page) renderVMPage(w, h int) []string {
	d, ok := m.ctx.Selected()
	if !ok {
		return []string{m.ctx.Theme.Header.Render("PERFORMANCE"), "", "  no VM selected (esc: back to the list)"}
	}
	head := fmt.Sprintf("%s %s · %s · %d vCPU · %s · %s", m.ctx.Theme.Title.Render("PERF"), d.Name, widget.StateWord(d), d.VCPUs,
		widget.HumanBytes(float64(d.MemoryKiB)*1024), m.ctx.Label(d.URI))
	v := m.ctx.Perf.Tr.VM(d.URI, d.UUID)
	if v == nil || v.Series(perf.CPU) == nil {
		return []string{m.headRight(head, "["+m.ctx.Perf.Cfg.Charts.String()+"]", w), "",
			"  no samples yet: kvmtui keeps a VM's history from the first time it sees it running"}
	}
	n := m.window(w - 1)
	cpu := v.Series(perf.CPU).Tail(n, nil)
	head = m.headRight(head, fmt.Sprintf("[%s] %s", m.ctx.Perf.Cfg.Charts, m.windowText(len(cpu))), w)
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
func (m *Page) headRight(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Page) renderHostPage(w, h int) []string {
	uri := m.hostURI
	label := uri
	if c := m.ctx.Conns[uri]; c != nil {
		label = c.Label
	}
	hh := m.ctx.Perf.Tr.Host(uri)
	if hh == nil {
		return []string{m.ctx.Theme.Title.Render("HOST") + " " + label, "", "  no samples yet"}
	}
	c := hh.Cur
	head := fmt.Sprintf("%s %s", m.ctx.Theme.Title.Render("HOST"), label)
	if hh.Hostname != "" {
		head += " (" + hh.Hostname + ")"
	}
	total := len(m.ctx.VMs(uri))
	head += fmt.Sprintf(" · %d CPUs · %d/%d VMs running", hh.CPUs, c.Running, total)
	if c.MemValid {
		head += " · " + widget.HumanBytes(float64(c.MemTotalKiB)*1024)
	}
	n := m.window(w - 1)
	cpu := hh.Series(perf.HostCPU).Tail(n, nil)
	head = m.headRight(head, fmt.Sprintf("[%s] %s", m.ctx.Perf.Cfg.Charts, m.windowText(len(cpu))), w)

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
	for _, a := range m.ctx.Perf.Tr.Alerts() {
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
func (m *Page) topBy(uri string, a, sum perf.Metric, n int) []*perf.VM {
	if sum < 0 {
		return m.ctx.Perf.Tr.Top(uri, a, n)
	}
	vs := m.ctx.Perf.Tr.Top(uri, a, -1)
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
