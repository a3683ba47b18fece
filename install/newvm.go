package install

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	lx "libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// Install methods of a new VM, as virt-install names them.
const (
	MethodISO     = "iso"     // --cdrom: an installer ISO (a volume or a host path)
	MethodNetwork = "network" // --location: an http/https/ftp install tree
	MethodImport  = "import"  // --import: boot an existing disk image
	MethodPXE     = "pxe"     // --pxe: boot from the network
	MethodManual  = "manual"  // no media: define it, install later
	MethodCloud   = "cloud"   // a cloud image with a cloud-init NoCloud seed
	MethodOVA     = "ova"     // a virtual appliance (.ova, .ovf): its disks converted into a pool
)

// Methods lists the install methods in the wizard's order.
var Methods = []string{MethodISO, MethodNetwork, MethodImport, MethodOVA, MethodPXE, MethodManual, MethodCloud}

// MethodTitle is the wizard's name for a method.
func MethodTitle(m string) string {
	return map[string]string{
		MethodISO: "Local install media (ISO)", MethodNetwork: "Network install (http, https, ftp tree)",
		MethodImport: "Import an existing disk image", MethodPXE: "Network boot (PXE)",
		MethodManual: "Manual install (no media)", MethodCloud: "Cloud image with cloud-init",
		MethodOVA: "Import a virtual appliance (OVA/OVF)",
	}[m]
}

// Storage modes.
const (
	StorageNew      = "new"      // a new volume in a pool
	StorageExisting = "existing" // a volume or host path that is there
	StorageNone     = "none"
)

// Network modes.
const (
	NetNetwork = "network" // a libvirt virtual network
	NetBridge  = "bridge"  // a host bridge
	NetMacvtap = "macvtap" // macvtap on a host NIC
	NetUser    = "user"    // user-mode networking: no privileges needed (a session daemon's)
	NetNone    = "none"
)

// NewVM is every choice of the new-VM wizard and of `kvmtui create`.
// Defaults fills what is left empty the way virt-install would; Build
// turns it into the definitions and the volumes to create.
type NewVM struct {
	Name     string
	OS       *OSInfo // nil: Generic
	Arch     string  // x86_64
	VirtType string  // kvm or qemu
	Method   string

	// Media: the ISO (MethodISO), the disk image (MethodImport) or the
	// cloud image (MethodCloud): a pool volume's path or a host path.
	Media       string
	MediaFormat string // the image's format: qcow2, raw (import, cloud)
	Location    string // MethodNetwork: the tree's URL
	ExtraArgs   string // MethodNetwork: kernel arguments for the installer
	// Tree is what the tree's .treeinfo said (MethodNetwork), read by
	// the caller before Build.
	Tree TreeInfo

	// Direct kernel boot, with any method: the VM keeps booting this
	// kernel (virt-install --boot kernel=,initrd=,kernel_args=).
	Kernel, Initrd, Cmdline string

	MemoryMiB uint64
	VCPUs     uint

	Storage     string // StorageNew, StorageExisting, StorageNone
	Pool        string // StorageNew (and where seeds and kernels go)
	DiskSize    uint64 // bytes, StorageNew
	DiskFormat  string // qcow2 or raw, StorageNew; for StorageExisting the volume's format
	Preallocate bool   // StorageNew: allocate it all now (default: sparse, allocated on write)
	DiskPath    string // StorageExisting

	Net       string // NetNetwork, NetBridge, NetMacvtap, NetUser, NetNone
	NetSource string // the network, bridge or host NIC

	Graphics string // spice, vnc or none
	Firmware string // bios, efi, efi-secure
	Chipset  string // q35 or i440fx
	TPM      string // on or off; empty: on with UEFI where the host has one, as virt-install

	CloudInit *CloudInit // MethodCloud

	// MethodOVA: the appliance's disks (Media is the .ova or .ovf file on
	// this machine), its network card, and what it asks for that is not
	// made (for the plan's notes); see ova.Appliance.NewVM.
	ApplianceDisks []ApplianceDisk
	NICModel       string // empty: by the OS
	ApplianceNotes []string
}

// ApplianceDisk is one disk of an appliance: converted into a raw volume
// of the pool, on the bus its guest boots from.
type ApplianceDisk struct {
	Bus      string
	Capacity uint64
}

