package libvirtx

import (
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirt"
)

// The mark is an element of kvmtui's namespace in the metadata: the
// inventory reads it, another program's <template> is not taken for it.
func TestTemplateMarkOnTheDemoHost(t *testing.T) {
	m, uri := connectDemo(t, false)
	d := domainByName(t, m, uri, "legacy-centos7")
	if d.Template {
		t.Fatal("legacy-centos7 is a template before being marked")
	}
	c, _ := m.conn(uri)
	read := func() Domain {
		t.Helper()
		got, err := c.Domain(d.UUID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if err := m.withDomain(d.Ref, func(x *libvirt.Domain) error {
		return x.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, "<template/>", "other", "https://example.org/other", libvirt.DOMAIN_AFFECT_CONFIG)
	}); err != nil {
		t.Fatal(err)
	}
	if read().Template {
		t.Fatal("another program's <template> was taken for kvmtui's mark")
	}
	if err := m.SetTemplate(d.Ref, true); err != nil {
		t.Fatal(err)
	}
	if !read().Template {
		t.Fatal("the mark is not read back")
	}
	x, _ := m.DomainXML(d.Ref, true, false)
	if !strings.Contains(x, `<kvmtui:template xmlns:kvmtui="`+TemplateNS+`"`) {
		t.Fatalf("the mark in the XML:\n%s", x)
	}
	waitFor(t, m, 5*time.Second, func(e Event) bool { de, ok := e.(DomainEvent); return ok && de.UUID == d.UUID && de.Domain.Template })
	if err := m.SetTemplate(d.Ref, false); err != nil {
		t.Fatal(err)
	}
	if read().Template {
		t.Fatal("the mark stayed")
	}
	ro, _ := connectDemo(t, true)
	if err := ro.SetTemplate(d.Ref, true); err != ErrReadOnly {
		t.Fatalf("read-only: %v", err)
	}
}
