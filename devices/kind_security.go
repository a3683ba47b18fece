package devices

import (
	"fmt"
	"slices"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// TPM and random number generator.

var (
	tpmModels   = []string{"tpm-crb", "tpm-tis"}
	tpmBackends = []string{"emulator", "passthrough"}
	tpmVersions = []string{"2.0", "1.2"}
	rngModels   = []string{"virtio", "virtio-transitional", "virtio-non-transitional"}
	rngBackends = []string{"random", "egd", "builtin"}
	rngSources  = []string{"/dev/urandom", "/dev/random", "/dev/hwrng"}
)

func tpmModelChoices(c *Caps) []string { return offered(tpmModels, c.TPMModels) }

func tpmBackendChoices(c *Caps) []string { return offered(tpmBackends, c.TPMBackends) }

var kindTPM = register(&Kind{ID: "tpm", Title: "TPM", Addable: true}, &kindDef[lx.DomainTPM]{
	fields: []spec[lx.DomainTPM]{
		{
			Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: tpmModels,
				Help: "tpm-crb for TPM 2.0 (Windows 11), tpm-tis for either version"},
			choices: tpmModelChoices,
			get:     func(t *lx.DomainTPM) string { return t.Model },
			set:     func(t *lx.DomainTPM, s string) error { t.Model = s; return nil },
		},
		{
			Field: Field{Name: "backend", Label: "Backend", Type: TypeEnum, Choices: tpmBackends,
				Help: "emulator: a software TPM (swtpm) per VM; passthrough: the host's own TPM, exclusively"},
			choices: tpmBackendChoices,
			get:     tpmBackend,
			set: func(t *lx.DomainTPM, s string) error {
				if s == tpmBackend(t) {
					return nil
				}
				if s == "emulator" {
					t.Backend = &lx.DomainTPMBackend{Emulator: &lx.DomainTPMBackendEmulator{Version: "2.0"}}
				} else {
					t.Backend = &lx.DomainTPMBackend{Passthrough: &lx.DomainTPMBackendPassthrough{Device: &lx.DomainTPMBackendDevice{Path: "/dev/tpm0"}}}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "version", Label: "Version", Type: TypeEnum, Choices: tpmVersions,
				Help: "2.0 for current guests; 1.2 only with tpm-tis"},
			choices: func(c *Caps) []string { return offered(tpmVersions, c.TPMVersions) },
			when:    func(t *lx.DomainTPM) bool { return tpmBackend(t) == "emulator" },
			get: func(t *lx.DomainTPM) string {
				if v := t.Backend.Emulator.Version; v != "" {
					return v
				}
				return "2.0" // libvirt's default since 8.0
			},
			set: func(t *lx.DomainTPM, s string) error { t.Backend.Emulator.Version = s; return nil },
		},
		{
			Field: Field{Name: "device", Label: "Host TPM", Type: TypePath, Help: "the host's TPM device, usually /dev/tpm0"},
			when:  func(t *lx.DomainTPM) bool { return tpmBackend(t) == "passthrough" },
			get: func(t *lx.DomainTPM) string {
				if d := t.Backend.Passthrough.Device; d != nil {
					return d.Path
				}
				return ""
			},
			set: func(t *lx.DomainTPM, s string) error {
				t.Backend.Passthrough.Device = &lx.DomainTPMBackendDevice{Path: s}
				return nil
			},
		},
	},
	list: func(def *lx.Domain) []*lx.DomainTPM { return pointers(def.Devices.TPMs) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainTPM {
		models := offered(tpmModels, capsList(caps, func(c *Caps) []string { return c.TPMModels }))
		model := models[0]
		if m := machineOf(caps, def); !m.x86() && slices.Contains(models, "tpm-tis") {
			model = "tpm-tis" // CRB is an x86 interface
		}
		t := &lx.DomainTPM{Model: model}
		if backends := offered(tpmBackends, capsList(caps, func(c *Caps) []string { return c.TPMBackends })); backends[0] == "emulator" {
			t.Backend = &lx.DomainTPMBackend{Emulator: &lx.DomainTPMBackendEmulator{Version: "2.0"}}
		} else {
			t.Backend = &lx.DomainTPMBackend{Passthrough: &lx.DomainTPMBackendPassthrough{Device: &lx.DomainTPMBackendDevice{Path: "/dev/tpm0"}}}
		}
		return t
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if caps.denies("tpm") || len(offered(tpmModels, capsList(caps, func(c *Caps) []string { return c.TPMModels }))) == 0 ||
			len(offered(tpmBackends, capsList(caps, func(c *Caps) []string { return c.TPMBackends }))) == 0 {
			return "this QEMU offers no TPM"
		}
		if def != nil && def.Devices != nil && len(def.Devices.TPMs) > 0 {
			return "the VM already has a TPM"
		}
		return ""
	},
	valid: func(t *lx.DomainTPM, _ ctx) error {
		switch tpmBackend(t) {
		case "":
			return fmt.Errorf("the TPM has no backend; choose emulator or passthrough")
		case "emulator":
			if t.Model == "tpm-crb" && t.Backend.Emulator.Version == "1.2" {
				return fmt.Errorf("tpm-crb needs TPM 2.0; choose version 2.0 or model tpm-tis")
			}
		case "passthrough":
			if t.Backend.Passthrough.Device == nil || t.Backend.Passthrough.Device.Path == "" {
				return fmt.Errorf("a passthrough TPM needs the host device, like /dev/tpm0")
			}
		}
		return nil
	},
	sum: func(t *lx.DomainTPM) string {
		switch tpmBackend(t) {
		case "emulator":
			v := t.Backend.Emulator.Version
			if v == "" {
				v = "2.0"
			}
			return joinSummary("TPM "+v, t.Model, "emulated")
		case "passthrough":
			dev := ""
			if t.Backend.Passthrough.Device != nil {
				dev = t.Backend.Passthrough.Device.Path
			}
			return joinSummary("TPM", t.Model, "passthrough "+dev)
		}
		return joinSummary("TPM", t.Model, tpmBackend(t))
	},
	put: func(def *lx.Domain, t *lx.DomainTPM) { def.Devices.TPMs = append(def.Devices.TPMs, *t) },
})

func tpmBackend(t *lx.DomainTPM) string {
	switch b := t.Backend; {
	case b == nil:
		return ""
	case b.Emulator != nil:
		return "emulator"
	case b.Passthrough != nil:
		return "passthrough"
	case b.External != nil:
		return "external"
	}
	return ""
}

var kindRNG = register(&Kind{ID: "rng", Title: "Random number generator", Hotplug: true, Addable: true}, &kindDef[lx.DomainRNG]{
	fields: []spec[lx.DomainRNG]{
		{
			Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: rngModels,
				Help: "virtio-rng; the transitional models are for old guests"},
			choices: func(c *Caps) []string { return offered(rngModels, c.RNGModels) },
			get:     func(r *lx.DomainRNG) string { return r.Model },
			set:     func(r *lx.DomainRNG, s string) error { r.Model = s; return nil },
		},
		{
			Field: Field{Name: "backend", Label: "Backend", Type: TypeEnum, Choices: rngBackends,
				Help: "random: a host device; builtin: QEMU's own generator; egd: an entropy daemon over TCP"},
			choices: func(c *Caps) []string { return offered(rngBackends, c.RNGBackends) },
			get:     rngBackend,
			set: func(r *lx.DomainRNG, s string) error {
				if s == rngBackend(r) {
					return nil
				}
				switch s {
				case "random":
					r.Backend = &lx.DomainRNGBackend{Random: &lx.DomainRNGBackendRandom{Device: "/dev/urandom"}}
				case "builtin":
					r.Backend = &lx.DomainRNGBackend{BuiltIn: &lx.DomainRNGBackendBuiltIn{}}
				case "egd":
					r.Backend = &lx.DomainRNGBackend{EGD: &lx.DomainRNGBackendEGD{Source: &lx.DomainChardevSource{
						TCP: &lx.DomainChardevSourceTCP{Mode: "connect", Host: "127.0.0.1", Service: "1708"}}}}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "source", Label: "Source", Type: TypeEnum, Choices: rngSources,
				Help: "the host device read for entropy; /dev/urandom never blocks"},
			when: func(r *lx.DomainRNG) bool { return rngBackend(r) == "random" },
			get:  func(r *lx.DomainRNG) string { return r.Backend.Random.Device },
			set:  func(r *lx.DomainRNG, s string) error { r.Backend.Random.Device = s; return nil },
		},
		{
			Field: Field{Name: "egd", Label: "EGD server", Type: TypeText,
				Help: "the entropy daemon as host:port, like 127.0.0.1:1708"},
			when: func(r *lx.DomainRNG) bool { return rngBackend(r) == "egd" },
			parse: func(s string) (string, error) {
				h, p, err := splitHostPort(s)
				if err != nil || p == "" {
					return "", fmt.Errorf("invalid EGD server %q: expected host:port, like 127.0.0.1:1708", s)
				}
				return joinHostPort(h, p), nil
			},
			get: func(r *lx.DomainRNG) string {
				if s := r.Backend.EGD.Source; s != nil && s.TCP != nil {
					return joinHostPort(s.TCP.Host, s.TCP.Service)
				}
				return ""
			},
			set: func(r *lx.DomainRNG, s string) error {
				h, p, _ := splitHostPort(s)
				r.Backend.EGD.Source = &lx.DomainChardevSource{TCP: &lx.DomainChardevSourceTCP{Mode: "connect", Host: h, Service: p}}
				return nil
			},
		},
		{
			Field: Field{Name: "rate_bytes", Label: "Rate limit (bytes)", Type: TypeNumber, Optional: true,
				Help: "at most this many bytes per period reach the guest; empty for no limit"},
			min: 1, max: 1<<32 - 1,
			get: func(r *lx.DomainRNG) string {
				if r.Rate == nil {
					return ""
				}
				return optUtoa(r.Rate.Bytes)
			},
			set: func(r *lx.DomainRNG, s string) error {
				if s == "" {
					r.Rate = nil
					return nil
				}
				if r.Rate == nil {
					r.Rate = &lx.DomainRNGRate{}
				}
				r.Rate.Bytes = atou(s)
				return nil
			},
		},
		{
			Field: Field{Name: "rate_period", Label: "Rate period (ms)", Type: TypeNumber, Optional: true,
				Help: "the period of the rate limit in milliseconds (default 1000)"},
			min: 1, max: 1<<32 - 1,
			when: func(r *lx.DomainRNG) bool { return r.Rate != nil },
			get:  func(r *lx.DomainRNG) string { return optUtoa(r.Rate.Period) },
			set:  func(r *lx.DomainRNG, s string) error { r.Rate.Period = atou(s); return nil },
		},
	},
	list: func(def *lx.Domain) []*lx.DomainRNG { return pointers(def.Devices.RNGs) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainRNG {
		r := &lx.DomainRNG{Model: offered(rngModels, capsList(caps, func(c *Caps) []string { return c.RNGModels }))[0]}
		if Has(capsList(caps, func(c *Caps) []string { return c.RNGBackends }), "random") {
			r.Backend = &lx.DomainRNGBackend{Random: &lx.DomainRNGBackendRandom{Device: "/dev/urandom"}}
		} else {
			r.Backend = &lx.DomainRNGBackend{BuiltIn: &lx.DomainRNGBackendBuiltIn{}}
		}
		return r
	},
	unavail: func(caps *Caps, _ *lx.Domain) string {
		if caps.denies("rng") || len(offered(rngModels, capsList(caps, func(c *Caps) []string { return c.RNGModels }))) == 0 ||
			!Has(capsList(caps, func(c *Caps) []string { return c.RNGBackends }), "random") &&
				!Has(capsList(caps, func(c *Caps) []string { return c.RNGBackends }), "builtin") {
			return "this QEMU offers no virtio RNG"
		}
		return ""
	},
	valid: func(r *lx.DomainRNG, _ ctx) error {
		if rngBackend(r) == "" {
			return fmt.Errorf("the RNG has no backend; choose random, builtin or egd")
		}
		return nil
	},
	sum: func(r *lx.DomainRNG) string {
		src := rngBackend(r)
		switch src {
		case "random":
			src = r.Backend.Random.Device
		case "egd":
			if s := r.Backend.EGD.Source; s != nil && s.TCP != nil {
				src = "egd " + joinHostPort(s.TCP.Host, s.TCP.Service)
			}
		}
		return joinSummary(strings.TrimSpace(r.Model+" RNG"), src)
	},
	put: func(def *lx.Domain, r *lx.DomainRNG) { def.Devices.RNGs = append(def.Devices.RNGs, *r) },
})

func rngBackend(r *lx.DomainRNG) string {
	switch b := r.Backend; {
	case b == nil:
		return ""
	case b.Random != nil:
		return "random"
	case b.BuiltIn != nil:
		return "builtin"
	case b.EGD != nil:
		return "egd"
	}
	return ""
}
