package netdef

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

const defaultNet = `<network><name>default</name><forward mode='nat'/><bridge name='virbr0'/>
<ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/>
<host mac='52:54:00:00:00:05' name='web' ip='192.168.122.5'/></dhcp></ip>
<ip family='ipv6' address='fd00:122::1' prefix='64'/></network>`

func parse(t *testing.T, doc string) Net {
	t.Helper()
	x := &libvirtxml.Network{}
	if err := x.Unmarshal(doc); err != nil {
		t.Fatal(err)
	}
	return FromXML(x)
}

func TestFromXML(t *testing.T) {
	n := parse(t, defaultNet)
	if n.Mode != "nat" || n.Bridge != "virbr0" || strings.Join(n.Subnets(), " ") != "192.168.122.1/24 fd00:122::1/64" {
		t.Fatalf("%+v", n)
	}
	if len(n.IPs[0].Ranges) != 1 || n.IPs[0].Ranges[0].String() != "192.168.122.2-192.168.122.254" || n.IPs[0].Hosts[0].String() != "52:54:00:00:00:05 web → 192.168.122.5" {
		t.Fatalf("dhcp %+v", n.IPs[0])
	}
	mv := parse(t, `<network><name>m</name><forward mode='vepa'><interface dev='eth0'/><interface dev='eth1'/></forward></network>`)
	if mv.ModeText() != "macvtap (vepa)" || strings.Join(mv.Devs, ",") != "eth0,eth1" {
		t.Fatalf("macvtap %+v", mv)
	}
	if iso := parse(t, `<network><name>i</name></network>`); iso.ModeText() != "isolated" {
		t.Fatalf("isolated %q", iso.ModeText())
	}
}

// compact drops libvirtxml's indentation.
func compact(doc string) string { return regexp.MustCompile(`>\s+<`).ReplaceAllString(doc, "><") }

func host(t *testing.T) Host {
	return Host{Nets: []Net{parse(t, defaultNet)}, Ifaces: []string{"eth0", "br0", "virbr0"}, Bridges: []string{"br0", "virbr0"},
		Routes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("0.0.0.0/0")}}
}

func TestNewSpecProposesAFreeSubnetAndChecks(t *testing.T) {
	h := host(t)
	s := NewSpec(h)
	if s.Name != "network1" || s.IPv4.String() != "192.168.100.1/24" || s.DHCPv4.String() != "192.168.100.128-192.168.100.254" {
		t.Fatalf("proposal %+v", s)
	}
	if err := s.Check(h); err != nil {
		t.Fatal(err)
	}
	doc, err := s.XML()
	doc = compact(doc)
	if err != nil || !strings.Contains(doc, `<ip address="192.168.100.1" prefix="24"><dhcp><range start="192.168.100.128" end="192.168.100.254"></range></dhcp></ip>`) || strings.Contains(doc, "<forward") {
		t.Fatalf("xml %s %v", doc, err)
	}
}

