// Package vmedit is `kvmtui edit`'s grammar, virt-xml's for the common
// cases: an action (--edit [SELECTOR], --add-device, --remove-device) and
// options such as --disk cache=none,io=native or --vcpus 4, applied to a
// libvirtxml definition through the same fields kvmtui's forms set
// (devices.Device, devices.Settings). The caller turns the changed model
// into a patch on the definition as written (devices.PatchDomain) or into
// device calls for a running VM.
package vmedit

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
)

// Action is what the options do: virt-xml's --edit, --add-device,
// --remove-device.
type Action string

const (
	Edit   Action = "edit"
	Add    Action = "add-device"
	Remove Action = "remove-device"
)

// Change is one option as given: --disk cache=none → {"disk", "cache=none"}.
type Change struct{ Flag, Value string }

// Request is one `kvmtui edit` invocation's change.
type Request struct {
	Action Action
	// Selector picks the devices --edit changes: "" or "1" for the first,
	// N (from 1) or -N (from the end), "all", or sub-options a device must
	// have (target=vda, mac=52:54:00:…).
	Selector string
	Changes  []Change
}

// option is one flag kvmtui edit takes.
type option struct {
	flag  string
	kinds []string // the device kinds it covers; nil for a VM setting
	first string   // what a bare first value sets (virt-xml's remove_first)
	help  string
}

var options = []option{
	{flag: "vcpus", first: "vcpus", help: "N[,maxvcpus=M]: the vCPUs, and their maximum"},
	{flag: "memory", first: "memory", help: "MiB[,currentMemory=MiB]: the memory (and the current memory)"},
	{flag: "boot", first: "boot", help: "uefi|bios|efi-secure or hd,cdrom,network,fd[,menu=on]: firmware, boot order"},
	{flag: "metadata", help: "title=…,description=…"},
	{flag: "disk", kinds: []string{"disk", "cdrom", "floppy"}, first: "path", help: "path=,device=disk|cdrom|floppy,bus=,target=,cache=,io=,discard=,format=,size=GiB (--add-device),…"},
	{flag: "network", kinds: []string{"nic"}, first: "type", help: "network=|bridge=|type=,model=,mac=,link=up|down,mtu=,…"},
	{flag: "graphics", kinds: []string{"graphics"}, first: "type", help: "type=vnc|spice,listen=,port=,password="},
	{flag: "video", kinds: []string{"video"}, first: "model", help: "model=,heads=,vram="},
	{flag: "sound", kinds: []string{"sound"}, first: "model", help: "model="},
	{flag: "input", kinds: []string{"input"}, first: "type", help: "type=,bus="},
	{flag: "watchdog", kinds: []string{"watchdog"}, first: "model", help: "model=,action="},
	{flag: "rng", kinds: []string{"rng"}, first: "source", help: "/dev/urandom or source=,backend=,…"},
	{flag: "tpm", kinds: []string{"tpm"}, first: "model", help: "model=,backend=,version="},
	{flag: "panic", kinds: []string{"panic"}, first: "model", help: "model="},
	{flag: "channel", kinds: []string{"channel"}, first: "name", help: "name="},
	{flag: "serial", kinds: []string{"serial"}, first: "source_type", help: "source_type=,path=,…"},
	{flag: "console", kinds: []string{"console"}, first: "source_type", help: "source_type=,target_type=,…"},
	{flag: "filesystem", kinds: []string{"filesystem"}, first: "source", help: "source=,target=,driver=,…"},
	{flag: "hostdev", kinds: []string{"usb-host", "pci-host", "mdev"}, help: "address= (PCI) or usb_id=/usb_address= (USB)"},
	{flag: "redirdev", kinds: []string{"usb-redir"}, first: "source_type", help: "source_type=,server="},
	{flag: "smartcard", kinds: []string{"smartcard"}, first: "mode", help: "mode="},
	{flag: "vsock", kinds: []string{"vsock"}, first: "cid", help: "cid="},
	{flag: "memballoon", kinds: []string{"memballoon"}, first: "model", help: "model=,stats_period="},
	{flag: "iommu", kinds: []string{"iommu"}, first: "model", help: "model="},
}

