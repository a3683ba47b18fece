package libvirtx

import (
	"sync"
	"time"
)

// Event is what libvirtx tells the UI: connection changes, inventories and
// per-domain updates. They arrive in batches through Manager.Next.
type Event interface{ event() }

// ConnEvent reports a connection's status change.
type ConnEvent struct {
	URI      string
	Status   ConnStatus
	Err      string        // libvirt's text for the last failure, if any
	Retry    time.Duration // when Disconnected: the wait before the next try
	Host     HostInfo
	ReadOnly bool
}

// InventoryEvent replaces everything known about one connection's domains.
type InventoryEvent struct {
	URI     string
	Domains []Domain
	// Partial: the first, quick listing of a connection (a few calls
	// whatever the number of domains): everything but titles, OS and IP
	// addresses, which the complete one that follows adds.
	Partial bool
	// Unsized: a Partial listing without vCPUs and memory (0), where the
	// driver's stats lack them (the test driver).
	Unsized bool
}

// DomainEvent updates one domain. Gone is set when it was undefined (or a
// transient domain stopped); otherwise Domain is its fresh snapshot.
type DomainEvent struct {
	Ref
	What   string // libvirt's event, e.g. "started", "suspended", "undefined"
	Notice string // a sentence for the user, for the few events worth one
	Failed bool   // the notice reports a failure
	Gone   bool
	Domain Domain
}

// ObjectEvent reports a network or storage pool lifecycle event.
type ObjectEvent struct {
	URI  string
	Kind string // "network" or "pool"
	Name string
	What string
}

func (ConnEvent) event()      {}
func (InventoryEvent) event() {}
func (DomainEvent) event()    {}
func (ObjectEvent) event()    {}

// mailbox is an unbounded queue: libvirt's event loop must never block on a
// slow UI, and the UI takes everything that piled up in one batch.
type mailbox struct {
	mu    sync.Mutex
	q     []Event
	ready chan struct{}
}

func newMailbox() *mailbox { return &mailbox{ready: make(chan struct{}, 1)} }

func (m *mailbox) put(e Event) {
	m.mu.Lock()
	m.q = append(m.q, e)
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// next blocks until at least one event is queued and returns all of them.
func (m *mailbox) next() []Event {
	for {
		m.mu.Lock()
		if len(m.q) > 0 {
			q := m.q
			m.q = nil
			m.mu.Unlock()
			return q
		}
		m.mu.Unlock()
		<-m.ready
	}
}
