package engine

import (
	"math"
	"math/bits"
)

// mul returns a*b for non-negative a and b, and false if it overflows int64.
func mul(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// add returns a+b for non-negative a and b, and false if it overflows int64.
func add(a, b int64) (int64, bool) {
	s := a + b
	if s < a {
		return 0, false
	}
	return s, true
}

// u128 is an unsigned 128-bit integer, for fee numerators (notional x bps).
type u128 struct{ hi, lo uint64 }

func (x u128) addMul(n int64, bps int32) u128 {
	hi, lo := bits.Mul64(uint64(n), uint64(bps))
	lo, carry := bits.Add64(x.lo, lo, 0)
	return u128{x.hi + hi + carry, lo}
}

// ceilFee returns ceil(x / 10000). x is at most MaxInt64 * MaxFeeBps, so the
// quotient fits int64.
func (x u128) ceilFee() int64 {
	if x.hi == 0 {
		q := x.lo / bpsDenom
		if q*bpsDenom != x.lo {
			q++
		}
		return int64(q)
	}
	q, r := bits.Div64(x.hi, x.lo, bpsDenom)
	if r != 0 {
		q++
	}
	return int64(q)
}

// feeFor returns ceil(n * bps / 10000).
func feeFor(n int64, bps int32) int64 { return u128{}.addMul(n, bps).ceilFee() }

// pow10 returns 10^n for n <= 18.
func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}
