package nets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/tui/common"
	"kvmtui/tui/formpage"
	"kvmtui/tui/tuitest"
)

func row(p *Page, name string) (libvirtx.Network, bool) {
	for _, r := range p.list.Rows() {
		if r.Name == name {
			return r, true
		}
	}
	return libvirtx.Network{}, false
}

func pick(p *Page, name string) {
	p.list.Select(func(r libvirtx.Network) bool { return r.Name == name })
}

// fill sets form fields as typed, failing on a refusal.
func fill(t *testing.T, f *formpage.Page, kv ...string) {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		if err := f.Form.Fill(kv[i], kv[i+1]); err != nil {
			t.Fatalf("%s=%q: %v", kv[i], kv[i+1], err)
		}
	}
}

func TestNetPageListsTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":net x", "enter")
	h.MsgHas("usage: net")
	if !h.OnList() {
		t.Fatal("a wrong argument opened the page")
	}
	h.Keys(":net", "enter")
	p := tuitest.Top[*Page](h)
	var names []string
	for _, r := range p.list.Rows() {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, " "); got != "br-uplink default isolated-lab" {
		t.Fatalf("networks %q", got)
	}
	h.ScreenHas("› Networks", "NAME", "MODE", "SUBNETS", "VMS", "192.168.122.1/24", "isolated",
		"br-uplink on demo · bridge · bridge br0", "no IP of its own", "no VM's NIC uses it")
	if v := h.M.View(); strings.Count(v, "\n") != 23 {
		t.Fatalf("the screen is not 24 lines at 80x24:\n%s", v)
	}
	pick(p, "default")
	h.ScreenHas("default on demo · nat · bridge virbr0", "domain demo.lan",
		"IPv4 192.168.122.1/24 · DHCP 192.168.122.100-192.168.122.254 · 9 static hosts", "VMs on it: alpine-edge")
	// The VMS column names the VMs whose NICs use it, from their XML.
	d := h.VM("alpine-edge")
	if !strings.Contains(strings.Join(d.Networks, " "), "default") || len(d.MACs) == 0 {
		t.Fatalf("alpine-edge's NICs as listed: %v %v", d.Networks, d.MACs)
	}
	h.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	h.ScreenHas("BRIDGE", "virbr0", "virbr1")
	h.Keys("?")
	h.ScreenHas("Virtual networks (:net)", "stop the network (asks first)", "A network's DHCP and DNS (enter)")
	h.Keys("esc", "esc")
	if !h.OnList() {
		t.Fatal("esc did not go back to the list")
	}
}

// s, S, A and D act on the selected network, asking before what cuts
// guests off and naming the running ones.
func TestNetActionsOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":net", "enter")
	p := tuitest.Top[*Page](h)
	pick(p, "isolated-lab")
	h.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	h.Keys("s")
	h.MsgHas("isolated-lab is already active")
	h.Keys("S")
	h.ScreenHas("Stop network isolated-lab?", "5 running VMs are on it: db-primary, db-replica, k8s-cp-1", "they lose their link", "y  stop it", "n  keep it")
	h.Keys("n")
	h.MsgHas("cancelled")
	if r, _ := row(p, "isolated-lab"); !r.Active {
		t.Fatal("n stopped the network")
	}
	h.Keys("S", "y")
	h.MsgHas("stopped isolated-lab")
	if r, _ := row(p, "isolated-lab"); r.Active {
		t.Fatal("the network is still active")
	}
	h.Keys("s")
	h.MsgHas("started isolated-lab")
	h.Keys("A")
	h.MsgHas("isolated-lab starts with the host")
	if r, _ := row(p, "isolated-lab"); !r.Autostart {
		t.Fatal("autostart not set")
	}
	h.Keys("A")
	h.MsgHas("no longer starts with the host")
	h.Keys("D")
	h.ScreenHas("Delete network isolated-lab from libvirt?", "db-primary", "they will not start until", "It is stopped first.")
	h.Keys("esc")
	if _, ok := row(p, "isolated-lab"); !ok || p.list.Ask != nil {
		t.Fatal("esc did not keep the network")
	}
	pick(p, "br-uplink")
	h.Keys("D", "y")
	h.MsgHas("deleted network br-uplink")
	if _, ok := row(p, "br-uplink"); ok {
		t.Fatal("br-uplink is still listed")
	}
}

