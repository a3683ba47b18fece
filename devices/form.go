package devices

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FieldType tells a form how to show and edit a field's value. Every value
// travels as a string: Get returns it in the form Set reads back.
type FieldType string

const (
	TypeText      FieldType = "text"      // one line of printable text
	TypeMultiline FieldType = "multiline" // text that may span lines (description)
	TypePassword  FieldType = "password"  // printable text, shown masked
	TypeNumber    FieldType = "number"    // unsigned decimal integer
	TypeSize      FieldType = "size"      // bytes with a unit: "20 GiB", "512M"
	TypeBool      FieldType = "bool"      // "yes" or "no" (on/off/true/false accepted)
	TypeEnum      FieldType = "enum"      // one of Field.Choices
	TypeMAC       FieldType = "mac"       // 52:54:00:12:34:56
	TypePath      FieldType = "path"      // an absolute host path
	TypePCI       FieldType = "pci"       // host PCI address, 0000:00:1f.2
	TypeUSBID     FieldType = "usbid"     // host USB vendor:product, 046d:c52b
	TypeUSBAddr   FieldType = "usbaddr"   // host USB bus:device, 001:004
	TypeCPUList   FieldType = "cpulist"   // libvirt cpuset, 0-3,^2,8
	TypeBandwidth FieldType = "bandwidth" // a rate: "10Mbit", "1MB/s", plain kB/s
)

// Field describes one form field of a device kind or a domain settings
// section. The form shows Label, offers Choices for TypeEnum, and hands
// what the user typed to Set, which validates it.
type Field struct {
	Name     string // key for Get and Set, unique within its kind or among all settings
	Label    string
	Type     FieldType
	Choices  []string // TypeEnum: the allowed values, narrowed by Caps where libvirt reports them
	Optional bool     // Set(name, "") clears the value; else the field is required
	Help     string   // one line: what the value means and what format is expected
	// Live is true when the value can change on a running VM (by
	// UpdateDeviceFlags with AFFECT_LIVE, or by Call); otherwise a change
	// applies to the persistent definition and takes effect after shutdown.
	Live bool
	// Call names the libvirt call that changes this value on its own
	// (SetVcpusFlags, SetMemoryFlags, SetMetadata, SetAutostart,
	// PinVcpuFlags, SetInterfaceParameters, SetBlockIoTune), or is "" when
	// the change goes through the device calls or a redefine.
	Call string
}

// spec is one field over a value of type T (a libvirtxml struct, or
// Settings). get and set see normalized strings: set receives what
// normalize produced, "" meaning "clear".
type spec[T any] struct {
	Field
	unit     string                       // TypeSize: unit of a plain number
	min, max uint64                       // TypeNumber bounds; max 0 means none
	parse    func(string) (string, error) // replaces the type's own parser
	choices  func(*Caps) []string         // narrows Field.Choices; nil result: not reported
	when     func(*T) bool                // the field applies to this value; nil: always
	liveIf   func(orig *T) bool           // a Live field is live only for such a device; nil: always
	get      func(*T) string
	set      func(*T, string) error
}

// fieldSpec is a spec with T erased, so Kind and Section can hold specs
// of different types.
type fieldSpec struct {
	Field
	unit     string
	min, max uint64
	parse    func(string) (string, error)
	choices  func(*Caps) []string
	when     func(any) bool
	liveIf   func(any) bool
	get      func(any) string
	set      func(any, string) error
}

func erase[T any](ss []spec[T]) []*fieldSpec {
	out := make([]*fieldSpec, 0, len(ss))
	for _, s := range ss {
		f := &fieldSpec{Field: s.Field, unit: s.unit, min: s.min, max: s.max, parse: s.parse, choices: s.choices}
		get, set, when, liveIf := s.get, s.set, s.when, s.liveIf
		f.get = func(v any) string { return get(v.(*T)) }
		f.set = func(v any, x string) error { return set(v.(*T), x) }
		if when != nil {
			f.when = func(v any) bool { return when(v.(*T)) }
		}
		if liveIf != nil {
			f.liveIf = func(v any) bool { return liveIf(v.(*T)) }
		}
		out = append(out, f)
	}
	return out
}

// field returns the Field as a form shows it with caps: Choices narrowed
// to what libvirt reports, when it reports them.
func (f *fieldSpec) field(caps *Caps) Field {
	out := f.Field
	out.Choices = f.allowed(caps)
	return out
}

func (f *fieldSpec) allowed(caps *Caps) []string {
	if f.choices != nil && caps != nil {
		if c := f.choices(caps); c != nil {
			return c
		}
	}
	return slices.Clone(f.Choices)
}

func (f *fieldSpec) applies(v any) bool { return f.when == nil || f.when(v) }

