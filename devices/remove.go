package devices

import (
	"errors"
	"reflect"
)

// Remove deletes the item's device from the definition it came from (for
// a redefine, where libvirt has no device call). Items are pointers into
// the definition's device lists; the one holding this item loses it.
func (it Item) Remove() error {
	if it.def == nil || it.def.Devices == nil {
		return errors.New("the device is not part of a definition")
	}
	// libvirtxml mirrors the first <iommu> in Devices.IOMMU, and writes
	// that field back unless it matches the list: keep the two in step.
	if it.Kind.ID == "iommu" {
		defer func() {
			d := it.def.Devices
			d.IOMMU = nil
			if len(d.IOMMUs) > 0 {
				d.IOMMU = &d.IOMMUs[0]
			}
		}()
	}
	target := reflect.ValueOf(it.v).Pointer()
	devs := reflect.ValueOf(it.def.Devices).Elem()
	for i := 0; i < devs.NumField(); i++ {
		f := devs.Field(i)
		if f.Kind() != reflect.Slice {
			continue
		}
		for j := 0; j < f.Len(); j++ {
			if f.Index(j).Addr().Pointer() == target {
				f.Set(reflect.AppendSlice(f.Slice(0, j), f.Slice(j+1, f.Len())))
				return nil
			}
		}
	}
	for i := 0; i < devs.NumField(); i++ {
		f := devs.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() && f.Pointer() == target {
			f.Set(reflect.Zero(f.Type())) // a single-instance device (memballoon, vsock…)
			return nil
		}
	}
	return errors.New("the device is not in the definition's device lists")
}
