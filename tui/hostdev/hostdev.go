// Package hostdev is the host devices page: a host's USB devices and PCI
// functions (SR-IOV virtual functions under their physical function), whether
// each can go to a VM, which VMs have it; detach from / reattach to the host,
// attach to a VM. Everything libvirt is asked runs in a tea.Cmd.
package hostdev

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// Page is the host devices view of one host (:hostdev, H).
type Page struct {
	ctx     *common.Context
	keys    keys
	uri     string
	devs    []libvirtx.HostDevice
	rows    []hdRow
	cursor  int // index into rows, never a header
	offset  int
	loading bool
	err     string
	keep    string // the node device to select after a reload
	pick    *vmPick
	ask     *widget.Confirm
}

// hdRow is a line of the list: a section header or a device.
type hdRow struct {
	header string
	dev    int // index into devs
	vf     bool
}

// vmPick chooses the VM a device is attached to. VMs that cannot take it
// are listed with the reason and cannot be picked.
type vmPick struct {
	dev    libvirtx.HostDevice
	vms    []libvirtx.Domain
	why    []string
	warn   string
	cursor int
}

type hostdevLoadedMsg struct {
	uri  string
	devs []libvirtx.HostDevice
	err  error
}

type hostdevDoneMsg struct {
	text string // what was done
	fail string // what failed, before the error ("" when the error says)
	err  error
}

func loadHostdevs(mgr *libvirtx.Manager, uri string) tea.Cmd {
	return func() tea.Msg {
		devs, err := mgr.HostDevices(uri)
		return hostdevLoadedMsg{uri: uri, devs: devs, err: err}
	}
}

func init() {
	common.Register(common.Entry{
		Words: []string{"hostdev", "nodedev"},
		Usage: "hostdev [URI]",
		Desc:  "host devices: USB, PCI, SR-IOV; detach, attach to a VM",
		Args:  func(ctx *common.Context) []string { return ctx.Mgr.URIs() },
		Open:  Open,
		Help: func(ctx *common.Context) []widget.Section {
			return []widget.Section{{Title: "Host devices (H)", Keys: common.Bind(ctx, "hostdev", newKeys()).help(ctx.ReadOnly())}}
		},
	})
}

// Open opens the view on a host: the URI given, else the selected VM's
// host, else the first connected one.
func Open(ctx *common.Context, args []string) (common.Page, tea.Cmd, error) {
	if len(args) > 1 {
		return nil, nil, errors.New("usage: hostdev [URI] (without a URI: the selected VM's host)")
	}
	uri := strings.Join(args, "")
	if uri == "" {
		if d, ok := ctx.Selected(); ok {
			uri = d.URI
		}
	}
	if uri == "" {
		if up := ctx.Connected(); len(up) > 0 {
			uri = up[0]
		}
	}
	if uri == "" {
		return nil, nil, errors.New("host devices: no connected host (:connect URI)")
	}
	if _, ok := ctx.Conns[uri]; !ok {
		return nil, nil, fmt.Errorf("host devices: not connected to %s (:connect %s)", uri, uri)
	}
	ctx.SetMsg("", false)
	return &Page{ctx: ctx, keys: common.Bind(ctx, "hostdev", newKeys()), uri: uri, loading: true}, loadHostdevs(ctx.Mgr, uri), nil
}

// Title is the page's crumb.
func (hd *Page) Title() string { return "Host devices: " + hd.ctx.Label(hd.uri) }

// Capturing: the VM picker and a question take every key.
func (hd *Page) Capturing() bool { return hd.ask != nil || hd.pick != nil }

// Update handles the page's keys and its own messages.
func (hd *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return hd.handleKey(msg)
	case hostdevLoadedMsg:
		if msg.uri != hd.uri {
			return nil
		}
		hd.loading = false
		if msg.err != nil {
			hd.err = msg.err.Error()
			return nil
		}
		hd.err = ""
		if hd.keep == "" {
			if d := hd.selected(); d != nil {
				hd.keep = d.Name
			}
		}
		hd.devs = msg.devs
		hd.buildRows()
		hd.selectName(hd.keep)
		hd.keep = ""
	case hostdevDoneMsg:
		switch {
		case msg.err != nil && msg.fail != "":
			hd.ctx.SetMsg(msg.fail+": "+msg.err.Error(), true)
		case msg.err != nil:
			hd.ctx.SetMsg(msg.err.Error(), true)
		default:
			hd.ctx.SetMsg(msg.text, false)
		}
		hd.loading = true
		return loadHostdevs(hd.ctx.Mgr, hd.uri)
	}
	return nil
}

