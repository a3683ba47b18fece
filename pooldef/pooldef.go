// Package pooldef is a new storage pool as its form fills it, without
// libvirt: the fields each pool type needs, their checks, and the XML.
package pooldef

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// Types are the pool types kvmtui's form knows, in the order it offers them.
var Types = []string{"dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi", "mpath", "rbd", "gluster", "zfs", "vstorage"}

// Spec is a new storage pool.
type Spec struct {
	Name      string
	Type      string
	Target    string // dir, fs, netfs, logical, disk, iscsi, scsi, mpath: where its volumes appear
	Host      string // netfs, iscsi, iscsi-direct, rbd, gluster
	SourceDir string // netfs: the export; gluster: a directory of the volume
	Device    string // fs, disk, logical (a PV for a new group): the host device
	Source    string // logical: the volume group; iscsi(-direct): the target IQN; rbd: the Ceph pool; gluster: the volume; zfs: the zpool; scsi: the adapter (host0); vstorage: the cluster
	Format    string // fs: ext4, xfs, …; netfs: nfs, cifs, glusterfs; disk: dos, gpt
	Initiator string // iscsi-direct: our IQN
	// AuthUser and Secret (typed twice, never shown): iSCSI CHAP or Ceph
	// cephx; the secret goes into a private libvirt secret (SecretXML).
	AuthUser string
	Secret   [2]string
	Build    bool // virStoragePoolBuild first: make the directory, the filesystem, the volume group, the label
	Start    bool
	Auto     bool
	types    []string // the types this host's daemon supports
}

// Host is what a check needs of the host: the pool types its daemon
// supports, its pools' names, and (locally) whether a path exists.
type Host struct {
	Supported []string
	Pools     []string
	Exists    func(path string) (exists, known bool)
}

// New proposes a dir pool under /var/lib/libvirt, built, started and
// started with the host.
func New(h Host) *Spec {
	s := &Spec{Type: "dir", Build: true, Start: true, Auto: true, types: Types}
	if len(h.Supported) > 0 {
		s.types = slices.DeleteFunc(slices.Clone(Types), func(t string) bool { return !slices.Contains(h.Supported, t) })
	}
	for i := 1; ; i++ {
		name := fmt.Sprintf("pool%d", i)
		if !slices.Contains(h.Pools, name) {
			s.Name, s.Target = name, "/var/lib/libvirt/"+name
			return s
		}
	}
}

// needs lists the fields a type uses beyond name and type.
var needs = map[string][]string{
	"dir":          {"target"},
	"fs":           {"device", "format", "target"},
	"netfs":        {"host", "sourcedir", "format", "target"},
	"logical":      {"source", "device", "target"},
	"disk":         {"device", "format", "target"},
	"iscsi":        {"host", "source", "target"},
	"iscsi-direct": {"host", "source", "initiator"},
	"scsi":         {"source", "target"},
	"mpath":        {"target"},
	"rbd":          {"host", "source"},
	"gluster":      {"host", "source", "sourcedir"},
	"zfs":          {"source"},
	"vstorage":     {"source", "target"},
}

// auths is how each type that has one authenticates.
var auths = map[string]string{"iscsi": "chap", "iscsi-direct": "chap", "rbd": "ceph"}

// builds is where virStoragePoolBuild does something.
var builds = []string{"dir", "fs", "netfs", "logical", "disk"}

var formats = map[string][]string{
	"fs":    {"auto", "ext4", "ext3", "ext2", "xfs", "btrfs", "vfat"},
	"netfs": {"nfs", "cifs", "glusterfs"},
	"disk":  {"dos", "gpt", "mac", "bsd", "sun", "lvm2"},
}

