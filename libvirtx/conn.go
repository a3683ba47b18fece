package libvirtx

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"libvirt.org/go/libvirt"
)

// Reconnect backoff: quick at first (a daemon restart takes a second or two),
// then no more than one attempt every maxBackoff.
const (
	minBackoff = 500 * time.Millisecond
	maxBackoff = 15 * time.Second
)

// Conn is one libvirt connection that keeps itself open: when libvirt reports
// it closed (daemon gone, keepalive timeout) it reconnects with backoff.
type Conn struct {
	uri      string
	readOnly bool
	box      *mailbox
	refresh  chan DomainEvent // domains whose snapshot must be re-read
	stopped  chan struct{}    // closed by stop
	ended    chan struct{}    // closed when run has torn the connection down
	stopOnce sync.Once
	lastErr  string // how the last try to connect failed (run's own)

	mu       sync.Mutex
	c        *libvirt.Connect // nil while down
	host     HostInfo
	noBulk   bool      // the driver's bulk stats lack CPU time: fall back per domain
	demo     *demoLoad // the bundled demo host's synthetic load (SetDemoLoad), else nil
	lost     chan struct{}
	cbIDs    []int
	netCBs   []int
	poolCBs  []int
	installs map[string]bool // UUIDs of running installs, see watchInstall
	listings *firstListings  // the manager's, else nil (see firstListed)
	listed   sync.Once
	users    int        // callers using c (see get)
	idle     *sync.Cond // signalled when users drops
}

func newConn(uri string, readOnly bool, box *mailbox) *Conn {
	c := &Conn{
		uri:      uri,
		readOnly: readOnly,
		box:      box,
		refresh:  make(chan DomainEvent, 4096),
		stopped:  make(chan struct{}),
		ended:    make(chan struct{}),
	}
	c.idle = sync.NewCond(&c.mu)
	return c
}

func (c *Conn) stop() {
	c.stopOnce.Do(func() { close(c.stopped) })
	c.firstListed()
}

// firstListed tells the manager's other connections this one has sent its
// first listing, or will not (it failed to connect, or stopped).
func (c *Conn) firstListed() {
	if c.listings != nil {
		c.listed.Do(c.listings.done)
	}
}

// Host returns the host facts read at connect time.
func (c *Conn) Host() HostInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.host
}

// get returns the live libvirt connection, or an error saying it is down,
// and done, which the caller calls when it no longer uses the connection:
// teardown closes it only once every user is done (libvirt crashes on a
// connection closed under a call in flight).
func (c *Conn) get() (lc *libvirt.Connect, done func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.c == nil {
		return nil, func() {}, fmt.Errorf("%s is not connected", c.uri)
	}
	c.users++
	var once sync.Once
	return c.c, func() {
		once.Do(func() {
			c.mu.Lock()
			c.users--
			c.idle.Broadcast()
			c.mu.Unlock()
		})
	}, nil
}

// run is the connection's life: connect, serve until lost, reconnect.
func (c *Conn) run() {
	defer close(c.ended)
	go c.refresher()
	backoff := minBackoff
	c.box.put(ConnEvent{URI: c.uri, Status: Connecting, ReadOnly: c.readOnly})
	for {
		lost, err := c.open()
		if err != nil {
			c.firstListed()
			c.lastErr = ErrText(err)
			c.box.put(ConnEvent{URI: c.uri, Status: Disconnected, Err: ErrText(err), Retry: backoff, ReadOnly: c.readOnly})
			select {
			case <-c.stopped:
				c.box.put(ConnEvent{URI: c.uri, Status: Closed})
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, maxBackoff)
			continue
		}
		backoff, c.lastErr = minBackoff, ""
		c.box.put(ConnEvent{URI: c.uri, Status: Connected, Host: c.Host(), ReadOnly: c.readOnly})
		c.sendInventory()

		select {
		case <-c.stopped:
			c.teardown()
			c.box.put(ConnEvent{URI: c.uri, Status: Closed})
			return
		case <-lost:
			c.teardown()
			c.box.put(ConnEvent{URI: c.uri, Status: Disconnected, Err: "connection to libvirt lost", Retry: backoff, ReadOnly: c.readOnly})
		}
	}
}