// buildRows lays the devices out: USB first, then PCI with each PF's VFs
// right under it (HostDevices sorts them so).
func (hd *Page) buildRows() {
	hd.rows = hd.rows[:0]
	pfs := map[string]bool{}
	for _, d := range hd.devs {
		if len(d.VFs) > 0 {
			pfs[d.Address] = true
		}
	}
	for _, bus := range []string{"usb", "pci"} {
		first := true
		for i, d := range hd.devs {
			if d.Bus != bus {
				continue
			}
			if first {
				hd.rows = append(hd.rows, hdRow{header: bus})
				first = false
			}
			hd.rows = append(hd.rows, hdRow{dev: i, vf: d.PF != "" && pfs[d.PF]})
		}
	}
	hd.cursor = 0
	hd.move(0)
}

func (hd *Page) selected() *libvirtx.HostDevice {
	if hd == nil || hd.cursor < 0 || hd.cursor >= len(hd.rows) || hd.rows[hd.cursor].header != "" {
		return nil
	}
	return &hd.devs[hd.rows[hd.cursor].dev]
}

func (hd *Page) selectName(name string) {
	for i, r := range hd.rows {
		if r.header == "" && hd.devs[r.dev].Name == name {
			hd.cursor = i
			return
		}
	}
}

// move steps the cursor over devices, skipping headers; 0 settles it on a
// device.
func (hd *Page) move(step int) {
	dir := 1
	if step < 0 {
		dir = -1
	}
	i := min(max(hd.cursor+step, 0), len(hd.rows)-1)
	for _, d := range []int{dir, -dir} { // past the end: back the other way
		for j := i; j >= 0 && j < len(hd.rows); j += d {
			if hd.rows[j].header == "" {
				hd.cursor = j
				return
			}
		}
	}
}

