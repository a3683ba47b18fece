package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/netdef"
)

// kvmtui net …: the network page's actions for scripts, on the same code
// paths (libvirtx's network calls, netdef's checks).

func (o *options) netCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "net",
		Short: "virtual networks: list, start, stop, restart, autostart, define, delete, DHCP hosts, leases",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(o.netListCommand(), o.netStartCommand(), o.netStopCommand("stop"), o.netStopCommand("restart"), o.netStopCommand("delete"),
		o.netAutostartCommand(), o.netDefineCommand(), o.netDHCPHostCommand(), o.netLeasesCommand())
	return c
}

// checkFormat refuses an output format other than table or json.
func (o *options) checkFormat(cmd, format string) error {
	if format != "table" && format != "json" {
		return o.usage("%s: --format %q: expected table or json", cmd, format)
	}
	return nil
}

func (o *options) writeJSON(v any) error {
	enc := json.NewEncoder(o.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// findNet is the network of that name on the session's connections.
func (s *session) findNet(name string) (libvirtx.Network, error) {
	var found []libvirtx.Network
	for _, uri := range s.uris {
		if n, err := s.mgr.Network(uri, name); err == nil {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return libvirtx.Network{}, fmt.Errorf("no network named %q on %s", name, strings.Join(s.uris, ", "))
	case 1:
		return found[0], nil
	}
	return libvirtx.Network{}, fmt.Errorf("network %q exists on several connections: name one with -c", name)
}

// vmsOn names the VMs of the network's host whose NICs use it.
func (s *session) vmsOn(n libvirtx.Network, runningOnly bool) []string {
	var out []string
	for _, d := range s.doms {
		if d.URI == n.URI && (!runningOnly || d.State.Active()) && slices.Contains(d.Networks, n.Name) {
			out = append(out, d.Name)
		}
	}
	slices.Sort(out)
	return out
}

// netJSON is a network as `net list --format json` prints it.
type netJSON struct {
	Name       string   `json:"name"`
	URI        string   `json:"uri"`
	UUID       string   `json:"uuid"`
	Active     bool     `json:"active"`
	Persistent bool     `json:"persistent"`
	Autostart  bool     `json:"autostart"`
	Mode       string   `json:"mode"`
	Bridge     string   `json:"bridge,omitempty"`
	Subnets    []string `json:"subnets"`
	DHCP       []string `json:"dhcp_ranges"`
	Hosts      []string `json:"static_hosts"`
	Leases     *int     `json:"leases"` // null: unknown
	Pending    bool     `json:"restart_pending"`
	VMs        []string `json:"vms"`
}

func (o *options) netListCommand() *cobra.Command {
	format := "table"
	c := &cobra.Command{
		Use:   "list [--format table|json]",
		Short: "list the networks of every connection",
		Args:  cobra.NoArgs,
		RunE: o.inSession(func(s *session, _ []string) error {
			if err := o.checkFormat("net list", format); err != nil {
				return err
			}
			var nets []libvirtx.Network
			for _, uri := range s.uris {
				ns, err := s.mgr.Networks(uri)
				if err != nil {
					return o.fail(fmt.Errorf("%s: %w", uri, err))
				}
				nets = append(nets, ns...)
			}
			if format == "json" {
				out := []netJSON{}
				for _, n := range nets {
					j := netJSON{Name: n.Name, URI: n.URI, UUID: n.UUID, Active: n.Active, Persistent: n.Persistent, Autostart: n.Autostart, Pending: n.Pending,
						Mode: n.ModeText(), Bridge: n.Bridge, Subnets: append([]string{}, n.Subnets()...), DHCP: []string{}, Hosts: []string{}, VMs: s.vmsOn(n, false)}
					for _, ip := range n.IPs {
						for _, r := range ip.Ranges {
							j.DHCP = append(j.DHCP, r.String())
						}
						for _, h := range ip.Hosts {
							j.Hosts = append(j.Hosts, h.String())
						}
					}
					if n.Leases >= 0 {
						j.Leases = &n.Leases
					}
					if j.VMs == nil {
						j.VMs = []string{}
					}
					out = append(out, j)
				}
				return o.writeJSON(out)
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSTATE\tAUTOSTART\tMODE\tBRIDGE\tSUBNETS\tLEASES\tURI")
			for _, n := range nets {
				state, leases := "inactive", "-"
				if n.Active {
					state = "active"
				}
				if n.Pending {
					state = "active, restart pending"
				}
				if n.Leases >= 0 {
					leases = fmt.Sprint(n.Leases)
				}
				fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\t%s\t%s\t%s\n", n.Name, state, n.Autostart, n.ModeText(), n.Bridge,
					strings.Join(n.Subnets(), ","), leases, n.URI)
			}
			return tw.Flush()
		}),
	}
	c.Flags().StringVar(&format, "format", format, "table or json")
	return c
}

// eachNet runs an action on each named network; one failure does not
// stop the rest.
func (s *session) eachNet(word string, names []string, f func(n libvirtx.Network) error) error {
	failed := false
	for _, name := range names {
		n, err := s.findNet(name)
		if err == nil {
			err = f(n)
		}
		if err != nil {
			fmt.Fprintf(s.o.stderr, "kvmtui: net %s %s: %v\n", word, name, err)
			failed = true
		}
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

func (o *options) netStartCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "start NET...",
		Short: "start networks",
		Args:  cobra.MinimumNArgs(1),
		RunE: o.inSession(func(s *session, names []string) error {
			return s.eachNet("start", names, func(n libvirtx.Network) error {
				if n.Active {
					return fmt.Errorf("already active")
				}
				return s.mgr.DoNet(n.URI, n.Name, libvirtx.NetStart)
			})
		}),
	}
}

// netStopCommand is `net stop`, `net restart` or `net delete`: each names
// the VMs on the network and asks first, unless --yes.
func (o *options) netStopCommand(word string) *cobra.Command {
	var yes bool
	act, short := map[string]libvirtx.NetAction{"stop": libvirtx.NetStop, "restart": libvirtx.NetRestart, "delete": libvirtx.NetUndefine}[word],
		map[string]string{
			"stop":    "stop networks (running VMs on them lose their link until they restart); asks first unless --yes",
			"restart": "restart networks so their definitions apply (as stop); asks first unless --yes",
			"delete":  "stop and undefine networks; asks first unless --yes",
		}[word]
	c := &cobra.Command{
		Use:   word + " [--yes] NET...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: o.inSession(func(s *session, names []string) error {
			return s.eachNet(word, names, func(n libvirtx.Network) error {
				if word != "delete" && !n.Active {
					return fmt.Errorf("not active")
				}
				if vms := s.vmsOn(n, word != "delete"); len(vms) > 0 {
					fmt.Fprintf(o.stdout, "%s: VMs on it: %s\n", n.Name, strings.Join(vms, ", "))
				}
				if !yes && !o.confirm(word+" network "+n.Name+"?") {
					return fmt.Errorf("cancelled")
				}
				return s.mgr.DoNet(n.URI, n.Name, act)
			})
		}),
	}
	c.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return c
}

// confirm asks a yes/no question on the terminal.
func (o *options) confirm(q string) bool {
	fmt.Fprint(o.stdout, q+" [y/N] ")
	var answer string
	fmt.Fscanln(os.Stdin, &answer)
	return answer == "y" || answer == "yes"
}

func (o *options) netAutostartCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "autostart on|off NET...",
		Short: "start networks with the host, or not",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 || (args[0] != "on" && args[0] != "off") {
				return o.usage("usage: kvmtui net autostart on|off NET...")
			}
			return nil
		},
		RunE: o.inSession(func(s *session, args []string) error {
			a := map[string]libvirtx.NetAction{"on": libvirtx.NetAutostartOn, "off": libvirtx.NetAutostartOff}[args[0]]
			return s.eachNet("autostart", args[1:], func(n libvirtx.Network) error {
				if !n.Persistent {
					return fmt.Errorf("transient: only a defined network can start with the host")
				}
				return s.mgr.DoNet(n.URI, n.Name, a)
			})
		}),
	}
}

