package xmlpatch

import (
	"encoding/xml"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Conflict refuses a merge: the edit changes an element of the original
// that holds something the model did not read (What), so applying the
// model's change there could contradict it. Path is the element.
type Conflict struct {
	Path string
	What string
}

func (c *Conflict) Error() string {
	return fmt.Sprintf("%s holds %s, which the edit cannot account for", c.Path, c.What)
}

// Merge returns a copy of orig changed the way next differs from base.
// base is orig as a model reads and writes it (lossy: it may lack
// attributes and elements orig has); next is the model's document after an
// edit. Attributes and text that differ between base and next are set on
// orig's matching elements, elements only next has are inserted next to
// their neighbours, elements only base has are removed; everything else in
// orig — what the model dropped, comments, spacing — stays as written.
//
// Elements are matched by namespace and name: orig's with base's by
// position among same-named siblings (base comes from orig), base's with
// next's by content first (unchanged siblings pair exactly), then by
// position within what is left between them, or by an identity (a disk's
// target, a NIC's MAC) where the counts differ. A change to an element
// that holds something base lacks is refused with a *Conflict.
func Merge(orig, base, next *Node) (*Node, error) {
	if key(orig) != key(base) || key(base) != key(next) {
		return nil, fmt.Errorf("different root elements: <%s>, <%s>, <%s>", spell(orig.Name), spell(base.Name), spell(next.Name))
	}
	m := &merger{canon: map[*Node]string{}, quote: quoteOf(orig)}
	out := orig.clone()
	if err := m.node(out, base, next, "/"+spell(out.Name)); err != nil {
		return nil, err
	}
	return out, nil
}

type merger struct {
	canon map[*Node]string
	quote byte // how orig quotes its attributes, for the ones added
}

// quoteOf is the quote of n's first attribute, or of its first element
// child's, and so on (0: none found, written as ").
func quoteOf(n *Node) byte {
	for _, a := range n.Attrs {
		if a.Quote != 0 {
			return a.Quote
		}
	}
	for _, k := range n.Elements() {
		if q := quoteOf(k); q != 0 {
			return q
		}
	}
	return 0
}

type name struct{ ns, local string }

func key(n *Node) name { return name{n.NS, n.Name.Local} }

func attrKey(a Attr) name { return name{a.NS, a.Name.Local} }

func isDecl(a Attr) bool {
	return a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
}

// node merges b→n into o, three elements already matched.
func (m *merger) node(o, b, n *Node, path string) error {
	loss := ownLoss(o, b)
	changed := m.attrs(o, b, n)
	if bt, nt := b.text(), n.text(); bt != nt {
		setText(o, nt)
		changed = true
	}
	if changed && loss != "" {
		return &Conflict{Path: path, What: loss}
	}
	return m.kids(o, b, n, path)
}

// attrs sets on o what differs between b's and n's attributes.
func (m *merger) attrs(o, b, n *Node) bool {
	changed := false
	var keys []name
	for _, a := range append(append([]Attr(nil), b.Attrs...), n.Attrs...) {
		if !isDecl(a) && !slices.Contains(keys, attrKey(a)) {
			keys = append(keys, attrKey(a))
		}
	}
	for _, k := range keys {
		bv, bok := b.Attr(k.ns, k.local)
		nv, nok := n.Attr(k.ns, k.local)
		if bok == nok && bv == nv {
			continue
		}
		changed = true
		i := slices.IndexFunc(o.Attrs, func(a Attr) bool { return !isDecl(a) && attrKey(a) == k })
		switch {
		case !nok && i >= 0:
			o.Attrs = slices.Delete(o.Attrs, i, i+1)
		case nok && i >= 0:
			o.Attrs[i].Value = nv
		case nok:
			j := slices.IndexFunc(n.Attrs, func(a Attr) bool { return !isDecl(a) && attrKey(a) == k })
			a := n.Attrs[j]
			a.Quote = m.quote
			o.Attrs = append(o.Attrs, a)
		}
	}
	return changed
}

// setText replaces o's text (libvirt has no mixed content: an element
// holds text or elements).
func setText(o *Node, t string) {
	kids := o.Kids[:0:0]
	hasElements := false
	for _, k := range o.Kids {
		if k.Kind == Element {
			hasElements = true
		}
		if k.Kind != Text || hasElements && strings.TrimSpace(k.Data) == "" {
			kids = append(kids, k)
		}
	}
	if t != "" {
		kids = append([]*Node{{Kind: Text, Data: t}}, kids...)
	}
	o.Kids = kids
}

// ownLoss names what o itself holds that b, the model's copy of it, lacks:
// an attribute, a value, text, a child element. "" when nothing.
func ownLoss(o, b *Node) string {
	for _, a := range o.Attrs {
		if isDecl(a) {
			continue
		}
		bv, ok := b.Attr(a.NS, a.Name.Local)
		if !ok {
			return fmt.Sprintf("%s=%q", spell(a.Name), a.Value)
		}
		if !sameValue(a.Value, bv) {
			return fmt.Sprintf("%s=%q (read as %q)", spell(a.Name), a.Value, bv)
		}
	}
	if o.text() != b.text() {
		return fmt.Sprintf("the text %q", o.text())
	}
	counts := map[name]int{}
	for _, k := range b.Elements() {
		counts[key(k)]++
	}
	for _, k := range o.Elements() {
		if counts[key(k)] == 0 {
			return fmt.Sprintf("<%s>", spell(k.Name))
		}
		counts[key(k)]--
	}
	return ""
}

// kids merges the children: matched ones recursively, then removals, then
// insertions.
func (m *merger) kids(o, b, n *Node, path string) error {
	ob := pairByPosition(o.Elements(), b.Elements())
	bn := m.pairByContent(b.Elements(), n.Elements())
	nb := map[*Node]*Node{}
	for bk, nk := range bn {
		nb[nk] = bk
	}
	seen, count := map[name]int{}, map[name]int{}
	for _, bk := range b.Elements() {
		count[key(bk)]++
	}
	var removed []*Node
	for _, bk := range b.Elements() {
		i := seen[key(bk)]
		seen[key(bk)]++
		p := path + "/" + spell(bk.Name)
		if count[key(bk)] > 1 {
			p += fmt.Sprintf("[%d]", i+1)
		}
		ok, nk := ob[bk], bn[bk]
		switch {
		case ok == nil && (nk == nil || m.canonical(bk) != m.canonical(nk)):
			return &Conflict{Path: p, What: "siblings the model reads differently"}
		case nk == nil:
			removed = append(removed, ok)
		case ok != nil:
			if err := m.node(ok, bk, nk, p); err != nil {
				return err
			}
		}
	}
	for _, r := range removed {
		remove(o, r)
	}
	// Each new element goes after the nearest earlier sibling of next's
	// that o has (or was just given), else before the nearest later one.
	placed := map[*Node]*Node{} // next's child -> its node in o
	for nk, bk := range nb {
		placed[nk] = ob[bk]
	}
	nks := n.Elements()
	for i, nk := range nks {
		if _, ok := nb[nk]; ok {
			continue
		}
		add := m.insertable(nk)
		placed[nk] = add
		after, before := (*Node)(nil), (*Node)(nil)
		for j := i - 1; j >= 0 && after == nil; j-- {
			after = placed[nks[j]]
		}
		for j := i + 1; j < len(nks) && after == nil && before == nil; j++ {
			before = placed[nks[j]]
		}
		insert(o, add, after, before)
	}
	return nil
}

// pairByPosition pairs orig's children with base's: the i-th of a name
// with the i-th, where both have as many of that name (else that name's
// children stay unpaired).
func pairByPosition(os, bs []*Node) map[*Node]*Node {
	group := func(ns []*Node) map[name][]*Node {
		g := map[name][]*Node{}
		for _, k := range ns {
			g[key(k)] = append(g[key(k)], k)
		}
		return g
	}
	og := group(os)
	out := map[*Node]*Node{}
	for k, bl := range group(bs) {
		if ol := og[k]; len(ol) == len(bl) {
			for i := range bl {
				out[bl[i]] = ol[i]
			}
		}
	}
	return out
}

// pairByContent pairs base's children with next's, per name: equal ones
// in order (a longest common subsequence), then between two such pairs
// the rest by position when both sides have as many, else by identity.
func (m *merger) pairByContent(bs, ns []*Node) map[*Node]*Node {
	out := map[*Node]*Node{}
	bg, ng := map[name][]*Node{}, map[name][]*Node{}
	var names []name
	for _, k := range bs {
		if _, ok := bg[key(k)]; !ok {
			names = append(names, key(k))
		}
		bg[key(k)] = append(bg[key(k)], k)
	}
	for _, k := range ns {
		ng[key(k)] = append(ng[key(k)], k)
	}
	for _, nm := range names {
		m.pairGroup(bg[nm], ng[nm], out)
	}
	return out
}

func (m *merger) pairGroup(bs, ns []*Node, out map[*Node]*Node) {
	// LCS table over canonical forms.
	lcs := make([][]int, len(bs)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(ns)+1)
	}
	for i := len(bs) - 1; i >= 0; i-- {
		for j := len(ns) - 1; j >= 0; j-- {
			if m.canonical(bs[i]) == m.canonical(ns[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j, gi, gj := 0, 0, 0, 0
	for i < len(bs) && j < len(ns) {
		switch {
		case m.canonical(bs[i]) == m.canonical(ns[j]):
			pairGap(bs[gi:i], ns[gj:j], out)
			out[bs[i]] = ns[j]
			i, j = i+1, j+1
			gi, gj = i, j
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	pairGap(bs[gi:], ns[gj:], out)
}

// pairGap pairs changed siblings between two unchanged ones: by position
// when as many remain on both sides (an edit), else by identity.
func pairGap(bs, ns []*Node, out map[*Node]*Node) {
	if len(bs) == len(ns) {
		for i := range bs {
			out[bs[i]] = ns[i]
		}
		return
	}
	taken := map[*Node]bool{}
	for _, b := range bs {
		id := identity(b)
		if id == "" {
			continue
		}
		for _, n := range ns {
			if !taken[n] && identity(n) == id {
				out[b], taken[n] = n, true
				break
			}
		}
	}
}

// identity is what tells a device apart from its siblings whatever else
// changes: a disk's target, a NIC's MAC, an alias.
func identity(n *Node) string {
	for _, k := range n.Elements() {
		for _, id := range [][2]string{{"target", "dev"}, {"mac", "address"}, {"alias", "name"}} {
			if k.Name.Local == id[0] {
				if v, ok := k.Attr("", id[1]); ok {
					return id[0] + "=" + v
				}
			}
		}
	}
	return ""
}

// canonical spells an element's content so that equal content compares
// equal: attributes sorted, text trimmed, children in order, no comments.
func (m *merger) canonical(n *Node) string {
	if s, ok := m.canon[n]; ok {
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<{%s}%s", n.NS, n.Name.Local)
	var attrs []string
	for _, a := range n.Attrs {
		if !isDecl(a) {
			attrs = append(attrs, fmt.Sprintf(" {%s}%s=%q", a.NS, a.Name.Local, a.Value))
		}
	}
	sort.Strings(attrs)
	b.WriteString(strings.Join(attrs, ""))
	fmt.Fprintf(&b, ">%q", n.text())
	for _, k := range n.Elements() {
		b.WriteString(m.canonical(k))
	}
	b.WriteString("</>")
	m.canon[n] = b.String()
	return m.canon[n]
}

// remove takes child c out of o, with the spacing before it.
func remove(o, c *Node) {
	i := slices.Index(o.Kids, c)
	if i < 0 {
		return
	}
	from := i
	if i > 0 && blank(o.Kids[i-1]) {
		from = i - 1
	}
	o.Kids = slices.Delete(o.Kids, from, i+1)
}

// insert puts add into o after the node after, or before the node before,
// or at the end, spaced like its neighbour.
func insert(o, add, after, before *Node) {
	anchor := after
	if anchor == nil {
		anchor = before
	}
	i := slices.Index(o.Kids, anchor)
	if anchor == nil || i < 0 {
		if els := o.Elements(); len(els) > 0 {
			if j := slices.Index(o.Kids, els[len(els)-1]); j > 0 && blank(o.Kids[j-1]) {
				// after the last element, keeping the closing tag's own spacing
				o.Kids = slices.Insert(o.Kids, j+1, o.Kids[j-1].clone(), add)
				return
			}
		}
		o.Kids = append(o.Kids, add)
		return
	}
	var space *Node
	if i > 0 && blank(o.Kids[i-1]) {
		space = o.Kids[i-1]
	}
	switch {
	case after != nil && space != nil:
		o.Kids = slices.Insert(o.Kids, i+1, space.clone(), add)
	case after != nil:
		o.Kids = slices.Insert(o.Kids, i+1, add)
	case space != nil:
		o.Kids = slices.Insert(o.Kids, i, add, space.clone())
	default:
		o.Kids = slices.Insert(o.Kids, i, add)
	}
}

func blank(n *Node) bool { return n.Kind == Text && strings.TrimSpace(n.Data) == "" }

// insertable copies next's child nk for orig, spelled like orig (quotes,
// <a/> for an empty element), declaring on it the namespace prefixes it
// uses that its ancestors in next declared.
func (m *merger) insertable(nk *Node) *Node {
	c := nk.clone()
	var spellLike func(*Node)
	spellLike = func(n *Node) {
		n.Open = false
		for i := range n.Attrs {
			n.Attrs[i].Quote = m.quote
		}
		for _, k := range n.Elements() {
			spellLike(k)
		}
	}
	spellLike(c)
	declared := map[string]bool{}
	var walk func(*Node, map[string]bool)
	walk = func(n *Node, inScope map[string]bool) {
		scope := map[string]bool{}
		for p := range inScope {
			scope[p] = true
		}
		for _, a := range n.Attrs {
			if a.Name.Space == "xmlns" {
				scope[a.Name.Local] = true
			} else if isDecl(a) {
				scope[""] = true
			}
		}
		use := func(prefix, uri string) {
			if prefix != "xml" && prefix != "xmlns" && !scope[prefix] && !declared[prefix] && uri != "" {
				declared[prefix] = true
				if prefix == "" {
					c.Attrs = append(c.Attrs, Attr{Name: xml.Name{Local: "xmlns"}, Value: uri, Quote: m.quote})
				} else {
					c.Attrs = append(c.Attrs, Attr{Name: xml.Name{Space: "xmlns", Local: prefix}, Value: uri, Quote: m.quote})
				}
			}
		}
		use(n.Name.Space, n.NS)
		for _, a := range n.Attrs {
			if a.Name.Space != "" && !isDecl(a) {
				use(a.Name.Space, a.NS)
			}
		}
		for _, k := range n.Elements() {
			walk(k, scope)
		}
	}
	walk(c, nil)
	return c
}

// sameValue: equal strings, or integers where one is 0x-prefixed hex and
// both have the same value (libvirt writes addresses as 0x%x; a model may
// write them in decimal).
func sameValue(x, y string) bool {
	if x == y {
		return true
	}
	parse := func(s string) (uint64, bool) {
		if h, ok := strings.CutPrefix(s, "0x"); ok {
			v, err := strconv.ParseUint(h, 16, 64)
			return v, err == nil
		}
		v, err := strconv.ParseUint(s, 10, 64)
		return v, err == nil
	}
	if !strings.HasPrefix(x, "0x") && !strings.HasPrefix(y, "0x") {
		return false
	}
	a, ok1 := parse(x)
	b, ok2 := parse(y)
	return ok1 && ok2 && a == b
}
