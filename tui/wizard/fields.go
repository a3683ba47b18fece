package wizard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kvmtui/devices"
	"kvmtui/install"
	"kvmtui/tui/form"
)

// wizPageForm is one form page of the new-VM wizard over the wizard's
// choices: it is the form's editable, validating each field as typed. The
// page-wide checks (install.NewVM.Check) run when the page is left.
type wizPageForm struct {
	w    *Page
	page string
}

func (p *wizPageForm) Fields() []devices.Field {
	n, h := &p.w.vm, p.w.host
	f := func(name, label string, t devices.FieldType, help string) devices.Field {
		return devices.Field{Name: name, Label: label, Type: t, Help: help}
	}
	enum := func(name, label, help string, choices ...string) devices.Field {
		return devices.Field{Name: name, Label: label, Type: devices.TypeEnum, Choices: choices, Help: help}
	}
	opt := func(fd devices.Field) devices.Field { fd.Optional = true; return fd }
	var out []devices.Field
	switch p.page {
	case "method":
		methods, help := install.Methods, "iso: an installer ISO; network: an http, https or ftp tree; import: an existing disk image; ova: a virtual appliance (.ova, .ovf); pxe: network boot; manual: no media; cloud: a cloud image with cloud-init"
		if ts := p.w.templates(); len(ts) > 0 {
			methods, help = append(slices.Clone(methods), methodTemplate), help+"; template: a clone of a template VM"
		}
		out = append(out, f("name", "Name", devices.TypeText, "the VM's name, unique on this host"), enum("method", "Install from", help, methods...))
		if n.Method == methodTemplate {
			return append(out, enum("template", "Template", "enter opens the clone form: linked or full, a fresh cloud-init seed", p.w.templates()...))
		}
		switch n.Method {
		case install.MethodISO:
			out = append(out, f("media", "ISO", devices.TypePath, "a pool volume's path or a host path"))
		case install.MethodImport:
			out = append(out, f("media", "Disk image", devices.TypePath, "the image the VM boots, used as it is"))
		case install.MethodCloud:
			out = append(out, f("media", "Cloud image", devices.TypePath, "a qcow2 cloud image; the VM gets a copy-on-write overlay of it"))
		case install.MethodOVA:
			out = append(out, f("media", "Appliance", devices.TypeText, "an .ova, or an .ovf beside its disks, on this machine: its disks are converted into raw volumes"))
		case install.MethodNetwork:
			out = append(out, f("location", "Tree URL", devices.TypeText, "http://, https:// or ftp:// install tree, like https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/"),
				opt(f("extra_args", "Kernel args", devices.TypeText, "for the installer's kernel, like console=ttyS0")))
		}
		out = append(out, opt(f("kernel", "Direct kernel", devices.TypePath, "optional: boot this kernel directly, always")),
			opt(f("initrd", "Initrd", devices.TypePath, "the initrd for that kernel")),
			opt(f("cmdline", "Kernel cmdline", devices.TypeText, "arguments for that kernel, like console=ttyS0")))
	case "resources":
		mem := "memory, like 2048 (MiB) or 4G"
		if h != nil && h.MemBytes > 0 {
			mem += "; the host has " + approxSize(h.MemBytes)
		}
		cpus := "virtual CPUs"
		if h != nil && h.CPUs > 0 {
			cpus += fmt.Sprintf("; the host has %d", h.CPUs)
		}
		out = append(out, f("memory", "Memory", devices.TypeSize, mem), f("vcpus", "vCPUs", devices.TypeNumber, cpus))
	case "storage":
		if n.Method == install.MethodOVA {
			return append(out, f("pool", "Pool", devices.TypeText, "the storage pool the appliance's disks go into"+poolFree(h, n.Pool)))
		}
		out = append(out, enum("storage", "Storage", "new: a new volume in a pool; existing: a volume or host path; none: no disk", install.StorageNew, install.StorageExisting, install.StorageNone))
		switch n.Storage {
		case install.StorageNew:
			out = append(out, f("pool", "Pool", devices.TypeText, "the storage pool the volume goes into"+poolFree(h, n.Pool)),
				f("size", "Size", devices.TypeSize, "like 20G"),
				enum("format", "Format", "qcow2: snapshots and thin images; raw: speed", "qcow2", "raw"),
				f("preallocate", "Preallocate", devices.TypeBool, "allocate the whole size now (else it grows as the guest writes)"))
		case install.StorageExisting:
			if n.Method != install.MethodImport && n.Method != install.MethodCloud {
				out = append(out, f("disk_path", "Volume or path", devices.TypePath, "an existing volume's path or a host path"))
			}
		}
	case "network":
		out = append(out, enum("net", "Network", "network: a libvirt virtual network; bridge: a host bridge; macvtap: directly on a host NIC; user: user-mode, no privileges (a session's); none", install.NetNetwork, install.NetBridge, install.NetMacvtap, install.NetUser, install.NetNone))
		switch n.Net {
		case install.NetNetwork:
			out = append(out, f("net_source", "Virtual network", devices.TypeText, "the libvirt network's name"))
		case install.NetBridge:
			out = append(out, f("net_source", "Bridge", devices.TypeText, "the host bridge's name, like br0"))
		case install.NetMacvtap:
			out = append(out, f("net_source", "Host NIC", devices.TypeText, "the host interface macvtap attaches to, like eno1"))
		}
	case "platform":
		fw, vt := []string{"bios", "efi", "efi-secure"}, []string{"kvm", "qemu"}
		if h != nil && len(h.VirtTypes()) > 0 {
			vt = h.VirtTypes()
		}
		out = append(out, enum("firmware", "Firmware", "bios: SeaBIOS; efi: UEFI; efi-secure: UEFI with secure boot", fw...),
			enum("chipset", "Chipset", "q35: PCIe, for current OSes; i440fx: the old PC, for old ones", "q35", "i440fx"),
			enum("tpm", "TPM 2.0", "an emulated TPM (swtpm): Windows 11 needs one", "on", "off"),
			enum("graphics", "Display", "spice or vnc: a graphical console; none: serial console only", "spice", "vnc", "none"),
			enum("virt_type", "Virtualization", "kvm: hardware virtualization; qemu: emulation (TCG), slow", vt...))
	case "cloud-init":
		out = append(out, f("ci_user", "User", devices.TypeText, "the account to create, like ada"),
			opt(f("ci_password", "Password", devices.TypePassword, "that user's password; empty: SSH keys only")),
			opt(f("ci_keys", "SSH keys", devices.TypeText, "authorized_keys lines, separated by ; (ssh-ed25519 AAAA... you@host)")),
			opt(f("ci_hostname", "Hostname", devices.TypeText, "the guest's hostname; default: the VM's name")),
			opt(f("ci_packages", "Packages", devices.TypeText, "to install on first boot, comma-separated")))
	}
	return out
}

