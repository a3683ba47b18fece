package screen

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kvmtui/tui/common"
)

// X11 keysyms (RFB key events) of the keys that are not characters, and
// the Linux key names libvirt's send-key takes for them.
var specials = map[tea.KeyType]struct {
	sym   uint32
	linux string
}{
	tea.KeyEnter: {0xff0d, "KEY_ENTER"}, tea.KeyTab: {0xff09, "KEY_TAB"}, tea.KeyBackspace: {0xff08, "KEY_BACKSPACE"},
	tea.KeyEsc: {0xff1b, "KEY_ESC"}, tea.KeySpace: {0x20, "KEY_SPACE"},
	tea.KeyUp: {0xff52, "KEY_UP"}, tea.KeyDown: {0xff54, "KEY_DOWN"}, tea.KeyLeft: {0xff51, "KEY_LEFT"}, tea.KeyRight: {0xff53, "KEY_RIGHT"},
	tea.KeyHome: {0xff50, "KEY_HOME"}, tea.KeyEnd: {0xff57, "KEY_END"}, tea.KeyPgUp: {0xff55, "KEY_PAGEUP"}, tea.KeyPgDown: {0xff56, "KEY_PAGEDOWN"},
	tea.KeyDelete: {0xffff, "KEY_DELETE"}, tea.KeyInsert: {0xff63, "KEY_INSERT"},
	tea.KeyF1: {0xffbe, "KEY_F1"}, tea.KeyF2: {0xffbf, "KEY_F2"}, tea.KeyF3: {0xffc0, "KEY_F3"}, tea.KeyF4: {0xffc1, "KEY_F4"},
	tea.KeyF5: {0xffc2, "KEY_F5"}, tea.KeyF6: {0xffc3, "KEY_F6"}, tea.KeyF7: {0xffc4, "KEY_F7"}, tea.KeyF8: {0xffc5, "KEY_F8"},
	tea.KeyF9: {0xffc6, "KEY_F9"}, tea.KeyF10: {0xffc7, "KEY_F10"}, tea.KeyF11: {0xffc8, "KEY_F11"}, tea.KeyF12: {0xffc9, "KEY_F12"},
}

const (
	symCtrl  = 0xffe3
	symAlt   = 0xffe9
	symShift = 0xffe1
)

// stroke is one key as the guest gets it: modifiers held, then the key.
type stroke struct {
	mods []uint32 // keysyms held around it
	sym  uint32
	// linux is the same for libvirt's send-key (the screenshot source);
	// empty for a character it has no key name for.
	linux []string
}

// strokes turns a key press into what the guest is sent.
func strokes(msg tea.KeyMsg) []stroke {
	var out []stroke
	alt := func(s stroke) stroke {
		if msg.Alt {
			s.mods = append([]uint32{symAlt}, s.mods...)
			if s.linux != nil {
				s.linux = append([]string{"KEY_LEFTALT"}, s.linux...)
			}
		}
		return s
	}
	if sp, ok := specials[msg.Type]; ok {
		return []stroke{alt(stroke{sym: sp.sym, linux: []string{sp.linux}})}
	}
	if msg.Type >= tea.KeyCtrlA && msg.Type <= tea.KeyCtrlZ {
		letter := rune('a' + int(msg.Type-tea.KeyCtrlA))
		return []stroke{alt(stroke{mods: []uint32{symCtrl}, sym: uint32(letter), linux: []string{"KEY_LEFTCTRL", "KEY_" + strings.ToUpper(string(letter))}})}
	}
	if msg.Type != tea.KeyRunes {
		return nil
	}
	for _, r := range msg.Runes {
		// A paste (bracketed) arrives as runes, line ends and tabs too:
		// the guest gets them as the keys that type them.
		switch r {
		case '\n', '\r':
			out = append(out, stroke{sym: specials[tea.KeyEnter].sym, linux: []string{"KEY_ENTER"}})
			continue
		case '\t':
			out = append(out, stroke{sym: specials[tea.KeyTab].sym, linux: []string{"KEY_TAB"}})
			continue
		}
		s := stroke{sym: uint32(r)}
		if needsShift(r) {
			s.mods = []uint32{symShift}
		}
		if r > 0xff {
			s.sym = 0x01000000 | uint32(r) // Unicode keysyms
		}
		s.linux = linuxChar(r)
		out = append(out, alt(s))
	}
	return out
}

// The US layout's punctuation: the Linux key of each unshifted character,
// and the unshifted character under each shifted one.
var (
	punctKeys = map[rune]string{
		'-': "KEY_MINUS", '=': "KEY_EQUAL", '[': "KEY_LEFTBRACE", ']': "KEY_RIGHTBRACE", '\\': "KEY_BACKSLASH",
		';': "KEY_SEMICOLON", '\'': "KEY_APOSTROPHE", ',': "KEY_COMMA", '.': "KEY_DOT", '/': "KEY_SLASH", '`': "KEY_GRAVE",
	}
	shifted = map[rune]rune{
		'!': '1', '@': '2', '#': '3', '$': '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0',
		'_': '-', '+': '=', '{': '[', '}': ']', '|': '\\', ':': ';', '"': '\'', '<': ',', '>': '.', '?': '/', '~': '`',
	}
)

