package hostinfo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/widget"
)

// Lines is a host's details, a section at a time, wrapped to width: the
// page's text and `kvmtui host`'s. hugeHint follows the huge pages' title.
func Lines(h libvirtx.HostDetails, th *widget.Theme, width int, hugeHint string) []string {
	kib := func(k uint64) string { return devices.ApproxSize(k * 1024) }
	section := func(title string) string { return th.Title.Render(title) }
	var out []string
	// add puts lines, each wrapped to the page's width (continuations
	// indented under the text); warn does it in the warning colour.
	add := func(ss ...string) {
		for _, l := range ss {
			out = append(out, wrap(l, width)...)
		}
	}
	warn := func(s string) {
		for _, l := range wrap(s, width) {
			out = append(out, th.Warn.Render(l))
		}
	}

	add(section(orDash(h.Hostname))+" "+th.Dim.Render(h.URI),
		fmt.Sprintf("  libvirt %s (kvmtui's library %s) · %s", h.Daemon, h.Library, orDash(h.Hyper)))
	switch {
	case h.KVM:
		s := "  KVM: usable — guests run at native speed"
		if h.VirtFlag != "" {
			s += " (" + h.VirtFlag + ")"
		}
		if h.Nested != "" {
			s += " · nested guests: " + h.Nested
		}
		add(s)
	case h.Driver == "QEMU":
		warn("  KVM: not usable here — new VMs are emulated (TCG): several times slower, one host thread per vCPU; fine for tests and small services. KVM needs /dev/kvm: a CPU with vmx or svm, and nested virtualisation when this host is itself a VM.")
	default:
		add("  hypervisor: " + h.Driver)
	}

	add("", section("CPU"),
		fmt.Sprintf("  %s%s · %d CPUs at %d MHz · %s", h.CPUModel, prefixed(" · ", h.CPUVendor), h.CPUs, h.MHz, topology(h)))
	if h.VirtFlag == "" && h.Driver == "QEMU" {
		add("  virtualization flag: neither vmx nor svm is visible to this host")
	}

	mem := "  " + kib(h.MemKiB)
	if h.FreeKiB > 0 {
		mem += ", " + kib(h.FreeKiB) + " free"
	}
	switch {
	case h.SwapKiB > 0:
		mem += fmt.Sprintf(" · swap %s, %s free", kib(h.SwapKiB), kib(h.SwapFreeKiB))
	case h.Local:
		mem += " · no swap"
	}
	add("", section("Memory"), mem)
	for _, c := range h.Cells {
		add(fmt.Sprintf("  NUMA cell %d: CPUs %s · %s, %s free%s", c.ID, cpuList(c.CPUs), kib(c.MemKiB), kib(c.FreeKiB), cellPages(c)))
	}

	add("", section("Huge pages")+th.Dim.Render(hugeHint))
	if pools := hugeTotals(h); len(pools) == 0 {
		add("  the host offers no page size above the base page")
	} else {
		for _, pp := range pools {
			add(fmt.Sprintf("  %s pages: %d, %d free (%s reserved)", kib(pp.SizeKiB), pp.Total, pp.Free, kib(pp.SizeKiB*pp.Total)))
		}
	}

	add("", section("KSM")+th.Dim.Render("  (same-page merging)"))
	if k := h.KSM; k == nil {
		add("  not reported by this driver")
	} else {
		add(fmt.Sprintf("  scans %d pages every %d ms · %d pages shared by %d · %d unshared · %d full scans · merges across NUMA nodes: %s",
			k.PagesToScan, k.SleepMillisecs, k.Shared, k.Sharing, k.Unshared, k.FullScans, yesNo(k.MergeAcrossNodes)))
	}

	add("", section("Devices"), "  IOMMU: "+widget.Choose(h.IOMMU, "present (PCI devices can be passed to guests)", "not present (no PCI passthrough)"))

	add("", section("Guests"))
	for _, g := range h.Guests {
		parts := []string{g.Arch, g.Emulator, strings.Join(g.VirtTypes, ", "), strings.Join(g.Aliases, ", ")}
		if n := len(g.Machines); n > 0 {
			parts = append(parts, widget.Plural(n, "1 machine type", fmt.Sprint(n, " machine types")))
		}
		add("  " + strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), " · "))
	}
	if h.VirtType != "" {
		add("  new VMs: virt type " + h.VirtType)
	}
	add(fmt.Sprintf("  CPU models usable (%d): %s", len(h.CPUModels), orDash(strings.Join(h.CPUModels, " "))),
		"  storage pool types: "+orDash(strings.Join(h.PoolTypes, " ")),
		"  firmware: "+orDash(strings.Join(h.Firmware, " ")))
	return out
}

// wrap breaks a line of plain text (or one styled as a whole, short
// enough) at spaces to the width, continuations indented by four.
func wrap(s string, w int) []string {
	if w < 20 || lipgloss.Width(s) <= w {
		return []string{s}
	}
	indent := s[:len(s)-len(strings.TrimLeft(s, " "))]
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = indent + word
		case lipgloss.Width(line)+1+lipgloss.Width(word) > w:
			out = append(out, line)
			line = "    " + word
		default:
			line += " " + word
		}
	}
	return append(out, line)
}

func topology(h libvirtx.HostDetails) string {
	s := fmt.Sprintf("%s × %s × %s", widget.Plural(int(h.Sockets), "1 socket", fmt.Sprint(h.Sockets, " sockets")),
		widget.Plural(int(h.Cores), "1 core", fmt.Sprint(h.Cores, " cores")), widget.Plural(int(h.Threads), "1 thread", fmt.Sprint(h.Threads, " threads")))
	if h.Dies > 1 {
		s += fmt.Sprintf(" (%d dies)", h.Dies)
	}
	return s
}

// cpuList is "0-3,8-11".
func cpuList(ids []int) string {
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", ids[i], ids[j]))
		} else {
			parts = append(parts, fmt.Sprint(ids[i]))
		}
		i = j + 1
	}
	return orDash(strings.Join(parts, ","))
}

func cellPages(c libvirtx.NUMACell) string {
	var s string
	for _, pp := range c.Pages {
		s += fmt.Sprintf(" · %s pages %d/%d free", devices.ApproxSize(pp.SizeKiB*1024), pp.Free, pp.Total)
	}
	return s
}

// hugeTotals sums each huge page size over the cells.
func hugeTotals(h libvirtx.HostDetails) []libvirtx.PagePool {
	var out []libvirtx.PagePool
	for _, size := range h.PageSizesKiB[min(1, len(h.PageSizesKiB)):] {
		t := libvirtx.PagePool{SizeKiB: size}
		for _, c := range h.Cells {
			for _, pp := range c.Pages {
				if pp.SizeKiB == size {
					t.Total += pp.Total
					t.Free += pp.Free
				}
			}
		}
		out = append(out, t)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func prefixed(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

func yesNo(b bool) string { return widget.Choose(b, "yes", "no") }
