package libvirtx

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	lt "kvmtui/libvirtx/libvirtxtest"
)

func sha(t *testing.T, path string) [32]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

// allocated is what a file takes on disk (du), in bytes.
func allocated(t *testing.T, path string) int64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}

// A sparse 1 GiB image with 4 MiB of data goes up into a new volume and
// comes back down: the same sha256, and sparse (du) after both moves. A
// cancelled upload leaves no volume; a file larger than the volume is
// refused.
func TestRealUploadDownload(t *testing.T) {
	m, uri := connectReal(t)
	pool := dirPoolName(t, uri, "xfer")
	dir := t.TempDir()
	src := filepath.Join(dir, "src.img")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 4<<20)
	rand.Read(data)
	if _, err := f.WriteAt(data, 100<<20); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()

	var last int64
	if err := m.Upload(context.Background(), uri, pool, "img.raw", src, func(done, total int64) { last = done }); err != nil {
		t.Fatal(err)
	}
	v := volumeNamed(t, m, uri, pool, "img.raw")
	if v.Capacity != 1<<30 || last != 1<<30 {
		t.Fatalf("volume %+v, progress ended at %d", v, last)
	}
	if sha(t, v.Path) != sha(t, src) {
		t.Fatal("the volume differs from the file")
	}
	if a := allocated(t, v.Path); a > 16<<20 {
		t.Fatalf("the volume takes %d bytes: the holes were written", a)
	}
	dst := filepath.Join(dir, "back.img")
	if err := m.Download(context.Background(), uri, pool, "img.raw", dst, nil); err != nil {
		t.Fatal(err)
	}
	if sha(t, dst) != sha(t, src) {
		t.Fatal("the download differs")
	}
	if st, _ := os.Stat(dst); st.Size() != 1<<30 || allocated(t, dst) > 16<<20 {
		t.Fatalf("download: %d bytes, %d allocated", st.Size(), allocated(t, dst))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Upload(ctx, uri, pool, "gone.raw", src, nil); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("a cancelled upload: %v", err)
	}
	if _, err := lt.Virsh(t, uri, "vol-info", "--pool", pool, "gone.raw"); err == nil {
		t.Fatal("a cancelled upload left its volume")
	}
	if err := m.CreateVolume(uri, pool, VolSpec{Name: "small.raw", Format: "raw", Capacity: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := m.Upload(context.Background(), uri, pool, "small.raw", src, nil); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Fatalf("too big: %v", err)
	}
	if err := m.Download(context.Background(), uri, pool, "nope", filepath.Join(dir, "x"), nil); err == nil {
		t.Fatal("a download of no volume")
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Fatal("a failed download left a file")
	}
}
