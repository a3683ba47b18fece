package devices

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []string // Difference.String() of each, in order
	}{
		{"identical", `<a x='1'><b/></a>`, `<a x='1'><b/></a>`, nil},
		{"attribute order and quotes", `<a x='1' y="2"/>`, `<a y='2' x="1"></a>`, nil},
		{"whitespace between elements and around text", "<a>\n  <b>  hi  </b>\n</a>", `<a><b>hi</b></a>`, nil},
		{"comments and processing instructions", `<?xml version="1.0"?><!--c--><a><?pi x?><b>h<!--x-->i</b></a>`, `<a><b>hi</b></a>`, nil},
		{"different prefix, same namespace", `<a xmlns:q='urn:q'><q:b q:x='1'/></a>`, `<a><b xmlns='urn:q' xmlns:z='urn:q' z:x='1'/></a>`, nil},
		{"xmlns declarations are not attributes", `<a xmlns:q='urn:q'/>`, `<a/>`, nil},
		{"hex spellings", `<a slot='0x01' port='0x8' bus='0x0A'/>`, `<a slot='0x1' port='8' bus='10'/>`, nil},
		{"different names interleave freely", `<a><b/><c/><b/></a>`, `<a><c/><b/><b/></a>`, nil},
		{"element dropped", `<a><b/><c/></a>`, `<a><b/></a>`, []string{"/a/c: element dropped"}},
		{"element added", `<a><b/></a>`, `<a><b/><c/></a>`, []string{"/a/c: element added"}},
		{"indexed sibling dropped", `<a><d x='1'/><d x='2'/></a>`, `<a><d x='1'/></a>`, []string{"/a/d[2]: element dropped"}},
		{"same-named siblings keep their order", `<a><d x='1'/><d x='2'/></a>`, `<a><d x='2'/><d x='1'/></a>`,
			[]string{`/a/d[1]/@x: changed "1" -> "2"`, `/a/d[2]/@x: changed "2" -> "1"`}},
		{"attribute dropped", `<a><b discard='unmap'/></a>`, `<a><b/></a>`, []string{`/a/b/@discard: "unmap" dropped`}},
		{"attribute added", `<a/>`, `<a type='file'/>`, []string{`/a/@type: "file" added`}},
		{"yes is not on", `<a v='yes'/>`, `<a v='on'/>`, []string{`/a/@v: changed "yes" -> "on"`}},
		{"decimal with leading zero is not hex", `<a v='010'/>`, `<a v='0xa'/>`, []string{`/a/@v: changed "010" -> "0xa"`}},
		{"decimal misread as hex", `<a slot='10'/>`, `<a slot='0x10'/>`, []string{`/a/@slot: changed "10" -> "0x10"`}},
		{"two decimals compare as text", `<a v='1'/>`, `<a v='01'/>`, []string{`/a/@v: changed "1" -> "01"`}},
		{"text changed", `<a><b>a</b></a>`, `<a><b>b</b></a>`, []string{`/a/b: text changed "a" -> "b"`}},
		{"inner whitespace of text counts", `<a>x  y</a>`, `<a>x y</a>`, []string{`/a: text changed "x  y" -> "x y"`}},
		{"namespace differs", `<a><q:b xmlns:q='urn:one'/></a>`, `<a><q:b xmlns:q='urn:two'/></a>`,
			[]string{"/a/q:b: element dropped", "/a/q:b: element added"}},
		{"namespaced attribute differs from plain", `<a xmlns:q='urn:q' q:x='1'/>`, `<a x='1'/>`,
			[]string{`/a/@q:x: "1" dropped`, `/a/@x: "1" added`}},
		{"root renamed", `<a/>`, `<b/>`, []string{"/a: element dropped", "/b: element added"}},
		{"dropped element is one difference", `<a><b><c/><d/></b></a>`, `<a/>`, []string{"/a/b: element dropped"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range Compare([]byte(tc.a), []byte(tc.b)) {
				got = append(got, d.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Compare:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestCompareMalformed(t *testing.T) {
	for _, c := range []struct{ a, b, path string }{
		{"<a>", "<a/>", "first document"},
		{"<a/>", "<a></b>", "second document"},
		{"<a/><b/>", "<a/>", "first document"},
		{"<a/>trailing", "<a/>", "first document"},
		{"", "<a/>", "first document"},
		{"<a x='1' x='2'/>", "<a/>", "first document"},
		{"<a/>", "<a xmlns:p='urn:u' xmlns:q='urn:u' p:x='1' q:x='2'/>", "second document"},
	} {
		d := Compare([]byte(c.a), []byte(c.b))
		if len(d) != 1 || d[0].Kind != Malformed || d[0].Path != c.path {
			t.Errorf("Compare(%q, %q) = %v, want one Malformed at %s", c.a, c.b, d, c.path)
		}
	}
}

func TestDiffDocs(t *testing.T) {
	before := `<domain><name>vm</name><vcpu>1</vcpu></domain>`
	after := `<domain>
  <name>vm</name>
  <vcpu placement='static'>2</vcpu>
</domain>`
	diffs, err := DiffDocs(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []Difference{
		{Kind: AttrAdded, Path: "/domain/vcpu/@placement", After: "static"},
		{Kind: TextChanged, Path: "/domain/vcpu", Before: "1", After: "2"},
	}
	if !reflect.DeepEqual(diffs, want) {
		t.Errorf("DiffDocs = %+v\nwant %+v", diffs, want)
	}
	if _, err := DiffDocs("<a>", after); err == nil || !strings.HasPrefix(err.Error(), "before:") {
		t.Errorf("malformed before: err = %v", err)
	}
	if _, err := DiffDocs(before, "<a"); err == nil || !strings.HasPrefix(err.Error(), "after:") {
		t.Errorf("malformed after: err = %v", err)
	}
}

// FuzzCompare checks that comparing never panics, that a well-formed
// document never differs from itself or from a re-indented copy, and that
// comparing is symmetric in how many differences it finds.
func FuzzCompare(f *testing.F) {
	f.Add([]byte(minimalDomain), []byte(`<domain/>`))
	f.Add([]byte(`<a xmlns:q='urn:q' q:x='0x1'><q:b>t</q:b><!--c--></a>`), []byte(`<a x='1'/>`))
	f.Add([]byte(`<a><b/><b x=''/>text</a>`), []byte(`<a/>`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dab := Compare(a, b) // must not panic
		if _, err := parseTree(a); err != nil {
			return
		}
		if d := Compare(a, a); len(d) != 0 {
			t.Fatalf("Compare(a, a) = %v for %q", d, a)
		}
		// Comments, PIs and CDATA can sit inside text, where added
		// whitespace is significant; reindent only documents without them.
		if !bytes.Contains(a, []byte("<!")) && !bytes.Contains(a, []byte("<?")) {
			if d := Compare(a, reindent(a)); len(d) != 0 {
				t.Fatalf("Compare(a, reindent(a)) = %v for %q", d, a)
			}
		}
		if _, err := parseTree(b); err != nil {
			return
		}
		if dba := Compare(b, a); len(dab) != len(dba) {
			t.Fatalf("Compare(a, b) found %d differences, Compare(b, a) %d:\n%v\n%v", len(dab), len(dba), dab, dba)
		}
	})
}

// reindent puts a newline and spaces between every two adjacent tags, the
// way an XML pretty-printer does.
func reindent(doc []byte) []byte {
	return bytes.ReplaceAll(doc, []byte("><"), []byte(">\n  <"))
}

// libvirt keeps controllers sorted: a new one lands among its kind, not at
// the end. Matched by type and index, the move is no change; a changed
// controller still is.
func TestDiffMatchesControllersByTypeAndIndex(t *testing.T) {
	before := `<domain><devices><controller type='usb' index='0'/><controller type='pci' index='0' model='pcie-root'/><controller type='fdc' index='0'/></devices></domain>`
	after := `<domain><devices><controller type='usb' index='0'/><controller type='pci' index='0' model='pcie-root'/><controller type='pci' index='1' model='pcie-root-port'/><controller type='fdc' index='0'/></devices></domain>`
	d, err := DiffDocs(before, after)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 1 || d[0].Kind != ElementAdded || d[0].Path != "/domain/devices/controller[3]" {
		t.Fatalf("differences: %v", d)
	}
	changed := strings.Replace(after, "model='pcie-root'", "model='pci-root'", 1)
	if d, _ := DiffDocs(after, changed); len(d) != 1 || d[0].Kind != AttrChanged {
		t.Fatalf("a changed controller: %v", d)
	}
}

// Companion USB controllers share type and index: paired in order among
// themselves, still by key against the others.
func TestDiffPairsRepeatedControllerKeysInOrder(t *testing.T) {
	before := `<domain><devices><controller type='usb' index='0' model='ich9-ehci1'/><controller type='usb' index='0' model='ich9-uhci1'/><controller type='pci' index='0' model='pci-root'/></devices></domain>`
	after := `<domain><devices><controller type='usb' index='0' model='ich9-ehci1'/><controller type='usb' index='0' model='ich9-uhci1'/><controller type='scsi' index='0'/><controller type='pci' index='0' model='pci-root'/></devices></domain>`
	d, err := DiffDocs(before, after)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 1 || d[0].Kind != ElementAdded {
		t.Fatalf("differences: %v", d)
	}
}