// n proposes a free subnet; a clash is refused on the form with the
// reason and defines nothing; a good one is defined, started and listed.
func TestNewNetworkFromThePage(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":net", "enter")
	p := tuitest.Top[*Page](h)
	pick(p, "default")
	h.Keys("n")
	f := tuitest.Top[*formpage.Page](h)
	h.ScreenHas("New network", "New network on demo", "network1", "192.168.100.1/24", "192.168.100.128-192.168.100.254")
	fill(t, f, "name", "lab2", "ipv4", "192.168.122.1/24")
	h.Keys("ctrl+s")
	h.ScreenHas("overlaps", "default")
	if _, ok := row(p, "lab2"); ok || h.M.Top() != f {
		t.Fatal("a clashing network was defined, or the form closed")
	}
	fill(t, f, "ipv4", "10.77.0.1/24", "mtu", "9000")
	h.Keys("ctrl+s")
	h.MsgHas("defined network lab2")
	if h.M.Top() != p {
		t.Fatalf("the form stayed open:\n%s", h.M.View())
	}
	r, ok := row(p, "lab2")
	if !ok || !r.Active || !r.Autostart || r.MTU != 9000 || strings.Join(r.Subnets(), " ") != "10.77.0.1/24" {
		t.Fatalf("lab2 as listed: %+v", r)
	}
	// esc on a typed form asks first.
	h.Keys("n")
	fill(t, tuitest.Top[*formpage.Page](h), "name", "gone")
	h.Keys("esc")
	h.ScreenHas("Discard what you typed?")
	h.Keys("y")
	if h.M.Top() != p {
		t.Fatal("y did not discard the form")
	}
}

// selectEntry puts the cursor on the row of a kind with that address
// ("" for the section's first row).
func selectEntry(e *entriesPage, kind entryKind, addr string) {
	e.list.Select(func(r entry) bool { return r.kind == kind && (addr == "" || entryAddr(r) == addr) })
}

func hosts(e *entriesPage) []string {
	var out []string
	for _, r := range e.list.Rows() {
		if r.host != nil {
			out = append(out, r.host.String())
		}
	}
	return out
}

// enter opens a network's ranges, static hosts, DNS records and leases;
// a, enter and D add, change and remove them through virNetworkUpdate.
func TestNetEntriesAddChangeRemove(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":net", "enter")
	pick(tuitest.Top[*Page](h), "default")
	h.Keys("enter")
	e := tuitest.Top[*entriesPage](h)
	h.ScreenHas("› default DHCP/DNS", "KIND", "range  192.168.122.100-254", "192.168.122.11      52:54:00:3e:10:01 web-01",
		"dns    no DNS record: a adds one", "lease  this driver cannot list leases")

	// A static host: the form proposes the first free address.
	selectEntry(e, kindHost, "")
	h.Keys("a")
	f := tuitest.Top[*formpage.Page](h)
	if v := f.Form.Fields[2].Input.Value(); v != "192.168.122.2" {
		t.Fatalf("proposed address %q", v)
	}
	fill(t, f, "mac", "52:54:00:aa:bb:cc", "name", "newhost", "ip", "192.168.122.11")
	h.Keys("ctrl+s")
	h.ScreenHas("192.168.122.11 is taken by static host")
	fill(t, f, "ip", "192.168.122.2")
	h.Keys("ctrl+s")
	h.MsgHas("added static host 52:54:00:aa:bb:cc newhost → 192.168.122.2 of default (live and in its definition)")
	if !strings.Contains(strings.Join(hosts(e), ","), "newhost → 192.168.122.2") {
		t.Fatalf("hosts %v", hosts(e))
	}
	// Change its address, then remove it (asking).
	selectEntry(e, kindHost, "192.168.122.2")
	h.Keys("enter")
	fill(t, tuitest.Top[*formpage.Page](h), "ip", "192.168.122.3")
	h.Keys("ctrl+s")
	h.MsgHas("changed static host 52:54:00:aa:bb:cc newhost → 192.168.122.3")
	selectEntry(e, kindHost, "192.168.122.3")
	h.Keys("D")
	h.ScreenHas("Remove static host 52:54:00:aa:bb:cc newhost → 192.168.122.3 from default?", "y  remove it")
	h.Keys("y")
	h.MsgHas("removed static host")
	if s := strings.Join(hosts(e), ","); strings.Contains(s, "newhost") || !strings.Contains(s, "web-01") {
		t.Fatalf("hosts after removal %v", hosts(e))
	}

	// The row standing for no lease has nothing to make static (it once
	// crashed the page).
	selectEntry(e, kindLease, "")
	for _, k := range []string{"enter", "a"} {
		h.Keys(k)
		h.MsgHas("no lease to make static: this driver cannot list leases")
		tuitest.Top[*entriesPage](h)
	}

	// A DNS record from the empty section's row, then a range change.
	selectEntry(e, kindDNS, "")
	h.Keys("a")
	fill(t, tuitest.Top[*formpage.Page](h), "ip", "192.168.122.50", "names", "nas nas.demo.lan")
	h.Keys("ctrl+s")
	h.MsgHas("added DNS record 192.168.122.50 nas nas.demo.lan of default")
	h.ScreenHas("dns    192.168.122.50")
	selectEntry(e, kindRange, "")
	h.Keys("enter")
	fill(t, tuitest.Top[*formpage.Page](h), "start", "192.168.122.1")
	h.Keys("ctrl+s")
	h.ScreenHas("includes an address it must leave out")
	fill(t, tuitest.Top[*formpage.Page](h), "start", "192.168.122.150")
	h.Keys("ctrl+s")
	h.MsgHas("changed DHCP range 192.168.122.150-192.168.122.254 of default")
	h.ScreenHas("range  192.168.122.150-254")
	h.Keys("esc")
	h.ScreenHas("DHCP 192.168.122.150-192.168.122.254") // the list below read it again
}

