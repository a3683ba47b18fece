// Package clone is the clone form (:clone [VM], L on the list): a new
// name, how many clones, and for each disk a full copy into a pool, a
// linked overlay, the same image or none, as virt-clone does. Several
// marked VMs are cloned each as NAME-clone. The copies' progress shows on
// the message line.
package clone

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/devices"
	"kvmtui/install"
	"kvmtui/libvirtx"
	"kvmtui/tui/common"
	"kvmtui/tui/form"
	"kvmtui/tui/formpage"
	"kvmtui/tui/widget"
)

func init() {
	common.Register(common.Entry{
		Words: []string{"clone"},
		Usage: "clone [VM...]",
		Desc:  "clone VMs: full copies or linked overlays, new names, UUIDs and MACs",
		Args:  (*common.Context).VMNames,
		Run:   Run,
	})
}

// FromTemplate is the wizard's "from template" method: the clone form for
// a template, named as the wizard says, that starts the clone once made;
// it takes the wizard's place.
func FromTemplate(ctx *common.Context, t libvirtx.Domain, name string) tea.Cmd {
	return func() tea.Msg {
		plan, err := ctx.Mgr.PlanClone(t.Ref)
		if err != nil {
			return common.StatusMsg{Text: "template " + t.Name + ": " + err.Error(), Err: true}
		}
		pg, f := newPage(ctx, []libvirtx.Domain{t}, []libvirtx.ClonePlan{plan}, true)
		if name != "" {
			f.Name = name
			f.rename()
		}
		pg.Form.Rebuild()
		return common.ReplaceMsg{Page: pg}
	}
}

// Run reads what the clone form needs about the VMs (named, else the
// marked ones, else the selected one) and opens it.
func Run(ctx *common.Context, args []string) tea.Cmd {
	if ctx.ReadOnly() {
		ctx.SetMsg(libvirtx.ErrReadOnly.Error(), true)
		return nil
	}
	doms, err := ctx.Resolve(args)
	if err != nil {
		ctx.SetMsg("clone: "+err.Error(), true)
		return nil
	}
	return func() tea.Msg {
		var plans []libvirtx.ClonePlan
		for _, d := range doms {
			p, err := ctx.Mgr.PlanClone(d.Ref)
			if err != nil {
				return common.StatusMsg{Text: "clone " + d.Name + ": " + err.Error(), Err: true}
			}
			plans = append(plans, p)
		}
		pg, _ := newPage(ctx, doms, plans, false)
		return common.PushMsg{Page: pg}
	}
}

// cloneForm is the form's target: for one VM every disk's fields, for
// several only whether disks are copied or linked.
type cloneForm struct {
	doms  []libvirtx.Domain
	plans []libvirtx.ClonePlan
	Name  string
	Count int
	Mode  libvirtx.CloneMode // several VMs: every disk's
	disks []libvirtx.CloneDisk
	named map[string]bool // disk names typed: they no longer follow the VM's name
	// A fresh cloud-init seed (a cloud image template's clone gets its own
	// hostname, instance-id and keys) when a user or key is given.
	CIUser, CIKey string
	start         bool // start the clones once made (the wizard's template method)
}

func newForm(doms []libvirtx.Domain, plans []libvirtx.ClonePlan) *cloneForm {
	f := &cloneForm{doms: doms, plans: plans, Count: 1, Mode: libvirtx.CloneCopy, named: map[string]bool{}}
	f.Name = plans[0].FreeName(doms[0].Name)
	f.disks = plans[0].Named(doms[0].Name, f.Name).Disks
	return f
}

func (f *cloneForm) single() bool { return len(f.doms) == 1 }

func (f *cloneForm) Fields() []devices.Field {
	modes := libvirtx.CloneModes
	if !f.single() {
		return []devices.Field{{Name: "mode", Label: "Disks", Type: devices.TypeEnum, Choices: modes[:2],
			Help: "each VM becomes NAME-clone; copy: full copies; linked: qcow2 overlays on the sources"}}
	}
	fs := []devices.Field{
		{Name: "name", Label: "Name", Type: devices.TypeText, Help: "the clone's name; with a count above 1, NAME-1 … NAME-N"},
		{Name: "count", Label: "Count", Type: devices.TypeText, Help: "how many clones (1 to 100)"},
	}
	fs = append(fs,
		devices.Field{Name: "ci-user", Label: "cloud-init user", Type: devices.TypeText, Optional: true,
			Help: "a cloud image's clone: a fresh seed (own hostname, instance-id) creating this user"},
		devices.Field{Name: "ci-key", Label: "  SSH key", Type: devices.TypeText, Optional: true,
			Help: "an authorized_keys line for that user, like ssh-ed25519 AAAA… you@host"})
	for _, d := range f.disks {
		help := map[libvirtx.CloneMode]string{
			libvirtx.CloneCopy:   "a full copy of " + d.Source + " (" + devices.ApproxSize(d.Allocation) + " used)",
			libvirtx.CloneLinked: "a qcow2 overlay on " + d.Source + ": fast and small, but the source must not change any more",
			libvirtx.CloneShare:  "the same image as the source" + widget.Choose(d.Device == "disk" && !d.ReadOnly, ": both VMs write to it!", ""),
			libvirtx.CloneSkip:   "the clone has no " + d.Target,
		}[d.Mode]
		fs = append(fs, devices.Field{Name: d.Target, Label: d.Target + " (" + d.Device + ")", Type: devices.TypeEnum, Choices: modes, Help: help})
		if d.Mode == libvirtx.CloneCopy || d.Mode == libvirtx.CloneLinked {
			fs = append(fs,
				devices.Field{Name: d.Target + ":pool", Label: "  into pool", Type: devices.TypeEnum, Choices: f.plans[0].Pools, Help: "the pool the new image goes to"},
				devices.Field{Name: d.Target + ":name", Label: "  as", Type: devices.TypeText, Help: "the new volume's name"})
		}
	}
	return fs
}

