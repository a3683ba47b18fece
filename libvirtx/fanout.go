package libvirtx

import "sync"

// fanoutWorkers is how many calls per-domain reads keep in flight on one
// connection. libvirt's client carries calls from several threads over one
// connection at once, so over a link with a round trip of r, n domains take
// about n·r/fanoutWorkers instead of n·r.
const fanoutWorkers = 8

// fanout runs f(i) for i in [0, n) on up to fanoutWorkers goroutines and
// returns when all have finished.
func fanout(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(n, fanoutWorkers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
