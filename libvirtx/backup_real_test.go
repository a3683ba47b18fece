package libvirtx

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	lt "kvmtui/libvirtx/libvirtxtest"
)

// A running guest: full backup, data written, incremental backup, more
// data; an aborted backup leaves nothing behind; the incremental point
// restored as a new VM holds the data of that point, and the full one
// restored into the (shut-off) VM holds the data before.
func TestRealBackupIncrementalRestore(t *testing.T) {
	uri := lt.URI(t)
	data := make([]byte, 16<<20)
	copy(data[5*512:], "m0-in-the-image")
	vm, _, _ := lt.GuestWithDisk(t, uri, fmt.Sprintf("backup-%d", os.Getpid()), data, "")
	pool, _ := lt.DirPool(t, uri, "backups")
	m, ref := managerFor(t, uri, vm)
	c, err := m.StartWithConsole(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := newConReader(c)
	r.until(t, "kvmtui-guest# ", 90*time.Second)
	write := func(text string, sector int) {
		t.Helper()
		c.Write([]byte(fmt.Sprintf("echo -n %s | dd of=/dev/vda bs=512 seek=%d conv=fsync 2>/dev/null && echo wrote-%s\r", text, sector, text)))
		r.until(t, "wrote-"+text, 30*time.Second)
	}
	if _, err := m.BackupVM(t.Context(), ref, BackupOptions{Pool: pool, Incremental: true}, func(int64, int64) {}); err != ErrNoCheckpoint {
		t.Fatalf("an incremental with nothing before it: %v", err)
	}
	var seen int
	full, err := m.BackupVM(t.Context(), ref, BackupOptions{Pool: pool}, func(int64, int64) { seen++ })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full backup in %.2fs, %d progress reports", full.Seconds, seen)
	write("after-full", 20)
	time.Sleep(1100 * time.Millisecond) // IDs are per second
	inc, err := m.BackupVM(t.Context(), ref, BackupOptions{Pool: pool, Incremental: true}, func(int64, int64) {})
	if err != nil {
		t.Fatal(err)
	}
	if inc.Kind != "incremental" || inc.Parent != full.ID {
		t.Fatalf("incremental %+v", inc)
	}
	write("after-incr", 30)

	time.Sleep(1100 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.BackupVM(ctx, ref, BackupOptions{Pool: pool, Incremental: true}, func(int64, int64) {}); err == nil || err.Error() != "aborted" {
		t.Fatalf("a cancelled backup: %v", err)
	}
	list, err := m.Backups(uri, pool, vm)
	if err != nil || len(list) != 2 || list[0].ID != full.ID || list[1].ID != inc.ID {
		t.Fatalf("backups after the abort: %+v %v", list, err)
	}
	if out := lt.MustVirsh(t, uri, "vol-list", pool); strings.Count(out, ".qcow2 ") != 2 { // the name column
		t.Fatalf("volumes left by the abort:\n%s", out)
	}
	if out := lt.MustVirsh(t, uri, "checkpoint-list", vm, "--name"); strings.Count(strings.TrimSpace(out), "\n") != 1 {
		t.Fatalf("checkpoints after the abort:\n%s", out)
	}

	// The incremental point, as a new VM.
	clone := vm + "-restored"
	t.Cleanup(func() { lt.RemoveDomain(t, uri, clone) })
	text, err := m.RestoreBackup(uri, pool, vm, inc.ID, clone, func(string, int64, int64) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(text)
	got := rawOf(t, diskOf(t, uri, clone))
	want := rawOf(t, inc.Disks[0].File)
	if !bytes.Equal(got, want) || !bytes.Contains(got, []byte("after-full")) || bytes.Contains(got, []byte("after-incr")) || !bytes.Contains(got, []byte("m0-in-the-image")) {
		t.Fatal("the restored disk does not hold the incremental point's data")
	}
	if x := lt.MustVirsh(t, uri, "dumpxml", clone); strings.Contains(x, ref.UUID) {
		t.Fatal("the restored VM has the source's UUID")
	}

	// The full point, into the VM itself.
	if _, err := m.RestoreBackup(uri, pool, vm, full.ID, "", func(string, int64, int64) {}); err == nil || !strings.Contains(err.Error(), "shut it down") {
		t.Fatalf("restore into a running VM: %v", err)
	}
	lt.MustVirsh(t, uri, "destroy", vm)
	if _, err := m.RestoreBackup(uri, pool, vm, full.ID, "", func(string, int64, int64) {}); err != nil {
		t.Fatal(err)
	}
	got = rawOf(t, diskOf(t, uri, vm))
	if !bytes.Contains(got, []byte("m0-in-the-image")) || bytes.Contains(got, []byte("after-full")) {
		t.Fatal("the VM's restored disk does not hold the full point's data")
	}
	if out := strings.TrimSpace(lt.MustVirsh(t, uri, "checkpoint-list", vm, "--name")); out != "" {
		t.Fatalf("checkpoints left after a restore: %q", out)
	}
}

// Keeping the newest points merges a removed point into the one that
// builds on it: the chain never breaks and the data stays. The VM is shut
// off: each backup starts it paused and stops it again.
func TestRealBackupPruneMerges(t *testing.T) {
	uri := lt.URI(t)
	data := make([]byte, 16<<20)
	copy(data[7*512:], "prune-keeps-this")
	vm, _, _ := lt.GuestWithDisk(t, uri, fmt.Sprintf("prune-%d", os.Getpid()), data, "")
	pool, _ := lt.DirPool(t, uri, "prunes")
	m, ref := managerFor(t, uri, vm)
	var points []Backup
	for i := range 3 {
		time.Sleep(1100 * time.Millisecond) // IDs are per second
		b, err := m.BackupVM(t.Context(), ref, BackupOptions{Pool: pool, Incremental: i > 0}, func(int64, int64) {})
		if err != nil {
			t.Fatal(err)
		}
		points = append(points, b)
	}
	if st := strings.TrimSpace(lt.MustVirsh(t, uri, "domstate", vm)); st != "shut off" {
		t.Fatalf("after its backups the VM is %s", st)
	}
	removed, err := m.PruneBackups(uri, pool, vm, 2)
	if err != nil || len(removed) != 1 || removed[0] != points[0].ID {
		t.Fatalf("pruned %v, %v", removed, err)
	}
	list, _ := m.Backups(uri, pool, vm)
	if len(list) != 2 || list[0].ID != points[1].ID || list[0].Kind != "full" || list[0].Parent != "" || list[1].Parent != points[1].ID {
		t.Fatalf("after keeping 2: %+v", list)
	}
	if _, err := os.Stat(points[0].Disks[0].File); !os.IsNotExist(err) {
		t.Fatalf("the pruned point's file: %v", err)
	}
	for _, b := range list {
		if got := rawOf(t, b.Disks[0].File); !bytes.Equal(got, data) {
			t.Fatalf("point %s no longer holds the data", b.ID)
		}
	}
	if _, err := m.PruneBackups(uri, pool, vm, 1); err != nil {
		t.Fatal(err)
	}
	list, _ = m.Backups(uri, pool, vm)
	if len(list) != 1 || list[0].ID != points[2].ID || list[0].Kind != "full" || !bytes.Equal(rawOf(t, list[0].Disks[0].File), data) {
		t.Fatalf("after keeping 1: %+v", list)
	}
	if out := strings.TrimSpace(lt.MustVirsh(t, uri, "checkpoint-list", vm, "--name")); out != points[2].Checkpoint {
		t.Fatalf("checkpoints after pruning: %q", out)
	}
	// The newest checkpoint still serves an incremental.
	if _, err := m.BackupVM(t.Context(), ref, BackupOptions{Pool: pool, Incremental: true}, func(int64, int64) {}); err != nil {
		t.Fatal(err)
	}
}

// A pool whose directory is a read-only mount is refused before anything
// starts (root writes anywhere else, so permissions cannot stand in for it):
// the VM is not paused or started, no volume, no checkpoint.
func TestRealBackupRefusesAReadOnlyTarget(t *testing.T) {
	uri := lt.URI(t)
	vm, _, _ := lt.GuestWithDisk(t, uri, fmt.Sprintf("robackup-%d", os.Getpid()), nil, "")
	pool, dir := lt.DirPool(t, uri, "robackups")
	for _, args := range [][]string{{"--bind", dir, dir}, {"-o", "remount,bind,ro", dir}} {
		if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
			t.Fatalf("mount %v (make test runs as root): %v %s", args, err, out)
		}
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	m, ref := managerFor(t, uri, vm)
	_, err := m.BackupVM(t.Context(), ref, BackupOptions{Pool: pool}, func(int64, int64) {})
	if err == nil || !strings.Contains(err.Error(), "is not writable") || !strings.Contains(err.Error(), "read-only file system") {
		t.Fatalf("a read-only target: %v", err)
	}
	if st := lt.MustVirsh(t, uri, "domstate", vm); !strings.Contains(st, "shut off") {
		t.Fatalf("the VM was touched: %s", st)
	}
	if cps := lt.MustVirsh(t, uri, "checkpoint-list", vm, "--name"); strings.TrimSpace(cps) != "" {
		t.Fatalf("a checkpoint was left: %s", cps)
	}
}
