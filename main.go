// Command kvmtui is a keyboard-driven terminal UI for KVM/QEMU virtual
// machines through libvirt. With a command word it runs one action and
// exits; the commands live in package cmd.
package main

import (
	_ "embed"
	"os"

	"kvmtui/askpass"
	"kvmtui/cmd"
)

// demoHostXML is the bundled demo host: libvirt's test driver loads it when
// no real host is reachable (or with --demo).
//
//go:embed testdata/demo/host.xml
var demoHostXML []byte

func main() {
	switch askpass.Role() { // run by libvirt or ssh for ssh's prompts
	case askpass.SSHName:
		os.Exit(askpass.SSH(os.Args[1:]))
	case askpass.ClientName:
		os.Exit(askpass.Client(os.Args[1:], os.Stdout))
	}
	os.Exit(cmd.Main(os.Args[1:], demoHostXML, os.Stdout, os.Stderr))
}
