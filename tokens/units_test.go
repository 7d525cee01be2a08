package tokens

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// bigFrom parses a decimal integer, failing the test on a typo.
func bigFrom(t testing.TB, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad big %q", s)
	}
	return n
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

func TestToUnits(t *testing.T) {
	maxRaw := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	maxI64 := big.NewInt(math.MaxInt64)
	// The largest raw amount that fits at 18 decimals, scale 2.
	maxFit := new(big.Int).Add(new(big.Int).Mul(maxI64, pow10(16)), new(big.Int).Sub(pow10(16), big.NewInt(1)))
	for _, c := range []struct {
		name            string
		raw             *big.Int
		decimals, scale uint8
		units           int64
		dust            string
		err             error
	}{
		{"zero", big.NewInt(0), 18, 2, 0, "0", nil},
		{"one raw is dust", big.NewInt(1), 18, 2, 0, "1", nil},
		{"one unit", pow10(16), 18, 2, 1, "0", nil},
		{"12.50 and dust", bigFrom(t, "12500000000000000005"), 18, 2, 1250, "5", nil},
		{"scale 0", bigFrom(t, "2999999999999999999"), 18, 0, 2, "999999999999999999", nil},
		{"scale 18", bigFrom(t, "2999999999999999999"), 18, 18, 2999999999999999999, "0", nil},
		{"decimals 0", big.NewInt(7), 0, 0, 7, "0", nil},
		{"decimals 6 scale 6", big.NewInt(1234567), 6, 6, 1234567, "0", nil},
		{"max int64 units", new(big.Int).Mul(maxI64, pow10(16)), 18, 2, math.MaxInt64, "0", nil},
		{"max int64 units and most dust", maxFit, 18, 2, math.MaxInt64, "9999999999999999", nil},
		{"max int64 units at scale 18", maxI64, 18, 18, math.MaxInt64, "0", nil},
		{"one unit over", new(big.Int).Add(maxFit, big.NewInt(1)), 18, 2, 0, "", ErrAmountOverflow},
		{"2^256-1 at scale 2", maxRaw, 18, 2, 0, "", ErrAmountOverflow},
		{"2^256-1 at scale 18", maxRaw, 18, 18, 0, "", ErrAmountOverflow},
		{"2^256-1 at 77 decimals", maxRaw, 77, 0, 1, new(big.Int).Sub(maxRaw, pow10(77)).String(), nil},
		{"2^256 is not a uint256", new(big.Int).Lsh(big.NewInt(1), 256), 255, 0, 0, "", ErrAmountOverflow},
		{"255 decimals", maxRaw, 255, 18, 0, maxRaw.String(), nil},
		{"negative", big.NewInt(-1), 18, 2, 0, "", ErrNegativeAmount},
		{"nil", nil, 18, 2, 0, "", ErrBadAmount},
		{"scale above decimals", big.NewInt(1), 2, 3, 0, "", ErrBadScale},
		{"scale above 18", big.NewInt(1), 30, 19, 0, "", ErrBadScale},
	} {
		t.Run(c.name, func(t *testing.T) {
			units, dust, err := ToUnits(c.raw, c.decimals, c.scale)
			if c.err != nil {
				if !errors.Is(err, c.err) || units != 0 || dust != nil {
					t.Fatalf("got %d, %v, %v; want error %v", units, dust, err, c.err)
				}
				return
			}
			if err != nil || units != c.units || dust.String() != c.dust {
				t.Fatalf("got %d, %v, %v; want %d, %s", units, dust, err, c.units, c.dust)
			}
		})
	}
}

func TestFromUnits(t *testing.T) {
	for _, c := range []struct {
		name            string
		units           int64
		decimals, scale uint8
		raw             string
		err             error
	}{
		{"zero", 0, 18, 2, "0", nil},
		{"one", 1, 18, 2, "10000000000000000", nil},
		{"12.50", 1250, 18, 2, "12500000000000000000", nil},
		{"scale 0", 3, 18, 0, "3000000000000000000", nil},
		{"scale 18", 3, 18, 18, "3", nil},
		{"max int64", math.MaxInt64, 18, 0, "9223372036854775807000000000000000000", nil},
		{"largest power of ten in a uint256", 1, 77, 0, "1" + strings.Repeat("0", 77), nil},
		{"above a uint256", 2, 77, 0, "", ErrAmountOverflow},
		{"far above a uint256", 1, 255, 0, "", ErrAmountOverflow},
		{"negative", -1, 18, 2, "", ErrNegativeAmount},
		{"min int64", math.MinInt64, 18, 2, "", ErrNegativeAmount},
		{"scale above decimals", 1, 2, 3, "", ErrBadScale},
		{"scale above 18", 1, 19, 19, "", ErrBadScale},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw, err := FromUnits(c.units, c.decimals, c.scale)
			if c.err != nil {
				if !errors.Is(err, c.err) || raw != nil {
					t.Fatalf("got %v, %v; want error %v", raw, err, c.err)
				}
				return
			}
			if err != nil || raw.String() != c.raw {
				t.Fatalf("got %v, %v; want %s", raw, err, c.raw)
			}
		})
	}
}

