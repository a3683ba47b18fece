package libvirtx

import (
	"errors"
	"fmt"
	"time"

	"libvirt.org/go/libvirt"
)

// Probe opens and closes a connection to uri, to learn whether it is
// reachable without a login: it asks nobody for credentials (polkit's
// password prompt on a system daemon that wants one is a "no"). It
// blocks; call it before the UI starts, never from it.
func Probe(uri string, readOnly bool) error {
	lc, err := libvirt.NewConnectWithAuth(uri, nil, connectFlags(readOnly))
	if err != nil {
		return errors.New(ErrText(err))
	}
	_, _ = lc.Close()
	return nil
}

// withOnce opens a connection to uri for one use by f, then closes it.
func withOnce(uri string, readOnly bool, f func(*libvirt.Connect)) error {
	lc, done, err := openOnce(uri, readOnly)
	if err != nil {
		return errors.New(ErrText(err))
	}
	defer done()
	f(lc)
	return nil
}

// openOnce opens a connection of its own to uri (not the manager's); the
// caller closes it with done.
func openOnce(uri string, readOnly bool) (*libvirt.Connect, func(), error) {
	startEventLoop()
	c := newConn(uri, readOnly, newMailbox())
	if _, err := c.open(); err != nil {
		return nil, nil, err
	}
	lc, done, err := c.get()
	if err != nil {
		c.teardown()
		return nil, nil, err
	}
	return lc, func() { done(); c.teardown() }, nil
}

// OpenSync adds every URI and waits until each has delivered its first
// inventory or failed its first attempt: what a one-shot command needs. It
// returns the domains of the connections that came up and the errors of
// those that did not.
func OpenSync(uris []string, readOnly bool, timeout time.Duration) (*Manager, []Domain, map[string]string) {
	m := NewManager(readOnly)
	pending := map[string]bool{}
	errs := map[string]string{}
	for _, u := range uris {
		if err := m.Add(u); err != nil {
			errs[u] = err.Error()
			continue
		}
		pending[u] = true
	}
	var doms []Domain
	deadline := time.After(timeout)
	batches := make(chan []Event)
	go func() {
		for {
			batches <- m.Next()
		}
	}()
	for len(pending) > 0 {
		select {
		case <-deadline:
			for u := range pending {
				errs[u] = fmt.Sprintf("no answer from %s within %v", u, timeout)
			}
			return m, doms, errs
		case b := <-batches:
			for _, e := range b {
				switch e := e.(type) {
				case InventoryEvent:
					if pending[e.URI] && !e.Unsized {
						doms = append(doms, e.Domains...)
						delete(pending, e.URI)
					}
				case ConnEvent:
					if e.Status == Disconnected && pending[e.URI] {
						errs[e.URI] = e.Err
						delete(pending, e.URI)
						_ = m.Remove(e.URI)
					}
				}
			}
		}
	}
	return m, doms, errs
}