// EmulationNote says plainly when the VM will run under TCG (emulated, many
// times slower than KVM), and why: the host has no KVM, or it was chosen.
func (n *NewVM) EmulationNote(h *NewVMHost) string {
	if n.VirtType != "qemu" {
		return ""
	}
	if slices.Contains(h.VirtTypes(), "kvm") {
		return "virtualization qemu: the VM is emulated (TCG) and runs many times slower than with kvm"
	}
	return "this host has no KVM (no /dev/kvm, or no nested virtualization): the VM is emulated (TCG) and runs many times slower"
}

// ParseMemory reads a new VM's memory as the wizard and --memory take it:
// a size, plain numbers in MiB, at least 16 MiB.
func ParseMemory(s string) (mib uint64, err error) {
	b, err := devices.ParseSize(s, "MiB")
	if err != nil {
		return 0, err
	}
	if b < 16<<20 {
		return 0, fmt.Errorf("at least 16 MiB")
	}
	return b >> 20, nil
}

// ParseVCPUs reads a new VM's vCPU count as the wizard and --vcpus take it.
func ParseVCPUs(s string) (uint, error) {
	c, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil || c == 0 {
		return 0, fmt.Errorf("a whole number of vCPUs, at least 1")
	}
	return uint(c), nil
}

// osOrGeneric is the VM's OS, Generic when none is set.
func (n *NewVM) osOrGeneric() *OSInfo {
	if n.OS == nil {
		return Generic
	}
	return n.OS
}

// Defaults fills every empty choice as virt-install would for this OS on
// this host: q35 where the OS supports it, UEFI where it requires it (and
// a TPM with UEFI), the OS's recommended memory, vCPUs and disk size
// within the host's, the "default" network and pool when they exist,
// SPICE when QEMU has it. osChanged re-derives the OS-dependent values
// (after the user picks another OS) even when they are set.
func (n *NewVM) Defaults(h *NewVMHost, osChanged bool) {
	o := n.osOrGeneric()
	if n.Arch == "" {
		n.Arch = h.Arch
	}
	if n.Arch == "" {
		n.Arch = "x86_64"
	}
	if vt := h.VirtTypes(); n.VirtType == "" || !slices.Contains(vt, n.VirtType) {
		n.VirtType = "kvm"
		if len(vt) > 0 {
			n.VirtType = vt[0]
		}
	}
	if n.Chipset == "" || osChanged {
		n.Chipset = "i440fx"
		if o.Q35() || o.RequiresEFI(n.Arch) {
			n.Chipset = "q35"
		}
	}
	caps := h.caps(n.VirtType, n.Chipset)
	if n.Firmware == "" || osChanged {
		n.Firmware = "bios"
		if o.RequiresEFI(n.Arch) && caps != nil && slices.Contains(devices.FirmwareChoices(caps), "efi") {
			n.Firmware = "efi"
		}
	}
	if n.TPM == "" || osChanged {
		n.TPM = "off"
		if n.Firmware != "bios" && caps.TPMOffered() {
			n.TPM = "on"
		}
	}
	if n.MemoryMiB == 0 || osChanged {
		n.MemoryMiB = 1024
		if r := o.RecommendedRAM(n.Arch); r > 0 {
			n.MemoryMiB = r >> 20
		}
		if h.MemBytes > 0 {
			n.MemoryMiB = min(n.MemoryMiB, h.MemBytes>>20/2) // never more than half the host by default
		}
	}
	if n.VCPUs == 0 || osChanged {
		n.VCPUs = 1
		if c := o.RecommendedCPUs(n.Arch); c > 0 {
			n.VCPUs = c
		}
		if h.CPUs > 0 {
			n.VCPUs = min(n.VCPUs, uint(h.CPUs))
		}
	}
	if n.Storage == "" {
		switch n.Method {
		case MethodImport:
			n.Storage = StorageExisting
		case MethodPXE, MethodManual:
			n.Storage = StorageNew
		default:
			n.Storage = StorageNew
		}
	}
	if n.Pool == "" {
		n.Pool = h.DefaultPool()
	}
	if n.DiskSize == 0 || osChanged {
		n.DiskSize = 20 << 30
		if s := o.RecommendedStorage(n.Arch); s > 0 {
			n.DiskSize = s
		}
	}
	if n.DiskFormat == "" {
		n.DiskFormat = "qcow2"
	}
	if n.Net == "" {
		switch {
		case h.hasNetwork("default"):
			n.Net, n.NetSource = NetNetwork, "default"
		case h.Session:
			n.Net = NetUser
		default:
			n.Net = NetNone
		}
	}
	if n.Graphics == "" {
		n.Graphics = "vnc"
		if caps == nil || devices.Has(caps.GraphicsTypes, "spice") {
			n.Graphics = "spice"
		}
	}
}

