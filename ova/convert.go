package ova

import (
	"archive/tar"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Convert writes disk number i of the appliance into dir as a raw image
// (sparse), checking its file against the manifest's digest first, and
// returns the image's path.
func (a *Appliance) Convert(ctx context.Context, i int, dir string) (string, error) {
	if i < 0 || i >= len(a.Disks) {
		return "", fmt.Errorf("the appliance has no disk %d", i+1)
	}
	d := a.Disks[i]
	src := filepath.Join(filepath.Dir(a.source), filepath.FromSlash(d.File))
	if strings.EqualFold(filepath.Ext(a.source), ".ova") {
		src = filepath.Join(dir, fmt.Sprintf("disk%d.in", i+1)) // never a path from the archive
		if err := a.extract(d.File, src); err != nil {
			return "", err
		}
		defer os.Remove(src)
	} else if err := a.check(d.File, src); err != nil {
		return "", err
	}
	format, err := qemuFormat(d.Format)
	if err != nil {
		return "", fmt.Errorf("%s: %w", d.File, err)
	}
	dst := filepath.Join(dir, fmt.Sprintf("disk%d.raw", i+1))
	// The format is said, never probed: an image must not pick its own.
	cmd := exec.CommandContext(ctx, "qemu-img", "convert", "-f", format, "-O", "raw", src, dst)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("converting %s: %v: %s", d.File, err, strings.TrimSpace(string(b)))
	}
	return dst, nil
}

// qemuFormat reads the descriptor's disk format URL.
func qemuFormat(f string) (string, error) {
	l := strings.ToLower(f)
	switch {
	case strings.Contains(l, "vmdk"):
		return "vmdk", nil
	case strings.Contains(l, "vhdx"):
		return "vhdx", nil
	case strings.Contains(l, "vhd"):
		return "vpc", nil
	case strings.Contains(l, "qcow2"):
		return "qcow2", nil
	case strings.Contains(l, "raw"):
		return "raw", nil
	}
	return "", fmt.Errorf("disk format %q is not one kvmtui converts (VMDK, VHD, VHDX, qcow2, raw)", f)
}

// extract copies one file out of the tar to p, checking its digest.
func (a *Appliance) extract(name, p string) error {
	f, err := os.Open(a.source)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s is not in the archive", name)
		}
		if err != nil {
			return err
		}
		if strings.TrimPrefix(path.Clean(h.Name), "./") == name {
			return a.copyChecked(name, tr, p)
		}
	}
}

// copyChecked writes r to p, hashing it for the manifest.
func (a *Appliance) copyChecked(name string, r io.Reader, p string) error {
	out, err := os.Create(p)
	if err != nil {
		return err
	}
	h, sum := a.hasher(name)
	w := io.Writer(out)
	if h != nil {
		w = io.MultiWriter(out, h)
	}
	if _, err := io.Copy(w, r); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return verify(name, h, sum)
}

// check hashes a disk file beside an .ovf for the manifest.
func (a *Appliance) check(name, p string) error {
	h, sum := a.hasher(name)
	if h == nil {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	return verify(name, h, sum)
}

// hasher is the manifest's hash for a file (nil when it lists none).
func (a *Appliance) hasher(name string) (hash.Hash, string) {
	algo, sum, ok := strings.Cut(a.digest[name], ":")
	if !ok {
		return nil, ""
	}
	switch algo {
	case "SHA1":
		return sha1.New(), sum
	case "SHA256":
		return sha256.New(), sum
	case "SHA512":
		return sha512.New(), sum
	}
	return nil, ""
}

func verify(name string, h hash.Hash, sum string) error {
	if h == nil {
		return nil
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("%s does not match the manifest's digest (%s, the file has %s): the appliance is damaged or altered", name, sum, got)
	}
	return nil
}
