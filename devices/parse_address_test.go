package devices

import (
	"strings"
	"testing"
)

func TestParsePCIAddress(t *testing.T) {
	good := map[string][4]uint{
		"0000:00:1f.2": {0, 0, 0x1f, 2},
		"00:1f.2":      {0, 0, 0x1f, 2},
		"ffff:ff:1f.7": {0xffff, 0xff, 0x1f, 7},
		"0001:3B:00.0": {1, 0x3b, 0, 0},
		" 0:1:2.3 ":    {0, 1, 2, 3},
		"0000:0a:1e.0": {0, 0xa, 0x1e, 0},
	}
	for in, want := range good {
		d, b, s, f, err := ParsePCIAddress(in)
		if err != nil || [4]uint{d, b, s, f} != want {
			t.Errorf("ParsePCIAddress(%q) = %x %x %x %x, %v; want %x", in, d, b, s, f, err, want)
		}
	}
	bad := map[string]string{
		"":              "no '.' before the function",
		"00:1f":         "no '.' before the function",
		"1f.2":          "wrong number of ':' separators",
		"0:0:0:1f.2":    "wrong number of ':' separators",
		"0000:00:20.0":  "slot 0x20 is out of range 0-0x1f",
		"0000:00:1f.8":  "function 0x8 is out of range 0-0x7",
		"10000:00:1f.2": `domain "10000" is not a hex number of at most 4 digits`,
		"0000:100:1f.2": `bus "100" is not a hex number`,
		"0000:0g:1f.2":  `bus "0g" is not a hex number`,
		"0000:00:1f.":   `function "" is not a hex number`,
		"0000::1f.2":    `bus "" is not a hex number`,
		"0000:+0:1f.2":  `bus "+0" is not a hex number`,
		"0000:00:1f.2.": `function "2." is not a hex number`,
	}
	for in, want := range bad {
		_, _, _, _, err := ParsePCIAddress(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "like 0000:00:1f.2") {
			t.Errorf("ParsePCIAddress(%q) err = %v; want one with %q", in, err, want)
		}
	}
}

func FuzzParsePCIAddress(f *testing.F) {
	for _, s := range []string{"0000:00:1f.2", "00:1f.2", "ffff:ff:1f.7", "0:0:20.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, b, sl, fn, err := ParsePCIAddress(s)
		if err != nil {
			return
		}
		text := FormatPCIAddress(d, b, sl, fn)
		d2, b2, s2, f2, err := ParsePCIAddress(text)
		if err != nil || [4]uint{d, b, sl, fn} != [4]uint{d2, b2, s2, f2} {
			t.Fatalf("%q -> %q -> %x %x %x %x, %v", s, text, d2, b2, s2, f2, err)
		}
	})
}

func TestParseUSBAddress(t *testing.T) {
	good := map[string][2]uint{
		"001:004":   {1, 4},
		"1:4":       {1, 4},
		"010:127":   {10, 127}, // decimal, not octal
		" 3:12 ":    {3, 12},
		"65535:001": {65535, 1},
	}
	for in, want := range good {
		b, d, err := ParseUSBAddress(in)
		if err != nil || [2]uint{b, d} != want {
			t.Errorf("ParseUSBAddress(%q) = %d %d, %v; want %d", in, b, d, err, want)
		}
	}
	bad := map[string]string{
		"":        "no ':' between bus and device",
		"1.4":     "no ':'",
		"0:4":     `bus "0" is not a number from 1 to 65535`,
		"65536:4": `bus "65536"`,
		"1:0":     `device "0" is not a number from 1 to 127`,
		"1:128":   `device "128"`,
		"0x1:4":   `bus "0x1"`,
		"1:4:5":   `device "4:5"`,
		"-1:4":    `bus "-1"`,
		"1: 4":    `device " 4"`,
	}
	for in, want := range bad {
		_, _, err := ParseUSBAddress(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "like 001:004") {
			t.Errorf("ParseUSBAddress(%q) err = %v; want one with %q", in, err, want)
		}
	}
}

func FuzzParseUSBAddress(f *testing.F) {
	for _, s := range []string{"001:004", "1:4", "0:0", "65535:127"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, d, err := ParseUSBAddress(s)
		if err != nil {
			return
		}
		text := FormatUSBAddress(b, d)
		b2, d2, err := ParseUSBAddress(text)
		if err != nil || b2 != b || d2 != d {
			t.Fatalf("%q -> %q -> %d %d, %v", s, text, b2, d2, err)
		}
	})
}

func TestParseUSBVendorProduct(t *testing.T) {
	good := map[string][2]uint16{
		"046d:c52b":     {0x046d, 0xc52b},
		"0x046d:0xc52b": {0x046d, 0xc52b},
		"0X046D:C52B":   {0x046d, 0xc52b},
		"1:2":           {1, 2},
		" ffff:0000 ":   {0xffff, 0},
	}
	for in, want := range good {
		v, p, err := ParseUSBVendorProduct(in)
		if err != nil || [2]uint16{v, p} != want {
			t.Errorf("ParseUSBVendorProduct(%q) = %04x %04x, %v; want %04x", in, v, p, err, want)
		}
	}
	bad := map[string]string{
		"":           "no ':' between vendor and product",
		"046dc52b":   "no ':'",
		"1046d:c52b": `vendor "1046d" is not hex`,
		"046d:":      `product "" is not hex`,
		"0x:c52b":    `vendor "0x" is not hex`,
		"046g:c52b":  `vendor "046g"`,
		"046d:c52b:": `product "c52b:"`,
	}
	for in, want := range bad {
		_, _, err := ParseUSBVendorProduct(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "like 046d:c52b") {
			t.Errorf("ParseUSBVendorProduct(%q) err = %v; want one with %q", in, err, want)
		}
	}
}

func FuzzParseUSBVendorProduct(f *testing.F) {
	for _, s := range []string{"046d:c52b", "0x046d:0xc52b", "x:y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, p, err := ParseUSBVendorProduct(s)
		if err != nil {
			return
		}
		text := FormatUSBVendorProduct(v, p)
		v2, p2, err := ParseUSBVendorProduct(text)
		if err != nil || v2 != v || p2 != p {
			t.Fatalf("%q -> %q -> %04x %04x, %v", s, text, v2, p2, err)
		}
	})
}