// VMPlan is what creating the VM takes: the definition the install boots
// (Install), the one it keeps (Final; the same when nothing differs), and
// the volumes to create first. Notes are warnings for the review page.
type VMPlan struct {
	Install, Final *lx.Domain
	// Customize is defined instead when the user customizes before the
	// install (see customizeDomain).
	Customize *lx.Domain
	Volumes   []VolumePlan
	// NewPool is a directory pool to create first (a bare host's default).
	NewPool *PoolInfo
	Notes   []string
}

// VolumePlan is a volume to create in a pool before the define.
type VolumePlan struct {
	Role       string // "disk", "seed", "kernel", "initrd"
	Pool, Name string
	// Path is where the definitions expect it; the creator replaces it
	// with the path libvirt gives the volume, if that differs.
	Path       string
	Format     string // qcow2, raw
	Capacity   uint64
	Allocation uint64
	// BackingPath and BackingFormat make a copy-on-write overlay of a
	// base image (a cloud image) instead of an empty volume.
	BackingPath, BackingFormat string
	Content                    []byte // uploaded after creation (seed ISO)
	URL                        string // downloaded and uploaded (installer kernel, initrd)
	// Transient volumes are needed only while QEMU starts the install
	// (it has loaded or opened them by then): deleted after the start.
	Transient bool
	// Appliance is an .ova or .ovf file on this machine whose disk number
	// ApplianceDisk is converted and uploaded into the volume.
	Appliance     string
	ApplianceDisk int
}

// XML returns the install and final definitions as libvirt takes them.
func (p *VMPlan) XML() (install, final string, err error) {
	if install, err = p.Install.Marshal(); err != nil {
		return "", "", err
	}
	if final, err = p.Final.Marshal(); err != nil {
		return "", "", err
	}
	return install, final, nil
}

