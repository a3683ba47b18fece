package libvirtx

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/netdef"
)

// connectReal connects to the real daemon and waits for its inventory.
func connectReal(t *testing.T) (*Manager, string) {
	t.Helper()
	uri := lt.URI(t)
	m := NewManager(false)
	t.Cleanup(m.Close)
	if err := m.Add(uri); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 30*time.Second, func(e Event) bool { i, ok := e.(InventoryEvent); return ok && !i.Partial })
	return m, uri
}

// removeNetworkAfter stops and undefines a test network however the test ends.
func removeNetworkAfter(t *testing.T, uri, name string) {
	t.Cleanup(func() {
		_, _ = lt.Virsh(t, uri, "net-destroy", name)
		_, _ = lt.Virsh(t, uri, "net-undefine", name)
	})
}

func spec(t *testing.T, m *Manager, uri, name string, sets ...string) *netdef.Spec {
	t.Helper()
	h, err := m.NetHost(uri)
	if err != nil {
		t.Fatal(err)
	}
	s := netdef.NewSpec(h)
	s.Name, s.Start, s.Auto = name, false, false
	for i := 0; i+1 < len(sets); i += 2 {
		if err := s.Set(sets[i], sets[i+1]); err != nil {
			t.Fatalf("%s=%s: %v", sets[i], sets[i+1], err)
		}
	}
	return s
}

// Every forward mode is defined on the real daemon (none but the isolated
// one is started: tests never start forwarding networks) and virsh reads
// back what the form chose.
func TestRealNetworkKinds(t *testing.T) {
	m, uri := connectReal(t)
	iso := lt.Prefix + "net-iso"
	removeNetworkAfter(t, uri, iso)
	s := spec(t, m, uri, iso, "bridge", "virbr-kt-iso", "ipv4", "192.168.231.1/24", "dhcp4", "192.168.231.100-192.168.231.150",
		"ipv6", "fd00:231::1/64", "domain", "kt.test", "mtu", "1400", "start", "yes")
	if err := m.DefineNetwork(uri, s); err != nil {
		t.Fatalf("an isolated network with DHCP did not start here (iptables and dnsmasq-base come with make test): %v", err)
	}
	dump := lt.MustVirsh(t, uri, "net-dumpxml", iso)
	for _, want := range []string{"<bridge name='virbr-kt-iso'", "<mtu size='1400'/>", "<domain name='kt.test' localOnly='yes'/>",
		"<ip address='192.168.231.1' prefix='24'>", "<range start='192.168.231.100' end='192.168.231.150'/>", "<ip family='ipv6' address='fd00:231::1' prefix='64'>"} {
		if !strings.Contains(dump, want) {
			t.Errorf("net-dumpxml lacks %s:\n%s", want, dump)
		}
	}
	if strings.Contains(dump, "<forward") {
		t.Errorf("an isolated network got a <forward>:\n%s", dump)
	}
	if info := lt.MustVirsh(t, uri, "net-info", iso); !regexpLine(info, "Active:", "yes") {
		t.Fatalf("not active:\n%s", info)
	}
	if out, _ := exec.Command("ip", "-o", "addr", "show", "dev", "virbr-kt-iso").CombinedOutput(); !strings.Contains(string(out), "192.168.231.1/24") {
		t.Fatalf("the bridge has not the network's address: %s", out)
	}

	// The bridge is the host's now: a second network cannot take its name or subnet.
	dup := spec(t, m, uri, lt.Prefix+"net-dup", "bridge", "virbr-kt-iso")
	if err := m.DefineNetwork(uri, dup); err == nil || !strings.Contains(err.Error(), "bridge virbr-kt-iso is in use by network "+iso) {
		t.Fatalf("a bridge in use: %v", err)
	}
	dup = spec(t, m, uri, lt.Prefix+"net-dup", "ipv4", "192.168.231.200/25", "dhcp4", "")
	if err := m.DefineNetwork(uri, dup); err == nil || !strings.Contains(err.Error(), "overlaps network "+iso+"'s 192.168.231.0/24") {
		t.Fatalf("an overlapping subnet: %v", err)
	}
	if _, err := lt.Virsh(t, uri, "net-info", dup.Name); err == nil {
		t.Fatal("a refused network was defined")
	}

	for _, c := range []struct {
		sets []string
		want string
	}{
		{[]string{"mode", "nat", "ipv4", "192.168.232.1/24"}, "<forward mode='nat'"},
		{[]string{"mode", "route", "ipv4", "192.168.233.1/24", "dev", "eth0"}, "<forward dev='eth0' mode='route'>"},
		{[]string{"mode", "open", "ipv4", "192.168.234.1/24"}, "<forward mode='open'/>"},
		{[]string{"mode", "bridge", "hostbridge", "virbr-kt-iso"}, "<bridge name='virbr-kt-iso'/>"},
		{[]string{"mode", "macvtap", "devs", "eth0", "submode", "vepa"}, "<interface dev='eth0'/>"},
		{[]string{"mode", "hostdev", "dev", "eth0"}, "<forward mode='hostdev' managed='yes'>"},
	} {
		name := lt.Prefix + "net-" + c.sets[1]
		removeNetworkAfter(t, uri, name)
		if err := m.DefineNetwork(uri, spec(t, m, uri, name, c.sets...)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if dump := lt.MustVirsh(t, uri, "net-dumpxml", name); !strings.Contains(dump, c.want) {
			t.Errorf("%s lacks %s:\n%s", name, c.want, dump)
		}
		if n := network(t, m, uri, name); n.Mode != c.sets[1] || n.Active {
			t.Errorf("%s listed as %+v", name, n)
		}
	}
}

func regexpLine(out, key, want string) bool {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == key {
			return f[1] == want
		}
	}
	return false
}

