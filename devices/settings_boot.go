package devices

import (
	"fmt"
	"slices"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Boot & firmware: boot devices and menu, BIOS or UEFI (with secure
// boot), direct kernel boot.

var (
	bootDevs  = []string{"hd", "cdrom", "network", "fd"}
	firmwares = []string{"bios", "efi", "efi-secure"}
)

func osOf(s *Settings) *lx.DomainOS {
	if s.Def.OS == nil {
		s.Def.OS = &lx.DomainOS{}
	}
	return s.Def.OS
}

// firmwareOf reads BIOS, UEFI or UEFI with secure boot, whether chosen by
// libvirt's autoselection (<os firmware='efi'>) or by a loader path.
func firmwareOf(s *Settings) string {
	o := s.Def.OS
	if o == nil {
		return "bios"
	}
	if o.Firmware == "efi" {
		if o.FirmwareInfo != nil {
			for _, f := range o.FirmwareInfo.Features {
				if f.Name == "secure-boot" && f.Enabled == "yes" {
					return "efi-secure"
				}
			}
		}
		if o.Loader != nil && o.Loader.Secure == "yes" {
			return "efi-secure"
		}
		return "efi"
	}
	if o.Loader != nil && o.Loader.Type == "pflash" {
		if o.Loader.Secure == "yes" {
			return "efi-secure"
		}
		return "efi"
	}
	return "bios"
}

// FirmwareChoices: BIOS always; UEFI when libvirt found firmware for it
// (autoselection lists efi); secure boot when a loader supports it.
func FirmwareChoices(c *Caps) []string {
	out := []string{"bios"}
	efi := c.Firmware == nil || slices.Contains(c.Firmware, "efi")
	if efi {
		out = append(out, "efi")
		if c.SecureBoot == nil || slices.Contains(c.SecureBoot, "yes") {
			out = append(out, "efi-secure")
		}
	}
	return out
}

func pathField(name, label, help string, at func(*lx.DomainOS) *string) spec[Settings] {
	return spec[Settings]{
		Field: Field{Name: name, Label: label, Type: TypePath, Optional: true, Help: help},
		get: func(s *Settings) string {
			if s.Def.OS == nil {
				return ""
			}
			return *at(s.Def.OS)
		},
		set: func(s *Settings, v string) error { *at(osOf(s)) = v; return nil },
	}
}

var sectionBoot = section("boot", "Boot & firmware", []spec[Settings]{
	{
		Field: Field{Name: "boot_devices", Label: "Boot devices", Type: TypeText, Optional: true,
			Help: "the firmware's boot order by kind, comma-separated from hd, cdrom, network, fd; empty to use each device's own boot order"},
		parse: func(v string) (string, error) {
			var out []string
			for d := range strings.SplitSeq(v, ",") {
				d = strings.ToLower(strings.TrimSpace(d))
				if !slices.Contains(bootDevs, d) {
					return "", fmt.Errorf("invalid boot devices %q: %q is not one of hd, cdrom, network, fd; expected a list like hd,cdrom", v, d)
				}
				if slices.Contains(out, d) {
					return "", fmt.Errorf("invalid boot devices %q: %s is listed twice", v, d)
				}
				out = append(out, d)
			}
			return strings.Join(out, ","), nil
		},
		get: func(s *Settings) string {
			if s.Def.OS == nil {
				return ""
			}
			var out []string
			for _, b := range s.Def.OS.BootDevices {
				out = append(out, b.Dev)
			}
			return strings.Join(out, ",")
		},
		set: func(s *Settings, v string) error {
			o := osOf(s)
			o.BootDevices = nil
			if v == "" {
				return nil
			}
			for d := range strings.SplitSeq(v, ",") {
				o.BootDevices = append(o.BootDevices, lx.DomainBootDevice{Dev: d})
			}
			return nil
		},
	},
	{
		Field: Field{Name: "boot_menu", Label: "Boot menu", Type: TypeBool, Help: "the firmware offers a boot menu at start"},
		get: func(s *Settings) string {
			return yesNo(s.Def.OS != nil && s.Def.OS.BootMenu != nil && s.Def.OS.BootMenu.Enable == "yes")
		},
		set: func(s *Settings, v string) error {
			o := osOf(s)
			o.BootMenu = nil
			if v == "yes" {
				o.BootMenu = &lx.DomainBootMenu{Enable: "yes"}
			}
			return nil
		},
	},
	{
		Field: Field{Name: "firmware", Label: "Firmware", Type: TypeEnum, Choices: firmwares,
			Help: "bios: SeaBIOS; efi: UEFI (OVMF); efi-secure: UEFI with secure boot and Microsoft keys"},
		choices: FirmwareChoices,
		get:     firmwareOf,
		set: func(s *Settings, v string) error {
			if v == firmwareOf(s) {
				return nil
			}
			o := osOf(s)
			// Let libvirt pick the firmware files for the new choice.
			o.Loader, o.NVRam, o.FirmwareInfo, o.Firmware = nil, nil, nil, ""
			switch v {
			case "efi":
				o.Firmware = "efi"
			case "efi-secure":
				o.Firmware = "efi"
				o.FirmwareInfo = &lx.DomainOSFirmwareInfo{Features: []lx.DomainOSFirmwareFeature{
					{Enabled: "yes", Name: "enrolled-keys"},
					{Enabled: "yes", Name: "secure-boot"},
				}}
				// Secure boot on q35 needs SMM, which keeps the
				// firmware's variables out of the guest's reach.
				f := features(s)
				f.SMM = &lx.DomainFeatureSMM{State: "on"}
			}
			return nil
		},
	},
	pathField("kernel", "Kernel", "direct kernel boot: the host path of a kernel image, like /var/lib/libvirt/boot/vmlinuz", func(o *lx.DomainOS) *string { return &o.Kernel }),
	pathField("initrd", "Initrd", "the initramfs for the kernel above", func(o *lx.DomainOS) *string { return &o.Initrd }),
	{
		Field: Field{Name: "cmdline", Label: "Kernel command line", Type: TypeText, Optional: true,
			Help: "arguments for the kernel above, like console=ttyS0 root=/dev/vda1"},
		get: func(s *Settings) string {
			if s.Def.OS == nil {
				return ""
			}
			return s.Def.OS.Cmdline
		},
		set: func(s *Settings, v string) error { osOf(s).Cmdline = v; return nil },
	},
	pathField("dtb", "Device tree", "a device tree blob for the kernel above (ARM)", func(o *lx.DomainOS) *string { return &o.DTB }),
}, checkBoot)

func checkBoot(s *Settings) error {
	o := s.Def.OS
	if o == nil {
		return nil
	}
	if o.Kernel == "" && (o.Initrd != "" || o.Cmdline != "" || o.DTB != "") {
		return fmt.Errorf("an initrd, command line or device tree needs a kernel; set the kernel or clear them")
	}
	if len(o.BootDevices) > 0 {
		if orders := bootOrders(s.Def); len(orders) > 0 {
			return fmt.Errorf("libvirt refuses boot devices here while devices have their own boot order; clear one or the other")
		}
	}
	if firmwareOf(s) == "efi-secure" && s.Def.Features != nil && s.Def.Features.SMM != nil && s.Def.Features.SMM.State == "off" {
		return fmt.Errorf("secure boot needs SMM; turn Features → SMM on")
	}
	return nil
}
