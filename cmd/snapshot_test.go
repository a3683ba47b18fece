package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestSnapshotCommandsOnTheDemoHost(t *testing.T) {
	code, out, errOut := run(t, "--demo", "snapshot", "list", "db-primary")
	if code != 0 || !strings.Contains(out, "base-install  ") || !strings.Contains(out, "  before-pg16.2-upgrade *") {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "db-primary", "base-install"}, "already has a snapshot named base-install"},
		{[]string{"create", "db-primary", "--kind", "weird"}, `snapshot kind "weird"`},
		{[]string{"create", "db-primary", "--kind", "disk-only", "--disk", "vdz=/tmp/x"}, `--disk "vdz=/tmp/x"`},
		{[]string{"revert", "db-primary", "nope"}, `db-primary has no snapshot "nope"`},
		{[]string{"revert", "db-primary", "base-install", "--running", "--paused"}, "not both"},
		{[]string{"delete", "nope-vm", "x"}, `no VM named "nope-vm"`},
		{[]string{"commit", "db-primary", "base-install"}, "internal snapshot"},
	} {
		code, out, errOut := run(t, append([]string{"--demo", "snapshot"}, c.args...)...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want 1 with %q\n%s%s", c.args, code, c.want, out, errOut)
		}
	}
	if code, out, errOut := run(t, "--demo", "snapshot", "create", "web-01"); code != 0 || out != "took internal snapshot snapshot1 of web-01\n" {
		t.Fatalf("create: exit %d %q %s", code, out, errOut)
	}
}

type snapJSON struct {
	Name, Parent, State string
	Current, External   bool
	Disks               []struct{ Target, Mode, File, Base string }
}

// On a shut-off guest with a qcow2 disk: internal and disk-only snapshots,
// revert, the refusals libvirt 9.0 needs said, delete of the record.
func TestSnapshotCommandsOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	vm, img, dir := lt.GuestWithDisk(t, uri, "clisnap", nil, "")
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append([]string{"-c", uri, "snapshot"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	must("create", vm, "base", "--description", "fresh")
	must("create", vm, "--kind", "disk-only")
	overlay := filepath.Join(dir, vm+".snapshot1.qcow2")
	var snaps []snapJSON
	if err := json.Unmarshal([]byte(must("list", vm, "--format", "json")), &snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 || snaps[0].Name != "base" || snaps[1].Name != "snapshot1" || snaps[1].Parent != "base" || !snaps[1].Current ||
		!snaps[1].External || snaps[1].Disks[0].File != overlay || snaps[1].Disks[0].Base != img {
		t.Fatalf("snapshots %+v", snaps)
	}
	if out := must("list", vm); !strings.Contains(out, "disk-only") { // of a shut-off VM: state shutoff, no memory
		t.Fatalf("list:\n%s", out)
	}
	if _, err := os.Stat(overlay); err != nil {
		t.Fatalf("libvirt made no overlay: %v", err)
	}
	if out := lt.MustVirsh(t, uri, "domblklist", vm); !strings.Contains(out, overlay) {
		t.Fatalf("the VM does not write to its overlay:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"revert", vm, "snapshot1"}, "came in libvirt 9.9"},
		{[]string{"commit", vm, "snapshot1"}, "start " + vm},
		{[]string{"create", vm, "again", "--kind", "disk-only", "--disk", "vda=" + overlay}, "already exists"},
	} {
		if code, _, errOut := run(t, append([]string{"-c", uri, "snapshot"}, c.args...)...); code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %q: %s", c.args, code, c.want, errOut)
		}
	}
	must("delete", vm, "snapshot1", "--metadata")
	if out := strings.TrimSpace(lt.MustVirsh(t, uri, "snapshot-list", vm, "--name")); out != "base" {
		t.Fatalf("virsh snapshot-list: %q", out)
	}
	must("delete", vm, "base")
	if out := strings.TrimSpace(lt.MustVirsh(t, uri, "snapshot-list", vm, "--name")); out != "" {
		t.Fatalf("virsh snapshot-list: %q", out)
	}
}
