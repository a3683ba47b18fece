package devices

import (
	"fmt"

	lx "libvirt.org/go/libvirtxml"
)

// The host side of serial ports, consoles, parallel ports and channels:
// libvirt's character device source, shared by their fields.

var chardevTypes = []string{"pty", "file", "unix", "tcp"}

func chardevType(s *lx.DomainChardevSource) string {
	switch {
	case s == nil:
		return ""
	case s.Pty != nil:
		return "pty"
	case s.File != nil:
		return "file"
	case s.UNIX != nil:
		return "unix"
	case s.TCP != nil:
		return "tcp"
	case s.SpiceVMC != nil:
		return "spicevmc"
	case s.Dev != nil:
		return "dev"
	case s.Null != nil:
		return "null"
	case s.VC != nil:
		return "vc"
	case s.Pipe != nil:
		return "pipe"
	case s.StdIO != nil:
		return "stdio"
	case s.UDP != nil:
		return "udp"
	case s.SpicePort != nil:
		return "spiceport"
	case s.QEMUVDAgent != nil:
		return "qemu-vdagent"
	case s.DBus != nil:
		return "dbus"
	case s.NMDM != nil:
		return "nmdm"
	}
	return ""
}

// chardevFields are the source fields of a device whose source sits at
// at(v): its type, a path for file and unix, host:port for tcp.
func chardevFields[T any](at func(*T) **lx.DomainChardevSource) []spec[T] {
	is := func(types ...string) func(*T) bool {
		return func(v *T) bool {
			t := chardevType(*at(v))
			for _, x := range types {
				if t == x {
					return true
				}
			}
			return false
		}
	}
	return []spec[T]{
		{
			Field: Field{Name: "source_type", Label: "Host side", Type: TypeEnum, Choices: chardevTypes,
				Help: "pty: a pseudo-terminal for virsh console and kvmtui; file: log output; unix: a socket; tcp: a listening TCP port"},
			get: func(v *T) string { return chardevType(*at(v)) },
			set: func(v *T, s string) error {
				if s == chardevType(*at(v)) {
					return nil
				}
				*at(v) = newChardev(s)
				return nil
			},
		},
		{
			Field: Field{Name: "path", Label: "Path", Type: TypePath, Optional: true,
				Help: "file: where output goes; unix: the socket (empty lets libvirt pick one)"},
			when: is("file", "unix"),
			get: func(v *T) string {
				src := *at(v)
				if src.File != nil {
					return src.File.Path
				}
				return src.UNIX.Path
			},
			set: func(v *T, s string) error {
				src := *at(v)
				if src.File != nil {
					if s == "" {
						return fmt.Errorf("a file needs a path, like /var/log/libvirt/qemu/web-serial.log")
					}
					src.File.Path = s
					return nil
				}
				src.UNIX.Path = s
				return nil
			},
		},
		{
			Field: Field{Name: "tcp", Label: "Listen on", Type: TypeText,
				Help: "host:port the VM's side listens on (telnet-less raw TCP), like 127.0.0.1:4555"},
			when: is("tcp"),
			parse: func(s string) (string, error) {
				h, p, err := splitHostPort(s)
				if err != nil || p == "" {
					return "", fmt.Errorf("invalid TCP address %q: expected host:port, like 127.0.0.1:4555", s)
				}
				return joinHostPort(h, p), nil
			},
			get: func(v *T) string {
				t := (*at(v)).TCP
				return joinHostPort(t.Host, t.Service)
			},
			set: func(v *T, s string) error {
				h, p, _ := splitHostPort(s)
				(*at(v)).TCP = &lx.DomainChardevSourceTCP{Mode: "bind", Host: h, Service: p}
				return nil
			},
		},
	}
}

func newChardev(t string) *lx.DomainChardevSource {
	switch t {
	case "file":
		return &lx.DomainChardevSource{File: &lx.DomainChardevSourceFile{Path: "/var/log/libvirt/qemu/serial.log"}}
	case "unix":
		return &lx.DomainChardevSource{UNIX: &lx.DomainChardevSourceUNIX{Mode: "bind"}}
	case "tcp":
		return &lx.DomainChardevSource{TCP: &lx.DomainChardevSourceTCP{Mode: "bind", Host: "127.0.0.1", Service: "4555"}}
	case "spicevmc":
		return &lx.DomainChardevSource{SpiceVMC: &lx.DomainChardevSourceSpiceVMC{}}
	}
	return &lx.DomainChardevSource{Pty: &lx.DomainChardevSourcePty{}}
}

func chardevString(s *lx.DomainChardevSource) string {
	switch t := chardevType(s); t {
	case "file":
		return "file " + s.File.Path
	case "unix":
		if s.UNIX.Path == "" {
			return "unix socket"
		}
		return "unix " + s.UNIX.Path
	case "tcp":
		return "tcp " + joinHostPort(s.TCP.Host, s.TCP.Service)
	case "dev":
		return "host " + s.Dev.Path
	default:
		return t
	}
}

func checkChardev(s *lx.DomainChardevSource) error {
	switch chardevType(s) {
	case "":
		return fmt.Errorf("no host side; choose pty, file, unix or tcp")
	case "file":
		if s.File.Path == "" {
			return fmt.Errorf("a file host side needs a path")
		}
	case "tcp":
		if s.TCP.Service == "" {
			return fmt.Errorf("a tcp host side needs a port")
		}
	}
	return nil
}

// freePort returns the lowest target port no device in used has.
func freePort(used []*uint) uint {
	taken := map[uint]bool{}
	for _, p := range used {
		if p != nil {
			taken[*p] = true
		}
	}
	var p uint
	for taken[p] {
		p++
	}
	return p
}
