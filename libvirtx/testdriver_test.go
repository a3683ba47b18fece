package libvirtx

import (
	"strings"
	"sync"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// waitFor reads events until match returns true or the timeout passes.
func waitFor(t *testing.T, m *Manager, timeout time.Duration, match func(Event) bool) Event {
	t.Helper()
	got := make(chan Event, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			for _, e := range m.Next() {
				if match(e) {
					got <- e
					return
				}
			}
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	select {
	case e := <-got:
		return e
	case <-time.After(timeout):
		t.Fatalf("no matching event within %v", timeout)
	}
	return nil
}

// connectTest opens test:///default, libvirt's in-process test driver: real
// libvirt code with one running domain "test".
func connectTest(t *testing.T, readOnly bool) (*Manager, []Domain) {
	t.Helper()
	m := NewManager(readOnly)
	t.Cleanup(m.Close)
	if err := m.Add("test:///default"); err != nil {
		t.Fatal(err)
	}
	inv := waitFor(t, m, 5*time.Second, func(e Event) bool { i, ok := e.(InventoryEvent); return ok && !i.Partial }).(InventoryEvent)
	return m, inv.Domains
}

func TestInventoryAndSweepOnTestDriver(t *testing.T) {
	m := NewManager(false)
	t.Cleanup(m.Close)
	if err := m.Add("test:///default"); err != nil {
		t.Fatal(err)
	}
	// First the quick listing from the connection-wide calls: every
	// domain, its state and flags, without the vCPUs and memory the test
	// driver's stats lack; then the complete one.
	first := waitFor(t, m, 5*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok }).(InventoryEvent)
	if !first.Partial || !first.Unsized || len(first.Domains) != 1 {
		t.Fatalf("first listing = %+v, want a partial one without sizes", first)
	}
	if d := first.Domains[0]; d.Name != "test" || d.State != StateRunning || !d.Persistent || d.VCPUs != 0 {
		t.Fatalf("first listing's domain = %+v, want 'test', running, persistent, vCPUs unknown", d)
	}
	doms := waitFor(t, m, 5*time.Second, func(e Event) bool { i, ok := e.(InventoryEvent); return ok && !i.Partial }).(InventoryEvent).Domains
	if len(doms) != 1 || doms[0].Name != "test" || doms[0].State != StateRunning {
		t.Fatalf("inventory = %+v, want one running domain 'test'", doms)
	}
	d := doms[0]
	if d.VCPUs != 2 || d.MaxMemKiB != 8388608 || !d.Persistent {
		t.Fatalf("snapshot = %+v, want 2 vCPUs, 8 GiB, persistent", d)
	}
	h, err := m.Host("test:///default")
	if err != nil || h.CPUs != 16 {
		t.Fatalf("host = %+v %v, want 16 CPUs", h, err)
	}
	samples, errs := m.Sweep(AllGroups)
	if len(errs) != 0 || len(samples) != 1 {
		t.Fatalf("sweep = %v %v", samples, errs)
	}
	// The test driver's bulk stats carry only the state: the per-domain
	// fallback must have filled CPU time.
	if s := samples[0]; !s.HasCPU || s.UUID != d.UUID || s.State != StateRunning {
		t.Fatalf("sample = %+v", s)
	}
}

func TestLifecycleEventsOnTestDriver(t *testing.T) {
	m, doms := connectTest(t, false)
	ref := doms[0].Ref
	steps := []struct {
		a    Action
		want State
	}{{Pause, StatePaused}, {Resume, StateRunning}, {ForceOff, StateShutoff}, {Start, StateRunning}}
	for _, s := range steps {
		if err := m.Do(ref, s.a); err != nil {
			t.Fatalf("%s: %v", s.a, err)
		}
		e := waitFor(t, m, 2*time.Second, func(e Event) bool {
			de, ok := e.(DomainEvent)
			return ok && de.UUID == ref.UUID && de.Domain.State == s.want
		}).(DomainEvent)
		if e.Gone {
			t.Fatalf("%s: domain reported gone", s.a)
		}
	}
	// libvirt's own words come through for an action that makes no sense.
	err := m.Do(ref, Resume)
	if err == nil || !strings.Contains(err.Error(), "not paused") {
		t.Fatalf("resume of a running domain: %v, want libvirt's 'not paused'", err)
	}
}

func TestAutostartRenameAndVanishedDomain(t *testing.T) {
	m, doms := connectTest(t, false)
	ref := doms[0].Ref
	if err := m.Do(ref, AutostartOn); err != nil {
		t.Fatal(err)
	}
	// Autostart raises no event: read the domain directly.
	c, _ := m.conn(ref.URI)
	d, err := c.Domain(ref.UUID)
	if err != nil || !d.Autostart {
		t.Fatalf("autostart not set: %+v %v", d, err)
	}
	if err := m.Rename(ref, "renamed"); err == nil {
		t.Fatal("rename of a running domain succeeded; libvirt refuses it")
	}
	if err := m.Do(ref, ForceOff); err != nil {
		t.Fatal(err)
	}
	if err := m.Rename(ref, "a/b"); err == nil {
		t.Fatal("a name with '/' was accepted")
	}
	if err := m.Rename(ref, "renamed"); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.Domain(ref.UUID); d.Name != "renamed" {
		t.Fatalf("name after rename = %q", d.Name)
	}
	gone := Ref{URI: ref.URI, UUID: "00000000-0000-0000-0000-00000000dead", Name: "ghost"}
	if err := m.Do(gone, Start); err == nil || !strings.Contains(err.Error(), "ghost no longer exists") {
		t.Fatalf("vanished domain: %v", err)
	}
}

func TestReadOnlyRefusesChanges(t *testing.T) {
	m, doms := connectTest(t, true)
	if err := m.Do(doms[0].Ref, ForceOff); err != ErrReadOnly {
		t.Fatalf("read-only destroy: %v", err)
	}
	if _, err := m.Delete(doms[0].Ref, nil); err != ErrReadOnly {
		t.Fatalf("read-only delete: %v", err)
	}
}

func TestBadURIReportsAndRetries(t *testing.T) {
	m := NewManager(false)
	defer m.Close()
	if err := m.Add("bogus+nothing:///x"); err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, m, 5*time.Second, func(e Event) bool {
		ce, ok := e.(ConnEvent)
		return ok && ce.Status == Disconnected
	}).(ConnEvent)
	if e.Err == "" || e.Retry <= 0 {
		t.Fatalf("bad URI event = %+v, want libvirt's error and a retry delay", e)
	}
	if err := m.Add("bogus+nothing:///x"); err == nil {
		t.Fatal("adding the same URI twice succeeded")
	}
}

