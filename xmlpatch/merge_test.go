package xmlpatch_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kvmtui/devices"
	lt "kvmtui/libvirtx/libvirtxtest"
	"kvmtui/xmlpatch"
)

func parse(t testing.TB, s string) *xmlpatch.Doc {
	t.Helper()
	d, err := xmlpatch.Parse([]byte(s))
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return d
}

func merge(t *testing.T, orig, base, next string) string {
	t.Helper()
	o := parse(t, orig)
	r, err := xmlpatch.Merge(o.Root, parse(t, base).Root, parse(t, next).Root)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	o.Root = r
	return o.String()
}

// same fails unless got and want are the same document semantically.
func same(t *testing.T, got, want string) {
	t.Helper()
	if d := devices.Compare([]byte(got), []byte(want)); len(d) != 0 {
		t.Fatalf("differs from what was wanted: %v\ngot:\n%s\nwant:\n%s", d, got, want)
	}
}

// A document comes back as written: comments, spacing, attribute order,
// prefixes, the declaration.
func TestParseWritesBackAsWritten(t *testing.T) {
	doc := `<?xml version="1.0"?>
<!-- kept -->
<domain type="kvm" xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
  <name>a &amp; b</name>
  <metadata><app:x xmlns:app="urn:app" app:k="v &quot;q&quot;">t</app:x></metadata>
  <devices>
    <disk type='file' device="disk"><target dev='v&apos;da'/><serial></serial></disk>
  </devices>
  <qemu:commandline><qemu:arg value="-s"/></qemu:commandline>
</domain>
`
	if got := parse(t, doc).String(); got != doc {
		t.Fatalf("written back differently:\n%s\nwas:\n%s", got, doc)
	}
}

func TestParseRefusesBrokenDocuments(t *testing.T) {
	for _, bad := range []string{``, `<a>`, `<a></b>`, `<a/><b/>`, `text<a/>`, `<a x="1" x="2"/>`} {
		if _, err := xmlpatch.Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted it", bad)
		}
	}
}

