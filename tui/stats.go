package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// The root owns the stats flow: it sweeps on every tick, feeds the
// history every page draws from (common.Perf), raises the threshold alerts
// on the message line, then hands the sweep to the pages.

// initPerf loads the configuration ($XDG_CONFIG_HOME/kvmtui/perf.conf, or
// opts.Perf) and starts the history.
func (m *Model) initPerf() {
	p := &common.Perf{CfgPath: perf.ConfigPath(), Sparks: widget.NewSparker(lipgloss.NewStyle())}
	if m.opts.Perf != nil {
		p.Cfg = *m.opts.Perf
	} else {
		cfg, err := perf.LoadConfig(p.CfgPath)
		p.Cfg = cfg
		if err != nil {
			m.ctx.SetMsg("config: "+strings.ReplaceAll(err.Error(), "\n", "; "), true)
		}
	}
	p.Tr = perf.NewTracker(p.Cfg.Thresholds)
	m.ctx.Perf = p
}

// StatGroups are the optional stats the next sweep reads: those a page in
// the stack shows (its columns, the performance view) and those a
// threshold or the configuration asks for.
func (m *Model) StatGroups() libvirtx.Groups {
	g := m.ctx.Perf.Cfg.Groups()
	for _, p := range m.stack {
		if u, ok := p.(common.StatsUser); ok {
			g |= u.StatGroups()
		}
	}
	return g
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
			d, _ := m.ctx.VM(uri, uuid)
			return d.VCPUs
		},
	}
}

// observePerf feeds one sweep to the history, before the list takes it (so
// the rows it renders see the new levels and sparklines), and tells the
// alerts the sweep raised on the message line.
func (m *Model) observePerf(msg common.SweepMsg) {
	p := m.ctx.Perf
	lk := m.perfLookup()
	lk.ActiveOnly = msg.Active
	raised := p.Tr.Add(msg.Samples, msg.Hosts, lk)
	for _, h := range p.Tr.Hosts() {
		if m.ctx.Conns[h.URI] == nil {
			p.Tr.DropConn(h.URI)
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
