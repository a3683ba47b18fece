package devices

import (
	"fmt"

	"libvirt.org/go/libvirtxml"
)

// Domain-level settings are forms like a device kind's, grouped in
// sections (Overview, CPUs, Memory, Boot & firmware, Features, Clock,
// NUMA tuning), over a Settings value. Field names are unique across all
// sections, so SettingCall and Get/Set need only the name.

// Section is one form of domain-level settings.
type Section struct {
	ID    string // "overview", "cpus", "memory", "boot", "features", "clock", "numa"
	Title string

	specs []*fieldSpec
	// valid runs the section's cross-field checks; may be nil.
	valid func(s *Settings) error
}

// Settings is a domain definition being edited through the settings
// forms, with what is not in its XML: whether it starts with the host.
type Settings struct {
	Def       *libvirtxml.Domain
	Autostart bool // libvirt keeps it beside the definition (virDomainSetAutostart)
	Caps      *Caps
}

// sections in display order; each is defined in its settings_*.go file.
var sections = []*Section{
	sectionOverview, sectionCPUs, sectionMemory, sectionBoot, sectionFeatures, sectionClock, sectionNUMA,
}

func section(id, title string, fields []spec[Settings], valid func(*Settings) error) *Section {
	return &Section{ID: id, Title: title, specs: erase(fields), valid: valid}
}

// Sections returns the settings sections in display order.
func Sections() []*Section { return append([]*Section(nil), sections...) }

// SectionByID returns the section with that ID, or nil.
func SectionByID(id string) *Section {
	for _, s := range sections {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Fields returns the section's fields with Choices narrowed by caps.
func (sec *Section) Fields(caps *Caps) []Field {
	var out []Field
	for _, f := range sec.specs {
		out = append(out, f.field(caps))
	}
	return out
}

// settingSpec finds a field by name in any section.
func settingSpec(name string) (*Section, *fieldSpec) {
	for _, sec := range sections {
		for _, f := range sec.specs {
			if f.Name == name {
				return sec, f
			}
		}
	}
	return nil, nil
}

// SettingCall returns the libvirt call that changes a domain-level field
// by itself, on a running VM too (SetVcpusFlags for "vcpus",
// SetMemoryFlags for "memory", SetMetadata for "title" and "description",
// SetAutostart for "autostart", PinVcpuFlags for "vcpu_pins"), or "" when
// the change needs a redefine (and applies after shutdown). Device fields
// carry the same information in Field.Call (SetInterfaceParameters for NIC
// bandwidth, SetBlockIoTune for disk throttles).
func SettingCall(field string) string {
	if _, f := settingSpec(field); f != nil {
		return f.Call
	}
	return ""
}

// Fields returns the section's fields that apply to this definition as it
// is now (the CPU model only for a custom CPU, and so on).
func (s *Settings) Fields(section string) []Field {
	sec := SectionByID(section)
	if sec == nil {
		return nil
	}
	var out []Field
	for _, f := range sec.specs {
		if f.applies(s) {
			out = append(out, f.field(s.Caps))
		}
	}
	return out
}

// Get returns a setting in the form Set accepts; "" when unset or unknown.
func (s *Settings) Get(field string) string {
	_, f := settingSpec(field)
	if f == nil || !f.applies(s) {
		return ""
	}
	return f.get(s)
}

// Set validates value and stores it in s.Def (or s.Autostart). On error
// nothing changes and the message says what is expected. The definition's
// nested values are replaced, so Items listed before a Set are stale.
func (s *Settings) Set(field, value string) error {
	_, f := settingSpec(field)
	if f == nil {
		return fmt.Errorf("no setting named %q", field)
	}
	if s.Def == nil {
		return fmt.Errorf("no definition to change")
	}
	if !f.applies(s) {
		return fmt.Errorf("%s does not apply to this VM as it is", f.Label)
	}
	norm, err := f.normalize(s.Caps, value)
	if err != nil {
		return err
	}
	def, err := CloneDomain(s.Def)
	if err != nil {
		return err
	}
	c := &Settings{Def: def, Autostart: s.Autostart, Caps: s.Caps}
	if err := f.set(c, norm); err != nil {
		return err
	}
	*s.Def = *c.Def
	s.Autostart = c.Autostart
	return nil
}

// Snapshot records the settings as they are now and returns what puts them
// back (see Device.Snapshot).
func (s *Settings) Snapshot() (restore func(), err error) {
	saved, err := CloneDomain(s.Def)
	if err != nil {
		return nil, err
	}
	autostart := s.Autostart
	return func() {
		if c, err := CloneDomain(saved); err == nil {
			*s.Def = *c
		}
		s.Autostart = autostart
	}, nil
}

// Check runs every section's cross-field checks (current vCPUs within the
// maximum, a topology that multiplies to it, current memory within the
// maximum, secure boot with SMM, ...): what libvirt would refuse on define.
func (s *Settings) Check() error {
	if s.Def == nil {
		return fmt.Errorf("no definition")
	}
	for _, sec := range sections {
		if sec.valid == nil {
			continue
		}
		if err := sec.valid(s); err != nil {
			return fmt.Errorf("%s: %w", sec.Title, err)
		}
	}
	return nil
}

// XML checks the settings and returns the whole definition, for
// DomainDefineXML.
func (s *Settings) XML() (string, error) {
	if err := s.Check(); err != nil {
		return "", err
	}
	return s.Def.Marshal()
}

// CloneDomain returns an independent copy of a definition.
func CloneDomain(def *libvirtxml.Domain) (*libvirtxml.Domain, error) {
	doc, err := def.Marshal()
	if err != nil {
		return nil, err
	}
	c := &libvirtxml.Domain{}
	if err := c.Unmarshal(doc); err != nil {
		return nil, err
	}
	return c, nil
}
