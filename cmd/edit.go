package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"libvirt.org/go/libvirtxml"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/vmedit"
)

// kvmtui edit: virt-xml's grammar for the common cases, on the forms'
// code path: the change is made on libvirtxml's model through the forms'
// fields, then carried onto the definition as written (devices.PatchDomain).

type editFlags struct {
	edit                                         string
	add, remove                                  bool
	file                                         string
	printXML, printDiff, define, update, confirm bool
	changes                                      map[string]*string
	editSet                                      bool
}

func (o *options) editCommand() *cobra.Command {
	f := &editFlags{changes: map[string]*string{}}
	c := &cobra.Command{
		Use:   "edit VM|--file FILE ACTION OPTION [--print-xml|--print-diff] [--define] [--update] [--confirm]",
		Short: "change a VM's definition from the command line, as virt-xml does, keeping what kvmtui does not model",
		Long: `Change a VM's definition with virt-xml's grammar: an action and an option.

Actions: --edit [N|-N|all|KEY=VALUE] picks the devices to change (the first
by default; KEY=VALUE as in --edit target=vda or --edit mac=52:54:00:…);
--add-device adds one; --remove-device removes those the option's value
picks (--remove-device --sound all). VM settings (--vcpus, --memory,
--boot, --metadata) need no action.

The change goes through the fields of kvmtui's forms, so a value they
refuse is refused here with the same words, and it is carried onto the
definition as libvirt wrote it: what kvmtui does not model stays. An option
or sub-option kvmtui does not support is refused with what it supports.

--define (the default) saves the definition; --update also changes the
running VM (device calls, vCPUs, memory, title); --print-xml and
--print-diff show the result instead; --confirm shows the diff and asks.
--file FILE edits a definition file offline (no libvirt) and prints it.`,
		Example: `  kvmtui edit web-01 --edit target=vda --disk cache=none,io=native
  kvmtui edit web-01 --network model=virtio,link=down --update
  kvmtui edit web-01 --vcpus 4 --memory 2048
  kvmtui edit web-01 --add-device --disk size=10,bus=virtio
  kvmtui edit web-01 --remove-device --sound all
  kvmtui edit --file vm.xml --metadata title=web --print-diff`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: func(c *cobra.Command, args []string) error {
			f.editSet = c.Flags().Changed("edit")
			req, err := f.request(c)
			if err != nil {
				return o.usage("edit: %s", err)
			}
			switch {
			case f.file != "" && len(args) == 1:
				return o.usage("edit: name a VM or --file, not both")
			case f.file != "":
				return o.editFile(f, req)
			case len(args) == 0:
				return o.usage("edit: name a VM (or --file FILE)")
			}
			return onNamed(o, (*session).find, func(s *session, vm libvirtx.Domain, _ []string) error {
				return o.editVM(s, vm, f, req)
			})(c, args)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.edit, "edit", "", "change the devices picked: N, -N, all or KEY=VALUE (default: the first)")
	fl.Lookup("edit").NoOptDefVal = "1"
	fl.BoolVar(&f.add, "add-device", false, "add a device")
	fl.BoolVar(&f.remove, "remove-device", false, "remove the devices the option's value picks")
	fl.StringVar(&f.file, "file", "", "edit this definition file offline and print the result")
	fl.BoolVar(&f.printXML, "print-xml", false, "print the changed definition instead of saving it")
	fl.BoolVar(&f.printDiff, "print-diff", false, "print the change as a unified diff instead of saving it")
	fl.BoolVar(&f.define, "define", false, "save the definition (the default)")
	fl.BoolVar(&f.update, "update", false, "also change the running VM")
	fl.BoolVar(&f.confirm, "confirm", false, "show the change and ask before saving it")
	for _, fh := range vmedit.Flags() {
		f.changes[fh[0]] = fl.String(fh[0], "", fh[1])
	}
	return c
}

// request turns the flags into a vmedit.Request, in the order virt-xml
// documents them.
func (f *editFlags) request(c *cobra.Command) (vmedit.Request, error) {
	r := vmedit.Request{Action: vmedit.Edit, Selector: strings.TrimSpace(f.edit)}
	actions := 0
	if f.editSet {
		actions++
	}
	if f.add {
		actions++
		r.Action = vmedit.Add
	}
	if f.remove {
		actions++
		r.Action = vmedit.Remove
	}
	if actions > 1 {
		return r, errors.New("one action at a time: --edit, --add-device or --remove-device")
	}
	for _, fh := range vmedit.Flags() {
		if c.Flags().Changed(fh[0]) {
			r.Changes = append(r.Changes, vmedit.Change{Flag: fh[0], Value: *f.changes[fh[0]]})
		}
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	if actions == 0 {
		for _, ch := range r.Changes {
			if ch.Flag != "vcpus" && ch.Flag != "memory" && ch.Flag != "boot" && ch.Flag != "metadata" {
				return r, fmt.Errorf("--%s needs an action: --edit, --add-device or --remove-device", ch.Flag)
			}
		}
	}
	if f.file != "" && (f.define || f.update || f.confirm) {
		return r, errors.New("--file edits offline: --print-xml or --print-diff (the default is --print-xml)")
	}
	return r, nil
}

// change is the request as a change of the model, for PatchDomain and
// Redefine; outcome keeps what it did, for --update's device calls.
func change(req vmedit.Request, caps *devices.Caps, outcome *vmedit.Outcome) func(*libvirtxml.Domain) error {
	return func(def *libvirtxml.Domain) error {
		out, err := req.Apply(def, caps)
		*outcome = out
		return err
	}
}

func (o *options) editFile(f *editFlags, req vmedit.Request) error {
	raw, err := os.ReadFile(f.file)
	if err != nil {
		return o.fail(err)
	}
	var out vmedit.Outcome
	after, _, err := devices.PatchDomain(string(raw), change(req, nil, &out))
	if err != nil {
		return o.fail(err)
	}
	o.printEdit(f, filepath.Base(f.file), string(raw), after, true)
	return nil
}

// printEdit writes what --print-xml / --print-diff ask for (the XML when
// neither, if asDefault).
func (o *options) printEdit(f *editFlags, name, before, after string, asDefault bool) {
	if f.printDiff {
		fmt.Fprint(o.stdout, devices.UnifiedDiff(before, after, name, name+" (edited)"))
	}
	if f.printXML || asDefault && !f.printDiff {
		fmt.Fprint(o.stdout, after)
	}
}

func (o *options) editVM(s *session, vm libvirtx.Domain, f *editFlags, req vmedit.Request) error {
	caps, _ := s.mgr.DeviceCaps(vm.Ref) // offline choices when unreadable
	if err := o.newVolumePath(s, vm, &req); err != nil {
		return err
	}
	printing := f.printXML || f.printDiff
	saving := f.define || f.update || !printing
	if saving && o.readOnly {
		return libvirtx.ErrReadOnly
	}
	// A read-only connection may not read secrets: the printed definition
	// then lacks them.
	before, err := s.mgr.DomainXML(vm.Ref, true, !o.readOnly)
	if err != nil {
		return err
	}
	var out vmedit.Outcome
	after, _, err := devices.PatchDomain(before, change(req, caps, &out))
	if err != nil {
		return patchErr(vm.Name, err)
	}
	if printing {
		o.printEdit(f, vm.Name, before, after, false)
		if !saving {
			return nil
		}
	}
	if after == before {
		fmt.Fprintf(o.stdout, "%s: nothing to change\n", vm.Name)
		return nil
	}
	if f.confirm {
		fmt.Fprint(o.stdout, devices.UnifiedDiff(before, after, vm.Name, vm.Name+" (edited)"))
		if !o.confirm(fmt.Sprintf("Save this change to %s?", vm.Name)) {
			return errors.New("nothing changed")
		}
	}
	var made []string // volumes for new disks: removed if the change fails
	for _, d := range out.Devices {
		if d.Size > 0 {
			if err := s.mgr.CreateVolumeAt(vm.URI, d.Path, d.Size, "qcow2"); err != nil {
				return fmt.Errorf("creating %s: %w", d.Path, err)
			}
			made = append(made, d.Path)
		}
	}
	var a libvirtx.Applied
	if f.update && vm.State.Active() {
		a, err = o.updateLive(s, vm, caps, out)
	} else {
		a, err = s.mgr.Redefine(vm.Ref, change(req, caps, &vmedit.Outcome{}))
	}
	if err != nil {
		for _, p := range made {
			_ = s.mgr.DeleteVolume(vm.URI, p)
		}
		return patchErr(vm.Name, err)
	}
	for _, p := range made {
		fmt.Fprintf(o.stdout, "created volume %s\n", p)
	}
	fmt.Fprintf(o.stdout, "%s: %s\n", vm.Name, a)
	return nil
}

// updateLive makes the change on the running VM too: device calls for the
// devices, the live calls for vCPUs, memory, title and description, and
// one redefine (next boot) for the other settings.
func (o *options) updateLive(s *session, vm libvirtx.Domain, caps *devices.Caps, out vmedit.Outcome) (libvirtx.Applied, error) {
	var all libvirtx.Applied
	merge := func(a libvirtx.Applied) {
		all.Live, all.Config, all.Running = all.Live || a.Live, all.Config || a.Config, all.Running || a.Running
	}
	for _, d := range out.Devices {
		var a libvirtx.Applied
		var err error
		switch d.Op {
		case "update":
			a, err = s.mgr.UpdateDevice(vm.Ref, d.Before, d.After, true)
		case "attach":
			a, err = s.mgr.ModifyDevice(vm.Ref, libvirtx.Attach, d.After, true)
		case "detach":
			a, err = s.mgr.DetachDevice(vm.Ref, d.Before, true)
		}
		if err != nil {
			return all, err
		}
		merge(a)
	}
	// Settings without a call of their own go first, in one redefine, so a
	// raised maximum (vCPUs, memory) is there before the live value.
	var calls, rest []vmedit.KV
	for _, kv := range out.Settings {
		if liveSettings[kv.Key] {
			calls = append(calls, kv)
		} else {
			rest = append(rest, kv)
		}
	}
	if len(rest) > 0 {
		a, err := s.mgr.Redefine(vm.Ref, func(def *libvirtxml.Domain) error {
			st := &devices.Settings{Def: def, Caps: caps}
			for _, kv := range rest {
				if err := st.Set(kv.Key, kv.Value); err != nil {
					return err
				}
			}
			return st.Check()
		})
		if err != nil {
			return all, err
		}
		merge(a)
	}
	for _, kv := range calls {
		a, err := liveSetting(s.mgr, vm.Ref, kv)
		if err != nil {
			return all, fmt.Errorf("%s: %w", kv.Key, err)
		}
		merge(a)
	}
	return all, nil
}

// liveSettings have a libvirt call of their own, live and in the definition.
var liveSettings = map[string]bool{"title": true, "description": true, "vcpus": true, "memory": true}

// liveSetting makes one of liveSettings through its call.
func liveSetting(mgr *libvirtx.Manager, ref libvirtx.Ref, kv vmedit.KV) (libvirtx.Applied, error) {
	switch kv.Key {
	case "title":
		return mgr.SetTitle(ref, kv.Value)
	case "description":
		return mgr.SetDescription(ref, kv.Value)
	case "vcpus":
		n, err := strconv.ParseUint(kv.Value, 10, 32)
		if err != nil {
			return libvirtx.Applied{}, err
		}
		return mgr.SetVCPUs(ref, uint(n), false)
	default: // memory
		b, err := devices.ParseSize(kv.Value, "MiB")
		if err != nil {
			return libvirtx.Applied{}, err
		}
		return mgr.SetMemory(ref, b/1024, false)
	}
}

// newVolumePath gives --add-device --disk size=N without a path one in
// the host's default pool, named as virt-xml names it (VM.qcow2,
// VM-1.qcow2…); a disk on an existing volume gets the volume's format.
func (o *options) newVolumePath(s *session, vm libvirtx.Domain, req *vmedit.Request) error {
	if req.Action != vmedit.Add || len(req.Changes) != 1 || req.Changes[0].Flag != "disk" {
		return nil
	}
	kvs, err := vmedit.ParseOpts(req.Changes[0].Value)
	if err != nil {
		return nil // Apply says what is wrong
	}
	sized, path, format := false, "", false
	for _, kv := range kvs {
		sized = sized || kv.Key == "size"
		format = format || kv.Key == "format" || kv.Key == "driver.type" || kv.Key == "driver_type"
		if kv.Key == "path" || kv.Key == "" || kv.Key == "source.file" {
			path = kv.Value
		}
	}
	if path != "" && !sized && !format {
		if f := s.mgr.VolumeFormat(vm.URI, path); f != "" {
			req.Changes[0].Value += ",format=" + f // as the pool knows it
		}
	}
	if !sized || path != "" {
		return nil
	}
	dir, err := s.mgr.DefaultPoolDir(vm.URI)
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		name := vm.Name + ".qcow2"
		if i > 0 {
			name = fmt.Sprintf("%s-%d.qcow2", vm.Name, i)
		}
		p := filepath.Join(dir, name)
		// A host that cannot say (the test driver) gets the first name;
		// making the volume fails if it is taken.
		if exists, known := s.mgr.PathExists(vm.URI, p); !known || !exists {
			req.Changes[0].Value += ",path=" + strings.ReplaceAll(p, ",", `\,`) + ",format=qcow2"
			return nil
		}
		if i > 100 {
			return fmt.Errorf("no free volume name in %s", dir)
		}
	}
}

// patchErr words a refused patch for the command line.
func patchErr(vm string, err error) error {
	var pe *devices.PatchError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %s; nothing changed: edit the XML instead (kvmtui's :edit)", vm, pe)
	}
	return err
}

// editSelector lets --edit take its selector as the next argument, as
// virt-xml's does (--edit 2, --edit target=vda, --edit all), although the
// flag may also stand alone: pflag would read "--edit target=vda" as a bare
// --edit and an argument. A VM name after --edit stays an argument.
func editSelector(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if args[i] == "--edit" && i+1 < len(args) && isSelector(args[i+1]) {
			out = append(out, "--edit="+args[i+1])
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

func isSelector(s string) bool {
	if s == "all" || !strings.HasPrefix(s, "-") && strings.Contains(s, "=") {
		return true
	}
	_, err := strconv.Atoi(s)
	return err == nil
}
