package devices

import (
	"encoding/xml"
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// Kind is one kind of device a VM can have: its form fields, its defaults
// for a new device, and how to find its devices in a definition. Kinds
// come from Kinds and KindByID; their behaviour lives in an unexported
// implementation per kind (kind_*.go).
type Kind struct {
	ID    string // stable key: "disk", "cdrom", "nic", ...
	Title string // for the hardware tree and menus: "Disk", "CD-ROM"
	// Element is the libvirt element a device of this kind is written as
	// ("disk", "interface", "hostdev", ...); set by register.
	Element string
	// Hotplug is true when libvirt's QEMU driver can attach and detach
	// this kind on a running VM (AttachDeviceFlags/DetachDeviceFlags with
	// AFFECT_LIVE). Device.Hotplug refines it per device (a SATA disk
	// cannot be hot-plugged, a virtio one can).
	Hotplug bool
	// Addable is false for kinds kvmtui lists and shows but does not
	// offer to add (leases, shared memory, memory modules, ...): New
	// refuses them and Unavailable says why.
	Addable bool
	// DefineOnly is true for kinds libvirt's AttachDeviceFlags(CONFIG)
	// cannot add: it skips the defaults a define fills in (a PCIe root
	// port's model name, chassis and port). They are added by a guarded
	// redefine of the persistent definition.
	DefineOnly bool

	impl kindImpl
}

// kindImpl is a kind's behaviour over its libvirtxml type, with the type
// erased (see kindDef).
type kindImpl interface {
	specs() []*fieldSpec
	items(def *libvirtxml.Domain) []any
	newValue(caps *Caps, def *libvirtxml.Domain) (any, error)
	unavailable(caps *Caps, def *libvirtxml.Domain) string
	summary(v any) string
	check(v any, c ctx) error
	adjust(v any, c ctx)
	hotplug(v any) string
	add(def *libvirtxml.Domain, v any)
	clone(v any) (any, error)
	assign(dst, src any)
	decode(doc string) (any, error)
}

// kindDef is a kind's behaviour over T, the libvirtxml device struct.
type kindDef[T any] struct {
	fields []spec[T]
	list   func(def *libvirtxml.Domain) []*T
	create func(caps *Caps, def *libvirtxml.Domain) *T
	// unavail returns why the host or the VM cannot take a new device of
	// this kind, or "".
	unavail func(caps *Caps, def *libvirtxml.Domain) string
	sum     func(*T) string
	valid   func(v *T, c ctx) error // cross-field checks; may be nil
	// fix runs after every successful Set, to keep the device coherent
	// with its definition (a disk moved to another bus gets a free
	// target name there); may be nil.
	fix  func(v *T, c ctx)
	plug func(*T) string // why this device cannot be hot-plugged; may be nil
	put  func(def *libvirtxml.Domain, v *T)

	erased []*fieldSpec
}

func (k *kindDef[T]) specs() []*fieldSpec {
	if k.erased == nil {
		k.erased = erase(k.fields)
	}
	return k.erased
}

func (k *kindDef[T]) items(def *libvirtxml.Domain) []any {
	if def == nil || def.Devices == nil {
		return nil
	}
	var out []any
	for _, v := range k.list(def) {
		out = append(out, v)
	}
	return out
}

func (k *kindDef[T]) newValue(caps *Caps, def *libvirtxml.Domain) (any, error) {
	return k.create(caps, def), nil
}

func (k *kindDef[T]) unavailable(caps *Caps, def *libvirtxml.Domain) string {
	if k.unavail == nil {
		return ""
	}
	return k.unavail(caps, def)
}

func (k *kindDef[T]) summary(v any) string { return k.sum(v.(*T)) }

func (k *kindDef[T]) check(v any, c ctx) error {
	if k.valid == nil {
		return nil
	}
	return k.valid(v.(*T), c)
}

func (k *kindDef[T]) adjust(v any, c ctx) {
	if k.fix != nil {
		k.fix(v.(*T), c)
	}
}

func (k *kindDef[T]) hotplug(v any) string {
	if k.plug == nil {
		return ""
	}
	return k.plug(v.(*T))
}

func (k *kindDef[T]) add(def *libvirtxml.Domain, v any) {
	if def.Devices == nil {
		def.Devices = &libvirtxml.DomainDeviceList{}
	}
	k.put(def, v.(*T))
}

// clone deep-copies through libvirtxml's own XML form, which is what
// every device round-trips through anyway.
func (k *kindDef[T]) clone(v any) (any, error) {
	doc, err := marshalDevice(v)
	if err != nil {
		return nil, err
	}
	return k.decode(doc)
}

func (k *kindDef[T]) decode(doc string) (any, error) {
	c := new(T)
	if err := xml.Unmarshal([]byte(doc), c); err != nil {
		return nil, err
	}
	return c, nil
}

func (k *kindDef[T]) assign(dst, src any) { *dst.(*T) = *src.(*T) }

// catalog lists every kind in hardware-tree order: storage, network,
// display and input, then the rest, then what kvmtui only lists.
var catalog = []*Kind{
	kindDisk, kindCDROM, kindFloppy,
	kindNIC,
	kindGraphics, kindVideo, kindSound, kindInput,
	kindTPM, kindRNG, kindWatchdog, kindPanic,
	kindChannel, kindSerial, kindConsole, kindParallel,
	kindFilesystem, kindUSBHost, kindPCIHost, kindMdev, kindRedirdev, kindSmartcard,
	kindUSBController, kindSCSIController, kindVirtioSerialController, kindPCIeRootPort,
	kindVSock, kindMemBalloon, kindIOMMU,
	kindController, kindHostdevOther, kindLease, kindAudio, kindRedirFilter, kindHub,
	kindShmem, kindMemory, kindCrypto, kindPStore, kindNVRAMDevice,
}

func register[T any](k *Kind, d *kindDef[T]) *Kind {
	k.impl = d
	name, err := elementName(new(T))
	if err != nil {
		panic(err) // a catalog bug, caught by any test
	}
	k.Element = name
	return k
}

// Kinds returns every device kind, in hardware-tree order.
func Kinds() []*Kind { return append([]*Kind(nil), catalog...) }

// KindByID returns the kind with that ID, or nil.
func KindByID(id string) *Kind {
	for _, k := range catalog {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// Fields returns the kind's form fields, with Choices narrowed to what
// caps reports (nil caps: libvirt's whole set). Device.Fields gives the
// subset that applies to one device.
func (k *Kind) Fields(caps *Caps) []Field {
	var out []Field
	for _, f := range k.impl.specs() {
		out = append(out, f.field(caps))
	}
	return out
}

func (k *Kind) spec(name string) *fieldSpec {
	for _, f := range k.impl.specs() {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Unavailable returns why a new device of this kind cannot be added to def
// on this host ("this QEMU offers no TPM", "machine i440fx has no PCIe
// root ports"), or "" when it can. def may be nil.
func (k *Kind) Unavailable(caps *Caps, def *libvirtxml.Domain) string {
	if !k.Addable {
		return "kvmtui has no form to add one: add it with the XML editor (e)"
	}
	return k.impl.unavailable(caps, def)
}

// New returns a new device of this kind with virt-install-like defaults
// for def (which may be nil, and is not changed): virtio where the machine
// supports it, a free target name, a fresh MAC, and so on. Kinds that pick
// a host device (USB, PCI, mdev) leave that choice empty, so the device is
// not valid until the form sets it: Device.Check says what is missing.
func (k *Kind) New(caps *Caps, def *libvirtxml.Domain) (*Device, error) {
	if why := k.Unavailable(caps, def); why != "" {
		return nil, fmt.Errorf("cannot add a %s: %s", strings.ToLower(k.Title), why)
	}
	v, err := k.impl.newValue(caps, def)
	if err != nil {
		return nil, err
	}
	return &Device{Kind: k, caps: caps, def: def, v: v}, nil
}

// Device is one device being viewed or edited: a libvirtxml struct of its
// kind, the capabilities that narrow its choices, and the definition it
// belongs to (for free names and cross-checks; never changed by Set).
type Device struct {
	Kind *Kind
	caps *Caps
	def  *libvirtxml.Domain
	orig any // the definition's own device this one edits, nil for a new one
	v    any
}

// ctx is what cross-field checks see besides the device: the definition
// and which of its devices is this one (so a disk does not collide with
// itself).
type ctx struct {
	def  *libvirtxml.Domain
	orig any
	caps *Caps
	// adding is true inside AddTo, which also adds what the device needs
	// at domain level (shared memory for virtiofs).
	adding bool
}

func (d *Device) ctx() ctx { return ctx{def: d.def, orig: d.orig, caps: d.caps} }

// Value returns the libvirtxml struct (*libvirtxml.DomainDisk, ...).
// Changing it directly bypasses validation.
func (d *Device) Value() any { return d.v }

// Fields returns the fields that apply to this device as it is now (a
// file disk has a path, a network disk a protocol and host), with the
// choices its capabilities allow.
func (d *Device) Fields() []Field {
	var out []Field
	for _, f := range d.Kind.impl.specs() {
		if f.applies(d.v) {
			fd := f.field(d.caps)
			if fd.Live && f.liveIf != nil && d.orig != nil && !f.liveIf(d.orig) {
				fd.Live = false
			}
			out = append(out, fd)
		}
	}
	return out
}

// Get returns a field's value in the form Set accepts; "" when unset, or
// when the field does not apply to this device, or is unknown.
func (d *Device) Get(name string) string {
	f := d.Kind.spec(name)
	if f == nil || !f.applies(d.v) {
		return ""
	}
	return f.get(d.v)
}

// Set validates value for the field and stores it. On error the device is
// unchanged and the message says what is expected.
func (d *Device) Set(name, value string) error {
	f := d.Kind.spec(name)
	if f == nil {
		return fmt.Errorf("a %s has no field %q", strings.ToLower(d.Kind.Title), name)
	}
	if !f.applies(d.v) {
		return fmt.Errorf("%s does not apply to this %s", f.Label, strings.ToLower(d.Kind.Title))
	}
	norm, err := f.normalize(d.caps, value)
	if err != nil {
		return err
	}
	// Setters may change several elements; work on a copy so a failing
	// one leaves nothing half-done.
	c, err := d.Kind.impl.clone(d.v)
	if err != nil {
		return err
	}
	if err := f.set(c, norm); err != nil {
		return err
	}
	d.Kind.impl.adjust(c, d.ctx())
	d.Kind.impl.assign(d.v, c)
	return nil
}

// Summary is the device's one-line description for the hardware tree.
func (d *Device) Summary() string { return d.Kind.impl.summary(d.v) }

// Check runs the cross-field checks libvirt would fail a definition on
// (a required value not set, a combination libvirt refuses).
func (d *Device) Check() error { return d.Kind.impl.check(d.v, d.ctx()) }

// Hotplug returns why this device cannot be attached to or detached from
// a running VM, or "" when it can.
func (d *Device) Hotplug() string {
	if !d.Kind.Hotplug {
		return fmt.Sprintf("libvirt cannot hot-plug a %s; it applies after shutdown", strings.ToLower(d.Kind.Title))
	}
	if d.Kind.ID == "channel" && !hasVirtioSerial(d.def) {
		return "a running VM takes a channel only on a virtio-serial controller it already has; it applies after shutdown"
	}
	return d.Kind.impl.hotplug(d.v)
}

func hasVirtioSerial(def *libvirtxml.Domain) bool {
	if def == nil || def.Devices == nil {
		return false
	}
	for _, c := range def.Devices.Controllers {
		if c.Type == "virtio-serial" {
			return true
		}
	}
	return false
}

// XML checks the device and returns its element alone, as
// AttachDeviceFlags, UpdateDeviceFlags and DetachDeviceFlags take it.
func (d *Device) XML() (string, error) {
	if err := d.Check(); err != nil {
		return "", err
	}
	return marshalDevice(d.v)
}

// Clone returns an independent copy to edit.
func (d *Device) Clone() (*Device, error) {
	c, err := d.Kind.impl.clone(d.v)
	if err != nil {
		return nil, err
	}
	return &Device{Kind: d.Kind, caps: d.caps, def: d.def, orig: d.orig, v: c}, nil
}

// Snapshot records the device as it is now and returns what puts it back:
// a form replays the user's typed values over it, so a setter that adjusts
// another field (a lowered maximum lowering the current value) works from
// what the form opened with, never from a half-typed value.
func (d *Device) Snapshot() (restore func(), err error) {
	saved, err := d.Kind.impl.clone(d.v)
	if err != nil {
		return nil, err
	}
	return func() {
		if c, err := d.Kind.impl.clone(saved); err == nil {
			d.Kind.impl.assign(d.v, c)
		}
	}, nil
}

// AddTo checks the device and appends a copy of it to def's devices (for
// building a definition to define; a running VM takes XML through
// AttachDeviceFlags instead). Kinds that need something at domain level
// add it too: a virtiofs filesystem turns on shared memory backing.
func (d *Device) AddTo(def *libvirtxml.Domain) error {
	if err := d.Kind.impl.check(d.v, ctx{def: def, caps: d.caps, adding: true}); err != nil {
		return err
	}
	c, err := d.Kind.impl.clone(d.v)
	if err != nil {
		return err
	}
	d.Kind.impl.add(def, c)
	return nil
}

// Item is one device found in a definition by List.
type Item struct {
	Kind    *Kind
	Index   int    // position among the definition's devices of this kind, from 0
	Summary string // one line for the hardware tree
	v       any    // points into the definition
	def     *libvirtxml.Domain
}

// List returns every device in def, grouped by kind in catalog order and
// in document order within a kind. Items point into def: they stay valid
// until def's device lists change.
func List(def *libvirtxml.Domain) []Item {
	var out []Item
	for _, k := range catalog {
		for i, v := range k.impl.items(def) {
			out = append(out, Item{Kind: k, Index: i, Summary: k.impl.summary(v), v: v, def: def})
		}
	}
	return out
}

// XML returns the device's element alone, exactly as the definition has
// it: what DetachDeviceFlags needs to find it.
func (it Item) XML() (string, error) { return marshalDevice(it.v) }

// Device returns a copy of the item's device to edit with Set; the
// definition does not change until Replace.
func (it Item) Device(caps *Caps) (*Device, error) {
	c, err := it.Kind.impl.clone(it.v)
	if err != nil {
		return nil, err
	}
	return &Device{Kind: it.Kind, caps: caps, def: it.def, orig: it.v, v: c}, nil
}

// Replace checks d and writes it over the item's device in the
// definition the item came from (for a redefine, where libvirt has no
// device call for the change).
func (it Item) Replace(d *Device) error {
	if d.Kind != it.Kind {
		return fmt.Errorf("cannot replace a %s with a %s", strings.ToLower(it.Kind.Title), strings.ToLower(d.Kind.Title))
	}
	if err := d.Check(); err != nil {
		return err
	}
	c, err := d.Kind.impl.clone(d.v)
	if err != nil {
		return err
	}
	it.Kind.impl.assign(it.v, c)
	return nil
}

// marshalDevice writes a libvirtxml device struct as its element, indented
// like libvirtxml's own Marshal. The element name comes from the value
// itself (XMLName, or the MarshalXML of types such as DomainHostdev and
// DomainIOMMU's list entry), see elementName.
func marshalDevice(v any) (string, error) {
	name, err := elementName(v)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}}); err != nil {
		return "", err
	}
	if err := enc.Flush(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// elementName maps a libvirtxml device type to its element.
func elementName(v any) (string, error) {
	switch v.(type) {
	case *libvirtxml.DomainDisk:
		return "disk", nil
	case *libvirtxml.DomainController:
		return "controller", nil
	case *libvirtxml.DomainLease:
		return "lease", nil
	case *libvirtxml.DomainFilesystem:
		return "filesystem", nil
	case *libvirtxml.DomainInterface:
		return "interface", nil
	case *libvirtxml.DomainSmartcard:
		return "smartcard", nil
	case *libvirtxml.DomainSerial:
		return "serial", nil
	case *libvirtxml.DomainParallel:
		return "parallel", nil
	case *libvirtxml.DomainConsole:
		return "console", nil
	case *libvirtxml.DomainChannel:
		return "channel", nil
	case *libvirtxml.DomainInput:
		return "input", nil
	case *libvirtxml.DomainTPM:
		return "tpm", nil
	case *libvirtxml.DomainGraphic:
		return "graphics", nil
	case *libvirtxml.DomainSound:
		return "sound", nil
	case *libvirtxml.DomainAudio:
		return "audio", nil
	case *libvirtxml.DomainVideo:
		return "video", nil
	case *libvirtxml.DomainHostdev:
		return "hostdev", nil
	case *libvirtxml.DomainRedirDev:
		return "redirdev", nil
	case *libvirtxml.DomainRedirFilter:
		return "redirfilter", nil
	case *libvirtxml.DomainHub:
		return "hub", nil
	case *libvirtxml.DomainWatchdog:
		return "watchdog", nil
	case *libvirtxml.DomainMemBalloon:
		return "memballoon", nil
	case *libvirtxml.DomainRNG:
		return "rng", nil
	case *libvirtxml.DomainNVRAM:
		return "nvram", nil
	case *libvirtxml.DomainPanic:
		return "panic", nil
	case *libvirtxml.DomainShmem:
		return "shmem", nil
	case *libvirtxml.DomainMemorydev:
		return "memory", nil
	case *libvirtxml.DomainIOMMU:
		return "iommu", nil
	case *libvirtxml.DomainVSock:
		return "vsock", nil
	case *libvirtxml.DomainCrypto:
		return "crypto", nil
	case *libvirtxml.DomainPStore:
		return "pstore", nil
	}
	return "", fmt.Errorf("%T is not a libvirt device", v)
}