// Check refuses what libvirt or the guest would: each message names the
// wizard page (Field) it belongs to.
func (n *NewVM) Check(h *NewVMHost) []Problem {
	var ps []Problem
	add := func(page, format string, a ...any) { ps = append(ps, Problem{page, fmt.Sprintf(format, a...)}) }
	if err := devices.ValidateDomainName(n.Name); err != nil {
		add("name", "%v", err)
	} else if slices.Contains(h.Domains, n.Name) {
		add("name", "a VM named %q already exists on this host", n.Name)
	}
	if !slices.Contains(Methods, n.Method) {
		add("method", "unknown install method %q: one of %s", n.Method, strings.Join(Methods, ", "))
	}
	switch n.Method {
	case MethodISO, MethodImport, MethodCloud:
		if n.Media == "" {
			add("method", "%s needs %s", MethodTitle(n.Method), map[string]string{MethodISO: "an ISO (a volume's path or a host path)",
				MethodImport: "a disk image (a volume's path or a host path)", MethodCloud: "a cloud image (a volume's path or a host path)"}[n.Method])
		} else if !strings.HasPrefix(n.Media, "/") {
			add("method", "%q is not an absolute path", n.Media)
		}
	case MethodNetwork:
		if err := checkTreeURL(n.Location); err != nil {
			add("method", "%v", err)
		}
	case MethodOVA:
		switch {
		case n.Media == "":
			add("method", "%s needs an .ova or .ovf file on this machine", MethodTitle(n.Method))
		case len(n.ApplianceDisks) == 0: // read when the method page is left
			add("storage", "%s: the appliance was not read (no disks known)", n.Media)
		}
	}
	if strings.ContainsAny(n.ExtraArgs+n.Cmdline, "\n\r") {
		add("method", "kernel arguments are one line")
	}
	if n.Kernel == "" && (n.Initrd != "" || n.Cmdline != "") {
		add("method", "an initrd or kernel command line needs a kernel")
	}
	for _, p := range []string{n.Kernel, n.Initrd} {
		if p != "" && !strings.HasPrefix(p, "/") {
			add("method", "%q is not an absolute path", p)
		}
	}
	if n.Method == MethodCloud {
		if n.CloudInit == nil {
			add("cloud-init", "a cloud image needs cloud-init settings: a user with a password or an SSH key")
		} else if err := n.CloudInit.Check(); err != nil {
			add("cloud-init", "%v", err)
		}
		if h.Pool(n.Pool) == nil {
			add("storage", "the cloud-init seed ISO goes into a storage pool: choose one")
		}
	}
	if n.Method == MethodNetwork && h.Pool(n.Pool) == nil {
		add("storage", "the installer's kernel and initrd go into a storage pool: choose one")
	}
	o := n.osOrGeneric()
	if why := h.CanRun(o, n.Arch); why != "" {
		add("os", "%s", why)
	}
	vt := h.VirtTypes()
	if len(vt) > 0 && !slices.Contains(vt, n.VirtType) {
		add("platform", "this host cannot run %s guests; it offers %s", n.VirtType, strings.Join(vt, ", "))
	}
	caps := h.caps(n.VirtType, n.Chipset)
	if n.Chipset != "q35" && n.Chipset != "i440fx" {
		add("platform", "chipset %q: q35 or i440fx", n.Chipset)
	} else if len(h.Caps) > 0 && caps == nil {
		add("platform", "this host offers no %s machine for %s", n.Chipset, n.VirtType)
	}
	if caps != nil {
		if !slices.Contains(devices.FirmwareChoices(caps), n.Firmware) {
			add("platform", "firmware %q is not offered by this host: %s", n.Firmware, strings.Join(devices.FirmwareChoices(caps), ", "))
		}
		if n.TPM == "on" && !caps.TPMOffered() {
			add("platform", "this host offers no emulated TPM (install swtpm on the host)")
		}
		if n.Graphics != "none" && !devices.Has(caps.GraphicsTypes, n.Graphics) {
			add("platform", "this QEMU offers no %s display", n.Graphics)
		}
	}
	if n.Firmware == "efi-secure" && n.Chipset != "q35" {
		add("platform", "secure boot needs the q35 chipset (SMM)")
	}
	if o.RequiresEFI(n.Arch) && n.Firmware == "bios" {
		add("platform", "%s boots only with UEFI: choose efi or efi-secure", o.Name)
	}
	if n.TPM != "on" && n.TPM != "off" {
		add("platform", "TPM %q: on or off", n.TPM)
	}
	if !slices.Contains([]string{"spice", "vnc", "none"}, n.Graphics) {
		add("platform", "graphics %q: spice, vnc or none", n.Graphics)
	}
	if n.MemoryMiB < 16 {
		add("resources", "memory %d MiB: at least 16 MiB", n.MemoryMiB)
	} else if h.MemBytes > 0 && n.MemoryMiB<<20 > h.MemBytes {
		add("resources", "memory %s is more than the host has (%s)", devices.FormatSize(n.MemoryMiB<<20), devices.ApproxSize(h.MemBytes))
	}
	if n.VCPUs == 0 {
		add("resources", "at least 1 vCPU")
	} else if h.CPUs > 0 && int(n.VCPUs) > h.CPUs {
		add("resources", "%d vCPUs is more than the host's %d CPUs", n.VCPUs, h.CPUs)
	} else if caps != nil && caps.MaxVCPUs > 0 && n.VCPUs > caps.MaxVCPUs {
		add("resources", "%d vCPUs is more than this machine type allows (%d)", n.VCPUs, caps.MaxVCPUs)
	}
	ps = append(ps, n.checkStorage(h)...)
	switch n.Net {
	case NetNone:
		if n.Method == MethodPXE {
			add("network", "a PXE boot needs a network: choose a virtual network, a bridge or macvtap")
		}
	case NetNetwork:
		if !h.hasNetwork(n.NetSource) {
			add("network", "no virtual network named %q on this host (there are: %s)", n.NetSource, orNone(h.NetworkNames()))
		}
	case NetBridge:
		if err := devices.CheckIfname(n.NetSource); err != nil {
			add("network", "bridge: %v", err)
		} else if len(h.Bridges) > 0 && !slices.Contains(h.Bridges, n.NetSource) {
			add("network", "no bridge named %q on this host (there are: %s)", n.NetSource, orNone(h.Bridges))
		}
	case NetMacvtap:
		if err := devices.CheckIfname(n.NetSource); err != nil {
			add("network", "host interface: %v", err)
		} else if len(h.NICs) > 0 && !slices.Contains(h.NICs, n.NetSource) {
			add("network", "no host interface named %q (there are: %s)", n.NetSource, orNone(h.NICs))
		}
	case NetUser:
	default:
		add("network", "network %q: network, bridge, macvtap, user or none", n.Net)
	}
	return ps
}

