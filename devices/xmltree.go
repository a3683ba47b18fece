package devices

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// xnode is one element reduced to what matters semantically: its
// namespaced name, attributes, trimmed text and child elements. Comments,
// processing instructions, namespace declarations and prefixes are gone.
type xnode struct {
	name    xml.Name
	display string // name as a reader would write it (prefix:local), for paths
	attrs   []xattr
	text    string
	kids    []*xnode
}

type xattr struct {
	name    xml.Name
	display string
	value   string
}

// openElem is an element still being read, with the text seen since its
// last child started and the namespace prefixes it declares.
type openElem struct {
	node     *xnode
	segment  strings.Builder
	segments []string
	prefixes map[string]string // namespace URI -> prefix declared here
}

// defaultNSPrefix marks a default namespace (xmlns="...") in prefixes.
const defaultNSPrefix = ""

// flushText closes the current text run. Runs are split only by child
// elements (not by comments), trimmed, and whitespace-only runs dropped.
func (o *openElem) flushText() {
	if s := strings.TrimSpace(o.segment.String()); s != "" {
		o.segments = append(o.segments, s)
	}
	o.segment.Reset()
}

// parseTree reads one XML document into an xnode tree. It requires exactly
// one root element and no stray text outside it.
func parseTree(data []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*openElem
	var root *xnode
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, fmt.Errorf("second root element <%s> after <%s>", t.Name.Local, root.display)
			}
			o := &openElem{node: &xnode{name: t.Name}, prefixes: declaredPrefixes(t.Attr)}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.flushText()
				parent.node.kids = append(parent.node.kids, o.node)
			} else {
				root = o.node
			}
			stack = append(stack, o)
			o.node.display = displayName(t.Name, stack)
			for _, a := range t.Attr {
				if isNamespaceDecl(a.Name) {
					continue
				}
				x := xattr{name: a.Name, display: displayName(a.Name, stack), value: a.Value}
				// Not well-formed XML, and the comparison matches
				// attributes by name, so refuse rather than guess.
				if _, dup := findAttr(o.node, a.Name); dup {
					return nil, fmt.Errorf("duplicate attribute %s on <%s>", x.display, o.node.display)
				}
				o.node.attrs = append(o.node.attrs, x)
			}
		case xml.EndElement:
			// The decoder has already checked that start and end tags match.
			o := stack[len(stack)-1]
			o.flushText()
			o.node.text = strings.Join(o.segments, " ")
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, fmt.Errorf("text %q outside the root element", truncate(string(t), 40))
				}
				continue
			}
			stack[len(stack)-1].segment.Write(t)
		}
		// Comments, processing instructions and directives carry no
		// configuration, so they are skipped.
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// isNamespaceDecl reports whether an attribute is an xmlns declaration,
// which is spelling, not content.
func isNamespaceDecl(n xml.Name) bool {
	return n.Space == "xmlns" || (n.Space == "" && n.Local == "xmlns")
}

func declaredPrefixes(attrs []xml.Attr) map[string]string {
	var m map[string]string
	for _, a := range attrs {
		if !isNamespaceDecl(a.Name) {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		if a.Name.Space == "xmlns" {
			m[a.Value] = a.Name.Local
		} else if _, ok := m[a.Value]; !ok {
			m[a.Value] = defaultNSPrefix
		}
	}
	return m
}

// displayName spells a namespaced name with a prefix in scope for its URI,
// so paths read like the document (qemu:commandline) rather than like
// {http://libvirt.org/schemas/domain/qemu/1.0}commandline. An element in a
// default namespace shows just its local name.
func displayName(n xml.Name, stack []*openElem) string {
	if n.Space == "" {
		return n.Local
	}
	if n.Space == "http://www.w3.org/XML/1998/namespace" {
		return "xml:" + n.Local
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if p, ok := stack[i].prefixes[n.Space]; ok {
			if p == defaultNSPrefix {
				return n.Local
			}
			return p + ":" + n.Local
		}
	}
	// An undeclared prefix: the decoder leaves the prefix itself as Space.
	return n.Space + ":" + n.Local
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
