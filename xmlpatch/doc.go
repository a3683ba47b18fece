// Package xmlpatch edits an XML document in place the way a typed model
// of it intends, keeping everything the model does not know.
//
// libvirtxml drops what it does not model (another program's attribute, a
// vendor element, a newer libvirt's setting). kvmtui's forms change a
// libvirtxml value; Merge carries exactly that change — the difference
// between the model's view of the document before and after the edit —
// onto the original document, so the rest stays as it was written. Doc is
// that document: parsed once, kept as written (prefixes, comments,
// whitespace, attribute order), written back by String.
package xmlpatch

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Kind is what a Node is.
type Kind int

const (
	Element Kind = iota
	Text
	Comment
	ProcInst  // <?target data?>
	Directive // <!DOCTYPE …>
)

// Node is one node of a document as written.
type Node struct {
	Kind Kind
	// Name is the element's name as written: Space is its prefix.
	Name xml.Name
	// NS is the namespace URI the prefix (or a default xmlns) stands for.
	NS    string
	Attrs []Attr
	Kids  []*Node
	// Data is a Text node's text (unescaped), a comment's or directive's
	// content, a processing instruction's instruction.
	Data   string
	Target string // a processing instruction's target
	// Open is an element without children written <a></a> rather
	// than <a/>.
	Open bool
}

// Attr is an attribute as written; NS as for Node (empty without prefix).
type Attr struct {
	Name  xml.Name
	NS    string
	Value string
	Quote byte // ' or " as written; 0 for "
}

// Doc is a whole document: what comes before the root element (an XML
// declaration, comments), the root, and what follows it.
type Doc struct {
	Prolog []*Node
	Root   *Node
	Epilog []*Node
}

// Parse reads one XML document: exactly one root element, nothing but
// whitespace, comments and processing instructions around it.
func Parse(data []byte) (*Doc, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	doc := &Doc{}
	var stack []*Node
	var scopes []map[string]string // prefix -> URI declared on each open element
	var at int64                   // where the token read next starts
	for {
		start := at
		tok, err := d.RawToken()
		at = d.InputOffset()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		var n *Node
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && doc.Root != nil {
				return nil, fmt.Errorf("second root element <%s> after <%s>", spell(t.Name), spell(doc.Root.Name))
			}
			scope := map[string]string{}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					scope[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					scope[""] = a.Value
				}
			}
			scopes = append(scopes, scope)
			e := &Node{Kind: Element, Name: t.Name, NS: lookup(scopes, t.Name.Space)}
			tag := data[start:at]
			e.Open = !bytes.HasSuffix(tag, []byte("/>"))
			quotes := quotesOf(tag)
			seen := map[xml.Name]bool{}
			for i, a := range t.Attr {
				if seen[a.Name] {
					return nil, fmt.Errorf("duplicate attribute %s on <%s>", spell(a.Name), spell(t.Name))
				}
				seen[a.Name] = true
				na := Attr{Name: a.Name, Value: a.Value}
				if len(quotes) == len(t.Attr) {
					na.Quote = quotes[i]
				}
				if a.Name.Space != "" && a.Name.Space != "xmlns" {
					na.NS = lookup(scopes, a.Name.Space)
				}
				e.Attrs = append(e.Attrs, na)
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.Kids = append(parent.Kids, e)
			} else {
				doc.Root = e
			}
			stack = append(stack, e)
			continue
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].Name != t.Name {
				return nil, fmt.Errorf("unexpected end element </%s>", spell(t.Name))
			}
			stack, scopes = stack[:len(stack)-1], scopes[:len(scopes)-1]
			continue
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, fmt.Errorf("text %q outside the root element", string(t))
				}
				continue // spacing around the root is written by String
			}
			n = &Node{Kind: Text, Data: string(t)}
		case xml.Comment:
			n = &Node{Kind: Comment, Data: string(t)}
		case xml.ProcInst:
			n = &Node{Kind: ProcInst, Target: t.Target, Data: string(t.Inst)}
		case xml.Directive:
			n = &Node{Kind: Directive, Data: string(t)}
		}
		switch {
		case len(stack) > 0:
			parent := stack[len(stack)-1]
			parent.Kids = append(parent.Kids, n)
		case doc.Root == nil:
			doc.Prolog = append(doc.Prolog, n)
		default:
			doc.Epilog = append(doc.Epilog, n)
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("element <%s> is not closed", spell(stack[len(stack)-1].Name))
	}
	if doc.Root == nil {
		return nil, errors.New("no root element")
	}
	return doc, nil
}

