// Package common is what the root model and every page share: the Context
// (libvirt manager, theme, terminal size, connections, the VMs, the message
// line), the Page contract, the messages pages send the root, and the
// registry through which a page package plugs in with one Register call.
package common

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"kvmtui/config"
	"kvmtui/libvirtx"
	"kvmtui/perf"
	"kvmtui/termimg"
	"kvmtui/tui/widget"
)

// Conn is what the UI knows of one connection.
type Conn struct {
	URI    string
	Nets   []string // its virtual networks' and storage pools' names, for completion
	Pools  []string
	Label  string // short name: the host, "system", "demo"
	Status libvirtx.ConnStatus
	Err    string
	Retry  time.Duration
	Host   libvirtx.HostInfo
}

// Message is the line above the key hints: the answer to what the user did,
// or a threshold alert.
type Message struct {
	Text  string
	Err   bool
	Alert bool      // a threshold alert, not an answer to the user
	At    time.Time // when it was set
}

// Context is handed to every page. The root owns it and keeps Width,
// Height, Conns and the VM inventory current; pages read them and set the
// message line. Nothing in it calls libvirt: pages do that in tea.Cmds
// through Mgr.
type Context struct {
	Mgr     *libvirtx.Manager
	Config  *config.Config // the configuration file's settings (none: empty)
	Theme   *widget.Theme
	Keys    Keys
	DemoURI string // the bundled demo host's URI, if one is open

	Width, Height int              // the terminal
	Graphics      termimg.Graphics // how it draws pictures
	Conns         map[string]*Conn
	Msg           Message

	vms map[VMID]libvirtx.Domain
	// Selected is the VM list's selection, for commands given no name;
	// Targets the marked VMs, else the selected one; Move moves the
	// selection (the performance view's next/previous VM). The list sets
	// them.
	Selected func() (libvirtx.Domain, bool)
	Targets  func() []libvirtx.Domain
	Move     func(step int)

	Perf     *Perf         // the stats history and thresholds every page draws from
	Interval time.Duration // between two stats sweeps

	// Frozen are the VMs whose file systems kvmtui froze through their
	// guest agent: the title says so on every page until they are thawed,
	// and kvmtui thaws them when it exits.
	Frozen map[VMID]libvirtx.Ref
}

// Perf is the performance state pages share: the configuration, and the
// history of every VM and host fed by the root's sweeps.
type Perf struct {
	Cfg     perf.Config
	CfgPath string
	Tr      *perf.Tracker
	Sparks  *widget.Sparker
}

// NewContext builds the context over a manager whose connections were added.
func NewContext(mgr *libvirtx.Manager, demoURI string) *Context {
	c := &Context{Mgr: mgr, Config: &config.Config{}, Theme: widget.NewTheme(), Keys: NewKeys(), DemoURI: demoURI,
		Conns: map[string]*Conn{}, vms: map[VMID]libvirtx.Domain{}, Frozen: map[VMID]libvirtx.Ref{},
		Selected: func() (libvirtx.Domain, bool) { return libvirtx.Domain{}, false },
		Targets:  func() []libvirtx.Domain { return nil },
		Move:     func(int) {}}
	for _, u := range mgr.URIs() {
		c.Track(u)
	}
	return c
}

// SetFrozen records that kvmtui froze a VM's file systems, or thawed them.
func (c *Context) SetFrozen(ref libvirtx.Ref, frozen bool) {
	if frozen {
		c.Frozen[VMKey(ref.URI, ref.UUID)] = ref
	} else {
		delete(c.Frozen, VMKey(ref.URI, ref.UUID))
	}
}

// IsFrozen tells whether kvmtui froze the VM's file systems.
func (c *Context) IsFrozen(ref libvirtx.Ref) bool {
	_, ok := c.Frozen[VMKey(ref.URI, ref.UUID)]
	return ok
}

// VMKey identifies a VM across connections.
func VMKey(uri, uuid string) VMID { return VMID{uri, uuid} }

// VMID names a VM across connections: a map key that costs no allocation.
type VMID struct{ URI, UUID string }

// BodyHeight is what a page may draw in: the terminal less the title line,
// the message line and the key hints.
func (c *Context) BodyHeight() int { return c.Height - 3 }

// ReadOnly reports whether kvmtui may change nothing.
func (c *Context) ReadOnly() bool { return c.Mgr.ReadOnly() }

// SetMsg puts the answer to what the user did on the message line.
func (c *Context) SetMsg(text string, isErr bool) {
	c.Msg = Message{Text: text, Err: isErr, At: time.Now()}
}

// SetAlert shows a threshold alert, unless the answer to something the user
// just did is on the line: that stays readable for a few seconds.
func (c *Context) SetAlert(text string, isErr bool) {
	if c.Msg.Text != "" && !c.Msg.Alert && time.Since(c.Msg.At) < 5*time.Second {
		return
	}
	c.SetMsg(text, isErr)
	c.Msg.Alert = true
}

// Track starts following a connection (idempotent).
func (c *Context) Track(uri string) *Conn {
	cs := c.Conns[uri]
	if cs == nil {
		cs = &Conn{URI: uri}
		c.Conns[uri] = cs
		c.relabel()
	}
	return cs
}

// Forget drops a connection and its VMs.
func (c *Context) Forget(uri string) {
	delete(c.Conns, uri)
	c.dropVMs(uri)
	c.relabel()
}

