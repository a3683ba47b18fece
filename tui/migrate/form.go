package migrate

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kvmtui/devices"
	"kvmtui/libvirtx"
)

// Choices of the form, as shown.
var (
	modes      = []string{"live", "offline"}
	keepings   = []string{"move", "keep both", "temporary"}
	storages   = []string{"shared", "full copy", "incremental copy"}
	postcopies = []string{"off", "on request (p)", "after 2 passes", "after 5 passes"}
	transports = []string{"direct", "peer-to-peer", "tunnelled"}
	yesNo      = []string{"no", "yes"}
)

// options is the form's target: where to and how.
type options struct {
	evacuate  bool // every running VM of one host: several destinations
	To        string
	Mode      string
	Keep      string
	Storage   string
	Postcopy  string
	Bandwidth uint64
	Compress  bool
	Converge  bool
	Transport string
	DataURI   string
	Listen    string
	Parallel  int
}

func (o *options) Fields() []devices.Field {
	to := devices.Field{Name: "to", Label: "Destination", Type: devices.TypeText,
		Help: "a connection kvmtui holds or a URI: qemu+ssh://root@host2/system, qemu+tcp://…, qemu+tls://…"}
	if o.evacuate {
		to.Label, to.Help = "Destinations", "URIs, comma-separated: each VM goes to the one with the most free memory left"
	}
	fs := []devices.Field{to}
	if !o.evacuate {
		fs = append(fs, devices.Field{Name: "mode", Label: "Mode", Type: devices.TypeEnum, Choices: modes,
			Help: "live: a running VM keeps running while its memory is copied; offline: a shut-off VM's definition"})
	}
	fs = append(fs, devices.Field{Name: "keep", Label: "Definition", Type: devices.TypeEnum, Choices: keepings,
		Help: map[string]string{
			"move":      "defined on the destination, removed from the source",
			"keep both": "defined on the destination, and kept (shut off) on the source",
			"temporary": "runs on the destination without a definition there; the source keeps its own",
		}[o.Keep]})
	if o.Mode == "offline" {
		return fs
	}
	fs = append(fs,
		devices.Field{Name: "storage", Label: "Storage", Type: devices.TypeEnum, Choices: storages,
			Help: "shared: the destination sees the same images; a copy goes into its pool at the same path"},
		devices.Field{Name: "postcopy", Label: "Post-copy", Type: devices.TypeEnum, Choices: postcopies,
			Help: "a VM that dirties memory faster than the link: switch so it runs there while the rest follows (a broken link loses it)"},
		devices.Field{Name: "bandwidth", Label: "Bandwidth MiB/s", Type: devices.TypeText, Optional: true, Help: "a limit, empty for none"},
		devices.Field{Name: "compress", Label: "Compress", Type: devices.TypeEnum, Choices: yesNo, Help: "compress memory pages (XBZRLE): for slow links"},
		devices.Field{Name: "converge", Label: "Auto-converge", Type: devices.TypeEnum, Choices: yesNo, Help: "slow the guest down when it dirties memory faster than the link"},
		devices.Field{Name: "transport", Label: "Transport", Type: devices.TypeEnum, Choices: transports,
			Help: "direct: QEMU to QEMU; peer-to-peer: the source's libvirtd connects; tunnelled: through libvirtd's connection"},
		devices.Field{Name: "data", Label: "Data URI", Type: devices.TypeText, Optional: true,
			Help: "where QEMU sends the memory, tcp://HOST[:PORT]; empty: the destination URI's host"},
		devices.Field{Name: "listen", Label: "Listen address", Type: devices.TypeText, Optional: true,
			Help: "where the destination's QEMU listens for it; empty: its migration_address (often every address)"},
	)
	if o.evacuate {
		fs = append(fs, devices.Field{Name: "parallel", Label: "At once", Type: devices.TypeText, Help: "how many VMs migrate at the same time (1 to 8)"})
	}
	return fs
}

