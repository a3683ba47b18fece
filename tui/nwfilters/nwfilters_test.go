package nwfilters

import (
	"strings"
	"testing"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/tui/formpage"
	"kvmtui/tui/tuitest"
)

func has(p *Page, name string) bool {
	for _, f := range p.list.Rows() {
		if f.Name == name {
			return true
		}
	}
	return false
}

// The demo host's driver has no filters: the page says so.
func TestNWFilterPageOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":nwfilter x", "enter")
	h.MsgHas("usage: nwfilter")
	h.Keys(":nwfilter", "enter")
	tuitest.Top[*Page](h)
	h.ScreenHas("› Network filters", "demo: listing the network filters: this function is not supported")
	h.ScreenLacks("no network filter defined")
}

// On the real daemon: the shipped filters with what they include; n copies
// one; D refuses a filter a VM's NIC references, naming it, and deletes
// one nothing references after asking.
func TestNWFilterPageOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	name := lt.Prefix + "tuiflt"
	t.Cleanup(func() { lt.Virsh(t, uri, "nwfilter-undefine", name) })
	lt.Virsh(t, uri, "nwfilter-undefine", name)
	vm := lt.FixtureGuestWith(t, uri, "fltuser", "  </devices>",
		"    <interface type='network'><mac address='52:54:00:fe:00:02'/><source network='kvmtui-test-none'/><filterref filter='no-ip-spoofing'/></interface>\n  </devices>")

	h := tuitest.New(t, false, uri)
	h.Keys(":nwfilter", "enter")
	p := tuitest.Top[*Page](h)
	h.Until("the filters", func() bool { return has(p, "clean-traffic") })
	p.list.Select(func(f libvirtx.NWFilter) bool { return f.Name == "clean-traffic" })
	h.ScreenHas("NAME", "CHAIN", "INCLUDES", "clean-traffic on ", "includes: no-mac-spoofing, no-ip-spoofing")

	p.list.Select(func(f libvirtx.NWFilter) bool { return f.Name == "no-ip-spoofing" })
	h.ScreenHas("referenced by: " + vm + " (NIC 52:54:00:fe:00:02)")
	h.Keys("D")
	h.MsgHas("no-ip-spoofing is in use by " + vm + " (NIC 52:54:00:fe:00:02)")
	if p.list.Ask != nil {
		t.Fatal("asked to delete a filter in use")
	}

	h.Keys("n")
	f := tuitest.Top[*formpage.Page](h)
	h.ScreenHas("with the rules of no-ip-spoofing", "no-ip-spoofing-custom")
	if err := f.Form.Fill("name", name); err != nil {
		t.Fatal(err)
	}
	h.Keys("ctrl+s")
	h.MsgHas("defined filter " + name + " from no-ip-spoofing")
	if x := lt.MustVirsh(t, uri, "nwfilter-dumpxml", name); !strings.Contains(x, "chain='ipv4-ip'") {
		t.Fatalf("the copy:\n%s", x)
	}
	p.list.Select(func(f libvirtx.NWFilter) bool { return f.Name == name })
	h.ScreenHas("referenced by: nothing (D deletes it)")
	h.Keys("D")
	h.ScreenHas("Delete network filter " + name + " from libvirt?")
	h.Keys("y")
	h.MsgHas("deleted filter " + name)
	if has(p, name) {
		t.Fatal("still listed")
	}
	if _, err := lt.Virsh(t, uri, "nwfilter-dumpxml", name); err == nil {
		t.Fatal("still defined")
	}
}
