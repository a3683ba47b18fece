package devices

import (
	"testing"
)

// addableKinds are the kinds a fuzz input picks from.
func addableKinds() []*Kind {
	var out []*Kind
	for _, k := range Kinds() {
		if k.Addable {
			out = append(out, k)
		}
	}
	return out
}

// FuzzDeviceSet drives every field of every kind with arbitrary text. A
// Set either fails and leaves the device as it was, or stores a value
// that reads back in a form Set accepts unchanged, in a device whose XML
// parses back.
func FuzzDeviceSet(f *testing.F) {
	kinds := addableKinds()
	for ki, k := range kinds {
		d := newDev(f, k.ID, nil)
		for fi, fl := range k.Fields(nil) {
			f.Add(uint8(ki), uint8(fi), d.Get(fl.Name))
			f.Add(uint8(ki), uint8(fi), "")
		}
	}
	for _, s := range []string{"-1", "99999999999999999999", "0000:00:1f.2", "046d:c52b", "001:004", "52:54:00:12:34:56",
		"10Mbit", "1.5 GiB", "tcp:1-2:3 exclude address=::1 dev=eth0", "a\x00b", "é", "auto", "yes"} {
		f.Add(uint8(0), uint8(0), s)
		f.Add(uint8(3), uint8(12), s)
	}
	f.Fuzz(func(t *testing.T, ki, fi uint8, value string) {
		k := kinds[int(ki)%len(kinds)]
		d := newDev(t, k.ID, nil)
		fields := d.Fields()
		fl := fields[int(fi)%len(fields)]
		before := rawXML(d)
		if err := d.Set(fl.Name, value); err != nil {
			if after := rawXML(d); after != before {
				t.Fatalf("%s.%s: refused %q but changed the device", k.ID, fl.Name, value)
			}
			return
		}
		got := d.Get(fl.Name)
		if err := d.Set(fl.Name, got); err != nil {
			t.Fatalf("%s.%s: Set(%q) read back %q, which Set refuses: %v", k.ID, fl.Name, value, got, err)
		}
		if again := d.Get(fl.Name); again != got {
			t.Fatalf("%s.%s: %q reads %q, then %q", k.ID, fl.Name, value, got, again)
		}
		if _, err := k.impl.decode(rawXML(d)); err != nil {
			t.Fatalf("%s.%s=%q: XML does not parse back: %v", k.ID, fl.Name, value, err)
		}
	})
}

// FuzzSettingsSet does the same for the domain-level settings.
func FuzzSettingsSet(f *testing.F) {
	var names []string
	for _, sec := range Sections() {
		for _, fl := range sec.Fields(nil) {
			names = append(names, fl.Name)
		}
	}
	for i, c := range fullSettings {
		f.Add(uint8(i), c.value)
		f.Add(uint8(i), "")
	}
	f.Add(uint8(0), "\xff")
	f.Fuzz(func(t *testing.T, fi uint8, value string) {
		s := &Settings{Def: testDomain(nil)}
		// A few settings only apply once others are on.
		for _, kv := range [][2]string{{"cpu_mode", "custom"}, {"hugepages", "yes"}, {"numa_mode", "strict"}, {"numa_placement", "static"}} {
			if err := s.Set(kv[0], kv[1]); err != nil {
				t.Fatal(err)
			}
		}
		name := names[int(fi)%len(names)]
		before, _ := s.Def.Marshal()
		if err := s.Set(name, value); err != nil {
			if after, _ := s.Def.Marshal(); after != before {
				t.Fatalf("%s: refused %q but changed the definition", name, value)
			}
			return
		}
		got := s.Get(name)
		if err := s.Set(name, got); err != nil {
			t.Fatalf("%s: Set(%q) reads back %q, which Set refuses: %v", name, value, got, err)
		}
		if again := s.Get(name); again != got {
			t.Fatalf("%s: %q reads %q, then %q", name, value, got, again)
		}
		doc, err := s.Def.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CloneDomain(s.Def); err != nil {
			t.Fatalf("%s=%q: definition does not parse back: %v\n%s", name, value, err, doc)
		}
	})
}