func TestSpecRefusals(t *testing.T) {
	h := host(t)
	for _, c := range []struct {
		field, value, want string
	}{
		{"name", "bad name", "invalid network name"},
		{"ipv4", "192.168.5.0/24", "not a host address"},
		{"ipv4", "192.168.5.1/31", "prefix must be 8 to 30"},
		{"ipv4", "fd00::1/64", "not an IPv4 address"},
		{"ipv6", "fd00::1/48", "IPv6 prefix must be 64"},
		{"dhcp4", "192.168.5.9-192.168.5.2", "must come before"},
		{"mtu", "40", "68 to 65535"},
		{"mode", "tunnel", "mode must be one of"},
		{"bridge", "a-very-long-bridge-name", "invalid interface name"},
	} {
		s := NewSpec(h)
		before := s.Get(c.field)
		err := s.Set(c.field, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: %v, want %q", c.field, c.value, err, c.want)
		}
		if s.Get(c.field) != before {
			t.Errorf("%s=%q changed the value to %q", c.field, c.value, s.Get(c.field))
		}
	}
	for _, c := range []struct {
		sets [][2]string
		want string
	}{
		{[][2]string{{"name", "default"}}, "a network named default already exists"},
		{[][2]string{{"ipv4", "192.168.122.77/25"}}, "overlaps network default's 192.168.122.0/24"},
		{[][2]string{{"ipv4", "10.9.0.1/16"}}, "overlaps the host route to 10.0.0.0/8"},
		{[][2]string{{"ipv6", "fd00:122::9/64"}}, "overlaps network default's fd00:122::/64"},
		{[][2]string{{"dhcp4", "192.168.101.2-192.168.101.9"}}, "not inside one of"},
		{[][2]string{{"dhcp4", "192.168.100.1-192.168.100.9"}}, "192.168.100.1 is the host's own address"},
		{[][2]string{{"bridge", "virbr0"}}, "bridge virbr0 is in use by network default"},
		{[][2]string{{"bridge", "eth0"}}, "in use by a host interface"},
		{[][2]string{{"mode", "bridge"}, {"hostbridge", "br9"}}, "the host has no bridge br9 (it has br0, virbr0)"},
		{[][2]string{{"mode", "macvtap"}, {"devs", "eth0,eth7"}}, "the host has no interface eth7"},
		{[][2]string{{"mode", "route"}, {"dev", "wlan0"}}, "the host has no interface wlan0"},
		{[][2]string{{"mode", "open"}, {"ipv4", ""}}, "an open network needs an IP address"},
	} {
		s := NewSpec(h)
		for _, kv := range c.sets {
			if err := s.Set(kv[0], kv[1]); err != nil {
				t.Fatalf("%v: %v", kv, err)
			}
		}
		if err := s.Check(h); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.sets, err, c.want)
		}
	}
}

func TestSpecXMLPerMode(t *testing.T) {
	h := host(t)
	for _, c := range []struct {
		sets [][2]string
		want string
	}{
		{[][2]string{{"mode", "nat"}, {"dev", "eth0"}}, `<forward mode="nat" dev="eth0">`},
		{[][2]string{{"mode", "bridge"}, {"hostbridge", "br0"}}, `<forward mode="bridge"></forward><bridge name="br0"></bridge>`},
		{[][2]string{{"mode", "macvtap"}, {"devs", "eth0"}, {"submode", "vepa"}}, `<forward mode="vepa"><interface dev="eth0"></interface></forward>`},
		{[][2]string{{"mode", "hostdev"}, {"dev", "eth0"}}, `<forward mode="hostdev" managed="yes"><pf dev="eth0"></pf></forward>`},
		{[][2]string{{"ipv6", "fd00:7::1/64"}, {"dhcp6", "fd00:7::100-fd00:7::1ff"}, {"domain", "lab.test"}, {"mtu", "9000"}},
			`<mtu size="9000"></mtu><domain name="lab.test" localOnly="yes"></domain>`},
	} {
		s := NewSpec(h)
		for _, kv := range c.sets {
			if err := s.Set(kv[0], kv[1]); err != nil {
				t.Fatalf("%v: %v", kv, err)
			}
		}
		if err := s.Check(h); err != nil {
			t.Fatalf("%v: %v", c.sets, err)
		}
		doc, _ := s.XML()
		if doc = compact(doc); !strings.Contains(doc, c.want) {
			t.Errorf("%v: %s lacks %s", c.sets, doc, c.want)
		}
	}
}