func (n *NewVM) checkStorage(h *NewVMHost) []Problem {
	var ps []Problem
	add := func(format string, a ...any) { ps = append(ps, Problem{"storage", fmt.Sprintf(format, a...)}) }
	switch n.Storage {
	case StorageNone:
		if n.Method == MethodImport || n.Method == MethodCloud {
			add("%s boots from a disk: choose one", MethodTitle(n.Method))
		}
	case StorageExisting:
		if n.DiskPath == "" && n.Method != MethodImport && n.Method != MethodCloud {
			add("choose the existing volume or host path to use")
		} else if n.DiskPath != "" && !strings.HasPrefix(n.DiskPath, "/") {
			add("%q is not an absolute path", n.DiskPath)
		}
	case StorageNew:
		if n.Method == MethodImport {
			add("an import boots the existing image: choose existing storage")
			break
		}
		p := h.Pool(n.Pool)
		switch {
		case n.Pool == "":
			add("a new volume needs a storage pool, and this host has none active")
		case p == nil:
			add("no storage pool named %q (there are: %s)", n.Pool, orNone(h.PoolNames()))
		case !p.Active:
			add("storage pool %q is not active", n.Pool)
		}
		if n.DiskFormat != "qcow2" && n.DiskFormat != "raw" {
			add("format %q: qcow2 or raw", n.DiskFormat)
		}
		if n.Method == MethodCloud && n.DiskFormat != "qcow2" {
			add("a volume over a cloud image is a qcow2 overlay: choose qcow2")
		}
		if n.DiskSize < 1<<20 {
			add("disk size %s: at least 1 MiB", devices.FormatSize(n.DiskSize))
		}
		if p != nil && p.Active {
			need := uint64(0)
			if n.Preallocate {
				need = n.DiskSize
			}
			if vol := n.volumeName("disk"); slices.ContainsFunc(p.Volumes, func(v VolumeInfo) bool { return v.Name == vol }) {
				add("pool %q already has a volume %s", n.Pool, vol)
			}
			unknown := p.Planned && p.Available == 0 // a remote host's pool still to be created
			if !unknown && (p.Available > 0 && need > p.Available || p.Available == 0 && need > 0) {
				add("pool %q has %s free, not enough for a fully allocated %s disk (make it sparse, smaller, or use another pool)",
					n.Pool, devices.ApproxSize(p.Available), devices.FormatSize(n.DiskSize))
			}
			if !unknown && p.Available < 1<<20 {
				add("pool %q is full (%s free)", n.Pool, devices.ApproxSize(p.Available))
			}
		}
	default:
		add("storage %q: new, existing or none", n.Storage)
	}
	return ps
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func checkTreeURL(s string) error {
	if s == "" {
		return fmt.Errorf("a network install needs the tree's URL, like https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") {
		return fmt.Errorf("install tree %q: expected an http://, https:// or ftp:// URL", s)
	}
	return nil
}

// Problem is a refused choice and the wizard page it belongs to.
type Problem struct {
	Page string // name, method, os, resources, storage, network, platform, cloud-init
	Msg  string
}

func (p Problem) Error() string { return p.Msg }

// volumeName names the volumes created for the VM, as virt-install does
// (NAME.qcow2; NAME-seed.iso and NAME-kernel for the install).
func (n *NewVM) volumeName(role string) string {
	switch role {
	case "disk":
		if n.DiskFormat == "raw" {
			return n.Name + ".img"
		}
		return n.Name + ".qcow2"
	case "seed":
		return n.Name + "-cidata.iso"
	}
	return n.Name + "-" + role
}

func poolPath(p *PoolInfo, vol string) string {
	if p == nil || p.Path == "" {
		return ""
	}
	return path.Join(p.Path, vol)
}
