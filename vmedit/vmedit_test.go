package vmedit

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

func TestParseOpts(t *testing.T) {
	got, err := ParseOpts(`/a\,b.img,bus=sata,serial=x=y`)
	want := []KV{{"", "/a,b.img"}, {"bus", "sata"}, {"serial", "x=y"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseOpts = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"a=1,b", "=1", "a,b"} {
		if _, err := ParseOpts(bad); err == nil {
			t.Errorf("ParseOpts(%q) accepted it", bad)
		}
	}
	if got, err := parseOpts("hd,cdrom,menu=on", true); err != nil || len(got) != 3 || got[1] != (KV{"", "cdrom"}) {
		t.Fatalf("a boot order list: %v %v", got, err)
	}
}

func domain(t *testing.T) *libvirtxml.Domain {
	t.Helper()
	raw, err := os.ReadFile("../devices/testdata/lossy/foreign.xml")
	if err != nil {
		t.Fatal(err)
	}
	d := &libvirtxml.Domain{}
	if err := d.Unmarshal(string(raw)); err != nil {
		t.Fatal(err)
	}
	return d
}

// The selector picks as virt-xml's does: from 1, from the end, all, by a
// field's value; what picks nothing says so.
func TestSelectors(t *testing.T) {
	for sel, want := range map[string][]string{
		"":            {"ich9"},
		"1":           {"ich9"},
		"2":           {"ac97"},
		"-1":          {"ac97"},
		"all":         {"ich9", "ac97"},
		"model=ac97":  {"ac97"},
		"model=AC97":  {"ac97"},
		"0":           nil,
		"3":           nil,
		"model=sb16":  nil,
		"model=ac97,": nil,
	} {
		d := domain(t)
		out, err := Request{Action: Edit, Selector: sel, Changes: []Change{{"sound", "model=ich6"}}}.Apply(d, nil)
		if want == nil {
			if err == nil {
				t.Errorf("--edit %q picked %d devices", sel, len(out.Devices))
			}
			continue
		}
		if err != nil || len(out.Devices) != len(want) {
			t.Errorf("--edit %q: %v, %d devices; want %v", sel, err, len(out.Devices), want)
			continue
		}
		for i, dc := range out.Devices {
			if !strings.Contains(dc.Before, "model=\""+want[i]+"\"") || !strings.Contains(dc.After, `model="ich6"`) {
				t.Errorf("--edit %q device %d: %s -> %s", sel, i, dc.Before, dc.After)
			}
		}
	}
}

// VM settings map to the forms' fields as virt-xml reads them.
func TestSettings(t *testing.T) {
	d := domain(t)
	out, err := Request{Action: Edit, Changes: []Change{{"vcpus", "2,maxvcpus=4"}, {"memory", "512,currentMemory=256"}, {"boot", "hd,cdrom,menu=on"}, {"metadata", "title=t,description=d"}}}.Apply(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.VCPU.Value != 4 || d.VCPU.Current != 2 {
		t.Errorf("vcpus: %+v", d.VCPU)
	}
	if d.Memory.Value != 512<<10 || d.CurrentMemory.Value != 256<<10 {
		t.Errorf("memory: %+v %+v", d.Memory, d.CurrentMemory)
	}
	if len(d.OS.BootDevices) != 2 || d.OS.BootDevices[1].Dev != "cdrom" || d.OS.BootMenu == nil || d.OS.BootMenu.Enable != "yes" {
		t.Errorf("boot: %+v %+v", d.OS.BootDevices, d.OS.BootMenu)
	}
	if d.Title != "t" || d.Description != "d" {
		t.Errorf("metadata: %q %q", d.Title, d.Description)
	}
	if len(out.Settings) != 8 {
		t.Errorf("settings reported: %v", out.Settings)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		r    Request
		want string
	}{
		{Request{Action: Edit}, "no change given"},
		{Request{Action: Edit, Changes: []Change{{"cpu", "host"}}}, "--cpu is not an option kvmtui edit supports"},
		{Request{Action: Add, Changes: []Change{{"memory", "1"}}}, "--memory is a VM setting"},
		{Request{Action: Edit, Changes: []Change{{"disk", "cache=none"}, {"vcpus", "2"}}}, "one device option at a time"},
		{Request{Action: Edit, Selector: "2", Changes: []Change{{"vcpus", "2"}}}, "VM settings take a bare --edit"},
	} {
		if err := c.r.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
}

// Removing all of a kind removes each once, whatever the order of the
// lists they live in.
func TestRemoveAll(t *testing.T) {
	d := domain(t)
	out, err := Request{Action: Remove, Changes: []Change{{"sound", "all"}}}.Apply(d, nil)
	if err != nil || len(out.Devices) != 2 || len(d.Devices.Sounds) != 0 {
		t.Fatalf("%v, %d removed, %d left", err, len(out.Devices), len(d.Devices.Sounds))
	}
}
