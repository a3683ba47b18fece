package devices

import (
	"fmt"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Host directories shared with the guest: virtiofs (fast, needs shared
// memory) or 9p (QEMU's "path" and "handle" drivers).

var (
	fsDrivers     = []string{"virtiofs", "path", "handle"}
	fsAccessModes = []string{"passthrough", "mapped", "squash"}
)

var kindFilesystem = register(&Kind{ID: "filesystem", Title: "Shared folder", Hotplug: true, Addable: true}, &kindDef[lx.DomainFilesystem]{
	fields: []spec[lx.DomainFilesystem]{
		{
			Field: Field{Name: "driver", Label: "Driver", Type: TypeEnum, Choices: fsDrivers,
				Help: "virtiofs is fast and needs shared memory (turned on when added); path and handle are 9p"},
			choices: func(c *Caps) []string { return offered(fsDrivers, c.FilesystemDrivers) },
			get:     fsDriver,
			set: func(f *lx.DomainFilesystem, s string) error {
				if s == fsDriver(f) {
					return nil
				}
				f.Driver = &lx.DomainFilesystemDriver{Type: s}
				f.Address, f.Binary = nil, nil
				if s == "virtiofs" {
					f.AccessMode, f.ReadOnly = "passthrough", nil
				}
				return nil
			},
		},
		{
			Field: Field{Name: "source", Label: "Host directory", Type: TypePath, Help: "the host directory to share, like /srv/share"},
			get: func(f *lx.DomainFilesystem) string {
				if f.Source == nil || f.Source.Mount == nil {
					return ""
				}
				return f.Source.Mount.Dir
			},
			set: func(f *lx.DomainFilesystem, s string) error {
				f.Source = &lx.DomainFilesystemSource{Mount: &lx.DomainFilesystemSourceMount{Dir: s}}
				return nil
			},
		},
		{
			Field: Field{Name: "target", Label: "Mount tag", Type: TypeText,
				Help: "the name the guest mounts it by (mount -t virtiofs TAG /mnt); virtiofs takes up to 36 bytes"},
			parse: func(s string) (string, error) {
				if strings.ContainsAny(s, " \t") || len(s) > 255 {
					return "", fmt.Errorf("invalid mount tag %q: expected up to 255 characters without spaces, like share", s)
				}
				return s, nil
			},
			get: func(f *lx.DomainFilesystem) string {
				if f.Target == nil {
					return ""
				}
				return f.Target.Dir
			},
			set: func(f *lx.DomainFilesystem, s string) error {
				f.Target = &lx.DomainFilesystemTarget{Dir: s}
				return nil
			},
		},
		{
			Field: Field{Name: "accessmode", Label: "Access mode", Type: TypeEnum, Choices: fsAccessModes,
				Help: "9p: passthrough uses the guest's owners as they are, mapped stores them in xattrs, squash ignores failures"},
			when: func(f *lx.DomainFilesystem) bool { return fsDriver(f) != "virtiofs" },
			get: func(f *lx.DomainFilesystem) string {
				if f.AccessMode == "" {
					return "passthrough"
				}
				return f.AccessMode
			},
			set: func(f *lx.DomainFilesystem, s string) error { f.AccessMode = s; return nil },
		},
		{
			Field: Field{Name: "readonly", Label: "Read-only", Type: TypeBool, Help: "9p only: the guest cannot write"},
			when:  func(f *lx.DomainFilesystem) bool { return fsDriver(f) != "virtiofs" },
			get:   func(f *lx.DomainFilesystem) string { return yesNo(f.ReadOnly != nil) },
			set: func(f *lx.DomainFilesystem, s string) error {
				f.ReadOnly = nil
				if s == "yes" {
					f.ReadOnly = &lx.DomainFilesystemReadOnly{}
				}
				return nil
			},
		},
	},
	list: func(def *lx.Domain) []*lx.DomainFilesystem { return pointers(def.Devices.Filesystems) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainFilesystem {
		driver := offered(fsDrivers, capsList(caps, func(c *Caps) []string { return c.FilesystemDrivers }))[0]
		f := &lx.DomainFilesystem{
			AccessMode: "passthrough",
			Driver:     &lx.DomainFilesystemDriver{Type: driver},
			// A directory every Debian host has; the form asks for the real one.
			Source: &lx.DomainFilesystemSource{Mount: &lx.DomainFilesystemSourceMount{Dir: "/srv"}},
			Target: &lx.DomainFilesystemTarget{Dir: freeMountTag(def)},
		}
		return f
	},
	unavail: func(caps *Caps, _ *lx.Domain) string {
		if caps.denies("filesystem") || len(offered(fsDrivers, capsList(caps, func(c *Caps) []string { return c.FilesystemDrivers }))) == 0 {
			return "this QEMU offers no shared folders"
		}
		return ""
	},
	valid: func(f *lx.DomainFilesystem, c ctx) error {
		if f.Source == nil || f.Source.Mount == nil || f.Source.Mount.Dir == "" {
			return fmt.Errorf("the shared folder needs a host directory")
		}
		if f.Target == nil || f.Target.Dir == "" {
			return fmt.Errorf("the shared folder needs a mount tag")
		}
		if c.def != nil && c.def.Devices != nil {
			for i := range c.def.Devices.Filesystems {
				o := &c.def.Devices.Filesystems[i]
				if any(o) != c.orig && o.Target != nil && o.Target.Dir == f.Target.Dir {
					return fmt.Errorf("mount tag %s is already used by another shared folder", f.Target.Dir)
				}
			}
		}
		if fsDriver(f) == "virtiofs" {
			if len(f.Target.Dir) > 36 {
				return fmt.Errorf("mount tag %q is longer than the 36 bytes virtiofs allows", f.Target.Dir)
			}
			if f.ReadOnly != nil {
				return fmt.Errorf("libvirt 9.0 cannot share read-only over virtiofs; use 9p (driver path) or drop read-only")
			}
			if f.AccessMode != "" && f.AccessMode != "passthrough" {
				return fmt.Errorf("virtiofs supports only the passthrough access mode")
			}
			if c.def != nil && !c.adding && !sharedMemory(c.def) {
				return fmt.Errorf("virtiofs needs shared memory: turn on Memory → shared memory first")
			}
		}
		return nil
	},
	sum: func(f *lx.DomainFilesystem) string {
		src, tag := "", ""
		if f.Source != nil && f.Source.Mount != nil {
			src = f.Source.Mount.Dir
		}
		if f.Target != nil {
			tag = "tag " + f.Target.Dir
		}
		d := fsDriver(f)
		if d == "path" || d == "handle" {
			d = "9p"
		}
		ro := ""
		if f.ReadOnly != nil {
			ro = "read-only"
		}
		return joinSummary(d+" shared folder", src, tag, ro)
	},
	// libvirt hot-plugs virtiofs (since 7.9); QEMU cannot hot-plug 9p.
	plug: func(f *lx.DomainFilesystem) string {
		if fsDriver(f) != "virtiofs" {
			return "a 9p shared folder cannot be hot-plugged; use virtiofs"
		}
		return ""
	},
	put: func(def *lx.Domain, f *lx.DomainFilesystem) {
		if fsDriver(f) == "virtiofs" {
			enableSharedMemory(def)
		}
		def.Devices.Filesystems = append(def.Devices.Filesystems, *f)
	},
})

// fsDriver names the driver; QEMU's default without one is 9p "path".
func fsDriver(f *lx.DomainFilesystem) string {
	if f.Driver == nil || f.Driver.Type == "" {
		return "path"
	}
	return f.Driver.Type
}

func freeMountTag(def *lx.Domain) string {
	used := map[string]bool{}
	if def != nil && def.Devices != nil {
		for _, f := range def.Devices.Filesystems {
			if f.Target != nil {
				used[f.Target.Dir] = true
			}
		}
	}
	tag := "share"
	for i := 1; used[tag]; i++ {
		tag = fmt.Sprintf("share%d", i)
	}
	return tag
}

// sharedMemory reports whether guest RAM is shared with other processes
// (virtiofsd needs to map it): <memoryBacking><access mode='shared'/> with
// a memfd or file source.
func sharedMemory(def *lx.Domain) bool {
	mb := def.MemoryBacking
	return mb != nil && mb.MemoryAccess != nil && mb.MemoryAccess.Mode == "shared" &&
		mb.MemorySource != nil && (mb.MemorySource.Type == "memfd" || mb.MemorySource.Type == "file")
}

func enableSharedMemory(def *lx.Domain) {
	if sharedMemory(def) {
		return
	}
	if def.MemoryBacking == nil {
		def.MemoryBacking = &lx.DomainMemoryBacking{}
	}
	if def.MemoryBacking.MemorySource == nil || def.MemoryBacking.MemorySource.Type == "anonymous" || def.MemoryBacking.MemorySource.Type == "" {
		def.MemoryBacking.MemorySource = &lx.DomainMemorySource{Type: "memfd"}
	}
	def.MemoryBacking.MemoryAccess = &lx.DomainMemoryAccess{Mode: "shared"}
}