// A network without a subnet of its own has no DHCP to edit; a read-only
// session changes nothing.
func TestNetEntriesRefusals(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":net", "enter")
	pick(tuitest.Top[*Page](h), "br-uplink")
	h.Keys("enter")
	e := tuitest.Top[*entriesPage](h)
	selectEntry(e, kindHost, "")
	h.Keys("a")
	h.MsgHas("br-uplink has no subnet of its own")
	tuitest.Top[*entriesPage](h)
	selectEntry(e, kindLease, "")
	h.Keys("D")
	h.MsgHas("nothing to remove")

	ro := tuitest.New(t, true, tuitest.DemoURI(t))
	ro.Keys(":net", "enter")
	ro.ScreenLacks("S stop")
	for _, k := range []string{"n", "s", "S", "A", "D", "e"} {
		ro.Ctx().SetMsg("", false)
		ro.Keys(k)
		ro.MsgHas("read-only")
	}
	ro.Keys("enter")
	for _, k := range []string{"a", "e", "D"} {
		ro.Ctx().SetMsg("", false)
		ro.Keys(k)
		ro.MsgHas("read-only")
	}
}

// On the real daemon: a running network whose definition changed (an XML
// edit) shows it, is offered a restart when the edit is saved, and the
// restart applies the definition.
func TestNetRestartOfferOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	name := lt.Prefix + "restart"
	gone := func() {
		lt.Virsh(t, uri, "net-destroy", name)
		lt.Virsh(t, uri, "net-undefine", name)
	}
	gone()
	t.Cleanup(gone)
	file := filepath.Join(t.TempDir(), "n.xml")
	doc := "<network><name>" + name + "</name><bridge name='virbr-kt-rs'/><ip address='192.168.234.1' prefix='24'><dhcp><range start='192.168.234.100' end='192.168.234.200'/></dhcp></ip></network>"
	os.WriteFile(file, []byte(doc), 0o644)
	lt.MustVirsh(t, uri, "net-define", file)
	lt.MustVirsh(t, uri, "net-start", name)

	h := tuitest.New(t, false, uri)
	h.Keys(":net", "enter")
	p := tuitest.Top[*Page](h)
	if r, ok := row(p, name); !ok || !r.Active || r.Pending {
		t.Fatalf("a fresh network as listed: %+v", r)
	}
	// The edit, as the raw editor saves it, then its message.
	def := strings.Replace(lt.MustVirsh(t, uri, "net-dumpxml", "--inactive", name), "192.168.234.200", "192.168.234.210", 1)
	os.WriteFile(file, []byte(def), 0o644)
	lt.MustVirsh(t, uri, "net-define", file)
	h.Send(common.DefinedMsg{URI: uri, Kind: libvirtx.ObjNetwork, ID: name})
	h.ScreenHas("runs with settings older than its definition", "Restart it to apply them?", "y  restart it")
	pick(p, name)
	h.ScreenHas("changed", "R restarts it to apply them")
	h.Keys("y")
	h.MsgHas("restarted " + name)
	if r, _ := row(p, name); r.Pending || !r.Active {
		t.Fatalf("after the restart: %+v", r)
	}
	if x := lt.MustVirsh(t, uri, "net-dumpxml", name); !strings.Contains(x, "end='192.168.234.210'") {
		t.Fatalf("the running network did not take the definition:\n%s", x)
	}
	h.Keys("R")
	h.ScreenHas("Restart network " + name + "?")
	h.Keys("n")
}
