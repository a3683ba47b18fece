package snapshots

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/tuitest"
)

// 500 snapshots of one demo VM (test driver): a chain of 100 with four
// branches of 100 off its middle, the shape of years of nightly snapshots
// with a few experiments.
func manySnapshots(b *testing.B) (*tuitest.Harness, libvirtx.Domain) {
	h := tuitest.New(b, false, tuitest.DemoURI(b))
	d := h.VM("web-01")
	mgr := h.Ctx().Mgr
	take := func(name string) {
		if _, err := mgr.CreateSnapshot(d.Ref, libvirtx.SnapshotSpec{Name: name, Kind: libvirtx.SnapInternal}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 100 {
		take(fmt.Sprintf("night-%03d", i))
	}
	for br := range 4 {
		if err := mgr.RevertSnapshot(d.Ref, "night-050", libvirtx.RevertAsTaken, false); err != nil {
			b.Fatal(err)
		}
		for i := range 100 {
			take(fmt.Sprintf("try%d-%03d", br, i))
		}
	}
	return h, d
}

// BenchmarkSnapshotPageOpen500: reading 500 snapshots and the first frame.
func BenchmarkSnapshotPageOpen500(b *testing.B) {
	h, d := manySnapshots(b)
	b.ResetTimer()
	for range b.N {
		p, cmd := New(h.Ctx(), d)
		p.Update(cmd())
		if len(p.list.Rows()) != 500 {
			b.Fatalf("%d snapshots", len(p.list.Rows()))
		}
		_ = p.View()
	}
}

// BenchmarkSnapshotKey500: a cursor key and the frame it draws.
func BenchmarkSnapshotKey500(b *testing.B) {
	h, d := manySnapshots(b)
	p, cmd := New(h.Ctx(), d)
	p.Update(cmd())
	b.ResetTimer()
	for i := range b.N {
		k := map[bool]string{true: "j", false: "k"}[i%500 < 250]
		p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		_ = p.View()
	}
}
