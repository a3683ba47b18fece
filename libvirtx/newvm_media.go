package libvirtx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// Media is what kvmtui found at an install medium's or image's path.
type Media struct {
	Volume bool   // a pool volume (else a host path)
	Format string // qcow2, raw, iso (from libvirt, or from the file's header)
	Head   []byte // the first 36 KiB: enough for an ISO's volume descriptor
}

const mediaHead = 36 << 10

// ProbeMedia checks that path is there and reads its head: a pool volume
// through the storage API (virStorageVolDownload, so a remote host works),
// else a file of this machine when the connection is local. The error says
// why it cannot be used, in libvirt's words where libvirt said it.
func (m *Manager) ProbeMedia(uri, path string) (Media, error) {
	lc, done, err := m.lconn(uri)
	if err != nil {
		return Media{}, err
	}
	defer done()
	if v, err := lc.LookupStorageVolByPath(path); err == nil {
		defer v.Free()
		md := Media{Volume: true}
		if raw, err := v.GetXMLDesc(0); err == nil {
			x := &libvirtxml.StorageVolume{}
			if x.Unmarshal(raw) == nil && x.Target != nil && x.Target.Format != nil {
				md.Format = x.Target.Format.Type
			}
		}
		md.Head, err = downloadHead(lc, v, mediaHead)
		if err != nil {
			return md, fmt.Errorf("cannot read %s: %w", path, err)
		}
		if md.Format == "" || md.Format == "raw" || md.Format == "iso" {
			md.Format = sniffFormat(md.Head, md.Format)
		}
		return md, nil
	}
	if !IsLocal(uri) {
		return Media{}, fmt.Errorf("%s is not a volume of any storage pool on %s; put it in a pool (a remote host's other files cannot be checked)", path, uri)
	}
	f, err := os.Open(path)
	if err != nil {
		return Media{}, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	head := make([]byte, mediaHead)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Media{}, fmt.Errorf("%s: %w", path, err)
	}
	head = head[:n]
	return Media{Format: sniffFormat(head, ""), Head: head}, nil
}

// sniffFormat tells qcow2 from raw by the header's magic ("QFI\xfb");
// libvirt's own word is kept otherwise.
func sniffFormat(head []byte, libvirtSays string) string {
	if bytes.HasPrefix(head, []byte("QFI\xfb")) {
		return "qcow2"
	}
	if libvirtSays != "" {
		return libvirtSays
	}
	return "raw"
}

func downloadHead(lc *libvirt.Connect, v *libvirt.StorageVol, n uint64) ([]byte, error) {
	st, err := lc.NewStream(0)
	if err != nil {
		return nil, errors.New(ErrText(err))
	}
	defer st.Free()
	if err := v.Download(st, 0, n, 0); err != nil {
		return nil, errors.New(ErrText(err))
	}
	var out []byte
	buf := make([]byte, 64<<10)
	for uint64(len(out)) < n {
		k, err := st.Recv(buf)
		if err != nil {
			st.Abort()
			return nil, errors.New(ErrText(err))
		}
		if k == 0 {
			break
		}
		out = append(out, buf[:k]...)
	}
	if err := st.Finish(); err != nil {
		return out, nil // a short volume ends the stream early: what was read stands
	}
	return out, nil
}

// FetchTreeInfo reads an install tree's .treeinfo (or treeinfo). found is
// false for trees without one (Debian, Ubuntu); an unreachable tree is an
// error.
func FetchTreeInfo(ctx context.Context, treeURL string) (text string, found bool, err error) {
	base := strings.TrimRight(treeURL, "/") + "/"
	for _, name := range []string{".treeinfo", "treeinfo"} {
		b, status, err := fetch(ctx, base+name, 1<<20)
		if err != nil {
			return "", false, err
		}
		if status == http.StatusOK {
			return string(b), true, nil
		}
	}
	return "", false, nil
}

// fetch GETs an http, https or ftp URL, at most limit bytes; status is the
// HTTP status (404 for a file an FTP server lacks).
func fetch(ctx context.Context, u string, limit int64) ([]byte, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if strings.HasPrefix(u, "ftp://") {
		return fetchFTP(ctx, u, limit)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", u, err)
	}
	if int64(len(b)) > limit {
		return nil, 0, tooLarge(u, limit)
	}
	return b, resp.StatusCode, nil
}

func tooLarge(u string, limit int64) error {
	if limit >= 1<<20 {
		return fmt.Errorf("%s: larger than %d MiB", u, limit>>20)
	}
	return fmt.Errorf("%s: larger than %d bytes", u, limit)
}
