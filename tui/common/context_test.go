package common

import (
	"strings"
	"testing"

	"kvmtui/libvirtx"
)

func dom(uri, uuid, name string) libvirtx.Domain {
	return libvirtx.Domain{Ref: libvirtx.Ref{URI: uri, UUID: uuid, Name: name}}
}

// The context follows the events: inventories, a VM gone, a connection
// closed; names resolve to one VM, or say why not.
func TestContextFollowsEventsAndResolvesNames(t *testing.T) {
	mgr := libvirtx.NewManager(false)
	t.Cleanup(mgr.Close)
	c := NewContext(mgr, "")
	a, b := "qemu:///system", "qemu+ssh://root@db1/system"
	c.Apply([]libvirtx.Event{
		libvirtx.ConnEvent{URI: a, Status: libvirtx.Connected, Host: libvirtx.HostInfo{CPUs: 8}},
		libvirtx.ConnEvent{URI: b, Status: libvirtx.Connected},
		libvirtx.InventoryEvent{URI: a, Domains: []libvirtx.Domain{dom(a, "1", "web"), dom(a, "2", "db")}},
		libvirtx.InventoryEvent{URI: b, Domains: []libvirtx.Domain{dom(b, "3", "web")}},
	})
	if got := len(c.VMs("")); got != 3 || c.Label(b) != "db1" || c.Conns[a].Host.CPUs != 8 {
		t.Fatalf("%d VMs, label %q", got, c.Label(b))
	}
	if _, err := c.Resolve([]string{"web"}); err == nil || !strings.Contains(err.Error(), "exists on 2 connections") {
		t.Fatalf("an ambiguous name: %v", err)
	}
	if _, err := c.Resolve([]string{"nope"}); err == nil || !strings.Contains(err.Error(), `no VM named "nope"`) {
		t.Fatalf("an unknown name: %v", err)
	}
	if _, err := c.Resolve(nil); err == nil || err.Error() != "no VM selected" {
		t.Fatalf("no name, no selection: %v", err)
	}
	if got, err := c.Resolve([]string{"db"}); err != nil || len(got) != 1 || got[0].UUID != "2" {
		t.Fatalf("db: %v %v", got, err)
	}
	c.Apply([]libvirtx.Event{libvirtx.DomainEvent{Ref: libvirtx.Ref{URI: a, UUID: "2", Name: "db"}, Gone: true}})
	if _, ok := c.VM(a, "2"); ok {
		t.Fatal("a VM gone is still known")
	}
	c.Apply([]libvirtx.Event{libvirtx.ConnEvent{URI: b, Status: libvirtx.Closed}})
	if _, ok := c.Conns[b]; ok || len(c.VMs(b)) != 0 {
		t.Fatal("a closed connection or its VMs are still known")
	}
	if got, err := c.Resolve([]string{"web"}); err != nil || got[0].URI != a {
		t.Fatalf("web after db1 closed: %v %v", got, err)
	}
}

// A threshold alert does not push away the answer to what the user just did.
func TestAlertWaitsForTheUsersMessage(t *testing.T) {
	c := &Context{}
	c.SetMsg("started web", false)
	c.SetAlert("ALERT crit web CPU 99%", true)
	if c.Msg.Text != "started web" {
		t.Fatalf("the alert replaced the answer: %q", c.Msg.Text)
	}
	c.Msg.Text = ""
	c.SetAlert("ALERT crit web CPU 99%", true)
	if !c.Msg.Alert || !c.Msg.Err {
		t.Fatalf("alert not shown: %+v", c.Msg)
	}
}

// Connections whose short labels would read the same get longer ones; a
// lone connection keeps its short one.
func TestLabelsTellConnectionsApart(t *testing.T) {
	mgr := libvirtx.NewManager(false)
	t.Cleanup(mgr.Close)
	c := NewContext(mgr, "")
	for _, u := range []string{"test:///tmp/fleet/host01.xml", "test:///tmp/fleet/host02.xml",
		"qemu+ssh://db1/system", "qemu+ssh://db1/session", "qemu:///system", "lxc:///system", "qemu+ssh://web/system"} {
		c.Track(u)
	}
	want := map[string]string{
		"test:///tmp/fleet/host01.xml": "host01", "test:///tmp/fleet/host02.xml": "host02",
		"qemu+ssh://db1/system": "db1/system", "qemu+ssh://db1/session": "db1/session",
		"qemu:///system": "qemu/system", "lxc:///system": "lxc/system", "qemu+ssh://web/system": "web",
	}
	for u, w := range want {
		if got := c.Label(u); got != w {
			t.Errorf("label of %s = %q, want %q", u, got, w)
		}
	}
	c.Forget("qemu+ssh://db1/session")
	if got := c.Label("qemu+ssh://db1/system"); got != "db1" {
		t.Errorf("alone again, db1's system daemon is labelled %q, want db1", got)
	}
}
