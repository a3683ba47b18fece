package devices

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lx "libvirt.org/go/libvirtxml"
)

// deviceElements counts the children of <domain><devices> in a document,
// independently of libvirtxml: every one should become an Item.
func deviceElements(t *testing.T, doc string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var path []string
	counts := map[string]int{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return counts
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if len(path) == 2 && path[0] == "domain" && path[1] == "devices" && e.Name.Local != "emulator" {
				counts[e.Name.Local]++
			}
			path = append(path, e.Name.Local)
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
}

func TestListCorpus(t *testing.T) {
	dir := corpusDir(t)
	paths, err := filepath.Glob(filepath.Join(dir, "domain", "*.xml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus domains in %s: %v", dir, err)
	}
	kindsSeen := map[string]bool{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		var def lx.Domain
		if err := def.Unmarshal(string(b)); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := deviceElements(t, string(b))
		got := map[string]int{}
		items := List(&def)
		for _, it := range items {
			kindsSeen[it.Kind.ID] = true
			got[it.Kind.Element]++
			if !oneLineOK(it.Summary) {
				t.Errorf("%s: %s summary %q is not one non-empty line", name, it.Kind.ID, it.Summary)
			}
			doc, err := it.XML()
			if err != nil {
				t.Errorf("%s: %s #%d: XML: %v", name, it.Kind.ID, it.Index, err)
				continue
			}
			v, err := it.Kind.impl.decode(doc)
			if err != nil {
				t.Errorf("%s: %s #%d: its XML does not parse back: %v\n%s", name, it.Kind.ID, it.Index, err, doc)
				continue
			}
			again, err := marshalDevice(v)
			if err != nil || again != doc {
				t.Errorf("%s: %s #%d: XML is not stable through a parse:\n%s\n->\n%s", name, it.Kind.ID, it.Index, doc, again)
			}
			checkFieldsOf(t, name, it)
		}
		for el, n := range want {
			if got[el] != n {
				t.Errorf("%s: %d <%s> in <devices>, %d listed", name, n, el, got[el])
			}
		}
		for el, n := range got {
			if want[el] != n {
				t.Errorf("%s: %d <%s> listed, %d in <devices>", name, n, el, want[el])
			}
		}
	}
	// The corpus is diverse: most of the catalog shows up in it.
	if len(kindsSeen) < 25 {
		t.Errorf("only %d kinds seen in the corpus: %v", len(kindsSeen), kindsSeen)
	}
}

// checkFieldsOf reads every field of a listed device and sets it back:
// reading must not change the device, and a value the form shows (and
// offers) must be accepted as it is.
func checkFieldsOf(t *testing.T, name string, it Item) {
	t.Helper()
	d, err := it.Device(nil)
	if err != nil {
		t.Errorf("%s: %s: Device: %v", name, it.Kind.ID, err)
		return
	}
	before := rawXML(d)
	for _, f := range d.Fields() {
		_ = d.Get(f.Name)
	}
	if after := rawXML(d); after != before {
		t.Errorf("%s: %s: reading its fields changed it:\n%s\n->\n%s", name, it.Kind.ID, before, after)
	}
	for _, f := range d.Fields() {
		v := d.Get(f.Name)
		if v == "" || f.Type == TypeEnum && !slices.Contains(f.Choices, v) {
			continue // libvirt has values the form does not offer
		}
		if err := d.Set(f.Name, v); err != nil {
			t.Errorf("%s: %s: Set(%s, %q) of its own value: %v", name, it.Kind.ID, f.Name, v, err)
		} else if got := d.Get(f.Name); got != v {
			t.Errorf("%s: %s: %s reads %q after Set(%q)", name, it.Kind.ID, f.Name, got, v)
		}
	}
}
