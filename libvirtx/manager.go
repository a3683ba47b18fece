package libvirtx

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"libvirt.org/go/libvirt"
)

var eventLoopOnce sync.Once

// startEventLoop registers libvirt's default event loop and runs it in one
// goroutine for the life of the process. It must happen before the first
// connection is opened, or that connection gets no events or keepalive.
func startEventLoop() {
	eventLoopOnce.Do(func() {
		if err := libvirt.EventRegisterDefaultImpl(); err != nil {
			panic(fmt.Sprintf("libvirt event loop: %v", err))
		}
		go func() {
			for {
				if err := libvirt.EventRunDefaultImpl(); err != nil {
					// Nothing recovers a broken event loop; say so once and stop
					// spinning. Connections then fall back to the stats tick.
					return
				}
			}
		}()
	})
}

// Manager owns every connection and the queue of events they produce.
type Manager struct {
	readOnly bool
	box      *mailbox

	listings firstListings

	mu    sync.Mutex
	conns map[string]*Conn
}

// NewManager starts libvirt's event loop (once per process) and returns an
// empty manager. readOnly opens every connection read-only.
func NewManager(readOnly bool) *Manager {
	startEventLoop()
	return &Manager{readOnly: readOnly, box: newMailbox(), conns: map[string]*Conn{}}
}

// ReadOnly reports whether connections are opened read-only.
func (m *Manager) ReadOnly() bool { return m.readOnly }

// Add opens a connection to uri in the background; its progress arrives as
// ConnEvents. Adding a URI twice is an error.
func (m *Manager) Add(uri string) error {
	if uri == "" {
		return errors.New("empty URI: expected something like qemu:///system or qemu+ssh://user@host/system")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.conns[uri]; ok {
		return fmt.Errorf("already connected to %s", uri)
	}
	c := newConn(uri, m.readOnly, m.box)
	c.listings = &m.listings
	m.listings.add()
	m.conns[uri] = c
	go c.run()
	return nil
}

// Remove closes the connection to uri and forgets it.
func (m *Manager) Remove(uri string) error {
	m.mu.Lock()
	c, ok := m.conns[uri]
	delete(m.conns, uri)
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("not connected to %s", uri)
	}
	c.stop()
	return nil
}

// URIs lists the managed connections, sorted.
func (m *Manager) URIs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.conns))
	for u := range m.conns {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Next blocks until events are available and returns them in order.
func (m *Manager) Next() []Event { return m.box.next() }

// closeWait bounds how long Close waits for connections to wind down: a
// local daemon takes milliseconds, a remote one that stopped answering is
// not worth a hung exit.
const closeWait = 3 * time.Second

// Close closes every connection and waits (up to closeWait) until each has
// removed its event callbacks and closed. A process that exits with a call
// still in flight — an event registration right after connecting, or the
// deregistrations of a close — crashes libvirtd 9.0 (Debian 12): it frees
// that client's callbacks from two threads at once.
func (m *Manager) Close() {
	m.mu.Lock()
	conns := make([]*Conn, 0, len(m.conns))
	for u, c := range m.conns {
		conns = append(conns, c)
		delete(m.conns, u)
	}
	m.mu.Unlock()
	for _, c := range conns {
		c.stop()
	}
	deadline := time.After(closeWait)
	for _, c := range conns {
		select {
		case <-c.ended:
		case <-deadline:
			return
		}
	}
}

// lconn returns the live libvirt connection for uri, or why there is none,
// and the done func the caller calls when it stops using it (see Conn.get).
func (m *Manager) lconn(uri string) (*libvirt.Connect, func(), error) {
	c, err := m.conn(uri)
	if err != nil {
		return nil, func() {}, err
	}
	return c.get()
}

// writeConn is lconn for a call that changes the host: refused on a
// read-only manager.
func (m *Manager) writeConn(uri string) (*libvirt.Connect, func(), error) {
	if m.readOnly {
		return nil, func() {}, ErrReadOnly
	}
	return m.lconn(uri)
}

func (m *Manager) conn(uri string) (*Conn, error) {
	m.mu.Lock()
	c := m.conns[uri]
	m.mu.Unlock()
	if c == nil {
		return nil, fmt.Errorf("not connected to %s", uri)
	}
	return c, nil
}

// Sweep runs one stats sweep on every connected connection, concurrently,
// and returns the samples of all of them (with the optional groups g).
// Connections that are down are skipped; their errors are reported per URI.
func (m *Manager) Sweep(g Groups) ([]Sample, map[string]error) { return m.sweep(g, false) }

// SweepActive is Sweep of the running domains only (see Conn.SweepActive).
func (m *Manager) SweepActive(g Groups) ([]Sample, map[string]error) { return m.sweep(g, true) }

func (m *Manager) sweep(g Groups, active bool) ([]Sample, map[string]error) {
	m.mu.Lock()
	conns := make([]*Conn, 0, len(m.conns))
	for _, c := range m.conns {
		conns = append(conns, c)
	}
	m.mu.Unlock()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		all  []Sample
		errs map[string]error
	)
	for _, c := range conns {
		wg.Add(1)
		go func(c *Conn) {
			defer wg.Done()
			sweep := c.Sweep
			if active {
				sweep = c.SweepActive
			}
			s, err := sweep(g)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if errs == nil {
					errs = map[string]error{}
				}
				errs[c.uri] = err
				return
			}
			all = append(all, s...)
		}(c)
	}
	wg.Wait()
	return all, errs
}

// Host returns what is known of the host behind uri.
func (m *Manager) Host(uri string) (HostInfo, error) {
	c, err := m.conn(uri)
	if err != nil {
		return HostInfo{}, err
	}
	return c.Host(), nil
}
