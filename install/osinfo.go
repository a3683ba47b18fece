package install

import (
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OSInfo is one operating system of osinfo-db (libosinfo's database, the
// one virt-install and virt-manager read): what a new VM for it should
// get. Resources and devices are resolved through the entry's
// derives-from chain, as libosinfo does.
type OSInfo struct {
	ID       string // http://debian.org/debian/12
	ShortID  string // debian12: what --os takes
	Aliases  []string
	Name     string // Debian 12
	Version  string
	Vendor   string
	Family   string // linux, winnt, freebsd, ...
	Distro   string // debian, fedora, win, ...
	Codename string
	Released string // YYYY-MM-DD, or ""
	EOL      string // YYYY-MM-DD, or ""
	// From the overlay that kvmtui ships for releases newer than the
	// installed osinfo-db.
	Overlay bool

	derives string
	res     map[string]osResources // by arch; "all" for any
	inherit bool                   // resources come from derives-from
	devs    map[string]bool        // device id -> supported
	efiOnly map[string]bool        // arch -> bios unsupported, efi supported
	media   []osMedia
	trees   []OSTree
	urlArg  string // kernel argument naming the install tree (inst.repo)
	db      *OSDB
}

type osResources struct {
	minRAM, recRAM, minStorage, recStorage uint64
	minCPUs, recCPUs                       uint
}

// osMedia is an installer ISO's identification: regular expressions over
// the ISO9660 primary volume descriptor's fields, as libosinfo matches them.
type osMedia struct {
	arch                               string
	volumeID, systemID, publisher, app *regexp.Regexp
	Kernel, Initrd                     string
}

// OSTree is where a network install tree keeps the installer's kernel and
// initrd, and what its .treeinfo says, per architecture.
type OSTree struct {
	Arch, URL, Kernel, Initrd string
	// .treeinfo fields as osinfo gives them: regular expressions
	// ("^9.1(.([0-9]|[1-9][0-9]))?$"), matched against the whole value.
	family, version, tiArch *regexp.Regexp
}

// wholeRE compiles an osinfo pattern to match a whole value; nil for ""
// or for a pattern Go's regexp cannot read.
func wholeRE(p string) *regexp.Regexp {
	if p == "" {
		return nil
	}
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		return nil
	}
	return re
}

// OSDB is a loaded osinfo database plus kvmtui's overlay.
type OSDB struct {
	list    []*OSInfo
	byID    map[string]*OSInfo
	byShort map[string]*OSInfo
	// Source names where the entries came from, for the UI and errors.
	Source string
}

// Generic is the OS used when none is chosen or detected: libvirt's and
// virt-install's "generic" (no osinfo entry: conservative devices).
var Generic = &OSInfo{ID: "http://libosinfo.org/unknown", ShortID: "generic", Name: "Generic OS", Family: "generic"}

// xml shapes of osinfo-db's os files (only what kvmtui reads).
type osinfoFile struct {
	OS []osinfoOS `xml:"os"`
}

type osinfoText struct {
	Lang  string `xml:"lang,attr"`
	Value string `xml:",chardata"`
}

type osinfoOS struct {
	ID       string       `xml:"id,attr"`
	ShortIDs []string     `xml:"short-id"`
	Names    []osinfoText `xml:"name"`
	Version  string       `xml:"version"`
	Vendors  []osinfoText `xml:"vendor"`
	Family   string       `xml:"family"`
	Distro   string       `xml:"distro"`
	Codename string       `xml:"codename"`
	Derives  struct {
		ID string `xml:"id,attr"`
	} `xml:"derives-from"`
	Released  string `xml:"release-date"`
	EOL       string `xml:"eol-date"`
	URLArg    string `xml:"kernel-url-argument"`
	Resources []struct {
		Arch    string       `xml:"arch,attr"`
		Inherit string       `xml:"inherit,attr"`
		Min     osinfoAmount `xml:"minimum"`
		Rec     osinfoAmount `xml:"recommended"`
	} `xml:"resources"`
	Devices []struct {
		ID        string `xml:"id,attr"`
		Supported string `xml:"supported,attr"`
	} `xml:"devices>device"`
	Firmware []struct {
		Arch      string `xml:"arch,attr"`
		Type      string `xml:"type,attr"`
		Supported string `xml:"supported,attr"`
	} `xml:"firmware"`
	Media []struct {
		Arch string `xml:"arch,attr"`
		ISO  struct {
			VolumeID    string `xml:"volume-id"`
			SystemID    string `xml:"system-id"`
			PublisherID string `xml:"publisher-id"`
			AppID       string `xml:"application-id"`
		} `xml:"iso"`
		Kernel string `xml:"kernel"`
		Initrd string `xml:"initrd"`
	} `xml:"media"`
	Trees []struct {
		Arch     string `xml:"arch,attr"`
		URL      string `xml:"url"`
		Kernel   string `xml:"kernel"`
		Initrd   string `xml:"initrd"`
		TreeInfo struct {
			Family  string `xml:"family"`
			Version string `xml:"version"`
			Arch    string `xml:"arch"`
		} `xml:"treeinfo"`
	} `xml:"tree"`
}

type osinfoAmount struct {
	NCPUs   uint   `xml:"n-cpus"`
	RAM     uint64 `xml:"ram"`
	Storage uint64 `xml:"storage"`
}

func plain(ts []osinfoText) string {
	for _, t := range ts {
		if t.Lang == "" {
			return strings.TrimSpace(t.Value)
		}
	}
	return ""
}

// osinfoSearchPath is where libosinfo looks, lowest priority first.
func osinfoSearchPath() []string {
	if d := os.Getenv("OSINFO_SYSTEM_DIR"); d != "" {
		return []string{d}
	}
	dirs := []string{"/usr/share/osinfo", "/etc/osinfo"}
	if h, err := os.UserConfigDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, "osinfo"))
	}
	return dirs
}