func (hd *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := hd.keys
	if hd.ask != nil {
		switch {
		case key.Matches(msg, k.ConfirmYes):
			run := hd.ask.Run
			hd.ask = nil
			return run
		case key.Matches(msg, k.ConfirmNo):
			hd.ask = nil
			hd.ctx.SetMsg("cancelled", false)
		}
		return nil
	}
	if hd.pick != nil {
		return hd.handleVMPick(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		return common.Pop
	case key.Matches(msg, k.Up):
		hd.move(-1)
	case key.Matches(msg, k.Down):
		hd.move(1)
	case key.Matches(msg, k.Top):
		hd.move(-len(hd.rows))
	case key.Matches(msg, k.Bottom):
		hd.move(len(hd.rows))
	case key.Matches(msg, k.NextHost):
		return hd.nextHostdevHost()
	case key.Matches(msg, k.Reload):
		hd.loading = true
		return loadHostdevs(hd.ctx.Mgr, hd.uri)
	case key.Matches(msg, k.Detach, k.Reattach, k.Attach):
		if hd.ctx.ReadOnly() {
			hd.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
			return nil
		}
		d := hd.selected()
		if d == nil || hd.loading {
			hd.ctx.SetMsg("no device selected", true)
			return nil
		}
		switch {
		case key.Matches(msg, k.Detach):
			return hd.beginDetach(*d)
		case key.Matches(msg, k.Reattach):
			return hd.beginReattach(*d)
		default:
			hd.beginAttach(*d)
		}
	}
	return nil
}

// nextHostdevHost shows the next connected host's devices.
func (hd *Page) nextHostdevHost() tea.Cmd {
	uris := hd.ctx.Connected()
	if len(uris) < 2 {
		hd.ctx.SetMsg("only one host is connected", false)
		return nil
	}
	next := uris[0]
	for i, u := range uris {
		if u == hd.uri {
			next = uris[(i+1)%len(uris)]
		}
	}
	*hd = Page{ctx: hd.ctx, keys: hd.keys, uri: next, loading: true}
	return loadHostdevs(hd.ctx.Mgr, next)
}

// devLabel names a device in messages: address and title.
func devLabel(d libvirtx.HostDevice) string {
	return d.Address + " (" + d.Title() + ")"
}

func usersText(us []libvirtx.DeviceUser) string {
	var parts []string
	for _, u := range us {
		s := u.Name
		if u.Running {
			s += " (running)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// beginDetach refuses what cannot or need not be detached, in words, before
// anything reaches libvirt, and asks before taking a device from the host.
func (hd *Page) beginDetach(d libvirtx.HostDevice) tea.Cmd {
	switch {
	case d.Bus != "pci":
		hd.ctx.SetMsg("only PCI devices are detached from the host: libvirt hands a USB device to the VM when the VM starts", true)
		return nil
	case d.Bridge:
		hd.ctx.SetMsg(d.Address+" is a bridge: detaching it would cut the host off the devices behind it", true)
		return nil
	case d.Driver == "vfio-pci":
		hd.ctx.SetMsg(d.Address+" is already detached (on vfio-pci); r gives it back to the host", true)
		return nil
	case len(d.RunningUsers()) > 0:
		hd.ctx.SetMsg(d.Address+" is in use by "+strings.Join(d.RunningUsers(), ", ")+" (running): it is already away from the host", true)
		return nil
	}
	driver := "no host driver has it now"
	if d.Driver != "" {
		driver = "its driver " + d.Driver + " lets go of it"
	}
	lines := []string{
		"Detach " + devLabel(d) + " from the host?",
		"",
		"The host loses " + d.Address + " until it is reattached (r): " + driver + " and vfio-pci takes it.",
	}
	if len(d.UsedBy) > 0 {
		lines = append(lines, "VMs using it: "+usersText(d.UsedBy)+"; they can start with it once it is detached.")
	} else {
		lines = append(lines, "No VM uses it yet: attach it to one with a.")
	}
	if len(d.VFs) > 0 {
		lines = append(lines, fmt.Sprintf("It is an SR-IOV physical function: its %d virtual functions go away with it.", len(d.VFs)))
	}
	if !d.Safe {
		lines = append(lines, "Not safe to pass yet: "+d.Why+".")
	}
	uri, name, addr := hd.uri, d.Name, d.Address
	mgr := hd.ctx.Mgr
	hd.ask = &widget.Confirm{Prompt: strings.Join(lines, "\n"), Run: func() tea.Msg {
		err := mgr.DetachHostDevice(uri, name)
		return hostdevDoneMsg{text: "detached " + addr + " from the host (now on vfio-pci)", err: err}
	}}
	return nil
}

func (hd *Page) beginReattach(d libvirtx.HostDevice) tea.Cmd {
	switch {
	case d.Bus != "pci":
		hd.ctx.SetMsg("only PCI devices are reattached to the host: a USB device goes back by itself when its VM stops", true)
		return nil
	case d.Bridge:
		hd.ctx.SetMsg(d.Address+" is a bridge: it never leaves the host", true)
		return nil
	case !d.OnVFIO():
		hd.ctx.SetMsg(d.Address+" is not detached: the host's "+d.Driver+" driver has it", true)
		return nil
	case len(d.RunningUsers()) > 0:
		hd.ctx.SetMsg(strings.Join(d.RunningUsers(), ", ")+" is running with "+d.Address+": shut it down, or detach the device from it, first", true)
		return nil
	}
	uri, name, addr, mgr := hd.uri, d.Name, d.Address, hd.ctx.Mgr
	hd.ctx.SetMsg("reattaching "+addr+" to the host…", false)
	return func() tea.Msg {
		err := mgr.ReattachHostDevice(uri, name)
		return hostdevDoneMsg{text: "reattached " + addr + " to the host", err: err}
	}
}

// beginAttach opens the VM picker for d.
func (hd *Page) beginAttach(d libvirtx.HostDevice) {
	if d.Bridge {
		hd.ctx.SetMsg(d.Address+" is a bridge: it stays with the host (pass the devices behind it)", true)
		return
	}
	p := &vmPick{dev: d}
	p.vms = hd.ctx.VMs(hd.uri)
	if len(p.vms) == 0 {
		hd.ctx.SetMsg("no VM on this host to attach "+d.Address+" to", true)
		return
	}
	sort.Slice(p.vms, func(i, j int) bool { return p.vms[i].Name < p.vms[j].Name })
	running := d.RunningUsers()
	for _, vm := range p.vms {
		why := ""
		for _, u := range d.UsedBy {
			if u.UUID == vm.UUID {
				why = "already has it"
			}
		}
		if why == "" && vm.State.Active() && len(running) > 0 {
			why = strings.Join(running, ", ") + " is running with it"
		}
		p.why = append(p.why, why)
	}
	if d.Bus == "pci" && !d.Safe {
		p.warn = "not safe to pass yet: " + d.Why
	}
	hd.pick = p
	hd.ctx.SetMsg("", false)
}

func (hd *Page) handleVMPick(msg tea.KeyMsg) tea.Cmd {
	k := hd.keys
	p := hd.pick
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, len(p.vms)-1)
	case key.Matches(msg, k.PickCancel):
		hd.pick = nil
	case key.Matches(msg, k.PickAttach):
		vm := p.vms[p.cursor]
		if p.why[p.cursor] != "" {
			hd.ctx.SetMsg(vm.Name+": "+p.why[p.cursor], true)
			return nil
		}
		return hd.attachTo(p.dev, vm)
	}
	return nil
}

// hostdevKindID is the device catalog's kind for a host device.
func hostdevKindID(d libvirtx.HostDevice) string {
	if d.Bus == "usb" {
		return "usb-host"
	}
	return "pci-host"
}

// buildHostdev makes the <hostdev> for d with the device catalog: a USB
// device by its IDs (and its bus:device too when the host has another with
// the same IDs), a PCI function by its address, managed so libvirt detaches
// it when the VM starts. def, when known, lets the catalog refuse a device
// the VM already has.
func buildHostdev(d libvirtx.HostDevice, twins bool, def *libvirtxml.Domain) (*devices.Device, error) {
	kind := devices.KindByID(hostdevKindID(d))
	if kind == nil {
		return nil, fmt.Errorf("the device catalog has no %s kind", hostdevKindID(d))
	}
	dev, err := kind.New(nil, def)
	if err != nil {
		return nil, err
	}
	if d.Bus == "usb" {
		if err := dev.Set("usb_id", d.IDs()); err != nil {
			return nil, err
		}
		if twins {
			if err := dev.Set("usb_address", d.Address); err != nil {
				return nil, err
			}
		}
	} else if err := dev.Set("address", d.Address); err != nil {
		return nil, err
	}
	return dev, dev.Check()
}

// usbTwins reports whether another USB device on the host has d's IDs.
func (hd *Page) usbTwins(d libvirtx.HostDevice) bool {
	for _, o := range hd.devs {
		if o.Bus == "usb" && o.Name != d.Name && o.IDs() == d.IDs() {
			return true
		}
	}
	return false
}

// attachTo builds the device and attaches it: live too when the VM runs and
// the kind can be hot-plugged. A PCI device attached to a running VM leaves
// the host at once, so that asks first.
func (hd *Page) attachTo(d libvirtx.HostDevice, vm libvirtx.Domain) tea.Cmd {
	twins := hd.usbTwins(d)
	dev, err := buildHostdev(d, twins, nil)
	if err != nil {
		hd.ctx.SetMsg(err.Error(), true)
		return nil
	}
	xml, err := dev.XML()
	if err != nil {
		hd.ctx.SetMsg(err.Error(), true)
		return nil
	}
	live := vm.State.Active() && dev.Hotplug() == ""
	hd.pick = nil
	mgr, ref := hd.ctx.Mgr, vm.Ref
	what := d.Address + " to " + vm.Name
	run := func() tea.Msg {
		a, err := mgr.ModifyDevice(ref, libvirtx.Attach, xml, live)
		if errors.Is(err, libvirtx.ErrUnsupported) && !live {
			// A driver without device calls (libvirt's test driver): the
			// definition, behind the fidelity guard.
			a, err = mgr.Redefine(ref, func(def *libvirtxml.Domain) error {
				dev, err := buildHostdev(d, twins, def)
				if err != nil {
					return err
				}
				return dev.AddTo(def)
			})
		}
		if err != nil {
			return hostdevDoneMsg{fail: "attach " + what, err: err}
		}
		return hostdevDoneMsg{text: "attached " + what + ": " + a.String()}
	}
	if live && d.Bus == "pci" && !d.OnVFIO() {
		hd.ask = &widget.Confirm{Prompt: strings.Join([]string{
			"Attach " + devLabel(d) + " to " + vm.Name + " now?",
			"",
			vm.Name + " is running: the host loses " + d.Address + " at once (its " + d.Driver + " driver lets go)",
			"and gets it back when the device is detached from the VM or the VM stops.",
		}, "\n"), Run: run}
		return nil
	}
	hd.ctx.SetMsg("attaching "+what+"…", false)
	return run
}