// netDefineCommand takes the new-network form's fields as flags.
func (o *options) netDefineCommand() *cobra.Command {
	var ff *formFlags
	c := &cobra.Command{
		Use:   "define --name NAME [--mode MODE] [--ipv4 CIDR] [--dhcp4 FIRST-LAST|none] …",
		Short: "define a network, checked against the host, and start it (unless --start=no)",
		Long: `Define a virtual network from the same fields as the new-network form.
A name, bridge or subnet already in use, a subnet overlapping another
network or a host route, a DHCP range outside its subnet or a missing host
NIC is refused before anything is defined. Without --ipv4, an isolated,
nat or route network gets a free 192.168.N.1/24 with DHCP on its upper half.`,
		Args: cobra.NoArgs,
		RunE: o.inSession(func(s *session, _ []string) error {
			if len(s.uris) != 1 {
				return o.usage("net define: name one connection with -c")
			}
			uri := s.uris[0]
			h, err := s.mgr.NetHost(uri)
			if err != nil {
				return o.fail(err)
			}
			spec := netdef.NewSpec(h)
			noneIsEmpty := func(name, v string) string {
				if name == "dhcp4" || name == "dhcp6" {
					return strings.TrimSuffix(v, "none")
				}
				return v
			}
			if err := ff.apply(spec, noneIsEmpty); err != nil {
				return o.usage("net define: %v", err)
			}
			if err := s.mgr.DefineNetwork(uri, spec); err != nil {
				return o.fail(err)
			}
			fmt.Fprintf(o.stdout, "defined network %s (%s)\n", spec.Name, uri)
			return nil
		}),
	}
	ff = newFormFlags(c, "mode", netdef.Modes, func(mode string) []devices.Field { return (&netdef.Spec{Mode: mode}).Fields() })
	return c
}