func TestStaticHostAndRangeChecks(t *testing.T) {
	n := parse(t, defaultNet)
	if _, err := ParseStaticHost("52:54:00:00:00:09", "", "fd00:122::9"); err == nil || !strings.Contains(err.Error(), "matched by name") {
		t.Errorf("IPv6 with MAC: %v", err)
	}
	if _, err := ParseStaticHost("01:00:00:00:00:01", "x", "192.168.122.9"); err == nil || !strings.Contains(err.Error(), "multicast") {
		t.Errorf("multicast MAC: %v", err)
	}
	for _, c := range []struct{ mac, name, ip, want string }{
		{"52:54:00:00:00:09", "", "192.168.123.9", "in none of default's subnets"},
		{"52:54:00:00:00:09", "", "192.168.122.5", "192.168.122.5 is taken by static host"},
		{"52:54:00:00:00:05", "", "192.168.122.9", "already has a static address"},
		{"52:54:00:00:00:09", "web", "192.168.122.9", "name web already has"},
		{"52:54:00:00:00:09", "", "192.168.122.255", "broadcast address"},
		{"52:54:00:00:00:09", "", "192.168.122.1", "the host's own address"},
	} {
		h, err := ParseStaticHost(c.mac, c.name, c.ip)
		if err == nil {
			err = n.CheckStaticHost(h, StaticHost{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v", c, err)
		}
	}
	old := n.IPs[0].Hosts[0]
	moved, _ := ParseStaticHost(old.MAC, old.Name, "192.168.122.6")
	if err := n.CheckStaticHost(moved, old); err != nil {
		t.Errorf("changing a host's own address: %v", err)
	}
	r, _ := ParseRange("192.168.122.100-192.168.122.120")
	if err := n.CheckRange(r, Range{}); err == nil || !strings.Contains(err.Error(), "overlaps range 192.168.122.2-192.168.122.254") {
		t.Errorf("overlapping range: %v", err)
	}
	if err := n.CheckRange(r, n.IPs[0].Ranges[0]); err != nil {
		t.Errorf("replacing the range: %v", err)
	}
	if _, err := ParseDNSHost("192.168.122.9", "bad_name"); err == nil {
		t.Error("bad DNS name accepted")
	}
	doc, _ := StaticHostXML(moved)
	if doc != `<host mac="52:54:00:00:00:05" name="web" ip="192.168.122.6"></host>` {
		t.Errorf("host xml %s", doc)
	}
}

func TestFreeAddr(t *testing.T) {
	n := parse(t, `<network><name>n</name><ip address='192.168.5.1' prefix='24'><dhcp><range start='192.168.5.2' end='192.168.5.9'/>
<host mac='52:54:00:00:00:0a' ip='192.168.5.10'/></dhcp></ip></network>`)
	if a := n.FreeAddr(); a.String() != "192.168.5.11" {
		t.Fatalf("free address %v, want 192.168.5.11", a)
	}
	if a := parse(t, defaultNet).FreeAddr(); a.IsValid() {
		t.Fatalf("the default network's range takes every address, got %v", a)
	}
}

// Static hosts and DNS records given with a new network are checked as
// the entries page checks them, and land in its <dhcp> and <dns>.
func TestSpecHostsAndDNS(t *testing.T) {
	h := host(t)
	s := NewSpec(h)
	for _, bad := range []struct{ field, value, want string }{
		{"hosts", "192.168.100.10", "give IP MAC [name]"},
		{"hosts", "192.168.100.10 zz:zz", "zz:zz"},
		{"dns", "192.168.100.5", "at least one name"},
	} {
		if err := s.Set(bad.field, bad.value); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s=%q: %v, want %q", bad.field, bad.value, err, bad.want)
		}
	}
	must := func(field, value string) {
		t.Helper()
		if err := s.Set(field, value); err != nil {
			t.Fatal(err)
		}
	}
	must("hosts", "192.168.100.10 52:54:00:12:34:56 web, 192.168.100.11 db")
	must("dns", "192.168.100.5 nas nas.lab")
	if err := s.Check(h); err != nil {
		t.Fatal(err)
	}
	doc, err := s.XML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<host mac="52:54:00:12:34:56" name="web" ip="192.168.100.10"></host>`, `<host name="db" ip="192.168.100.11"></host>`,
		`<dns><host ip="192.168.100.5"><hostname>nas</hostname><hostname>nas.lab</hostname></host></dns>`} {
		if !strings.Contains(compact(doc), want) {
			t.Fatalf("lacks %s:\n%s", want, doc)
		}
	}
	if got := s.Get("hosts"); got != "192.168.100.10 52:54:00:12:34:56 web, 192.168.100.11 db" {
		t.Fatalf("hosts shown as %q", got)
	}
	for _, c := range []struct{ hosts, want string }{
		{"192.168.100.10 52:54:00:12:34:56 a, 192.168.100.10 52:54:00:12:34:57 b", "192.168.100.10 is taken"},
		{"10.1.1.1 52:54:00:12:34:56", "in none of"},
		{"192.168.100.1 52:54:00:12:34:56", "the host's own address"},
	} {
		must("hosts", c.hosts)
		if err := s.Check(h); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.hosts, err, c.want)
		}
	}
	must("hosts", "192.168.100.10 52:54:00:12:34:56")
	must("dhcp4", "")
	if err := s.Check(h); err == nil || !strings.Contains(err.Error(), "has no DHCP range") {
		t.Fatalf("a static host without DHCP: %v", err)
	}
}
