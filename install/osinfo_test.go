package install

import (
	"strings"
	"testing"
	"time"
)

// The overlay fills in what osinfo-db 20221203 lacks; the database wins
// where it has an entry.
func TestOSDBOverlayAddsNewReleases(t *testing.T) {
	db := systemOSDB(t)
	for _, id := range []string{"debian12", "debian13", "ubuntu24.04", "fedora40", "fedora42", "rhel9.4", "almalinux9", "rocky9", "win11", "win2k25"} {
		o := mustOS(t, db, id)
		if o.RecommendedRAM("x86_64") == 0 {
			t.Errorf("%s: no recommended memory (inherited resources lost?)", id)
		}
	}
	deb := mustOS(t, db, "debian12")
	if !deb.Overlay || !deb.VirtioDisk() || !deb.Q35() || deb.RecommendedRAM("x86_64") != 2<<30 {
		t.Fatalf("debian12 from the overlay: overlay=%v virtio=%v q35=%v ram=%d", deb.Overlay, deb.VirtioDisk(), deb.Q35(), deb.RecommendedRAM("x86_64"))
	}
	if f := mustOS(t, db, "fedora41"); f.KernelURLArg() != "inst.repo" || !f.VirtioNet() {
		t.Fatal("fedora41 does not inherit fedora37's devices and url argument")
	}
	if w := mustOS(t, db, "win11"); w.Overlay || !w.RequiresEFI("x86_64") || w.VirtioDisk() {
		t.Fatal("win11 should come from osinfo-db: UEFI only, no virtio drivers")
	}
	if _, err := db.Lookup("debain12"); err == nil || !strings.Contains(err.Error(), "unknown operating system") {
		t.Fatalf("a typo is refused: %v", err)
	}
	if g, _ := db.Lookup("generic"); g != Generic {
		t.Fatal("generic is the fallback")
	}
	// Without any osinfo-db, the overlay alone still answers.
	alone, err := LoadOSDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if alone.Len() < 10 || !strings.Contains(alone.Source, "overlay only") {
		t.Fatalf("overlay-only database: %d entries, %s", alone.Len(), alone.Source)
	}
}

func TestOSDBSearch(t *testing.T) {
	db := systemOSDB(t)
	res := db.Search("debian", 0)
	if len(res) < 10 || res[0].ShortID != "debian13" {
		t.Fatalf("debian: newest first, got %v", shortIDs(res[:min(len(res), 3)]))
	}
	if r := db.Search("win11", 1); len(r) != 1 || r[0].ShortID != "win11" {
		t.Fatalf("exact short id first: %v", shortIDs(r))
	}
	if r := db.Search("ubuntu noble", 0); len(r) != 1 || r[0].ShortID != "ubuntu24.04" {
		t.Fatalf("words and aliases: %v", shortIDs(r))
	}
	// End-of-life entries come after the supported ones.
	eolSeen := false
	for _, o := range res {
		if o.EndOfLife(time.Now()) {
			eolSeen = true
		} else if eolSeen {
			t.Fatalf("%s (supported) listed after an end-of-life entry", o.ShortID)
		}
	}
}

func shortIDs(os []*OSInfo) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.ShortID)
	}
	return out
}

// The OS is detected from an ISO's volume label, and from a tree's
// .treeinfo or its Debian-style URL.
func TestOSDBDetects(t *testing.T) {
	db := systemOSDB(t)
	cases := []struct {
		vol, want string
	}{
		{"CCCOMA_X64FRE_EN-US_DV9", "win11"},
		{"Debian 12.5.0 amd64 n", "debian12"},
		{"Debian 11.6.0 amd64 1", "debian11"},
		{"Ubuntu-Server 24.04.1 LTS amd64", "ubuntu24.04"},
		{"Fedora-S-dvd-x86_64-40", "fedora40"},
		{"RHEL-9-4-0-BaseOS-x86_64", "rhel9.4"},
	}
	for _, c := range cases {
		mi := MediaInfo{VolumeID: c.vol}
		if strings.HasPrefix(c.vol, "CCCOMA") {
			mi.Publisher = "MICROSOFT CORPORATION" // osinfo matches Windows media by publisher too
		}
		o := db.DetectMedia(mi, "x86_64")
		if o == nil || o.ShortID != c.want {
			t.Errorf("%q: got %v, want %s", c.vol, o, c.want)
		}
	}
	if o := db.DetectMedia(MediaInfo{VolumeID: "my backups"}, "x86_64"); o != nil {
		t.Errorf("an unknown label detected as %s", o.ShortID)
	}
	ti := ParseTreeInfo("[general]\nfamily = Fedora\nversion = 40\narch = x86_64\n[images-x86_64]\nkernel = images/pxeboot/vmlinuz\ninitrd = images/pxeboot/initrd.img\n", "x86_64")
	if o := db.DetectTree("http://x/fedora/40/", ti, "x86_64"); o == nil || o.ShortID != "fedora40" {
		t.Errorf("fedora 40 tree: %v", o)
	}
	if k, i, ok := mustOS(t, db, "fedora40").TreeFiles(ti, "x86_64"); !ok || k != "images/pxeboot/vmlinuz" || i != "images/pxeboot/initrd.img" {
		t.Errorf("tree files %s %s", k, i)
	}
	rhel := ParseTreeInfo("[release]\nname = Red Hat Enterprise Linux\nfamily = Red Hat Enterprise Linux\nversion = 9.9\n", "x86_64")
	if o := db.DetectTree("http://x/rhel/", rhel, "x86_64"); o == nil || o.ShortID != "rhel9-unknown" {
		t.Errorf("an unknown RHEL 9 point release is osinfo's rhel9-unknown: %v", o)
	}
	if o := db.DetectTree("http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/", TreeInfo{}, "x86_64"); o == nil || o.ShortID != "debian12" {
		t.Errorf("debian bookworm tree: %v", o)
	}
}

func (o *OSInfo) String() string { return o.ShortID }
