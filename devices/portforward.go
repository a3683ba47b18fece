package devices

import (
	"fmt"

	lx "libvirt.org/go/libvirtxml"
)

// Forward is one host port range a passt NIC forwards into its guest.
type Forward struct {
	Proto, Address, Dev string // Address, Dev empty: every host address
	Start, End, To      uint   // End 0: one port; To 0: the same port in the guest
	Exclude             bool   // left out of a wider range: nothing listens
}

// Last is the range's last host port.
func (f Forward) Last() uint { return max(f.End, f.Start) }

// String is the forward as a person reads it: "tcp *:2222 → 22".
func (f Forward) String() string {
	host := "*"
	if f.Address != "" {
		host = f.Address
	}
	if f.Dev != "" {
		host += "%" + f.Dev
	}
	ports := fmt.Sprint(f.Start)
	if f.End != 0 {
		ports += fmt.Sprint("-", f.End)
	}
	s := f.Proto + " " + host + ":" + ports
	switch {
	case f.Exclude:
		return s + " (excluded)"
	case f.To != 0:
		return s + fmt.Sprint(" → ", f.To)
	}
	return s + " → same"
}

// Clashes tells whether two forwards would listen on the same host port:
// the same protocol, overlapping ports, and addresses (and devices) that
// are equal or unset.
func (f Forward) Clashes(g Forward) bool {
	meet := func(a, b string) bool { return a == "" || b == "" || a == b }
	return !f.Exclude && !g.Exclude && f.Proto == g.Proto && meet(f.Address, g.Address) && meet(f.Dev, g.Dev) &&
		f.Start <= g.Last() && g.Start <= f.Last()
}

// Forwards are a NIC's port forwards (passt NICs have them).
func Forwards(n *lx.DomainInterface) []Forward {
	var out []Forward
	for _, pf := range n.PortForward {
		for _, r := range pf.Ranges {
			out = append(out, Forward{Proto: pf.Proto, Address: pf.Address, Dev: pf.Dev, Start: r.Start, End: r.End, To: r.To, Exclude: r.Exclude == "yes"})
		}
	}
	return out
}

// ParseForwards reads the NIC form's port forward field.
func ParseForwards(s string) ([]Forward, error) {
	if s == "" {
		return nil, nil
	}
	norm, err := parsePortForwards(s)
	if err != nil {
		return nil, err
	}
	return Forwards(&lx.DomainInterface{PortForward: portForwards(norm)}), nil
}

// FirstClash is the first pair of forwards in the list that clash.
func FirstClash(fs []Forward) (a, b Forward, ok bool) {
	for i := range fs {
		for j := i + 1; j < len(fs); j++ {
			if fs[i].Clashes(fs[j]) {
				return fs[i], fs[j], true
			}
		}
	}
	return Forward{}, Forward{}, false
}

// parseOwnForwards is the port forward field's check: well formed, and no
// host port twice.
func parseOwnForwards(s string) (string, error) {
	norm, err := parsePortForwards(s)
	if err != nil {
		return "", err
	}
	fs, _ := ParseForwards(norm)
	if a, b, clash := FirstClash(fs); clash {
		return "", fmt.Errorf("%s and %s listen on the same host port", a, b)
	}
	return norm, nil
}