func poolFree(h *install.NewVMHost, pool string) string {
	if h == nil {
		return ""
	}
	if p := h.Pool(pool); p != nil {
		return fmt.Sprintf("; %s free there", approxSize(p.Available))
	}
	return ""
}

// approxSize is a size for reading (6.96 GiB), not for parsing back.
func approxSize(b uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	v, i := float64(b), 0
	for v >= 1024 && i < len(units)-1 {
		v, i = v/1024, i+1
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".") + " " + units[i]
}

// Snapshot lets the form replay typed values over the choices as the page
// opened (see form): choosing BIOS turns the TPM off, unless the user set it.
func (p *wizPageForm) Snapshot() (func(), error) {
	vm, cloud := p.w.vm, *p.w.cloud
	return func() { p.w.vm, *p.w.cloud = vm, cloud }, nil
}

func (p *wizPageForm) Get(name string) string {
	n := &p.w.vm
	ci := p.w.cloud
	switch name {
	case "name":
		return n.Name
	case "method":
		return n.Method
	case "template":
		return p.w.template
	case "media":
		return n.Media
	case "location":
		return n.Location
	case "extra_args":
		return n.ExtraArgs
	case "kernel":
		return n.Kernel
	case "initrd":
		return n.Initrd
	case "cmdline":
		return n.Cmdline
	case "memory":
		return devices.FormatSize(n.MemoryMiB << 20)
	case "vcpus":
		return strconv.FormatUint(uint64(n.VCPUs), 10)
	case "storage":
		return n.Storage
	case "pool":
		return n.Pool
	case "size":
		return devices.FormatSize(n.DiskSize)
	case "format":
		return n.DiskFormat
	case "preallocate":
		return map[bool]string{true: "yes", false: "no"}[n.Preallocate]
	case "disk_path":
		return n.DiskPath
	case "net":
		return n.Net
	case "net_source":
		return n.NetSource
	case "firmware":
		return n.Firmware
	case "chipset":
		return n.Chipset
	case "tpm":
		return n.TPM
	case "graphics":
		return n.Graphics
	case "virt_type":
		return n.VirtType
	case "ci_user":
		return ci.User
	case "ci_password":
		return ci.Password
	case "ci_keys":
		return strings.Join(ci.SSHKeys, "; ")
	case "ci_hostname":
		return ci.Hostname
	case "ci_packages":
		return strings.Join(ci.Packages, ", ")
	}
	return ""
}