// Static hosts, ranges and DNS records change on the running network and
// in its definition at once, and libvirt's own lease file is read back.
func TestRealNetworkLiveEditsAndLeases(t *testing.T) {
	m, uri := connectReal(t)
	name := lt.Prefix + "net-live"
	removeNetworkAfter(t, uri, name)
	if err := m.DefineNetwork(uri, spec(t, m, uri, name, "bridge", "virbr-kt-live", "ipv4", "192.168.235.1/24", "dhcp4", "192.168.235.100-192.168.235.150", "start", "yes")); err != nil {
		t.Fatal(err)
	}
	both := func(want string, present bool) {
		t.Helper()
		for _, args := range [][]string{{"net-dumpxml", name}, {"net-dumpxml", "--inactive", name}} {
			if got := strings.Contains(lt.MustVirsh(t, uri, args...), want); got != present {
				t.Fatalf("%v: %s present %v, want %v", args, want, got, present)
			}
		}
	}
	edit := func(e NetEdit) {
		t.Helper()
		live, err := m.EditNetwork(uri, name, e)
		if err != nil || !live {
			t.Fatalf("%+v: live %v, %v", e, live, err)
		}
	}
	h1 := mustStatic(t, "52:54:00:23:50:01", "g1", "192.168.235.10")
	edit(NetEdit{Op: NetAdd, Host: h1})
	both("<host mac='52:54:00:23:50:01' name='g1' ip='192.168.235.10'/>", true)
	h2 := mustStatic(t, "52:54:00:23:50:01", "g1", "192.168.235.11") // same MAC: modified in place
	edit(NetEdit{Op: NetChange, Host: h2, Old: h1})
	both("ip='192.168.235.11'", true)
	both("ip='192.168.235.10'", false)
	h3 := mustStatic(t, "52:54:00:23:50:02", "g2", "192.168.235.11") // a new MAC: removed and added
	edit(NetEdit{Op: NetChange, Host: h3, Old: h2})
	both("<host mac='52:54:00:23:50:02' name='g2' ip='192.168.235.11'/>", true)
	both("52:54:00:23:50:01", false)
	if _, err := m.EditNetwork(uri, name, NetEdit{Op: NetAdd, Host: mustStatic(t, "52:54:00:23:50:03", "", "192.168.236.5")}); err == nil || !strings.Contains(err.Error(), "in none of") {
		t.Fatalf("an address outside the subnet: %v", err)
	}
	edit(NetEdit{Op: NetRemove, Old: h3})
	both("52:54:00:23:50:02", false)

	r0, _ := netdef.ParseRange("192.168.235.100-192.168.235.150")
	r1, _ := netdef.ParseRange("192.168.235.160-192.168.235.170")
	edit(NetEdit{Op: NetChange, Range: &r1, OldRange: &r0})
	both("<range start='192.168.235.160' end='192.168.235.170'/>", true)
	both("192.168.235.100", false)

	d1, _ := netdef.ParseDNSHost("192.168.235.20", "db db.kt.test")
	edit(NetEdit{Op: NetAdd, DNS: &d1})
	both("<hostname>db.kt.test</hostname>", true)
	d2, _ := netdef.ParseDNSHost("192.168.235.20", "database")
	edit(NetEdit{Op: NetChange, DNS: &d2, OldDNS: &d1})
	both("<hostname>database</hostname>", true)
	both("db.kt.test", false)
	edit(NetEdit{Op: NetRemove, OldDNS: &d2})
	both("database", false)

	// A lease as libvirt's dnsmasq helper records it, in the file libvirt
	// reads for virNetworkGetDHCPLeases (no guest sends traffic).
	status := filepath.Join("/var/lib/libvirt/dnsmasq", "virbr-kt-live.status")
	expiry := time.Now().Add(time.Hour).Unix()
	doc, _ := json.Marshal([]map[string]any{{"ip-address": "192.168.235.161", "mac-address": "52:54:00:23:50:09", "hostname": "guest9", "expiry-time": expiry}})
	if err := os.WriteFile(status, doc, 0o644); err != nil {
		lt.NotRun(t, "NETWORK-LEASES", fmt.Sprintf("cannot write libvirt's lease file (run make test as root): %v", err))
	}
	ls, err := m.Leases(uri, name)
	if err != nil || len(ls) != 1 || ls[0].MAC != "52:54:00:23:50:09" || ls[0].IP != "192.168.235.161" || ls[0].Hostname != "guest9" || ls[0].Expiry.Unix() != expiry {
		t.Fatalf("leases %+v, %v", ls, err)
	}
	if n := network(t, m, uri, name); n.Leases != 1 {
		t.Fatalf("lease count %d", n.Leases)
	}

	if err := m.DoNet(uri, name, NetStop); err != nil {
		t.Fatal(err)
	}
	live, err := m.EditNetwork(uri, name, NetEdit{Op: NetAdd, Host: h1})
	if err != nil || live {
		t.Fatalf("an edit of a stopped network: live %v, %v", live, err)
	}
	if !strings.Contains(lt.MustVirsh(t, uri, "net-dumpxml", "--inactive", name), "52:54:00:23:50:01") {
		t.Fatal("the stopped network's definition did not change")
	}
}