// genScale draws decimals (0 to 255) and a scale that suits them.
func genScale(t *rapid.T) (decimals, scale uint8) {
	decimals = rapid.Uint8().Draw(t, "decimals")
	scale = rapid.Uint8Range(0, min(decimals, MaxScale)).Draw(t, "scale")
	return decimals, scale
}

func TestFromUnitsToUnits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		decimals, scale := genScale(t)
		units := rapid.Int64Min(0).Draw(t, "units")
		raw, err := FromUnits(units, decimals, scale)
		if err != nil {
			// Only a result above a uint256 is refused.
			want := new(big.Int).Mul(big.NewInt(units), pow10(int(decimals-scale)))
			if !errors.Is(err, ErrAmountOverflow) || want.Cmp(maxUint256) <= 0 {
				t.Fatalf("FromUnits(%d, %d, %d): %v", units, decimals, scale, err)
			}
			return
		}
		back, dust, err := ToUnits(raw, decimals, scale)
		if err != nil || back != units || dust.Sign() != 0 {
			t.Fatalf("ToUnits(%v) = %d, %v, %v; want %d", raw, back, dust, err, units)
		}
	})
}

// TestToUnitsDust checks that units and dust account for every raw amount:
// raw = units * 10^(decimals-scale) + dust, 0 <= dust < 10^(decimals-scale).
func TestToUnitsDust(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		decimals, scale := genScale(t)
		raw := new(big.Int).SetBytes(rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "raw"))
		units, dust, err := ToUnits(raw, decimals, scale)
		f := pow10(int(decimals - scale))
		if err != nil {
			if q := new(big.Int).Quo(raw, f); !errors.Is(err, ErrAmountOverflow) || q.IsInt64() {
				t.Fatalf("ToUnits(%v, %d, %d): %v", raw, decimals, scale, err)
			}
			return
		}
		sum := new(big.Int).Add(new(big.Int).Mul(big.NewInt(units), f), dust)
		if units < 0 || sum.Cmp(raw) != 0 || dust.Sign() < 0 || dust.Cmp(f) >= 0 {
			t.Fatalf("ToUnits(%v, %d, %d) = %d, %v", raw, decimals, scale, units, dust)
		}
	})
}

func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		s     string
		scale uint8
		units int64
		err   error
	}{
		{"0", 2, 0, nil},
		{"0.00", 2, 0, nil},
		{"12.50", 2, 1250, nil},
		{"12.5", 2, 1250, nil},
		{"12", 2, 1200, nil},
		{"0.01", 2, 1, nil},
		{"007.10", 2, 710, nil},
		{"12", 0, 12, nil},
		{"9223372036854775807", 0, math.MaxInt64, nil},
		{"92233720368547758.07", 2, math.MaxInt64, nil},
		{"9.223372036854775807", 18, math.MaxInt64, nil},
		{"0.000000000000000001", 18, 1, nil},
		{"0000000000000000000000000000000000000000000000000000000000000001", 0, 1, nil}, // 64 bytes

		{"9223372036854775808", 0, 0, ErrAmountOverflow},
		{"92233720368547758.08", 2, 0, ErrAmountOverflow},
		{"10", 18, 0, ErrAmountOverflow},
		{"99999999999999999999999", 0, 0, ErrAmountOverflow},
		{"12.345", 2, 0, ErrTooManyDecimals},
		{"12.500", 2, 0, ErrTooManyDecimals},
		{"1.0", 0, 0, ErrTooManyDecimals},
		{"0.0000000000000000001", 18, 0, ErrTooManyDecimals},
		{"-1", 2, 0, ErrNegativeAmount},
		{"-0", 2, 0, ErrNegativeAmount},
		{"", 2, 0, ErrBadAmount},
		{"1e3", 2, 0, ErrBadAmount},
		{"1E3", 2, 0, ErrBadAmount},
		{"1.5e-2", 2, 0, ErrBadAmount},
		{"+1", 2, 0, ErrBadAmount},
		{".5", 2, 0, ErrBadAmount},
		{"5.", 2, 0, ErrBadAmount},
		{".", 2, 0, ErrBadAmount},
		{"1.2.3", 2, 0, ErrBadAmount},
		{" 1", 2, 0, ErrBadAmount},
		{"1 ", 2, 0, ErrBadAmount},
		{"1,5", 2, 0, ErrBadAmount},
		{"1_000", 2, 0, ErrBadAmount},
		{"0x10", 2, 0, ErrBadAmount},
		{"Inf", 2, 0, ErrBadAmount},
		{"NaN", 2, 0, ErrBadAmount},
		{"١", 0, 0, ErrBadAmount}, // an Arabic-Indic one
		{strings.Repeat("0", 65), 0, 0, ErrBadAmount},
		{"1", 19, 0, ErrBadScale},
	} {
		units, err := ParseDecimal(c.s, c.scale)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseDecimal(%q, %d) = %d, %v; want error %v", c.s, c.scale, units, err, c.err)
			}
			continue
		}
		if err != nil || units != c.units {
			t.Errorf("ParseDecimal(%q, %d) = %d, %v; want %d", c.s, c.scale, units, err, c.units)
		}
	}
	_, err := ParseDecimal("12.345", 2)
	if want := `tokens: amount has more decimals than the token allows: "12.345" has 3 decimals, the token allows 2`; err == nil || err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestFormatUnits(t *testing.T) {
	for _, c := range []struct {
		units int64
		scale uint8
		want  string
	}{
		{1250, 2, "12.50"},
		{1200, 2, "12.00"},
		{5, 2, "0.05"},
		{0, 2, "0.00"},
		{0, 0, "0"},
		{1250, 0, "1250"},
		{1, 18, "0.000000000000000001"},
		{math.MaxInt64, 18, "9.223372036854775807"},
		{math.MaxInt64, 0, "9223372036854775807"},
		{-1250, 2, "-12.50"},
		{-5, 2, "-0.05"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{math.MinInt64, 18, "-9.223372036854775808"},
		{1, 20, "0.00000000000000000001"}, // beyond MaxScale, still exact
	} {
		if got := FormatUnits(c.units, c.scale); got != c.want {
			t.Errorf("FormatUnits(%d, %d) = %q, want %q", c.units, c.scale, got, c.want)
		}
	}
}

func TestFormatParse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		units := rapid.Int64Min(0).Draw(t, "units")
		scale := rapid.Uint8Range(0, MaxScale).Draw(t, "scale")
		s := FormatUnits(units, scale)
		back, err := ParseDecimal(s, scale)
		if err != nil || back != units {
			t.Fatalf("ParseDecimal(%q, %d) = %d, %v; want %d", s, scale, back, err, units)
		}
	})
}