// LoadOSDB reads the os/ trees of osinfo database directories (later ones
// override earlier ones entry by entry), then fills the gaps from kvmtui's
// embedded overlay. Directories that do not exist are skipped: with none,
// the overlay alone is the database.
func LoadOSDB(dirs ...string) (*OSDB, error) {
	db := &OSDB{byID: map[string]*OSInfo{}, byShort: map[string]*OSInfo{}}
	var found []string
	for _, d := range dirs {
		fsys := os.DirFS(filepath.Join(d, "os"))
		if _, err := fs.Stat(fsys, "."); err != nil {
			continue
		}
		if err := db.addFS(fsys, false); err != nil {
			return nil, fmt.Errorf("osinfo database %s: %w", d, err)
		}
		found = append(found, d)
	}
	if err := db.addOverlay(); err != nil {
		return nil, err
	}
	db.finish()
	db.Source = "kvmtui's overlay only (install osinfo-db for the full list)"
	if len(found) > 0 {
		db.Source = strings.Join(found, ", ") + " and kvmtui's overlay"
	}
	return db, nil
}

// LoadSystemOSDB is LoadOSDB over libosinfo's own search path.
func LoadSystemOSDB() (*OSDB, error) { return LoadOSDB(osinfoSearchPath()...) }

func (db *OSDB) addFS(fsys fs.FS, overlay bool) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".xml") {
			return err
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return db.addXML(raw, overlay)
	})
}

func (db *OSDB) addXML(raw []byte, overlay bool) error {
	var f osinfoFile
	if err := xml.Unmarshal(raw, &f); err != nil {
		return err
	}
	for _, o := range f.OS {
		db.add(convertOS(o, overlay))
	}
	return nil
}

