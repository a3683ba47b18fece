package libvirtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// HostDetails is what a host can give its guests, as the :host page and
// `kvmtui host` show it.
type HostDetails struct {
	URI          string         `json:"uri"`
	Hostname     string         `json:"hostname"`
	Driver       string         `json:"driver"`          // QEMU, Test
	Daemon       string         `json:"daemon_version"`  // "9.0.0"
	Hyper        string         `json:"hypervisor"`      // "QEMU 7.2.0"
	Library      string         `json:"library_version"` // the libvirt library kvmtui runs with
	KVM          bool           `json:"kvm"`             // domain capabilities offer virt type kvm
	VirtType     string         `json:"virt_type"`       // kvm, qemu: what new VMs get
	CPUModel     string         `json:"cpu_model"`       // the host CPU as libvirt names it
	CPUVendor    string         `json:"cpu_vendor"`
	CPUs         uint           `json:"cpus"`
	MHz          uint           `json:"mhz"`
	Sockets      uint32         `json:"sockets"`
	Dies         int            `json:"dies"`
	Cores        uint32         `json:"cores"`
	Threads      uint32         `json:"threads"`
	VirtFlag     string         `json:"virt_flag"` // vmx, svm, or "" when the CPU shows neither to this host
	Nested       string         `json:"nested"`    // local hosts: the kvm module's nested setting, "" unknown
	MemKiB       uint64         `json:"memory_kib"`
	FreeKiB      uint64         `json:"free_kib"`
	Local        bool           `json:"local"`    // this machine: swap and nested were read from it
	SwapKiB      uint64         `json:"swap_kib"` // local hosts only
	SwapFreeKiB  uint64         `json:"swap_free_kib"`
	Cells        []NUMACell     `json:"numa_cells"`
	PageSizesKiB []uint64       `json:"page_sizes_kib"` // the page sizes the host has, smallest first
	KSM          *KSM           `json:"ksm"`            // nil: the driver cannot tell
	IOMMU        bool           `json:"iommu"`
	Guests       []GuestSupport `json:"guests"`
	CPUModels    []string       `json:"cpu_models"` // custom CPU models usable on this host
	PoolTypes    []string       `json:"pool_types"` // storage pool types the daemon supports
	Firmware     []string       `json:"firmware"`   // firmware images (loader paths) the default machine can boot
}

// NUMACell is one NUMA node: its CPUs, memory and huge page pools.
type NUMACell struct {
	ID      int        `json:"id"`
	CPUs    []int      `json:"cpus"`
	MemKiB  uint64     `json:"memory_kib"`
	FreeKiB uint64     `json:"free_kib"`
	Pages   []PagePool `json:"huge_pages"` // sizes above the base page only
}

// PagePool is a cell's pool of one page size.
type PagePool struct {
	SizeKiB uint64 `json:"size_kib"`
	Total   uint64 `json:"total"`
	Free    uint64 `json:"free"`
}

// KSM is the kernel's same-page merging as libvirt reports it.
type KSM struct {
	PagesToScan      uint   `json:"pages_to_scan"`
	SleepMillisecs   uint   `json:"sleep_millisecs"`
	Shared           uint64 `json:"shared"`
	Sharing          uint64 `json:"sharing"`
	Unshared         uint64 `json:"unshared"`
	FullScans        uint64 `json:"full_scans"`
	MergeAcrossNodes bool   `json:"merge_across_nodes"`
}

// GuestSupport is an architecture the host can run guests of.
type GuestSupport struct {
	Arch      string   `json:"arch"`
	Emulator  string   `json:"emulator"`
	VirtTypes []string `json:"virt_types"` // kvm, qemu
	Aliases   []string `json:"aliases"`    // "q35 = pc-q35-7.2": what the short names resolve to
	Machines  []string `json:"machines"`   // every machine type, sorted
}

