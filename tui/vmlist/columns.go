package vmlist

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"kvmtui/config"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/widget"
)

// column is one column of the VM list: how to show it and how to sort by it.
// Columns are dropped right to left by priority when the terminal is narrow;
// NAME takes what width is left.
type column struct {
	id    string // also the name :sort takes
	title string
	width int
	right bool
	prio  int // lower stays longer
	text  func(r *row) string
	cmp   func(a, b *row) int

	optional bool            // shown only when turned on (see layoutFor)
	live     bool            // its value moves with each sweep: sorting by it re-sorts then
	stats    libvirtx.Groups // the optional stats its values need (see StatGroups)
}

func numCmp(f func(r *row) float64) func(a, b *row) int {
	return func(a, b *row) int { return cmp.Compare(f(a), f(b)) }
}

func strCmp(f func(r *row) string) func(a, b *row) int {
	return func(a, b *row) int { return strings.Compare(f(a), f(b)) }
}

var columns = []column{
	{id: "state", live: true, title: "STATE", width: 8, prio: 0,
		text: func(r *row) string { return widget.StateWord(r.dom) },
		cmp:  numCmp(func(r *row) float64 { return float64(stateOrder(r.dom)) })},
	{id: "alert", live: true, title: "!", width: 2, prio: 1,
		text: func(r *row) string { return widget.LevelMark(r.level) },
		cmp:  numCmp(func(r *row) float64 { return float64(r.level) })},
	{id: "name", title: "NAME", width: 20, prio: 0,
		text: func(r *row) string {
			if r.dom.Title != "" {
				return r.dom.Name + " (" + r.dom.Title + ")"
			}
			return r.dom.Name
		},
		cmp: strCmp(func(r *row) string { return strings.ToLower(r.dom.Name) })},
	{id: "host", title: "HOST", width: 10, prio: 3,
		text: func(r *row) string { return r.label },
		cmp:  strCmp(func(r *row) string { return r.label })},
	{id: "vcpu", title: "VCPU", width: 4, right: true, prio: 2,
		text: func(r *row) string {
			if r.dom.VCPUs == 0 { // not known yet: a first listing from stats without it
				return ""
			}
			return fmt.Sprint(r.dom.VCPUs)
		},
		cmp: numCmp(func(r *row) float64 { return float64(r.dom.VCPUs) })},
	{id: "mem", title: "MEM", width: 6, right: true, prio: 2,
		text: func(r *row) string {
			if r.dom.MemoryKiB == 0 { // not known yet, as vCPUs
				return ""
			}
			return widget.HumanBytes(float64(r.dom.MemoryKiB) * 1024)
		},
		cmp: numCmp(func(r *row) float64 { return float64(r.dom.MemoryKiB) })},
	{id: "cpu", live: true, title: "CPU%", width: 5, right: true, prio: 1,
		text: func(r *row) string { return widget.PctText(r.rates.Valid, r.rates.CPUPct) },
		cmp:  numCmp(func(r *row) float64 { return r.rates.CPUPct })},
	{id: "mempct", live: true, title: "MEM%", width: 5, right: true, prio: 1,
		text: func(r *row) string { return widget.PctText(r.rates.MemValid, r.rates.MemPct) },
		cmp:  numCmp(func(r *row) float64 { return r.rates.MemPct })},
	{id: "cpuhist", live: true, title: "CPU HISTORY", width: sparkColWidth, prio: 1, optional: true,
		text: func(r *row) string { return r.spark },
		cmp:  numCmp(func(r *row) float64 { return r.rates.CPUPct })},
	{id: "disk", live: true, stats: libvirtx.DiskStats, title: "DISK R/W", width: 13, right: true, prio: 4,
		text: func(r *row) string {
			return widget.RateText(r.rates.HasDisk, r.rates.RdBps) + "/" + widget.RateText(r.rates.HasDisk, r.rates.WrBps)
		},
		cmp: numCmp(func(r *row) float64 { return r.rates.RdBps + r.rates.WrBps })},
	{id: "net", live: true, stats: libvirtx.NetStats, title: "NET RX/TX", width: 13, right: true, prio: 4,
		text: func(r *row) string {
			return widget.RateText(r.rates.HasNet, r.rates.RxBps) + "/" + widget.RateText(r.rates.HasNet, r.rates.TxBps)
		},
		cmp: numCmp(func(r *row) float64 { return r.rates.RxBps + r.rates.TxBps })},
	{id: "auto", title: "AUTO", width: 4, prio: 5,
		text: func(r *row) string {
			if r.dom.Autostart {
				return "yes"
			}
			return ""
		},
		cmp: numCmp(func(r *row) float64 {
			if r.dom.Autostart {
				return 1
			}
			return 0
		})},
	{id: "agent", title: "AG", width: 2, prio: 5,
		text: func(r *row) string {
			return map[string]string{libvirtx.AgentConnected: "●", libvirtx.AgentDisconnected: "○", libvirtx.AgentConfigured: "·"}[r.dom.Agent]
		},
		cmp: strCmp(func(r *row) string { return r.dom.Agent })},
	{id: "ip", title: "IP", width: 15, prio: 5,
		text: func(r *row) string { return strings.Join(r.dom.IPs, ",") },
		cmp:  strCmp(func(r *row) string { return strings.Join(r.dom.IPs, ",") })},
	{id: "os", title: "OS", width: 12, prio: 6,
		text: func(r *row) string { return r.dom.OS },
		cmp:  strCmp(func(r *row) string { return r.dom.OS })},
}

// stateOrder sorts running first, then paused, then the rest.
func stateOrder(d libvirtx.Domain) int {
	switch d.State {
	case libvirtx.StateRunning, libvirtx.StateBlocked:
		return 0
	case libvirtx.StatePaused, libvirtx.StatePMSuspended:
		return 1
	case libvirtx.StateCrashed:
		return 2
	case libvirtx.StateShutdown:
		return 3
	}
	if d.ManagedSave {
		return 4
	}
	return 5
}

func columnByID(id string) (int, bool) {
	for i, c := range columns {
		if c.id == id {
			return i, true
		}
	}
	return 0, false
}

// columnOrder is the list's columns as the configuration orders them
// (ids; none: all, in the order above). NAME is always there; an unknown
// id is left out and reported.
func columnOrder(ids []string) ([]int, error) {
	if len(ids) == 0 {
		ids = columnIDs()
	}
	var order []int
	var bad []string
	for _, id := range ids {
		if i, ok := columnByID(id); ok && !slices.Contains(order, i) {
			order = append(order, i)
		} else if !ok {
			bad = append(bad, id)
		}
	}
	if nameIdx, _ := columnByID("name"); !slices.Contains(order, nameIdx) {
		order = append([]int{nameIdx}, order...)
	}
	if len(bad) > 0 {
		return order, fmt.Errorf("no column %s (columns: %s)", strings.Join(bad, ", "), strings.Join(columnIDs(), ","))
	}
	return order, nil
}

func init() {
	common.RegisterConfigCheck(func(c *config.Config) []error {
		if _, err := columnOrder(c.Columns); err != nil {
			return []error{c.Errf("columns", "%v", err)}
		}
		return nil
	})
}

func columnIDs() []string {
	ids := make([]string, len(columns))
	for i, c := range columns {
		ids[i] = c.id
	}
	return ids
}
