package libvirtx

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// CheckStatus is how one pre-flight item came out.
type CheckStatus int

const (
	CheckPass CheckStatus = iota
	// CheckWarn is what libvirt would only warn about or cannot know
	// either (free memory, an older destination, a path no pool shows):
	// the user may go ahead anyway.
	CheckWarn
	CheckFail // the migration cannot work: it does not start
)

// Mark is the status as the pre-flight lists show it: ✓, ! or ✗.
func (s CheckStatus) Mark() string { return [...]string{"✓", "!", "✗"}[s] }

// Check is one pre-flight item: what was looked at, what was found, and
// what to do when it is not a pass.
type Check struct {
	Name   string
	Status CheckStatus
	Text   string
	Hint   string
}

// Checks is a VM's whole pre-flight.
type Checks []Check

// Blocked tells whether the migration may not start: a failed item, or a
// warning the user has not overridden.
func (cs Checks) Blocked(override bool) bool {
	for _, c := range cs {
		if c.Status == CheckFail || (c.Status == CheckWarn && !override) {
			return true
		}
	}
	return false
}

// Worst is the worst status among the items.
func (cs Checks) Worst() CheckStatus {
	w := CheckPass
	for _, c := range cs {
		w = max(w, c.Status)
	}
	return w
}

// Preflight checks, item by item, whether a VM can move as s says,
// before anything moves. It reads both hosts and changes neither (but
// for refreshing the destination's pools that hold the VM's disk paths).
func (m *Manager) Preflight(ref Ref, s MigrateSpec) Checks {
	var cs Checks
	add := func(name string, st CheckStatus, text, hint string) { cs = append(cs, Check{name, st, text, hint}) }
	if err := CheckDest(s.Dest); err != nil {
		add("destination", CheckFail, err.Error(), "")
		return cs
	}
	if m.readOnly {
		add("access", CheckFail, ErrReadOnly.Error(), "")
		return cs
	}
	lc, d, done, err := m.openDomain(ref, false)
	if err != nil {
		add("VM", CheckFail, err.Error(), "")
		return cs
	}
	defer done()
	dc, ddone, err := m.destConn(s.Dest)
	if err != nil {
		add("destination", CheckFail, s.Dest+" cannot be reached: "+ErrText(err),
			"check the URI, that libvirtd runs there and that this user may connect (virsh -c "+s.Dest+" list)")
		return cs
	}
	defer ddone()
	add("destination", CheckPass, "connected to "+s.Dest, "")

	p := &preflight{lc: lc, dc: dc, d: d, ref: ref, s: s, add: add}
	if !p.read() {
		return cs
	}
	for _, step := range []func(){p.sameHost, p.state, p.nameFree, p.hostdevs, p.cpu, p.machineType, p.networks, p.storage, p.memory, p.versions} {
		step()
	}
	return cs
}

type preflight struct {
	lc, dc   *libvirt.Connect
	d        *libvirt.Domain
	ref      Ref
	s        MigrateSpec
	add      func(name string, st CheckStatus, text, hint string)
	def      libvirtxml.Domain
	active   bool
	st       State
	memKiB   uint64
	destHost string
}

func (p *preflight) read() bool {
	st, _, err := p.d.GetState()
	if err != nil {
		p.add("VM", CheckFail, ErrText(err), "")
		return false
	}
	p.st, p.active = State(st), State(st).Active()
	flags := libvirt.DOMAIN_XML_MIGRATABLE
	if !p.active {
		flags |= libvirt.DOMAIN_XML_INACTIVE
	}
	raw, err := p.d.GetXMLDesc(flags)
	if err == nil {
		err = p.def.Unmarshal(raw)
	}
	if err != nil {
		p.add("VM", CheckFail, "reading its definition: "+ErrText(err), "")
		return false
	}
	if info, err := p.d.GetInfo(); err == nil {
		p.memKiB = info.Memory
	}
	p.destHost = p.s.Dest
	if h, err := p.dc.GetHostname(); err == nil {
		p.destHost = h
	}
	return true
}

// sameHost: libvirt tells hosts apart by their host UUID.
func (p *preflight) sameHost() {
	here, there := hostUUID(p.lc), hostUUID(p.dc)
	if here != "" && here == there {
		p.add("another host", CheckFail, p.s.Dest+" is this same host (host UUID "+here+")", "choose a connection to another host")
		return
	}
	p.add("another host", CheckPass, p.destHost+choose(there != "", ", host UUID "+there, ""), "")
}

func hostUUID(lc *libvirt.Connect) string {
	raw, err := lc.GetCapabilities()
	if err != nil {
		return ""
	}
	var caps libvirtxml.Caps
	if caps.Unmarshal(raw) != nil {
		return ""
	}
	return caps.Host.UUID
}

