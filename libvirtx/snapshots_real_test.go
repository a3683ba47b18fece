package libvirtx

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// diskGuest boots the fixture guest with a fresh qcow2 virtio disk (vda in
// the guest) in a pool of its own, and returns its console at the prompt.
func diskGuest(t *testing.T, name string) (*Manager, Ref, *conReader, func(string), string) {
	t.Helper()
	uri := lt.URI(t)
	vm, img, _ := lt.GuestWithDisk(t, uri, fmt.Sprintf("%s-%d", name, os.Getpid()), nil, "")
	m, ref := managerFor(t, uri, vm)
	r, send := startAtPrompt(t, m, ref)
	return m, ref, r, send, img
}

// An internal snapshot of a running guest holds its memory: a shell
// variable set before the snapshot is back after a revert.
func TestRealInternalSnapshotKeepsMemory(t *testing.T) {
	m, ref, r, send, _ := diskGuest(t, "snapmem")
	send("M=before-snap; echo set-$M")
	r.until(t, "set-before-snap", 30*time.Second)
	t0 := time.Now()
	if _, err := m.CreateSnapshot(ref, SnapshotSpec{Name: "s1", Kind: SnapInternal, Description: "with M set"}); err != nil {
		t.Fatal(err)
	}
	t.Logf("internal snapshot with 256 MiB of memory: %v", time.Since(t0).Round(time.Millisecond))
	ss, err := m.Snapshots(ref)
	if err != nil || len(ss) != 1 || !ss[0].Memory || ss[0].State != "running" || !ss[0].Current || ss[0].Kind() != "internal" {
		t.Fatalf("snapshots = %+v, %v: want s1, running, with memory, current", ss, err)
	}
	send("M=changed; echo now-$M")
	r.until(t, "now-changed", 30*time.Second)

	if err := m.RevertSnapshot(ref, "s1", RevertAsTaken, false); err != nil {
		t.Fatal(err)
	}
	c, err := m.OpenConsole(ref, "", true) // a revert may restart QEMU: take the console afresh
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r2 := newConReader(c)
	if _, err := c.Write([]byte("echo marker-$M\r")); err != nil {
		t.Fatal(err)
	}
	r2.until(t, "marker-before-snap", 60*time.Second)

	// Paused after revert, as virsh's --paused.
	if err := m.RevertSnapshot(ref, "s1", RevertPaused, false); err != nil {
		t.Fatal(err)
	}
	if out := lt.MustVirsh(t, ref.URI, "domstate", ref.Name); !strings.Contains(out, "paused") {
		t.Fatalf("after a paused revert virsh says %q", out)
	}
	if err := m.DeleteSnapshot(ref, "s1", DeleteOne); err != nil {
		t.Fatal(err)
	}
	if out := lt.MustVirsh(t, ref.URI, "snapshot-list", ref.Name, "--name"); strings.TrimSpace(out) != "" {
		t.Fatalf("snapshots left: %q", out)
	}
}