// Flags lists the option flags with a line of help each, for the command.
func Flags() [][2]string {
	out := make([][2]string, len(options))
	for i, o := range options {
		out[i] = [2]string{o.flag, o.help}
	}
	return out
}

func optionFor(flag string) *option {
	for i := range options {
		if options[i].flag == flag {
			return &options[i]
		}
	}
	return nil
}

// aliases: virt-xml's sub-option names (and the XML paths it also takes)
// for the fields of kvmtui's forms.
var aliases = map[string]string{
	"target.dev": "target", "target.bus": "bus", "boot.order": "boot_order",
	"driver.cache": "cache", "driver.io": "io", "driver.discard": "discard",
	"driver.detect_zeroes": "detect_zeroes", "driver.type": "format", "driver_type": "format",
	"source.file": "path", "source.dev": "path", "source.pool": "pool", "source.volume": "volume",
	"source_pool": "pool", "source_volume": "volume", "source.name": "source_name",
	"mac.address": "mac", "link.state": "link_state", "link": "link_state",
	"model.type": "model", "mtu.size": "mtu", "source.network": "network", "source.bridge": "bridge",
	"source.mode": "direct_mode", "source_mode": "direct_mode",
	"iotune.read_bytes_sec": "read_bytes_sec", "iotune.write_bytes_sec": "write_bytes_sec",
	"iotune.total_bytes_sec": "total_bytes_sec", "iotune.read_iops_sec": "read_iops_sec",
	"iotune.write_iops_sec": "write_iops_sec", "iotune.total_iops_sec": "total_iops_sec",
	"passwd": "password", "model.heads": "heads", "model.vram": "vram",
}

// KV is one sub-option; Key is "" for a bare first value.
type KV struct{ Key, Value string }

// ParseOpts splits virt-xml's sub-options: "a=1,b=2", a bare first value,
// "\\," for a comma inside a value.
func ParseOpts(s string) ([]KV, error) { return parseOpts(s, false) }

// parseOpts with bareList takes bare values anywhere: --boot hd,cdrom.
func parseOpts(s string, bareList bool) ([]KV, error) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
		case s[i] == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	parts = append(parts, cur.String())
	var out []KV
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		switch {
		case !ok && p != "" && (i == 0 || bareList):
			out = append(out, KV{Value: p})
		case !ok:
			return nil, fmt.Errorf("%q: expected key=value", p)
		case k == "":
			return nil, fmt.Errorf("%q: a sub-option needs a name", p)
		default:
			out = append(out, KV{Key: k, Value: v})
		}
	}
	return out, nil
}

// DeviceChange is what Apply did to one device, for the device calls of
// a running VM: the device before and after, as libvirtxml writes it.
type DeviceChange struct {
	Op     string // "update", "attach", "detach"
	Kind   *devices.Kind
	Before string // update, detach
	After  string // update, attach
	// Size, for a new disk with size=: the volume to create at Path
	// (bytes) before the disk is attached.
	Size uint64
	Path string
}

// Outcome is what Apply changed.
type Outcome struct {
	Settings []KV // VM settings set, by field name, in order
	Devices  []DeviceChange
}

// Validate checks the request's shape before any definition is read.
func (r Request) Validate() error {
	if len(r.Changes) == 0 {
		return errors.New("no change given: name one of " + flagList())
	}
	devs := 0
	for _, c := range r.Changes {
		o := optionFor(c.Flag)
		if o == nil {
			return fmt.Errorf("--%s is not an option kvmtui edit supports; it supports %s", c.Flag, flagList())
		}
		if o.kinds != nil {
			devs++
		} else if r.Action != Edit {
			return fmt.Errorf("--%s is a VM setting: use it with --edit (or alone), not --%s", c.Flag, r.Action)
		}
	}
	if devs > 1 || devs == 1 && len(r.Changes) > 1 {
		return errors.New("one device option at a time (as virt-xml): run kvmtui edit once per device kind")
	}
	if devs == 0 && r.Selector != "" && r.Selector != "1" && r.Selector != "all" {
		return fmt.Errorf("--edit %s picks devices: VM settings take a bare --edit", r.Selector)
	}
	return nil
}

