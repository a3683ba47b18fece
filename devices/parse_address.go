package devices

import (
	"fmt"
	"strconv"
	"strings"
)

// ParsePCIAddress reads a host PCI address as lspci and sysfs print it,
// "0000:00:1f.2" or without the domain "00:1f.2" (domain 0). Fields are
// hex: domain 0-ffff, bus 0-ff, slot 0-1f, function 0-7.
func ParsePCIAddress(s string) (domain, bus, slot, function uint, err error) {
	bad := func(why string) error {
		return fmt.Errorf("invalid PCI address %q: %s; expected [domain:]bus:slot.function in hex, like 0000:00:1f.2", s, why)
	}
	t := strings.TrimSpace(s)
	rest, fn, ok := strings.Cut(t, ".")
	if !ok {
		return 0, 0, 0, 0, bad("no '.' before the function")
	}
	parts := strings.Split(rest, ":")
	if len(parts) == 2 {
		parts = append([]string{"0"}, parts...)
	}
	if len(parts) != 3 {
		return 0, 0, 0, 0, bad("wrong number of ':' separators")
	}
	fields := []struct {
		name   string
		text   string
		digits int
		max    uint64
		out    *uint
	}{
		{"domain", parts[0], 4, 0xffff, &domain},
		{"bus", parts[1], 2, 0xff, &bus},
		{"slot", parts[2], 2, 0x1f, &slot},
		{"function", fn, 1, 7, &function},
	}
	for _, f := range fields {
		v, err := parseHexField(f.text, f.digits)
		if err != nil {
			return 0, 0, 0, 0, bad(fmt.Sprintf("%s %q is not a hex number of at most %d digits", f.name, f.text, f.digits))
		}
		if v > f.max {
			return 0, 0, 0, 0, bad(fmt.Sprintf("%s 0x%x is out of range 0-0x%x", f.name, v, f.max))
		}
		*f.out = uint(v)
	}
	return domain, bus, slot, function, nil
}

// FormatPCIAddress writes the full form lspci -D prints: 0000:00:1f.2.
func FormatPCIAddress(domain, bus, slot, function uint) string {
	return fmt.Sprintf("%04x:%02x:%02x.%x", domain, bus, slot, function)
}

// parseHexField accepts 1..maxDigits hex digits, no sign, no 0x prefix.
func parseHexField(s string, maxDigits int) (uint64, error) {
	if s == "" || len(s) > maxDigits {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseUint(s, 16, 64)
}

// ParseUSBAddress reads a host USB device position as lsusb prints it,
// "bus:device" in decimal: "001:004" or "1:4". Leading zeros are decimal
// padding, not octal. Bus numbers start at 1; device addresses are 1-127
// (the USB limit).
func ParseUSBAddress(s string) (bus, device uint, err error) {
	bad := func(why string) error {
		return fmt.Errorf("invalid USB address %q: %s; expected bus:device in decimal, like 001:004", s, why)
	}
	b, d, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, 0, bad("no ':' between bus and device")
	}
	bv, err := parseDecimalField(b)
	if err != nil || bv < 1 || bv > 0xffff {
		return 0, 0, bad(fmt.Sprintf("bus %q is not a number from 1 to 65535", b))
	}
	dv, err := parseDecimalField(d)
	if err != nil || dv < 1 || dv > 127 {
		return 0, 0, bad(fmt.Sprintf("device %q is not a number from 1 to 127", d))
	}
	return uint(bv), uint(dv), nil
}

// FormatUSBAddress writes lsusb's zero-padded form: 001:004.
func FormatUSBAddress(bus, device uint) string {
	return fmt.Sprintf("%03d:%03d", bus, device)
}

func parseDecimalField(s string) (uint64, error) {
	if s == "" || len(s) > 10 {
		return 0, strconv.ErrSyntax
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// ParseUSBVendorProduct reads a USB vendor:product ID pair as lsusb prints
// it, "046d:c52b", with or without 0x prefixes ("0x046d:0xc52b"). Each ID
// is 1-4 hex digits.
func ParseUSBVendorProduct(s string) (vendor, product uint16, err error) {
	bad := func(why string) error {
		return fmt.Errorf("invalid USB vendor:product %q: %s; expected two 4-digit hex IDs like 046d:c52b", s, why)
	}
	v, p, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, 0, bad("no ':' between vendor and product")
	}
	vv, err := parseHexID(v)
	if err != nil {
		return 0, 0, bad(fmt.Sprintf("vendor %q is not hex", v))
	}
	pv, err := parseHexID(p)
	if err != nil {
		return 0, 0, bad(fmt.Sprintf("product %q is not hex", p))
	}
	return vv, pv, nil
}

// FormatUSBVendorProduct writes lsusb's form: 046d:c52b.
func FormatUSBVendorProduct(vendor, product uint16) string {
	return fmt.Sprintf("%04x:%04x", vendor, product)
}

func parseHexID(s string) (uint16, error) {
	t := s
	if len(t) > 2 && (t[:2] == "0x" || t[:2] == "0X") {
		t = t[2:]
	}
	v, err := parseHexField(t, 4)
	return uint16(v), err
}