// HostDetails reads a host: node info, capabilities, domain capabilities,
// free memory per cell and free pages, KSM, pool capabilities.
func (m *Manager) HostDetails(uri string) (HostDetails, error) {
	h := HostDetails{URI: uri, Library: LibraryVersion()}
	lc, done, err := m.lconn(uri)
	if err != nil {
		return h, err
	}
	defer done()
	h.Hostname, _ = lc.GetHostname()
	h.Driver, _ = lc.GetType()
	if v, err := lc.GetLibVersion(); err == nil {
		h.Daemon = versionText(v)
	}
	if v, err := lc.GetVersion(); err == nil && v > 0 {
		h.Hyper = h.Driver + " " + versionText(v)
	}
	ni, err := lc.GetNodeInfo()
	if err != nil {
		return h, fmt.Errorf("reading the host: %s", ErrText(err))
	}
	h.CPUModel, h.CPUs, h.MHz, h.Sockets, h.Cores, h.Threads, h.MemKiB = ni.Model, ni.Cpus, ni.MHz, ni.Sockets, ni.Cores, ni.Threads, ni.Memory
	if free, err := lc.GetFreeMemory(); err == nil {
		h.FreeKiB = free / 1024
	}
	raw, err := lc.GetCapabilities()
	if err != nil {
		return h, fmt.Errorf("reading the host's capabilities: %s", ErrText(err))
	}
	caps := &libvirtxml.Caps{}
	if err := caps.Unmarshal(raw); err != nil {
		return h, fmt.Errorf("reading the host's capabilities: %v", err)
	}
	h.fromCaps(caps)
	h.readCells(lc, caps)
	if p, err := lc.GetMemoryParameters(0); err == nil && p.ShmPagesToScanSet {
		h.KSM = &KSM{PagesToScan: p.ShmPagesToScan, SleepMillisecs: p.ShmSleepMillisecs, Shared: p.ShmPagesShared,
			Sharing: p.ShmPagesSharing, Unshared: p.ShmPagesUnshared, FullScans: p.ShmFullScans, MergeAcrossNodes: p.ShmMergeAcrossNodes == 1}
	}
	if dc, err := lc.GetDomainCapabilities("", "", "", "", 0); err == nil {
		if c, err := devices.ParseCaps(dc); err == nil {
			h.VirtType, h.CPUModels, h.Firmware = c.VirtType, c.CPUModels, c.Loaders
		}
	}
	if pc, err := lc.GetStoragePoolCapabilities(0); err == nil {
		h.PoolTypes = supportedPools(pc)
	}
	if IsLocal(uri) {
		h.localExtras()
	}
	return h, nil
}

// fromCaps takes the CPU, IOMMU and guest architectures.
func (h *HostDetails) fromCaps(c *libvirtxml.Caps) {
	if cpu := c.Host.CPU; cpu != nil {
		if cpu.Model != "" {
			h.CPUModel = cpu.Model
		}
		h.CPUVendor = cpu.Vendor
		if t := cpu.Topology; t != nil {
			h.Dies = t.Dies
		}
		for _, f := range cpu.FeatureFlags {
			if f.Name == "vmx" || f.Name == "svm" {
				h.VirtFlag = f.Name
			}
		}
		for _, p := range cpu.PageSizes {
			h.PageSizesKiB = append(h.PageSizesKiB, uint64(p.Size)*unitKiB(p.Unit))
		}
		slices.Sort(h.PageSizesKiB)
	}
	h.IOMMU = c.Host.IOMMU != nil && c.Host.IOMMU.Support == "yes"
	for _, g := range c.Guests {
		gs := GuestSupport{Arch: g.Arch.Name, Emulator: g.Arch.Emulator}
		for _, d := range g.Arch.Domains {
			gs.VirtTypes = append(gs.VirtTypes, d.Type)
			if d.Type == "kvm" {
				h.KVM = true
			}
		}
		for _, mc := range g.Arch.Machines {
			if mc.Canonical != "" {
				gs.Aliases = append(gs.Aliases, mc.Name+" = "+mc.Canonical)
			} else {
				gs.Machines = append(gs.Machines, mc.Name)
			}
		}
		slices.Sort(gs.Machines)
		h.Guests = append(h.Guests, gs)
	}
}

// unitKiB is how many KiB one of libvirt's memory units is.
func unitKiB(unit string) uint64 {
	switch strings.ToLower(unit) {
	case "b", "bytes":
		return 0 // below a KiB: not a huge page size
	case "m", "mib":
		return 1024
	case "g", "gib":
		return 1024 * 1024
	}
	return 1
}

