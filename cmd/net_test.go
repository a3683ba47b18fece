package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestNetCommandsOnTheDemoHost(t *testing.T) {
	code, out, errOut := run(t, "--demo", "net", "list", "--format", "json")
	var nets []netJSON
	if code != 0 || json.Unmarshal([]byte(out), &nets) != nil || len(nets) != 3 {
		t.Fatalf("net list: %d %s %s", code, out, errOut)
	}
	def := nets[1]
	if def.Name != "default" || def.Mode != "nat" || strings.Join(def.Subnets, " ") != "192.168.122.1/24" ||
		len(def.Hosts) != 9 || def.Leases != nil || !strings.Contains(strings.Join(def.VMs, " "), "web-01") {
		t.Fatalf("default as listed: %+v", def)
	}
	for _, c := range []struct {
		args       []string
		code       int
		out, error string
	}{
		{[]string{"net", "define", "--name", "lab9", "--ipv4", "10.9.0.1/24", "--mtu", "9000"}, 0, "defined network lab9", ""},
		{[]string{"net", "define", "--name", "lab9", "--ipv4", "192.168.122.1/24"}, 1, "", "overlaps network default's 192.168.122.0/24"},
		{[]string{"net", "define", "--name", "default"}, 1, "", "default"},
		{[]string{"net", "define", "--name", "x", "--ipv4", "10.9.0.1/33"}, 2, "", "--ipv4 \"10.9.0.1/33\""},
		{[]string{"net", "define", "--name", "x", "--mode", "bridge", "--hostbridge", "nosuchbr"}, 1, "", "nosuchbr"},
		{[]string{"net", "dhcp-host", "add", "default", "--mac", "52:54:00:aa:10:01", "--name", "x", "--ip", "192.168.122.9"}, 0,
			"added static host 52:54:00:aa:10:01 x → 192.168.122.9 of default (live and in its definition)", ""},
		{[]string{"net", "dhcp-host", "add", "default", "--mac", "52:54:00:3e:10:01", "--ip", "192.168.122.99"}, 1, "", "MAC 52:54:00:3e:10:01 already has a static address"},
		{[]string{"net", "dhcp-host", "add", "default", "--mac", "52:54:00:aa:10:01", "--ip", "10.1.1.1"}, 1, "", "10.1.1.1 is in none of default's subnets"},
		{[]string{"net", "dhcp-host", "add", "default", "--mac", "zz", "--ip", "192.168.122.9"}, 2, "", "zz"},
		{[]string{"net", "dhcp-host", "remove", "default", "--name", "web-01"}, 0, "removed static host 52:54:00:3e:10:01 web-01 → 192.168.122.11", ""},
		{[]string{"net", "dhcp-host", "remove", "default", "--name", "nobody"}, 1, "", "default has no such static host"},
		{[]string{"net", "stop", "--yes", "isolated-lab"}, 0, "isolated-lab: VMs on it: db-primary", ""},
		{[]string{"net", "start", "isolated-lab"}, 1, "", "already active"},
		{[]string{"net", "delete", "--yes", "nope"}, 1, "", `no network named "nope"`},
		{[]string{"net", "autostart", "on", "isolated-lab"}, 0, "", ""},
		{[]string{"net", "autostart", "maybe", "isolated-lab"}, 2, "", "usage: kvmtui net autostart on|off NET..."},
		{[]string{"net", "list", "--format", "xml"}, 2, "", `--format "xml": expected table or json`},
		{[]string{"--readonly", "net", "stop", "--yes", "default"}, 1, "", "read-only"},
	} {
		code, out, errOut := run(t, append([]string{"--demo"}, c.args...)...)
		if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.error) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q\nwant exit %d, %q, %q", c.args, code, out, errOut, c.code, c.out, c.error)
		}
	}
}

// On the real daemon: an isolated network with IPv4 and IPv6 is defined
// and started, gets a static host live, lists its (empty) leases, and is
// stopped and deleted; each step checked with virsh.
func TestNetCommandsOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	name := lt.Prefix + "clinet"
	gone := func() {
		lt.Virsh(t, uri, "net-destroy", name)
		lt.Virsh(t, uri, "net-undefine", name)
	}
	gone()
	t.Cleanup(gone)
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append([]string{"-c", uri}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	must("net", "define", "--name", name, "--bridge", "virbr-kt-cli", "--ipv4", "192.168.233.1/24", "--ipv6", "fd00:233::1/64", "--autostart", "no",
		"--hosts", "192.168.233.20 52:54:00:12:34:20 pre, fd00:233::20 pre6", "--dns", "192.168.233.5 nas nas.lab")
	x := lt.MustVirsh(t, uri, "net-dumpxml", name)
	for _, want := range []string{"<range start='192.168.233.128' end='192.168.233.254'", "<ip family='ipv6' address='fd00:233::1' prefix='64'>",
		"<host mac='52:54:00:12:34:20' name='pre' ip='192.168.233.20'/>", "<host name='pre6' ip='fd00:233::20'/>",
		"<hostname>nas.lab</hostname>"} {
		if !strings.Contains(x, want) {
			t.Fatalf("lacks %s:\n%s", want, x)
		}
	}
	if info := lt.MustVirsh(t, uri, "net-info", name); !strings.Contains(info, "Active:         yes") || !strings.Contains(info, "Autostart:      no") {
		t.Fatalf("net-info:\n%s", info)
	}
	must("net", "dhcp-host", "add", name, "--mac", "52:54:00:12:34:99", "--name", "cli", "--ip", "192.168.233.9")
	host := "<host mac='52:54:00:12:34:99' name='cli' ip='192.168.233.9'/>"
	if !strings.Contains(lt.MustVirsh(t, uri, "net-dumpxml", name), host) || !strings.Contains(lt.MustVirsh(t, uri, "net-dumpxml", "--inactive", name), host) {
		t.Fatal("the static host is not live and defined")
	}
	if out := must("net", "leases", name, "--format", "json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("leases of a network without guests: %s", out)
	}
	must("net", "dhcp-host", "remove", name, "--ip", "192.168.233.9")
	if strings.Contains(lt.MustVirsh(t, uri, "net-dumpxml", "--inactive", name), "name='cli'") {
		t.Fatal("the static host is still defined")
	}
	// A changed definition shows as pending until a restart applies it.
	pending := func() bool {
		var nets []netJSON
		if err := json.Unmarshal([]byte(must("net", "list", "--format", "json")), &nets); err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(nets, func(n netJSON) bool { return n.Name == name })
		return i >= 0 && nets[i].Pending
	}
	if pending() {
		t.Fatal("a fresh network is pending a restart")
	}
	file := filepath.Join(t.TempDir(), "n.xml")
	os.WriteFile(file, []byte(strings.Replace(lt.MustVirsh(t, uri, "net-dumpxml", "--inactive", name), "192.168.233.254", "192.168.233.250", 1)), 0o644)
	lt.MustVirsh(t, uri, "net-define", file)
	if !pending() {
		t.Fatal("the changed definition is not pending")
	}
	must("net", "restart", "--yes", name)
	if pending() || !strings.Contains(lt.MustVirsh(t, uri, "net-dumpxml", name), "end='192.168.233.250'") {
		t.Fatal("the restart did not apply the definition")
	}
	must("net", "stop", "--yes", name)
	if info := lt.MustVirsh(t, uri, "net-info", name); !strings.Contains(info, "Active:         no") {
		t.Fatalf("still active:\n%s", info)
	}
	must("net", "delete", "--yes", name)
	if _, err := lt.Virsh(t, uri, "net-info", name); err == nil {
		t.Fatal("still defined")
	}
}
