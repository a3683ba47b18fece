package libvirtx

/*
#cgo pkg-config: libvirt
#include <stdlib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
*/
import "C"

import (
	"errors"
	"runtime"
	"unsafe"

	"libvirt.org/go/libvirt"
)

// domainStats is one domain's record of a bulk stats call: its identity
// and its numeric typed parameters by name ("cpu.time", "block.0.rd.bytes").
type domainStats struct {
	name, uuid string
	params     map[string]uint64
}

// allDomainStats is virConnectGetAllDomainStats, read here rather than
// through the Go binding: the binding (v1.11010.0) asks every domain for
// its vCPU count (virDomainGetVcpusFlags, one more round trip a domain)
// while unpacking each record, so a "bulk" call of 200 domains cost 201
// round trips. This is one, whatever the number of domains.
func allDomainStats(lc *libvirt.Connect, stats libvirt.DomainStatsTypes, flags libvirt.ConnectGetAllDomainStatsFlags) ([]domainStats, error) {
	raw, err := lc.RawPtr()
	if err != nil {
		return nil, err
	}
	conn := C.virConnectPtr(unsafe.Pointer(raw))
	defer C.virConnectClose(conn) // RawPtr took a reference
	runtime.LockOSThread()        // libvirt keeps the last error per thread
	defer runtime.UnlockOSThread()
	var recs *C.virDomainStatsRecordPtr
	n := C.virConnectGetAllDomainStats(conn, C.uint(stats), &recs, C.uint(flags))
	if n < 0 {
		return nil, errors.New(C.GoString(C.virGetLastErrorMessage()))
	}
	defer C.virDomainStatsRecordListFree(recs)
	out := make([]domainStats, n)
	var uuid [C.VIR_UUID_STRING_BUFLEN]C.char
	for i, rec := range unsafe.Slice(recs, int(n)) {
		d := &out[i]
		d.name = C.GoString(C.virDomainGetName(rec.dom))
		if C.virDomainGetUUIDString(rec.dom, &uuid[0]) == 0 {
			d.uuid = C.GoString(&uuid[0])
		}
		d.params = make(map[string]uint64, int(rec.nparams))
		for _, p := range unsafe.Slice(rec.params, int(rec.nparams)) {
			v := unsafe.Pointer(&p.value)
			var x uint64
			switch p._type {
			case C.VIR_TYPED_PARAM_INT:
				x = uint64(*(*C.int)(v))
			case C.VIR_TYPED_PARAM_UINT:
				x = uint64(*(*C.uint)(v))
			case C.VIR_TYPED_PARAM_LLONG:
				x = uint64(*(*C.longlong)(v))
			case C.VIR_TYPED_PARAM_ULLONG:
				x = uint64(*(*C.ulonglong)(v))
			case C.VIR_TYPED_PARAM_DOUBLE:
				x = uint64(*(*C.double)(v))
			case C.VIR_TYPED_PARAM_BOOLEAN:
				x = uint64(*(*C.char)(v))
			default:
				continue // strings (block.N.name, net.N.name…) are not needed
			}
			d.params[C.GoString(&p.field[0])] = x
		}
	}
	return out, nil
}

// get is a parameter and whether the record has it.
func (d *domainStats) get(name string) (uint64, bool) {
	v, ok := d.params[name]
	return v, ok
}