// Fields are the form's rows for the chosen type.
func (s *Spec) Fields() []devices.Field {
	fs := []devices.Field{
		{Name: "name", Label: "Name", Type: devices.TypeText, Help: "the pool's name in libvirt"},
		{Name: "type", Label: "Type", Type: devices.TypeEnum, Choices: s.types, Help: "dir: a directory; fs/disk/logical: a host device; netfs: NFS/CIFS; iscsi, rbd, gluster: network storage"},
	}
	if missing := slices.DeleteFunc(slices.Clone(Types), func(t string) bool { return slices.Contains(s.types, t) }); len(missing) > 0 {
		fs[1].Help += "; this host's libvirt has no " + strings.Join(missing, ", ")
	}
	labels := map[string]devices.Field{
		"target":    {Name: "target", Label: "Target path", Type: devices.TypeText, Help: "where the volumes appear on the host, like /var/lib/libvirt/images2"},
		"host":      {Name: "host", Label: "Source host", Type: devices.TypeText, Help: "the server's name or address"},
		"sourcedir": {Name: "sourcedir", Label: "Source path", Type: devices.TypeText, Help: "the export (NFS /srv/vms) or share (CIFS vms)"},
		"device":    {Name: "device", Label: "Source device", Type: devices.TypeText, Help: "a host block device, like /dev/sdb or /dev/disk/by-id/…"},
		"format":    {Name: "format", Label: "Format", Type: devices.TypeEnum, Choices: formats[s.Type], Help: "the filesystem, protocol or partition table"},
		"source":    {Name: "source", Label: sourceLabel[s.Type], Type: devices.TypeText, Help: sourceHelp[s.Type]},
		"initiator": {Name: "initiator", Label: "Initiator IQN", Type: devices.TypeText, Help: "this host's iSCSI name, like iqn.2024-01.org.example:host1"},
	}
	for _, n := range needs[s.Type] {
		f := labels[n]
		if n == "device" && s.Type == "logical" {
			f.Optional, f.Help = true, "a block device for a new volume group (built); empty: the group exists"
		}
		fs = append(fs, f)
	}
	switch auths[s.Type] {
	case "chap":
		fs = append(fs,
			devices.Field{Name: "auth_user", Label: "CHAP user", Type: devices.TypeText, Optional: true, Help: "the target's CHAP user name; empty: no authentication"},
			devices.Field{Name: "secret", Label: "CHAP password", Type: devices.TypePassword, Optional: true, Help: "kept by libvirt in a private secret, never shown again or written to a file"},
			devices.Field{Name: "secret2", Label: "Again", Type: devices.TypePassword, Optional: true, Help: "the password once more"})
	case "ceph":
		fs = append(fs,
			devices.Field{Name: "auth_user", Label: "Ceph user", Type: devices.TypeText, Optional: true, Help: "the cephx user, like libvirt (client.libvirt); empty: no authentication"},
			devices.Field{Name: "secret", Label: "Ceph key", Type: devices.TypePassword, Optional: true, Help: "the user's key (ceph auth get-key client.NAME), base64; kept by libvirt in a private secret"},
			devices.Field{Name: "secret2", Label: "Again", Type: devices.TypePassword, Optional: true, Help: "the key once more"})
	}
	if slices.Contains(builds, s.Type) {
		fs = append(fs, devices.Field{Name: "build", Label: "Build it", Type: devices.TypeBool, Help: buildHelp[s.Type]})
	}
	return append(fs,
		devices.Field{Name: "start", Label: "Start now", Type: devices.TypeBool},
		devices.Field{Name: "autostart", Label: "Start with the host", Type: devices.TypeBool})
}

var sourceLabel = map[string]string{
	"logical": "Volume group", "iscsi": "Target IQN", "iscsi-direct": "Target IQN", "scsi": "SCSI adapter", "rbd": "Ceph pool",
	"gluster": "Gluster volume", "zfs": "ZFS pool", "vstorage": "Cluster",
}

var sourceHelp = map[string]string{
	"logical": "the LVM volume group's name", "iscsi": "like iqn.2024-01.org.example:storage", "iscsi-direct": "like iqn.2024-01.org.example:storage",
	"scsi": "the host adapter, like host0", "rbd": "the Ceph pool's name", "gluster": "the Gluster volume's name", "zfs": "the zpool's name",
	"vstorage": "the Virtuozzo Storage cluster's name",
}

var buildHelp = map[string]string{
	"dir": "make the directory", "fs": "make the filesystem on the device (refused if it has one)", "netfs": "make the target directory",
	"logical": "make the volume group on the device (its data is lost)", "disk": "write a new partition table (its data is lost)",
}

// Get is a field's value as the form shows it.
func (s *Spec) Get(name string) string {
	switch name {
	case "secret":
		return s.Secret[0]
	case "secret2":
		return s.Secret[1]
	case "build", "start", "autostart":
		b := map[string]bool{"build": s.Build, "start": s.Start, "autostart": s.Auto}[name]
		if b {
			return "yes"
		}
		return "no"
	}
	return *s.field(name)
}

func (s *Spec) field(name string) *string {
	return map[string]*string{"name": &s.Name, "type": &s.Type, "target": &s.Target, "host": &s.Host, "sourcedir": &s.SourceDir,
		"device": &s.Device, "source": &s.Source, "format": &s.Format, "initiator": &s.Initiator, "auth_user": &s.AuthUser}[name]
}

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`)
	hostRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$`)
	userRE = regexp.MustCompile(`^[A-Za-z0-9_.@-]+$`)
	iqnRE  = regexp.MustCompile(`^(iqn\.\d{4}-\d{2}\.[^\s]+|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$`)
)

