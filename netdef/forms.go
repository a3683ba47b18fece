package netdef

import (
	"fmt"
	"net/netip"
	"strings"

	"kvmtui/devices"
)

// HostForm is a DHCP static host as its form fills it; Host reads it.
type HostForm struct{ MAC, Name, IP string }

// Fields are the form's rows.
func (f *HostForm) Fields() []devices.Field {
	return []devices.Field{
		{Name: "mac", Label: "MAC", Type: devices.TypeMAC, Optional: true, Help: "the guest NIC's MAC (IPv4 hosts), like 52:54:00:12:34:56"},
		{Name: "name", Label: "Host name", Type: devices.TypeText, Optional: true, Help: "the name the guest gets (IPv6 hosts are matched by it)"},
		{Name: "ip", Label: "IP address", Type: devices.TypeText, Help: "the address it always gets, inside the network's subnet"},
	}
}

// Get is a field's value.
func (f *HostForm) Get(name string) string {
	return map[string]string{"mac": f.MAC, "name": f.Name, "ip": f.IP}[name]
}

// Set validates one field alone; Host checks them together.
func (f *HostForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "mac":
		if v != "" {
			mac, err := devices.ParseMAC(v)
			if err != nil {
				return err
			}
			v = mac
		}
		f.MAC = v
	case "name":
		if v != "" && !hostnameRE.MatchString(v) {
			return fmt.Errorf("invalid host name %q: letters, digits and '-', dots between labels", v)
		}
		f.Name = v
	case "ip":
		if err := checkAddr(v); err != nil {
			return err
		}
		f.IP = v
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// Host is the static host the form holds.
func (f *HostForm) Host() (StaticHost, error) { return ParseStaticHost(f.MAC, f.Name, f.IP) }

func checkAddr(v string) error {
	if _, err := netip.ParseAddr(v); err != nil {
		return fmt.Errorf("invalid IP address %q (like 192.168.100.10 or fd00::10)", v)
	}
	return nil
}

// RangeForm is a DHCP range as its form fills it.
type RangeForm struct{ Start, End string }

// Fields are the form's rows.
func (f *RangeForm) Fields() []devices.Field {
	return []devices.Field{
		{Name: "start", Label: "First address", Type: devices.TypeText, Help: "inside the network's subnet, like 192.168.100.128"},
		{Name: "end", Label: "Last address", Type: devices.TypeText, Help: "like 192.168.100.254"},
	}
}

// Get is a field's value.
func (f *RangeForm) Get(name string) string {
	return map[string]string{"start": f.Start, "end": f.End}[name]
}

// Set validates one address.
func (f *RangeForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	if err := checkAddr(v); err != nil {
		return err
	}
	switch name {
	case "start":
		f.Start = v
	case "end":
		f.End = v
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// Range is the range the form holds.
func (f *RangeForm) Range() (Range, error) { return ParseRange(f.Start + "-" + f.End) }

// DNSForm is a DNS host record as its form fills it.
type DNSForm struct{ IP, Names string }

// Fields are the form's rows.
func (f *DNSForm) Fields() []devices.Field {
	return []devices.Field{
		{Name: "ip", Label: "IP address", Type: devices.TypeText, Help: "the address the names resolve to"},
		{Name: "names", Label: "Host names", Type: devices.TypeText, Help: "one or more, separated by spaces"},
	}
}

// Get is a field's value.
func (f *DNSForm) Get(name string) string {
	return map[string]string{"ip": f.IP, "names": f.Names}[name]
}

// Set validates one field.
func (f *DNSForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "ip":
		if err := checkAddr(v); err != nil {
			return err
		}
		f.IP = v
	case "names":
		if _, err := ParseDNSHost("127.0.0.1", v); err != nil {
			return err
		}
		f.Names = v
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// DNS is the record the form holds.
func (f *DNSForm) DNS() (DNSHost, error) { return ParseDNSHost(f.IP, f.Names) }
