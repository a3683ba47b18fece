package devices

import (
	"fmt"
	"net"
	"strings"

	lx "libvirt.org/go/libvirtxml"
)

// Graphics (the remote display) and video (the guest's graphics card).

var (
	graphicsTypes = []string{"vnc", "spice"}
	videoModels   = []string{"virtio", "qxl", "vga", "bochs", "ramfb", "cirrus", "vmvga", "none"}
)

var kindGraphics = register(&Kind{ID: "graphics", Title: "Display", Addable: true}, &kindDef[lx.DomainGraphic]{
	fields: graphicsFields(),
	list:   func(def *lx.Domain) []*lx.DomainGraphic { return pointers(def.Devices.Graphics) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainGraphic {
		if freeGraphicsTypes(caps, def)[0] == "spice" {
			return &lx.DomainGraphic{Spice: &lx.DomainGraphicSpice{AutoPort: "yes"}}
		}
		return &lx.DomainGraphic{VNC: &lx.DomainGraphicVNC{AutoPort: "yes"}}
	},
	unavail: func(caps *Caps, def *lx.Domain) string {
		if caps.denies("graphics") || len(offered(graphicsTypes, capsList(caps, func(c *Caps) []string { return c.GraphicsTypes }))) == 0 {
			return "this QEMU offers no VNC or SPICE display"
		}
		if len(freeGraphicsTypes(caps, def)) == 0 {
			return "the VM already has a VNC and a SPICE display"
		}
		return ""
	},
	sum:   graphicsSummary,
	valid: checkGraphics,
	put:   func(def *lx.Domain, g *lx.DomainGraphic) { def.Devices.Graphics = append(def.Devices.Graphics, *g) },
})

// freeGraphicsTypes are the offered display types def has none of yet
// (libvirt allows one of each).
func freeGraphicsTypes(caps *Caps, def *lx.Domain) []string {
	var out []string
	for _, t := range offered(graphicsTypes, capsList(caps, func(c *Caps) []string { return c.GraphicsTypes })) {
		taken := false
		if def != nil && def.Devices != nil {
			for i := range def.Devices.Graphics {
				taken = taken || graphicsType(&def.Devices.Graphics[i]) == t
			}
		}
		if !taken {
			out = append(out, t)
		}
	}
	return out
}

func graphicsType(g *lx.DomainGraphic) string {
	switch {
	case g.VNC != nil:
		return "vnc"
	case g.Spice != nil:
		return "spice"
	case g.SDL != nil:
		return "sdl"
	case g.RDP != nil:
		return "rdp"
	case g.Desktop != nil:
		return "desktop"
	case g.EGLHeadless != nil:
		return "egl-headless"
	case g.DBus != nil:
		return "dbus"
	}
	return ""
}

func isGraphics(types ...string) func(*lx.DomainGraphic) bool {
	return func(g *lx.DomainGraphic) bool {
		t := graphicsType(g)
		for _, x := range types {
			if t == x {
				return true
			}
		}
		return false
	}
}

// remote is the part VNC and SPICE share: where they listen, their port
// and password.
type remote struct {
	listen    *string
	listeners *[]lx.DomainGraphicListener
	port      *int
	autoport  *string
	passwd    *string
}

func remoteOf(g *lx.DomainGraphic) remote {
	if g.VNC != nil {
		v := g.VNC
		return remote{&v.Listen, &v.Listeners, &v.Port, &v.AutoPort, &v.Passwd}
	}
	s := g.Spice
	return remote{&s.Listen, &s.Listeners, &s.Port, &s.AutoPort, &s.Passwd}
}

func (r remote) address() string {
	for _, l := range *r.listeners {
		if l.Address != nil {
			return l.Address.Address
		}
		if l.Socket != nil || l.Network != nil {
			return ""
		}
	}
	return *r.listen
}

func graphicsFields() []spec[lx.DomainGraphic] {
	remoteTypes := isGraphics("vnc", "spice")
	return []spec[lx.DomainGraphic]{
		{
			Field: Field{Name: "type", Label: "Type", Type: TypeEnum, Choices: graphicsTypes,
				Help: "vnc works with any viewer; spice adds audio, USB redirection and copy-paste with virt-viewer"},
			choices: func(c *Caps) []string { return offered(graphicsTypes, c.GraphicsTypes) },
			get:     graphicsType,
			set: func(g *lx.DomainGraphic, s string) error {
				if s == graphicsType(g) {
					return nil
				}
				// Keep where it listens and its password across the switch.
				var old remote
				if remoteTypes(g) {
					old = remoteOf(g)
				}
				n := lx.DomainGraphic{Audio: g.Audio}
				if s == "vnc" {
					n.VNC = &lx.DomainGraphicVNC{AutoPort: "yes"}
				} else {
					n.Spice = &lx.DomainGraphicSpice{AutoPort: "yes"}
				}
				if old.listen != nil {
					r := remoteOf(&n)
					*r.listen, *r.listeners, *r.passwd = *old.listen, *old.listeners, *old.passwd
				}
				*g = n
				return nil
			},
		},
		{
			Field: Field{Name: "listen", Label: "Listen address", Type: TypeText, Optional: true,
				Help: "the host address viewers connect to: 127.0.0.1 (local, use SSH), 0.0.0.0 (all); empty for libvirt's default"},
			when: remoteTypes,
			parse: func(s string) (string, error) {
				ip := net.ParseIP(s)
				if ip == nil {
					return "", fmt.Errorf("invalid listen address %q: expected an IP address like 127.0.0.1, 0.0.0.0 or ::", s)
				}
				return ip.String(), nil
			},
			get: func(g *lx.DomainGraphic) string { return remoteOf(g).address() },
			set: func(g *lx.DomainGraphic, s string) error {
				r := remoteOf(g)
				*r.listen = s
				*r.listeners = nil
				if s != "" {
					*r.listeners = []lx.DomainGraphicListener{{Address: &lx.DomainGraphicListenerAddress{Address: s}}}
				}
				return nil
			},
		},
		{
			Field: Field{Name: "port", Label: "Port", Type: TypeText,
				Help: "auto, or a TCP port (VNC: 5900-65535)"},
			when: remoteTypes,
			parse: func(s string) (string, error) {
				if strings.EqualFold(s, "auto") {
					return "auto", nil
				}
				v, err := parseDecimalField(s)
				if err != nil || v < 1 || v > 65535 {
					return "", fmt.Errorf("invalid port %q: expected auto or a port from 1 to 65535 (VNC: 5900 and up)", s)
				}
				return utoa(v), nil
			},
			get: func(g *lx.DomainGraphic) string {
				r := remoteOf(g)
				if *r.autoport == "yes" || *r.port <= 0 {
					return "auto"
				}
				return utoa(*r.port)
			},
			set: func(g *lx.DomainGraphic, s string) error {
				r := remoteOf(g)
				if s == "auto" {
					*r.port, *r.autoport = 0, "yes"
					return nil
				}
				p := int(atou(s))
				if g.VNC != nil && p < 5900 {
					return fmt.Errorf("invalid port %s: libvirt's VNC ports start at 5900 (display :0); expected auto or 5900-65535", s)
				}
				*r.port, *r.autoport = p, "no"
				return nil
			},
		},
		{
			Field: Field{Name: "password", Label: "Password", Type: TypePassword, Optional: true, Live: true,
				Help: "asked by viewers; at most 8 characters for VNC; empty for none"},
			when: remoteTypes,
			// QEMU changes a password live only on a display that started
			// with one; otherwise it takes effect at the next start.
			liveIf: func(g *lx.DomainGraphic) bool { return *remoteOf(g).passwd != "" },
			get:    func(g *lx.DomainGraphic) string { return *remoteOf(g).passwd },
			set: func(g *lx.DomainGraphic, s string) error {
				if g.VNC != nil && len(s) > 8 {
					return fmt.Errorf("a VNC password has at most 8 characters (the VNC protocol's limit); this one has %d", len(s))
				}
				*remoteOf(g).passwd = s
				return nil
			},
		},
		{
			Field: Field{Name: "gl", Label: "OpenGL", Type: TypeBool,
				Help: "3D acceleration for local SPICE clients (needs a virtio video with 3D and a host GPU)"},
			when: isGraphics("spice"),
			get: func(g *lx.DomainGraphic) string {
				return yesNo(g.Spice.GL != nil && g.Spice.GL.Enable == "yes")
			},
			set: func(g *lx.DomainGraphic, s string) error {
				g.Spice.GL = nil
				if s == "yes" {
					g.Spice.GL = &lx.DomainGraphicSpiceGL{Enable: "yes"}
					// SPICE GL serves local clients only: libvirt wants
					// no network listener.
					g.Spice.Listen, g.Spice.Listeners = "", []lx.DomainGraphicListener{{}}
					g.Spice.Port, g.Spice.AutoPort = 0, ""
				}
				return nil
			},
		},
	}
}

func checkGraphics(g *lx.DomainGraphic, c ctx) error {
	if c.def != nil && c.def.Devices != nil {
		for i := range c.def.Devices.Graphics {
			o := &c.def.Devices.Graphics[i]
			if any(o) != c.orig && graphicsType(o) == graphicsType(g) {
				return fmt.Errorf("the VM already has a %s display; libvirt allows one of each type", graphicsType(g))
			}
		}
	}
	if g.Spice != nil && g.Spice.GL != nil && g.Spice.GL.Enable == "yes" {
		if a := remoteOf(g).address(); a != "" {
			return fmt.Errorf("SPICE OpenGL works only for local clients; clear the listen address %s", a)
		}
	}
	return nil
}

func graphicsSummary(g *lx.DomainGraphic) string {
	t := graphicsType(g)
	name := map[string]string{"vnc": "VNC", "spice": "SPICE"}[t]
	if name == "" {
		return t + " display"
	}
	r := remoteOf(g)
	port := "auto port"
	if *r.autoport != "yes" && *r.port > 0 {
		port = fmt.Sprintf("port %d", *r.port)
	}
	listen := ""
	if a := r.address(); a != "" {
		listen = "listen " + a
	}
	extra := ""
	if *r.passwd != "" {
		extra = "password set"
	}
	if g.Spice != nil && g.Spice.GL != nil && g.Spice.GL.Enable == "yes" {
		port, extra = "", strings.TrimSpace("OpenGL "+extra)
	}
	return joinSummary(name+" display", port, listen, extra)
}

var kindVideo = register(&Kind{ID: "video", Title: "Video", Addable: true}, &kindDef[lx.DomainVideo]{
	fields: []spec[lx.DomainVideo]{
		{
			Field: Field{Name: "model", Label: "Model", Type: TypeEnum, Choices: videoModels,
				Help: "virtio for modern guests, qxl for SPICE with older guests, vga/bochs for anything, none for no card"},
			choices: func(c *Caps) []string { return offered(videoModels, c.VideoModels) },
			get:     func(v *lx.DomainVideo) string { return v.Model.Type },
			set: func(v *lx.DomainVideo, s string) error {
				if s != v.Model.Type {
					// Sizes and heads of one model are meaningless to another.
					v.Model = lx.DomainVideoModel{Type: s}
					v.Address = nil
				}
				return nil
			},
		},
		{
			Field: Field{Name: "heads", Label: "Heads", Type: TypeNumber, Optional: true,
				Help: "number of monitors, 1-16"},
			min: 1, max: 16,
			when: func(v *lx.DomainVideo) bool { return v.Model.Type != "none" },
			get:  func(v *lx.DomainVideo) string { return optUtoa(v.Model.Heads) },
			set:  func(v *lx.DomainVideo, s string) error { v.Model.Heads = atou(s); return nil },
		},
		{
			Field: Field{Name: "vram", Label: "Video RAM", Type: TypeSize, Optional: true,
				Help: "qxl, vga, cirrus and vmvga: the frame buffer size, like 16MiB"},
			unit: "KiB",
			when: func(v *lx.DomainVideo) bool {
				switch v.Model.Type {
				case "qxl", "vga", "cirrus", "vmvga":
					return true
				}
				return false
			},
			get: func(v *lx.DomainVideo) string {
				if v.Model.VRam == 0 {
					return ""
				}
				return FormatSize(uint64(v.Model.VRam) * 1024)
			},
			set: func(v *lx.DomainVideo, s string) error {
				kib := (atou64(s) + 1023) / 1024
				if s != "" && (kib < 1024 || kib > 1<<22) {
					return fmt.Errorf("invalid video RAM: expected 1 MiB to 4 GiB")
				}
				v.Model.VRam = uint(kib)
				return nil
			},
		},
	},
	list: func(def *lx.Domain) []*lx.DomainVideo { return pointers(def.Devices.Videos) },
	create: func(caps *Caps, def *lx.Domain) *lx.DomainVideo {
		models := offered(videoModels, capsList(caps, func(c *Caps) []string { return c.VideoModels }))
		return &lx.DomainVideo{Model: lx.DomainVideoModel{Type: models[0]}}
	},
	unavail: func(caps *Caps, _ *lx.Domain) string {
		if caps.denies("video") || len(offered(videoModels, capsList(caps, func(c *Caps) []string { return c.VideoModels }))) == 0 {
			return "this QEMU offers no video card"
		}
		return ""
	},
	sum: func(v *lx.DomainVideo) string {
		heads := ""
		if v.Model.Heads > 1 {
			heads = fmt.Sprintf("%d heads", v.Model.Heads)
		}
		vram := ""
		if v.Model.VRam > 0 {
			vram = FormatSize(uint64(v.Model.VRam)*1024) + " video RAM"
		}
		return joinSummary(v.Model.Type+" video", heads, vram)
	},
	put: func(def *lx.Domain, v *lx.DomainVideo) { def.Devices.Videos = append(def.Devices.Videos, *v) },
})
