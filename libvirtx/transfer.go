package libvirtx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// Uploads and downloads go through libvirt streams, so they work over
// qemu+ssh:// as well as locally, and sparse: holes travel as their length,
// so a 20 GiB image with 2 GiB of data moves 2 GiB.

// Progress is called as a transfer moves: bytes of the file done so far
// (holes count as done), of total.
type Progress func(done, total int64)

const streamChunk = 1 << 20

// Upload writes a local file into a volume, creating the volume (raw, the
// file's size) when the pool has none of that name. A failed or cancelled
// upload removes a volume it created.
func (m *Manager) Upload(ctx context.Context, uri, pool, name, file string, progress Progress) (err error) {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", file)
	}
	lc, done, err := m.writeConn(uri)
	if err != nil {
		return err
	}
	defer done()
	sp, err := lookupPool(lc, uri, pool)
	if err != nil {
		return err
	}
	defer sp.Free()
	sv, err := sp.LookupStorageVolByName(name)
	created := false
	if err != nil {
		x := libvirtxml.StorageVolume{Name: name, Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: uint64(st.Size())},
			Allocation: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: 0},
			Target:     &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: "raw"}}}
		doc, err := x.Marshal()
		if err != nil {
			return err
		}
		if sv, err = sp.StorageVolCreateXML(doc, 0); err != nil {
			return errors.New(ErrText(err))
		}
		created = true
	}
	defer sv.Free()
	defer func() {
		if err != nil && created {
			sv.Delete(0) // nothing half-made is left behind
		}
	}()
	if info, err := sv.GetInfo(); err == nil && uint64(st.Size()) > info.Capacity {
		return fmt.Errorf("%s (%d bytes) does not fit in %s (%d bytes): resize it first", file, st.Size(), name, info.Capacity)
	}
	return uploadFile(ctx, lc, sv, f, st.Size(), progress)
}

// uploadFile sends a file into a volume through a sparse stream.
func uploadFile(ctx context.Context, lc *libvirt.Connect, sv *libvirt.StorageVol, f *os.File, size int64, progress Progress) error {
	stream, err := lc.NewStream(0)
	if err != nil {
		return errors.New(ErrText(err))
	}
	defer stream.Free()
	if err := sv.Upload(stream, 0, uint64(size), libvirt.STORAGE_VOL_UPLOAD_SPARSE_STREAM); err != nil {
		return errors.New(ErrText(err))
	}
	if err := sendSparse(ctx, stream, f, size, progress); err != nil {
		stream.Abort()
		return err
	}
	if err := stream.Finish(); err != nil {
		return errors.New(ErrText(err))
	}
	return nil
}

// sendSparse sends the file's data regions and the lengths of its holes
// (SEEK_DATA/SEEK_HOLE).
func sendSparse(ctx context.Context, s *libvirt.Stream, f *os.File, size int64, progress Progress) error {
	const seekData, seekHole = 3, 4
	buf := make([]byte, streamChunk)
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return errors.New("cancelled")
		}
		data, err := f.Seek(off, seekData)
		if errors.Is(err, syscall.ENXIO) {
			data = size // a hole to the end
		} else if err != nil {
			return err
		}
		if data > off {
			if err := s.SendHole(data-off, 0); err != nil {
				return errors.New(ErrText(err))
			}
			off = data
			if progress != nil {
				progress(off, size)
			}
			continue
		}
		end, err := f.Seek(off, seekHole)
		if err != nil {
			return err
		}
		n, err := f.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		for sent := 0; sent < n; {
			k, err := s.Send(buf[sent:n])
			if err != nil {
				return errors.New(ErrText(err))
			}
			sent += k
		}
		off += int64(n)
		if progress != nil {
			progress(off, size)
		}
	}
	return nil
}

// Download writes a volume to a local file (created, or truncated), its
// holes left as holes. A failed or cancelled download removes the file.
func (m *Manager) Download(ctx context.Context, uri, pool, name, file string, progress Progress) (err error) {
	lc, sv, v, release, err := m.openVolume(uri, pool, name, false)
	if err != nil {
		return err
	}
	defer release()
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(file)
		}
	}()
	stream, err := lc.NewStream(0)
	if err != nil {
		return errors.New(ErrText(err))
	}
	defer stream.Free()
	if err := sv.Download(stream, 0, 0, libvirt.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM); err != nil {
		return errors.New(ErrText(err))
	}
	total := int64(v.Capacity)
	buf := make([]byte, streamChunk)
	var off int64
	for {
		if ctx.Err() != nil {
			stream.Abort()
			return errors.New("cancelled")
		}
		n, err := stream.RecvFlags(buf, libvirt.STREAM_RECV_STOP_AT_HOLE)
		switch {
		case errors.Is(err, io.EOF):
			if err := f.Truncate(off); err != nil { // a hole at the end has no bytes to write
				return err
			}
			if err := stream.Finish(); err != nil {
				return errors.New(ErrText(err))
			}
			return nil
		case err != nil:
			stream.Abort()
			return errors.New(ErrText(err))
		case n == -3: // in a hole
			hole, err := stream.RecvHole(0)
			if err != nil {
				stream.Abort()
				return errors.New(ErrText(err))
			}
			off += hole
		case n > 0:
			if _, err := f.WriteAt(buf[:n], off); err != nil {
				stream.Abort()
				return err
			}
			off += int64(n)
		}
		if progress != nil {
			progress(off, total)
		}
	}
}