// TestParseDecimalReference compares ParseDecimal with big.Rat on strings
// of digits and at most one point: both agree on the value, and ParseDecimal
// refuses exactly what the reference says does not fit.
func TestParseDecimalReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		scale := rapid.Uint8Range(0, MaxScale).Draw(t, "scale")
		whole := rapid.StringOfN(rapid.RuneFrom([]rune("0123456789")), 1, 25, -1).Draw(t, "whole")
		frac := rapid.StringOfN(rapid.RuneFrom([]rune("0123456789")), 0, 20, -1).Draw(t, "frac")
		s := whole
		if frac != "" {
			s += "." + frac
		}
		got, err := ParseDecimal(s, scale)

		want, wantErr := referenceParse(s, scale)
		switch {
		case wantErr != nil && !errors.Is(err, wantErr):
			t.Fatalf("ParseDecimal(%q, %d) = %d, %v; want error %v", s, scale, got, err, wantErr)
		case wantErr == nil && (err != nil || got != want):
			t.Fatalf("ParseDecimal(%q, %d) = %d, %v; want %d", s, scale, got, err, want)
		}
	})
}

// referenceParse is the slow, obvious ParseDecimal for digit strings with an
// optional point and digits after it.
func referenceParse(s string, scale uint8) (int64, error) {
	if _, frac, _ := strings.Cut(s, "."); len(frac) > int(scale) {
		return 0, ErrTooManyDecimals
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, ErrBadAmount
	}
	r.Mul(r, new(big.Rat).SetInt(pow10(int(scale))))
	if !r.IsInt() {
		panic("scaled value not whole")
	}
	if !r.Num().IsInt64() {
		return 0, ErrAmountOverflow
	}
	return r.Num().Int64(), nil
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "12.50", "0.05", "9223372036854775807", "92233720368547758.07",
		"1e3", "-1", ".5", "5.", "", "12.345", "007", "١"} {
		f.Add(s, uint8(2))
	}
	f.Add("9.223372036854775807", uint8(18))
	f.Fuzz(func(t *testing.T, s string, scale uint8) {
		units, err := ParseDecimal(s, scale)
		if err != nil {
			for _, known := range []error{ErrBadAmount, ErrNegativeAmount, ErrTooManyDecimals, ErrAmountOverflow, ErrBadScale} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("ParseDecimal(%q, %d): unexpected error %v", s, scale, err)
		}
		if units < 0 {
			t.Fatalf("ParseDecimal(%q, %d) = %d", s, scale, units)
		}
		formatted := FormatUnits(units, scale)
		if back, err := ParseDecimal(formatted, scale); err != nil || back != units {
			t.Fatalf("ParseDecimal(%q) = %d; ParseDecimal(FormatUnits = %q) = %d, %v", s, units, formatted, back, err)
		}
		if want, err := referenceParse(s, scale); err != nil || want != units {
			t.Fatalf("ParseDecimal(%q, %d) = %d; reference %d, %v", s, scale, units, want, err)
		}
	})
}

func BenchmarkParseDecimal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDecimal("92233720368547758.07", 2); err != nil {
			b.Fatal(err)
		}
	}
}
