package cmd

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"kvmtui/devices"
	"kvmtui/libvirtx"
)

// kvmtui backup … and kvmtui restore: the backup page's actions for
// scripts.

// backupPool is the pool --to names: a pool's name, or the directory of
// one.
func (s *session) backupPool(uri, to string) (string, error) {
	pools, err := s.mgr.Pools(uri)
	if err != nil {
		return "", err
	}
	for _, p := range pools {
		if p.Name == to || (filepath.IsAbs(to) && filepath.Clean(p.Target) == filepath.Clean(to)) {
			return p.Name, nil
		}
	}
	if filepath.IsAbs(to) {
		return "", fmt.Errorf("no storage pool holds %s: make one (kvmtui pool define --name backups --target %s)", to, to)
	}
	return "", fmt.Errorf("no storage pool %q on %s: name the pool (or its directory) with --to/--from", to, uri)
}

func (o *options) backupCommand() *cobra.Command {
	var incremental bool
	var to string
	var keep int
	c := &cobra.Command{
		Use:   "backup VM [--incremental] [--to POOL|DIR] [--keep N]",
		Short: "back a VM up into a pool: full, or incremental since its last backup there",
		Long: `Back a VM up through libvirt's backup API (push mode) into volumes of a
storage pool (--to: its name or directory; default: the pool "default").
A full backup makes a checkpoint; --incremental writes only what changed
since the last backup's checkpoint, as an overlay on it. A running VM runs
on; a shut-off one is started paused for the copy and stopped again.
--keep N then keeps the newest N points (a removed point a kept one builds
on is merged into it first). ctrl+c aborts: nothing of it stays.`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, _ []string) error {
			pool, err := s.backupPool(d.URI, to)
			if err != nil {
				return err
			}
			ctx, stop := stopContext()
			defer stop()
			bar := o.progressBar("backing up " + d.Name)
			b, err := s.mgr.BackupVM(ctx, d.Ref, libvirtx.BackupOptions{Pool: pool, Incremental: incremental}, func(done, total int64) {
				if bar != nil {
					bar(done, total)
				}
			})
			if bar != nil {
				fmt.Fprintln(o.stderr)
			}
			if err == libvirtx.ErrNoCheckpoint {
				return fmt.Errorf("%w (kvmtui backup %s --to %s)", err, d.Name, pool)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "backed up %s: %s %s in %s (%.1fs)\n", d.Name, b.Kind, b.ID, pool, b.Seconds)
			if keep > 0 {
				removed, err := s.mgr.PruneBackups(d.URI, pool, d.Name, keep)
				if len(removed) > 0 {
					fmt.Fprintf(o.stdout, "removed %s (keeping %d)\n", strings.Join(removed, ", "), keep)
				}
				return err
			}
			return nil
		}),
	}
	c.Flags().BoolVar(&incremental, "incremental", false, "only what changed since the last backup in that pool")
	c.Flags().StringVar(&to, "to", "default", "the pool (or its directory) the backup goes to")
	c.Flags().IntVar(&keep, "keep", 0, "then keep only the newest N backups of the VM there")

	var from, format string
	list := &cobra.Command{
		Use:               "list VM [--from POOL|DIR] [--format table|json]",
		Short:             "a VM's backups in a pool, oldest first",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, _ []string) error {
			if err := o.checkFormat("backup list", format); err != nil {
				return err
			}
			pool, err := s.backupPool(d.URI, from)
			if err != nil {
				return err
			}
			all, err := s.mgr.Backups(d.URI, pool, d.Name)
			if err != nil {
				return err
			}
			if format == "json" {
				return o.writeJSON(append([]libvirtx.Backup{}, all...))
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tON\tTIME\tSIZE\tDISKS")
			for _, b := range all {
				var size uint64
				var disks []string
				for _, x := range b.Disks {
					size += x.Allocation
					disks = append(disks, x.Target)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%.1fs\t%s\t%s\n", b.ID, b.Kind, orDash(b.Parent), b.Seconds, devices.ApproxSize(size), strings.Join(disks, " "))
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&from, "from", "default", "the pool (or its directory) holding the backups")
	list.Flags().StringVar(&format, "format", "table", "table or json")
	c.AddCommand(list)
	return c
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (o *options) restoreCommand() *cobra.Command {
	var as, from string
	c := &cobra.Command{
		Use:   "restore VM BACKUP [--as NEW] [--from POOL|DIR]",
		Short: "restore a backup point: as a new VM, or into the (shut-off) VM",
		Long: `Restore a backup point (an ID of kvmtui backup list). With --as NEW it
becomes a new VM (new UUID and MACs) whose disks are the point's data; else
the VM itself (shut off) gets new images holding it, its former images stay
and are named, and its checkpoints go (the next backup is a full one).`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: o.inSession(func(s *session, args []string) error {
			uri := s.uris[0]
			if d, err := s.find(args[0]); err == nil {
				uri = d.URI
			} else if as == "" || len(s.uris) != 1 {
				return o.fail(err) // a VM gone from the host can come back only --as a new one
			}
			pool, err := s.backupPool(uri, from)
			if err != nil {
				return o.fail(err)
			}
			bar := o.progressBar("restoring " + args[1])
			text, err := s.mgr.RestoreBackup(uri, pool, args[0], args[1], as, func(_ string, done, total int64) {
				if bar != nil {
					bar(done, total)
				}
			})
			if bar != nil {
				fmt.Fprintln(o.stderr)
			}
			if err != nil {
				return o.fail(err)
			}
			fmt.Fprintln(o.stdout, text)
			return nil
		}),
	}
	c.Flags().StringVar(&as, "as", "", "restore as a new VM of this name")
	c.Flags().StringVar(&from, "from", "default", "the pool (or its directory) holding the backups")
	return c
}
