package devices

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in   string
		cpus int
		want []int
	}{
		{"0-3,^2,8", 16, []int{0, 1, 3, 8}},
		{"0", 1, []int{0}},
		{"3,1,2,1", 4, []int{1, 2, 3}},
		{" 0 - 2 , ^ 1 ", 4, []int{0, 2}},
		{"^2,0-3", 4, []int{0, 1, 2, 3}}, // left to right, like libvirt
		{"0-3,^2,2", 4, []int{0, 1, 2, 3}},
		{"5-5", 8, []int{5}},
		{"16383", MaxCPUs, []int{16383}},
		{"007", 8, []int{7}},
	}
	for _, tc := range tests {
		if got, err := ParseCPUList(tc.in, tc.cpus); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseCPUList(%q, %d) = %v, %v; want %v", tc.in, tc.cpus, got, err, tc.want)
		}
	}
	bad := []struct {
		in   string
		cpus int
		want string
	}{
		{"", 4, "it is empty"},
		{"  ", 4, "it is empty"},
		{"0,^0", 4, "it selects no CPU"},
		{"^1", 4, "it selects no CPU"},
		{"4", 4, "CPU 4 does not exist (CPUs are 0-3)"},
		{"0-4", 4, "CPU 4 does not exist"},
		{"3-1", 4, `range "3-1" runs backwards`},
		{"1,", 4, "empty term"},
		{",1", 4, "empty term"},
		{"1,,2", 4, "empty term"},
		{"a", 4, `"a" is not a CPU number`},
		{"1-", 4, `"" is not a CPU number`},
		{"-1", 4, `"" is not a CPU number`},
		{"1--2", 4, `"-2" is not a CPU number`},
		{"^1-2", 4, `"1-2" is not a CPU number`},
		{"0x1", 4, `"0x1" is not a CPU number`},
		{"+1", 4, `"+1" is not a CPU number`},
		{"99999999999999999999", 4, "is not a CPU number"},
		{"0", 0, "invalid CPU count 0"},
		{"0", MaxCPUs + 1, "invalid CPU count"},
	}
	for _, tc := range bad {
		got, err := ParseCPUList(tc.in, tc.cpus)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCPUList(%q, %d) = %v, %v; want error with %q", tc.in, tc.cpus, got, err, tc.want)
		}
	}
}

func TestFormatCPUList(t *testing.T) {
	for want, in := range map[string][]int{
		"":          nil,
		"0":         {0},
		"0-3":       {3, 2, 1, 0},
		"0-1,3,8":   {0, 1, 3, 8},
		"1,3,5-7":   {7, 5, 6, 3, 1, 3},
		"0-2,4-5,9": {0, 1, 2, 4, 5, 9},
	} {
		if got := FormatCPUList(in); got != want {
			t.Errorf("FormatCPUList(%v) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0-3,^2,8", "^2,0-3", "1,,2", "0-63", "5-1"} {
		f.Add(s, 64)
	}
	f.Fuzz(func(t *testing.T, s string, cpus int) {
		got, err := ParseCPUList(s, cpus)
		if err != nil {
			return
		}
		if len(got) == 0 {
			t.Fatalf("ParseCPUList(%q, %d) accepted an empty selection", s, cpus)
		}
		for i, c := range got {
			if c < 0 || c >= cpus || (i > 0 && got[i-1] >= c) {
				t.Fatalf("ParseCPUList(%q, %d) = %v: not sorted, unique and in range", s, cpus, got)
			}
		}
		text := FormatCPUList(got)
		again, err := ParseCPUList(text, cpus)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, got, text, again, err)
		}
	})
}
