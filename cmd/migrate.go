package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"kvmtui/devices"
	"kvmtui/libvirtx"
)

// kvmtui migrate and kvmtui evacuate: moving VMs between hosts, for scripts.

// migrateFlags are the options migrate and evacuate share.
type migrateFlags struct {
	spec    libvirtx.MigrateSpec
	copy    string
	dryRun  bool
	force   bool
	offline bool
}

func (f *migrateFlags) add(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.copy, "copy-storage", "", "copy the disks that are not on shared storage: full, or inc (only what the destination's images lack)")
	fl.BoolVar(&f.spec.Postcopy, "postcopy", false, "allow the switch to post-copy: after --postcopy-after iterations, the guest runs on the destination while the rest follows")
	fl.IntVar(&f.spec.PostcopyAfter, "postcopy-after", 0, "with --postcopy: switch after this many memory passes (default 3)")
	fl.BoolVar(&f.spec.Persistent, "persistent", false, "define the VM on the destination (offline always does)")
	fl.BoolVar(&f.spec.UndefineSource, "undefine-source", false, "remove its definition from the source once moved")
	fl.Uint64Var(&f.spec.Bandwidth, "bandwidth", 0, "limit the migration to this many MiB/s")
	fl.BoolVar(&f.spec.Compressed, "compressed", false, "compress memory pages (XBZRLE)")
	fl.BoolVar(&f.spec.AutoConverge, "auto-converge", false, "slow the guest down when it dirties memory faster than the link")
	fl.BoolVar(&f.spec.P2P, "p2p", false, "peer-to-peer: the source's libvirtd connects to DEST_URI itself (read from the source host)")
	fl.BoolVar(&f.spec.Tunnelled, "tunnelled", false, "send the data through libvirtd's connection (implies --p2p)")
	fl.StringVar(&f.spec.DataURI, "migrate-uri", "", "where QEMU sends the memory, tcp://HOST[:PORT] (default: DEST_URI's host)")
	fl.StringVar(&f.spec.ListenAddress, "listen-address", "", "the address the destination's QEMU listens on for the data (default: its migration_address)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "run the pre-flight only: exit 1 when it fails")
	fl.BoolVar(&f.force, "force", false, "go ahead despite warnings of the pre-flight (never despite a failed item)")
}

// check validates the flags into the spec.
func (f *migrateFlags) check(o *options) error {
	if !slices.Contains(libvirtx.CopyStorageModes, f.copy) {
		return o.usage("--copy-storage %q: full or inc", f.copy)
	}
	f.spec.CopyStorage = f.copy
	f.spec.Offline = f.offline
	if f.spec.PostcopyAfter < 0 || f.spec.PostcopyAfter > 0 && !f.spec.Postcopy {
		return o.usage("--postcopy-after needs --postcopy and a number of passes")
	}
	if f.spec.Postcopy && f.spec.PostcopyAfter == 0 {
		f.spec.PostcopyAfter = 3
	}
	if f.offline && (f.spec.Postcopy || f.copy != "" || f.spec.Compressed || f.spec.AutoConverge) {
		return o.usage("--offline moves only the definition: no --postcopy, --copy-storage, --compressed or --auto-converge")
	}
	return nil
}