// An external disk-only snapshot of a running guest, then data written in
// the guest, then an active block commit with pivot: one file again, and
// the data written after the snapshot is in it. Then a pull.
func TestRealExternalSnapshotCommitAndPull(t *testing.T) {
	m, ref, r, send, img := diskGuest(t, "snapext")
	write := func(text string, sector int) {
		t.Helper()
		send(fmt.Sprintf("echo -n %s | dd of=/dev/vda bs=512 seek=%d conv=fsync 2>/dev/null && echo wrote-%s", text, sector, text))
		r.until(t, "wrote-"+text, 30*time.Second)
	}
	write("before-snapshot", 10)
	p, err := m.PlanSnapshot(ref)
	if err != nil || len(p.Disks) != 1 {
		t.Fatalf("plan %+v %v", p, err)
	}
	overlay := p.Disks[0].Overlay("s1")
	if want := strings.TrimSuffix(img, ".qcow2") + ".s1.qcow2"; overlay != want {
		t.Fatalf("proposed overlay %s, want %s", overlay, want)
	}
	// The guest has no agent: quiesce is asked for and reported missing.
	note, err := m.CreateSnapshot(ref, SnapshotSpec{Name: "s1", Kind: SnapDiskOnly, Overlays: map[string]string{"vda": overlay}, Quiesce: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(note, "not quiesced") {
		t.Errorf("note = %q, want it to say the snapshot is not quiesced", note)
	}
	if _, err := m.CreateSnapshot(ref, SnapshotSpec{Name: "s2", Kind: SnapDiskOnly, Overlays: map[string]string{"vda": overlay}}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("an overlay over an existing file: %v", err)
	}
	write("after-snapshot", 20)

	ss, err := m.Snapshots(ref)
	if err != nil || len(ss) != 1 || ss[0].Kind() != "disk-only" || ss[0].Disks[0].File != overlay || ss[0].Disks[0].Base != img || ss[0].Size == 0 {
		t.Fatalf("snapshots = %+v, %v", ss, err)
	}
	// libvirt 9.0: no revert, no delete of an external snapshot; said plainly.
	if v := daemonVersion(t, m, ref.URI); v < externalSupport {
		for _, err := range []error{m.RevertSnapshot(ref, "s1", RevertAsTaken, false), m.DeleteSnapshot(ref, "s1", DeleteOne)} {
			if err == nil || !strings.Contains(err.Error(), "that came in libvirt 9.9") {
				t.Fatalf("libvirt %s: %v, want the refusal", versionText(v), err)
			}
		}
	}

	var seen []string
	text, err := m.MergeSnapshot(t.Context(), ref, "s1", false, func(disk string, done, total int64) {
		seen = append(seen, fmt.Sprintf("%s %d/%d", disk, done, total))
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s; progress %v", text, seen)
	if len(seen) == 0 || !strings.HasPrefix(seen[0], "vda ") {
		t.Errorf("no progress reported: %v", seen)
	}
	if _, err := os.Stat(overlay); !os.IsNotExist(err) {
		t.Errorf("the committed overlay is still there: %v", err)
	}
	if out := lt.MustVirsh(t, ref.URI, "domblklist", ref.Name); !strings.Contains(out, img) {
		t.Fatalf("vda is not back on its base:\n%s", out)
	}
	if out := lt.MustVirsh(t, ref.URI, "snapshot-list", ref.Name, "--name"); strings.TrimSpace(out) != "" {
		t.Fatalf("the committed snapshot is still listed: %q", out)
	}
	// The guest goes on writing to the base.
	write("after-commit", 30)

	// A second snapshot, pulled: the overlay stands alone.
	over2 := p.Disks[0].Overlay("s2")
	if _, err := m.CreateSnapshot(ref, SnapshotSpec{Name: "s2", Kind: SnapDiskOnly, Overlays: map[string]string{"vda": over2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.MergeSnapshot(t.Context(), ref, "s2", true, func(string, int64, int64) {}); err != nil {
		t.Fatal(err)
	}
	if out := lt.MustVirsh(t, ref.URI, "dumpxml", ref.Name); strings.Contains(out, "<backingStore type") {
		t.Fatalf("vda still has a backing chain after the pull:\n%s", out)
	}
	if err := m.DeleteSnapshot(ref, "s2", DeleteMetadata); err != nil {
		t.Fatal(err)
	}
	lt.MustVirsh(t, ref.URI, "destroy", ref.Name)

	// The base holds what was written before and after the snapshot.
	raw := filepath.Join(t.TempDir(), "base.raw")
	if out, err := exec.Command("qemu-img", "convert", "-O", "raw", img, raw).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert: %v %s", err, out)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		text   string
		sector int
	}{{"before-snapshot", 10}, {"after-snapshot", 20}, {"after-commit", 30}} {
		if got := b[w.sector*512 : w.sector*512+len(w.text)]; !bytes.Equal(got, []byte(w.text)) {
			t.Errorf("sector %d of the base holds %q, want %q", w.sector, got, w.text)
		}
	}
	// The pulled overlay holds all three too, on its own.
	if out, err := exec.Command("qemu-img", "info", over2).CombinedOutput(); err != nil || strings.Contains(string(out), "backing file:") {
		t.Errorf("qemu-img info %s: %v\n%s", over2, err, out)
	}
}

func daemonVersion(t *testing.T, m *Manager, uri string) uint32 {
	lc, done, err := m.lconn(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	v, err := lc.GetLibVersion()
	if err != nil {
		t.Fatal(err)
	}
	return v
}
