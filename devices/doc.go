// Package devices is kvmtui's device catalog over libvirtxml: every kind of
// device a VM can have with its form fields, validation and defaults, the
// domain-level settings forms, the value parsers behind them, and the
// fidelity guard that decides whether a definition can be edited through
// libvirtxml without losing anything the user wrote.
//
// It never imports libvirt.org/go/libvirt: it works on XML text and
// libvirtxml values, so it is tested without a daemon. libvirtx makes the
// libvirt calls with what this package produces.
//
// # Capabilities
//
//	func ParseCaps(domcapsXML string) (*Caps, error)
//	func (c *Caps) Offers(device string) (supported, known bool)
//
// Caps holds what virConnectGetDomainCapabilities reports for one
// emulator, machine and virt type: machine, arch, max vCPUs, firmware
// (autoselection values, loader types, secure boot), CPU modes and usable
// models, memory backing sources, and per device the offered models,
// buses, backends and types. A nil *Caps means "unknown": forms offer
// libvirt's whole set. In its []string fields, nil means "not reported"
// and an empty non-nil slice "reported: none".
//
// # Catalog
//
//	func Kinds() []*Kind                 // hardware-tree order
//	func KindByID(id string) *Kind
//	type Kind struct{ ID, Title, Element string; Hotplug, Addable bool }
//	func (k *Kind) Fields(caps *Caps) []Field
//	func (k *Kind) Unavailable(caps *Caps, def *libvirtxml.Domain) string
//	func (k *Kind) New(caps *Caps, def *libvirtxml.Domain) (*Device, error)
//
// Addable kinds: disk, cdrom, floppy, nic, graphics, video, sound, input,
// tpm, rng, watchdog, panic, channel, serial, console, parallel,
// filesystem, usb-host, pci-host, mdev, usb-redir, smartcard,
// usb-controller, scsi-controller, virtio-serial-controller,
// pcie-root-port, vsock, memballoon, iommu. List-only kinds (shown, XML
// for detach, no form): controller (every other controller), hostdev
// (SCSI and capability host devices), lease, audio, redirfilter, hub,
// shmem, memory, crypto, pstore, nvram. Together they cover every child
// of <devices> but <emulator>.
//
// Hotplug is what libvirt's QEMU driver can attach and detach live;
// Device.Hotplug refines it per device (a SATA disk or an isa-serial port
// cannot be hot-plugged). Unavailable says why the host or VM cannot take
// a new device ("this QEMU offers no TPM", "machine i440fx has no PCIe
// root ports", "the VM already has a TPM"), "" when it can.
//
// New gives virt-install-like defaults: virtio where the machine takes
// it, a free target name (vdb), a MAC no NIC of def has, a tablet on USB,
// a TPM 2.0 CRB emulator, /dev/urandom for the RNG, the guest agent
// channel, the next free controller index and serial port. usb-host,
// pci-host and mdev leave the host device to the user: their Check fails
// with "choose the host ... device" until the form sets it.
//
// # Devices and forms
//
//	type Device struct{ Kind *Kind; ... }
//	func (d *Device) Fields() []Field     // the fields that apply now
//	func (d *Device) Get(field string) string
//	func (d *Device) Set(field, value string) error
//	func (d *Device) Check() error        // cross-field checks
//	func (d *Device) XML() (string, error) // Check, then the element alone
//	func (d *Device) Summary() string
//	func (d *Device) Hotplug() string     // "" or why not
//	func (d *Device) AddTo(def *libvirtxml.Domain) error
//	func (d *Device) Clone() (*Device, error)
//	func (d *Device) Value() any          // *libvirtxml.DomainDisk, ...
//
//	type Field struct {
//		Name, Label string; Type FieldType; Choices []string
//		Optional bool; Help string; Live bool; Call string
//	}
//
// Values travel as strings: Get returns what Set accepts. Set validates
// with the package's parsers (ParseMAC, ParseSize, ParsePCIAddress,
// ParseUSBAddress, ParseUSBVendorProduct, ParseCPUList, ParseBandwidth,
// ParseBurst, ...) and the choices caps allow, and on error changes
// nothing and says what is expected. Live fields can change on a running
// VM (CD-ROM media, NIC link and bandwidth, display password, disk
// throttles); Call names a libvirt call that changes the value by itself
// (SetBlockIoTune, SetInterfaceParameters, SetMemoryStatsPeriod). XML and
// AddTo run Check first, so an invalid device never becomes XML for
// libvirt. A virtiofs filesystem needs shared memory: AddTo turns it on in
// the definition; XML alone refuses while the definition lacks it.
//
// # Devices in a definition
//
//	func List(def *libvirtxml.Domain) []Item
//	type Item struct{ Kind *Kind; Index int; Summary string; ... }
//	func (it Item) XML() (string, error)      // for DetachDeviceFlags
//	func (it Item) Device(caps *Caps) (*Device, error) // a copy to edit
//	func (it Item) Replace(d *Device) error   // write the edit back
//
// Index counts among the definition's devices of that kind. Items point
// into def and are valid until its device lists change.
//
// # Domain-level settings
//
//	func Sections() []*Section  // overview, cpus, memory, boot, features, clock, numa
//	func SectionByID(id string) *Section
//	func (sec *Section) Fields(caps *Caps) []Field
//	type Settings struct{ Def *libvirtxml.Domain; Autostart bool; Caps *Caps }
//	func (s *Settings) Fields(section string) []Field
//	func (s *Settings) Get(field string) string
//	func (s *Settings) Set(field, value string) error
//	func (s *Settings) Check() error
//	func (s *Settings) XML() (string, error)
//	func SettingCall(field string) string
//
// Setting names are unique across sections. SettingCall returns the
// libvirt call that changes a setting by itself: vcpus → SetVcpusFlags,
// memory → SetMemoryFlags, title and description → SetMetadata,
// autostart → SetAutostart, vcpu_pins → PinVcpuFlags; "" means a redefine
// (applies after shutdown).
//
// # Fidelity guard
//
// CheckRoundTrip, CheckPaths and Compare decide whether a definition
// survives libvirtxml's unmarshal and marshal unchanged; DocKind names the
// document types (domain, network, pool, volume, domainsnapshot).
package devices
