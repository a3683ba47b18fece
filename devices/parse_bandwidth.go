package devices

import (
	"fmt"
	"math/big"
	"strings"
)

// Bandwidth units. libvirt's <bandwidth> average, peak and floor are
// "kilobytes per second": libvirt passes them to tc as "<n>kbps", and tc
// (iproute2) reads kbps as 1000 bytes/s, i.e. 8000 bit/s. burst is in
// kibibytes: tc reads libvirt's "<n>kb" as 1024 bytes.

// bitsPerUnit gives, for every accepted rate suffix, how many bits per
// second one of it is. The names are tc's, matched case-insensitively as
// tc does, so "b" is never a bit: bits must be spelled "bit". Each name
// may also be written with "/s" instead of "ps" for byte rates
// ("MB/s" = "MBps") or with "/s" appended for bit rates ("Mbit/s").
var bitsPerUnit = map[string]int64{
	"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "tbit": 1e12,
	"kibit": 1 << 10, "mibit": 1 << 20, "gibit": 1 << 30, "tibit": 1 << 40,
	"bps": 8, "kbps": 8e3, "mbps": 8e6, "gbps": 8e9, "tbps": 8e12,
	"kibps": 8 << 10, "mibps": 8 << 20, "gibps": 8 << 30, "tibps": 8 << 40,
}

// bitsPerLibvirtUnit is one libvirt rate unit (1 kB/s) in bit/s.
const bitsPerLibvirtUnit = 8000

// ParseBandwidth reads a rate for libvirt's <bandwidth> average, peak or
// floor and returns it in libvirt's unit, kilobytes per second (1000
// bytes/s). A plain number is already in that unit and must be whole.
// With a suffix the number may have a fraction: "10Mbit", "8mbit/s",
// "100kbps" (tc's kbps: kilobytes/s), "1MB/s", "1.5 Gbit". The result is
// rounded to the nearest unit; a non-zero rate below 1 kB/s is refused.
func ParseBandwidth(s string) (uint64, error) {
	num, unit, err := splitNumberUnit(s)
	if err != nil {
		return 0, bandwidthError(s, err.Error())
	}
	if unit == "" {
		if !num.IsInt() {
			return 0, bandwidthError(s, "a plain number is in kB/s and must be whole")
		}
		unit = "kbps"
	}
	bits, ok := bitsPerUnit[rateUnitKey(unit)]
	if !ok {
		return 0, bandwidthError(s, fmt.Sprintf("unknown unit %q", unit))
	}
	v, ok := scaleRound(num, big.NewInt(bits), big.NewInt(bitsPerLibvirtUnit))
	if !ok {
		return 0, bandwidthError(s, "too large")
	}
	if v == 0 && num.Sign() != 0 {
		return 0, bandwidthError(s, "below 1 kB/s (8 kbit/s), libvirt's smallest step")
	}
	return v, nil
}

// rateUnitKey folds the accepted spellings of a unit onto bitsPerUnit's
// keys: lower case, "B/s" -> "bps", "bit/s" -> "bit".
func rateUnitKey(unit string) string {
	u := strings.ToLower(unit)
	if strings.HasSuffix(u, "bit/s") {
		return strings.TrimSuffix(u, "/s")
	}
	if strings.HasSuffix(u, "b/s") {
		return strings.TrimSuffix(u, "/s") + "ps"
	}
	return u
}

func bandwidthError(s, why string) error {
	return fmt.Errorf("invalid bandwidth %q: %s; expected kB/s as a plain number, or a rate like 10Mbit, 8mbit/s, 100kbps or 1MB/s (b is bytes, bits are spelled bit)", s, why)
}

// FormatBandwidth writes a rate in libvirt's unit with the largest decimal
// byte unit that shows it exactly: "1250 kB/s", "10 MB/s".
func FormatBandwidth(kBps uint64) string {
	switch {
	case kBps != 0 && kBps%1e9 == 0:
		return fmt.Sprintf("%d TB/s", kBps/1e9)
	case kBps != 0 && kBps%1e6 == 0:
		return fmt.Sprintf("%d GB/s", kBps/1e6)
	case kBps != 0 && kBps%1e3 == 0:
		return fmt.Sprintf("%d MB/s", kBps/1e3)
	}
	return fmt.Sprintf("%d kB/s", kBps)
}

// ParseBurst reads libvirt's <bandwidth> burst, in kibibytes. A plain
// number is KiB; any size unit ParseSize knows is accepted ("1MiB" = 1024).
// The result is rounded to the nearest KiB; a non-zero burst below 1 KiB
// is refused.
func ParseBurst(s string) (uint64, error) {
	b, err := ParseSize(s, "KiB")
	if err != nil {
		return 0, fmt.Errorf("invalid burst: %w", err)
	}
	kib := b/1024 + (b%1024)/512 // nearest KiB, halves up
	if kib == 0 && b != 0 {
		return 0, fmt.Errorf("invalid burst %q: below 1 KiB, libvirt's smallest step", s)
	}
	return kib, nil
}
