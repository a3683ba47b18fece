// Package details is virt-manager's details window as a page: the hardware
// tree of one VM on the left, the selected node's form on the right; every
// device kind of the catalog can be added, edited and removed, the VM-level
// settings edited by section. Edits go to libvirt the way libvirt intends
// (live where it can, else the persistent definition behind the fidelity
// guard).
package details

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/widget"
)

// nodeKind is what a hardware tree node stands for.
type nodeKind int

const (
	nodeOverview nodeKind = iota
	nodeXML
	nodeGroup
	nodeDevice
	nodeSection // a section of the domain-level settings
)

type treeNode struct {
	kind    nodeKind
	label   string
	section string // settings section ID for nodeOverview and nodeSection
	item    int    // index into details.items for nodeDevice
	pending bool   // the next boot differs from what runs now
}

// Page is the details of one VM.
type Page struct {
	ctx       *common.Context
	keys      keys
	gen       int             // the newest load, see reload
	volIn     textinput.Model // the size of a volume to create for a new disk
	dom       libvirtx.Domain
	liveXML   string
	def       *libvirtxml.Domain // the persistent definition: what forms edit
	liveDef   *libvirtxml.Domain
	caps      *devices.Caps
	capsNote  string // why no capabilities are known, if so
	choices   libvirtx.HostChoices
	items     []devices.Item
	nodes     []treeNode
	cursor    int
	inForm    bool
	form      *form.Form
	adding    *devices.Device // a new device being set up (add hardware)
	picker    *kindPicker
	scroll    int  // XML view offset
	showXML   bool // the device pane shows the device's XML, not its form
	needVol   *needVolumeMsg
	leave     string // a question before leaving with unapplied changes
	leaveFn   func() tea.Cmd
	confirm   *widget.Confirm
	loading   bool
	stale     bool                // the VM changed while the user was busy: reload when idle
	focusKind string              // a device of this kind was just added: the next tree selects it
	focusAt   *deviceRef          // the first tree selects this device
	reloading bool                // a load is under way
	agent     *libvirtx.AgentInfo // what the guest agent said at the last load, when connected
	agentErr  string
	shot      image.Image // the screen's picture for the Overview (thumb.go)
	thumb     thumb       // shot as last drawn
	shotAt    time.Time   // when it was asked for
	shooting  bool        // a screenshot is under way
}

// agentMsg is the guest agent's answer for the Overview.
type agentMsg struct {
	gen  int
	info libvirtx.AgentInfo
	err  error
}

// idle is true when the user is on the tree with nothing open or unapplied
// and no load is under way: a reload (which rebuilds the tree and forms)
// cannot pull anything from under them.
func (d *Page) idle() bool {
	return !d.loading && !d.reloading && d.onTree()
}

// onTree is true when the user is on the tree with nothing open or
// unapplied: the form beside it may be replaced.
func (d *Page) onTree() bool {
	return !d.inForm && (d.form == nil || !d.form.Dirty()) &&
		d.picker == nil && d.adding == nil && d.leave == "" && d.confirm == nil && d.needVol == nil
}

type detailsLoadedMsg struct {
	ref            libvirtx.Ref
	gen            int // see reloadDetails
	live, inactive string
	caps           string
	choices        libvirtx.HostChoices
	err, capsErr   error
}

type detailsAppliedMsg struct {
	what    string
	applied libvirtx.Applied
	err     error
	volume  bool   // a removed disk left a volume nobody else uses
	path    string // that volume
}

// loads numbers the loads of every details page, so a new page never takes
// an old one's load: one that finishes after a newer one started is
// dropped, never shown.
var loads int

// reload reads the VM's definitions again.
func (d *Page) reload() tea.Cmd {
	loads++
	d.gen = loads
	d.reloading = true
	return loadDetails(d.ctx.Mgr, d.dom.Ref, d.gen)
}

