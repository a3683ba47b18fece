package devices

import (
	"math"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	const (
		KiB = 1 << 10
		MiB = 1 << 20
		GiB = 1 << 30
	)
	tests := []struct {
		in, def string
		want    uint64
	}{
		{"2G", "b", 2 * GiB},
		{"2g", "b", 2 * GiB},
		{"512MiB", "b", 512 * MiB},
		{"512mib", "b", 512 * MiB},
		{"1.5 GiB", "b", 3 * GiB / 2},
		{"1024", "MiB", 1024 * MiB},
		{"1024", "b", 1024},
		{"  7 k ", "b", 7 * KiB},
		{"1KiB", "MiB", KiB},
		{"1KB", "b", 1000},
		{"1kb", "b", 1000},
		{"3MB", "b", 3000000},
		{"1GB", "b", 1000000000},
		{"2TiB", "b", 2 << 40},
		{"1P", "b", 1 << 50},
		{"1EB", "b", 1000000000000000000},
		{"15E", "b", 15 << 60},
		{"5bytes", "MiB", 5},
		{"5 byte", "MiB", 5},
		{"0", "GiB", 0},
		{"0.5k", "b", 512},
		{"0.0001k", "b", 0},         // 0.1024 bytes rounds to 0
		{"0.0005k", "b", 1},         // 0.512 bytes rounds to 1
		{"1.0000000001G", "b", GiB}, // 0.107 bytes over, rounded away
		{"18446744073709551615", "b", math.MaxUint64},
	}
	for _, tc := range tests {
		if got, err := ParseSize(tc.in, tc.def); err != nil || got != tc.want {
			t.Errorf("ParseSize(%q, %q) = %d, %v; want %d", tc.in, tc.def, got, err, tc.want)
		}
	}
	bad := []struct{ in, def, want string }{
		{"", "b", "no number"},
		{"G", "b", "no number"},
		{"-1G", "b", "must not be negative"},
		{"abc", "b", "expected a number with an optional unit"},
		{"1.2.3G", "b", "malformed number"},
		{"1.G", "b", "malformed number"},
		{".5G", "b", "malformed number"},
		{"1e9", "b", `unknown unit "e9"`},
		{"1 2", "b", `unknown unit "2"`},
		{"5 XB", "b", `unknown unit "XB"`},
		{"5 KIBS", "b", "unknown unit"},
		{"5Kb/s", "b", "unknown unit"},
		{"16E", "b", "larger than the maximum"},
		{"18446744073709551616", "b", "larger than the maximum"},
		{"1" + strings.Repeat("0", 70), "b", "too long"},
		{"5", "lightyears", `unknown unit "lightyears"`},
	}
	for _, tc := range bad {
		if got, err := ParseSize(tc.in, tc.def); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSize(%q, %q) = %d, %v; want error with %q", tc.in, tc.def, got, err, tc.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for in, want := range map[uint64]string{
		0:                  "0 B",
		1023:               "1023 B",
		1024:               "1 KiB",
		1536:               "1.5 KiB",
		1280:               "1.25 KiB",
		1792:               "1.75 KiB",
		1025:               "1025 B",
		512 << 20:          "512 MiB",
		3 << 29:            "1.5 GiB",
		(1 << 30) + 1<<20:  "1025 MiB",
		math.MaxUint64:     "18446744073709551615 B",
		15 << 60:           "15 EiB",
		(15 << 60) + 1<<59: "15.5 EiB",
	} {
		if got := FormatSize(in); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"2G", "512MiB", "1.5 GiB", "1024", "1KB", "16E", "-1", "0.0005k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSize(s, "MiB")
		if err != nil {
			return
		}
		text := FormatSize(v)
		again, err := ParseSize(text, "MiB")
		if err != nil || again != v {
			t.Fatalf("ParseSize(%q) = %d, FormatSize gives %q, which parses to %d, %v", s, v, text, again, err)
		}
	})
}
