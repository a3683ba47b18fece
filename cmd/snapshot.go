package cmd

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"kvmtui/devices"
	"kvmtui/libvirtx"
)

// kvmtui snapshot …: the snapshot page's actions for scripts.

func (o *options) snapshotCommand() *cobra.Command {
	c := &cobra.Command{
		Use:     "snapshot",
		Aliases: []string{"snap"},
		Short:   "VM snapshots: list, create, revert, delete, commit, pull",
		Args:    cobra.NoArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	// onVM runs f on the VM named first; the rest are f's.
	onVM := func(f func(s *session, d libvirtx.Domain, args []string) error) func(*cobra.Command, []string) error {
		return onNamed(o, (*session).find, f)
	}
	format := "table"
	list := &cobra.Command{
		Use:               "list VM [--format table|json]",
		Short:             "a VM's snapshots as a tree (the current one marked *)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE: onVM(func(s *session, d libvirtx.Domain, _ []string) error {
			if err := o.checkFormat("snapshot list", format); err != nil {
				return err
			}
			ss, err := s.mgr.Snapshots(d.Ref)
			if err != nil {
				return err
			}
			if format == "json" {
				return o.writeJSON(append([]libvirtx.Snapshot{}, ss...))
			}
			tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCREATED\tSTATE\tKIND\tMEMORY\tSIZE\tDESCRIPTION")
			for _, x := range ss {
				name := strings.Repeat("  ", x.Depth) + x.Name
				if x.Current {
					name += " *"
				}
				size := "in disk"
				if x.External {
					size = devices.ApproxSize(x.Size)
				}
				first, _, _ := strings.Cut(x.Description, "\n")
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\t%s\n", name, x.Created.Format("2006-01-02 15:04:05"), x.State, x.Kind(), x.Memory, size, first)
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&format, "format", format, "table or json")

	var spec libvirtx.SnapshotSpec
	var kind string
	var disks []string
	create := &cobra.Command{
		Use:   "create VM [NAME] [--kind internal|disk-only|external] [--disk vda=PATH|no]… [--memory-file PATH]",
		Short: "take a snapshot (atomic); NAME defaults to snapshot1, snapshot2, …",
		Long: `Take a snapshot of a VM, atomically.

  internal   inside the qcow2 disks, with the memory when the VM runs
  disk-only  each disk gets a qcow2 overlay next to its image (--disk vda=PATH
             puts it elsewhere, --disk vda=no leaves the disk out)
  external   overlays and the running VM's memory in a file (--memory-file)

A running VM with a guest agent channel is quiesced (its file systems
frozen) for an external snapshot; when the agent does not answer, the
snapshot is taken anyway and kvmtui says so. A name taken, an internal
snapshot of a raw disk, an overlay file that exists or a pool without room
is refused before anything changes.`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: o.vmNames,
		RunE: onVM(func(s *session, d libvirtx.Domain, args []string) error {
			plan, err := s.mgr.PlanSnapshot(d.Ref)
			if err != nil {
				return err
			}
			spec.Name = plan.FreeName()
			if len(args) == 1 {
				spec.Name = args[0]
			}
			spec.Kind = libvirtx.SnapshotKind(kind)
			spec.Quiesce = spec.Quiesce || plan.Agent
			spec.Overlays = map[string]string{}
			for _, x := range plan.Disks {
				spec.Overlays[x.Target] = x.Overlay(spec.Name)
			}
			for _, a := range disks {
				target, path, ok := strings.Cut(a, "=")
				if _, known := spec.Overlays[target]; !ok || !known {
					return fmt.Errorf("--disk %q: TARGET=PATH or TARGET=no, TARGET one of the VM's disks", a)
				}
				spec.Overlays[target] = map[bool]string{true: "", false: path}[path == "no"]
			}
			if spec.MemoryFile == "" {
				spec.MemoryFile = plan.MemoryFile(d.Name, spec.Name)
			}
			note, err := s.mgr.CreateSnapshot(d.Ref, spec)
			if err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "took %s snapshot %s of %s\n", kind, spec.Name, d.Name)
			if note != "" {
				fmt.Fprintln(o.stderr, "kvmtui:", note)
			}
			return nil
		}),
	}
	cf := create.Flags()
	cf.StringVar(&kind, "kind", string(libvirtx.SnapInternal), strings.Join(libvirtx.SnapshotKinds, ", "))
	cf.StringVar(&spec.Description, "description", "", "what the snapshot is for")
	cf.StringArrayVar(&disks, "disk", nil, "TARGET=PATH: the disk's overlay; TARGET=no: leave it out (external kinds)")
	cf.StringVar(&spec.MemoryFile, "memory-file", "", "external: where the memory goes (default next to the first disk)")
	cf.BoolVar(&spec.Quiesce, "quiesce", false, "freeze the guest's file systems through its agent (default when it has an agent channel)")

	var running, paused, force bool
	revert := &cobra.Command{
		Use:               "revert VM NAME [--running|--paused] [--force]",
		Short:             "bring a VM back to a snapshot: what it holds now is lost",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: onVM(func(s *session, d libvirtx.Domain, args []string) error {
			to := libvirtx.RevertAsTaken
			switch {
			case running && paused:
				return fmt.Errorf("--running or --paused, not both")
			case running:
				to = libvirtx.RevertRunning
			case paused:
				to = libvirtx.RevertPaused
			}
			err := s.mgr.RevertSnapshot(d.Ref, args[0], to, force)
			if _, risky := err.(libvirtx.RiskyRevert); risky {
				return fmt.Errorf("%w (--force reverts anyway)", err)
			}
			if err == nil {
				fmt.Fprintf(o.stdout, "reverted %s to %s\n", d.Name, args[0])
			}
			return err
		}),
	}
	revert.Flags().BoolVar(&running, "running", false, "run the VM after the revert")
	revert.Flags().BoolVar(&paused, "paused", false, "leave the VM paused after the revert")
	revert.Flags().BoolVar(&force, "force", false, "revert even when libvirt calls it risky")

	var children, metadata bool
	del := &cobra.Command{
		Use:               "delete VM NAME [--children|--metadata]",
		Short:             "delete a snapshot (its children move up), with its children, or libvirt's record only",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: onVM(func(s *session, d libvirtx.Domain, args []string) error {
			how := libvirtx.DeleteOne
			switch {
			case children && metadata:
				return fmt.Errorf("--children or --metadata, not both")
			case children:
				how = libvirtx.DeleteChildren
			case metadata:
				how = libvirtx.DeleteMetadata
			}
			if err := s.mgr.DeleteSnapshot(d.Ref, args[0], how); err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "deleted snapshot %s of %s\n", args[0], d.Name)
			return nil
		}),
	}
	del.Flags().BoolVar(&children, "children", false, "and every snapshot under it")
	del.Flags().BoolVar(&metadata, "metadata", false, "libvirt's record only: files and disk data stay")

	merge := func(word string, pull bool, short string) *cobra.Command {
		return &cobra.Command{
			Use:               word + " VM NAME",
			Short:             short,
			Args:              cobra.ExactArgs(2),
			ValidArgsFunction: o.vmNames,
			RunE: onVM(func(s *session, d libvirtx.Domain, args []string) error {
				ctx, stop := stopContext()
				defer stop()
				bar := o.progressBar(word + " " + args[0])
				text, err := s.mgr.MergeSnapshot(ctx, d.Ref, args[0], pull, func(_ string, done, total int64) {
					if bar != nil {
						bar(done, total)
					}
				})
				if bar != nil {
					fmt.Fprintln(o.stderr)
				}
				if err == nil {
					fmt.Fprintln(o.stdout, text)
				}
				return err
			}),
		}
	}
	c.AddCommand(list, create, revert, del,
		merge("commit", false, "block commit an external snapshot: its overlays into their bases (ctrl+c aborts)"),
		merge("pull", true, "block pull an external snapshot: the bases into the VM's disks (ctrl+c aborts)"))
	return c
}
