package libvirtx

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// field is the number after a label in virsh's output ("CPU(s): 2").
func field(t *testing.T, out, label string) uint64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `:?\s+(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in:\n%s", label, out)
	}
	v, _ := strconv.ParseUint(m[1], 10, 64)
	return v
}

// meminfo is a /proc/meminfo counter.
func meminfo(t *testing.T, name string) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	return field(t, string(b), name)
}

// The host page's numbers are virsh's and the kernel's: nodeinfo,
// capabilities, domcapabilities, freecell, node-memory-tune and
// /proc/meminfo; a few 2 MiB huge pages are set aside and given back.
func TestRealHostDetails(t *testing.T) {
	m, uri := connectReal(t)
	h, err := m.HostDetails(uri)
	if err != nil {
		t.Fatal(err)
	}
	ni := lt.MustVirsh(t, uri, "nodeinfo")
	if uint64(h.CPUs) != field(t, ni, "CPU(s)") || uint64(h.MHz) != field(t, ni, "CPU frequency") || uint64(h.Sockets) != field(t, ni, "CPU socket(s)") ||
		uint64(h.Cores) != field(t, ni, "Core(s) per socket") || uint64(h.Threads) != field(t, ni, "Thread(s) per core") || h.MemKiB != field(t, ni, "Memory size") {
		t.Fatalf("nodeinfo:\n%s\nkvmtui: %+v", ni, h)
	}
	if int(field(t, ni, "NUMA cell(s)")) != len(h.Cells) {
		t.Fatalf("cells: %d vs\n%s", len(h.Cells), ni)
	}
	dc := lt.MustVirsh(t, uri, "domcapabilities")
	if kvm := strings.Contains(dc, "<domain>kvm</domain>"); kvm != (h.VirtType == "kvm") {
		t.Fatalf("domcapabilities say kvm=%v, kvmtui virt type %q", kvm, h.VirtType)
	}
	if _, err := os.Stat("/dev/kvm"); (err == nil) != h.KVM {
		t.Logf("/dev/kvm present: %v; kvmtui says KVM usable: %v", err == nil, h.KVM)
		if err != nil && h.KVM {
			t.Fatal("KVM said usable on a host without /dev/kvm")
		}
	}
	caps := lt.MustVirsh(t, uri, "capabilities")
	if strings.Contains(caps, "<iommu support='yes'/>") != h.IOMMU || !strings.Contains(caps, "<model>"+h.CPUModel+"</model>") {
		t.Fatalf("capabilities disagree: iommu %v, model %q", h.IOMMU, h.CPUModel)
	}
	for _, g := range h.Guests {
		if !strings.Contains(caps, "<emulator>"+g.Emulator+"</emulator>") || len(g.Machines) == 0 {
			t.Fatalf("guest %+v not in the capabilities", g)
		}
	}
	// Free memory moves; freecell and kvmtui read it a moment apart.
	fc := lt.MustVirsh(t, uri, "freecell", "--all")
	if free := field(t, fc, "Total"); absDiff(free, h.FreeKiB) > free/20 {
		t.Fatalf("free memory %d KiB, freecell says %d", h.FreeKiB, free)
	}
	tune := lt.MustVirsh(t, uri, "node-memory-tune")
	if h.KSM == nil || uint64(h.KSM.PagesToScan) != field(t, tune, "shm_pages_to_scan") {
		t.Fatalf("KSM %+v vs\n%s", h.KSM, tune)
	}
	if h.SwapKiB != meminfo(t, "SwapTotal") {
		t.Fatalf("swap %d", h.SwapKiB)
	}

	// Huge pages: the pool total is the kernel's; 4 set aside, then none.
	total2M := func(h HostDetails) uint64 {
		var n uint64
		for _, c := range h.Cells {
			for _, p := range c.Pages {
				if p.SizeKiB == 2048 {
					n += p.Total
				}
			}
		}
		return n
	}
	before := meminfo(t, "HugePages_Total")
	if total2M(h) != before {
		t.Fatalf("2 MiB pages %d, /proc/meminfo %d", total2M(h), before)
	}
	t.Cleanup(func() { m.SetHugePages(uri, 2048, -1, before) })
	if err := m.SetHugePages(uri, 2048, -1, before+4); err != nil {
		t.Fatalf("this machine does not give 4 huge pages: %v", err)
	}
	after, _ := m.HostDetails(uri)
	if got := meminfo(t, "HugePages_Total"); got != before+4 || total2M(after) != got {
		t.Fatalf("after setting %d pages: kernel %d, kvmtui %d", before+4, got, total2M(after))
	}
	if err := m.SetHugePages(uri, 2048, -1, before); err != nil || meminfo(t, "HugePages_Total") != before {
		t.Fatalf("giving them back: %v", err)
	}
	if err := m.SetHugePages(uri, 2048, 99, 1); err == nil {
		t.Fatal("a cell the host does not have was accepted")
	}
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