func convertOS(o osinfoOS, overlay bool) *OSInfo {
	info := &OSInfo{
		ID: o.ID, Name: plain(o.Names), Version: o.Version, Vendor: plain(o.Vendors),
		Family: o.Family, Distro: o.Distro, Codename: o.Codename, Released: o.Released, EOL: o.EOL,
		derives: o.Derives.ID, urlArg: o.URLArg, Overlay: overlay,
		res: map[string]osResources{}, devs: map[string]bool{}, efiOnly: map[string]bool{},
	}
	if len(o.ShortIDs) > 0 {
		info.ShortID, info.Aliases = o.ShortIDs[0], o.ShortIDs[1:]
	}
	for _, r := range o.Resources {
		if r.Inherit == "true" {
			info.inherit = true
			continue
		}
		info.res[r.Arch] = osResources{
			minRAM: r.Min.RAM, recRAM: r.Rec.RAM, minStorage: r.Min.Storage, recStorage: r.Rec.Storage,
			minCPUs: r.Min.NCPUs, recCPUs: r.Rec.NCPUs,
		}
	}
	for _, d := range o.Devices {
		info.devs[d.ID] = d.Supported != "false"
	}
	fw := map[string]map[string]bool{}
	for _, f := range o.Firmware {
		if fw[f.Arch] == nil {
			fw[f.Arch] = map[string]bool{}
		}
		fw[f.Arch][f.Type] = f.Supported != "false"
	}
	for arch, t := range fw {
		info.efiOnly[arch] = t["efi"] && !t["bios"] && hasKey(t, "bios")
	}
	for _, m := range o.Media {
		md := osMedia{arch: m.Arch, Kernel: m.Kernel, Initrd: m.Initrd}
		ok := true
		for _, p := range []struct {
			src string
			dst **regexp.Regexp
		}{{m.ISO.VolumeID, &md.volumeID}, {m.ISO.SystemID, &md.systemID}, {m.ISO.PublisherID, &md.publisher}, {m.ISO.AppID, &md.app}} {
			if p.src == "" {
				continue
			}
			re, err := regexp.Compile(p.src)
			if err != nil {
				ok = false // a PCRE-only pattern: this medium cannot be matched
				break
			}
			*p.dst = re
		}
		if ok && md.volumeID != nil {
			info.media = append(info.media, md)
		}
	}
	for _, t := range o.Trees {
		info.trees = append(info.trees, OSTree{Arch: t.Arch, URL: t.URL, Kernel: t.Kernel, Initrd: t.Initrd,
			family: wholeRE(t.TreeInfo.Family), version: wholeRE(t.TreeInfo.Version), tiArch: wholeRE(t.TreeInfo.Arch)})
	}
	return info
}

func hasKey(m map[string]bool, k string) bool { _, ok := m[k]; return ok }

// add puts an entry in; an overlay entry only fills what the database
// lacks (the installed database wins: it may be newer than kvmtui).
func (db *OSDB) add(o *OSInfo) {
	if o.ID == "" || o.ShortID == "" {
		return
	}
	old := db.byID[o.ID]
	switch {
	case old == nil:
		db.byID[o.ID] = o
		db.list = append(db.list, o)
	case o.Overlay && !old.Overlay:
		fillOS(old, o)
	default: // a later directory overrides an earlier one
		*old = *o
	}
}

func fillOS(dst, src *OSInfo) {
	if len(dst.res) == 0 && !dst.inherit {
		dst.res, dst.inherit = src.res, src.inherit
	}
	for k, v := range src.devs {
		if _, ok := dst.devs[k]; !ok {
			dst.devs[k] = v
		}
	}
	for k, v := range src.efiOnly {
		if _, ok := dst.efiOnly[k]; !ok {
			dst.efiOnly[k] = v
		}
	}
	dst.media = append(dst.media, src.media...)
	dst.trees = append(dst.trees, src.trees...)
	if dst.Released == "" {
		dst.Released = src.Released
	}
	if dst.EOL == "" {
		dst.EOL = src.EOL
	}
}

func (db *OSDB) finish() {
	db.byShort = map[string]*OSInfo{}
	for _, o := range db.list {
		o.db = db
		for _, s := range append([]string{o.ShortID}, o.Aliases...) {
			if _, taken := db.byShort[s]; !taken {
				db.byShort[s] = o
			}
		}
	}
	// Newest first within a distro, then by name: the order a search lists.
	slices.SortStableFunc(db.list, func(a, b *OSInfo) int {
		if c := strings.Compare(a.Distro+a.Family, b.Distro+b.Family); c != 0 {
			return c
		}
		if c := strings.Compare(b.Released, a.Released); c != 0 {
			return c
		}
		return strings.Compare(a.ShortID, b.ShortID)
	})
}

// Len is the number of entries.
func (db *OSDB) Len() int { return len(db.list) }