func (p *preflight) state() {
	switch {
	case p.s.Offline && p.active:
		p.add("state", CheckFail, p.ref.Name+" is "+p.st.String()+": offline migration moves a shut-off VM's definition",
			"migrate it live, or shut it down first")
	case !p.s.Offline && !p.active:
		p.add("state", CheckFail, p.ref.Name+" is shut off: live migration moves a running VM",
			"choose offline (moves the definition), or start it first")
	case p.s.Offline:
		p.add("state", CheckPass, "shut off: its definition moves", "")
	default:
		p.add("state", CheckPass, p.st.String()+": it keeps running while its memory is copied", "")
	}
}

// nameFree: the destination may hold the VM's own definition, shut off
// (it came from there, or a copy was kept), never another VM of its name
// or UUID, nor this one running.
func (p *preflight) nameFree() {
	if od, err := p.dc.LookupDomainByUUIDString(p.ref.UUID); err == nil {
		name, _ := od.GetName()
		active, _ := od.IsActive()
		od.Free()
		switch {
		case name != p.ref.Name:
			p.add("name and UUID", CheckFail, fmt.Sprintf("%s has this VM's UUID as %s", p.destHost, name),
				"a copy under another name: remove or undefine it there first")
		case active:
			p.add("name and UUID", CheckFail, p.ref.Name+" already runs on "+p.destHost, "it runs twice: stop one of them")
		default:
			p.add("name and UUID", CheckPass, p.ref.Name+" is defined on "+p.destHost+" (shut off): the running VM takes its place", "")
		}
		return
	}
	if od, err := p.dc.LookupDomainByName(p.ref.Name); err == nil {
		od.Free()
		p.add("name and UUID", CheckFail, "another VM named "+p.ref.Name+" exists on "+p.destHost, "rename one of them first")
		return
	}
	p.add("name and UUID", CheckPass, "free on "+p.destHost, "")
}

func (p *preflight) hostdevs() {
	if p.def.Devices == nil {
		return
	}
	var held []string
	for _, h := range p.def.Devices.Hostdevs {
		switch {
		case h.SubsysPCI != nil:
			held = append(held, "PCI "+pciName(h.SubsysPCI.Source))
		case h.SubsysUSB != nil:
			held = append(held, "a USB device")
		case h.SubsysSCSI != nil:
			held = append(held, "a SCSI device")
		case h.SubsysMDev != nil:
			held = append(held, "a mediated device")
		default:
			held = append(held, "a host device")
		}
	}
	if len(held) > 0 {
		p.add("host devices", CheckFail, "passes through "+strings.Join(held, ", ")+": a device of this host cannot move with it",
			"detach it first (Hardware), migrate, and attach the other host's device there")
		return
	}
	p.add("host devices", CheckPass, "none passed through", "")
}

func pciName(s *libvirtxml.DomainHostdevSubsysPCISource) string {
	if s == nil || s.Address == nil || s.Address.Bus == nil || s.Address.Slot == nil || s.Address.Function == nil {
		return "device"
	}
	a := s.Address
	dom := uint(0)
	if a.Domain != nil {
		dom = *a.Domain
	}
	return fmt.Sprintf("%04x:%02x:%02x.%x", dom, *a.Bus, *a.Slot, *a.Function)
}

func (p *preflight) cpu() {
	c := p.def.CPU
	switch {
	case c == nil || (c.Mode == "" || c.Mode == "custom") && c.Model == nil:
		p.add("CPU", CheckPass, "the hypervisor's default CPU model", "")
		return
	case c.Mode == "host-passthrough" || c.Mode == "maximum":
		p.add("CPU", CheckWarn, c.Mode+": the guest sees this host's exact CPU and may crash on a different one",
			"migrate only between identical hosts, or switch the CPU to host-model or a named model (Hardware → CPU)")
		return
	case c.Mode == "host-model" && !p.active:
		p.add("CPU", CheckPass, "host-model: worked out anew from the destination's CPU when it starts there", "")
		return
	}
	raw, err := c.Marshal()
	if err != nil {
		p.add("CPU", CheckWarn, "cannot read its CPU: "+err.Error(), "")
		return
	}
	arch, machine := p.osType()
	res, err := p.dc.CompareHypervisorCPU("", arch, machine, p.def.Type, raw, 0)
	name := "its CPU"
	if c.Model != nil {
		name = c.Model.Value
	}
	switch {
	case err != nil:
		p.add("CPU", CheckWarn, p.destHost+" cannot compare "+name+": "+ErrText(err), "")
	case res == libvirt.CPU_COMPARE_INCOMPATIBLE:
		p.add("CPU", CheckFail, name+" (with its features) is not available on "+p.destHost,
			"choose a CPU model both hosts have: an older named model, or host-model and a restart (Hardware → CPU)")
	default:
		p.add("CPU", CheckPass, name+" is available on "+p.destHost, "")
	}
}

