package libvirtx

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// migrationGuest defines the fixture guest on the real daemon, with a
// manager that holds both it and the peer daemon (testdata/scripts/
// libvirtd-peer.sh), and removes it from the peer when the test ends.
func migrationGuest(t *testing.T, name string, oldnew ...string) (*Manager, Ref, string) {
	t.Helper()
	peer := lt.Peer(t)
	m, ref, _ := realGuest(t, name, oldnew...)
	t.Cleanup(func() { lt.RemoveDomain(t, peer, ref.Name) })
	lt.RemoveDomain(t, peer, ref.Name)
	if err := m.Add(peer); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, 10*time.Second, func(e Event) bool { ie, ok := e.(InventoryEvent); return ok && ie.URI == peer })
	return m, ref, peer
}

// startCounting boots the guest and has it print tick-N on its serial
// console every 100 ms; it returns the console's reader and a send.
func startCounting(t *testing.T, m *Manager, ref Ref) (*conReader, func(string)) {
	t.Helper()
	r, send := startAtPrompt(t, m, ref)
	send("i=0; while :; do i=$((i+1)); echo tick-$i; usleep 100000; done &")
	r.until(t, "tick-10\r", 30*time.Second)
	return r, send
}

var tickRE = regexp.MustCompile(`tick-(\d+)\r`)

