package libvirtx

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"kvmtui/devices"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// A filter copied from a shipped one, referenced by a shut-off VM's NIC:
// listed with its user, refused undefine naming the NIC, undefined once
// the NIC drops it; a filter including a missing one is refused before
// libvirt sees it.
func TestRealNWFilterLifecycle(t *testing.T) {
	m, uri := connectReal(t)
	shipped, err := m.NWFilters(uri)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(shipped, func(f NWFilter) bool { return f.Name == "clean-traffic" })
	if i < 0 {
		t.Fatal("the daemon has no clean-traffic filter (make test installs libvirt-daemon-config-nwfilter)")
	}
	if ct := shipped[i]; !slices.Contains(ct.Refs, "no-mac-spoofing") || ct.Chain != "root" {
		t.Fatalf("clean-traffic as listed: %+v", ct)
	}
	name := lt.Prefix + "flt"
	t.Cleanup(func() { lt.Virsh(t, uri, "nwfilter-undefine", name) })
	lt.Virsh(t, uri, "nwfilter-undefine", name)
	if err := m.CopyNWFilter(uri, "clean-traffic", name); err != nil {
		t.Fatal(err)
	}
	if err := m.CopyNWFilter(uri, "clean-traffic", name); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second copy of that name: %v", err)
	}
	if x := lt.MustVirsh(t, uri, "nwfilter-dumpxml", name); !strings.Contains(x, "<filterref filter='no-mac-spoofing'/>") {
		t.Fatalf("the copy lacks the rules:\n%s", x)
	}
	vm := lt.FixtureGuestWith(t, uri, "fltvm", "  </devices>",
		"    <interface type='network'><mac address='52:54:00:fe:00:01'/><source network='kvmtui-test-none'/><filterref filter='"+name+"'/></interface>\n  </devices>")
	fs, err := m.NWFilters(uri)
	if err != nil {
		t.Fatal(err)
	}
	j := slices.IndexFunc(fs, func(f NWFilter) bool { return f.Name == name })
	if j < 0 || strings.Join(fs[j].Users, ",") != vm+" (NIC 52:54:00:fe:00:01)" {
		t.Fatalf("the copy's users: %+v", fs)
	}
	err = m.UndefineNWFilter(uri, name)
	if err == nil || !strings.Contains(err.Error(), vm+" (NIC 52:54:00:fe:00:01)") {
		t.Fatalf("undefine of a filter in use: %v", err)
	}
	if _, err := lt.Virsh(t, uri, "nwfilter-dumpxml", name); err != nil {
		t.Fatal("the refused undefine removed the filter")
	}
	lt.RemoveDomain(t, uri, vm)
	if err := m.UndefineNWFilter(uri, name); err != nil {
		t.Fatal(err)
	}
	if _, err := lt.Virsh(t, uri, "nwfilter-dumpxml", name); err == nil {
		t.Fatal("the filter is still defined")
	}
	// A filter including a missing filter, and a malformed one.
	bad := "<filter name='" + name + "' chain='root'><filterref filter='no-such-filter'/></filter>"
	if _, err := m.DefineNWFilter(uri, bad); err == nil || !strings.Contains(err.Error(), `includes filter "no-such-filter", which this host does not have`) {
		t.Fatalf("a missing include: %v", err)
	}
	if _, err := m.DefineNWFilter(uri, "<filter name='x'"); err == nil || !strings.Contains(err.Error(), "not a network filter document") {
		t.Fatalf("malformed: %v", err)
	}
	if _, err := lt.Virsh(t, uri, "nwfilter-dumpxml", name); err == nil {
		t.Fatal("a refused filter was defined")
	}
}

// kvmtui xml check (the fidelity guard) reads every filter libvirt ships
// without loss.
func TestShippedNWFiltersRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("/etc/libvirt/nwfilter/*.xml")
	if len(files) < 10 {
		t.Fatalf("only %d filters in /etc/libvirt/nwfilter (make test installs libvirt-daemon-config-nwfilter)", len(files))
	}
	for _, f := range files {
		out, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if loss, err := devices.CheckRoundTrip(devices.KindNWFilter, string(out)); err != nil || loss != nil {
			t.Errorf("%s: %v %v", f, err, loss)
		}
	}
}

// A running VM whose NIC references a filter has a filter binding (its
// tap and the filter), listed as where the filter is applied. The NIC is
// on an isolated network and the guest has no driver for it: no traffic.
func TestRealNWFilterBindings(t *testing.T) {
	m, uri := connectReal(t)
	net := lt.Prefix + "bind"
	doc := filepath.Join(t.TempDir(), "net.xml")
	os.WriteFile(doc, []byte("<network><name>"+net+"</name><bridge name='virbr-kt-bd'/><ip address='192.168.236.1' prefix='24'/></network>"), 0o644)
	lt.Virsh(t, uri, "net-destroy", net)
	lt.MustVirsh(t, uri, "net-create", doc) // transient: gone when destroyed
	t.Cleanup(func() { lt.Virsh(t, uri, "net-destroy", net) })
	vm := lt.FixtureGuestWith(t, uri, "bound", "  </devices>",
		"    <interface type='network'><mac address='52:54:00:fe:00:03'/><source network='"+net+"'/><model type='virtio'/><filterref filter='no-ip-spoofing'/></interface>\n  </devices>")
	lt.MustVirsh(t, uri, "start", vm)
	fs, err := m.NWFilters(uri)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(fs, func(f NWFilter) bool { return f.Name == "no-ip-spoofing" })
	list := lt.MustVirsh(t, uri, "nwfilter-binding-list")
	if i < 0 || len(fs[i].Bound) != 1 || !strings.HasSuffix(fs[i].Bound[0], "("+vm+")") || !strings.Contains(list, strings.Fields(fs[i].Bound[0])[0]) {
		t.Fatalf("bindings %+v; virsh:\n%s", fs[i], list)
	}
	if !slices.Contains(fs[i].Users, vm+" (NIC 52:54:00:fe:00:03)") {
		t.Fatalf("users %v", fs[i].Users)
	}
}
