package cmd

import (
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	lt "kvmtui/libvirtx/libvirtxtest"
)

// On the real daemon, a definition with what libvirtxml does not model —
// another application's metadata and a QEMU property override whose empty
// value libvirtxml drops (value=”: no option ROM) — keeps it through a
// form edit (Redefine), kvmtui edit, and a live device update of the
// running VM, as virsh dumpxml shows.
func TestEditKeepsForeignConfigOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	const override = `<qemu:override><qemu:device alias='ua-video0'><qemu:frontend><qemu:property name='romfile' type='string' value=''/></qemu:frontend></qemu:device></qemu:override>`
	name := lt.FixtureGuestWith(t, uri, "edit-keep",
		"<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>",
		"<title>kvmtui test guest</title>", "<title>kvmtui test guest</title><metadata><app:settings xmlns:app='https://example.org/app/1'><app:owner>ops</app:owner></app:settings></metadata>",
		"heads='1' primary='yes'/>", "heads='1' primary='yes'/><alias name='ua-video0'/>",
		"</devices>", "</devices>"+override,
		// QEMU changes a VNC password live only when it started with one
		"autoport='yes' listen='127.0.0.1'>", "autoport='yes' listen='127.0.0.1' passwd='first'>")
	kept := func(when string) string {
		t.Helper()
		x := lt.MustVirsh(t, uri, "dumpxml", "--inactive", "--security-info", name)
		for _, k := range []string{"<qemu:property name='romfile' type='string' value=''/>", "<app:owner>ops</app:owner>"} {
			if !strings.Contains(x, k) {
				t.Fatalf("%s: the definition lost %s:\n%s", when, k, x)
			}
		}
		return x
	}
	if loss, _ := devices.CheckRoundTrip(devices.KindDomain, kept("defined")); loss == nil {
		t.Fatal("the definition is not lossy through libvirtxml: the test proves nothing; pick another construct")
	}

	// A form edit: Redefine, the forms' path for settings without a call.
	mgr, doms, errs := libvirtx.OpenSync([]string{uri}, false, 30*time.Second)
	defer mgr.Close()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var ref libvirtx.Ref
	for _, d := range doms {
		if d.Name == name {
			ref = d.Ref
		}
	}
	if _, err := mgr.Redefine(ref, func(d *libvirtxml.Domain) error { d.OnReboot = "destroy"; return nil }); err != nil {
		t.Fatalf("form edit: %v", err)
	}
	if x := kept("after a form edit"); !strings.Contains(x, "<on_reboot>destroy</on_reboot>") {
		t.Fatalf("the form edit did not happen:\n%s", x)
	}

	// kvmtui edit.
	if code, out, errOut := run(t, "-c", uri, "edit", name, "--vcpus", "2"); code != 0 {
		t.Fatalf("kvmtui edit: exit %d\n%s%s", code, out, errOut)
	}
	if x := kept("after kvmtui edit"); !strings.Contains(x, ">2</vcpu>") {
		t.Fatalf("kvmtui edit did not set 2 vCPUs:\n%s", x)
	}

	// A live device update of the running VM, through the device as written.
	lt.MustVirsh(t, uri, "start", name)
	if code, out, errOut := run(t, "-c", uri, "edit", name, "--edit", "--graphics", "password=s3cret", "--update"); code != 0 || !strings.Contains(out, "applied now and at next boot") {
		t.Fatalf("kvmtui edit --update: exit %d\n%s%s", code, out, errOut)
	}
	if x := kept("after a live update"); !strings.Contains(x, "passwd='s3cret'") {
		t.Fatalf("the definition has no new password:\n%s", x)
	}
	if live := lt.MustVirsh(t, uri, "dumpxml", "--security-info", name); !strings.Contains(live, "passwd='s3cret'") {
		t.Fatalf("the running VM has no new password:\n%s", live)
	}
}