// Set validates one field: what can be refused from the value alone is
// refused here, as it is typed.
func (p *wizPageForm) Set(name, v string) error {
	n := &p.w.vm
	ci := p.w.cloud
	v = strings.TrimSpace(v)
	path := func(dst *string, optional bool) error {
		if v == "" && optional || strings.HasPrefix(v, "/") {
			*dst = v
			return nil
		}
		if v == "" {
			return fmt.Errorf("required: an absolute path")
		}
		return fmt.Errorf("%q is not an absolute path", v)
	}
	switch name {
	case "name":
		if err := devices.ValidateDomainName(v); err != nil {
			return err
		}
		n.Name = v
	case "method":
		old := n.Method
		n.Method = v
		if ts := p.w.templates(); v == methodTemplate && p.w.template == "" && len(ts) > 0 {
			p.w.template = ts[0]
		}
		if old != v && (v == install.MethodImport || v == install.MethodCloud || old == install.MethodImport || v == install.MethodOVA) {
			// An import boots its image; a cloud image gets an overlay.
			n.Storage = map[string]string{install.MethodImport: install.StorageExisting}[v]
			if n.Storage == "" {
				n.Storage = install.StorageNew
			}
		}
	case "template":
		if !slices.Contains(p.w.templates(), v) {
			return fmt.Errorf("one of %s", strings.Join(p.w.templates(), ", "))
		}
		p.w.template = v
	case "media":
		return path(&n.Media, false)
	case "location":
		n.Location = v
	case "extra_args":
		n.ExtraArgs = v
	case "kernel":
		return path(&n.Kernel, true)
	case "initrd":
		return path(&n.Initrd, true)
	case "cmdline":
		n.Cmdline = v
	case "memory":
		b, err := devices.ParseSize(v, "MiB")
		if err != nil {
			return err
		}
		if b < 16<<20 {
			return fmt.Errorf("at least 16 MiB")
		}
		if h := p.w.host; h != nil && h.MemBytes > 0 && b > h.MemBytes {
			return fmt.Errorf("%s is more than the host has (%s)", approxSize(b), approxSize(h.MemBytes))
		}
		n.MemoryMiB = b >> 20
	case "vcpus":
		c, err := strconv.ParseUint(v, 10, 32)
		if err != nil || c == 0 {
			return fmt.Errorf("a whole number of vCPUs, at least 1")
		}
		if h := p.w.host; h != nil && h.CPUs > 0 && int(c) > h.CPUs {
			return fmt.Errorf("%d vCPUs is more than the host's %d CPUs", c, h.CPUs)
		}
		n.VCPUs = uint(c)
	case "storage":
		n.Storage = v
	case "pool":
		n.Pool = v
	case "size":
		b, err := devices.ParseSize(v, "GiB")
		if err != nil {
			return err
		}
		n.DiskSize = b
	case "format":
		n.DiskFormat = v
	case "preallocate":
		n.Preallocate = form.IsYes(v)
	case "disk_path":
		return path(&n.DiskPath, false)
	case "net":
		if v != n.Net {
			n.NetSource = ""
			if v == install.NetNetwork && p.w.host != nil && len(p.w.host.Networks) > 0 {
				n.NetSource = p.w.host.Networks[0].Name
			}
		}
		n.Net = v
	case "net_source":
		n.NetSource = v
	case "firmware":
		n.Firmware = v
		if v == "bios" {
			n.TPM = "off"
		}
	case "chipset":
		n.Chipset = v
	case "tpm":
		n.TPM = v
	case "graphics":
		n.Graphics = v
	case "virt_type":
		n.VirtType = v
	case "ci_user":
		ci.User = v
	case "ci_password":
		ci.Password = v
	case "ci_keys":
		ci.SSHKeys = nil
		for _, k := range strings.Split(v, ";") {
			if k = strings.TrimSpace(k); k != "" {
				ci.SSHKeys = append(ci.SSHKeys, k)
			}
		}
	case "ci_hostname":
		ci.Hostname = v
	case "ci_packages":
		ci.Packages = nil
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				ci.Packages = append(ci.Packages, k)
			}
		}
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}
