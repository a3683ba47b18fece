package devices

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// DiffKind says what happened to one node between two documents.
type DiffKind int

const (
	ElementDropped DiffKind = iota // in the first document only
	ElementAdded                   // in the second document only
	AttrDropped
	AttrAdded
	AttrChanged
	TextChanged
	Malformed // a document could not be parsed (Compare only)
)

// Difference is one semantic difference between two documents. Path is an
// XPath-like location in the first document (in the second one for added
// nodes): /domain/devices/disk[2]/driver/@discard. An index appears only
// where an element has same-named siblings.
type Difference struct {
	Kind   DiffKind
	Path   string
	Before string // attribute value or text in the first document
	After  string // attribute value or text in the second document
}

func (d Difference) String() string {
	if strings.HasSuffix(d.Path, "@passwd") || strings.Contains(d.Path, "/cookie") {
		d.Before, d.After = secretMask(d.Before), secretMask(d.After) // shown on screen
	}
	switch d.Kind {
	case ElementDropped:
		return d.Path + ": element dropped"
	case ElementAdded:
		return d.Path + ": element added"
	case AttrDropped:
		return fmt.Sprintf("%s: %q dropped", d.Path, d.Before)
	case AttrAdded:
		return fmt.Sprintf("%s: %q added", d.Path, d.After)
	case AttrChanged:
		return fmt.Sprintf("%s: changed %q -> %q", d.Path, d.Before, d.After)
	case TextChanged:
		return fmt.Sprintf("%s: text changed %q -> %q", d.Path, d.Before, d.After)
	case Malformed:
		return fmt.Sprintf("%s: malformed XML: %s", d.Path, d.Before)
	}
	return d.Path + ": unknown difference"
}

// Compare returns the semantic differences between two XML documents, in
// the document order of a. Two documents are equal when they have:
//   - the same elements by namespace URI and local name; same-named siblings
//     in the same order, except <controller>s, which libvirt sorts itself
//     and which are paired by type and index. The order between differently
//     named siblings is not compared: libvirt's schemas interleave them and
//     its formatter writes its own order, so that order carries no
//     configuration.
//   - the same attributes by namespace URI and local name, in any order,
//     with equal values, where a 0x-prefixed hex integer equals any hex or
//     plain decimal spelling of its value (0x00 == 0x0, 0xa == 10); see
//     sameValue for why.
//   - the same text: an element's text is its runs between child elements,
//     each trimmed, blank ones dropped, joined by one space. Where a run
//     sits among the children is not compared; libvirt has no mixed content.
//
// Namespace prefixes, xmlns declarations, comments and processing
// instructions are ignored. A document that does not parse yields one
// Difference of kind Malformed; use DiffDocs to get that as an error.
func Compare(a, b []byte) []Difference {
	ta, err := parseTree(a)
	if err != nil {
		return []Difference{{Kind: Malformed, Path: "first document", Before: err.Error()}}
	}
	tb, err := parseTree(b)
	if err != nil {
		return []Difference{{Kind: Malformed, Path: "second document", Before: err.Error()}}
	}
	return diffTrees(ta, tb)
}

// DiffDocs compares two versions of a definition, typically the inactive
// XML before and after a redefine, so a caller can check that only the
// intended change happened. See Compare for what counts as a difference.
func DiffDocs(before, after string) ([]Difference, error) {
	ta, err := parseTree([]byte(before))
	if err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	tb, err := parseTree([]byte(after))
	if err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	return diffTrees(ta, tb), nil
}

func diffTrees(a, b *xnode) []Difference {
	var out []Difference
	if a.name != b.name {
		return append(out,
			Difference{Kind: ElementDropped, Path: "/" + a.display},
			Difference{Kind: ElementAdded, Path: "/" + b.display})
	}
	diffNode(a, b, "/"+a.display, &out)
	return out
}

// diffNode compares two elements already matched by name: attributes,
// then text, then children.
func diffNode(a, b *xnode, path string, out *[]Difference) {
	diffAttrs(a, b, path, out)
	if a.text != b.text {
		*out = append(*out, Difference{Kind: TextChanged, Path: path, Before: a.text, After: b.text})
	}
	diffKids(a, b, path, out)
}

func diffAttrs(a, b *xnode, path string, out *[]Difference) {
	for _, x := range a.attrs {
		p := path + "/@" + x.display
		y, ok := findAttr(b, x.name)
		switch {
		case !ok:
			*out = append(*out, Difference{Kind: AttrDropped, Path: p, Before: x.value})
		case !sameValue(x.value, y.value):
			*out = append(*out, Difference{Kind: AttrChanged, Path: p, Before: x.value, After: y.value})
		}
	}
	for _, y := range b.attrs {
		if _, ok := findAttr(a, y.name); !ok {
			*out = append(*out, Difference{Kind: AttrAdded, Path: path + "/@" + y.display, After: y.value})
		}
	}
}