// Set validates one field; a bad value changes nothing.
func (s *Spec) Set(name, v string) error {
	switch name {
	case "secret", "secret2": // as typed: spaces may be part of it
		if strings.ContainsAny(v, "\n\r\x00") {
			return fmt.Errorf("one line")
		}
		s.Secret[map[string]int{"secret": 0, "secret2": 1}[name]] = v
		return nil
	}
	v = strings.TrimSpace(v)
	switch name {
	case "auth_user":
		if v != "" && !userRE.MatchString(v) {
			return fmt.Errorf("invalid user %q: letters, digits and _ . @ -", v)
		}
	case "name":
		if !nameRE.MatchString(v) {
			return fmt.Errorf("invalid pool name %q: letters, digits and _ . + -", v)
		}
	case "type":
		if !slices.Contains(s.types, v) {
			return fmt.Errorf("this host's libvirt makes %s pools, not %q", strings.Join(s.types, ", "), v)
		}
		if fs := formats[v]; len(fs) > 0 && !slices.Contains(fs, s.Format) {
			s.Format = fs[0]
		}
		s.Build = slices.Contains(builds, v) && (v == "dir" || v == "netfs")
	case "target", "device":
		if v != "" && !filepath.IsAbs(v) {
			return fmt.Errorf("%q is not an absolute path", v)
		}
	case "host":
		if h, _, err := SplitHostPort(v); err != nil || !hostRE.MatchString(h) {
			return fmt.Errorf("invalid host %q (a name or address, with :port when not the default)", v)
		}
	case "format":
		if !slices.Contains(formats[s.Type], v) {
			return fmt.Errorf("format must be one of %s", strings.Join(formats[s.Type], ", "))
		}
	case "initiator":
		if !iqnRE.MatchString(v) {
			return fmt.Errorf("invalid IQN %q (like iqn.2024-01.org.example:host1)", v)
		}
	case "source", "sourcedir":
		if v == "" {
			return fmt.Errorf("this pool type needs it")
		}
		if name == "source" && strings.HasPrefix(s.Type, "iscsi") && !iqnRE.MatchString(v) {
			return fmt.Errorf("invalid IQN %q (like iqn.2024-01.org.example:storage)", v)
		}
	case "build", "start", "autostart":
		b, err := parseBool(v)
		if err != nil {
			return err
		}
		switch name {
		case "build":
			s.Build = b
		case "start":
			s.Start = b
		default:
			s.Auto = b
		}
		return nil
	default:
		return fmt.Errorf("no field %q", name)
	}
	*s.field(name) = v
	return nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "y", "on", "true":
		return true, nil
	case "no", "n", "off", "false":
		return false, nil
	}
	return false, fmt.Errorf("yes or no")
}

// Snapshot lets the form replay typed fields over the spec as it opened.
func (s *Spec) Snapshot() (func(), error) {
	saved := *s
	return func() { *s = saved }, nil
}

// Check refuses what cannot work before libvirt sees it: a type the
// daemon lacks, a name taken, a field the type needs left empty, a local
// target directory or device that does not exist (and is not built).
func (s *Spec) Check(h Host) error {
	switch {
	case len(h.Supported) > 0 && !slices.Contains(h.Supported, s.Type):
		return fmt.Errorf("this host's libvirt has no %s pools (it has %s)", s.Type, strings.Join(h.Supported, ", "))
	case slices.Contains(h.Pools, s.Name):
		return fmt.Errorf("a pool named %s already exists", s.Name)
	}
	for _, n := range needs[s.Type] {
		if *s.field(n) == "" && !(n == "device" && s.Type == "logical") {
			return fmt.Errorf("a %s pool needs its %s", s.Type, strings.ToLower(fieldLabel(s, n)))
		}
	}
	if auths[s.Type] != "" {
		switch {
		case s.AuthUser == "" && s.Secret[0]+s.Secret[1] != "":
			return fmt.Errorf("a password or key needs its user")
		case s.AuthUser != "" && s.Secret[0] == "":
			return fmt.Errorf("user %s needs a password or key", s.AuthUser)
		case s.Secret[0] != s.Secret[1]:
			return fmt.Errorf("the two passwords or keys differ")
		case auths[s.Type] == "ceph" && s.AuthUser != "":
			if _, err := base64.StdEncoding.DecodeString(s.Secret[0]); err != nil {
				return fmt.Errorf("a Ceph key is base64 (as ceph auth get-key prints it)")
			}
		}
	}
	if s.Type == "logical" && s.Device != "" && !s.Build {
		return fmt.Errorf("a device for a new volume group needs Build it: yes (or leave the device empty for an existing group)")
	}
	if h.Exists == nil {
		return nil
	}
	// A directory used as it is must exist (building makes it); the other
	// types' targets are libvirt's (/dev/VG, /dev/disk/by-path, …).
	if (s.Type == "dir" || s.Type == "fs" || s.Type == "netfs") && !s.Build {
		if ok, known := h.Exists(s.Target); known && !ok {
			return fmt.Errorf("target %s does not exist: make it, or set Build it: yes", s.Target)
		}
	}
	if s.Device != "" {
		if ok, known := h.Exists(s.Device); known && !ok {
			return fmt.Errorf("the host has no device %s", s.Device)
		}
	}
	return nil
}

