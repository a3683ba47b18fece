package ova

import (
	"fmt"
	"regexp"
	"strings"

	"kvmtui/install"
)

// NewVM makes n an import of the appliance: its name, memory, vCPUs and
// firmware where the user left them empty, its disks on the buses and its
// network card the appliance's guest has drivers for (SCSI and NVMe disks
// go on SATA, which such guests boot from), and notes on what is not
// carried over (Unmapped among them).
func (a *Appliance) NewVM(n *install.NewVM) {
	if n.Name == "" {
		n.Name = VMName(a.Name)
	}
	if n.MemoryMiB == 0 {
		n.MemoryMiB = a.MemoryMiB
	}
	if n.VCPUs == 0 {
		n.VCPUs = a.VCPUs
	}
	if n.Firmware == "" {
		n.Firmware = a.Firmware
	}
	n.Method = install.MethodOVA
	if n.Storage != install.StorageNew {
		n.Storage = install.StorageNew // the disks become volumes of n.Pool
	}
	var notes []string
	for _, u := range a.Unmapped {
		notes = append(notes, "the appliance's "+u)
	}
	n.ApplianceDisks = nil
	for _, d := range a.Disks {
		b := bus(d.Bus)
		if b != d.Bus {
			notes = append(notes, fmt.Sprintf("%s is on %s: attached on %s", d.File, strings.ToUpper(d.Bus), strings.ToUpper(b)))
		}
		n.ApplianceDisks = append(n.ApplianceDisks, install.ApplianceDisk{Bus: b, Capacity: d.Capacity})
	}
	switch {
	case len(a.NICs) == 0 && n.Net == "":
		n.Net = install.NetNone
	case len(a.NICs) > 0:
		n.NICModel = a.NICs[0].Model // on the network chosen here (the plan says which)
		for _, nic := range a.NICs[1:] {
			notes = append(notes, fmt.Sprintf("a further %s card on %q — not added (add it in the details)", nic.Model, nic.Network))
		}
	}
	n.ApplianceNotes = notes
}

func bus(b string) string {
	switch b {
	case "ide", "sata", "virtio":
		return b
	}
	return "sata"
}

var notInName = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

// VMName makes a libvirt VM name of an appliance's name.
func VMName(s string) string {
	s = strings.Trim(notInName.ReplaceAllString(s, "-"), "-.")
	if s == "" {
		return "appliance"
	}
	return s
}
