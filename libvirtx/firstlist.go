package libvirtx

import (
	"sync"
	"time"
)

// firstListings holds back the per-domain reads (titles, OS, addresses)
// of a manager's connections until each has sent its first listing, and
// the UI has had a moment to draw them: on a fleet, one host's thousand
// definitions read at once slow every other host's first listing (10
// test-driver hosts × 1,000 VMs, testdata/bench/fleet.sh: the whole list
// in 0.74–0.88 s instead of 0.99–1.16). A host slower than detailsWait
// does not hold the others' details longer.
type firstListings struct {
	mu   sync.Mutex
	n    int           // connections still to send their first listing
	zero chan struct{} // closed when n drops to 0
}

const (
	detailsWait = time.Second
	drawGrace   = 150 * time.Millisecond
)

// add counts a connection that has yet to list.
func (f *firstListings) add() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.zero = make(chan struct{})
	}
	f.n++
}

// done counts one off (once per connection: see Conn.firstListed).
func (f *firstListings) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 {
		close(f.zero)
	}
}

// wait returns once every connection has listed, after detailsWait, or
// when stop closes. A nil gate (a connection of its own) does not wait.
func (f *firstListings) wait(stop <-chan struct{}) {
	if f == nil {
		return
	}
	f.mu.Lock()
	zero := f.zero
	f.mu.Unlock()
	if zero == nil {
		return
	}
	t := time.NewTimer(detailsWait)
	defer t.Stop()
	select {
	case <-zero:
		// A moment more, in which the UI draws the listings.
		t.Reset(drawGrace)
		select {
		case <-t.C:
		case <-stop:
		}
	case <-t.C:
	case <-stop:
	}
}
