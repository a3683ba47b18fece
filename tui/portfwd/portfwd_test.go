package portfwd

import (
	"testing"

	"kvmtui/tui/tuitest"
)

// The demo host's VMs forward no port (its libvirt, like Debian 12's, has
// no passt backend): the page says what would.
func TestPortsPageOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":ports x", "enter")
	h.MsgHas("usage: ports")
	h.Keys(":ports", "enter")
	tuitest.Top[*Page](h)
	h.ScreenHas("› Port forwards", "VM", "FORWARD", "no VM forwards a port: a user NIC with the passt backend can")
	h.Keys("enter") // nothing selected: nothing happens
	h.Keys("esc")
	if !h.OnList() {
		t.Fatal("esc did not go back")
	}
}