// open connects and registers for events; the returned channel is closed
// when libvirt reports the connection closed.
func (c *Conn) open() (<-chan struct{}, error) {
	lc, err := connect(c.uri, c.readOnly, c.lastErr)
	if err != nil {
		return nil, err
	}
	// Keepalive notices a dead peer (a remote host gone off the network) that
	// would otherwise hang calls; drivers that run in-process refuse it.
	_ = lc.SetKeepAlive(5, 3)

	lost := make(chan struct{})
	var once sync.Once
	if err := lc.RegisterCloseCallback(func(_ *libvirt.Connect, _ libvirt.ConnectCloseReason) {
		once.Do(func() { close(lost) })
	}); err != nil {
		lc.Close()
		return nil, err
	}

	host := HostInfo{}
	if info, err := lc.GetNodeInfo(); err == nil {
		host.CPUs = int(info.Cpus)
		host.MemKiB = info.Memory
	}
	if name, err := lc.GetHostname(); err == nil {
		host.Hostname = name
	}

	c.mu.Lock()
	c.c, c.host, c.lost = lc, host, lost
	c.mu.Unlock()
	c.registerEvents(lc)
	return lost, nil
}

func (c *Conn) teardown() {
	c.mu.Lock()
	lc := c.c
	c.c = nil // no new users
	for c.users > 0 {
		c.idle.Wait()
	}
	ids, nets, pools := c.cbIDs, c.netCBs, c.poolCBs
	c.cbIDs, c.netCBs, c.poolCBs = nil, nil, nil
	c.installs = nil // a stop may be missed while down: see install_restart.go
	c.mu.Unlock()
	if lc == nil {
		return
	}
	// Best effort: on a dead daemon these fail, and closing frees them anyway.
	for _, id := range ids {
		_ = lc.DomainEventDeregister(id)
	}
	for _, id := range nets {
		_ = lc.NetworkEventDeregister(id)
	}
	for _, id := range pools {
		_ = lc.StoragePoolEventDeregister(id)
	}
	_ = lc.UnregisterCloseCallback()
	_, _ = lc.Close()
}

// registerEvents subscribes to domain, network and pool events. Callbacks run
// on libvirt's event loop: they only queue work, never call libvirt.
func (c *Conn) registerEvents(lc *libvirt.Connect) {
	var ids, nets, pools []int
	if id, err := lc.DomainEventLifecycleRegister(nil, func(_ *libvirt.Connect, d *libvirt.Domain, ev *libvirt.DomainEventLifecycle) {
		c.onDomainEvent(d, lifecycleWord(ev))
		if uuid, _ := d.GetUUIDString(); c.installEnded(uuid, ev) {
			name, _ := d.GetName()
			go c.restartAfterInstall(Ref{URI: c.uri, UUID: uuid, Name: name})
		}
	}); err == nil {
		ids = append(ids, id)
	}
	if id, err := lc.DomainEventMetadataChangeRegister(nil, func(_ *libvirt.Connect, d *libvirt.Domain, _ *libvirt.DomainEventMetadataChange) {
		c.onDomainEvent(d, "metadata changed")
	}); err == nil {
		ids = append(ids, id)
	}
	if id, err := lc.DomainEventAgentLifecycleRegister(nil, func(_ *libvirt.Connect, d *libvirt.Domain, ev *libvirt.DomainEventAgentLifecycle) {
		c.onDomainEvent(d, map[bool]string{true: "agent connected", false: "agent disconnected"}[ev.State == libvirt.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED])
	}); err == nil {
		ids = append(ids, id)
	}
	if id, err := lc.DomainEventDeviceAddedRegister(nil, func(_ *libvirt.Connect, d *libvirt.Domain, _ *libvirt.DomainEventDeviceAdded) {
		c.onDomainEvent(d, "device added")
	}); err == nil {
		ids = append(ids, id)
	}
	if id, err := lc.DomainEventDeviceRemovedRegister(nil, func(_ *libvirt.Connect, d *libvirt.Domain, _ *libvirt.DomainEventDeviceRemoved) {
		c.onDomainEvent(d, "device removed")
	}); err == nil {
		ids = append(ids, id)
	}
	if id, err := lc.NetworkEventLifecycleRegister(nil, func(_ *libvirt.Connect, n *libvirt.Network, ev *libvirt.NetworkEventLifecycle) {
		name, _ := n.GetName()
		c.box.put(ObjectEvent{URI: c.uri, Kind: "network", Name: name, What: fmt.Sprint(ev.Event)})
	}); err == nil {
		nets = append(nets, id)
	}
	if id, err := lc.StoragePoolEventLifecycleRegister(nil, func(_ *libvirt.Connect, p *libvirt.StoragePool, ev *libvirt.StoragePoolEventLifecycle) {
		name, _ := p.GetName()
		c.box.put(ObjectEvent{URI: c.uri, Kind: "pool", Name: name, What: fmt.Sprint(ev.Event)})
	}); err == nil {
		pools = append(pools, id)
	}
	c.mu.Lock()
	c.cbIDs, c.netCBs, c.poolCBs = ids, nets, pools
	c.mu.Unlock()
}

