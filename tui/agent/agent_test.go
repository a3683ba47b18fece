package agent

import (
	"strings"
	"testing"

	"kvmtui/libvirtx"
	"kvmtui/tui/tuitest"
)

// i on the demo host: the test driver has no guest agent, and the page
// says libvirt's words; a shut-off VM's page says the agent runs inside it.
func TestAgentPageOnTheDemoHost(t *testing.T) {
	h := tuitest.New(t, false, tuitest.DemoURI(t))
	h.Keys(":filter web-01", "enter", "i")
	p := tuitest.Top[*Page](h)
	h.Until("the answer", func() bool { return !p.loading })
	h.ScreenHas("› Guest agent of web-01", "virDomainGetGuestInfo")
	h.ScreenLacks("Is qemu-guest-agent installed") // the driver has no agent API: no use installing one
	if v := h.M.View(); strings.Count(v, "\n") != 23 {
		t.Fatalf("not 24 lines:\n%s", v)
	}
	h.Keys("esc", ":agent fedora-40-ws", "enter")
	p = tuitest.Top[*Page](h)
	h.Until("the answer", func() bool { return !p.loading })
	h.ScreenHas("the VM is not running: its guest agent runs inside it")
	h.Keys("t")
	h.MsgHas("fstrim: the VM is not running")
	h.Keys("p")
	h.ScreenHas("Set a password inside fedora-40-ws through its guest agent", "User", "root")
	h.Keys("esc", "esc") // the form, then the page

	// No channel: said, and a adds it (the test driver cannot: libvirt's words).
	if err := h.Ctx().Mgr.DefineObject(tuitest.DemoURI(t), libvirtx.ObjDomain,
		"<domain type='test'><name>no-agent</name><memory>65536</memory><os><type>hvm</type></os></domain>"); err != nil {
		t.Fatal(err)
	}
	h.Until("no-agent listed", func() bool { return strings.Contains(strings.Join(h.Ctx().VMNames(), " "), "no-agent") })
	h.Keys(":agent no-agent", "enter")
	p = tuitest.Top[*Page](h)
	h.Until("the answer", func() bool { return !p.loading })
	h.ScreenHas("has no guest agent channel", "a adds the channel")
	h.Keys("a")
	h.MsgHas("add the agent channel: ")
	h.MsgHas("virDomainAttachDeviceFlags")
	h.Keys("esc", ":filter web-01", "enter", "enter", "i") // from the details too
	tuitest.Top[*Page](h)
}
