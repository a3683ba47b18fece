package libvirtx

import (
	"strings"
	"testing"

	"kvmtui/netdef"
)

func network(t *testing.T, m *Manager, uri, name string) Network {
	t.Helper()
	ns, err := m.Networks(uri)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no network %s in %+v", name, ns)
	return Network{}
}

func mustStatic(t *testing.T, mac, name, ip string) *netdef.StaticHost {
	t.Helper()
	h, err := netdef.ParseStaticHost(mac, name, ip)
	if err != nil {
		t.Fatal(err)
	}
	return &h
}

// The test driver's default network: listed, then a network defined next
// to it, edited live and removed.
func TestNetworksOnTestDriver(t *testing.T) {
	m, _ := connectTest(t, false)
	const uri = "test:///default"
	d := network(t, m, uri, "default")
	if !d.Active || d.Mode != "nat" || d.Bridge != "virbr0" || strings.Join(d.Subnets(), ",") != "192.168.122.1/24" {
		t.Fatalf("default = %+v", d)
	}
	h, err := m.NetHost(uri)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Ifaces) == 0 || h.Ifaces[0] != "eth1" || len(h.Routes) != 0 {
		t.Fatalf("host %+v: want the test driver's eth1 and no local routes", h)
	}
	s := netdef.NewSpec(h)
	if err := s.Set("ipv4", "192.168.122.9/24"); err != nil {
		t.Fatal(err)
	}
	if err := m.DefineNetwork(uri, s); err == nil || !strings.Contains(err.Error(), "overlaps network default's 192.168.122.0/24") {
		t.Fatalf("overlap: %v", err)
	}
	if len(mustNetworks(t, m, uri)) != 1 {
		t.Fatal("a refused network was defined")
	}
	_ = s.Set("ipv4", "192.168.77.1/24")
	_ = s.Set("dhcp4", "192.168.77.100-192.168.77.200")
	if err := m.DefineNetwork(uri, s); err != nil {
		t.Fatal(err)
	}
	n := network(t, m, uri, s.Name)
	if !n.Active || !n.Autostart || n.Mode != "isolated" {
		t.Fatalf("new network %+v: want active, autostart, isolated", n)
	}
	live, err := m.EditNetwork(uri, s.Name, NetEdit{Op: NetAdd, Host: mustStatic(t, "52:54:00:77:00:01", "g1", "192.168.77.10")})
	if err != nil || !live {
		t.Fatalf("add host: live %v, %v", live, err)
	}
	if hs := network(t, m, uri, s.Name).IPs[0].Hosts; len(hs) != 1 || hs[0].IP.String() != "192.168.77.10" {
		t.Fatalf("hosts after add %+v", hs)
	}
	if _, err := m.EditNetwork(uri, s.Name, NetEdit{Op: NetAdd, Host: mustStatic(t, "52:54:00:77:00:02", "", "192.168.77.10")}); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("a taken address: %v", err)
	}
	if err := m.DoNet(uri, s.Name, NetUndefine); err != nil {
		t.Fatal(err)
	}
	if len(mustNetworks(t, m, uri)) != 1 {
		t.Fatal("delete left the network")
	}
	if err := m.DoNet(uri, "nope", NetStart); err == nil || !strings.Contains(err.Error(), `no network "nope"`) {
		t.Fatalf("unknown network: %v", err)
	}
}

func mustNetworks(t *testing.T, m *Manager, uri string) []Network {
	t.Helper()
	ns, err := m.Networks(uri)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}