// The model (base) lacks an attribute and an element of another program;
// the edit changes the title and a disk's cache: both stay, and only
// the edit changes.
func TestMergeKeepsWhatTheModelDropped(t *testing.T) {
	orig := `<domain type="kvm">
  <name>vm</name>
  <title>old</title>
  <vendor:thing xmlns:vendor="urn:vendor" level="3"/>
  <devices>
    <graphics type="vnc" port="-1" display=":1"/>
    <disk type="file" device="disk" future="yes">
      <driver name="qemu" type="qcow2"/>
      <target dev="vda"/>
    </disk>
  </devices>
</domain>`
	base := `<domain type="kvm"><name>vm</name><title>old</title><devices><graphics type="vnc" port="-1"/><disk type="file" device="disk"><driver name="qemu" type="qcow2"/><target dev="vda"/></disk></devices></domain>`
	next := `<domain type="kvm"><name>vm</name><title>new</title><devices><graphics type="vnc" port="-1"/><disk type="file" device="disk"><driver name="qemu" type="qcow2" cache="none"/><target dev="vda"/></disk></devices></domain>`
	got := merge(t, orig, base, next)
	want := strings.NewReplacer("<title>old", "<title>new", `type="qcow2"/>`, `type="qcow2" cache="none"/>`).Replace(orig)
	if got != want+"\n" {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Removing the middle one of three NICs removes that one: the extras of
// the others stay on them (not shifted onto a neighbour).
func TestMergeRemovesTheRightSibling(t *testing.T) {
	nic := func(mac, extra string) string {
		return `<interface type="network"` + extra + `><mac address="` + mac + `"/><source network="default"/></interface>`
	}
	orig := `<domain><devices>` + nic("52:54:00:00:00:01", ` a="1"`) + nic("52:54:00:00:00:02", ` b="2"`) + nic("52:54:00:00:00:03", ` c="3"`) + `</devices></domain>`
	base := `<domain><devices>` + nic("52:54:00:00:00:01", "") + nic("52:54:00:00:00:02", "") + nic("52:54:00:00:00:03", "") + `</devices></domain>`
	next := `<domain><devices>` + nic("52:54:00:00:00:01", "") + nic("52:54:00:00:00:03", "") + `</devices></domain>`
	got := merge(t, orig, base, next)
	same(t, got, `<domain><devices>`+nic("52:54:00:00:00:01", ` a="1"`)+nic("52:54:00:00:00:03", ` c="3"`)+`</devices></domain>`)
}

// A new device lands next to its neighbour in the model's order, spaced
// like it; its namespace declarations come along.
func TestMergeInsertsNextToTheNeighbour(t *testing.T) {
	orig := "<domain>\n  <devices>\n    <disk><target dev=\"vda\"/></disk>\n    <x:y xmlns:x=\"urn:x\"/>\n    <console type=\"pty\"/>\n  </devices>\n</domain>"
	base := `<domain><devices><disk><target dev="vda"/></disk><console type="pty"/></devices></domain>`
	next := `<domain xmlns:q="urn:q"><devices><disk><target dev="vda"/></disk><interface type="user"/><console type="pty"/><q:z/></devices></domain>`
	got := merge(t, orig, base, next)
	want := "<domain>\n  <devices>\n    <disk><target dev=\"vda\"/></disk>\n    <interface type=\"user\"/>\n    <x:y xmlns:x=\"urn:x\"/>\n    <console type=\"pty\"/>\n    <q:z xmlns:q=\"urn:q\"/>\n  </devices>\n</domain>\n"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// An edit of an element holding what the model did not read is refused,
// naming it; an edit elsewhere in the same document is not.
func TestMergeRefusesAnEditOfWhatItCannotSee(t *testing.T) {
	orig := `<domain><devices><interface type="network"><source network="a" portgroup="pg"/></interface></devices></domain>`
	base := `<domain><devices><interface type="network"><source network="a"/></interface></devices></domain>`
	next := `<domain><devices><interface type="network"><source network="b"/></interface></devices></domain>`
	_, err := xmlpatch.Merge(parse(t, orig).Root, parse(t, base).Root, parse(t, next).Root)
	c, ok := err.(*xmlpatch.Conflict)
	if !ok || c.Path != "/domain/devices/interface/source" || !strings.Contains(c.What, `portgroup="pg"`) {
		t.Fatalf("err = %v, want a conflict naming portgroup on the source", err)
	}
	next = `<domain><devices><interface type="network"><source network="a"/><model type="virtio"/></interface></devices></domain>`
	got := merge(t, orig, base, next)
	same(t, got, `<domain><devices><interface type="network"><source network="a" portgroup="pg"/><model type="virtio"/></interface></devices></domain>`)
}

// Hex and decimal spellings of an address are one value: no conflict.
func TestMergeTakesHexAndDecimalAsOne(t *testing.T) {
	orig := `<domain><devices><hostdev><address bus="0x01" slot="0x00"/></hostdev></devices></domain>`
	base := `<domain><devices><hostdev><address bus="1" slot="0"/></hostdev></devices></domain>`
	next := `<domain><devices><hostdev><address bus="2" slot="0"/></hostdev></devices></domain>`
	same(t, merge(t, orig, base, next), next)
}

// Over libvirt's sample domains: a lossless merge of a document onto
// itself with a second document as the edit gives the second document,
// and merging back gives the first.
func TestMergeThereAndBackOverTheCorpus(t *testing.T) {
	dir := filepath.Join(lt.Corpus(t), "domain")
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("corpus %s: %d files, %v", dir, len(files), err)
	}
	docs := make([]string, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[i] = string(b)
	}
	for i := range docs {
		a, b := docs[i], docs[(i+1)%len(docs)]
		thereAndBack(t, a, b)
	}
}

func thereAndBack(t *testing.T, a, b string) {
	t.Helper()
	da, err1 := xmlpatch.Parse([]byte(a))
	db, err2 := xmlpatch.Parse([]byte(b))
	if err1 != nil || err2 != nil || da.Root.Name != db.Root.Name {
		return
	}
	there, err := xmlpatch.Merge(da.Root, da.Root, db.Root)
	if err != nil {
		t.Fatalf("Merge(a, a, b): %v\na: %q\nb: %q", err, a, b)
	}
	if d := devices.Compare([]byte(there.String()), []byte(b)); len(d) != 0 {
		t.Fatalf("Merge(a, a, b) is not b: %v\na: %q\nb: %q\ngot: %q", d, a, b, there.String())
	}
	back, err := xmlpatch.Merge(there, db.Root, da.Root)
	if err != nil {
		t.Fatalf("merging back: %v", err)
	}
	if d := devices.Compare([]byte(back.String()), []byte(a)); len(d) != 0 {
		t.Fatalf("there and back is not a: %v\na: %q\nb: %q\ngot: %q", d, a, b, back.String())
	}
}

// FuzzMerge: merging never panics, and a patch followed by its inverse
// gives the original tree. Seeds: the inputs of the devices package's
// XML fuzz target.
func FuzzMerge(f *testing.F) {
	f.Add([]byte(`<a x="1"><b/><b y="2"/>t</a>`), []byte(`<a><b y="2"/><c/></a>`))
	f.Add([]byte(`<a xmlns:q='urn:q' q:x='0x1'><q:b>t</q:b><!--c--></a>`), []byte(`<a x='1'/>`))
	seeds, _ := filepath.Glob("../devices/testdata/fuzz/FuzzCompare/*")
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		var in [][]byte
		for _, line := range strings.Split(string(b), "\n") {
			if q, ok := strings.CutPrefix(line, "[]byte("); ok {
				if v, err := strconv.Unquote(strings.TrimSuffix(q, ")")); err == nil {
					in = append(in, []byte(v))
				}
			}
		}
		if len(in) != 2 {
			f.Fatalf("%s: not a seed of two documents", s)
		}
		f.Add(in[0], in[1])
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		thereAndBack(t, string(a), string(b))
	})
}