func (o *options) Get(name string) string {
	switch name {
	case "to":
		return o.To
	case "mode":
		return o.Mode
	case "keep":
		return o.Keep
	case "storage":
		return o.Storage
	case "postcopy":
		return o.Postcopy
	case "bandwidth":
		if o.Bandwidth == 0 {
			return ""
		}
		return strconv.FormatUint(o.Bandwidth, 10)
	case "compress":
		return yesNo[b2i(o.Compress)]
	case "converge":
		return yesNo[b2i(o.Converge)]
	case "transport":
		return o.Transport
	case "data":
		return o.DataURI
	case "listen":
		return o.Listen
	case "parallel":
		return strconv.Itoa(o.Parallel)
	}
	return ""
}

func (o *options) Set(name, v string) error {
	v = strings.TrimSpace(v)
	oneOf := func(choices []string, dst *string) error {
		if !slices.Contains(choices, v) {
			return fmt.Errorf("one of %s", strings.Join(choices, ", "))
		}
		*dst = v
		return nil
	}
	switch name {
	case "to":
		for _, d := range o.dests(v) {
			if err := libvirtx.CheckDest(d); err != nil {
				return err
			}
		}
		if len(o.dests(v)) == 0 {
			return errors.New("a destination URI, like qemu+ssh://root@host2/system")
		}
		o.To = v
	case "mode":
		if err := oneOf(modes, &o.Mode); err != nil {
			return err
		}
		if o.Mode == "offline" && o.Keep == "temporary" {
			o.Keep = "move" // an offline move is always defined there
		}
	case "keep":
		if v == "temporary" && o.Mode == "offline" {
			return errors.New("offline moves the definition: move or keep both")
		}
		return oneOf(keepings, &o.Keep)
	case "storage":
		return oneOf(storages, &o.Storage)
	case "postcopy":
		return oneOf(postcopies, &o.Postcopy)
	case "transport":
		return oneOf(transports, &o.Transport)
	case "compress", "converge":
		if !slices.Contains(yesNo, v) {
			return errors.New("yes or no")
		}
		*map[string]*bool{"compress": &o.Compress, "converge": &o.Converge}[name] = v == "yes"
	case "bandwidth":
		if v == "" {
			o.Bandwidth = 0
			return nil
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 || n > 1<<20 {
			return errors.New("MiB/s, a whole number from 1 (empty: no limit)")
		}
		o.Bandwidth = n
	case "data":
		if v != "" && !strings.HasPrefix(v, "tcp://") && !strings.HasPrefix(v, "rdma://") {
			return errors.New("tcp://HOST or tcp://HOST:PORT (empty: the destination's host)")
		}
		o.DataURI = v
	case "listen":
		if strings.ContainsAny(v, " /") {
			return errors.New("an address of the destination, like 192.0.2.7 (empty: its default)")
		}
		o.Listen = v
	case "parallel":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 8 {
			return errors.New("from 1 to 8")
		}
		o.Parallel = n
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// Snapshot lets the form replay what was typed.
func (o *options) Snapshot() (func(), error) {
	saved := *o
	return func() { *o = saved }, nil
}

// dests are the destinations typed, one or (evacuating) several.
func (o *options) dests(v string) []string {
	var out []string
	for _, d := range strings.Split(v, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// spec is every migration's spec but for its destination.
func (o *options) spec() libvirtx.MigrateSpec {
	s := libvirtx.MigrateSpec{
		Offline:        o.Mode == "offline",
		Persistent:     o.Keep != "temporary",
		UndefineSource: o.Keep == "move",
		Bandwidth:      o.Bandwidth,
		Compressed:     o.Compress,
		AutoConverge:   o.Converge,
		P2P:            o.Transport == "peer-to-peer",
		Tunnelled:      o.Transport == "tunnelled",
		DataURI:        o.DataURI,
		ListenAddress:  o.Listen,
	}
	if s.Offline {
		return s
	}
	s.CopyStorage = map[string]string{"full copy": "full", "incremental copy": "inc"}[o.Storage]
	switch o.Postcopy {
	case "on request (p)":
		s.Postcopy = true
	case "after 2 passes":
		s.Postcopy, s.PostcopyAfter = true, 2
	case "after 5 passes":
		s.Postcopy, s.PostcopyAfter = true, 5
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