// Lookup finds an OS by short ID (debian12, win11), alias or full ID.
// "generic" (or "") is Generic.
func (db *OSDB) Lookup(id string) (*OSInfo, error) {
	id = strings.TrimSpace(id)
	if id == "" || id == "generic" || id == "unknown" {
		return Generic, nil
	}
	if o := db.byShort[id]; o != nil {
		return o, nil
	}
	if o := db.byID[id]; o != nil {
		return o, nil
	}
	var near []string
	for _, o := range db.Search(id, 5) {
		near = append(near, o.ShortID)
	}
	msg := fmt.Sprintf("unknown operating system %q", id)
	if len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return nil, fmt.Errorf("%s (kvmtui create --os list shows them all; generic works for any)", msg)
}

// Search returns up to limit entries (0: all) whose short ID, name or
// aliases contain every word of query, case-insensitively. Entries past
// their end of life sort after the supported ones, as virt-manager hides
// them by default.
func (db *OSDB) Search(query string, limit int) []*OSInfo {
	words := strings.Fields(strings.ToLower(query))
	var live, eol []*OSInfo
	for _, o := range db.list {
		hay := strings.ToLower(o.ShortID + " " + o.Name + " " + strings.Join(o.Aliases, " ") + " " + o.Distro)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(hay, w)
		}
		if !ok {
			continue
		}
		if o.EndOfLife(time.Now()) {
			eol = append(eol, o)
		} else {
			live = append(live, o)
		}
	}
	out := append(live, eol...)
	// An exact short ID goes first.
	for i, o := range out {
		if len(words) == 1 && (o.ShortID == words[0] || slices.Contains(o.Aliases, words[0])) {
			out = append([]*OSInfo{o}, slices.Delete(out, i, i+1)...)
			break
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// EndOfLife follows virt-install: past its EOL date, or released more
// than ten years ago when no EOL is known.
func (o *OSInfo) EndOfLife(now time.Time) bool {
	if o.EOL != "" {
		if t, err := time.Parse("2006-01-02", o.EOL); err == nil {
			return now.After(t)
		}
	}
	if o.Released != "" {
		if t, err := time.Parse("2006-01-02", o.Released); err == nil {
			return now.After(t.AddDate(10, 0, 0))
		}
	}
	return false
}

func (o *OSInfo) parent() *OSInfo {
	if o == nil || o.db == nil || o.derives == "" {
		return nil
	}
	return o.db.byID[o.derives]
}

// resources finds the entry's resources for arch, following inherit.
func (o *OSInfo) resources(arch string) (osResources, bool) {
	for x, depth := o, 0; x != nil && depth < 20; x, depth = x.parent(), depth+1 {
		if r, ok := x.res[arch]; ok {
			return r, true
		}
		if r, ok := x.res["all"]; ok {
			return r, true
		}
		if !x.inherit {
			break
		}
	}
	return osResources{}, false
}

// RecommendedRAM is the recommended memory in bytes for arch; like
// virt-install, twice the minimum when only a minimum is known; 0 when
// osinfo knows neither.
func (o *OSInfo) RecommendedRAM(arch string) uint64 {
	r, _ := o.resources(arch)
	if r.recRAM > 0 {
		return r.recRAM
	}
	return 2 * r.minRAM
}

// MinimumRAM is the minimum memory in bytes, 0 when unknown.
func (o *OSInfo) MinimumRAM(arch string) uint64 { r, _ := o.resources(arch); return r.minRAM }

// RecommendedCPUs is the recommended vCPU count (twice the minimum when
// only that is known), 0 when unknown.
func (o *OSInfo) RecommendedCPUs(arch string) uint {
	r, _ := o.resources(arch)
	if r.recCPUs > 0 {
		return r.recCPUs
	}
	return 2 * r.minCPUs
}

// RecommendedStorage is the recommended disk size in bytes, 0 if unknown.
func (o *OSInfo) RecommendedStorage(arch string) uint64 {
	r, _ := o.resources(arch)
	if r.recStorage > 0 {
		return r.recStorage
	}
	return 2 * r.minStorage
}

// Supports reports whether the OS has a driver for an osinfo device id,
// through its derives-from chain (the nearest entry that names the device
// decides, so a "supported=false" override wins).
func (o *OSInfo) Supports(deviceID string) bool {
	for x, depth := o, 0; x != nil && depth < 50; x, depth = x.parent(), depth+1 {
		if v, ok := x.devs[deviceID]; ok {
			return v
		}
	}
	return false
}

// osinfo device ids virt-install asks about.
const (
	devVirtioNet     = "http://pcisig.com/pci/1af4/1000"
	devVirtio1Net    = "http://pcisig.com/pci/1af4/1041"
	devVirtioBlock   = "http://pcisig.com/pci/1af4/1001"
	devVirtio1Block  = "http://pcisig.com/pci/1af4/1042"
	devVirtioRNG     = "http://pcisig.com/pci/1af4/1005"
	devVirtio1RNG    = "http://pcisig.com/pci/1af4/1044"
	devVirtioBalloon = "http://pcisig.com/pci/1af4/1002"
	devVirtio1Ball   = "http://pcisig.com/pci/1af4/1045"
	devVirtioSerial  = "http://pcisig.com/pci/1af4/1003"
	devVirtio1Serial = "http://pcisig.com/pci/1af4/1043"
	devVirtioGPU     = "http://pcisig.com/pci/1af4/1050"
	devQemuXHCI      = "http://pcisig.com/pci/1b36/0004"
	devQ35           = "http://qemu.org/chipset/x86/q35"
)

func (o *OSInfo) any(ids ...string) bool {
	for _, id := range ids {
		if o.Supports(id) {
			return true
		}
	}
	return false
}

// The questions virt-install asks osinfo; Generic answers no to all.
func (o *OSInfo) VirtioDisk() bool    { return o.any(devVirtioBlock, devVirtio1Block) }
func (o *OSInfo) VirtioNet() bool     { return o.any(devVirtioNet, devVirtio1Net) }
func (o *OSInfo) VirtioRNG() bool     { return o.any(devVirtioRNG, devVirtio1RNG) }
func (o *OSInfo) VirtioBalloon() bool { return o.any(devVirtioBalloon, devVirtio1Ball) }
func (o *OSInfo) VirtioSerial() bool  { return o.any(devVirtioSerial, devVirtio1Serial) }
func (o *OSInfo) VirtioGPU() bool     { return o.any(devVirtioGPU) }
func (o *OSInfo) USB3() bool          { return o.any(devQemuXHCI) }

// Q35 follows virt-install: the q35 chipset, and virtio 1.0 where the OS
// has virtio at all (legacy-only virtio drivers break on q35's PCIe).
func (o *OSInfo) Q35() bool {
	if o.VirtioNet() && !o.any(devVirtio1Net) {
		return false
	}
	return o.any(devQ35)
}

// RequiresEFI is true when osinfo says the OS boots only with UEFI on
// arch (Windows 11).
func (o *OSInfo) RequiresEFI(arch string) bool {
	for x, depth := o, 0; x != nil && depth < 50; x, depth = x.parent(), depth+1 {
		if v, ok := x.efiOnly[arch]; ok {
			return v
		}
	}
	return false
}

// Windows reports the Windows families (localtime clock, Hyper-V
// enlightenments).
func (o *OSInfo) Windows() bool {
	return o.Family == "winnt" || o.Family == "win9x" || o.Family == "win16"
}

// KernelURLArg is the installer's kernel argument for its install source
// (inst.repo for Fedora and RHEL), or "".
func (o *OSInfo) KernelURLArg() string {
	for x, depth := o, 0; x != nil && depth < 50; x, depth = x.parent(), depth+1 {
		if x.urlArg != "" {
			return x.urlArg
		}
	}
	return ""
}

// Label is "Debian 12 (debian12)".
func (o *OSInfo) Label() string {
	if o == nil {
		return Generic.Label()
	}
	return fmt.Sprintf("%s (%s)", o.Name, o.ShortID)
}

// MediaInfo is what an ISO's primary volume descriptor says about it.
type MediaInfo struct {
	VolumeID, SystemID, Publisher, Application string
}

// ReadMediaInfo reads an ISO9660 primary volume descriptor: head must hold
// at least the first 34 KiB of the image (sector 16 plus the descriptor).
func ReadMediaInfo(head []byte) (MediaInfo, error) {
	const pvd = 16 * 2048
	if len(head) < pvd+2048 {
		return MediaInfo{}, fmt.Errorf("not an ISO image: shorter than 34 KiB")
	}
	d := head[pvd : pvd+2048]
	if d[0] != 1 || string(d[1:6]) != "CD001" {
		return MediaInfo{}, fmt.Errorf("not an ISO image: no ISO9660 primary volume descriptor")
	}
	f := func(a, b int) string { return strings.TrimRight(string(d[a:b]), " \x00") }
	return MediaInfo{SystemID: f(8, 40), VolumeID: f(40, 72), Publisher: f(318, 446), Application: f(574, 702)}, nil
}

// DetectMedia returns the OS whose installer medium matches, or nil.
func (db *OSDB) DetectMedia(mi MediaInfo, arch string) *OSInfo {
	for _, o := range db.list {
		for _, m := range o.media {
			if m.arch != "" && m.arch != arch && m.arch != "all" {
				continue
			}
			if match(m.volumeID, mi.VolumeID) && match(m.systemID, mi.SystemID) &&
				match(m.publisher, mi.Publisher) && match(m.app, mi.Application) {
				return o
			}
		}
	}
	return nil
}

func match(re *regexp.Regexp, s string) bool { return re == nil || re.MatchString(s) }

// TreeInfo is what a tree's .treeinfo says ([general] or [release]).
type TreeInfo struct {
	Family, Version, Arch string
	Kernel, Initrd        string // [images-ARCH] kernel and initrd
}

// ParseTreeInfo reads a .treeinfo file (an INI file: [general] family,
// version, arch; [images-ARCH] kernel, initrd).
func ParseTreeInfo(text, arch string) TreeInfo {
	var ti TreeInfo
	sec := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			sec = line[1 : len(line)-1]
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case (sec == "general" || sec == "release") && k == "family" && ti.Family == "":
			ti.Family = v
		case (sec == "general" || sec == "release") && k == "version" && ti.Version == "":
			ti.Version = v
		case (sec == "general" || sec == "tree") && k == "arch":
			ti.Arch = v
		case sec == "images-"+arch && k == "kernel":
			ti.Kernel = v
		case sec == "images-"+arch && k == "initrd":
			ti.Initrd = v
		}
	}
	return ti
}

