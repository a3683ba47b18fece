package cmd

import (
	"regexp"
	"strings"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func TestMigrateCommandRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate", "web-01", "host2"}, 2, "not a libvirt URI"},
		{[]string{"migrate", "web-01", "xen://h/"}, 2, "between QEMU hosts"},
		{[]string{"migrate", "web-01", "qemu+ssh://h/system", "--live", "--offline"}, 2, "not both"},
		{[]string{"migrate", "web-01", "qemu+ssh://h/system", "--copy-storage", "all"}, 2, `--copy-storage "all"`},
		{[]string{"migrate", "web-01", "qemu+ssh://h/system", "--postcopy-after", "2"}, 2, "needs --postcopy"},
		{[]string{"migrate", "web-01", "qemu+ssh://h/system", "--offline", "--postcopy"}, 2, "only the definition"},
		{[]string{"migrate", "nope", "qemu+ssh://h/system"}, 1, `no VM named "nope"`},
		{[]string{"migrate", "web-01", "qemu+tcp://127.0.0.3/system", "--dry-run"}, 1, "pre-flight failed: destination"},
		{[]string{"evacuate", "test:///default"}, 2, "--to URI"},
		{[]string{"evacuate", "test:///default", "--to", "qemu+ssh://h/system", "--parallel", "0"}, 2, "--parallel 0"},
	} {
		code, out, errOut := run(t, append([]string{"--demo"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
}

// Two running guests move to the peer daemon with kvmtui migrate, then
// kvmtui evacuate brings both back at once (listening on loopback only).
func TestMigrateAndEvacuateOnTheRealDaemons(t *testing.T) {
	uri := lt.URI(t)
	peer := lt.Peer(t)
	var vms []string
	for _, n := range []string{"cli-mig-a", "cli-mig-b"} {
		vm := lt.FixtureGuest(t, uri, n)
		lt.RemoveDomain(t, peer, vm)
		t.Cleanup(func() { lt.RemoveDomain(t, peer, vm) })
		lt.MustVirsh(t, uri, "start", vm)
		vms = append(vms, vm)
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	out := must("-c", uri, "migrate", vms[0], peer, "--dry-run")
	if !strings.Contains(out, "✓ CPU") || strings.Contains(out, "✗") {
		t.Fatalf("dry run:\n%s", out)
	}
	if st := lt.MustVirsh(t, peer, "list", "--all", "--name"); strings.Contains(st, vms[0]) {
		t.Fatalf("a dry run moved it: %s", st)
	}
	for _, vm := range vms {
		out = must("-c", uri, "migrate", vm, peer, "--bandwidth", "100")
		if !regexp.MustCompile(`migrated ` + vm + ` → ` + regexp.QuoteMeta(peer) + ` in [0-9.]+m?s \(downtime \d+ms`).MatchString(out) {
			t.Fatalf("migrate %s:\n%s", vm, out)
		}
		if st := lt.MustVirsh(t, peer, "domstate", vm); st != "running" {
			t.Fatalf("%s on the peer: %s", vm, st)
		}
	}
	// Back home: each VM's shut-off definition there takes it in.
	out = must("evacuate", peer, "--to", uri, "--parallel", "2", "--migrate-uri", "tcp://127.0.0.1", "--listen-address", "127.0.0.1")
	if !strings.Contains(out, "moved 2 of 2") || strings.Contains(out, "stay") {
		t.Fatalf("evacuate:\n%s", out)
	}
	for _, vm := range vms {
		if st := lt.MustVirsh(t, uri, "domstate", vm); st != "running" {
			t.Fatalf("%s back home: %s", vm, st)
		}
	}
	if st := lt.MustVirsh(t, peer, "list", "--name"); st != "" {
		t.Fatalf("the peer still runs %s", st)
	}
}