// findAttr is a linear search: elements carry a handful of attributes.
func findAttr(n *xnode, name xml.Name) (xattr, bool) {
	for _, x := range n.attrs {
		if x.name == name {
			return x, true
		}
	}
	return xattr{}, false
}

// diffKids pairs the children of a and b (see pairKids) and compares each
// pair. Children of a are visited in document order so the first
// difference reported is the first one a reader of a would meet.
func diffKids(a, b *xnode, path string, out *[]Difference) {
	ga, gb := groupKids(a), groupKids(b)
	partner := map[*xnode]*xnode{}
	for name, as := range ga {
		pairKids(as, gb[name], partner)
	}
	matched := map[*xnode]bool{}
	seen := map[xml.Name]int{}
	for _, ka := range a.kids {
		i := seen[ka.name]
		seen[ka.name] = i + 1
		p := path + "/" + ka.display + indexSuffix(i, len(ga[ka.name]), len(gb[ka.name]))
		kb := partner[ka]
		if kb == nil {
			*out = append(*out, Difference{Kind: ElementDropped, Path: p})
			continue
		}
		matched[kb] = true
		diffNode(ka, kb, p, out)
	}
	seen = map[xml.Name]int{}
	for _, kb := range b.kids {
		i := seen[kb.name]
		seen[kb.name] = i + 1
		if !matched[kb] {
			p := path + "/" + kb.display + indexSuffix(i, len(ga[kb.name]), len(gb[kb.name]))
			*out = append(*out, Difference{Kind: ElementAdded, Path: p})
		}
	}
}

// pairKids pairs same-named children: the i-th in as with the i-th in bs,
// except children libvirt keeps sorted by its own rule (see sortKeyOf),
// paired by key, the i-th with a key to the i-th with the same key.
func pairKids(as, bs []*xnode, partner map[*xnode]*xnode) {
	if allKeyed(as) && allKeyed(bs) {
		byKey := map[string][]*xnode{}
		for _, n := range bs {
			byKey[sortKeyOf(n)] = append(byKey[sortKeyOf(n)], n)
		}
		for _, n := range as {
			if k := sortKeyOf(n); len(byKey[k]) > 0 {
				partner[n] = byKey[k][0]
				byKey[k] = byKey[k][1:]
			}
		}
		return
	}
	for i, n := range as {
		if i < len(bs) {
			partner[n] = bs[i]
		}
	}
}

// sortKeyOf identifies a child libvirt keeps sorted by its own rule rather
// than in the order written: a <controller> by type and index (a new one
// lands among its kind, not at the end). "" for anything else.
func sortKeyOf(n *xnode) string {
	if n.name.Local != "controller" {
		return ""
	}
	t, ok1 := findAttr(n, xml.Name{Local: "type"})
	i, ok2 := findAttr(n, xml.Name{Local: "index"})
	if !ok1 || !ok2 {
		return ""
	}
	return t.value + "/" + i.value
}

func allKeyed(ns []*xnode) bool {
	for _, n := range ns {
		if sortKeyOf(n) == "" {
			return false
		}
	}
	return len(ns) > 0
}

func groupKids(n *xnode) map[xml.Name][]*xnode {
	g := make(map[xml.Name][]*xnode, len(n.kids))
	for _, k := range n.kids {
		g[k.name] = append(g[k.name], k)
	}
	return g
}

// indexSuffix gives the XPath position [i+1] only when either document has
// more than one sibling of that name.
func indexSuffix(i, na, nb int) string {
	if na > 1 || nb > 1 {
		return fmt.Sprintf("[%d]", i+1)
	}
	return ""
}

// sameValue is exact string equality, except for integers written in hex:
// a 0x-prefixed hex integer equals another hex integer or a plain decimal
// integer of the same value (0x00 == 0x0, 0xa == 10). libvirt reads these
// attributes with strtol base 0 (virXMLPropInt(..., 0, ...)) and writes
// them as 0x%x, while libvirtxml writes some of them in decimal. Nothing
// else is fuzzy: "yes" is not "on", "2" is not "02", and two decimal
// spellings are compared as strings.
func sameValue(x, y string) bool {
	if x == y {
		return true
	}
	hx, okx := hexValue(x)
	hy, oky := hexValue(y)
	switch {
	case okx && oky:
		return hx == hy
	case okx:
		return decimalMatches(y, hx)
	case oky:
		return decimalMatches(x, hy)
	}
	return false
}

// hexValue returns the canonical digits of a 0x-prefixed hex integer
// (lower case, no leading zeros), so values of any length compare
// without overflow.
func hexValue(s string) (string, bool) {
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return "", false
	}
	d := strings.ToLower(s[2:])
	for _, c := range d {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	d = strings.TrimLeft(d, "0")
	if d == "" {
		d = "0"
	}
	return d, true
}

// decimalMatches reports whether s is a plain decimal integer equal to the
// canonical hex digits h. A leading zero is refused: base 0 reads "010"
// as octal.
func decimalMatches(s, h string) bool {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return err == nil && strconv.FormatUint(v, 16) == h
}

func secretMask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}