func (o *options) netDHCPHostCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "dhcp-host",
		Short: "add or remove a network's DHCP static hosts, live and in its definition",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	var mac, name, ip string
	add := &cobra.Command{
		Use:   "add NET --ip IP [--mac MAC] [--name NAME]",
		Short: "give a guest a fixed address (IPv4: by MAC; IPv6: by name)",
		Args:  cobra.ExactArgs(1),
		RunE: o.inSession(func(s *session, args []string) error {
			h, err := netdef.ParseStaticHost(mac, name, ip)
			if err != nil {
				return o.usage("net dhcp-host add: %v", err)
			}
			return s.editNet(args[0], libvirtx.NetEdit{Op: libvirtx.NetAdd, Host: &h}, "added static host "+h.String())
		}),
	}
	remove := &cobra.Command{
		Use:   "remove NET (--mac MAC | --name NAME | --ip IP)",
		Short: "remove the static host with that MAC, name or address",
		Args:  cobra.ExactArgs(1),
		RunE: o.inSession(func(s *session, args []string) error {
			n, err := s.findNet(args[0])
			if err != nil {
				return o.fail(err)
			}
			if mac == "" && name == "" && ip == "" {
				return o.usage("net dhcp-host remove: give --mac, --name or --ip")
			}
			for _, sub := range n.IPs {
				for _, h := range sub.Hosts {
					if (mac == "" || strings.EqualFold(h.MAC, mac)) && (name == "" || h.Name == name) && (ip == "" || h.IP.String() == ip) {
						return s.editNet(n.Name, libvirtx.NetEdit{Op: libvirtx.NetRemove, Old: &h}, "removed static host "+h.String())
					}
				}
			}
			return o.fail(fmt.Errorf("%s has no such static host", n.Name))
		}),
	}
	for _, sub := range []*cobra.Command{add, remove} {
		sub.Flags().StringVar(&mac, "mac", "", "the guest NIC's MAC")
		sub.Flags().StringVar(&name, "name", "", "the guest's host name")
		sub.Flags().StringVar(&ip, "ip", "", "the address")
	}
	c.AddCommand(add, remove)
	return c
}

// editNet applies a DHCP/DNS edit and says where it took effect.
func (s *session) editNet(name string, e libvirtx.NetEdit, what string) error {
	n, err := s.findNet(name)
	if err != nil {
		return s.o.fail(err)
	}
	live, err := s.mgr.EditNetwork(n.URI, n.Name, e)
	if err != nil {
		return s.o.fail(err)
	}
	where := "live and in its definition"
	if !live {
		where = "in its definition: it is not running"
	}
	fmt.Fprintf(s.o.stdout, "%s of %s (%s)\n", what, n.Name, where)
	return nil
}

// leaseJSON is a lease as `net leases --format json` prints it.
type leaseJSON struct {
	IP       string `json:"ip"`
	Prefix   uint   `json:"prefix"`
	MAC      string `json:"mac"`
	Hostname string `json:"hostname,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Expiry   string `json:"expiry,omitempty"` // RFC 3339; empty: never
	VM       string `json:"vm,omitempty"`
}

func (o *options) netLeasesCommand() *cobra.Command {
	format := "table"
	c := &cobra.Command{
		Use:   "leases NET [--format table|json]",
		Short: "a network's DHCP leases, with the VM each MAC belongs to",
		Args:  cobra.ExactArgs(1),
		RunE: o.inSession(func(s *session, args []string) error {
			if err := o.checkFormat("net leases", format); err != nil {
				return err
			}
			n, err := s.findNet(args[0])
			if err != nil {
				return o.fail(err)
			}
			ls, err := s.mgr.Leases(n.URI, n.Name)
			if err != nil {
				return o.fail(err)
			}
			out := []leaseJSON{}
			for _, l := range ls {
				j := leaseJSON{IP: l.IP, Prefix: l.Prefix, MAC: l.MAC, Hostname: l.Hostname, ClientID: l.ClientID, VM: s.vmByMAC(n.URI, l.MAC)}
				if !l.Expiry.IsZero() {
					j.Expiry = l.Expiry.UTC().Format("2006-01-02T15:04:05Z")
				}
				out = append(out, j)
			}
			if format == "json" {
				return o.writeJSON(out)
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "IP\tMAC\tHOSTNAME\tEXPIRES\tVM")
			for _, j := range out {
				fmt.Fprintf(tw, "%s/%d\t%s\t%s\t%s\t%s\n", j.IP, j.Prefix, j.MAC, j.Hostname, j.Expiry, j.VM)
			}
			return tw.Flush()
		}),
	}
	c.Flags().StringVar(&format, "format", format, "table or json")
	return c
}

// vmByMAC names the VM of a host with a NIC of that MAC.
func (s *session) vmByMAC(uri, mac string) string {
	for _, d := range s.doms {
		if d.URI == uri && slices.Contains(d.MACs, strings.ToLower(mac)) {
			return d.Name
		}
	}
	return ""
}
