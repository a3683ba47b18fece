package devices

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// DocKind is a libvirt document type, named by its root element.
type DocKind string

const (
	KindDomain   DocKind = "domain"
	KindNetwork  DocKind = "network"
	KindPool     DocKind = "pool"           // storage pool
	KindVolume   DocKind = "volume"         // storage volume
	KindSnapshot DocKind = "domainsnapshot" // domain snapshot
	KindNWFilter DocKind = "filter"         // network filter
)

// DocKinds lists every document kind the fidelity guard knows.
var DocKinds = []DocKind{KindDomain, KindNetwork, KindPool, KindVolume, KindSnapshot, KindNWFilter}

// MaxLossDetails caps Loss.All: the first few differences are enough to
// tell a user what would be lost.
const MaxLossDetails = 20

// Loss describes what a libvirtxml round trip would drop, change or add.
type Loss struct {
	Kind  DocKind
	First Difference   // the first difference in document order
	All   []Difference // the first MaxLossDetails differences, First included
	Total int          // number of differences found, may exceed len(All)

	additionsOnly bool
}

// OnlyAdditions reports whether libvirtxml only added things (for example
// a default it infers, like type='file' on a snapshot disk) and dropped or
// changed nothing the document had. The guard still counts that as a loss
// of fidelity: an added element can change meaning (<acpi/> is a switch).
func (l *Loss) OnlyAdditions() bool { return l != nil && l.additionsOnly }

func (l *Loss) String() string {
	if l == nil {
		return "lossless"
	}
	s := l.First.String()
	if l.Total > 1 {
		s += fmt.Sprintf(" (and %d more)", l.Total-1)
	}
	return s
}

// DetectKind names the document type by its root element. Libvirt's root
// elements carry no namespace, so a namespaced root is not one of them.
func DetectKind(doc string) (DocKind, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return "", errors.New("no root element")
		}
		if err != nil {
			return "", err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, k := range DocKinds {
			if start.Name.Space == "" && start.Name.Local == string(k) {
				return k, nil
			}
		}
		return "", fmt.Errorf("root element <%s> is not a libvirt domain, network, pool, volume, domainsnapshot or filter", start.Name.Local)
	}
}

// document is what every libvirtxml top-level type implements.
type document interface {
	Unmarshal(string) error
	Marshal() (string, error)
}

func newDocument(k DocKind) (document, error) {
	switch k {
	case KindDomain:
		return &libvirtxml.Domain{}, nil
	case KindNetwork:
		return &libvirtxml.Network{}, nil
	case KindPool:
		return &libvirtxml.StoragePool{}, nil
	case KindVolume:
		return &libvirtxml.StorageVolume{}, nil
	case KindSnapshot:
		return &libvirtxml.DomainSnapshot{}, nil
	case KindNWFilter:
		return &libvirtxml.NWFilter{}, nil
	}
	return nil, fmt.Errorf("unknown document kind %q", string(k))
}

// CheckRoundTrip unmarshals doc into libvirtxml's type for kind, marshals
// it back and compares the two semantically (see Compare). A nil Loss means
// libvirtxml keeps everything, so a form edit followed by a redefine cannot
// drop configuration it does not model. An error means the document could
// not be checked at all (malformed, wrong kind, rejected by libvirtxml).
func CheckRoundTrip(kind DocKind, doc string) (*Loss, error) {
	v, err := newDocument(kind)
	if err != nil {
		return nil, err
	}
	got, err := DetectKind(doc)
	if err != nil {
		return nil, err
	}
	if got != kind {
		return nil, fmt.Errorf("expected a <%s> document, got <%s>", kind, got)
	}
	before, err := parseTree([]byte(doc))
	if err != nil {
		return nil, err
	}
	if err := v.Unmarshal(doc); err != nil {
		return nil, fmt.Errorf("libvirtxml cannot read this %s: %w", kind, err)
	}
	out, err := v.Marshal()
	if err != nil {
		return nil, fmt.Errorf("libvirtxml cannot write this %s back: %w", kind, err)
	}
	after, err := parseTree([]byte(out))
	if err != nil {
		// libvirtxml wrote something unparsable: that loses everything.
		return nil, fmt.Errorf("libvirtxml wrote malformed XML for this %s: %w", kind, err)
	}
	diffs := diffTrees(before, after)
	if len(diffs) == 0 {
		return nil, nil
	}
	return newLoss(kind, diffs), nil
}

func newLoss(kind DocKind, diffs []Difference) *Loss {
	l := &Loss{Kind: kind, First: diffs[0], All: diffs[:min(len(diffs), MaxLossDetails)], Total: len(diffs), additionsOnly: true}
	for _, d := range diffs {
		if d.Kind != ElementAdded && d.Kind != AttrAdded {
			l.additionsOnly = false
		}
	}
	return l
}
