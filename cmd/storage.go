package cmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/pooldef"
)

// kvmtui pool … and kvmtui vol …: the storage pages' actions for scripts.

// findPool is the pool of that name on the session's connections.
func (s *session) findPool(name string) (libvirtx.Pool, error) {
	var found []libvirtx.Pool
	for _, uri := range s.uris {
		ps, err := s.mgr.Pools(uri)
		if err != nil {
			return libvirtx.Pool{}, err
		}
		for _, p := range ps {
			if p.Name == name {
				found = append(found, p)
			}
		}
	}
	switch len(found) {
	case 0:
		return libvirtx.Pool{}, fmt.Errorf("no storage pool named %q on %s", name, strings.Join(s.uris, ", "))
	case 1:
		return found[0], nil
	}
	return libvirtx.Pool{}, fmt.Errorf("pool %q exists on several connections: name one with -c", name)
}

func (o *options) poolCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "pool",
		Short: "storage pools: list, start, stop, autostart, refresh, delete",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	format := "table"
	list := &cobra.Command{
		Use:   "list [--format table|json]",
		Short: "list the storage pools of every connection",
		Args:  cobra.NoArgs,
		RunE: o.inSession(func(s *session, _ []string) error {
			if err := o.checkFormat("pool list", format); err != nil {
				return err
			}
			all := []libvirtx.Pool{}
			for _, uri := range s.uris {
				ps, err := s.mgr.Pools(uri)
				if err != nil {
					return o.fail(fmt.Errorf("%s: %w", uri, err))
				}
				all = append(all, ps...)
			}
			if format == "json" {
				return o.writeJSON(all)
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTYPE\tSTATE\tAUTOSTART\tSIZE\tFREE\tVOLUMES\tPATH\tURI")
			for _, p := range all {
				state := map[bool]string{true: "active", false: "inactive"}[p.Active]
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\t%d\t%s\t%s\n", p.Name, p.Type, state, p.Autostart,
					devices.ApproxSize(p.Capacity), devices.ApproxSize(p.Available), max(p.Volumes, 0), p.Target, p.URI)
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&format, "format", format, "table or json")
	c.AddCommand(list)
	for _, a := range []struct {
		use   string
		act   libvirtx.PoolAction
		short string
	}{
		{"start", libvirtx.PoolStart, "start pools"},
		{"stop", libvirtx.PoolStop, "stop pools (their volumes stay)"},
		{"refresh", libvirtx.PoolRefresh, "rescan pools' volumes"},
		{"delete", libvirtx.PoolUndefine, "remove pools from libvirt (their storage stays)"},
	} {
		c.AddCommand(&cobra.Command{
			Use:   a.use + " POOL...",
			Short: a.short,
			Args:  cobra.MinimumNArgs(1),
			RunE: o.inSession(func(s *session, names []string) error {
				return s.eachPool(a.use, names, func(p libvirtx.Pool) error { return s.mgr.DoPool(p.URI, p.Name, a.act) })
			}),
		})
	}
	var host, initiator string
	sources := &cobra.Command{
		Use:   "sources TYPE [--host HOST[:PORT]] [--initiator IQN]",
		Short: "what libvirt finds for a new pool: volume groups (logical), a server's exports (netfs --host), a portal's targets (iscsi, iscsi-direct --host --initiator)",
		Args:  cobra.ExactArgs(1),
		RunE: o.inSession(func(s *session, args []string) error {
			if len(s.uris) != 1 {
				return o.usage("pool sources: name one connection with -c")
			}
			if (args[0] == "netfs" || strings.HasPrefix(args[0], "iscsi")) && host == "" {
				return o.usage("pool sources %s: name the server with --host", args[0])
			}
			if args[0] == "iscsi-direct" && initiator == "" {
				return o.usage("pool sources iscsi-direct: it logs in as --initiator IQN")
			}
			found, err := s.mgr.PoolSources(s.uris[0], args[0], host, initiator)
			if err != nil {
				return o.fail(err)
			}
			for _, f := range found {
				fmt.Fprintln(o.stdout, f)
			}
			return nil
		}),
	}
	sources.Flags().StringVar(&host, "host", "", "the server to ask (netfs, iscsi, iscsi-direct), with :PORT when not the default")
	sources.Flags().StringVar(&initiator, "initiator", "", "iscsi-direct: this host's IQN to log in as")
	c.AddCommand(sources)
	c.AddCommand(o.poolDefineCommand(), &cobra.Command{
		Use:   "autostart on|off POOL...",
		Short: "start pools with the host, or not",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 || (args[0] != "on" && args[0] != "off") {
				return o.usage("usage: kvmtui pool autostart on|off POOL...")
			}
			return nil
		},
		RunE: o.inSession(func(s *session, args []string) error {
			a := map[string]libvirtx.PoolAction{"on": libvirtx.PoolAutostartOn, "off": libvirtx.PoolAutostartOff}[args[0]]
			return s.eachPool("autostart", args[1:], func(p libvirtx.Pool) error { return s.mgr.DoPool(p.URI, p.Name, a) })
		}),
	})
	return c
}

// poolDefineCommand takes the new-pool form's fields as flags.
func (o *options) poolDefineCommand() *cobra.Command {
	var ff *formFlags
	var secretFile string
	c := &cobra.Command{
		Use:   "define --name NAME [--type TYPE] [--target PATH] [--device DEV] [--host H] …",
		Short: "define a storage pool (any type the daemon supports), build and start it as asked",
		Long: `Define a storage pool from the same fields as the new-pool form. A name
taken, a type the daemon lacks, a field the type needs, a missing target
directory (unless --build yes) or device is refused before anything is
defined; a failed build leaves no definition. Without --type: a dir pool
at /var/lib/libvirt/NAME, built, started and autostarted. iSCSI (CHAP)
and rbd (cephx) pools authenticate with --auth_user and --secret-file:
libvirt keeps the password or key in a private secret, removed with the
pool (kvmtui pool delete).`,
		Args: cobra.NoArgs,
		RunE: o.inSession(func(s *session, _ []string) error {
			if len(s.uris) != 1 {
				return o.usage("pool define: name one connection with -c")
			}
			uri := s.uris[0]
			h, err := s.mgr.PoolHost(uri)
			if err != nil {
				return o.fail(err)
			}
			spec := pooldef.New(h)
			if err := ff.apply(spec, nil); err != nil {
				return o.usage("pool define: %v", err)
			}
			if secretFile != "" {
				b, err := os.ReadFile(secretFile)
				if err != nil {
					return o.fail(err)
				}
				v := strings.TrimRight(string(b), "\r\n")
				if v == "" {
					return o.fail(fmt.Errorf("%s holds no password or key", secretFile))
				}
				spec.Secret = [2]string{v, v}
			}
			if *ff.vals["target"] == "" && spec.Type == "dir" {
				spec.Target = "/var/lib/libvirt/" + spec.Name
			}
			if err := s.mgr.DefinePool(uri, spec); err != nil {
				return o.fail(err)
			}
			fmt.Fprintf(o.stdout, "defined pool %s (%s)\n", spec.Name, uri)
			return nil
		}),
	}
	ff = newFormFlags(c, "type", pooldef.Types, func(t string) []devices.Field { return (&pooldef.Spec{Type: t}).Fields() })
	c.Flags().StringVar(&secretFile, "secret-file", "", "with --auth_user: the CHAP password or Ceph key (base64), read from this file's first line; libvirt keeps it in a private secret")
	return c
}

// eachPool runs an action on each named pool; one failure does not stop
// the rest.
func (s *session) eachPool(word string, names []string, f func(p libvirtx.Pool) error) error {
	failed := false
	for _, name := range names {
		p, err := s.findPool(name)
		if err == nil {
			err = f(p)
		}
		if err != nil {
			fmt.Fprintf(s.o.stderr, "kvmtui: pool %s %s: %v\n", word, name, err)
			failed = true
		}
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

// volJSON is a volume as `vol list --format json` prints it.
type volJSON struct {
	Name       string   `json:"name"`
	Pool       string   `json:"pool"`
	URI        string   `json:"uri"`
	Path       string   `json:"path"`
	Format     string   `json:"format"`
	Capacity   uint64   `json:"capacity"`
	Allocation uint64   `json:"allocation"`
	Backing    string   `json:"backing,omitempty"`
	VMs        []string `json:"vms"`
}

func (o *options) volCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "vol",
		Short: "storage volumes: list, create, resize, clone, wipe, delete",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	// inPool runs f on the named pool, the first argument.
	inPool := func(f func(s *session, p libvirtx.Pool, args []string) error) func(*cobra.Command, []string) error {
		return onNamed(o, (*session).findPool, f)
	}
	size := func(flag, v string) (uint64, error) {
		b, err := devices.ParseSize(v, "G")
		if err != nil || b == 0 {
			return 0, o.usage("%s %q: a size like 20G or 512M", flag, v)
		}
		return b, nil
	}

	format := "table"
	list := &cobra.Command{
		Use:   "list POOL [--format table|json]",
		Short: "a pool's volumes with the VMs using them",
		Args:  cobra.ExactArgs(1),
		RunE: inPool(func(s *session, p libvirtx.Pool, _ []string) error {
			if err := o.checkFormat("vol list", format); err != nil {
				return err
			}
			vs, err := s.mgr.Volumes(p.URI, p.Name)
			if err != nil {
				return err
			}
			out := []volJSON{}
			for _, v := range vs {
				out = append(out, volJSON{Name: v.Name, Pool: v.Pool, URI: v.URI, Path: v.Path, Format: v.Format, Capacity: v.Capacity,
					Allocation: v.Allocation, Backing: v.Backing, VMs: nonNil(v.Users)})
			}
			if format == "json" {
				return o.writeJSON(out)
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tFORMAT\tSIZE\tALLOCATED\tVMS\tPATH")
			for _, v := range out {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Name, v.Format, devices.ApproxSize(v.Capacity), devices.ApproxSize(v.Allocation), strings.Join(v.VMs, ","), v.Path)
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&format, "format", format, "table or json")

	var volFormat, capacity, backing, passFile string
	var prealloc bool
	create := &cobra.Command{
		Use:   "create POOL NAME --size SIZE [--format qcow2|raw] [--backing PATH] [--prealloc]",
		Short: "create a volume (an overlay on --backing), checked against the pool first",
		Args:  cobra.ExactArgs(2),
		RunE: inPool(func(s *session, p libvirtx.Pool, args []string) error {
			b, err := size("--size", capacity)
			if err != nil {
				return err
			}
			f := volFormat
			if fs := libvirtx.VolFormats(p.Type); f == "" && len(fs) > 0 {
				f = fs[0]
			}
			spec := libvirtx.VolSpec{Name: args[0], Format: f, Capacity: b, Backing: backing, Prealloc: prealloc}
			if passFile != "" {
				pass, err := os.ReadFile(passFile)
				if err != nil {
					return err
				}
				if spec.Passphrase = strings.TrimRight(string(pass), "\r\n"); spec.Passphrase == "" {
					return fmt.Errorf("%s holds no passphrase", passFile)
				}
			}
			if err := s.mgr.CreateVolume(p.URI, p.Name, spec); err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "created volume %s in %s\n", args[0], p.Name)
			return nil
		}),
	}
	create.Flags().StringVar(&capacity, "size", "", "the capacity: 20G, 512M …")
	create.Flags().StringVar(&volFormat, "format", "", "qcow2 or raw (dir pools; default the pool type's first)")
	create.Flags().StringVar(&backing, "backing", "", "a volume's path: the new qcow2 volume is its overlay")
	create.Flags().BoolVar(&prealloc, "prealloc", false, "allocate the whole size now")
	create.Flags().StringVar(&passFile, "luks-passphrase-file", "", "encrypt with LUKS, the passphrase read from this file (its first line); libvirt keeps it in a private secret")

	var shrink bool
	resize := &cobra.Command{
		Use:   "resize POOL NAME SIZE [--shrink]",
		Short: "resize a volume (live when a running VM has it as a disk; shrinking needs --shrink)",
		Args:  cobra.ExactArgs(3),
		RunE: inPool(func(s *session, p libvirtx.Pool, args []string) error {
			b, err := size("size", args[1])
			if err != nil {
				return err
			}
			live, err := s.mgr.ResizeVolume(p.URI, p.Name, args[0], b, shrink)
			if err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "resized %s to %s", args[0], devices.ApproxSize(b))
			if live != "" {
				fmt.Fprintf(o.stdout, " (live: %s sees it now)", live)
			}
			fmt.Fprintln(o.stdout)
			return nil
		}),
	}
	resize.Flags().BoolVar(&shrink, "shrink", false, "allow a smaller size (the data past the new end is lost)")

	var toPool string
	clone := &cobra.Command{
		Use:   "clone POOL NAME NEWNAME [--to-pool POOL]",
		Short: "copy a volume, into its pool or another",
		Args:  cobra.ExactArgs(3),
		RunE: inPool(func(s *session, p libvirtx.Pool, args []string) error {
			if err := s.mgr.CloneVolume(p.URI, p.Name, args[0], args[1], toPool); err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "cloned %s to %s\n", args[0], args[1])
			return nil
		}),
	}
	clone.Flags().StringVar(&toPool, "to-pool", "", "the pool the copy goes to (default: the same)")

	var force bool
	var algorithm string
	act := func(a libvirtx.VolAction, short string) *cobra.Command {
		c := &cobra.Command{
			Use:   string(a) + " POOL NAME [--force]",
			Short: short,
			Args:  cobra.ExactArgs(2),
			RunE: inPool(func(s *session, p libvirtx.Pool, args []string) error {
				if a == libvirtx.VolWipe && algorithm != "" {
					return s.mgr.DoVolume(p.URI, p.Name, args[0], libvirtx.WipeWith(algorithm), force)
				}
				return s.mgr.DoVolume(p.URI, p.Name, args[0], a, force)
			}),
		}
		c.Flags().BoolVar(&force, "force", false, "even when a VM has it as a disk")
		if a == libvirtx.VolWipe {
			c.Flags().StringVar(&algorithm, "algorithm", "", "zero (default), random, dod, nnsa, bsi, gutmann, schneier, pfitzner7, pfitzner33, trim")
		}
		return c
	}
	transfer := func(word, short string, run func(ctx context.Context, s *session, p libvirtx.Pool, name, file string, prog libvirtx.Progress) error) *cobra.Command {
		return &cobra.Command{
			Use:   word + " POOL NAME FILE",
			Short: short,
			Args:  cobra.ExactArgs(3),
			RunE: inPool(func(s *session, p libvirtx.Pool, args []string) error {
				ctx, stop := stopContext()
				defer stop()
				bar := o.progressBar(word + " " + args[0])
				start := time.Now()
				if err := run(ctx, s, p, args[0], args[1], bar); err != nil {
					fmt.Fprintln(o.stderr)
					return err
				}
				fmt.Fprintf(o.stdout, "%sed %s (%s)\n", word, args[0], time.Since(start).Round(time.Millisecond))
				return nil
			}),
		}
	}
	upload := transfer("upload", "copy a local file into a volume (made when missing), sparse, through libvirt: works over SSH",
		func(ctx context.Context, s *session, p libvirtx.Pool, name, file string, prog libvirtx.Progress) error {
			return s.mgr.Upload(ctx, p.URI, p.Name, name, file, prog)
		})
	download := transfer("download", "copy a volume into a local file, sparse, through libvirt: works over SSH",
		func(ctx context.Context, s *session, p libvirtx.Pool, name, file string, prog libvirtx.Progress) error {
			return s.mgr.Download(ctx, p.URI, p.Name, name, file, prog)
		})
	c.AddCommand(list, create, resize, clone, upload, download,
		act(libvirtx.VolWipe, "wipe a volume's data, zeros unless --algorithm (refused for a VM's disk unless --force)"),
		act(libvirtx.VolDelete, "delete a volume (refused for a VM's disk unless --force)"))
	return c
}

// progressBar draws a transfer's progress on stderr when it is a terminal:
// percent, bytes, rate and time left, at most ten times a second.
func (o *options) progressBar(what string) libvirtx.Progress {
	f, ok := o.stderr.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	start, last := time.Now(), time.Time{}
	return func(done, total int64) {
		if time.Since(last) < 100*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
		left := ""
		if rate > 0 && total > done {
			left = fmt.Sprintf(", %s left", (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second))
		}
		fmt.Fprintf(o.stderr, "\r%s: %3.0f%% %s of %s, %s/s%s   ", what, 100*float64(done)/float64(max(total, 1)),
			devices.ApproxSize(uint64(done)), devices.ApproxSize(uint64(total)), devices.ApproxSize(uint64(rate)), left)
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