// normalize validates what the user typed for this field and returns the
// canonical string the setter expects.
func (f *fieldSpec) normalize(caps *Caps, raw string) (string, error) {
	s := raw
	if f.Type != TypeMultiline && f.Type != TypePassword {
		s = strings.TrimSpace(raw)
	}
	if s == "" {
		if f.Optional {
			return "", nil
		}
		return "", fmt.Errorf("%s is required: %s", f.Label, f.expect(caps))
	}
	bad := func(why string) error {
		return fmt.Errorf("invalid %s %q: %s; %s", strings.ToLower(f.Label), raw, why, f.expect(caps))
	}
	if f.parse != nil {
		// Text a field parses itself must still be printable.
		if f.Type == TypeText || f.Type == TypeMultiline || f.Type == TypePassword {
			if err := printable(s, f.Type == TypeMultiline); err != nil {
				return "", bad(err.Error())
			}
		}
		return f.parse(s)
	}
	switch f.Type {
	case TypeText, TypePassword:
		if err := printable(s, false); err != nil {
			return "", bad(err.Error())
		}
	case TypeMultiline:
		if err := printable(s, true); err != nil {
			return "", bad(err.Error())
		}
	case TypeNumber:
		v, err := parseDecimalField(s)
		if err != nil {
			return "", bad("not a whole number")
		}
		if v < f.min || (f.max != 0 && v > f.max) {
			return "", bad("out of range")
		}
		return strconv.FormatUint(v, 10), nil
	case TypeSize:
		v, err := ParseSize(strings.TrimSuffix(s, "/s"), f.unit)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Label, err)
		}
		return strconv.FormatUint(v, 10), nil
	case TypeBool:
		switch strings.ToLower(s) {
		case "yes", "on", "true", "1":
			return "yes", nil
		case "no", "off", "false", "0":
			return "no", nil
		}
		return "", bad("not a yes/no value")
	case TypeEnum:
		for _, c := range f.allowed(caps) {
			if strings.EqualFold(c, s) {
				return c, nil
			}
		}
		return "", bad("not offered here")
	case TypeMAC:
		m, err := ParseMAC(s)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Label, err)
		}
		return m, nil
	case TypePath:
		if err := checkPath(s); err != nil {
			return "", bad(err.Error())
		}
	case TypePCI:
		d, b, sl, fn, err := ParsePCIAddress(s)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Label, err)
		}
		return FormatPCIAddress(d, b, sl, fn), nil
	case TypeUSBID:
		v, p, err := ParseUSBVendorProduct(s)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Label, err)
		}
		return FormatUSBVendorProduct(v, p), nil
	case TypeUSBAddr:
		b, d, err := ParseUSBAddress(s)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Label, err)
		}
		return FormatUSBAddress(b, d), nil
	case TypeCPUList:
		cpus, err := ParseCPUList(s, MaxCPUs)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Label, err)
		}
		return FormatCPUList(cpus), nil
	case TypeBandwidth:
		v, err := ParseBandwidth(s)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Label, err)
		}
		return strconv.FormatUint(v, 10), nil
	}
	return s, nil
}

// expect says what a valid value looks like, for error messages.
func (f *fieldSpec) expect(caps *Caps) string {
	switch f.Type {
	case TypeNumber:
		if f.max != 0 {
			return fmt.Sprintf("expected a whole number from %d to %d", f.min, f.max)
		}
		return fmt.Sprintf("expected a whole number of at least %d", f.min)
	case TypeSize:
		return "expected a size like 512MiB, 20G or 1.5 GiB"
	case TypeBool:
		return "expected yes or no"
	case TypeEnum:
		c := f.allowed(caps)
		if len(c) == 0 {
			return "libvirt offers no value for it here"
		}
		return "expected one of " + strings.Join(c, ", ")
	case TypeMAC:
		return "expected a MAC like 52:54:00:12:34:56"
	case TypePath:
		return "expected an absolute path like /var/lib/libvirt/images/disk.qcow2"
	case TypePCI:
		return "expected a host PCI address like 0000:03:00.1"
	case TypeUSBID:
		return "expected vendor:product like 046d:c52b"
	case TypeUSBAddr:
		return "expected bus:device like 001:004"
	case TypeCPUList:
		return "expected CPU numbers and ranges like 0-3,^2,8"
	case TypeBandwidth:
		return "expected a rate like 10Mbit, 1MB/s or a plain number of kB/s"
	}
	if f.Help != "" {
		return "expected " + f.Help
	}
	return "expected printable text"
}

// printable refuses invalid UTF-8 and control characters, which libvirt
// would store but a terminal cannot show (newlines and tabs are allowed in
// multiline text).
func printable(s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	if len(s) > 65536 {
		return fmt.Errorf("longer than 64 KiB")
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("it contains the control character %U", r)
		}
	}
	return nil
}

// checkPath accepts what libvirt's absFilePath pattern does: an absolute
// path without control characters.
func checkPath(s string) error {
	if !strings.HasPrefix(s, "/") {
		return fmt.Errorf("not an absolute path")
	}
	if len(s) > 4096 {
		return fmt.Errorf("longer than 4096 bytes (PATH_MAX)")
	}
	return printable(s, false)
}

// Small conversions for setters, which only see normalized values.

func atou(s string) uint {
	v, _ := strconv.ParseUint(s, 10, 64)
	return uint(v)
}

func atou64(s string) uint64 {
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}

func utoa[N ~uint | ~uint64 | ~int](v N) string {
	return strconv.FormatUint(uint64(v), 10)
}

// optUtoa shows 0 as unset.
func optUtoa[N ~uint | ~uint64 | ~int](v N) string {
	if v == 0 {
		return ""
	}
	return utoa(v)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// onOff maps a normalized yes/no to libvirt's on/off attribute values.
func onOff(s string) string {
	switch s {
	case "yes":
		return "on"
	case "no":
		return "off"
	}
	return ""
}

// fromOnOff maps libvirt's on/off (or yes/no) to a form's yes/no.
func fromOnOff(s string) string {
	switch s {
	case "on", "yes":
		return "yes"
	case "off", "no":
		return "no"
	}
	return ""
}

// oneLine makes XML text safe for a one-line summary.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// joinSummary joins the non-empty parts with " · ".
func joinSummary(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(oneLine(p)); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, " · ")
}