// DetectTree finds the OS of a network install tree from its .treeinfo,
// or (Debian and Ubuntu trees have none) from the codename in its URL.
func (db *OSDB) DetectTree(url string, ti TreeInfo, arch string) *OSInfo {
	if ti.Family != "" {
		for _, o := range db.list {
			for _, t := range o.trees {
				if t.family != nil && t.family.MatchString(ti.Family) && match(t.version, ti.Version) &&
					match(t.tiArch, arch) {
					return o
				}
			}
		}
		// A newer point release than the database knows: the family's
		// newest entry of the same major version.
		major, _, _ := strings.Cut(ti.Version, ".")
		var best *OSInfo
		for _, o := range db.list {
			om, _, _ := strings.Cut(o.Version, ".")
			for _, t := range o.trees {
				if t.family != nil && t.family.MatchString(ti.Family) && om == major && (best == nil || versionLess(best.Version, o.Version)) {
					best = o
				}
			}
		}
		if best != nil {
			return best
		}
	}
	for _, o := range db.list {
		for _, t := range o.trees {
			if t.URL != "" && t.Arch == arch && strings.Contains(url, "/dists/") && sameDist(t.URL, url) {
				return o
			}
		}
	}
	return nil
}

// sameDist compares the "dists/CODENAME/" part of two Debian-style URLs.
func sameDist(a, b string) bool {
	d := func(u string) string {
		_, rest, ok := strings.Cut(u, "/dists/")
		if !ok {
			return ""
		}
		c, _, _ := strings.Cut(rest, "/")
		return c
	}
	return d(a) != "" && d(a) == d(b)
}

// TreeFiles returns the kernel and initrd paths (relative to the tree's
// URL) for arch: from .treeinfo when it names them, else from osinfo.
func (o *OSInfo) TreeFiles(ti TreeInfo, arch string) (kernel, initrd string, ok bool) {
	if ti.Kernel != "" && ti.Initrd != "" {
		return ti.Kernel, ti.Initrd, true
	}
	for x, depth := o, 0; x != nil && depth < 3; x, depth = x.parent(), depth+1 {
		for _, t := range x.trees {
			if t.Arch == arch && t.Kernel != "" {
				return t.Kernel, t.Initrd, true
			}
		}
	}
	return "", "", false
}

// versionLess compares dotted versions numerically ("9.10" > "9.9").
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
