package install

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// ISOFile is one file of a small ISO image, in its root directory.
type ISOFile struct {
	Name string // as the guest sees it (Joliet): user-data, meta-data
	Data []byte
}

// WriteISO writes an ISO9660 image with a Joliet tree holding files in the
// root directory, under the volume label: what a NoCloud seed needs (label
// cidata, files user-data and meta-data), as genisoimage -J -V cidata
// makes it. Linux and Windows read the Joliet names ("user-data"); the
// primary tree has the same files under ISO9660 names (USER_DATA.;1).
func WriteISO(label string, files []ISOFile, at time.Time) ([]byte, error) {
	if len(label) == 0 || len(label) > 16 {
		return nil, fmt.Errorf("ISO volume label %q: 1 to 16 characters", label)
	}
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b ISOFile) int { return strings.Compare(a.Name, b.Name) })
	for i, f := range files {
		if f.Name == "" || len(f.Name) > 64 || strings.ContainsAny(f.Name, "/;\x00") {
			return nil, fmt.Errorf("ISO file name %q: 1 to 64 characters, without / or ;", f.Name)
		}
		if i > 0 && files[i-1].Name == f.Name {
			return nil, fmt.Errorf("ISO file %q given twice", f.Name)
		}
	}
	const (
		pvdSec, svdSec, termSec = 16, 17, 18
		lPath, mPath            = 19, 20
		jlPath, jmPath          = 21, 22
		rootSec, jrootSec       = 23, 24
		firstData               = 25
	)
	// Data extents, one after another, each starting on a sector.
	extent := make([]uint32, len(files))
	next := uint32(firstData)
	for i, f := range files {
		extent[i] = next
		next += uint32((len(f.Data) + sector - 1) / sector)
	}
	total := next
	img := make([]byte, int(total)*sector)

	primaryNames := make([][]byte, len(files))
	jolietNames := make([][]byte, len(files))
	for i, f := range files {
		primaryNames[i] = []byte(isoName(f.Name))
		jolietNames[i] = ucs2(f.Name)
	}
	writeDir := func(sec uint32, names [][]byte) {
		b := img[int(sec)*sector:]
		off := 0
		off += dirRecord(b[off:], rootSec0(sec), sector, true, []byte{0}, at)
		off += dirRecord(b[off:], rootSec0(sec), sector, true, []byte{1}, at)
		for i, f := range files {
			off += dirRecord(b[off:], extent[i], uint32(len(f.Data)), false, names[i], at)
		}
	}
	if n := dirSize(primaryNames); n > sector {
		return nil, fmt.Errorf("too many files for one directory sector")
	}
	if n := dirSize(jolietNames); n > sector {
		return nil, fmt.Errorf("too many files for one directory sector")
	}
	writeDir(rootSec, primaryNames)
	writeDir(jrootSec, jolietNames)
	for i, f := range files {
		copy(img[int(extent[i])*sector:], f.Data)
	}
	// Path tables: the root only.
	pathTable := func(sec uint32, root uint32, big bool) {
		b := img[int(sec)*sector:]
		b[0], b[1] = 1, 0
		if big {
			binary.BigEndian.PutUint32(b[2:], root)
			binary.BigEndian.PutUint16(b[6:], 1)
		} else {
			binary.LittleEndian.PutUint32(b[2:], root)
			binary.LittleEndian.PutUint16(b[6:], 1)
		}
	}
	pathTable(lPath, rootSec, false)
	pathTable(mPath, rootSec, true)
	pathTable(jlPath, jrootSec, false)
	pathTable(jmPath, jrootSec, true)

	desc := func(sec uint32, typ byte, joliet bool, root, l, m uint32) {
		b := img[int(sec)*sector : int(sec+1)*sector]
		b[0] = typ
		copy(b[1:], "CD001")
		b[6] = 1
		str := func(off, n int, s string) {
			if joliet {
				u := ucs2(s)
				for i := 0; i < n; i += 2 {
					b[off+i], b[off+i+1] = 0, ' '
				}
				copy(b[off:off+n], u)
				return
			}
			copy(b[off:off+n], strings.Repeat(" ", n))
			copy(b[off:off+n], s)
		}
		str(8, 32, "LINUX")
		str(40, 32, label)
		both32(b[80:], total)
		if joliet {
			copy(b[88:], "%/E") // UCS-2 level 3
		}
		both16(b[120:], 1)
		both16(b[124:], 1)
		both16(b[128:], sector)
		both32(b[132:], 10)
		binary.LittleEndian.PutUint32(b[140:], l)
		binary.BigEndian.PutUint32(b[148:], m)
		dirRecord(b[156:], root, sector, true, []byte{0}, at)
		for _, f := range [][2]int{{190, 128}, {318, 128}, {446, 128}, {702, 37}, {739, 37}, {776, 37}} {
			str(f[0], f[1], "")
		}
		str(574, 128, "KVMTUI")
		copy(b[813:], decDate(at))
		copy(b[830:], decDate(at))
		copy(b[847:], "0000000000000000")
		copy(b[864:], "0000000000000000")
		b[881] = 1
	}
	desc(pvdSec, 1, false, rootSec, lPath, mPath)
	desc(svdSec, 2, true, jrootSec, jlPath, jmPath)
	t := img[termSec*sector:]
	t[0] = 255
	copy(t[1:], "CD001")
	t[6] = 1
	return img, nil
}

const sector = 2048

// rootSec0: "." and ".." of a root directory both point at itself.
func rootSec0(sec uint32) uint32 { return sec }

func dirSize(names [][]byte) int {
	n := 34 * 2
	for _, nm := range names {
		n += 33 + len(nm) + (1 - len(nm)%2)
	}
	return n
}

// dirRecord writes one ISO9660 directory record and returns its length.
func dirRecord(b []byte, extent, size uint32, dir bool, id []byte, at time.Time) int {
	n := 33 + len(id)
	if n%2 == 1 {
		n++
	}
	b[0] = byte(n)
	both32(b[2:], extent)
	both32(b[10:], size)
	u := at.UTC()
	b[18], b[19], b[20] = byte(u.Year()-1900), byte(u.Month()), byte(u.Day())
	b[21], b[22], b[23], b[24] = byte(u.Hour()), byte(u.Minute()), byte(u.Second()), 0
	if dir {
		b[25] = 2
	}
	both16(b[28:], 1)
	b[32] = byte(len(id))
	copy(b[33:], id)
	return n
}

func both16(b []byte, v uint16) {
	binary.LittleEndian.PutUint16(b, v)
	binary.BigEndian.PutUint16(b[2:], v)
}

func both32(b []byte, v uint32) {
	binary.LittleEndian.PutUint32(b, v)
	binary.BigEndian.PutUint32(b[4:], v)
}

func decDate(t time.Time) []byte {
	u := t.UTC()
	s := fmt.Sprintf("%04d%02d%02d%02d%02d%02d00", u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second())
	return append([]byte(s), 0)
}

// isoName maps a name to ISO9660 d-characters with a version: user-data
// becomes USER_DATA.;1.
func isoName(s string) string {
	base, ext, _ := strings.Cut(s, ".")
	clean := func(x string, n int) string {
		var b strings.Builder
		for _, r := range strings.ToUpper(x) {
			if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
		out := b.String()
		if len(out) > n {
			out = out[:n]
		}
		return out
	}
	return clean(base, 26) + "." + clean(ext, 3) + ";1"
}

func ucs2(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}
