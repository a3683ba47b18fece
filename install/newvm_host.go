package install

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"kvmtui/devices"
)

// NewVMHost is what a host offers a new VM, read once (by libvirtx) when
// the wizard opens or `kvmtui create` starts: capabilities per virt type
// and chipset, resources, and the objects a VM can use.
type NewVMHost struct {
	URI string
	// Caps by VirtType+"/"+chipset ("kvm/q35", "qemu/i440fx"); a virt type
	// the host cannot run has no entries.
	Caps map[string]*devices.Caps
	// Types are the virt types libvirt's capabilities list for the arch
	// (kvm, qemu; "test" on the test driver), kvm first.
	Types    []string
	Arch     string // the guest architecture new VMs get: x86_64 where the host has it
	MemBytes uint64 // host memory; 0 unknown
	CPUs     int    // host CPUs; 0 unknown
	Domains  []string
	Pools    []PoolInfo
	Networks []NetworkInfo
	Bridges  []string
	NICs     []string // host interfaces for macvtap
	// Local is true when the host is this machine: host paths outside
	// pools can be checked (and ISOs read) directly.
	Local bool
	// Session is a user's own daemon (qemu:///session): no virtual
	// networks or bridges to plug into, so new VMs get user-mode
	// networking, and storage in the user's home.
	Session bool
}

// PoolInfo is a storage pool as the wizard needs it.
type PoolInfo struct {
	Name, Type, Path string // Path: the target directory (dir/fs/netfs pools)
	Active           bool
	Available        uint64 // bytes free (a planned pool on a remote host: 0, unknown)
	Volumes          []VolumeInfo
	// Planned: the host has no pool at all, and this one is created with
	// the VM, as virt-install and virt-manager create "default" on first use.
	Planned bool
}

// DefaultPoolPath is where a bare host's first pool goes, as with
// virt-install.
const DefaultPoolPath = "/var/lib/libvirt/images"

// DefaultPoolPath is where this host's first pool goes: for a session
// daemon ~/.local/share/libvirt/images (libvirt's own default there).
func (h *NewVMHost) DefaultPoolPath() string {
	if h.Session {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "libvirt", "images")
		}
	}
	return DefaultPoolPath
}

// PlanDefaultPool gives a host without any storage pool a planned
// "default" directory pool at DefaultPoolPath (free: the bytes free
// there, if known).
func (h *NewVMHost) PlanDefaultPool(free uint64) {
	if len(h.Pools) == 0 {
		h.Pools = []PoolInfo{{Name: "default", Type: "dir", Path: h.DefaultPoolPath(), Active: true, Available: free, Planned: true}}
	}
}

// VolumeInfo is one volume of a pool.
type VolumeInfo struct {
	Name, Path, Format string
	Capacity           uint64
}

// NetworkInfo is a libvirt network.
type NetworkInfo struct {
	Name   string
	Active bool
}

// VirtTypes lists the virt types the host can run, kvm first.
func (h *NewVMHost) VirtTypes() []string {
	if h == nil {
		return nil
	}
	if len(h.Types) > 0 {
		return h.Types
	}
	var out []string
	for _, v := range []string{"kvm", "qemu"} {
		if h.caps(v, "q35") != nil || h.caps(v, "i440fx") != nil {
			out = append(out, v)
		}
	}
	return out
}

func (h *NewVMHost) caps(virt, chipset string) *devices.Caps {
	if h == nil || h.Caps == nil {
		return nil
	}
	return h.Caps[virt+"/"+chipset]
}

// Pool finds a pool by name.
func (h *NewVMHost) Pool(name string) *PoolInfo {
	for i := range h.Pools {
		if h.Pools[i].Name == name {
			return &h.Pools[i]
		}
	}
	return nil
}

// DefaultPool is "default" when it is there and active, else the first
// active directory pool, else "".
func (h *NewVMHost) DefaultPool() string {
	if p := h.Pool("default"); p != nil && p.Active {
		return p.Name
	}
	for _, p := range h.Pools {
		if p.Active && p.Path != "" {
			return p.Name
		}
	}
	return ""
}

// Volume finds the volume at path in any pool.
func (h *NewVMHost) Volume(path string) (*PoolInfo, *VolumeInfo) {
	for i := range h.Pools {
		for j := range h.Pools[i].Volumes {
			if h.Pools[i].Volumes[j].Path == path {
				return &h.Pools[i], &h.Pools[i].Volumes[j]
			}
		}
	}
	return nil, nil
}

// VolumePaths lists every volume path, for suggestions.
func (h *NewVMHost) VolumePaths() []string {
	var out []string
	for _, p := range h.Pools {
		for _, v := range p.Volumes {
			out = append(out, v.Path)
		}
	}
	slices.Sort(out)
	return out
}

// PoolNames lists the active pools.
func (h *NewVMHost) PoolNames() []string {
	var out []string
	for _, p := range h.Pools {
		if p.Active {
			out = append(out, p.Name)
		}
	}
	return out
}

// NetworkNames lists the networks.
func (h *NewVMHost) NetworkNames() []string {
	var out []string
	for _, n := range h.Networks {
		out = append(out, n.Name)
	}
	return out
}

func (h *NewVMHost) hasNetwork(name string) bool {
	for _, n := range h.Networks {
		if n.Name == name {
			return true
		}
	}
	return false
}

// CanRun says why the host cannot run os at all, or "": an OS that
// needs UEFI on a host without UEFI firmware.
func (h *NewVMHost) CanRun(o *OSInfo, arch string) string {
	if o == nil {
		return ""
	}
	if o.RequiresEFI(arch) {
		for _, v := range h.VirtTypes() {
			if c := h.caps(v, "q35"); c != nil && slices.Contains(devices.FirmwareChoices(c), "efi") {
				return ""
			}
		}
		return fmt.Sprintf("%s boots only with UEFI, and this host has no UEFI firmware for QEMU (install the ovmf package on the host)", o.Name)
	}
	return ""
}