func flagList() string {
	var fs []string
	for _, o := range options {
		fs = append(fs, "--"+o.flag)
	}
	return strings.Join(fs, ", ")
}

// Apply makes the request's change on def. caps (may be nil, offline)
// limits choices to what the host offers, as in the forms.
func (r Request) Apply(def *libvirtxml.Domain, caps *devices.Caps) (Outcome, error) {
	if err := r.Validate(); err != nil {
		return Outcome{}, err
	}
	var out Outcome
	for _, c := range r.Changes {
		o := optionFor(c.Flag)
		kvs, err := parseOpts(c.Value, o.flag == "boot")
		if err != nil {
			return Outcome{}, fmt.Errorf("--%s: %w", c.Flag, err)
		}
		if o.kinds == nil {
			s, err := settings(o, kvs)
			if err != nil {
				return Outcome{}, fmt.Errorf("--%s: %w", c.Flag, err)
			}
			st := &devices.Settings{Def: def, Caps: caps}
			for _, kv := range s {
				if err := st.Set(kv.Key, kv.Value); err != nil {
					return Outcome{}, fmt.Errorf("--%s %s: %w", c.Flag, kv.Key, err)
				}
			}
			if err := st.Check(); err != nil {
				return Outcome{}, fmt.Errorf("--%s: %w", c.Flag, err)
			}
			out.Settings = append(out.Settings, s...)
			continue
		}
		var dc []DeviceChange
		switch r.Action {
		case Add:
			dc, err = add(def, caps, o, kvs)
		case Remove:
			dc, err = remove(def, o, c.Value)
		default:
			dc, err = edit(def, caps, o, r.Selector, kvs)
		}
		if err != nil {
			return Outcome{}, fmt.Errorf("--%s: %w", c.Flag, err)
		}
		out.Devices = append(out.Devices, dc...)
	}
	return out, nil
}

// settings turns a VM option's sub-options into Settings fields.
func settings(o *option, kvs []KV) ([]KV, error) {
	var out []KV
	set := func(k, v string) { out = append(out, KV{k, v}) }
	for _, kv := range kvs {
		key := kv.Key
		if key == "" {
			key = o.first
		}
		switch o.flag + "." + key {
		case "vcpus.vcpus", "vcpus.vcpu":
			// virt-xml: N alone is both the maximum and the count.
			set("vcpus_max", kv.Value)
			set("vcpus", kv.Value)
		case "vcpus.maxvcpus":
			set("vcpus_max", kv.Value)
		case "vcpus.vcpu.current", "vcpus.current":
			set("vcpus", kv.Value)
		case "memory.memory":
			set("memory_max", mib(kv.Value))
			set("memory", mib(kv.Value))
		case "memory.currentMemory":
			set("memory", mib(kv.Value))
		case "memory.maxmemory":
			set("memory_max", mib(kv.Value))
		case "boot.boot":
			if slices.Contains([]string{"uefi", "efi", "bios", "efi-secure"}, kv.Value) {
				set("firmware", strings.Replace(kv.Value, "uefi", "efi", 1))
			} else {
				set("boot_devices", kv.Value)
			}
		case "boot.firmware":
			set("firmware", strings.Replace(kv.Value, "uefi", "efi", 1))
		case "boot.menu", "boot.bootmenu.enable":
			set("boot_menu", kv.Value)
		case "metadata.title", "metadata.description":
			set(key, kv.Value)
		default:
			return nil, fmt.Errorf("%s is not a sub-option kvmtui supports here; it supports %s", key, o.help)
		}
	}
	// A boot order given as several bare values ("hd,cdrom") is one list;
	// a field set twice (--vcpus 2,maxvcpus=4) takes the later value.
	var merged []KV
	at := map[string]int{}
	for _, kv := range out {
		i, seen := at[kv.Key]
		switch {
		case seen && kv.Key == "boot_devices":
			merged[i].Value += "," + kv.Value
		case seen:
			merged[i].Value = kv.Value
		default:
			at[kv.Key] = len(merged)
			merged = append(merged, kv)
		}
	}
	return merged, nil
}

