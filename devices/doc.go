// Package devices is kvmtui's device catalog over libvirtxml: the value
// parsers and validators behind every form field, and the fidelity guard
// that decides whether a libvirt definition can be edited through
// libvirtxml without losing anything the user wrote.
//
// It never imports libvirt.org/go/libvirt: it works on XML text and plain
// Go values, so it can be tested without a libvirt daemon.
package devices
