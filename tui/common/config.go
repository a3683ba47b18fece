package common

import (
	"kvmtui/config"
	"kvmtui/tui/widget"
)

// configChecks are the pages' checks of the settings they read.
var configChecks []func(*config.Config) []error

// RegisterConfigCheck adds a page's check of the settings it reads (the
// list's columns).
func RegisterConfigCheck(f func(*config.Config) []error) { configChecks = append(configChecks, f) }

// Configure is what the configuration file gives the UI: its theme, and
// every line that cannot be used (the theme's, the keys', the pages').
func Configure(c *config.Config) (*widget.Theme, []error) {
	th := widget.NewTheme()
	var errs []error
	if c.Theme != "" {
		var terrs []error
		th, terrs = widget.ThemeNamed(c.Theme, c.ThemeDir())
		for _, err := range terrs {
			errs = append(errs, c.Errf("theme", "%v", err))
		}
	}
	errs = append(errs, CheckKeys(c)...)
	for _, f := range configChecks {
		errs = append(errs, f(c)...)
	}
	return th, errs
}