// needsShift: the character is typed with shift on a US keyboard. The
// guest is sent shift around it as a keyboard would: QEMU turns a keysym
// into its key and does not add the shift itself ('$' arrived as '4').
func needsShift(r rune) bool {
	_, ok := shifted[r]
	return ok || (r >= 'A' && r <= 'Z')
}

// linuxChar is a character as Linux key names (US layout), with shift
// where it needs it; nil for one no key types.
func linuxChar(r rune) []string {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return []string{"KEY_" + strings.ToUpper(string(r))}
	case r >= 'A' && r <= 'Z':
		return []string{"KEY_LEFTSHIFT", "KEY_" + string(r)}
	case r == ' ':
		return []string{"KEY_SPACE"}
	}
	if k, ok := punctKeys[r]; ok {
		return []string{k}
	}
	if base, ok := shifted[r]; ok {
		return append([]string{"KEY_LEFTSHIFT"}, linuxChar(base)...)
	}
	return nil
}

// key sends a key press to the guest: RFB key events on the live source,
// libvirt's send-key on the screenshot one. ctrl+g opens the menu of the
// combinations a terminal cannot type; the next key picks one.
func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	if p.combo {
		p.combo = false
		s, label, ok := comboStroke(msg)
		if !ok {
			return nil // esc, or a key the menu has not: back to typing
		}
		p.ctx.SetMsg("sent "+label+" to "+p.dom.Name, false)
		return p.press(s)
	}
	if msg.String() == "ctrl+g" {
		p.combo = true
		return nil
	}
	return p.press(strokes(msg)...)
}

// press hands strokes to the guest.
func (p *Page) press(ss ...stroke) tea.Cmd {
	if len(ss) == 0 || p.err != "" {
		return nil
	}
	if c := p.client; c != nil {
		return p.inOrder(func() tea.Msg {
			for _, s := range ss {
				for _, m := range s.mods {
					c.Key(m, true)
				}
				c.Key(s.sym, true)
				c.Key(s.sym, false)
				for i := len(s.mods) - 1; i >= 0; i-- {
					c.Key(s.mods[i], false)
				}
			}
			return nil
		})
	}
	mgr, ref := p.ctx.Mgr, p.dom.Ref
	return p.inOrder(func() tea.Msg {
		for _, s := range ss {
			if s.linux == nil {
				return common.StatusMsg{Text: "the screenshot source cannot send that key", Err: true}
			}
			if err := mgr.SendKey(ref, s.linux...); err != nil {
				return common.StatusMsg{Text: "send-key: " + err.Error(), Err: true}
			}
		}
		return nil
	})
}

// inOrder runs send after the input sent before it: Bubble Tea runs each
// command in a goroutine of its own, so keys typed (or pasted) quickly
// reached the guest in any order (a space came before the word it
// followed). Each command waits for the one before, chained by channels.
func (p *Page) inOrder(send func() tea.Msg) tea.Cmd {
	prev, next := p.sent, make(chan struct{})
	p.sent = next
	return func() tea.Msg {
		if prev != nil {
			<-prev
		}
		defer close(next)
		return send()
	}
}

// combos are the key combinations a terminal cannot type, sent from the
// menu ctrl+g opens, by the key that picks each.
var combos = map[string]struct {
	label string
	s     stroke
}{
	"d": {"Ctrl+Alt+Del", stroke{mods: []uint32{symCtrl, symAlt}, sym: specials[tea.KeyDelete].sym, linux: []string{"KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_DELETE"}}},
	"b": {"Ctrl+Alt+Backspace", stroke{mods: []uint32{symCtrl, symAlt}, sym: specials[tea.KeyBackspace].sym, linux: []string{"KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_BACKSPACE"}}},
	"p": {"Print", stroke{sym: 0xff61, linux: []string{"KEY_SYSRQ"}}},
	"t": {"Alt+Tab", stroke{mods: []uint32{symAlt}, sym: specials[tea.KeyTab].sym, linux: []string{"KEY_LEFTALT", "KEY_TAB"}}},
	"4": {"Alt+F4", stroke{mods: []uint32{symAlt}, sym: specials[tea.KeyF4].sym, linux: []string{"KEY_LEFTALT", "KEY_F4"}}},
	"s": {"Super", stroke{sym: 0xffeb, linux: []string{"KEY_LEFTMETA"}}}, // the Windows key: Start
}

// comboStroke is the stroke a menu key picks: a combos entry, or Fn with
// Ctrl+Alt (a Linux guest's virtual terminals); false for anything else.
func comboStroke(msg tea.KeyMsg) (stroke, string, bool) {
	if c, ok := combos[msg.String()]; ok {
		return c.s, c.label, true
	}
	if sp, ok := specials[msg.Type]; ok && strings.HasPrefix(sp.linux, "KEY_F") {
		name := strings.TrimPrefix(sp.linux, "KEY_")
		return stroke{mods: []uint32{symCtrl, symAlt}, sym: sp.sym, linux: []string{"KEY_LEFTCTRL", "KEY_LEFTALT", sp.linux}}, "Ctrl+Alt+" + name, true
	}
	return stroke{}, "", false
}

// comboMenu is the hint line while the menu is open, the way back first
// (a narrow terminal cuts the end).
const comboMenu = "esc back  send: d Ctrl+Alt+Del  F1…F12 Ctrl+Alt+Fn  t Alt+Tab  4 Alt+F4  s Super  b Ctrl+Alt+Backspace  p Print"
