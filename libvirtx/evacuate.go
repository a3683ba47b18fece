package libvirtx

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"libvirt.org/go/libvirt"
)

// Move is one VM to migrate, and how.
type Move struct {
	VM     Ref
	MemKiB uint64
	Spec   MigrateSpec
}

// PlanEvacuation moves every running VM of src to the destinations,
// spread by free memory: the largest VM first, each to the destination
// with the most memory left once the VMs before it are counted. base is
// every move's spec but for its destination.
func (m *Manager) PlanEvacuation(src string, dests []string, base MigrateSpec) ([]Move, error) {
	if len(dests) == 0 {
		return nil, errors.New("no destination")
	}
	var moves []Move
	lc, done, err := m.lconn(src)
	if err != nil {
		return nil, err
	}
	doms, err := lc.ListAllDomains(libvirt.CONNECT_LIST_DOMAINS_ACTIVE)
	if err != nil {
		done()
		return nil, errors.New(ErrText(err))
	}
	for i := range doms {
		name, _ := doms[i].GetName()
		uuid, _ := doms[i].GetUUIDString()
		info, err := doms[i].GetInfo()
		if err == nil {
			moves = append(moves, Move{VM: Ref{URI: src, UUID: uuid, Name: name}, MemKiB: info.Memory})
		}
		doms[i].Free()
	}
	done()

	free := make([]uint64, len(dests))
	for i, d := range dests {
		if d == src {
			return nil, fmt.Errorf("%s is the host being evacuated", d)
		}
		if err := CheckDest(d); err != nil {
			return nil, err
		}
		dc, ddone, err := m.destConn(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", d, ErrText(err))
		}
		free[i], err = dc.GetFreeMemory()
		ddone()
		if err != nil {
			return nil, fmt.Errorf("%s: free memory: %s", d, ErrText(err))
		}
	}
	slices.SortStableFunc(moves, func(a, b Move) int {
		return cmp.Or(cmp.Compare(b.MemKiB, a.MemKiB), cmp.Compare(a.VM.Name, b.VM.Name))
	})
	for i := range moves {
		best := 0
		for j := range free {
			if free[j] > free[best] {
				best = j
			}
		}
		moves[i].Spec = base
		moves[i].Spec.Dest = dests[best]
		free[best] -= min(free[best], moves[i].MemKiB*1024)
	}
	return moves, nil
}