// relabel gives every connection its short label, or a longer one where
// two would read the same (two hosts' session and system daemons, the
// test driver's files): the HOST column must tell them apart.
func (c *Context) relabel() {
	seen := map[string]int{}
	for uri, cs := range c.Conns {
		cs.Label = connLabel(uri, uri == c.DemoURI)
		seen[cs.Label]++
	}
	for uri, cs := range c.Conns {
		if seen[cs.Label] > 1 {
			cs.Label = longLabel(uri)
		}
	}
	again := map[string]int{}
	for _, cs := range c.Conns {
		again[cs.Label]++
	}
	for uri, cs := range c.Conns {
		if again[cs.Label] > 1 {
			cs.Label = uri
		}
	}
}

// SortedConns lists the connections in URI order.
func (c *Context) SortedConns() []*Conn {
	out := make([]*Conn, 0, len(c.Conns))
	for _, cs := range c.Conns {
		out = append(out, cs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URI < out[j].URI })
	return out
}

// Connected lists the URIs of the connections that are up, in URI order.
func (c *Context) Connected() []string {
	var out []string
	for _, cs := range c.SortedConns() {
		if cs.Status == libvirtx.Connected {
			out = append(out, cs.URI)
		}
	}
	return out
}

// VMs lists the VMs of one connection ("" for all), by name.
func (c *Context) VMs(uri string) []libvirtx.Domain {
	var out []libvirtx.Domain
	for _, d := range c.vms {
		if uri == "" || d.URI == uri {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].URI < out[j].URI
	})
	return out
}

// NetNames and PoolNames list the networks and pools of every connection,
// for completion.
func (c *Context) NetNames() []string { return c.names(func(cs *Conn) []string { return cs.Nets }) }

// PoolNames: see NetNames.
func (c *Context) PoolNames() []string { return c.names(func(cs *Conn) []string { return cs.Pools }) }

func (c *Context) names(of func(*Conn) []string) []string {
	var out []string
	for _, cs := range c.SortedConns() {
		out = append(out, of(cs)...)
	}
	return out
}

// VMNames lists every VM's name, for completion.
func (c *Context) VMNames() []string {
	var out []string
	for _, d := range c.VMs("") {
		out = append(out, d.Name)
	}
	return out
}

// Resolve turns VM names (or UUIDs, as virsh takes) into VMs; no names means the targets (the marked
// VMs, else the selected one). A name on several connections is ambiguous.
func (c *Context) Resolve(names []string) ([]libvirtx.Domain, error) {
	if len(names) == 0 {
		if ts := c.Targets(); len(ts) > 0 {
			return ts, nil
		}
		return nil, errors.New("no VM selected")
	}
	var out []libvirtx.Domain
	for _, n := range names {
		var found []libvirtx.Domain
		for _, d := range c.vms {
			if d.Name == n || d.UUID == n {
				found = append(found, d)
			}
		}
		switch len(found) {
		case 0:
			return nil, fmt.Errorf("no VM named %q", n)
		case 1:
			out = append(out, found[0])
		default:
			return nil, fmt.Errorf("%q exists on %d connections; mark the one you mean and use no name", n, len(found))
		}
	}
	return out, nil
}

// Apply keeps the connections and the VM inventory current with libvirt's
// events. The root calls it for every batch, before the pages see it.
func (c *Context) Apply(evs []libvirtx.Event) {
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.ConnEvent:
			cs := c.Track(e.URI)
			cs.Status, cs.Err, cs.Retry = e.Status, e.Err, e.Retry
			switch e.Status {
			case libvirtx.Connected:
				cs.Host = e.Host
			case libvirtx.Disconnected:
				c.dropVMs(e.URI)
			case libvirtx.Closed:
				c.Forget(e.URI)
			}
		case libvirtx.InventoryEvent:
			c.dropVMs(e.URI)
			for _, d := range e.Domains {
				c.vms[VMKey(d.URI, d.UUID)] = d
			}
		case libvirtx.DomainEvent:
			k := VMKey(e.URI, e.UUID)
			if e.Gone {
				delete(c.vms, k)
			} else {
				c.vms[k] = e.Domain
			}
		}
	}
}

func (c *Context) dropVMs(uri string) {
	for k, d := range c.vms {
		if d.URI == uri {
			delete(c.vms, k)
		}
	}
}

// connLabel is a connection's short name: the host for remote URIs, else the
// driver's instance ("system", "session"), "demo" for the bundled demo host.
func connLabel(uri string, demo bool) string {
	if demo {
		return "demo"
	}
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	if u.Hostname() != "" {
		return u.Hostname()
	}
	p := strings.Trim(u.Path, "/")
	if u.Scheme == "test" || p == "" || strings.Contains(p, "/") {
		return strings.SplitN(u.Scheme, "+", 2)[0]
	}
	return p
}

// longLabel names a connection by host or driver and instance ("db1/session",
// "qemu/system"), a test-driver file by its name ("host01").
func longLabel(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	p := strings.Trim(u.Path, "/")
	if u.Scheme == "test" && p != "" {
		return strings.TrimSuffix(path.Base(p), path.Ext(p))
	}
	who := u.Hostname()
	if who == "" {
		who = strings.SplitN(u.Scheme, "+", 2)[0]
	}
	if p == "" {
		return who
	}
	return who + "/" + p
}

// Label is a connection's short name, tracked or not.
func (c *Context) Label(uri string) string {
	if cs := c.Conns[uri]; cs != nil {
		return cs.Label
	}
	return connLabel(uri, uri == c.DemoURI)
}

// VM is one VM as the inventory has it now.
func (c *Context) VM(uri, uuid string) (libvirtx.Domain, bool) {
	d, ok := c.vms[VMKey(uri, uuid)]
	return d, ok
}
