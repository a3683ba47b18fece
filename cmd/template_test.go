package cmd

import (
	"os"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestTemplateCommandsOnTheDemoHost(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"template", "maybe", "web-01"}, 2, "usage: kvmtui template on|off"},
		{[]string{"template", "on", "nope"}, 1, `no VM named "nope"`},
		{[]string{"create", "--template", "legacy-centos7"}, 2, "name the new VM with --name"},
		{[]string{"create", "--template", "legacy-centos7", "--name", "x", "--cdrom", "/x.iso"}, 2, "--cdrom does not apply"},
		{[]string{"create", "--template", "legacy-centos7", "--name", "x", "--cloud-init-ssh-key", "not a key"}, 2, "SSH key"},
		{[]string{"create", "--template", "web-01", "--name", "x"}, 1, "web-01 is running"},
	} {
		code, out, errOut := run(t, append([]string{"--demo"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
	code, out, errOut := run(t, "--demo", "create", "--template", "legacy-centos7", "--name", "lab-1", "--linked", "--define-only")
	if code != 0 || out != "defined lab-1 from template legacy-centos7 (not started)\n" || !strings.Contains(errOut, "legacy-centos7 is not marked as a template") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// On the real daemon: a marked template is listed as one and not started
// without --template; create --template with cloud-init settings makes a
// linked clone with a fresh seed (its own hostname and instance-id) in its
// CD-ROM, and starts it.
func TestCreateFromTemplateOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	tmpl, img, dir := lt.GuestWithDisk(t, uri, "tmpl", nil, "")
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append([]string{"-c", uri}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	must("template", "on", tmpl)
	if out := must("list"); !strings.Contains(out, tmpl) || !strings.Contains(strings.SplitAfter(out, tmpl)[1], "template") {
		t.Fatalf("list:\n%s", out)
	}
	if code, _, errOut := run(t, "-c", uri, "start", tmpl); code != 1 || !strings.Contains(errOut, "is a template") {
		t.Fatalf("start of a template: %d %s", code, errOut)
	}
	clone := lt.Prefix + "from-tmpl"
	t.Cleanup(func() { lt.RemoveDomain(t, uri, clone) })
	out := must("create", "--template", tmpl, "--name", clone, "--linked", "--cloud-init-user", "ops",
		"--cloud-init-ssh-key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvmtuiTestKeyOnlyForTheTest ops@test")
	if out != "created "+clone+" from template "+tmpl+" and started it\n" {
		t.Fatalf("create: %q", out)
	}
	x := lt.MustVirsh(t, uri, "dumpxml", clone)
	seed := dir + "/" + clone + "-cidata.iso"
	for _, want := range []string{"<backingStore type='file'", img, seed, "ds=nocloud", "<smbios mode='sysinfo'/>"} {
		if !strings.Contains(x, want) {
			t.Fatalf("the clone's XML lacks %q:\n%s", want, x)
		}
	}
	iso, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`local-hostname: "` + clone + `"`, `instance-id: "iid-` + clone, "ops"} {
		if !strings.Contains(string(iso), want) {
			t.Fatalf("the seed lacks %q", want)
		}
	}
	if st := strings.TrimSpace(lt.MustVirsh(t, uri, "domstate", clone)); st != "running" {
		t.Fatalf("the clone is %s", st)
	}
}
