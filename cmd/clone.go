package cmd

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"kvmtui/libvirtx"
)

// kvmtui clone: the clone form for scripts.

func (o *options) cloneCommand() *cobra.Command {
	var linked bool
	var count int
	var pool string
	c := &cobra.Command{
		Use:   "clone SRC [NEW] [--linked] [--count N] [--pool POOL]",
		Short: "clone a shut-off or paused VM: new name, UUID, MACs and NVRAM; disks copied or linked",
		Long: `Clone a VM as virt-clone does: it must be shut off or paused; the clone
gets a new UUID, new MAC addresses and a fresh NVRAM, and each disk of a
storage pool is copied (into --pool, default the disk's own) or, with
--linked, becomes a qcow2 overlay on the source's image, which must not
change while the clone lives. CD-ROMs are shared. NEW defaults to
SRC-clone; --count N makes NEW-1 … NEW-N. A name taken, a disk in no pool
or a pool without room is refused first; a clone that fails removes what
it made (clones finished before it stay, named on the error).`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, src libvirtx.Domain, args []string) error {
			if count < 1 || count > 100 {
				return o.usage("clone: --count %d: from 1 to 100", count)
			}
			plan, err := s.mgr.PlanClone(src.Ref)
			if err != nil {
				return err
			}
			if pool != "" && !slices.Contains(plan.Pools, pool) {
				return fmt.Errorf("no active storage pool %q", pool)
			}
			for i, d := range plan.Disks {
				if d.Mode == libvirtx.CloneCopy && linked {
					plan.Disks[i].Mode = libvirtx.CloneLinked
				}
				if pool != "" && d.Mode == libvirtx.CloneCopy {
					plan.Disks[i].ToPool = pool
				}
			}
			name := plan.FreeName(src.Name)
			if len(args) == 1 {
				name = args[0]
			}
			names := []string{name}
			if count > 1 {
				names = nil
				for i := 1; i <= count; i++ {
					names = append(names, fmt.Sprintf("%s-%d", name, i))
				}
			}
			var made []string
			for _, n := range names {
				bar := o.progressBar("cloning " + n)
				_, err := s.mgr.Clone(src.Ref, libvirtx.CloneSpec{Name: n, Disks: plan.Named(src.Name, n).Disks}, func(_ string, done, total int64) {
					if bar != nil {
						bar(done, total)
					}
				})
				if bar != nil {
					fmt.Fprintln(o.stderr)
				}
				if err != nil {
					if len(made) > 0 {
						err = fmt.Errorf("%s: %w (made before it: %v)", n, err, made)
					}
					return err
				}
				made = append(made, n)
				fmt.Fprintf(o.stdout, "cloned %s → %s\n", src.Name, n)
			}
			return nil
		}),
	}
	c.Flags().BoolVar(&linked, "linked", false, "qcow2 overlays on the source's images instead of copies")
	c.Flags().IntVar(&count, "count", 1, "how many clones: NEW-1 … NEW-N")
	c.Flags().StringVar(&pool, "pool", "", "the pool the copies go to (default: each disk's own)")
	return c
}
