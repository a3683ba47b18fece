package devices

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Overview: title, description, autostart and custom metadata.

var sectionOverview = section("overview", "Overview", []spec[Settings]{
	{
		Field: Field{Name: "title", Label: "Title", Type: TypeText, Optional: true, Live: true, Call: "SetMetadata",
			Help: "a short one-line title shown next to the name"},
		get: func(s *Settings) string { return s.Def.Title },
		set: func(s *Settings, v string) error { s.Def.Title = v; return nil },
	},
	{
		Field: Field{Name: "description", Label: "Description", Type: TypeMultiline, Optional: true, Live: true, Call: "SetMetadata",
			Help: "free text, any number of lines"},
		get: func(s *Settings) string { return s.Def.Description },
		set: func(s *Settings, v string) error { s.Def.Description = v; return nil },
	},
	{
		Field: Field{Name: "autostart", Label: "Start with the host", Type: TypeBool, Live: true, Call: "SetAutostart",
			Help: "libvirt starts the VM when libvirtd starts"},
		get: func(s *Settings) string { return yesNo(s.Autostart) },
		set: func(s *Settings, v string) error { s.Autostart = v == "yes"; return nil },
	},
	{
		Field: Field{Name: "metadata", Label: "Metadata", Type: TypeMultiline, Optional: true,
			Help: "XML elements of other applications, each in its own namespace, like <app:info xmlns:app=\"http://example.org/app\"/>"},
		parse: parseMetadata,
		get: func(s *Settings) string {
			if s.Def.Metadata == nil {
				return ""
			}
			return strings.TrimSpace(s.Def.Metadata.XML)
		},
		set: func(s *Settings, v string) error {
			s.Def.Metadata = nil
			if v != "" {
				s.Def.Metadata = &lx.DomainMetadata{XML: v}
			}
			return nil
		},
	},
}, nil)

// parseMetadata accepts well-formed XML whose top-level nodes are
// elements in a namespace (libvirt drops the others) and whitespace.
func parseMetadata(s string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("invalid metadata: %s; expected XML elements with a namespace, like <app:info xmlns:app=\"http://example.org/app\"/>", why)
	}
	if err := printable(s, true); err != nil {
		return "", bad(err.Error())
	}
	d := xml.NewDecoder(strings.NewReader(s))
	depth, elements := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", bad(err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if t.Name.Space == "" || !strings.Contains(t.Name.Space, ":") {
					return "", bad(fmt.Sprintf("<%s> has no namespace URI", t.Name.Local))
				}
				elements++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(t)) != "" {
				return "", bad("text outside an element")
			}
		case xml.ProcInst, xml.Directive:
			if depth == 0 {
				return "", bad("only elements are allowed")
			}
		}
	}
	if elements == 0 {
		return "", bad("no element")
	}
	return strings.TrimSpace(s), nil
}
