package devices

import "regexp"

// libvirtxml (v1.12008.0) writes a USB hostdev's <source> with <product>
// before <vendor>, but libvirt's schema wants <vendor> first: a definition
// with such a device fails DOMAIN_DEFINE_VALIDATE ("Extra element devices in
// interleave") although libvirt's own parser reads either order. The <disk>
// vendor/product elements carry no id attribute and are left alone.
var usbIDsOrder = regexp.MustCompile(`(<product id="[^"]*"(?:/>|>[^<]*</product>))(\s*)(<vendor id="[^"]*"(?:/>|>[^<]*</vendor>))`)

// schemaOrder puts what libvirtxml writes out of the schema's order back in
// it.
func schemaOrder(doc string) string {
	return usbIDsOrder.ReplaceAllString(doc, "$3$2$1")
}
