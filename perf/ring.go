package perf

import "math"

// HistoryLen is how many samples a history keeps: ten minutes at the
// shortest stats interval (1 s), twenty at the default 2 s.
const HistoryLen = 600

// Ring is a fixed-capacity history of float32 values; the oldest value is
// overwritten once it is full. A gap (no data: the VM was stopped, the
// counters were reset) is stored as NaN and is skipped by Stats and drawn
// as empty by the renderers. Its memory is fixed at creation: 4 bytes a value.
type Ring struct {
	buf   []float32
	start int // index of the oldest value
	n     int
}

// NewRing returns an empty ring of the given capacity (at least 1).
func NewRing(capacity int) *Ring {
	return &Ring{buf: make([]float32, max(capacity, 1))}
}

// Cap is the ring's capacity.
func (r *Ring) Cap() int { return len(r.buf) }

// Len is how many values it holds, gaps included.
func (r *Ring) Len() int { return r.n }

// Push appends v, dropping the oldest value when full.
func (r *Ring) Push(v float64) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = float32(v)
		r.n++
		return
	}
	r.buf[r.start] = float32(v)
	r.start = (r.start + 1) % len(r.buf)
}

// PushGap appends "no data".
func (r *Ring) PushGap() { r.Push(math.NaN()) }

// At returns the i-th value, 0 being the oldest; NaN for a gap.
func (r *Ring) At(i int) float64 {
	if i < 0 || i >= r.n {
		return math.NaN()
	}
	return float64(r.buf[(r.start+i)%len(r.buf)])
}

// Last returns the newest value; ok is false when the ring is empty or the
// newest value is a gap.
func (r *Ring) Last() (v float64, ok bool) {
	if r.n == 0 {
		return 0, false
	}
	v = r.At(r.n - 1)
	return v, !math.IsNaN(v)
}

// Tail appends the newest n values (fewer when the ring holds fewer),
// oldest first, to dst and returns it.
func (r *Ring) Tail(n int, dst []float64) []float64 {
	n = min(n, r.n)
	for i := r.n - n; i < r.n; i++ {
		dst = append(dst, r.At(i))
	}
	return dst
}

// Stats returns the average and the peak of the newest n values (all when
// n <= 0), skipping gaps; ok is false when there is no value.
func (r *Ring) Stats(n int) (avg, peak float64, ok bool) {
	if n <= 0 {
		n = r.n
	}
	return SliceStats(r.Tail(n, nil))
}

// Reset empties the ring, keeping its memory.
func (r *Ring) Reset() { r.start, r.n = 0, 0 }

// Downsample appends width values summarising the newest n values, oldest
// first (see Downsample).
func (r *Ring) Downsample(n, width int, dst []float64) []float64 {
	return append(dst, Downsample(r.Tail(n, nil), width)...)
}

// Downsample fits vals into width values: each is the mean of its bucket
// (gaps skipped; an all-gap bucket is a gap). With len(vals) <= width it
// returns vals.
func Downsample(vals []float64, width int) []float64 {
	n := len(vals)
	if n <= width || width <= 0 {
		return vals
	}
	out := make([]float64, 0, width)
	for b := 0; b < width; b++ {
		lo, hi := b*n/width, (b+1)*n/width
		var sum float64
		cnt := 0
		for _, v := range vals[lo:hi] {
			if !math.IsNaN(v) {
				sum += v
				cnt++
			}
		}
		if cnt == 0 {
			out = append(out, math.NaN())
		} else {
			out = append(out, sum/float64(cnt))
		}
	}
	return out
}

// SliceStats is the average and peak of vals, skipping gaps (NaN).
func SliceStats(vals []float64) (avg, peak float64, ok bool) {
	var sum float64
	cnt := 0
	for _, v := range vals {
		if math.IsNaN(v) {
			continue
		}
		if cnt == 0 || v > peak {
			peak = v
		}
		sum += v
		cnt++
	}
	if cnt == 0 {
		return 0, 0, false
	}
	return sum / float64(cnt), peak, true
}