// The host's interfaces are known by name, as ip link lists them.
func TestRealNetHostInterfaces(t *testing.T) {
	m, uri := connectReal(t)
	h, err := m.NetHost(uri)
	if err != nil {
		t.Fatal(err)
	}
	ifs, err := m.HostIfaces(uri)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ip", "-o", "link").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		if !slices.Contains(h.Ifaces, name) {
			t.Errorf("ip link has %s; kvmtui knows %v", name, h.Ifaces)
		}
		// The interfaces page: the same name with the same MAC and MTU.
		i := slices.IndexFunc(ifs, func(i HostIface) bool { return i.Name == name })
		if i < 0 || !strings.Contains(l, " "+ifs[i].MAC+" ") || !strings.Contains(l, fmt.Sprintf(" mtu %d ", ifs[i].MTU)) {
			t.Errorf("ip link says %q; the interfaces page %+v", l, ifs)
		}
	}
	rt, _ := exec.Command("ip", "-4", "route", "show", "scope", "link").Output()
	for _, l := range strings.Split(strings.TrimSpace(string(rt)), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.Contains(l, "virbr") {
			continue
		}
		if !slices.ContainsFunc(h.Routes, func(p netip.Prefix) bool { return p.String() == f[0] }) {
			t.Errorf("ip route has %s; kvmtui knows %v", f[0], h.Routes)
		}
	}
}