func (o *options) migrateCommand() *cobra.Command {
	var f migrateFlags
	var live bool
	c := &cobra.Command{
		Use:   "migrate VM DEST_URI [--live|--offline] [--copy-storage full|inc] [--postcopy] [--persistent] [--undefine-source] [--bandwidth MiB/s] [--dry-run]",
		Short: "move a VM to another host: pre-flight checks first, then live or offline migration with progress",
		Long: `Move a VM to the libvirtd at DEST_URI (qemu+ssh://, qemu+tcp://, qemu+tls://).
A pre-flight checks first, item by item: the destination is reachable and
another host, no VM of that name or UUID is there, no host device is passed
through, its CPU, machine type and emulator are available there, its
networks, bridges, pools and disk images are there (or copied with
--copy-storage), free memory and versions. A failed item stops it; a
warning (free memory, an older destination, a disk path kvmtui cannot see)
stops it unless --force. --dry-run runs only the pre-flight.

--live (the default) moves a running VM: it keeps running while its memory
is copied. --offline moves a shut-off VM's definition. Ctrl-C cancels a live
migration: the VM keeps running on the source.`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, args []string) error {
			if live && f.offline {
				return o.usage("--live or --offline, not both")
			}
			f.spec.Dest = args[0]
			if err := libvirtx.CheckDest(f.spec.Dest); err != nil {
				return o.usage("%v", err)
			}
			if err := f.check(o); err != nil {
				return err
			}
			cs := s.mgr.Preflight(d.Ref, f.spec)
			printChecks(o.stdout, d.Name, f.spec.Dest, cs)
			if cs.Blocked(f.force) {
				return preflightFailed(cs)
			}
			if f.dryRun {
				return nil
			}
			ctx, stop := stopContext()
			defer stop()
			res, err := s.mgr.Migrate(ctx, d.Ref, f.spec, o.migrationBar(d.Name))
			if err != nil {
				return err
			}
			fmt.Fprintln(o.stdout, resultLine(d.Name, res))
			return nil
		}),
	}
	c.Flags().BoolVar(&live, "live", false, "move a running VM while it runs (the default)")
	c.Flags().BoolVar(&f.offline, "offline", false, "move a shut-off VM's definition")
	f.add(c)
	return c
}