func (f *cloneForm) disk(target string) *libvirtx.CloneDisk {
	for i := range f.disks {
		if f.disks[i].Target == target {
			return &f.disks[i]
		}
	}
	return nil
}

func (f *cloneForm) Get(name string) string {
	switch name {
	case "name":
		return f.Name
	case "count":
		return strconv.Itoa(f.Count)
	case "mode":
		return string(f.Mode)
	case "ci-user":
		return f.CIUser
	case "ci-key":
		return f.CIKey
	}
	target, part, _ := strings.Cut(name, ":")
	d := f.disk(target)
	if d == nil {
		return ""
	}
	switch part {
	case "pool":
		return d.ToPool
	case "name":
		return d.NewName
	}
	return string(d.Mode)
}

func (f *cloneForm) Set(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "name":
		if v == "" || strings.Contains(v, "/") {
			return errors.New("a name with no '/'")
		}
		if slices.Contains(f.plans[0].Taken, v) {
			return fmt.Errorf("a VM named %s exists", v)
		}
		f.Name = v
		f.rename()
		return nil
	case "count":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return errors.New("a number from 1 to 100")
		}
		f.Count = n
		return nil
	case "mode":
		if v != string(libvirtx.CloneCopy) && v != string(libvirtx.CloneLinked) {
			return errors.New("copy or linked")
		}
		f.Mode = libvirtx.CloneMode(v)
		return nil
	case "ci-user", "ci-key":
		ci := install.CloudInit{User: f.CIUser, SSHKeys: []string{f.CIKey}}
		if name == "ci-user" {
			ci.User = v
		} else {
			ci.SSHKeys[0] = v
		}
		if ci.User != "" && ci.SSHKeys[0] != "" {
			if err := ci.Check(); err != nil {
				return err
			}
		}
		f.CIUser, f.CIKey = ci.User, ci.SSHKeys[0]
		return nil
	}
	target, part, _ := strings.Cut(name, ":")
	d := f.disk(target)
	if d == nil {
		return fmt.Errorf("no field %q", name)
	}
	switch part {
	case "pool":
		if !slices.Contains(f.plans[0].Pools, v) {
			return fmt.Errorf("one of %s", strings.Join(f.plans[0].Pools, ", "))
		}
		d.ToPool = v
	case "name":
		if v == "" || strings.Contains(v, "/") {
			return errors.New("a volume name with no '/'")
		}
		d.NewName, f.named[target] = v, true
	default:
		if !slices.Contains(libvirtx.CloneModes, v) {
			return fmt.Errorf("one of %s", strings.Join(libvirtx.CloneModes, ", "))
		}
		if (v == string(libvirtx.CloneCopy) || v == string(libvirtx.CloneLinked)) && d.Pool == "" {
			return fmt.Errorf("%s is in no storage pool: share or skip it (or make a pool of its directory)", d.Source)
		}
		d.Mode = libvirtx.CloneMode(v)
		f.rename()
	}
	return nil
}

// rename has the disks' untyped names follow the clone's name and mode.
func (f *cloneForm) rename() {
	named := f.plans[0]
	named.Disks = f.disks
	for i, d := range named.Named(f.doms[0].Name, f.Name).Disks {
		if !f.named[d.Target] {
			f.disks[i].NewName = d.NewName
		}
	}
}

// Snapshot lets the form replay what was typed.
func (f *cloneForm) Snapshot() (func(), error) {
	saved := *f
	saved.disks = slices.Clone(f.disks)
	saved.named = maps.Clone(f.named)
	return func() {
		*f = saved
		f.disks = slices.Clone(saved.disks)
		f.named = maps.Clone(saved.named)
	}, nil
}

// job is one clone to make.
type job struct {
	src  libvirtx.Domain
	spec libvirtx.CloneSpec
	ci   *install.CloudInit // a fresh seed for it, named after it
}

// cloudInit is what the cloud-init fields ask for, nil when nothing.
func (f *cloneForm) cloudInit() (*install.CloudInit, error) {
	if !f.single() || (f.CIUser == "" && f.CIKey == "") {
		return nil, nil
	}
	ci := &install.CloudInit{User: f.CIUser}
	if f.CIKey != "" {
		ci.SSHKeys = []string{f.CIKey}
	}
	return ci, ci.Check()
}