func fieldLabel(s *Spec, name string) string {
	for _, f := range s.Fields() {
		if f.Name == name {
			return f.Label
		}
	}
	return name
}

// XML is the pool's definition, with only the fields its type uses (a
// value typed before the type changed is left out).
func (s *Spec) XML() (string, error) {
	has := func(n string) bool { return slices.Contains(needs[s.Type], n) && *s.field(n) != "" }
	x := &libvirtxml.StoragePool{Type: s.Type, Name: s.Name}
	src := &libvirtxml.StoragePoolSource{}
	if has("host") {
		h, port, _ := SplitHostPort(s.Host)
		src.Host = []libvirtxml.StoragePoolSourceHost{{Name: h, Port: port}}
	}
	if has("device") {
		src.Device = []libvirtxml.StoragePoolSourceDevice{{Path: s.Device}}
	}
	if has("sourcedir") {
		src.Dir = &libvirtxml.StoragePoolSourceDir{Path: s.SourceDir}
	}
	if has("format") && s.Format != "auto" {
		src.Format = &libvirtxml.StoragePoolSourceFormat{Type: s.Format}
	}
	switch s.Type {
	case "iscsi", "iscsi-direct":
		src.Device = []libvirtxml.StoragePoolSourceDevice{{Path: s.Source}}
		if has("initiator") {
			src.Initiator = &libvirtxml.StoragePoolSourceInitiator{IQN: libvirtxml.StoragePoolSourceInitiatorIQN{Name: s.Initiator}}
		}
	case "scsi":
		src.Adapter = &libvirtxml.StoragePoolSourceAdapter{Type: "scsi_host", Name: s.Source}
	case "logical", "rbd", "gluster", "zfs", "vstorage":
		src.Name = s.Source
	}
	if kind := auths[s.Type]; kind != "" && s.AuthUser != "" {
		src.Auth = &libvirtxml.StoragePoolSourceAuth{Type: kind, Username: s.AuthUser,
			Secret: &libvirtxml.StoragePoolSourceAuthSecret{Usage: s.SecretUsage()}}
	}
	if s.Type != "dir" && s.Type != "mpath" {
		x.Source = src
	}
	if has("target") {
		x.Target = &libvirtxml.StoragePoolTarget{Path: s.Target}
	}
	return x.Marshal()
}

// Builds tells whether the spec asks libvirt to build the pool.
func (s *Spec) Builds() bool { return s.Build && slices.Contains(builds, s.Type) }

// SecretUsage names the libvirt secret of the pool's authentication.
func (s *Spec) SecretUsage() string { return "kvmtui-pool-" + s.Name }

// SecretXML is the private libvirt secret holding the pool's password or
// key ("" when it has none), and the value to set in it: a CHAP password
// as typed, a Ceph key decoded from its base64 (libvirt keeps the bytes).
func (s *Spec) SecretXML() (doc string, value []byte, err error) {
	kind := auths[s.Type]
	if kind == "" || s.AuthUser == "" {
		return "", nil, nil
	}
	u := &libvirtxml.SecretUsage{Type: "iscsi", Target: s.SecretUsage()}
	value = []byte(s.Secret[0])
	if kind == "ceph" {
		u = &libvirtxml.SecretUsage{Type: "ceph", Name: s.SecretUsage()}
		if value, err = base64.StdEncoding.DecodeString(s.Secret[0]); err != nil {
			return "", nil, fmt.Errorf("a Ceph key is base64")
		}
	}
	doc, err = (&libvirtxml.Secret{Ephemeral: "no", Private: "yes", Description: "authentication of storage pool " + s.Name + " (kvmtui)", Usage: u}).Marshal()
	return doc, value, err
}

// SplitHostPort reads "host", "host:port", "[v6]:port" or a bare IPv6
// address; port is "" when not given.
func SplitHostPort(v string) (host, port string, err error) {
	switch {
	case strings.HasPrefix(v, "["):
		h, rest, ok := strings.Cut(v[1:], "]")
		if !ok {
			return "", "", fmt.Errorf("no ]")
		}
		host, port = h, strings.TrimPrefix(rest, ":")
	case strings.Count(v, ":") == 1:
		host, port, _ = strings.Cut(v, ":")
	default:
		host = v
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("port %q", port)
		}
	}
	return host, port, nil
}
