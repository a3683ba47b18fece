// Package widget holds what every page draws with: the theme, text fitting,
// confirmation boxes, key hints and help sections. It knows nothing of
// pages, of the root model or of libvirt calls.
package widget
