package tui

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/common"
)

// syntheticModel is a model holding n VMs of one connection, fed the way
// libvirtx feeds it; no libvirt call happens in Update or View.
func syntheticModel(b *testing.B, n int) (*Model, []libvirtx.Sample) {
	return syntheticFleet(b, 1, n)
}

// syntheticFleet is a model holding hosts connections of n VMs each.
func syntheticFleet(b *testing.B, hosts, n int) (*Model, []libvirtx.Sample) {
	mgr := libvirtx.NewManager(false)
	m := New(mgr, Options{Interval: 2 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	var samples []libvirtx.Sample
	for h := 0; h < hosts; h++ {
		uri := "qemu:///system"
		if hosts > 1 {
			uri = fmt.Sprintf("qemu+ssh://h%02d/system", h)
		}
		doms := make([]libvirtx.Domain, n)
		for i := range doms {
			d := libvirtx.Domain{
				Ref:   libvirtx.Ref{URI: uri, UUID: fmt.Sprintf("%08d-%04d-0000-0000-000000000000", i, h), Name: fmt.Sprintf("h%02d-vm-%05d", h, i)},
				State: libvirtx.StateRunning, VCPUs: 1 + i%8, MemoryKiB: uint64(1+i%16) << 20, Persistent: true,
				OS: "debian12", IPs: []string{fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)},
			}
			doms[i] = d
			samples = append(samples, libvirtx.Sample{Ref: d.Ref, State: d.State, HasCPU: true, CPUTimeNs: uint64(i) * 1e9,
				CurrentKiB: d.MemoryKiB, RSSKiB: d.MemoryKiB / 2, HasBlock: true, HasNet: true})
		}
		m.Update(common.EventsMsg{
			libvirtx.ConnEvent{URI: uri, Status: libvirtx.Connected, Host: libvirtx.HostInfo{CPUs: 32}},
			libvirtx.InventoryEvent{URI: uri, Domains: doms},
		})
	}
	return m, samples
}

// advance moves every counter on by one tick's worth of work.
func advance(samples []libvirtx.Sample, at time.Time) {
	for i := range samples {
		s := &samples[i]
		s.At = at
		s.CPUTimeNs += uint64(i%7) * 1e8
		s.RdBytes += uint64(i) * 4096
		s.WrBytes += uint64(i) * 512
		s.RxBytes += uint64(i) * 1500
		s.TxBytes += uint64(i) * 900
	}
}

func benchSweepAndView(b *testing.B, n int) {
	m, samples := syntheticModel(b, n)
	benchSweeps(b, m, samples)
}

// benchSweeps times one stats tick (rates, sort, cells) plus a full redraw.
func benchSweeps(b *testing.B, m *Model, samples []libvirtx.Sample) {
	at := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at = at.Add(2 * time.Second)
		advance(samples, at)
		m.Update(common.SweepMsg{Samples: samples})
		_ = m.View()
	}
}

func benchKeyAndView(b *testing.B, n int) {
	m, samples := syntheticModel(b, n)
	advance(samples, time.Now())
	m.Update(common.SweepMsg{Samples: samples})
	down := tea.KeyMsg{Type: tea.KeyDown}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(down)
		_ = m.View()
	}
}

// One stats tick (rates, sort, cells) plus a full redraw.
func BenchmarkSweepUpdateView200(b *testing.B)  { benchSweepAndView(b, 200) }
func BenchmarkSweepUpdateView2000(b *testing.B) { benchSweepAndView(b, 2000) }

// One key press plus a full redraw: what a user feels.
func BenchmarkKeyUpdateView200(b *testing.B)  { benchKeyAndView(b, 200) }
func BenchmarkKeyUpdateView2000(b *testing.B) { benchKeyAndView(b, 2000) }

// A fleet in one list: 10 hosts of 1,000 VMs. G and g in turn (the far ends
// of the list) plus a redraw; and the heap the model keeps per VM, with a
// sweep's history in it.
func BenchmarkKeyUpdateViewFleet10x1000(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, samples := syntheticFleet(b, 10, 1000)
	advance(samples, time.Now())
	m.Update(common.SweepMsg{Samples: samples})
	_ = m.View()
	runtime.GC()
	runtime.ReadMemStats(&after)
	keys := []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune{'G'}}, {Type: tea.KeyRunes, Runes: []rune{'g'}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(keys[i%2])
		_ = m.View()
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(samples)), "heap-B/VM")
}

func BenchmarkSweepUpdateViewFleet10x1000(b *testing.B) {
	m, samples := syntheticFleet(b, 10, 1000)
	benchSweeps(b, m, samples)
}
