package hostinfo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
)

// hugeForm is what h asks: a page size, a NUMA cell (or the whole host)
// and the number of pages the pool should hold.
type hugeForm struct {
	sizes, cells []string
	Size, Cell   string
	Count        uint64
}

func (f *hugeForm) Fields() []devices.Field {
	return []devices.Field{
		{Name: "size", Label: "Page size", Type: devices.TypeEnum, Choices: f.sizes, Help: "the huge page size to set the pool of"},
		{Name: "cell", Label: "NUMA cell", Type: devices.TypeEnum, Choices: f.cells, Help: "all: the kernel spreads the pages over the cells"},
		{Name: "count", Label: "Pages", Type: devices.TypeNumber, Help: "how many pages the pool holds; 0 gives them all back"},
	}
}

func (f *hugeForm) Get(name string) string {
	switch name {
	case "size":
		return f.Size
	case "cell":
		return f.Cell
	}
	return strconv.FormatUint(f.Count, 10)
}

func (f *hugeForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "size", "cell":
		choices := map[string][]string{"size": f.sizes, "cell": f.cells}[name]
		if !slices.Contains(choices, v) {
			return fmt.Errorf("one of %s", strings.Join(choices, ", "))
		}
		if name == "size" {
			f.Size = v
		} else {
			f.Cell = v
		}
	case "count":
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("a whole number of pages, like 512")
		}
		f.Count = n
	default:
		return fmt.Errorf("no field %q", name)
	}
	return nil
}

// hugeForm opens the form; its save asks before the host changes, naming
// the memory the pool will take from everything else.
func (p *Page) hugeForm() tea.Cmd {
	h := p.host
	if p.ctx.ReadOnly() {
		p.ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
		return nil
	}
	if h == nil || len(hugeTotals(*h)) == 0 {
		p.ctx.SetMsg("this host offers no huge page size", true)
		return nil
	}
	f := &hugeForm{cells: []string{"all"}, Cell: "all"}
	sizeOf := map[string]libvirtx.PagePool{}
	for _, pp := range hugeTotals(*h) {
		name := devices.ApproxSize(pp.SizeKiB * 1024)
		f.sizes, sizeOf[name] = append(f.sizes, name), pp
	}
	f.Size, f.Count = f.sizes[0], sizeOf[f.sizes[0]].Total
	for _, c := range h.Cells {
		f.cells = append(f.cells, strconv.Itoa(c.ID))
	}
	uri, mgr := p.uri, p.ctx.Mgr
	note := "Huge pages on " + p.ctx.Label(uri) + ": guests with <memoryBacking><hugepages/> use them. ctrl+s asks first."
	pg := formpage.New(p.ctx, "Huge pages", note, form.New(f, nil), func() tea.Cmd {
		size, count, cell := sizeOf[f.Size].SizeKiB, f.Count, -1
		where := "the host"
		if f.Cell != "all" {
			cell, _ = strconv.Atoi(f.Cell)
			where = "NUMA cell " + f.Cell
		}
		prompt := fmt.Sprintf("Set the pool of %s pages on %s to %d (%s of memory)?", f.Size, where, count, devices.ApproxSize(size*1024*count))
		if count > 0 {
			prompt += "\nThat memory is then reserved for huge pages: nothing else can use it."
		}
		run := func() tea.Msg {
			if err := mgr.SetHugePages(uri, size, cell, count); err != nil {
				return hugeDone{uri: uri, text: "huge pages: " + err.Error(), err: err}
			}
			return hugeDone{uri: uri, text: fmt.Sprintf("%s pages on %s: %d", f.Size, where, count)}
		}
		return func() tea.Msg { return formpage.Saved{Then: common.Ask(prompt, run)} }
	})
	return func() tea.Msg { return common.PushMsg{Page: pg} }
}