func ticks(s string) []int {
	var out []int
	for _, m := range tickRE.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

func mustPass(t *testing.T, cs Checks) {
	t.Helper()
	for _, c := range cs {
		t.Logf("pre-flight %-14s %d %s", c.Name, c.Status, c.Text)
	}
	if cs.Blocked(false) {
		t.Fatalf("the pre-flight blocks: %+v", cs)
	}
}

// A live migration to another libvirtd: the guest keeps counting where it
// was (no reboot), runs on the peer, and the job's stats were reported
// while it ran.
func TestRealLiveMigrationKeepsCounting(t *testing.T) {
	m, ref, peer := migrationGuest(t, "mig-live")
	r, _ := startCounting(t, m, ref)
	spec := MigrateSpec{Dest: peer, Bandwidth: 20} // MiB/s: ~4 s, long enough to watch
	mustPass(t, m.Preflight(ref, spec))

	var seen []MigrateProgress
	res, err := m.Migrate(context.Background(), ref, spec, func(p MigrateProgress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("live migration of 256 MiB: %v, downtime %v, %d MiB sent, %d progress reports", res.Elapsed, res.Downtime, res.Data>>20, len(seen))
	before := ticks(r.rest(2 * time.Second))
	if len(seen) == 0 || seen[len(seen)-1].Total == 0 {
		t.Fatalf("no job stats while it ran: %+v", seen)
	}
	if res.Dest.URI != peer || res.Downtime <= 0 {
		t.Fatalf("result %+v: want the peer as destination and a measured downtime", res)
	}
	if out := lt.MustVirsh(t, peer, "domstate", ref.Name); out != "running" {
		t.Fatalf("on the peer %s is %q", ref.Name, out)
	}
	if out := lt.MustVirsh(t, ref.URI, "domstate", ref.Name); out != "shut off" {
		t.Fatalf("on the source %s is %q (persistent there, it stays defined, shut off)", ref.Name, out)
	}

	r2, _ := attach(t, m, res.Dest)
	out := r2.until(t, "tick-", 30*time.Second) + r2.rest(time.Second)
	after := ticks(out)
	if len(before) == 0 || len(after) == 0 {
		t.Fatalf("ticks before %v, after %v (%q)", before, after, out)
	}
	// The old console may have lost the last lines before the switch; a
	// reboot would start again at 1.
	if last, first := before[len(before)-1], after[0]; first < last || strings.Contains(out, "kvmtui-guest: booted") {
		t.Fatalf("the counter restarted: %d before, %d after (%q)", last, first, out)
	}
}

// An offline migration moves a shut-off VM's definition; with
// UndefineSource the source forgets it.
func TestRealOfflineMigration(t *testing.T) {
	m, ref, peer := migrationGuest(t, "mig-off")
	spec := MigrateSpec{Dest: peer, Offline: true, UndefineSource: true}
	mustPass(t, m.Preflight(ref, spec))
	if _, err := m.Migrate(context.Background(), ref, spec, nil); err != nil {
		t.Fatal(err)
	}
	if out := lt.MustVirsh(t, peer, "dominfo", ref.Name); !regexp.MustCompile(`Persistent:\s+yes`).MatchString(out) || !strings.Contains(out, "shut off") {
		t.Fatalf("on the peer: %s", out)
	}
	if out, err := lt.Virsh(t, ref.URI, "domstate", ref.Name); err == nil {
		t.Fatalf("the source still has %s (%s)", ref.Name, out)
	}
}

// unsharedDir is a directory the peer daemon does not see (it has an
// empty tmpfs there): a disk in it reaches the peer only by a copy.
const unsharedDir = "/var/lib/libvirt/kvmtui-unshared"

// Copy-storage migration of a disk the peer cannot see, into a pool only
// the peer has: refused by the pre-flight without the copy, and with it
// the guest reads on the peer what it wrote before.
func TestRealCopyStorageMigration(t *testing.T) {
	peer := lt.Peer(t)
	img := filepath.Join(unsharedDir, lt.Prefix+"mig-copy.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", img, "16M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, out)
	}
	t.Cleanup(func() { os.Remove(img) })
	pool := lt.Prefix + "unshared"
	gone := func() { // the peer's copy lives in its tmpfs: delete it with the pool
		lt.Virsh(t, peer, "vol-delete", "--pool", pool, filepath.Base(img))
		lt.Virsh(t, peer, "pool-destroy", pool)
		lt.Virsh(t, peer, "pool-undefine", pool)
	}
	lt.Virsh(t, peer, "pool-define-as", pool, "dir", "--target", unsharedDir)
	lt.Virsh(t, peer, "pool-start", pool)
	gone()
	t.Cleanup(gone)
	lt.MustVirsh(t, peer, "pool-define-as", pool, "dir", "--target", unsharedDir)
	lt.MustVirsh(t, peer, "pool-start", pool)

	const at = "<controller type='usb' model='none'/>"
	m, ref, _ := migrationGuest(t, "mig-copy", at, at+`
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='`+img+`'/><target dev='vda' bus='virtio'/></disk>`)
	r, send := startCounting(t, m, ref)
	send("kill %1; echo disk-marker-42 | dd of=/dev/vda conv=fsync 2>/dev/null && echo written")
	r.until(t, "written\r", 30*time.Second)

	spec := MigrateSpec{Dest: peer}
	if cs := m.Preflight(ref, spec); !hasCheck(cs, "disk vda", CheckFail, "not in pool "+pool) {
		t.Fatalf("without a copy the pre-flight does not refuse vda: %+v", cs)
	}
	spec.CopyStorage = "full"
	mustPass(t, m.Preflight(ref, spec))
	res, err := m.Migrate(context.Background(), ref, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("copy-storage migration (16 MiB disk, 256 MiB memory): %v, downtime %v", res.Elapsed, res.Downtime)
	if out := lt.MustVirsh(t, peer, "vol-list", pool); !strings.Contains(out, filepath.Base(img)) {
		t.Fatalf("the peer's pool has no copy: %s", out)
	}
	r2, send2 := attach(t, m, res.Dest)
	send2("echo 3 > /proc/sys/vm/drop_caches; head -c 14 /dev/vda; echo ' read'")
	r2.until(t, "disk-marker-42 read", 30*time.Second)
}

func hasCheck(cs Checks, name string, st CheckStatus, text string) bool {
	for _, c := range cs {
		if c.Name == name && c.Status == st && strings.Contains(c.Text, text) {
			return true
		}
	}
	return false
}

// slowMigration starts a live migration held to 1 MiB/s and calls at once
// QEMU sends memory; it returns the migration's outcome.
func slowMigration(t *testing.T, m *Manager, ref Ref, spec MigrateSpec, at func(cancel func())) (MigrateResult, error, []MigrateProgress) {
	t.Helper()
	if err := m.SetMigrationSpeed(ref, 1); err != nil { // MiB/s, for the pre-copy
		t.Fatal(err)
	}
	// A stop for a migration that never converges: the test fails, not hangs.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var seen []MigrateProgress
	called := false
	res, err := m.Migrate(ctx, ref, spec, func(p MigrateProgress) {
		seen = append(seen, p)
		if !called && p.Processed > 0 { // QEMU is sending memory
			called = true
			at(cancel)
		}
	})
	return res, err, seen
}

// Cancelling midway (virDomainAbortJob) leaves the guest running on the
// source, still counting, and nothing on the peer.
func TestRealMigrationCancelKeepsSource(t *testing.T) {
	m, ref, peer := migrationGuest(t, "mig-cancel")
	r, _ := startCounting(t, m, ref)
	_, err, seen := slowMigration(t, m, ref, MigrateSpec{Dest: peer}, func(cancel func()) { cancel() })
	if err == nil || !strings.Contains(err.Error(), "cancelled") || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("err = %v, want cancelled and still running (after %d reports)", err, len(seen))
	}
	if out := lt.MustVirsh(t, ref.URI, "domstate", ref.Name); out != "running" {
		t.Fatalf("on the source %s is %q", ref.Name, out)
	}
	if out, err := lt.Virsh(t, peer, "domstate", ref.Name); err == nil {
		t.Fatalf("the peer has %s (%s)", ref.Name, out)
	}
	last := ticks(r.rest(time.Second))
	if len(last) == 0 {
		t.Fatal("the guest stopped counting on the source")
	}
	r.until(t, fmt.Sprintf("tick-%d\r", last[len(last)-1]+5), 10*time.Second)
}

// A migration that cannot converge in time (1 MiB/s) ends by switching to
// post-copy: the guest then runs on the peer, still counting.
func TestRealPostcopySwitch(t *testing.T) {
	m, ref, peer := migrationGuest(t, "mig-post")
	startCounting(t, m, ref)
	var switchErr error
	res, err, seen := slowMigration(t, m, ref, MigrateSpec{Dest: peer, Postcopy: true}, func(func()) {
		switchErr = m.SwitchToPostcopy(ref)
		t.Logf("switched to post-copy: %v", switchErr)
	})
	if switchErr != nil || err != nil {
		t.Fatalf("switch: %v; migration: %v", switchErr, err)
	}
	t.Logf("post-copy after %d reports: %v, downtime %v, %d pages fetched on demand", len(seen), res.Elapsed, res.Downtime, res.PostcopyRequests)
	if res.PostcopyRequests == 0 {
		t.Fatalf("the peer fetched no page on demand: no post-copy (%+v)", res)
	}
	r, _ := attach(t, m, res.Dest)
	r.until(t, "tick-", 30*time.Second)
}

// An evacuation plan: the larger VM first, each to the destination with
// the most free memory (the peer, not the test driver's few MiB).
func TestRealEvacuationPlan(t *testing.T) {
	m, small, peer := migrationGuest(t, "evac-small")
	_, big, _ := realGuest(t, "evac-big", "<memory unit='MiB'>256</memory>", "<memory unit='MiB'>384</memory>",
		"<currentMemory unit='MiB'>256</currentMemory>", "<currentMemory unit='MiB'>384</currentMemory>")
	for _, ref := range []Ref{small, big} {
		if err := m.Do(ref, Start); err != nil {
			t.Fatal(err)
		}
	}
	moves, err := m.PlanEvacuation(small.URI, []string{"test:///default", peer}, MigrateSpec{Bandwidth: 7})
	if err != nil {
		t.Fatal(err)
	}
	var ours []Move
	for _, mv := range moves {
		if mv.VM.Name == small.Name || mv.VM.Name == big.Name {
			ours = append(ours, mv)
		}
	}
	if len(ours) != 2 || ours[0].VM.Name != big.Name || ours[1].VM.Name != small.Name {
		t.Fatalf("plan %+v: want %s, then %s", ours, big.Name, small.Name)
	}
	for _, mv := range ours {
		if mv.Spec.Dest != peer || mv.Spec.Bandwidth != 7 {
			t.Fatalf("%s goes to %s (bandwidth %d): want the peer, with the spec given", mv.VM.Name, mv.Spec.Dest, mv.Spec.Bandwidth)
		}
	}
	if _, err := m.PlanEvacuation(small.URI, []string{small.URI}, MigrateSpec{}); err == nil || !strings.Contains(err.Error(), "being evacuated") {
		t.Fatalf("evacuating a host onto itself: %v", err)
	}
}

// Peer-to-peer (the source's libvirtd connects to the peer itself) with
// compression, and tunnelled (the data through libvirtd's connection)
// with auto-converge: each moves the guest, and back for the next.
func TestRealMigrationTransports(t *testing.T) {
	m, ref, peer := migrationGuest(t, "mig-p2p")
	if err := m.Do(ref, Start); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []MigrateSpec{
		{Dest: peer, P2P: true, Compressed: true},
		{Dest: peer, Tunnelled: true, AutoConverge: true},
	} {
		mustPass(t, m.Preflight(ref, spec))
		res, err := m.Migrate(context.Background(), ref, spec, nil)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		t.Logf("p2p %v, tunnelled %v: %v, downtime %v", spec.P2P, spec.Tunnelled, res.Elapsed, res.Downtime)
		if st := lt.MustVirsh(t, peer, "domstate", ref.Name); st != "running" {
			t.Fatalf("on the peer: %s", st)
		}
		// Home again, listening on loopback only.
		back := MigrateSpec{Dest: ref.URI, DataURI: "tcp://127.0.0.1", ListenAddress: "127.0.0.1"}
		if _, err := m.Migrate(context.Background(), res.Dest, back, nil); err != nil {
			t.Fatalf("back: %v", err)
		}
	}
}
