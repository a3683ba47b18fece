package devices

import (
	"fmt"
	"strings"
)

// UnifiedDiff renders the line differences between a and b as a unified
// diff with three lines of context, as `diff -u` does; "" when equal.
func UnifiedDiff(a, b, nameA, nameB string) string {
	if a == b {
		return ""
	}
	// A final newline ends the last line; it is no line of its own.
	x := strings.Split(strings.TrimSuffix(a, "\n"), "\n")
	y := strings.Split(strings.TrimSuffix(b, "\n"), "\n")
	ops := lineOps(x, y)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	const ctx = 3
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk: from ctx lines before this change to ctx lines after the
		// last change that is at most 2*ctx lines from the next one.
		start := max(i-ctx, 0)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j
			} else if j-end > 2*ctx {
				break
			}
		}
		end = min(end+ctx+1, len(ops))
		ax, ay := ops[start].ai, ops[start].bi
		var na, nb int
		var body strings.Builder
		for _, o := range ops[start:end] {
			switch o.kind {
			case ' ':
				na++
				nb++
				body.WriteString(" " + x[o.ai] + "\n")
			case '-':
				na++
				body.WriteString("-" + x[o.ai] + "\n")
			case '+':
				nb++
				body.WriteString("+" + y[o.bi] + "\n")
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n%s", ax+1, na, ay+1, nb, body.String())
		i = end
	}
	return out.String()
}

type lineOp struct {
	kind   byte // ' ', '-', '+'
	ai, bi int  // line indexes in a and b (the next ones, for insertions/deletions)
}

// lineOps is the edit script of a longest common subsequence; definitions
// are a few hundred lines, so the quadratic table is small.
func lineOps(x, y []string) []lineOp {
	n, m := len(x), len(y)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []lineOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, lineOp{' ', i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, lineOp{'-', i, j}) // deletions first, as diff -u
			i++
		default:
			ops = append(ops, lineOp{'+', i, j})
			j++
		}
	}
	return ops
}