// mib spells a bare number as MiB (virt-xml's unit) for the size fields.
func mib(v string) string {
	if _, err := strconv.ParseUint(v, 10, 64); err == nil {
		return v + "MiB"
	}
	return v
}

// items lists the definition's devices of the option's kinds, in the
// catalog's order.
func items(def *libvirtxml.Domain, o *option) []devices.Item {
	var out []devices.Item
	for _, it := range devices.List(def) {
		if slices.Contains(o.kinds, it.Kind.ID) {
			out = append(out, it)
		}
	}
	return out
}

// pick selects devices by virt-xml's selector.
func pick(def *libvirtxml.Domain, caps *devices.Caps, o *option, sel string) ([]devices.Item, error) {
	all := items(def, o)
	if len(all) == 0 {
		return nil, fmt.Errorf("the VM has no --%s device", o.flag)
	}
	if sel == "" {
		sel = "1"
	}
	if sel == "all" {
		return all, nil
	}
	if n, err := strconv.Atoi(sel); err == nil {
		switch {
		case n == 0:
			return nil, fmt.Errorf("%q: devices count from 1 (or -1 for the last)", sel)
		case n > len(all) || -n > len(all):
			return nil, fmt.Errorf("device %d asked for, but the VM has %d --%s device(s)", n, len(all), o.flag)
		case n > 0:
			return all[n-1 : n], nil
		default:
			return all[len(all)+n : len(all)+n+1], nil
		}
	}
	want, err := ParseOpts(sel)
	if err != nil {
		return nil, err
	}
	var out []devices.Item
	for _, it := range all {
		d, err := it.Device(caps)
		if err != nil {
			continue
		}
		match := true
		for _, kv := range want {
			f := field(o, kv.Key)
			if kv.Key == "" {
				f = o.first
			}
			if !strings.EqualFold(d.Get(f), kv.Value) {
				match = false
			}
		}
		if match {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no --%s device has %s", o.flag, sel)
	}
	return out, nil
}

// field maps a sub-option to a form field name.
func field(o *option, key string) string {
	if f, ok := aliases[key]; ok {
		return f
	}
	if o.flag == "network" && key == "type" || o.flag == "disk" && key == "type" {
		return "source_type"
	}
	return strings.ReplaceAll(key, ".", "_")
}

// setAll sets sub-options on a device in the order the form sets them:
// its variant (source_type) first, then the rest as given.
func setAll(d *devices.Device, o *option, kvs []KV) error {
	fields := map[string]bool{}
	for _, f := range d.Kind.Fields(nil) {
		fields[f.Name] = true
	}
	var rest []KV
	for _, kv := range kvs {
		name := o.first
		if kv.Key != "" {
			name = field(o, kv.Key)
		}
		switch {
		case name == "device" || name == "size":
			continue // chose the kind, or the volume to create
		case !fields[name]:
			return fmt.Errorf("%s is not a sub-option kvmtui supports for a %s; it supports %s", keyOr(kv.Key, name), strings.ToLower(d.Kind.Title), strings.Join(fieldNames(d.Kind), ", "))
		case name == "source_type":
			if err := d.Set(name, kv.Value); err != nil {
				return fmt.Errorf("%s: %w", keyOr(kv.Key, name), err)
			}
		default:
			// network=default or bridge=br0 implies the connection type.
			if o.flag == "network" && (name == "network" || name == "bridge") && d.Get("source_type") != name {
				if err := d.Set("source_type", name); err != nil {
					return err
				}
			}
			rest = append(rest, KV{name, kv.Value})
		}
	}
	for _, kv := range rest {
		if err := d.Set(kv.Key, kv.Value); err != nil {
			return fmt.Errorf("%s: %w", kv.Key, err)
		}
	}
	return nil
}

func keyOr(k, name string) string {
	if k == "" {
		return name
	}
	return k
}

func fieldNames(k *devices.Kind) []string {
	var out []string
	for _, f := range k.Fields(nil) {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

func edit(def *libvirtxml.Domain, caps *devices.Caps, o *option, sel string, kvs []KV) ([]DeviceChange, error) {
	picked, err := pick(def, caps, o, sel)
	if err != nil {
		return nil, err
	}
	var out []DeviceChange
	for _, it := range picked {
		before, err := it.XML()
		if err != nil {
			return nil, err
		}
		d, err := it.Device(caps)
		if err != nil {
			return nil, err
		}
		if err := setAll(d, o, kvs); err != nil {
			return nil, fmt.Errorf("%s: %w", it.Summary, err)
		}
		if err := it.Replace(d); err != nil {
			return nil, fmt.Errorf("%s: %w", it.Summary, err)
		}
		after, err := it.XML()
		if err != nil {
			return nil, err
		}
		out = append(out, DeviceChange{Op: "update", Kind: it.Kind, Before: before, After: after})
	}
	return out, nil
}

func add(def *libvirtxml.Domain, caps *devices.Caps, o *option, kvs []KV) ([]DeviceChange, error) {
	kind := o.kinds[0]
	var size uint64
	for _, kv := range kvs {
		switch {
		case kv.Key == "device" && o.flag == "disk":
			if !slices.Contains(o.kinds, kv.Value) {
				return nil, fmt.Errorf("device=%s: one of %s", kv.Value, strings.Join(o.kinds, ", "))
			}
			kind = kv.Value
		case kv.Key == "size" && o.flag == "disk":
			b, err := devices.ParseSize(kv.Value, "GiB")
			if err != nil || b == 0 {
				return nil, fmt.Errorf("size=%s: a size above zero, in GiB unless a unit is given", kv.Value)
			}
			size = b
		}
	}
	k := devices.KindByID(kind)
	if k == nil {
		return nil, fmt.Errorf("kvmtui cannot add a %s", kind)
	}
	if why := k.Unavailable(caps, def); why != "" {
		return nil, errors.New(why)
	}
	d, err := k.New(caps, def)
	if err != nil {
		return nil, err
	}
	if err := setAll(d, o, kvs); err != nil {
		return nil, err
	}
	if size > 0 && d.Get("path") == "" {
		return nil, errors.New("size= makes a new volume: give its path= (or run against a host with a default pool)")
	}
	// An existing image of unknown format is raw to libvirt (it does not
	// probe): say so rather than the form's qcow2 for new volumes. The
	// command asks the host's pools first (format=).
	if kind == "disk" && size == 0 && !slices.ContainsFunc(kvs, func(kv KV) bool { return field(o, kv.Key) == "format" }) {
		if err := d.Set("format", "raw"); err != nil {
			return nil, err
		}
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	after, err := d.XML()
	if err != nil {
		return nil, err
	}
	if err := d.AddTo(def); err != nil {
		return nil, err
	}
	return []DeviceChange{{Op: "attach", Kind: k, After: after, Size: size, Path: d.Get("path")}}, nil
}

func remove(def *libvirtxml.Domain, o *option, sel string) ([]DeviceChange, error) {
	picked, err := pick(def, nil, o, sel)
	if err != nil {
		return nil, err
	}
	var out []DeviceChange
	for _, it := range picked {
		before, err := it.XML()
		if err != nil {
			return nil, err
		}
		out = append(out, DeviceChange{Op: "detach", Kind: it.Kind, Before: before})
	}
	// Items point into def's lists, which shift as one goes: each is
	// found again by its XML before it is removed.
	for _, dc := range out {
		found := false
		for _, it := range items(def, o) {
			if x, err := it.XML(); err == nil && x == dc.Before {
				if err := it.Remove(); err != nil {
					return nil, err
				}
				found = true
				break
			}
		}
		if !found {
			return nil, errors.New("a device to remove vanished while removing others")
		}
	}
	return out, nil
}
