package marketdata

import (
	"hash/crc32"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// refFormatUnits is FormatUnits by other means: the exact rational
// units/10^scale printed with scale decimals.
func refFormatUnits(units int64, scale uint8) string {
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	return new(big.Rat).SetFrac(big.NewInt(units), den).FloatString(int(scale))
}

// refChecksumString is the checksum rule of Checksum's doc comment, written
// out naively: fields as strings, joined with ":".
func refChecksumString(bids, asks []Level, sc Scales) string {
	var fields []string
	for i := range 10 {
		if i < len(bids) {
			fields = append(fields, refFormatUnits(bids[i].Price, sc.Price), refFormatUnits(bids[i].Size, sc.Size))
		}
		if i < len(asks) {
			fields = append(fields, refFormatUnits(asks[i].Price, sc.Price), refFormatUnits(asks[i].Size, sc.Size))
		}
	}
	return strings.Join(fields, ":")
}

func TestFormatUnits(t *testing.T) {
	cases := []struct {
		units int64
		scale uint8
		want  string
	}{
		{0, 0, "0"},
		{42, 0, "42"},
		{0, 2, "0.00"},
		{150, 2, "1.50"},
		{100, 2, "1.00"},
		{5, 3, "0.005"},
		{10000, 3, "10.000"},
		{123456, 3, "123.456"},
		{123, 3, "0.123"},
		{1, 18, "0.000000000000000001"},
		{-5, 2, "-0.05"},
		{-150, 2, "-1.50"},
		{-42, 0, "-42"},
		{math.MaxInt64, 0, "9223372036854775807"},
		{math.MaxInt64, 18, "9.223372036854775807"},
		{math.MaxInt64, 19, "0.9223372036854775807"},
		{math.MaxInt64, 21, "0.009223372036854775807"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{math.MinInt64, 6, "-9223372036854.775808"},
	}
	for _, c := range cases {
		if got := FormatUnits(c.units, c.scale); got != c.want {
			t.Errorf("FormatUnits(%d, %d) = %q, want %q", c.units, c.scale, got, c.want)
		}
		if ref := refFormatUnits(c.units, c.scale); ref != c.want {
			t.Errorf("the reference formats (%d, %d) as %q, the table says %q", c.units, c.scale, ref, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		units := rng.Int64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			units = -units
		}
		scale := uint8(rng.IntN(25))
		if got, want := FormatUnits(units, scale), refFormatUnits(units, scale); got != want {
			t.Fatalf("FormatUnits(%d, %d) = %q, want %q", units, scale, got, want)
		}
	}
}

// TestChecksumWorkedExample pins the example of Checksum's doc comment:
// change one and the other must follow, and clients' tests with it.
func TestChecksumWorkedExample(t *testing.T) {
	sc := Scales{Price: 2, Size: 3}
	bids := []Level{{150, 10000}, {149, 2500}, {145, 5}}
	asks := []Level{{151, 750}}
	const wantString = "1.50:10.000:1.51:0.750:1.49:2.500:1.45:0.005"
	const wantSum = 1227071282 // 0x49239f32: zlib.crc32(b"1.50:10.000:1.51:0.750:1.49:2.500:1.45:0.005")
	if got := string(AppendChecksumString(nil, bids, asks, sc)); got != wantString {
		t.Errorf("string %q, want %q", got, wantString)
	}
	if got := Checksum(bids, asks, sc); got != wantSum {
		t.Errorf("checksum %d (%#x), want %d", got, got, uint32(wantSum))
	}
	if got := crc32.ChecksumIEEE([]byte(wantString)); got != wantSum {
		t.Errorf("crc32 of the string is %d", got)
	}
}

func TestChecksum(t *testing.T) {
	levels := func(side Side, n int) []Level { // n levels, best first, from 100 (bids) or 101 (asks)
		ls := make([]Level, n)
		for i := range ls {
			p := int64(100 - i)
			if side == Ask {
				p = int64(101 + i)
			}
			ls[i] = Level{Price: p, Size: int64(i + 1)}
		}
		return ls
	}
	sc0 := Scales{}
	cases := []struct {
		name       string
		bids, asks []Level
		sc         Scales
		want       string
	}{
		{"empty book", nil, nil, sc0, ""},
		{"empty slices", []Level{}, []Level{}, sc0, ""},
		{"bids only", levels(Bid, 3), nil, sc0, "100:1:99:2:98:3"},
		{"asks only", nil, levels(Ask, 2), sc0, "101:1:102:2"},
		{"one each", levels(Bid, 1), levels(Ask, 1), sc0, "100:1:101:1"},
		{"more bids than asks", levels(Bid, 3), levels(Ask, 1), sc0, "100:1:101:1:99:2:98:3"},
		{"more asks than bids", levels(Bid, 1), levels(Ask, 3), sc0, "100:1:101:1:102:2:103:3"},
		{"scales", levels(Bid, 1), levels(Ask, 1), Scales{Price: 1, Size: 4}, "10.0:0.0001:10.1:0.0001"},
		{"exactly ten", levels(Bid, 10), nil, sc0, "100:1:99:2:98:3:97:4:96:5:95:6:94:7:93:8:92:9:91:10"},
		{"eleven bids count ten", levels(Bid, 11), nil, sc0, "100:1:99:2:98:3:97:4:96:5:95:6:94:7:93:8:92:9:91:10"},
		{"twelve asks, two bids", levels(Bid, 2), levels(Ask, 12), sc0,
			"100:1:101:1:99:2:102:2:103:3:104:4:105:5:106:6:107:7:108:8:109:9:110:10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(AppendChecksumString([]byte("keep"), c.bids, c.asks, c.sc))
			if got != "keep"+c.want {
				t.Errorf("string %q, want %q", got, "keep"+c.want)
			}
			if ref := refChecksumString(c.bids, c.asks, c.sc); ref != c.want {
				t.Errorf("the reference string is %q", ref)
			}
			if sum, want := Checksum(c.bids, c.asks, c.sc), crc32.ChecksumIEEE([]byte(c.want)); sum != want {
				t.Errorf("checksum %d, want %d", sum, want)
			}
		})
	}
	// Levels past the tenth change nothing.
	b, a := levels(Bid, 30), levels(Ask, 30)
	sum := Checksum(b, a, sc0)
	b[10].Size, a[29].Price = 999, 1
	if Checksum(b, a, sc0) != sum || Checksum(b[:10], a[:10], sc0) != sum {
		t.Error("a level past the tenth changed the checksum")
	}
	b[9].Size = 999
	if Checksum(b, a, sc0) == sum {
		t.Error("the tenth bid's size did not change the checksum")
	}
	if Checksum(nil, nil, sc0) != 0 {
		t.Error("the empty book's checksum is not 0")
	}
}

func TestChecksumAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2_000 {
		sc := Scales{Price: uint8(rng.IntN(19)), Size: uint8(rng.IntN(19))}
		side := func() []Level {
			ls := make([]Level, rng.IntN(15))
			for i := range ls {
				ls[i] = Level{Price: 1 + rng.Int64N(math.MaxInt64), Size: 1 + rng.Int64N(1<<rng.IntN(63))}
			}
			return ls
		}
		bids, asks := side(), side()
		want := refChecksumString(bids, asks, sc)
		if got := string(AppendChecksumString(nil, bids, asks, sc)); got != want {
			t.Fatalf("string %q, want %q", got, want)
		}
		if got := Checksum(bids, asks, sc); got != crc32.ChecksumIEEE([]byte(want)) {
			t.Fatalf("checksum of %q is %d", want, got)
		}
	}
}

// benchBook returns n levels per side, best first, from a fixed seed.
func benchBook(n int) (bids, asks []Level) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := int64(1_000_000)
	for range n {
		p -= 1 + rng.Int64N(20)
		bids = append(bids, Level{Price: p, Size: 1 + rng.Int64N(5_000_000)})
	}
	p = 1_000_000
	for range n {
		p += 1 + rng.Int64N(20)
		asks = append(asks, Level{Price: p, Size: 1 + rng.Int64N(5_000_000)})
	}
	return bids, asks
}

func BenchmarkChecksum(b *testing.B) {
	bids, asks := benchBook(10)
	sc := Scales{Price: 4, Size: 2}
	b.ReportAllocs()
	var sum uint32
	for b.Loop() {
		sum += Checksum(bids, asks, sc)
	}
	_ = sum
}

// BenchmarkChecksumReused is Checksum with the buffer a LocalBook or a
// Conflater reuses.
func BenchmarkChecksumReused(b *testing.B) {
	bids, asks := benchBook(10)
	sc := Scales{Price: 4, Size: 2}
	bk := newBook()
	if err := bk.load(bids, asks); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var sum uint32
	for b.Loop() {
		sum += bk.checksum(sc)
	}
	_ = sum
}
