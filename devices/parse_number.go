package devices

import (
	"errors"
	"math"
	"math/big"
	"strings"
)

// maxNumberInput bounds what the number parsers read, so a pasted
// megabyte of digits cannot cost big-number arithmetic.
const maxNumberInput = 64

// splitNumberUnit splits "1.5 GiB" into the exact decimal 1.5 and "GiB".
// The number is digits with an optional fraction; spaces are allowed
// around it and before the unit.
func splitNumberUnit(s string) (*big.Rat, string, error) {
	t := strings.TrimSpace(s)
	if len(t) > maxNumberInput {
		return nil, "", errors.New("too long")
	}
	if strings.HasPrefix(t, "-") {
		return nil, "", errors.New("must not be negative")
	}
	end := 0
	for end < len(t) && (t[end] >= '0' && t[end] <= '9' || t[end] == '.') {
		end++
	}
	digits := t[:end]
	if digits == "" {
		return nil, "", errors.New("no number")
	}
	whole, frac, hasDot := strings.Cut(digits, ".")
	if whole == "" || (hasDot && (frac == "" || strings.Contains(frac, "."))) {
		return nil, "", errors.New("malformed number")
	}
	r, ok := new(big.Rat).SetString(digits)
	if !ok {
		return nil, "", errors.New("malformed number")
	}
	return r, strings.TrimSpace(t[end:]), nil
}

// scaleRound returns num*mul/div rounded to the nearest integer (halves
// up), and false if that does not fit in a uint64.
func scaleRound(num *big.Rat, mul, div *big.Int) (uint64, bool) {
	x := new(big.Rat).Mul(num, new(big.Rat).SetFrac(mul, div))
	// floor(x + 1/2) for x >= 0.
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Quo(x.Num(), x.Denom())
	if !q.IsUint64() {
		return 0, false
	}
	return q.Uint64(), q.Cmp(new(big.Int).SetUint64(math.MaxUint64)) <= 0
}
