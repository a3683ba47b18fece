package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"kvmtui/console"
	"kvmtui/libvirtx"
)

// kvmtui screenshot: one frame of a VM's screen, as a PNG.

func (o *options) screenshotCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "screenshot VM FILE.png",
		Short:             "save a frame of a running VM's screen as a PNG (libvirt's screenshot: any display, any connection)",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: o.vmNames,
		RunE: onNamed(o, (*session).find, func(s *session, d libvirtx.Domain, args []string) error {
			if !d.State.Active() {
				return fmt.Errorf("%s is %s: it has a screen only while it runs", d.Name, d.State)
			}
			b, mime, err := s.mgr.Screenshot(d.Ref, 0)
			if err != nil {
				return err
			}
			pngData, img, err := console.ToPNG(b, mime)
			if err != nil {
				return err
			}
			if err := os.WriteFile(args[0], pngData, 0o644); err != nil {
				return err
			}
			r := img.Bounds()
			fmt.Fprintf(o.stdout, "saved the %dx%d screen of %s to %s\n", r.Dx(), r.Dy(), d.Name, args[0])
			return nil
		}),
	}
}

func (o *options) screenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "screen VM",
		Short: "the VM's graphical screen in this terminal (the UI's V); ctrl+] leaves",
		Long: `The VM's graphical screen drawn in this terminal, keys and all, as V in
the UI shows it: its VNC display read directly on a local host, else
libvirt's screenshot once a second. Drawn as a picture in a terminal that
draws kitty graphics (also inside tmux with allow-passthrough on) or sixel,
else in half blocks: kvmtui asks the terminal; KVMTUI_GRAPHICS=blocks,
sixel or kitty decides instead. Ctrl+] leaves (and ends kvmtui).`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: o.vmNames,
		RunE:              func(_ *cobra.Command, args []string) error { return o.runUI("screen "+args[0], true) },
	}
}
