package libvirtx

import (
	"context"
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
	return m, ref, peer
}

// startCounting boots the guest and has it print tick-N on its serial
// console every 100 ms; it returns the console's reader.
func startCounting(t *testing.T, m *Manager, ref Ref) *conReader {
	t.Helper()
	c, err := m.StartWithConsole(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := newConReader(c)
	r.until(t, "kvmtui-guest# ", 90*time.Second)
	if _, err := c.Write([]byte("i=0; while :; do i=$((i+1)); echo tick-$i; usleep 100000; done &\r")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "tick-10\r", 30*time.Second)
	return r
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
	r := startCounting(t, m, ref)
	spec := MigrateSpec{Dest: peer}
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

	c, err := m.OpenConsole(res.Dest, "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r2 := newConReader(c)
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
