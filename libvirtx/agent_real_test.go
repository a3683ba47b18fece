package libvirtx

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// The fixture guest with an agent channel runs Debian's qemu-ga: what it
// says matches what the guest's shell says; a password set through it is
// in the guest's /etc/shadow; freeze, thaw, trim and set-time answer; a
// user the guest lacks is refused; the agent shuts the guest down.
func TestRealGuestAgent(t *testing.T) {
	uri := lt.URI(t)
	vm, _, _ := lt.GuestWithDisk(t, uri, fmt.Sprintf("agent-%d", os.Getpid()), lt.Ext2Image(t), lt.AgentChannel)
	m, ref := managerFor(t, uri, vm)
	c, err := m.StartWithConsole(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := newConReader(c)
	r.until(t, "kvmtui-guest# ", 90*time.Second)
	var a AgentInfo
	deadline := time.Now().Add(30 * time.Second)
	for a, err = m.AgentInfo(ref); err != nil && time.Now().Before(deadline); a, err = m.AgentInfo(ref) {
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil {
		t.Fatal("the agent never answered:", err)
	}
	// libvirt's agent event updated the VM: the list shows it connected.
	waitFor(t, m, 30*time.Second, func(e Event) bool {
		de, ok := e.(DomainEvent)
		return ok && de.UUID == ref.UUID && de.Domain.Agent == "connected"
	})
	c.Write([]byte("echo host=$(hostname) kernel=$(uname -r) m=$(uname -m)\r"))
	out := r.until(t, "m=x86_64", 30*time.Second)
	if want := fmt.Sprintf("host=%s kernel=%s m=%s", a.Hostname, a.Kernel, a.Machine); !strings.Contains(out, want) {
		t.Fatalf("the agent says %q, the shell:\n%s", want, out)
	}
	if a.OS != "kvmtui test guest 1" || a.OSID != "kvmtui-guest" || len(a.Interfaces) == 0 || a.Interfaces[0].Name != "lo" {
		t.Fatalf("agent info %+v", a)
	}
	// The ext2 disk /init mounted, with the disk behind it.
	if !slices.ContainsFunc(a.FileSystems, func(f AgentFS) bool { return f.Mount == "/mnt" && f.Type == "ext2" && f.Total > 0 }) {
		t.Fatalf("file systems %+v: no /mnt (ext2)", a.FileSystems)
	}

	if err := m.SetUserPassword(ref, "root", "s3cret!"); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("cut -d: -f2 /etc/shadow | cut -c1-2 | sed 's/^/hash:/'\r"))
	if out := r.until(t, "hash:$", 30*time.Second); strings.Contains(out, "hash:*") {
		t.Fatalf("the password did not reach /etc/shadow:\n%s", out)
	}
	if err := m.SetUserPassword(ref, "nobody-here", "x"); err == nil {
		t.Fatal("a user the guest lacks got a password")
	}
	status := func() string {
		return lt.MustVirsh(t, uri, "qemu-agent-command", ref.Name, `{"execute":"guest-fsfreeze-status"}`)
	}
	for _, act := range []AgentAction{AgentFreeze, AgentThaw, AgentTrim, AgentSetTime} {
		text, err := m.Agent(ref, act)
		if err != nil {
			t.Fatalf("%s: %v", act, err)
		}
		t.Log(text)
		if act == AgentFreeze && !strings.Contains(status(), `"frozen"`) || act == AgentThaw && !strings.Contains(status(), `"thawed"`) {
			t.Fatalf("after %s the guest says %s", act, status())
		}
	}
	if _, err := m.Agent(ref, AgentShutdown); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, ref, StateShutoff, 30*time.Second)
	if _, err := m.AgentInfo(ref); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("agent info of a shut-off VM: %v", err)
	}
}

func TestRealAgentWithoutChannel(t *testing.T) {
	m, ref, _ := realGuest(t, fmt.Sprintf("noagent-%d", os.Getpid()))
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	if _, err := m.AgentInfo(ref); !errors.Is(err, ErrNoAgentChannel) {
		t.Fatalf("agent info without a channel: %v", err)
	}
	// The fixture has no virtio-serial controller, which QEMU cannot plug
	// in: the channel comes at the next boot.
	a, err := m.AddAgentChannel(ref)
	if err != nil || a.Live || !a.Config || !a.Running {
		t.Fatalf("adding the channel: %+v %v", a, err)
	}
	if x := lt.MustVirsh(t, ref.URI, "dumpxml", "--inactive", ref.Name); !strings.Contains(x, "org.qemu.guest_agent.0") || !strings.Contains(x, "virtio-serial") {
		t.Fatalf("the definition lacks the channel:\n%s", x)
	}
	lt.MustVirsh(t, ref.URI, "destroy", ref.Name)
	waitState(t, m, ref, StateShutoff, 30*time.Second)
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, err = m.AgentInfo(ref); err != nil && time.Now().Before(deadline); _, err = m.AgentInfo(ref) {
		time.Sleep(time.Second)
	}
	if err != nil {
		t.Fatal("after a restart the agent on the new channel never answered:", err)
	}
}

// A two-vCPU guest: the agent says both are online; taking one offline
// shows in the guest's /sys; bringing it back too; more than it has is
// refused.
func TestRealGuestVCPUsThroughTheAgent(t *testing.T) {
	m, ref, _ := realGuest(t, fmt.Sprintf("agentcpu-%d", os.Getpid()), "<controller type='usb' model='none'/>",
		`<controller type='usb' model='none'/><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>`,
		"<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>2</vcpu>")
	c, err := m.StartWithConsole(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := newConReader(c)
	var a AgentInfo
	deadline := time.Now().Add(120 * time.Second)
	for a, err = m.AgentInfo(ref); err != nil && time.Now().Before(deadline); a, err = m.AgentInfo(ref) {
		time.Sleep(time.Second)
	}
	if err != nil || a.VCPUs != 2 || a.Online != 2 {
		t.Fatalf("agent: %d of %d online, %v", a.Online, a.VCPUs, err)
	}
	online := func(want string) {
		t.Helper()
		c.Write([]byte("echo online=$(cat /sys/devices/system/cpu/online)\r"))
		r.until(t, "online="+want+"\r", 30*time.Second)
	}
	if err := m.SetOnlineVCPUs(ref, 1); err != nil {
		t.Fatal(err)
	}
	online("0")
	if a, _ := m.AgentInfo(ref); a.Online != 1 {
		t.Fatalf("after taking one offline the agent says %d online", a.Online)
	}
	if err := m.SetOnlineVCPUs(ref, 2); err != nil {
		t.Fatal(err)
	}
	online("0-1")
	if err := m.SetOnlineVCPUs(ref, 3); err == nil || !strings.Contains(err.Error(), "from 1 to the guest's 2") {
		t.Fatalf("3 of 2: %v", err)
	}
}
