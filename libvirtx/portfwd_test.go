package libvirtx

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// passtVM is a definition with a passt NIC forwarding ports. (Debian 12's
// libvirt 9.0 refuses the passt backend, so these come from XML, not a
// daemon.)
func passtVM(t *testing.T, name, uuid, mac, forwards string) *libvirtxml.Domain {
	t.Helper()
	d := &libvirtxml.Domain{}
	doc := "<domain type='kvm'><name>" + name + "</name><uuid>" + uuid + "</uuid><devices>" +
		"<interface type='network'><mac address='52:54:00:00:00:99'/><source network='default'/></interface>" +
		"<interface type='user'><mac address='" + mac + "'/><backend type='passt'/>" + forwards + "</interface></devices></domain>"
	if err := d.Unmarshal(doc); err != nil {
		t.Fatal(err)
	}
	return d
}

// Forwards are listed per NIC; a forward on a port another NIC takes is
// refused naming it, one on another address or its own port is not.
func TestPortForwardsAndClashes(t *testing.T) {
	a := defForwards("qemu:///system", passtVM(t, "a", "u-a", "52:54:00:fa:00:01",
		"<portForward proto='tcp'><range start='2222' to='22'/></portForward><portForward proto='udp' address='127.0.0.1'><range start='5000' end='5010'/></portForward>"), true)
	b := defForwards("qemu:///system", passtVM(t, "b", "u-b", "52:54:00:fa:00:02",
		"<portForward proto='tcp'><range start='8080' to='80'/></portForward>"), false)
	all := append(a, b...)
	var got []string
	for _, f := range all {
		got = append(got, f.VM+" "+f.MAC+" "+f.Forward.String())
	}
	want := "a 52:54:00:fa:00:01 tcp *:2222 → 22,a 52:54:00:fa:00:01 udp 127.0.0.1:5000-5010 → same,b 52:54:00:fa:00:02 tcp *:8080 → 80"
	if strings.Join(got, ",") != want || all[0].NIC != 1 || !all[0].Running || all[2].Running {
		t.Fatalf("forwards %+v", all)
	}
	parse := func(s string) []devices.Forward {
		fs, err := devices.ParseForwards(s)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	if err := clashWith(all, "u-b", 1, parse("tcp:2222:2222")); err == nil || !strings.Contains(err.Error(), "a already forwards (NIC 52:54:00:fa:00:01: tcp *:2222 → 22)") {
		t.Fatalf("a clashing port: %v", err)
	}
	for _, ok := range []string{"udp:5005 address=127.0.0.2", "tcp:8080:81"} {
		if err := clashWith(all, "u-b", 1, parse(ok)); err != nil {
			t.Fatalf("%s: %v", ok, err)
		}
	}
	if err := clashWith(all, "u-b", -1, parse("tcp:8080:81")); err == nil {
		t.Fatal("a new NIC took a port the VM's other NIC forwards")
	}
}
