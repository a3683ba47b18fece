package devices

import (
	"strings"
	"testing"
)

func TestParseBandwidth(t *testing.T) {
	for in, want := range map[string]uint64{
		"1000":     1000, // plain numbers are libvirt's kB/s
		"0":        0,
		"10Mbit":   1250, // 10e6 bit/s / 8000
		"8mbit/s":  1000,
		"8 Mbit/s": 1000,
		"100kbps":  100, // tc's kbps: kilobytes per second
		"100KBps":  100,
		"1MB/s":    1000,
		"1mb/s":    1000, // b is bytes, whatever the case
		"1.5 Gbit": 187500,
		"1Gbit/s":  125000,
		"8000bit":  1,
		"12000bit": 2, // 1.5 rounds up
		"11999bit": 1,
		"1KiB/s":   1,    // 1.024 kB/s
		"1MiBps":   1049, // 1048.576
		"1mibit":   131,  // 131.072
		"2TB/s":    2000000000,
		"1000B/s":  1,
		"1000bps":  1,
	} {
		if got, err := ParseBandwidth(in); err != nil || got != want {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"":                          "no number",
		"fast":                      "no number",
		"-5":                        "must not be negative",
		"1.5":                       "a plain number is in kB/s and must be whole",
		"10 Mb":                     `unknown unit "Mb"`,
		"10M":                       `unknown unit "M"`,
		"10 furlong":                "unknown unit",
		"10 kbit/h":                 "unknown unit",
		"1bit":                      "below 1 kB/s",
		"100B/s":                    "below 1 kB/s",
		"1e3":                       `unknown unit "e3"`,
		"99999999999999999999 Tbit": "too large",
	} {
		got, err := ParseBandwidth(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "bits are spelled bit") {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want error with %q", in, got, err, want)
		}
	}
}

func TestFormatBandwidth(t *testing.T) {
	for in, want := range map[uint64]string{
		0:          "0 kB/s",
		1:          "1 kB/s",
		1250:       "1250 kB/s",
		10000:      "10 MB/s",
		125000:     "125 MB/s",
		3000000:    "3 GB/s",
		5000000000: "5 TB/s",
	} {
		if got := FormatBandwidth(in); got != want {
			t.Errorf("FormatBandwidth(%d) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseBandwidth(f *testing.F) {
	for _, s := range []string{"1000", "10Mbit", "8mbit/s", "100kbps", "1MB/s", "1.5 Gbit", "1bit"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBandwidth(s)
		if err != nil {
			return
		}
		text := FormatBandwidth(v)
		again, err := ParseBandwidth(text)
		if err != nil || again != v {
			t.Fatalf("ParseBandwidth(%q) = %d, FormatBandwidth gives %q, which parses to %d, %v", s, v, text, again, err)
		}
	})
}

func TestParseBurst(t *testing.T) {
	for in, want := range map[string]uint64{
		"1024":   1024,
		"1MiB":   1024,
		"1.5k":   2, // 1.5 KiB rounds up
		"1MB":    977,
		"0":      0,
		"1536 b": 2,
	} {
		if got, err := ParseBurst(in); err != nil || got != want {
			t.Errorf("ParseBurst(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"100b": "below 1 KiB",
		"-1":   "must not be negative",
		"x":    "invalid burst",
	} {
		if got, err := ParseBurst(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBurst(%q) = %d, %v; want error with %q", in, got, err, want)
		}
	}
}