// quotesOf reads the quote character of each attribute of a start tag as
// written (encoding/xml does not say).
func quotesOf(tag []byte) []byte {
	var out []byte
	for i := 0; i < len(tag); i++ {
		if tag[i] != '=' {
			continue
		}
		j := i + 1
		for j < len(tag) && (tag[j] == ' ' || tag[j] == '\t' || tag[j] == '\n' || tag[j] == '\r') {
			j++
		}
		if j == len(tag) || tag[j] != '"' && tag[j] != '\'' {
			return nil
		}
		end := bytes.IndexByte(tag[j+1:], tag[j])
		if end < 0 {
			return nil
		}
		out = append(out, tag[j])
		i = j + 1 + end
	}
	return out
}

// lookup finds the URI a prefix stands for in the open elements' scopes;
// an undeclared prefix stands for itself (as encoding/xml does).
func lookup(scopes []map[string]string, prefix string) string {
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace"
	}
	for i := len(scopes) - 1; i >= 0; i-- {
		if uri, ok := scopes[i][prefix]; ok {
			return uri
		}
	}
	return prefix
}

func spell(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// String writes the document back: what was parsed comes out as it was
// written, apart from the spelling of entities and of the spaces between
// attributes.
func (d *Doc) String() string {
	var b strings.Builder
	for _, n := range d.Prolog {
		write(&b, n)
		b.WriteByte('\n')
	}
	write(&b, d.Root)
	for _, n := range d.Epilog {
		b.WriteByte('\n')
		write(&b, n)
	}
	b.WriteByte('\n')
	return b.String()
}

// String writes one element and what it holds.
func (n *Node) String() string {
	var b strings.Builder
	write(&b, n)
	return b.String()
}

func write(b *strings.Builder, n *Node) {
	switch n.Kind {
	case Text:
		escape(b, n.Data, 0)
	case Comment:
		b.WriteString("<!--" + n.Data + "-->")
	case ProcInst:
		b.WriteString("<?" + n.Target)
		if n.Data != "" {
			b.WriteString(" " + n.Data)
		}
		b.WriteString("?>")
	case Directive:
		b.WriteString("<!" + n.Data + ">")
	case Element:
		b.WriteString("<" + spell(n.Name))
		for _, a := range n.Attrs {
			q := a.Quote
			if q == 0 {
				q = '"'
			}
			b.WriteString(" " + spell(a.Name) + "=" + string(q))
			escape(b, a.Value, q)
			b.WriteByte(q)
		}
		if len(n.Kids) == 0 && !n.Open {
			b.WriteString("/>")
			return
		}
		b.WriteByte('>')
		for _, k := range n.Kids {
			write(b, k)
		}
		b.WriteString("</" + spell(n.Name) + ">")
	}
}

// escape writes text, or an attribute value in quotes q, with what XML
// requires escaped; in attributes also the quote and the whitespace a
// parser would otherwise normalise to spaces.
func escape(b *strings.Builder, s string, q byte) {
	attr := q != 0
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case attr && r == rune(q) && q == '"':
			b.WriteString("&quot;")
		case attr && r == rune(q):
			b.WriteString("&apos;")
		case attr && r == '\n':
			b.WriteString("&#xA;")
		case attr && r == '\t':
			b.WriteString("&#x9;")
		case r == '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
}

// Elements are the element children of n.
func (n *Node) Elements() []*Node {
	var out []*Node
	for _, k := range n.Kids {
		if k.Kind == Element {
			out = append(out, k)
		}
	}
	return out
}

// Attr returns the value of n's attribute with this namespace URI and
// local name.
func (n *Node) Attr(ns, local string) (string, bool) {
	for _, a := range n.Attrs {
		if a.NS == ns && a.Name.Local == local && a.Name.Space != "xmlns" && !(a.Name.Space == "" && a.Name.Local == "xmlns") {
			return a.Value, true
		}
	}
	return "", false
}

// text is n's own text: its text children, each trimmed, blank ones
// dropped, joined by a space (how devices.Compare sees it).
func (n *Node) text() string {
	var parts []string
	for _, k := range n.Kids {
		if k.Kind == Text {
			if s := strings.TrimSpace(k.Data); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, " ")
}

// clone copies n and everything under it.
func (n *Node) clone() *Node {
	c := *n
	c.Attrs = append([]Attr(nil), n.Attrs...)
	c.Kids = make([]*Node, len(n.Kids))
	for i, k := range n.Kids {
		c.Kids[i] = k.clone()
	}
	return &c
}
