package tokens

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// MaxScale is the largest exchange scale: 10^18 is the largest power of ten
// an int64 holds.
const MaxScale = 18

// Errors of amount conversion; the functions wrap them with detail.
var (
	// ErrNegativeAmount: an amount below zero.
	ErrNegativeAmount = errors.New("tokens: negative amount")
	// ErrAmountOverflow: an amount whose units exceed math.MaxInt64, or
	// whose raw value exceeds a uint256.
	ErrAmountOverflow = errors.New("tokens: amount too large")
	// ErrBadScale: scale above MaxScale or above the token's decimals.
	ErrBadScale = errors.New("tokens: bad scale")
	// ErrTooManyDecimals: a decimal amount with more decimals than the
	// token allows on the exchange (its scale).
	ErrTooManyDecimals = errors.New("tokens: amount has more decimals than the token allows")
	// ErrBadAmount: a decimal amount that is not digits with an optional
	// point and more digits.
	ErrBadAmount = errors.New("tokens: malformed amount")
)

// maxUint256 is 2^256 - 1, the largest on-chain amount.
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// bigMaxInt64 is math.MaxInt64 as a big.Int.
var bigMaxInt64 = big.NewInt(math.MaxInt64)

// checkScale refuses a scale above MaxScale or decimals.
func checkScale(decimals, scale uint8) error {
	if scale > MaxScale || scale > decimals {
		return fmt.Errorf("%w: scale %d with %d decimals (scale must be at most %d and at most decimals)", ErrBadScale, scale, decimals, MaxScale)
	}
	return nil
}

// unitFactor is 10^(decimals-scale): how many raw token amounts make one
// exchange unit.
func unitFactor(decimals, scale uint8) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals-scale)), nil)
}

// ToUnits converts raw, an on-chain uint256 amount of a token with decimals
// decimals, to exchange units at scale: units = raw / 10^(decimals-scale),
// rounded down. dust is the remainder, in raw amounts, that is never
// credited; it is reported so the caller can log or refund it. It refuses
// a nil or negative raw, a raw above 2^256-1, a scale above MaxScale or
// decimals, and units above math.MaxInt64.
func ToUnits(raw *big.Int, decimals, scale uint8) (units int64, dust *big.Int, err error) {
	if err := checkScale(decimals, scale); err != nil {
		return 0, nil, err
	}
	switch {
	case raw == nil:
		return 0, nil, fmt.Errorf("%w: nil", ErrBadAmount)
	case raw.Sign() < 0:
		return 0, nil, fmt.Errorf("%w: %s", ErrNegativeAmount, raw)
	case raw.Cmp(maxUint256) > 0:
		return 0, nil, fmt.Errorf("%w: %s exceeds a uint256", ErrAmountOverflow, raw)
	}
	q, r := new(big.Int).QuoRem(raw, unitFactor(decimals, scale), new(big.Int))
	if q.Cmp(bigMaxInt64) > 0 {
		return 0, nil, fmt.Errorf("%w: %s raw at %d decimals is %s units at scale %d, above %d",
			ErrAmountOverflow, raw, decimals, q, scale, int64(math.MaxInt64))
	}
	return q.Int64(), r, nil
}

// FromUnits converts exchange units at scale to the raw on-chain amount of
// a token with decimals decimals, exactly: units * 10^(decimals-scale). It
// refuses negative units, a scale above MaxScale or decimals, and a result
// above 2^256-1.
func FromUnits(units int64, decimals, scale uint8) (*big.Int, error) {
	if err := checkScale(decimals, scale); err != nil {
		return nil, err
	}
	if units < 0 {
		return nil, fmt.Errorf("%w: %d units", ErrNegativeAmount, units)
	}
	raw := new(big.Int).Mul(big.NewInt(units), unitFactor(decimals, scale))
	if raw.Cmp(maxUint256) > 0 {
		return nil, fmt.Errorf("%w: %d units at scale %d with %d decimals exceed a uint256", ErrAmountOverflow, units, scale, decimals)
	}
	return raw, nil
}

// maxAmountLen bounds the length of a decimal amount that ParseDecimal
// reads, so a long string costs nothing; an int64 has 19 digits, and this
// leaves room for leading zeros.
const maxAmountLen = 64

// ParseDecimal reads s, a non-negative decimal amount such as "12.50", as
// units at scale, exactly: 1250 at scale 2. The grammar is digits, then
// optionally a point and 1 to scale digits ("12", "12.5", "0.05"); leading
// zeros are allowed. It refuses an empty string, signs, spaces, exponents,
// a leading or trailing point, more decimals than scale (ErrTooManyDecimals,
// even when they are zeros: "12.500" at scale 2), more than 64 bytes, and
// amounts above math.MaxInt64 units (ErrAmountOverflow).
func ParseDecimal(s string, scale uint8) (int64, error) {
	if scale > MaxScale {
		return 0, fmt.Errorf("%w: scale %d above %d", ErrBadScale, scale, MaxScale)
	}
	if len(s) > maxAmountLen {
		return 0, fmt.Errorf("%w: %d bytes, at most %d", ErrBadAmount, len(s), maxAmountLen)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case s == "":
		return 0, fmt.Errorf("%w: empty", ErrBadAmount)
	case strings.HasPrefix(s, "-"):
		return 0, fmt.Errorf("%w: %q", ErrNegativeAmount, s)
	case strings.ContainsAny(s, "eE"):
		return 0, fmt.Errorf("%w: %q: exponents are not accepted", ErrBadAmount, s)
	case !allDigits(whole) || !allDigits(frac) || whole == "" || hasPoint && frac == "":
		return 0, fmt.Errorf("%w: %q is not digits with an optional point and more digits", ErrBadAmount, s)
	case len(frac) > int(scale):
		return 0, fmt.Errorf("%w: %q has %d decimals, the token allows %d", ErrTooManyDecimals, s, len(frac), scale)
	}
	var u uint64
	for _, digits := range [...]string{whole, frac + strings.Repeat("0", int(scale)-len(frac))} {
		for i := 0; i < len(digits); i++ {
			d := uint64(digits[i] - '0')
			if u > (math.MaxInt64-d)/10 {
				return 0, fmt.Errorf("%w: %q at scale %d is above %d units", ErrAmountOverflow, s, scale, int64(math.MaxInt64))
			}
			u = u*10 + d
		}
	}
	return int64(u), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatUnits writes units at scale as a decimal with exactly scale
// decimals: "12.50" for 1250 at scale 2, "0.05" for 5, "1250" at scale 0.
// A negative amount gets a leading '-'. For units >= 0 and scale <=
// MaxScale, ParseDecimal(FormatUnits(u, scale), scale) returns u.
func FormatUnits(units int64, scale uint8) string {
	var abs uint64
	if units < 0 {
		abs = uint64(-(units + 1)) + 1 // no overflow at math.MinInt64
	} else {
		abs = uint64(units)
	}
	digits := strconv.FormatUint(abs, 10)
	if scale == 0 {
		if units < 0 {
			return "-" + digits
		}
		return digits
	}
	if pad := int(scale) + 1 - len(digits); pad > 0 {
		digits = strings.Repeat("0", pad) + digits
	}
	point := len(digits) - int(scale)
	var b strings.Builder
	b.Grow(len(digits) + 2)
	if units < 0 {
		b.WriteByte('-')
	}
	b.WriteString(digits[:point])
	b.WriteByte('.')
	b.WriteString(digits[point:])
	return b.String()
}