// loadDetails reads both definitions and the domain capabilities that
// bound the forms' choices.
func loadDetails(mgr *libvirtx.Manager, ref libvirtx.Ref, gen int) tea.Cmd {
	return func() tea.Msg {
		msg := detailsLoadedMsg{ref: ref, gen: gen}
		// With secrets (display passwords) where the connection may read
		// them: a form built without one would write the device back
		// without it. The XML views hide them again.
		secure := !mgr.ReadOnly()
		if msg.live, msg.err = mgr.DomainXML(ref, false, secure); msg.err != nil {
			return msg
		}
		if msg.inactive, msg.err = mgr.DomainXML(ref, true, secure); msg.err != nil {
			return msg
		}
		def := &libvirtxml.Domain{}
		if err := def.Unmarshal(msg.inactive); err != nil {
			msg.err = err
			return msg
		}
		var emulator, arch, machine string
		if def.Devices != nil {
			emulator = def.Devices.Emulator
		}
		if def.OS != nil && def.OS.Type != nil {
			arch, machine = def.OS.Type.Arch, def.OS.Type.Machine
		}
		msg.caps, msg.capsErr = mgr.DomainCapabilities(ref.URI, emulator, arch, machine, def.Type)
		msg.choices, _ = mgr.HostChoices(ref.URI) // forms work without suggestions
		return msg
	}
}

func init() {
	common.Register(common.Entry{
		Words: []string{"details"},
		Usage: "details [VM]",
		Desc:  "a VM's hardware and settings (enter in the list)",
		Args:  (*common.Context).VMNames,
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Details (enter)", Keys: common.Bind(ctx, "details", newKeys()).all()}}
		},
	})
}

// Open opens the details of the named VM, else of the selected one.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	var dom libvirtx.Domain
	switch len(args) {
	case 0:
		d, ok := ctx.Selected()
		if !ok {
			return nil, nil, errors.New("no VM selected")
		}
		dom = d
	case 1:
		doms, err := ctx.Resolve(args)
		if err != nil {
			return nil, nil, fmt.Errorf("details: %v", err)
		}
		dom = doms[0]
	default:
		return nil, nil, errors.New("usage: details [VM]")
	}
	p, cmd := New(ctx, dom)
	return p, cmd, nil
}

// New opens the details of dom, and the command that loads them.
func New(ctx *common.Context, dom libvirtx.Domain) (common.Page, tea.Cmd) {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic)
	d := &Page{ctx: ctx, keys: common.Bind(ctx, "details", newKeys()), volIn: in, dom: dom, loading: true}
	ctx.SetMsg("", false)
	return d, d.reload()
}

// NewAt opens the details of dom with the cursor on one of its devices:
// the kind's index-th (a NIC whose port forwards were picked elsewhere).
func NewAt(ctx *common.Context, dom libvirtx.Domain, kindID string, index int) (common.Page, tea.Cmd) {
	p, cmd := New(ctx, dom)
	p.(*Page).focusAt = &deviceRef{kindID, index}
	return p, cmd
}

// deviceRef names a device of a definition: its kind's ID and its index
// among that kind's devices.
type deviceRef struct {
	kind  string
	index int
}

// Title is the page's crumb: the VM, and the node when a form is open.
func (d *Page) Title() string {
	t := d.dom.Name
	if d.inForm && d.cursor < len(d.nodes) {
		t += " › " + d.nodes[d.cursor].label
	}
	return t
}

// Update takes the page's keys, its loads and applies, and the events that
// make what it shows stale.
func (d *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		// A key may end what held a stale view back (a form, a question).
		return tea.Batch(d.key(msg), d.reloadIfStale())
	case detailsLoadedMsg:
		d.loaded(msg)
		if !d.hasScreen() {
			d.shot = nil
		}
		return tea.Batch(d.askAgent(msg.gen), d.shoot(), d.reloadIfStale())
	case thumbMsg:
		d.thumbTaken(msg)
	case common.SweepMsg:
		return d.shootIfOld()
	case agentMsg:
		if msg.gen == d.gen {
			d.agent, d.agentErr = &msg.info, ""
			if msg.err != nil {
				d.agent, d.agentErr = nil, msg.err.Error()
			}
		}
	case detailsAppliedMsg:
		return d.applied(msg)
	case needVolumeMsg:
		d.needVol = &msg
		d.volIn.Prompt = msg.path + " does not exist; create a qcow2 volume of size: "
		d.volIn.SetValue("20 GiB")
		d.volIn.CursorEnd()
		d.volIn.Focus()
		d.ctx.SetMsg("", false)
	case common.DefinedMsg:
		if msg.URI == d.dom.URI && msg.ID == d.dom.UUID {
			return d.reload()
		}
	case common.EventsMsg:
		return d.events(msg)
	}
	return nil
}