// Closing a connection waits for the calls in flight on it: libvirt crashed
// on a connection closed under a call (a SIGSEGV in virDomainGetState while
// a test's manager closed, once in five full runs). The race does not show
// on demand; this checks what the fix must keep true: a close under load
// completes (no deadlock waiting for users) and every caller ends.
func TestCloseWaitsForCallsInFlight(t *testing.T) {
	t.Run("test driver", func(t *testing.T) {
		for range 20 {
			m, doms := connectTest(t, false)
			hammerThenClose(t, m, doms[0].Ref)
		}
	})
	t.Run("real daemon", func(t *testing.T) {
		m, ref, _ := realGuest(t, "closerace")
		hammerThenClose(t, m, ref)
		for range 20 {
			m := NewManager(false)
			t.Cleanup(m.Close)
			if err := m.Add(ref.URI); err != nil {
				t.Fatal(err)
			}
			waitFor(t, m, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
			hammerThenClose(t, m, ref)
		}
	})
}

// hammerThenClose closes ref's connection while four goroutines call it.
func hammerThenClose(t *testing.T, m *Manager, ref Ref) {
	t.Helper()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := m.DomainXML(ref, false, false); err != nil {
					return // removed: "not connected"
				}
				if _, err := m.Sweep(AllGroups); len(err) > 0 {
					return
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := m.Remove(ref.URI); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 10*time.Second, func(e Event) bool { c, ok := e.(ConnEvent); return ok && c.Status == Closed })
	wg.Wait()
}

// Close returns only once each connection has removed its callbacks and
// closed: kvmtui exits right after it, and a client that vanishes with an
// event (de)registration in flight crashes libvirtd 9.0 (seen: "unexpected
// incomplete domain callback", then SIGSEGV).
func TestCloseReturnsOnceTornDown(t *testing.T) {
	check := func(t *testing.T, uri string) {
		for range 5 {
			m := NewManager(false)
			if err := m.Add(uri); err != nil {
				t.Fatal(err)
			}
			waitFor(t, m, 10*time.Second, func(e Event) bool { _, ok := e.(InventoryEvent); return ok })
			c, err := m.conn(uri)
			if err != nil {
				t.Fatal(err)
			}
			m.Close()
			select {
			case <-c.ended:
			default:
				t.Fatal("Close returned while the connection was still being torn down")
			}
			c.mu.Lock()
			live, cbs := c.c != nil, len(c.cbIDs)+len(c.netCBs)+len(c.poolCBs)
			c.mu.Unlock()
			if live || cbs != 0 {
				t.Fatalf("after Close: connection open %v, %d callbacks registered", live, cbs)
			}
			if len(m.URIs()) != 0 {
				t.Fatalf("after Close the manager still lists %v", m.URIs())
			}
		}
	}
	t.Run("test driver", func(t *testing.T) { check(t, "test:///default") })
	t.Run("real daemon", func(t *testing.T) { check(t, lt.URI(t)) })
}

// On a fleet every host's first listing comes before any host's
// definitions are read: a small host waits for a big one (2,000 VMs,
// whose file takes libvirt a while to load) instead of reading its
// details while the big one still loads.
func TestFirstListingsBeforeDetails(t *testing.T) {
	m := NewManager(false)
	t.Cleanup(m.Close)
	small, big := "test:///default", testHost(t, 2000)
	for _, u := range []string{small, big} {
		if err := m.Add(u); err != nil {
			t.Fatal(err)
		}
	}
	var order []string // "partial URI" / "complete URI", as they came
	waitFor(t, m, 30*time.Second, func(e Event) bool {
		i, ok := e.(InventoryEvent)
		if !ok {
			return false
		}
		word := "complete "
		if i.Partial {
			word = "partial "
		}
		order = append(order, word+i.URI)
		return len(order) == 4
	})
	if order[0] != "partial "+small || order[1] != "partial "+big {
		t.Fatalf("inventories came in the order %q, want both partial listings first, the small host's first", order)
	}
}
