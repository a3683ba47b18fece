// Package console connects the user to a VM's consoles: the serial console
// in the terminal (full screen) or in a pane with terminal emulation, and the
// graphical console through virt-viewer's remote-viewer. It never imports
// libvirt: it gets byte streams and domain XML from libvirtx.
package console

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// Display is a VM's graphical console as libvirt reports it.
type Display struct {
	Type     string // "vnc" or "spice"
	Listen   string // the address QEMU listens on ("" when none)
	Socket   string // a UNIX socket instead of an address
	Port     int    // -1 or 0 when not allocated (VM not running)
	TLSPort  int    // SPICE only
	Password string // empty unless set and the XML was read with secrets
}

// Loopback reports whether the display only accepts local connections.
func (d Display) Loopback() bool {
	if d.Listen == "localhost" {
		return true
	}
	ip := net.ParseIP(d.Listen)
	return ip != nil && ip.IsLoopback()
}

// Wildcard reports whether QEMU listens on every address.
func (d Display) Wildcard() bool {
	ip := net.ParseIP(d.Listen)
	return ip != nil && ip.IsUnspecified()
}

// Serial is what the domain has for a text console.
type Serial struct {
	Consoles int    // <serial> and <console> devices
	PTY      bool   // at least one is a pty, which libvirt can stream
	Types    string // the device types seen, for messages
}

// Devices is what the console code needs from a domain's definition.
type Devices struct {
	Displays []Display
	Serial   Serial
}

// ParseDevices reads the graphics and serial devices from domain XML (the
// live XML: autoport ports are only there while the VM runs).
func ParseDevices(xml string) (Devices, error) {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(xml); err != nil {
		return Devices{}, fmt.Errorf("reading the domain XML: %w", err)
	}
	var out Devices
	if dom.Devices == nil {
		return out, nil
	}
	for _, g := range dom.Devices.Graphics {
		switch {
		case g.VNC != nil:
			d := Display{Type: "vnc", Port: g.VNC.Port, Password: g.VNC.Passwd, Socket: g.VNC.Socket}
			d.Listen, d.Socket = listenOf(g.VNC.Listen, g.VNC.Listeners, d.Socket)
			out.Displays = append(out.Displays, d)
		case g.Spice != nil:
			d := Display{Type: "spice", Port: g.Spice.Port, TLSPort: g.Spice.TLSPort, Password: g.Spice.Passwd}
			d.Listen, d.Socket = listenOf(g.Spice.Listen, g.Spice.Listeners, "")
			out.Displays = append(out.Displays, d)
		}
	}
	var types []string
	seen := map[string]bool{}
	add := func(typ string, src *libvirtxml.DomainChardevSource) {
		out.Serial.Consoles++
		if src != nil && src.Pty != nil {
			out.Serial.PTY = true
			typ = "pty"
		}
		if typ != "" && !seen[typ] {
			seen[typ] = true
			types = append(types, typ)
		}
	}
	for _, s := range dom.Devices.Serials {
		add(chardevType(s.Source), s.Source)
	}
	for _, c := range dom.Devices.Consoles {
		add(chardevType(c.Source), c.Source)
	}
	out.Serial.Types = strings.Join(types, ", ")
	return out, nil
}

// listenOf picks the address from <listen> children (libvirt's current form)
// or the legacy listen attribute.
func listenOf(attr string, ls []libvirtxml.DomainGraphicListener, socket string) (string, string) {
	for _, l := range ls {
		switch {
		case l.Address != nil && l.Address.Address != "":
			return l.Address.Address, socket
		case l.Socket != nil && l.Socket.Socket != "":
			return "", l.Socket.Socket
		}
	}
	return attr, socket
}

func chardevType(src *libvirtxml.DomainChardevSource) string {
	switch {
	case src == nil:
		return ""
	case src.Pty != nil:
		return "pty"
	case src.File != nil:
		return "file"
	case src.UNIX != nil:
		return "unix"
	case src.TCP != nil:
		return "tcp"
	case src.UDP != nil:
		return "udp"
	case src.StdIO != nil:
		return "stdio"
	case src.Null != nil:
		return "null"
	case src.SpiceVMC != nil:
		return "spicevmc"
	}
	return "other"
}

// ErrNoDisplay and friends are the one-line explanations the UI shows.
var (
	ErrNoDisplay = errors.New("has no VNC or SPICE display: add one (virsh edit: <graphics type='vnc' listen='127.0.0.1'/>), or use the serial console (c)")
)

// CheckSerial explains, in one line, why a domain's serial console cannot be
// opened, or returns nil.
func (s Serial) Check(name string) error {
	if s.Consoles == 0 {
		return fmt.Errorf("%s has no serial console: add one (virsh edit: <serial type='pty'/>), or use the graphical console (v)", name)
	}
	if !s.PTY {
		return fmt.Errorf("%s's serial console is of type %s, which libvirt cannot stream: make it <serial type='pty'/>, or read it where it goes", name, s.Types)
	}
	return nil
}

// Usable picks the first display a viewer can reach and says why when none
// can: a stopped VM has no port, a socket or "none" listen has no address.
func (dv Devices) Usable(name string) (Display, error) {
	if len(dv.Displays) == 0 {
		return Display{}, fmt.Errorf("%s %w", name, ErrNoDisplay)
	}
	var why error
	for _, d := range dv.Displays {
		switch {
		case d.Socket != "":
			why = fmt.Errorf("%s's %s display listens on the UNIX socket %s, which a .vv file cannot name: run virt-viewer --connect URI %s on the host", name, strings.ToUpper(d.Type), d.Socket, name)
		case d.Listen == "" && d.Port <= 0:
			why = fmt.Errorf("%s's %s display has no listen address: give it one (virsh edit: listen='127.0.0.1'), or run virt-viewer --attach %s on the host", name, strings.ToUpper(d.Type), name)
		case d.Port <= 0 && d.TLSPort <= 0:
			why = fmt.Errorf("%s's %s display has no port yet: is the VM running? start it (s), then v", name, strings.ToUpper(d.Type))
		default:
			return d, nil
		}
	}
	return Display{}, why
}