// events marks the view stale when someone else changed the VM, or it
// started or stopped, so it never shows an old definition: it is reloaded
// now if the user is idle on its tree, else once they are. A listing of
// the VM's host brings what the quick first one lacked (the page may have
// been opened from it): its title, OS, addresses and guest agent.
func (d *Page) events(evs common.EventsMsg) tea.Cmd {
	var ask tea.Cmd
	for _, e := range evs {
		switch e := e.(type) {
		case libvirtx.DomainEvent:
			if e.URI != d.dom.URI || e.UUID != d.dom.UUID {
				continue
			}
			if e.Gone {
				d.ctx.SetMsg(e.Name+" is gone ("+e.What+"): esc to go back", true)
			} else {
				d.stale = true
			}
		case libvirtx.InventoryEvent:
			if dom, ok := d.ctx.VM(d.dom.URI, d.dom.UUID); ok && e.URI == d.dom.URI {
				agent := d.dom.Agent
				d.dom = dom
				if dom.Agent != agent {
					ask = d.askAgent(d.gen)
				}
			}
		}
	}
	return tea.Batch(ask, d.reloadIfStale())
}

// askAgent asks a connected guest agent what the Overview shows; each load
// asks again (agent lifecycle events, a start or a stop reload the page).
func (d *Page) askAgent(gen int) tea.Cmd {
	if gen != d.gen || d.dom.Agent != libvirtx.AgentConnected {
		d.agent, d.agentErr = nil, ""
		return nil
	}
	mgr, ref := d.ctx.Mgr, d.dom.Ref
	return func() tea.Msg {
		info, err := mgr.AgentInfo(ref)
		return agentMsg{gen: gen, info: info, err: err}
	}
}

// reloadIfStale reloads when the VM changed and the user is on its tree
// with nothing open.
func (d *Page) reloadIfStale() tea.Cmd {
	if d.stale && d.idle() {
		d.stale = false
		return d.reload()
	}
	return nil
}

// Capturing: a question, the kind picker, a form being edited and the
// volume size take every key.
func (d *Page) Capturing() bool {
	return d.confirm != nil || d.leave != "" || d.picker != nil || d.inForm || d.needVol != nil
}

func (d *Page) loaded(msg detailsLoadedMsg) {
	if msg.ref.UUID != d.dom.UUID || msg.gen != d.gen {
		return
	}
	d.loading, d.reloading = false, false
	if msg.err != nil {
		d.ctx.SetMsg(fmt.Sprintf("details of %s: %v", d.dom.Name, msg.err), true)
		return
	}
	def, live := &libvirtxml.Domain{}, &libvirtxml.Domain{}
	if err := def.Unmarshal(msg.inactive); err != nil {
		d.ctx.SetMsg("details: "+err.Error(), true)
		return
	}
	if err := live.Unmarshal(msg.live); err != nil {
		d.ctx.SetMsg("details: "+err.Error(), true)
		return
	}
	d.def, d.liveDef, d.liveXML, d.choices = def, live, msg.live, msg.choices
	d.caps, d.capsNote = nil, ""
	if msg.capsErr != nil {
		d.capsNote = "host capabilities unknown: every value libvirt knows is offered"
	} else if c, err := devices.ParseCaps(msg.caps); err == nil {
		d.caps = c
	} else {
		d.capsNote = "host capabilities unreadable: " + err.Error()
	}
	if dom, ok := d.ctx.VM(d.dom.URI, d.dom.UUID); ok {
		d.dom = dom
	}
	d.buildTree()
	// A load may finish after the user opened something (the picker, a
	// form): what they are doing stays.
	if d.onTree() {
		d.resetForm()
	}
}

