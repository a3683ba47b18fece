package devices

import (
	"fmt"
	"math"
	"math/big"
	"strings"
)

// ParseSize reads a size such as "2G", "512MiB", "1.5 GiB" or "1024" and
// returns bytes. A number without a unit is in defaultUnit (for example
// "MiB" for a memory field, "b" for a byte count). Units follow libvirt's
// virScaleInteger, case-insensitively:
//
//	b, byte, bytes             1
//	k, KiB  m, MiB  g, GiB ...  powers of 1024 (k m g t p e)
//	KB, MB, GB, TB, PB, EB     powers of 1000
//
// Fractions are allowed ("1.5G") and rounded to the nearest byte.
// Negative values, exponents, overflow past 2^64-1 and anything else are
// refused.
func ParseSize(s, defaultUnit string) (uint64, error) {
	num, unit, err := splitNumberUnit(s)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: %v; expected a number with an optional unit, like 512MiB, 2G or 1.5 GiB", s, err)
	}
	if unit == "" {
		unit = defaultUnit
	}
	scale, ok := sizeUnitScale(unit)
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q; use b, k/KiB, M/MiB, G/GiB, T/TiB, P/PiB, E/EiB (powers of 1024) or KB, MB, GB, TB, PB, EB (powers of 1000)", s, unit)
	}
	v, ok := scaleRound(num, new(big.Int).SetUint64(scale), big.NewInt(1))
	if !ok {
		return 0, fmt.Errorf("invalid size %q: larger than the maximum of %d bytes (16 EiB)", s, uint64(math.MaxUint64))
	}
	return v, nil
}

// sizeUnitScale implements virScaleInteger's suffix rules.
func sizeUnitScale(unit string) (uint64, bool) {
	u := strings.ToLower(unit)
	switch u {
	case "b", "byte", "bytes":
		return 1, true
	}
	var base uint64
	switch {
	case len(u) == 1 || u[1:] == "ib":
		base = 1024
	case u[1:] == "b":
		base = 1000
	default:
		return 0, false
	}
	power := strings.IndexByte("kmgtpe", u[0]) + 1
	if power == 0 {
		return 0, false
	}
	scale := uint64(1)
	for range power {
		scale *= base
	}
	return scale, true
}

// FormatSize writes bytes with the largest binary unit that shows the value
// exactly with at most two decimals, so ParseSize reads it back unchanged:
// "1.5 GiB", "512 MiB", "1.25 KiB", "1023 B".
func FormatSize(bytes uint64) string {
	units := []string{"EiB", "PiB", "TiB", "GiB", "MiB", "KiB"}
	for i, name := range units {
		unit := uint64(1) << (10 * (len(units) - i))
		// Two decimals are exact when bytes is a multiple of unit/4
		// (unit is a power of two, so .25 steps are all there is).
		if bytes < unit || bytes%(unit/4) != 0 {
			continue
		}
		whole, quarters := bytes/unit, (bytes%unit)/(unit/4)
		if quarters == 0 {
			return fmt.Sprintf("%d %s", whole, name)
		}
		frac := strings.TrimRight(fmt.Sprintf("%02d", quarters*25), "0")
		return fmt.Sprintf("%d.%s %s", whole, frac, name)
	}
	return fmt.Sprintf("%d B", bytes)
}

// ApproxSize is a size for reading, to two decimals (6.96 GiB), never for
// parsing back: what the host has, what a pool has free.
func ApproxSize(b uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, i := float64(b), 0
	for v >= 1024 && i < len(units)-1 {
		v, i = v/1024, i+1
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".") + " " + units[i]
}