// onDomainEvent queues a refresh of the domain. GetName and GetUUIDString read
// the local handle and make no call to the daemon.
func (c *Conn) onDomainEvent(d *libvirt.Domain, what string) {
	name, _ := d.GetName()
	uuid, _ := d.GetUUIDString()
	select {
	case c.refresh <- DomainEvent{Ref: Ref{URI: c.uri, UUID: uuid, Name: name}, What: what}:
	default:
		// A storm of events overflowed the queue: one full inventory re-read
		// is cheaper and loses nothing.
		go c.sendInventory()
	}
}

// refresher re-reads domains named by events, off libvirt's event loop.
func (c *Conn) refresher() {
	for {
		select {
		case <-c.stopped:
			return
		case ev := <-c.refresh:
			if e, ok := c.refreshDomain(ev.Ref, ev.What); ok {
				c.box.put(e)
			}
		}
	}
}

// refreshDomain reads a fresh snapshot of the domain an event named. A domain
// that no longer exists (undefined, or a transient one that stopped) is Gone.
// Other failures mean the connection is going down; its own event follows.
func (c *Conn) refreshDomain(ref Ref, what string) (DomainEvent, bool) {
	snap, err := c.Domain(ref.UUID)
	switch {
	case err == nil:
		return DomainEvent{Ref: snap.Ref, What: what, Domain: snap}, true
	case isNoDomain(err):
		return DomainEvent{Ref: ref, What: what, Gone: true}, true
	}
	return DomainEvent{}, false
}

// sendInventory sends the connection's domains twice: at once what the
// connection-wide calls tell (Partial), then, once the manager's other
// connections have sent theirs too, with the definitions read.
func (c *Conn) sendInventory() {
	lc, done, err := c.get()
	if err != nil {
		c.firstListed()
		return // the close callback or the next tick reports the failure
	}
	defer done()
	b := readBulk(c.uri, lc)
	if doms, ok := b.listing(); ok {
		c.box.put(InventoryEvent{URI: c.uri, Domains: doms, Partial: true, Unsized: !b.sized})
		c.firstListed()
		c.listings.wait(c.stopped)
	}
	defer c.firstListed() // a driver without the bulk calls lists once, here
	if doms, err := inventory(c.uri, lc, b); err == nil {
		c.box.put(InventoryEvent{URI: c.uri, Domains: doms})
	}
}

// ErrText is libvirt's own message for err, without the Go binding's
// "virError(Code=…)" wrapping; other errors are returned as they are.
func ErrText(err error) string {
	var le libvirt.Error
	if errors.As(err, &le) {
		return le.Message
	}
	return err.Error()
}

func isNoDomain(err error) bool {
	var le libvirt.Error
	return errors.As(err, &le) && le.Code == libvirt.ERR_NO_DOMAIN
}

func lifecycleWord(ev *libvirt.DomainEventLifecycle) string {
	switch ev.Event {
	case libvirt.DOMAIN_EVENT_DEFINED:
		return "defined"
	case libvirt.DOMAIN_EVENT_UNDEFINED:
		return "undefined"
	case libvirt.DOMAIN_EVENT_STARTED:
		return "started"
	case libvirt.DOMAIN_EVENT_SUSPENDED:
		return "suspended"
	case libvirt.DOMAIN_EVENT_RESUMED:
		return "resumed"
	case libvirt.DOMAIN_EVENT_STOPPED:
		return "stopped"
	case libvirt.DOMAIN_EVENT_SHUTDOWN:
		return "shutdown"
	case libvirt.DOMAIN_EVENT_PMSUSPENDED:
		return "pmsuspended"
	case libvirt.DOMAIN_EVENT_CRASHED:
		return "crashed"
	}
	return "changed"
}
