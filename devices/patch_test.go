package devices

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

func TestSchemaOrderPutsVendorFirst(t *testing.T) {
	if got := schemaOrder(`<source><product id="0x0407"></product><vendor id="0x1050"></vendor></source>`); got != `<source><vendor id="0x1050"></vendor><product id="0x0407"></product></source>` {
		t.Fatal(got)
	}
}

// domainSamples: libvirt's sample domains and the lossy ones of testdata.
func domainSamples(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, f := range corpusFiles(t) {
		if f.kind == KindDomain {
			out[f.name] = f.data
		}
	}
	paths, _ := filepath.Glob("testdata/lossy/*.xml")
	if len(paths) == 0 {
		t.Fatal("no testdata/lossy/*.xml")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out["lossy/"+filepath.Base(p)] = string(b)
	}
	return out
}

// Every sample edit, on every sample domain it applies to, changes exactly
// what it edits; on a lossless one it always applies. The counts are the
// issue's "N of N per edit" (go test -v -run SampleEdits ./devices).
func TestSampleEditsChangeOnlyWhatTheyEdit(t *testing.T) {
	docs := domainSamples(t)
	for _, e := range SampleEdits {
		applies, applied := 0, 0
		for name, doc := range docs {
			def := &libvirtxml.Domain{}
			if err := def.Unmarshal(doc); err != nil || !e.Applies(def) {
				continue
			}
			applies++
			loss, _ := CheckRoundTrip(KindDomain, doc)
			after, diffs, err := PatchDomain(doc, e.Change)
			if err != nil {
				if loss == nil {
					t.Errorf("%s on lossless %s: %v", e.Name, name, err)
				} else {
					t.Logf("%s on %s refused: %v", e.Name, name, err)
				}
				continue
			}
			applied++
			got, err := DiffDocs(doc, after)
			if err != nil || len(got) != len(diffs) {
				t.Fatalf("%s on %s: %v, %d differences reported, %d found", e.Name, name, err, len(diffs), len(got))
			}
			for _, d := range got {
				if !underAny(d.Path, e.Paths) {
					t.Errorf("%s on %s changed %s", e.Name, name, d)
				}
			}
		}
		t.Logf("%-12s applied to %d of %d definitions it applies to", e.Name, applied, applies)
		if applies == 0 {
			t.Errorf("%s applies to no sample", e.Name)
		}
	}
}

func underAny(p string, prefixes []string) bool {
	for _, pre := range prefixes {
		if p == pre || hasPathPrefix(p, pre) {
			return true
		}
	}
	return false
}

// What libvirtxml drops from testdata/lossy/foreign.xml survives every
// sample edit.
func TestSampleEditsKeepWhatLibvirtxmlDrops(t *testing.T) {
	raw, err := os.ReadFile("testdata/lossy/foreign.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	if loss, _ := CheckRoundTrip(KindDomain, doc); loss == nil || loss.Total < 5 {
		t.Fatalf("foreign.xml should lose several things through libvirtxml: %v", loss)
	}
	keep := []string{"<foo>bar</foo>", "portgroup='sales'", "display=':3.4'", "<read_iops_sec>0</read_iops_sec>",
		"<vendor:probe xmlns:vendor='urn:vendor' level='3'/>", "value=''", "<app:owner>ops</app:owner>", "<!-- A definition"}
	for _, e := range SampleEdits {
		after, _, err := PatchDomain(doc, e.Change)
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		for _, k := range keep {
			if !strings.Contains(after, k) {
				t.Errorf("%s lost %s", e.Name, k)
			}
		}
	}
	// The NIC's source holds portgroup: changing the source is refused,
	// naming it; changing the model beside it is not.
	_, _, err = PatchDomain(doc, func(d *libvirtxml.Domain) error {
		d.Devices.Interfaces[0].Source.Direct.Dev = "eth1"
		return nil
	})
	if pe, ok := err.(*PatchError); !ok || pe.Path != "/domain/devices/interface/source" || !strings.Contains(pe.What, `portgroup="sales"`) {
		t.Fatalf("source change: %v", err)
	}
}

// A device update carries the device as written, with the change; a
// change of the element that holds what libvirtxml drops is refused.
func TestFindDeviceAndPatchElement(t *testing.T) {
	raw, _ := os.ReadFile("testdata/lossy/foreign.xml")
	def := &libvirtxml.Domain{}
	if err := def.Unmarshal(string(raw)); err != nil {
		t.Fatal(err)
	}
	before, _ := marshalDevice(&def.Devices.Disks[0])
	orig, err := FindDevice(string(raw), before)
	if err != nil || !strings.Contains(orig, "<read_iops_sec>0</read_iops_sec>") {
		t.Fatalf("FindDevice: %q, %v", orig, err)
	}
	def.Devices.Disks[0].Driver.Cache = "none"
	after, _ := marshalDevice(&def.Devices.Disks[0])
	got, err := PatchElement(orig, before, after)
	if err != nil || got != strings.Replace(orig, "type='qcow2'/>", "type='qcow2' cache='none'/>", 1) {
		t.Fatalf("PatchElement: %q, %v", got, err)
	}

	before, _ = marshalDevice(&def.Devices.Graphics[0])
	orig, _ = FindDevice(string(raw), before)
	def.Devices.Graphics[0].VNC.Keymap = "de"
	after, _ = marshalDevice(&def.Devices.Graphics[0])
	if _, err := PatchElement(orig, before, after); err == nil || !strings.Contains(err.Error(), `/graphics holds display=":3.4"`) /* %q in the message */ {
		t.Fatalf("an edit of the graphics holding display: %v", err)
	}
	if _, err := FindDevice(string(raw), `<graphics type="spice"/>`); err == nil || !strings.Contains(err.Error(), "no <graphics> like this one") {
		t.Fatalf("a device that is not there: %v", err)
	}
}

// BenchmarkPatchDomain: a title edit as a patch, on the lossy sample and
// on the demo host's largest definition (go test -bench PatchDomain).
func BenchmarkPatchDomain(b *testing.B) {
	raw, err := os.ReadFile("testdata/lossy/foreign.xml")
	if err != nil {
		b.Fatal(err)
	}
	title := func(d *libvirtxml.Domain) error { d.Title = "t"; return nil }
	b.Run("foreign", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := PatchDomain(string(raw), title); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("aarch64-virt", func(b *testing.B) {
		doc, err := os.ReadFile(filepath.Join(corpusDir(b), "domain", "aarch64-virt-default-models.xml"))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, _, err := PatchDomain(string(doc), title); err != nil {
				b.Fatal(err)
			}
		}
	})
}