// osType is the VM's architecture and machine type.
func (p *preflight) osType() (arch, machine string) {
	if p.def.OS != nil && p.def.OS.Type != nil {
		return p.def.OS.Type.Arch, p.def.OS.Type.Machine
	}
	return "", ""
}

// machineType: the destination's QEMU must offer the machine type under
// the same virt type (a KVM guest cannot land on a host without KVM), at
// the emulator path the definition names (it moves with the VM).
func (p *preflight) machineType() {
	arch, machine := p.osType()
	emulator := ""
	if p.def.Devices != nil {
		emulator = p.def.Devices.Emulator
	}
	what := fmt.Sprintf("%s %s (%s)", arch, machine, p.def.Type)
	if _, err := p.dc.GetDomainCapabilities(emulator, arch, machine, p.def.Type, 0); err != nil {
		hint := "choose a destination whose QEMU has it"
		switch {
		case p.def.Type == "kvm":
			hint = "the destination may lack KVM (/dev/kvm): a KVM guest cannot run there under TCG"
		case emulator != "":
			hint = "is " + emulator + " installed there? If its QEMU lives elsewhere, change the emulator path (Hardware → Overview)"
		}
		p.add("machine type", CheckFail, p.destHost+" cannot run "+what+": "+ErrText(err), hint)
		return
	}
	p.add("machine type", CheckPass, what+choose(emulator != "", " with "+emulator, "")+" is available on "+p.destHost, "")
}

// networks: each NIC's virtual network (defined and, for a live move,
// active) and each bridge or direct device on the destination.
func (p *preflight) networks() {
	if p.def.Devices == nil {
		return
	}
	n := 0
	for _, nic := range p.def.Devices.Interfaces {
		src := nic.Source
		if src == nil {
			continue
		}
		n++
		switch {
		case src.Network != nil:
			name := src.Network.Network
			net, err := p.dc.LookupNetworkByName(name)
			if err != nil {
				p.add("network "+name, CheckFail, "no network "+name+" on "+p.destHost, "define it there (:net), or move the NIC to a network it has")
				continue
			}
			active, _ := net.IsActive()
			net.Free()
			if !active && !p.s.Offline {
				p.add("network "+name, CheckFail, name+" is not started on "+p.destHost, "start it there first")
				continue
			}
			p.add("network "+name, CheckPass, "present on "+p.destHost, "")
		case src.Bridge != nil:
			p.hostIface("bridge "+src.Bridge.Bridge, src.Bridge.Bridge)
		case src.Direct != nil:
			p.hostIface("device "+src.Direct.Dev, src.Direct.Dev)
		default:
			n--
		}
	}
	if n == 0 {
		p.add("networks", CheckPass, "no NIC on a network, bridge or host device", "")
	}
}

func (p *preflight) hostIface(what, name string) {
	ifc, err := p.dc.LookupInterfaceByName(name)
	if err == nil {
		ifc.Free()
		p.add(what, CheckPass, "present on "+p.destHost, "")
		return
	}
	var le libvirt.Error
	if errors.As(err, &le) && le.Code == libvirt.ERR_NO_INTERFACE {
		p.add(what, CheckFail, "no interface "+name+" on "+p.destHost, "create it there, or move the NIC to a network it has")
		return
	}
	p.add(what, CheckWarn, "cannot check "+name+" on "+p.destHost+": "+ErrText(err), "make sure it exists there")
}

