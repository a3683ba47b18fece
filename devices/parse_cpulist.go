package devices

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxCPUs is libvirt's cap on CPU numbers in a cpuset
// (VIR_DOMAIN_CPUMASK_LEN).
const MaxCPUs = 16384

// ParseCPUList reads a libvirt cpuset such as "0-3,^2,8" and returns the
// selected CPU numbers, sorted and unique. Terms are a number, a range
// "a-b" (a <= b), or an exclusion "^n"; as in libvirt's virBitmapParse,
// terms apply left to right, so "^2,0-3" still selects 2. Spaces around
// terms are allowed. cpus is the number of CPUs that exist (1..MaxCPUs):
// every number must be below it. An empty selection is refused.
func ParseCPUList(s string, cpus int) ([]int, error) {
	if cpus < 1 || cpus > MaxCPUs {
		return nil, fmt.Errorf("invalid CPU count %d: expected 1 to %d", cpus, MaxCPUs)
	}
	bad := func(why string) error {
		return fmt.Errorf("invalid CPU list %q: %s; expected CPU numbers and ranges like 0-3,^2,8", s, why)
	}
	if strings.TrimSpace(s) == "" {
		return nil, bad("it is empty")
	}
	set := make([]bool, cpus)
	num := func(t string) (int, error) {
		v, err := parseDecimalField(t)
		if err != nil {
			return 0, bad(fmt.Sprintf("%q is not a CPU number", t))
		}
		if v >= uint64(cpus) {
			return 0, bad(fmt.Sprintf("CPU %d does not exist (CPUs are 0-%d)", v, cpus-1))
		}
		return int(v), nil
	}
	for term := range strings.SplitSeq(s, ",") {
		t := strings.TrimSpace(term)
		switch {
		case t == "":
			return nil, bad("empty term")
		case t[0] == '^':
			n, err := num(strings.TrimSpace(t[1:]))
			if err != nil {
				return nil, err
			}
			set[n] = false
		case strings.Contains(t, "-"):
			lo, hi, _ := strings.Cut(t, "-")
			a, err := num(strings.TrimSpace(lo))
			if err != nil {
				return nil, err
			}
			b, err := num(strings.TrimSpace(hi))
			if err != nil {
				return nil, err
			}
			if a > b {
				return nil, bad(fmt.Sprintf("range %q runs backwards", t))
			}
			for i := a; i <= b; i++ {
				set[i] = true
			}
		default:
			n, err := num(t)
			if err != nil {
				return nil, err
			}
			set[n] = true
		}
	}
	var out []int
	for i, on := range set {
		if on {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, bad("it selects no CPU")
	}
	return out, nil
}

// FormatCPUList writes CPU numbers in libvirt's compact form, "0-1,3,8".
// Input order and duplicates do not matter.
func FormatCPUList(cpus []int) string {
	c := slices.Clone(cpus)
	slices.Sort(c)
	c = slices.Compact(c)
	var b strings.Builder
	for i := 0; i < len(c); {
		j := i
		for j+1 < len(c) && c[j+1] == c[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(c[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(c[j]))
		}
		i = j + 1
	}
	return b.String()
}
