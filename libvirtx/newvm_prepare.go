package libvirtx

import (
	"context"
	"fmt"

	"kvmtui/devices"
)

// PrepareMedia checks that what n points at is there (the ISO or image,
// the existing disk, the direct-boot kernel and initrd, the install
// tree), records the images' formats and the tree's .treeinfo in n, and
// returns the OS the medium says it is (an ISO's volume descriptor, a
// tree's .treeinfo or Debian-style URL), or nil. Problems name the wizard
// page they belong to. It blocks: call it from a tea.Cmd.
func (m *Manager) PrepareMedia(ctx context.Context, uri string, n *devices.NewVM, db *devices.OSDB) (*devices.OSInfo, error) {
	arch := n.Arch
	if arch == "" {
		arch = "x86_64"
	}
	var detected *devices.OSInfo
	switch n.Method {
	case devices.MethodISO, devices.MethodImport, devices.MethodCloud:
		if n.Media == "" {
			break // Check says what is missing
		}
		md, err := m.ProbeMedia(uri, n.Media)
		if err != nil {
			return nil, devices.Problem{Page: "method", Msg: err.Error()}
		}
		if n.Method == devices.MethodISO {
			mi, err := devices.ReadMediaInfo(md.Head)
			if err != nil {
				return nil, devices.Problem{Page: "method", Msg: fmt.Sprintf("%s: %v", n.Media, err)}
			}
			if db != nil {
				detected = db.DetectMedia(mi, arch)
			}
		} else {
			n.MediaFormat = md.Format
		}
	case devices.MethodNetwork:
		if n.Location == "" {
			break
		}
		text, found, err := FetchTreeInfo(ctx, n.Location)
		if err != nil {
			return nil, devices.Problem{Page: "method", Msg: fmt.Sprintf("install tree: %v", err)}
		}
		n.Tree = devices.TreeInfo{}
		if found {
			n.Tree = devices.ParseTreeInfo(text, arch)
		}
		if db != nil {
			detected = db.DetectTree(n.Location, n.Tree, arch)
		}
	}
	if n.Storage == devices.StorageExisting && n.DiskPath != "" {
		md, err := m.ProbeMedia(uri, n.DiskPath)
		if err != nil {
			return nil, devices.Problem{Page: "storage", Msg: err.Error()}
		}
		n.DiskFormat = md.Format
	}
	for _, p := range []string{n.Kernel, n.Initrd} {
		if p == "" {
			continue
		}
		if _, err := m.ProbeMedia(uri, p); err != nil {
			return nil, devices.Problem{Page: "method", Msg: err.Error()}
		}
	}
	return detected, nil
}
