package common

import (
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
)

// The commands that read libvirt for every page: the events, the stats
// timer and the sweeps. The root runs them; pages get their messages.

// SweepMsg carries one stats sweep.
type SweepMsg struct {
	Samples []libvirtx.Sample
	Hosts   []libvirtx.HostSample // of the connections whose sweep succeeded
	Active  bool                  // of the running domains only (see sweeper)
}

// WaitEvents blocks (in its own goroutine) until libvirtx has events.
func WaitEvents(mgr *libvirtx.Manager) tea.Cmd {
	return func() tea.Msg { return EventsMsg(mgr.Next()) }
}

// Sweep reads the stats of every domain (with the optional groups g), and
// the hosts'.
func Sweep(mgr *libvirtx.Manager, g libvirtx.Groups) tea.Cmd {
	return func() tea.Msg {
		s, errs := mgr.Sweep(g) // a down connection reports through its ConnEvent
		return SweepMsg{Samples: s, Hosts: HostStats(mgr, errs)}
	}
}

// HostStats reads the host counters of every connection whose sweep
// succeeded, concurrently: one more call pair per connection per tick.
func HostStats(mgr *libvirtx.Manager, failed map[string]error) []libvirtx.HostSample {
	uris := mgr.URIs()
	out := make([]libvirtx.HostSample, len(uris))
	var wg sync.WaitGroup
	for i, u := range uris {
		if failed[u] != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := mgr.HostStats(u)
			if err != nil {
				return
			}
			out[i] = h
		}()
	}
	wg.Wait()
	n := 0
	for _, h := range out {
		if h.URI != "" {
			out[n] = h
			n++
		}
	}
	return out[:n]
}

// FullSweepPeriod: every domain is swept at least this often; the ticks in
// between sweep the running ones only. Lifecycle events keep the states of
// the others; the full sweep catches a change whose event was missed.
const FullSweepPeriod = 30 * time.Second

// Sweeper schedules the stats sweeps of the ticks: on a host with many
// defined and few running guests a sweep of the running ones costs a
// fraction of a full one (see libvirtx.Conn.SweepActive).
// With period 0 (top) every tick sweeps the running domains only.
type Sweeper struct {
	ticks  int
	Period time.Duration
}

func (s *Sweeper) Next(mgr *libvirtx.Manager, interval time.Duration, g libvirtx.Groups) tea.Cmd {
	s.ticks++
	if s.Period > 0 && time.Duration(s.ticks)*interval >= s.Period {
		s.ticks = 0
		return Sweep(mgr, g)
	}
	return SweepActive(mgr, g)
}

// SweepActive is Sweep of the running domains only.
func SweepActive(mgr *libvirtx.Manager, g libvirtx.Groups) tea.Cmd {
	return func() tea.Msg {
		s, errs := mgr.SweepActive(g)
		return SweepMsg{Samples: s, Hosts: HostStats(mgr, errs), Active: true}
	}
}

// StatsUser is a page that shows optional stats: the root sweeps the
// groups the pages in its stack ask for (see libvirtx.Groups).
type StatsUser interface {
	StatGroups() libvirtx.Groups
}

// MinInterval is the shortest stats interval allowed.
const MinInterval = time.Second

// Tick fires the stats timer after interval.
func Tick(interval time.Duration) tea.Cmd {
	return tea.Tick(interval, func(t time.Time) tea.Msg { return TickMsg(t) })
}

// NamesMsg carries a connection's network and pool names.
type NamesMsg struct {
	URI         string
	Nets, Pools []string
}

// LoadNames reads a connection's network and pool names.
func LoadNames(mgr *libvirtx.Manager, uri string) tea.Cmd {
	return func() tea.Msg {
		nets, pools, _ := mgr.ObjectNames(uri)
		return NamesMsg{URI: uri, Nets: nets, Pools: pools}
	}
}
