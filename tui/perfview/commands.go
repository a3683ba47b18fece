package perfview

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/perf"
	"kvmtui/tui/common"
)

// The performance settings' : commands — :charts, :spark, :threshold —
// and the words they complete.

func chartsCommand(ctx *common.Context, args []string) tea.Cmd {
	if len(args) != 1 {
		ctx.SetMsg("usage: charts braille|block|ascii", true)
		return nil
	}
	cs, err := perf.ParseChartStyle(args[0])
	if err != nil {
		ctx.SetMsg("charts: "+err.Error(), true)
		return nil
	}
	ctx.Perf.Cfg.Charts = cs
	return changed
}

// sparkCommand turns the list's CPU sparkline column on or off (no
// argument: toggles it).
func sparkCommand(ctx *common.Context, args []string) tea.Cmd {
	on := !ctx.Perf.Cfg.ListSparkline
	if len(args) == 1 {
		on = args[0] == "on"
	}
	ctx.Perf.Cfg.ListSparkline = on
	if on {
		ctx.SetMsg("CPU sparkline column on (% toggles; the newest samples, 100 % = all the VM's vCPUs)", false)
	} else {
		ctx.SetMsg("CPU sparkline column off", false)
	}
	return changed
}

// thresholdCommand: no args shows the levels; "save" writes the file;
// "WATCH warn|crit VALUE", "WATCH WARN CRIT", "WATCH off" or "KEY VALUE"
// (any config key) changes them.
func thresholdCommand(ctx *common.Context, args []string) tea.Cmd {
	p := ctx.Perf
	switch {
	case len(args) == 0:
		ctx.SetMsg(thresholdSummary(p.Cfg.Thresholds), false)
		return nil
	case len(args) == 1 && args[0] == "save":
		if err := p.Cfg.Save(p.CfgPath); err != nil {
			ctx.SetMsg("threshold save: "+err.Error(), true)
		} else {
			ctx.SetMsg("saved to "+p.CfgPath, false)
		}
		return nil
	}
	next := p.Cfg
	var err error
	w, isWatch := perf.WatchByName(args[0])
	switch {
	case isWatch && len(args) == 2 && args[1] == "off":
		next.Thresholds.Limits[w] = perf.Limit{}
	case isWatch && len(args) == 3 && (args[1] == "warn" || args[1] == "crit"):
		err = next.Set(args[0]+"."+args[1], args[2])
	case isWatch && len(args) == 3:
		if err = next.Set(args[0]+".warn", args[1]); err == nil {
			err = next.Set(args[0]+".crit", args[2])
		}
	case !isWatch && len(args) == 2:
		err = next.Set(args[0], args[1])
	default:
		err = fmt.Errorf("usage: threshold WATCH warn|crit VALUE, threshold WATCH WARN CRIT, threshold WATCH off, threshold save (watches: cpu mem disk net host.cpu host.mem)")
	}
	if err == nil {
		err = next.Thresholds.Check()
	}
	if err != nil {
		ctx.SetMsg("threshold: "+err.Error(), true)
		return nil
	}
	p.Cfg = next
	p.Tr.SetThresholds(next.Thresholds)
	ctx.SetMsg(thresholdSummary(next.Thresholds)+" (from the next sample; :threshold save keeps them)", false)
	return changed
}

func thresholdSummary(t perf.Thresholds) string {
	parts := make([]string, 0, perf.NumWatch)
	for w := perf.Watch(0); w < perf.NumWatch; w++ {
		l := t.Limits[w]
		lv := func(v float64) string {
			if v <= 0 {
				return "off"
			}
			return w.Format(v)
		}
		parts = append(parts, fmt.Sprintf("%s %s/%s", w.Name(), lv(l.Warn), lv(l.Crit)))
	}
	return "warn/crit: " + strings.Join(parts, ", ")
}

// argWords completes the performance commands' arguments.
func argWords(word string) []string {
	switch word {
	case "threshold":
		ws := []string{"save", "hysteresis", "cooldown"}
		for w := perf.Watch(0); w < perf.NumWatch; w++ {
			ws = append(ws, w.Name())
		}
		return ws
	case "charts":
		return []string{"braille", "block", "ascii"}
	case "spark":
		return []string{"on", "off"}
	}
	return []string{"host"}
}
