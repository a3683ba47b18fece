package common

import (
	"kvmtui/config"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Keys are the bindings every page shares: the root takes ? and : (unless
// a page captures keys); the list takes q and esc. Pages show them in their
// hints from here.
type Keys struct {
	Help    key.Binding
	Command key.Binding
	Quit    key.Binding
	Back    key.Binding
}

// NewKeys builds the shared bindings.
func NewKeys() Keys {
	return Keys{
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
	}
}

// All lists them for the help overlay.
func (k Keys) All() []key.Binding { return []key.Binding{k.Help, k.Command, k.Back, k.Quit} }

// keyViews are the pages whose bindings the configuration can change
// (key.VIEW.ACTION = KEYS): the view's name → its default bindings.
var keyViews = map[string]func() any{}

// RegisterKeys names a page's bindings for the configuration: fresh
// returns them as built (a struct of key.Binding fields, which may embed
// more); each action is a field's name in lower case.
func RegisterKeys(view string, fresh func() any) { keyViews[view] = fresh }

// Action is one rebindable binding.
type Action struct {
	View, Name string
	Binding    key.Binding
}

// Actions lists every view's actions with their default keys, by view and
// then in declaration order (kvmtui keys prints them).
func Actions() []Action {
	var out []Action
	for _, view := range slices.Sorted(maps.Keys(keyViews)) {
		eachBinding(addressable(keyViews[view]()), func(name string, b *key.Binding) {
			out = append(out, Action{View: view, Name: name, Binding: *b})
		})
	}
	return out
}

// CheckKeys reports the configuration's key lines that name no view or
// action.
func CheckKeys(cfg *config.Config) []error {
	var errs []error
	for _, view := range slices.Sorted(maps.Keys(cfg.Keys)) {
		fresh, ok := keyViews[view]
		if !ok {
			for action := range cfg.Keys[view] {
				errs = append(errs, cfg.Errf("key."+view+"."+action, "no view %q (views: %s)", view, strings.Join(slices.Sorted(maps.Keys(keyViews)), ", ")))
			}
			continue
		}
		names := map[string]bool{}
		eachBinding(addressable(fresh()), func(name string, _ *key.Binding) { names[name] = true })
		for _, action := range slices.Sorted(maps.Keys(cfg.Keys[view])) {
			if !names[action] {
				errs = append(errs, cfg.Errf("key."+view+"."+action, "%s has no action %q (actions: %s)", view, action, strings.Join(slices.Sorted(maps.Keys(names)), ", ")))
			}
		}
	}
	return errs
}

// Bind returns k with the configuration's keys for view in place of the
// defaults; the help shows the new keys.
func Bind[K any](ctx *Context, view string, k K) K {
	over := ctx.Config.Keys[view]
	if len(over) == 0 {
		return k
	}
	eachBinding(reflect.ValueOf(&k).Elem(), func(name string, b *key.Binding) {
		if keys, ok := over[name]; ok {
			b.SetKeys(keys...)
			b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
		}
	})
	return k
}

// addressable is a settable copy of the struct in x.
func addressable(x any) reflect.Value {
	v := reflect.New(reflect.TypeOf(x)).Elem()
	v.Set(reflect.ValueOf(x))
	return v
}

// eachBinding calls f with every key.Binding field of the struct v, and of
// the structs it embeds.
func eachBinding(v reflect.Value, f func(name string, b *key.Binding)) {
	if v.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < v.NumField(); i++ {
		fv, ft := v.Field(i), v.Type().Field(i)
		switch {
		case !ft.IsExported():
		case ft.Type == reflect.TypeOf(key.Binding{}):
			f(strings.ToLower(ft.Name), fv.Addr().Interface().(*key.Binding))
		case ft.Anonymous:
			eachBinding(fv, f)
		}
	}
}

func init() { RegisterKeys("global", func() any { return NewKeys() }) }
