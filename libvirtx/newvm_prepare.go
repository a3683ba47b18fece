package libvirtx

import (
	"context"
	"fmt"

	"kvmtui/install"
	"kvmtui/ova"
)

// PrepareMedia checks that what n points at is there (the ISO or image,
// the existing disk, the direct-boot kernel and initrd, the install
// tree), records the images' formats and the tree's .treeinfo in n, and
// returns the OS the medium says it is (an ISO's volume descriptor, a
// tree's .treeinfo or Debian-style URL), or nil. Problems name the wizard
// page they belong to. It blocks: call it from a tea.Cmd.
func (m *Manager) PrepareMedia(ctx context.Context, uri string, n *install.NewVM, db *install.OSDB) (*install.OSInfo, error) {
	arch := n.Arch
	if arch == "" {
		arch = "x86_64"
	}
	var detected *install.OSInfo
	switch n.Method {
	case install.MethodISO, install.MethodImport, install.MethodCloud:
		if n.Media == "" {
			break // Check says what is missing
		}
		md, err := m.ProbeMedia(uri, n.Media)
		if err != nil {
			return nil, install.Problem{Page: "method", Msg: err.Error()}
		}
		if n.Method == install.MethodISO {
			mi, err := install.ReadMediaInfo(md.Head)
			if err != nil {
				return nil, install.Problem{Page: "method", Msg: fmt.Sprintf("%s: %v", n.Media, err)}
			}
			if db != nil {
				detected = db.DetectMedia(mi, arch)
			}
		} else {
			n.MediaFormat = md.Format
		}
	case install.MethodOVA:
		if n.Media == "" {
			break // Check says what is missing
		}
		a, err := ova.Open(n.Media)
		if err != nil {
			return nil, install.Problem{Page: "method", Msg: err.Error()}
		}
		a.NewVM(n)
	case install.MethodNetwork:
		if n.Location == "" {
			break
		}
		text, found, err := FetchTreeInfo(ctx, n.Location)
		if err != nil {
			return nil, install.Problem{Page: "method", Msg: fmt.Sprintf("install tree: %v", err)}
		}
		n.Tree = install.TreeInfo{}
		if found {
			n.Tree = install.ParseTreeInfo(text, arch)
		}
		if db != nil {
			detected = db.DetectTree(n.Location, n.Tree, arch)
		}
	}
	if n.Storage == install.StorageExisting && n.DiskPath != "" {
		md, err := m.ProbeMedia(uri, n.DiskPath)
		if err != nil {
			return nil, install.Problem{Page: "storage", Msg: err.Error()}
		}
		n.DiskFormat = md.Format
	}
	for _, p := range []string{n.Kernel, n.Initrd} {
		if p == "" {
			continue
		}
		if _, err := m.ProbeMedia(uri, p); err != nil {
			return nil, install.Problem{Page: "method", Msg: err.Error()}
		}
	}
	return detected, nil
}
