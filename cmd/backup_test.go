package cmd

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestBackupCommandsRefuseBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "web-01", "--to", "/nowhere"}, "no storage pool holds /nowhere"},
		{[]string{"backup", "web-01", "--to", "nope"}, `no storage pool "nope"`},
		{[]string{"backup", "nope"}, `no VM named "nope"`},
		{[]string{"restore", "web-01", "20200101T000000Z"}, "has no backup 20200101T000000Z of web-01"},
	} {
		code, out, errOut := run(t, append([]string{"--demo"}, c.args...)...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want 1 with %q\n%s%s", c.args, code, c.want, out, errOut)
		}
	}
}

type backupJSON struct{ ID, Kind, Parent string }

// A shut-off guest: a full backup, an incremental one that keeps only
// itself (merged into a full one), and a restore as a new VM.
func TestBackupCommandsOnTheRealDaemon(t *testing.T) {
	uri := lt.URI(t)
	vm, _, _ := lt.GuestWithDisk(t, uri, "clibackup", nil, "")
	_, dir := lt.DirPool(t, uri, "clibackups")
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append([]string{"-c", uri}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	if code, _, errOut := run(t, "-c", uri, "backup", vm, "--to", dir, "--incremental"); code != 1 || !strings.Contains(errOut, "take a full backup first") {
		t.Fatalf("an incremental with nothing before: %d %s", code, errOut)
	}
	if out := must("backup", vm, "--to", dir); !strings.Contains(out, "backed up "+vm+": full") {
		t.Fatal(out)
	}
	time.Sleep(1100 * time.Millisecond)
	if out := must("backup", vm, "--to", dir, "--incremental", "--keep", "1"); !strings.Contains(out, ": incremental") || !strings.Contains(out, "removed ") {
		t.Fatal(out)
	}
	var list []backupJSON
	if err := json.Unmarshal([]byte(must("backup", "list", vm, "--from", dir, "--format", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Kind != "full" || list[0].Parent != "" {
		t.Fatalf("backups %+v", list)
	}
	clone := lt.Prefix + "clibackup-restored"
	t.Cleanup(func() { lt.RemoveDomain(t, uri, clone) })
	if out := must("restore", vm, list[0].ID, "--from", dir, "--as", clone); !strings.Contains(out, "restored "+list[0].ID) {
		t.Fatal(out)
	}
	lt.MustVirsh(t, uri, "dominfo", clone)
}