// buildTree lists Overview, the devices grouped by kind, and the XML,
// keeping the cursor on the same node where it can.
func (d *Page) buildTree() {
	var at string
	if d.cursor < len(d.nodes) {
		at = d.nodes[d.cursor].label
	}
	d.items = devices.List(d.def)
	live := map[string]string{} // kind/index -> the running VM's copy
	for _, it := range devices.List(d.liveDef) {
		if x, err := it.XML(); err == nil {
			live[fmt.Sprintf("%s/%d", it.Kind.ID, it.Index)] = x
		}
	}
	d.nodes = []treeNode{{kind: nodeOverview, label: "Overview"}}
	for _, sec := range devices.Sections() {
		if sec.ID != "overview" {
			d.nodes = append(d.nodes, treeNode{kind: nodeSection, label: sec.Title, section: sec.ID})
		}
	}
	var group *devices.Kind
	for i, it := range d.items {
		if it.Kind != group {
			group = it.Kind
			d.nodes = append(d.nodes, treeNode{kind: nodeGroup, label: it.Kind.Title})
		}
		n := treeNode{kind: nodeDevice, item: i, label: it.Summary}
		if x, err := it.XML(); err == nil && d.dom.State.Active() {
			n.pending = nextBootDiffers(live[fmt.Sprintf("%s/%d", it.Kind.ID, it.Index)], x)
		}
		d.nodes = append(d.nodes, n)
	}
	d.nodes = append(d.nodes, treeNode{kind: nodeXML, label: "XML"})
	d.cursor = 0
	for i, n := range d.nodes {
		added := d.focusKind != "" && n.kind == nodeDevice && d.items[n.item].Kind.ID == d.focusKind
		if n.label == at && d.focusKind == "" || added {
			d.cursor = i // the last device of the kind added is the new one
		}
		if f := d.focusAt; f != nil && n.kind == nodeDevice && d.items[n.item].Kind.ID == f.kind && d.items[n.item].Index == f.index {
			d.cursor = i
			break
		}
	}
	d.focusKind, d.focusAt = "", nil
}

// resetForm opens the form of the node under the cursor.
func (d *Page) resetForm() {
	d.form, d.adding, d.scroll = nil, nil, 0
	if d.cursor >= len(d.nodes) {
		return
	}
	switch n := d.nodes[d.cursor]; n.kind {
	case nodeOverview, nodeSection:
		id := n.section
		if n.kind == nodeOverview {
			id = "overview"
		}
		sf, err := d.newSectionForm(id)
		if err != nil {
			d.ctx.SetMsg(err.Error(), true)
			return
		}
		d.form = form.New(sf, nil)
	case nodeDevice:
		dev, err := d.items[n.item].Device(d.caps)
		if err != nil {
			d.ctx.SetMsg(err.Error(), true)
			return
		}
		d.form = d.deviceForm(dev)
	}
}

// deviceForm is the form of one device, with the host's objects offered
// and, for a NIC, a MAC another VM of the host has refused as it is typed
// (from the inventory: no libvirt call; the apply checks libvirt again).
func (d *Page) deviceForm(dev *devices.Device) *form.Form {
	f := form.New(dev, d.suggestions())
	if dev.Kind.ID == "nic" {
		f.Check = func(name, v string) error {
			if name != "mac" || v == "" {
				return nil
			}
			for _, o := range d.ctx.VMs(d.dom.URI) {
				if o.UUID != d.dom.UUID && slices.Contains(o.MACs, strings.ToLower(v)) {
					return fmt.Errorf("%s is already used by %s: pick another", v, o.Name)
				}
			}
			return nil
		}
	}
	return f
}

// suggestions are the host's objects offered for the fields that name them.
func (d *Page) suggestions() map[string][]string {
	c := d.choices
	var vols []string
	for _, p := range c.Pools {
		vols = append(vols, c.Volumes[p]...)
	}
	return map[string][]string{
		"network": c.Networks, "bridge": c.Bridges, "dev": c.Interfaces,
		"pool": c.Pools, "volume": vols, "path": c.VolumePaths,
	}
}

// nextBootDiffers tells whether a device's definition differs from its
// running copy in anything but what libvirt adds to a running device (alias,
// addresses, the port or pty it got, the host-side name of a NIC).
func nextBootDiffers(live, config string) bool {
	if live == "" {
		return true
	}
	diffs, err := devices.DiffDocs(live, config)
	if err != nil {
		return false
	}
	for _, d := range diffs {
		if d.Kind == devices.ElementDropped || d.Kind == devices.AttrDropped {
			continue // only the running copy has it: libvirt filled it in
		}
		runtime := false
		for _, p := range []string{"/alias", "/address", "@port", "@tlsPort", "@autoport", "/source/@path", "/target/@dev", "/listen", "/model/@name"} {
			runtime = runtime || strings.Contains(d.Path, p)
		}
		if !runtime {
			return true
		}
	}
	return false
}
