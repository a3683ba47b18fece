package perf

import (
	"math"
	"testing"
)

func TestRingKeepsTheNewestValues(t *testing.T) {
	r := NewRing(4)
	if _, ok := r.Last(); ok || r.Len() != 0 {
		t.Fatal("an empty ring has a last value")
	}
	for i := 1; i <= 6; i++ {
		r.Push(float64(i))
	}
	if r.Len() != 4 || r.Cap() != 4 {
		t.Fatalf("len %d cap %d, want 4 4", r.Len(), r.Cap())
	}
	got := r.Tail(10, nil)
	want := []float64{3, 4, 5, 6}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tail = %v, want %v", got, want)
		}
	}
	if got := r.Tail(2, nil); len(got) != 2 || got[0] != 5 || got[1] != 6 {
		t.Fatalf("tail(2) = %v", got)
	}
	if v, ok := r.Last(); !ok || v != 6 {
		t.Fatalf("last = %v %v", v, ok)
	}
	if !math.IsNaN(r.At(4)) || !math.IsNaN(r.At(-1)) {
		t.Fatal("out-of-range At is not NaN")
	}
}

func TestRingStatsSkipGaps(t *testing.T) {
	r := NewRing(8)
	r.Push(10)
	r.PushGap()
	r.Push(30)
	r.Push(20)
	avg, peak, ok := r.Stats(0)
	if !ok || !near(avg, 20) || peak != 30 {
		t.Fatalf("avg %v peak %v ok %v, want 20 30", avg, peak, ok)
	}
	// The newest two only.
	if avg, peak, _ := r.Stats(2); !near(avg, 25) || peak != 30 {
		t.Fatalf("stats(2) = %v %v", avg, peak)
	}
	r.PushGap()
	if _, ok := r.Last(); ok {
		t.Fatal("a gap is a last value")
	}
	g := NewRing(3)
	g.PushGap()
	if _, _, ok := g.Stats(0); ok {
		t.Fatal("stats of gaps only")
	}
	r.Reset()
	if r.Len() != 0 || r.Cap() != 8 {
		t.Fatal("reset")
	}
}

func TestRingDownsample(t *testing.T) {
	r := NewRing(10)
	for i := 0; i < 8; i++ {
		r.Push(float64(i))
	}
	// 8 values into 4 buckets: means of pairs.
	got := r.Downsample(8, 4, nil)
	want := []float64{0.5, 2.5, 4.5, 6.5}
	if len(got) != 4 {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if !near(got[i], want[i]) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	// Fewer values than the width: as they are.
	if got := r.Downsample(3, 10, nil); len(got) != 3 || got[2] != 7 {
		t.Fatalf("short downsample %v", got)
	}
	r.Reset()
	r.PushGap()
	r.PushGap()
	r.Push(4)
	r.Push(6)
	got = r.Downsample(4, 2, nil)
	if !math.IsNaN(got[0]) || got[1] != 5 {
		t.Fatalf("gaps: %v", got)
	}
}

// The memory of a VM's history is fixed: pushing far more than the
// capacity allocates nothing.
func TestRingPushDoesNotAllocate(t *testing.T) {
	r := NewRing(HistoryLen)
	n := testing.AllocsPerRun(1000, func() { r.Push(1) })
	if n != 0 {
		t.Fatalf("%v allocations per push", n)
	}
}