func (o *options) evacuateCommand() *cobra.Command {
	var f migrateFlags
	var to string
	var parallel int
	c := &cobra.Command{
		Use:   "evacuate SRC_URI --to URI[,URI…] [--parallel N] [--dry-run]",
		Short: "migrate every running VM of a host away, spread over the destinations by free memory",
		Long: `Migrate every running VM of SRC_URI live to the hosts of --to: the largest VM
first, each to the destination with the most free memory left. Each VM's
pre-flight is shown first; a VM whose pre-flight fails stays (with --force,
also one that only has warnings moves). --parallel N migrations run at once
(default 1). A summary ends it: moved, and failed with why; the exit status
is 1 when any VM stayed. The migrate options apply to every VM.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			src := args[0]
			if err := libvirtx.CheckDest(src); err != nil {
				return o.usage("%v", err)
			}
			var dests []string
			for _, d := range strings.Split(to, ",") {
				if d = strings.TrimSpace(d); d != "" {
					dests = append(dests, d)
				}
			}
			if len(dests) == 0 {
				return o.usage("evacuate: --to URI[,URI…] names the destinations")
			}
			if parallel < 1 {
				return o.usage("--parallel %d: at least 1", parallel)
			}
			if err := f.check(o); err != nil {
				return err
			}
			mgr, _, errs := libvirtx.OpenSync([]string{src}, o.readOnly, 30*time.Second)
			defer mgr.Close()
			if e, bad := errs[src]; bad {
				return o.fail(errors.New(src + ": " + e))
			}
			moves, err := mgr.PlanEvacuation(src, dests, f.spec)
			if err != nil {
				return o.fail(err)
			}
			if len(moves) == 0 {
				fmt.Fprintf(o.stdout, "no running VM on %s\n", src)
				return nil
			}
			ctx, stop := stopContext()
			defer stop()
			return o.evacuate(ctx, mgr, moves, parallel, f)
		},
	}
	c.Flags().StringVar(&to, "to", "", "the destination URIs, comma-separated")
	c.Flags().IntVar(&parallel, "parallel", 1, "how many migrations run at once")
	f.add(c)
	return c
}

// evacuate checks every move, then runs those that pass, parallel at a
// time, and sums up.
func (o *options) evacuate(ctx context.Context, mgr *libvirtx.Manager, moves []libvirtx.Move, parallel int, f migrateFlags) error {
	failed := map[string]string{}
	var ready []libvirtx.Move
	for _, mv := range moves {
		cs := mgr.Preflight(mv.VM, mv.Spec)
		printChecks(o.stdout, mv.VM.Name, mv.Spec.Dest, cs)
		if cs.Blocked(f.force) {
			failed[mv.VM.Name] = preflightFailed(cs).Error()
			continue
		}
		ready = append(ready, mv)
	}
	var moved []string
	if !f.dryRun {
		var mu sync.Mutex
		sem := make(chan struct{}, parallel)
		var wg sync.WaitGroup
		for _, mv := range ready {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				fmt.Fprintf(o.stderr, "migrating %s → %s\n", mv.VM.Name, mv.Spec.Dest)
				res, err := mgr.Migrate(ctx, mv.VM, mv.Spec, nil)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed[mv.VM.Name] = err.Error()
					return
				}
				moved = append(moved, mv.VM.Name)
				fmt.Fprintln(o.stdout, resultLine(mv.VM.Name, res))
			}()
		}
		wg.Wait()
	}
	verb := map[bool]string{false: "moved", true: "would move"}[f.dryRun]
	fmt.Fprintf(o.stdout, "%s %d of %d", verb, len(moved)+map[bool]int{false: 0, true: len(ready)}[f.dryRun], len(moves))
	if len(failed) > 0 {
		fmt.Fprintf(o.stdout, "; %d stay:", len(failed))
	}
	fmt.Fprintln(o.stdout)
	for _, mv := range moves {
		if why, ok := failed[mv.VM.Name]; ok {
			fmt.Fprintf(o.stdout, "  %s: %s\n", mv.VM.Name, why)
		}
	}
	if len(failed) > 0 {
		return exitCode(1)
	}
	return nil
}

func printChecks(w io.Writer, vm, dest string, cs libvirtx.Checks) {
	fmt.Fprintf(w, "pre-flight of %s → %s\n", vm, dest)
	width := 0
	for _, c := range cs {
		width = max(width, len(c.Name))
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  %s %-*s  %s\n", c.Status.Mark(), width, c.Name, c.Text)
		if c.Hint != "" && c.Status != libvirtx.CheckPass {
			fmt.Fprintf(w, "    %*s  → %s\n", width, "", c.Hint)
		}
	}
}

func preflightFailed(cs libvirtx.Checks) error {
	var fails, warns []string
	for _, c := range cs {
		switch c.Status {
		case libvirtx.CheckFail:
			fails = append(fails, c.Name)
		case libvirtx.CheckWarn:
			warns = append(warns, c.Name)
		}
	}
	if len(fails) > 0 {
		return fmt.Errorf("pre-flight failed: %s", strings.Join(fails, ", "))
	}
	return fmt.Errorf("pre-flight warns about %s: --force goes ahead", strings.Join(warns, ", "))
}

func resultLine(vm string, res libvirtx.MigrateResult) string {
	line := fmt.Sprintf("migrated %s → %s in %v (downtime %v, %s sent", vm, res.Dest.URI,
		res.Elapsed.Round(100*time.Millisecond), res.Downtime, devices.ApproxSize(res.Data))
	if res.PostcopyRequests > 0 {
		line += fmt.Sprintf(", post-copy: %d pages fetched on demand", res.PostcopyRequests)
	}
	line += ")"
	if res.Note != "" {
		line += "; " + res.Note
	}
	return line
}

// migrationBar draws a migration's progress on stderr when it is a terminal.
func (o *options) migrationBar(vm string) func(libvirtx.MigrateProgress) {
	bar := o.progressBar("migrating " + vm)
	if bar == nil {
		return nil
	}
	return func(p libvirtx.MigrateProgress) {
		if p.Total > 0 {
			bar(int64(p.Total-p.Remaining), int64(p.Total))
		}
	}
}
