package hostifaces

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/libvirtx"
	"kvmtui/tui/tuitest"
)

func TestIfacePageOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":iface x", "enter")
	h.MsgHas("usage: iface")
	h.Keys(":iface", "enter")
	p := tuitest.Top[*Page](h)
	var names []string
	for _, i := range p.list.Rows() {
		names = append(names, i.Name)
	}
	if got := strings.Join(names, " "); got != "br0 eno2" {
		t.Fatalf("interfaces %q", got)
	}
	h.ScreenHas("› Host interfaces", "NAME", "TYPE", "PORTS / MASTER", "br0", "bridge", "eno1",
		"addresses: 192.168.1.20/24", "ports: eno1", "networks on it: br-uplink (guests bridged onto it)")
	p.list.Select(func(i libvirtx.HostIface) bool { return i.Name == "eno2" })
	h.ScreenHas("3c:ec:ef:6a:41:11 -", "no address", "no virtual network on it")
	h.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	h.ScreenHas("ADDRESSES", "192.168.1.20/24")
	h.Keys("r")
	if len(p.list.Rows()) != 2 {
		t.Fatal("r lost the interfaces")
	}
	h.Keys("esc")
	if !h.OnList() {
		t.Fatal("esc did not go back")
	}
}