// readCells takes each NUMA cell's CPUs and memory from the capabilities,
// its free memory (virNodeGetCellsFreeMemory) and its free huge pages
// (virNodeGetFreePages).
func (h *HostDetails) readCells(lc *libvirt.Connect, c *libvirtxml.Caps) {
	if c.Host.NUMA == nil || c.Host.NUMA.Cells == nil || len(c.Host.NUMA.Cells.Cells) == 0 {
		return // (the Go binding indexes an empty result for zero cells)
	}
	cells := c.Host.NUMA.Cells.Cells
	free, _ := lc.GetCellsFreeMemory(0, len(cells))
	var huge []uint64
	for _, s := range h.PageSizesKiB[min(1, len(h.PageSizesKiB)):] {
		huge = append(huge, s)
	}
	var freePages []uint64
	if len(huge) > 0 {
		freePages, _ = lc.GetFreePages(huge, 0, uint(len(cells)), 0)
	}
	for i, xc := range cells {
		cell := NUMACell{ID: xc.ID}
		if xc.Memory != nil {
			cell.MemKiB = xc.Memory.Size * unitKiB(xc.Memory.Unit)
		}
		if i < len(free) {
			cell.FreeKiB = free[i] / 1024
		}
		if xc.CPUS != nil {
			for _, cpu := range xc.CPUS.CPUs {
				cell.CPUs = append(cell.CPUs, cpu.ID)
			}
		}
		for j, size := range huge {
			p := PagePool{SizeKiB: size}
			for _, pi := range xc.PageInfo {
				if uint64(pi.Size)*unitKiB(pi.Unit) == size {
					p.Total = pi.Count
				}
			}
			if k := i*len(huge) + j; k < len(freePages) {
				p.Free = freePages[k]
			}
			cell.Pages = append(cell.Pages, p)
		}
		h.Cells = append(h.Cells, cell)
	}
}

// supportedPools reads virConnectGetStoragePoolCapabilities.
func supportedPools(doc string) []string {
	var x struct {
		Pools []struct {
			Type      string `xml:"type,attr"`
			Supported string `xml:"supported,attr"`
		} `xml:"pool"`
	}
	if xml.Unmarshal([]byte(doc), &x) != nil {
		return nil
	}
	var out []string
	for _, p := range x.Pools {
		if p.Supported == "yes" {
			out = append(out, p.Type)
		}
	}
	return out
}

// localExtras reads what libvirt does not report, for this machine:
// swap, and whether the kvm module allows nested guests.
func (h *HostDetails) localExtras() {
	h.Local = true
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				v, _ := strconv.ParseUint(f[1], 10, 64)
				switch f[0] {
				case "SwapTotal:":
					h.SwapKiB = v
				case "SwapFree:":
					h.SwapFreeKiB = v
				}
			}
		}
	}
	for _, mod := range []string{"kvm_intel", "kvm_amd"} {
		if b, err := os.ReadFile("/sys/module/" + mod + "/parameters/nested"); err == nil {
			switch strings.TrimSpace(string(b)) {
			case "Y", "1":
				h.Nested = "yes"
			default:
				h.Nested = "no"
			}
		}
	}
}

// SetHugePages sets a NUMA cell's pool of one huge page size to count
// pages (virNodeAllocPages); cell -1 means the whole host (the kernel
// spreads them). The kernel may give fewer: the error then says how many.
func (m *Manager) SetHugePages(uri string, sizeKiB uint64, cell int, count uint64) error {
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	if _, err := lc.AllocPages(map[int]int64{int(sizeKiB): int64(count)}, cell, 1, libvirt.NODE_ALLOC_PAGES_SET); err != nil {
		return errors.New(ErrText(err))
	}
	raw, err := lc.GetCapabilities()
	if err != nil {
		return errors.New(ErrText(err))
	}
	caps := &libvirtxml.Caps{}
	if err := caps.Unmarshal(raw); err != nil {
		return err
	}
	var h HostDetails
	h.fromCaps(caps)
	h.readCells(lc, caps)
	var total uint64
	for _, c := range h.Cells {
		for _, p := range c.Pages {
			if p.SizeKiB == sizeKiB && (cell < 0 || c.ID == cell) {
				total += p.Total
			}
		}
	}
	if total < count {
		return fmt.Errorf("the host gave %d of the %d pages of %d KiB asked (not enough free, unfragmented memory)", total, count, sizeKiB)
	}
	return nil
}