// jobs are the clones the form asks for.
func (f *cloneForm) jobs() []job {
	if !f.single() {
		var out []job
		for i, d := range f.doms {
			name := f.plans[i].FreeName(d.Name)
			disks := slices.Clone(f.plans[i].Disks)
			for j := range disks {
				if disks[j].Mode == libvirtx.CloneCopy && disks[j].Pool != "" {
					disks[j].Mode = f.Mode
				}
			}
			p := f.plans[i]
			p.Disks = disks
			out = append(out, job{src: d, spec: libvirtx.CloneSpec{Name: name, Disks: p.Named(d.Name, name).Disks}})
		}
		return out
	}
	if f.Count == 1 {
		return []job{{src: f.doms[0], spec: libvirtx.CloneSpec{Name: f.Name, Disks: slices.Clone(f.disks)}}}
	}
	var out []job
	for i := 1; i <= f.Count; i++ {
		name := fmt.Sprintf("%s-%d", f.Name, i)
		p := f.plans[0]
		p.Disks = slices.Clone(f.disks)
		disks := p.Named(f.doms[0].Name, name).Disks
		for j := range disks {
			if f.named[disks[j].Target] { // a typed name gets the clone's number
				disks[j].NewName = numbered(f.disks[j].NewName, i)
			}
		}
		out = append(out, job{src: f.doms[0], spec: libvirtx.CloneSpec{Name: name, Disks: disks}})
	}
	return out
}

// numbered puts -i before a file name's extension.
func numbered(name string, i int) string {
	dot := strings.LastIndex(name, ".")
	if dot <= 0 {
		return fmt.Sprintf("%s-%d", name, i)
	}
	return fmt.Sprintf("%s-%d%s", name[:dot], i, name[dot:])
}

func newPage(ctx *common.Context, doms []libvirtx.Domain, plans []libvirtx.ClonePlan, start bool) (*formpage.Page, *cloneForm) {
	f := newForm(doms, plans)
	f.start = start
	var names []string
	for _, d := range doms {
		names = append(names, d.Name)
	}
	note := "Clone " + strings.Join(names, ", ") + ": ctrl+s makes it" + widget.Choose(start, " and starts it", "") + " (new UUID, MACs, NVRAM)."
	if !f.single() {
		note = "Clone " + strings.Join(names, ", ") + ", each as NAME-clone: ctrl+s starts."
	}
	for i, p := range plans {
		if p.State.Active() && p.State != libvirtx.StatePaused {
			note = doms[i].Name + " runs: pause it first, as virt-clone asks. " + note
		}
	}
	mgr := ctx.Mgr
	pg := formpage.New(ctx, "Clone", note, form.New(f, nil), func() tea.Cmd {
		jobs := f.jobs()
		ci, err := f.cloudInit()
		if err != nil {
			return func() tea.Msg { return formpage.Saved{Err: err} }
		}
		for i := range jobs {
			jobs[i].ci = ci
		}
		start := f.start
		return func() tea.Msg {
			ch := make(chan tea.Msg, 1)
			go run(mgr, jobs, start, ch)
			return common.Stream(ch)()
		}
	})
	return pg, f
}

// run makes the clones one after another, reporting each copy's progress;
// it stops at the first failure, keeping the clones made before it.
func run(mgr *libvirtx.Manager, jobs []job, start bool, ch chan<- tea.Msg) {
	defer close(ch)
	var made []string
	for i, j := range jobs {
		what := "cloning " + j.src.Name + " → " + j.spec.Name
		if len(jobs) > 1 {
			what += fmt.Sprintf(" (%d of %d)", i+1, len(jobs))
		}
		began := time.Now()
		ch <- common.StatusMsg{Text: what + "…"}
		if j.ci != nil {
			ci := *j.ci
			ci.InstanceID = install.NewInstanceID(j.spec.Name)
			seed, err := ci.SeedISO(j.spec.Name, began)
			if err != nil {
				ch <- formpage.Saved{Err: err}
				return
			}
			j.spec.Seed = seed
		}
		ref, err := mgr.Clone(j.src.Ref, j.spec, func(disk string, done, total int64) {
			select { // the newest is enough: never wait for the UI
			case ch <- common.StatusMsg{Text: widget.Progress(what+" "+disk, done, total, began)}:
			default:
			}
		})
		if err == nil && start {
			if err = mgr.Do(ref, libvirtx.Start); err != nil {
				err = fmt.Errorf("%s is made, but starting it: %w", j.spec.Name, err)
			}
		}
		if err != nil {
			if len(made) > 0 {
				err = fmt.Errorf("%w (made before it: %s)", err, strings.Join(made, ", "))
			}
			ch <- formpage.Saved{Err: err}
			return
		}
		made = append(made, j.spec.Name)
	}
	text := widget.Choose(start, "cloned and started ", "cloned ") + strings.Join(made, ", ")
	for _, j := range jobs[:1] {
		for _, d := range j.spec.Disks {
			if d.Mode == libvirtx.CloneLinked {
				text += "; " + j.src.Name + " is a template now: its disks are their base"
				break
			}
		}
	}
	ch <- formpage.Saved{Text: text}
}