// storage: a disk is on shared storage when the destination sees the same
// path (a volume of one of its pools); otherwise it must be copied, into a
// pool of the destination that holds its directory (libvirt makes the
// image there). Read-only disks (CD-ROMs) are never copied.
func (p *preflight) storage() {
	if p.def.Devices == nil {
		return
	}
	n := 0
	for _, disk := range p.def.Devices.Disks {
		path, volPool, volName := diskSource(disk)
		if path == "" && volName == "" {
			continue
		}
		n++
		target := "disk"
		if disk.Target != nil {
			target = disk.Target.Dev
		}
		name := "disk " + target
		if volName != "" {
			p.volumeDisk(name, volPool, volName)
			continue
		}
		readOnly := disk.ReadOnly != nil || disk.Device == "cdrom" || disk.Device == "floppy"
		copied := p.s.CopyStorage != "" && !readOnly && disk.Shareable == nil
		pool := destPool(p.dc, filepath.Dir(path)) // refreshed first: the lookup then sees new images
		if vol, err := p.dc.LookupStorageVolByPath(path); err == nil {
			vol.Free()
			p.add(name, CheckPass, path+choose(copied, " exists on "+p.destHost+": "+p.s.CopyStorage+" copy into it", " is on shared storage"), "")
			continue
		}
		switch {
		case pool != "" && copied:
			p.add(name, CheckPass, path+": copied into pool "+pool+" on "+p.destHost, "")
		case pool != "":
			p.add(name, CheckFail, path+" is not in pool "+pool+" on "+p.destHost,
				choose(readOnly, "copy the image there (read-only disks are never copied)", "choose copy storage, or put the image on storage both hosts share"))
		case copied:
			p.add(name, CheckFail, "no pool on "+p.destHost+" holds "+filepath.Dir(path)+": libvirt makes the copy only inside a pool",
				"define a directory pool at "+filepath.Dir(path)+" there (:pool)")
		default:
			p.add(name, CheckWarn, "no pool on "+p.destHost+" holds "+filepath.Dir(path)+": kvmtui cannot tell whether "+path+" is there",
				"if it is not on storage both hosts share, choose copy storage (with a pool at "+filepath.Dir(path)+" there)")
		}
	}
	if n == 0 {
		p.add("storage", CheckPass, "no disk images", "")
	}
}

func (p *preflight) volumeDisk(name, pool, vol string) {
	pl, err := p.dc.LookupStoragePoolByName(pool)
	if err != nil {
		p.add(name, CheckFail, "no pool "+pool+" on "+p.destHost, "define pool "+pool+" there (:pool)")
		return
	}
	defer pl.Free()
	if v, err := pl.LookupStorageVolByName(vol); err == nil {
		v.Free()
		p.add(name, CheckPass, pool+"/"+vol+" exists on "+p.destHost, "")
		return
	}
	if p.s.CopyStorage != "" {
		p.add(name, CheckPass, pool+"/"+vol+": copied into pool "+pool+" on "+p.destHost, "")
		return
	}
	p.add(name, CheckFail, "no volume "+vol+" in pool "+pool+" on "+p.destHost, "choose copy storage")
}

func diskSource(d libvirtxml.DomainDisk) (path, pool, vol string) {
	s := d.Source
	switch {
	case s == nil:
	case s.File != nil:
		return s.File.File, "", ""
	case s.Block != nil:
		return s.Block.Dev, "", ""
	case s.Volume != nil:
		return "", s.Volume.Pool, s.Volume.Volume
	}
	return "", "", ""
}

// destPool names the destination's active pool whose directory is dir,
// refreshed so that an image put there since shows; "" when none.
func destPool(dc *libvirt.Connect, dir string) string {
	pl := poolAt(dc, dir, libvirt.CONNECT_LIST_STORAGE_POOLS_ACTIVE)
	if pl == nil {
		return ""
	}
	defer pl.Free()
	_ = pl.Refresh(0)
	name, _ := pl.GetName()
	return name
}

// memory: free memory on the destination against the VM's current size
// (libvirt does not check: an overcommitted host may still take it).
func (p *preflight) memory() {
	if p.s.Offline {
		return
	}
	free, err := p.dc.GetFreeMemory()
	need := p.memKiB * 1024
	switch {
	case err != nil:
		p.add("memory", CheckWarn, "cannot read free memory on "+p.destHost+": "+ErrText(err), "")
	case free < need:
		p.add("memory", CheckWarn, fmt.Sprintf("%s has %s free; %s uses %s", p.destHost, sizeText(free), p.ref.Name, sizeText(need)),
			"free memory there, or choose another destination (go ahead only if it swaps or balloons)")
	default:
		p.add("memory", CheckPass, fmt.Sprintf("%s free on %s; %s uses %s", sizeText(free), p.destHost, p.ref.Name, sizeText(need)), "")
	}
}

// versions: an older libvirt or QEMU on the destination may lack what the
// VM's machine type and devices need.
func (p *preflight) versions() {
	srcLib, err1 := p.lc.GetLibVersion()
	dstLib, err2 := p.dc.GetLibVersion()
	srcHV, err3 := p.lc.GetVersion()
	dstHV, err4 := p.dc.GetVersion()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		p.add("versions", CheckWarn, "cannot compare versions: "+ErrText(err), "")
		return
	}
	text := fmt.Sprintf("libvirt %s, QEMU %s there; %s, %s here", versionText(dstLib), versionText(dstHV), versionText(srcLib), versionText(srcHV))
	if dstLib < srcLib || dstHV < srcHV {
		p.add("versions", CheckWarn, text, "an older destination may refuse newer machine types or devices")
		return
	}
	p.add("versions", CheckPass, text, "")
}

// choose is yes when on, else no.
func choose(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}
