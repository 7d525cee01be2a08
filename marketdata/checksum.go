package marketdata

import (
	"hash/crc32"
	"slices"
)

// ChecksumLevels is how many levels of each side, from the best, a book
// checksum covers.
const ChecksumLevels = 10

// Scales are the decimal places a market's book is shown with: prices at
// the market's price scale, sizes at its base asset's scale. They are the
// price_scale of GET /v1/markets and the base asset's scale of GET
// /v1/assets.
type Scales struct {
	Price uint8 // decimal places of a price
	Size  uint8 // decimal places of a size
}

// AppendUnits appends units of an amount with scale decimal places as the
// fixed-point decimal string the API sends: an optional "-", the integer
// part without leading zeros ("0" if it is zero), and, unless scale is 0,
// "." and exactly scale digits, trailing zeros kept. No exponent, no "+",
// no grouping. For example 150 at scale 2 is "1.50", 5 at scale 3 is
// "0.005", 0 at scale 2 is "0.00", 42 at scale 0 is "42" and -5 at scale 2
// is "-0.05". It is the form shopspring/decimal's StringFixed(scale) gives
// (which the REST API uses), and it allocates nothing when dst has room.
func AppendUnits(dst []byte, units int64, scale uint8) []byte {
	u := uint64(units)
	if units < 0 {
		dst = append(dst, '-')
		u = -u // two's complement: right for math.MinInt64 too
	}
	digits := 1
	for v := u; v >= 10; v /= 10 {
		digits++
	}
	s := int(scale)
	width := digits // the integer, then "." and scale digits if any
	if s > 0 {
		width = max(digits, s+1) + 1
	}
	i := len(dst) + width
	dst = slices.Grow(dst, width)[:i]
	for range s { // the fraction, from its last digit
		i--
		dst[i] = byte('0' + u%10)
		u /= 10
	}
	if s > 0 {
		i--
		dst[i] = '.'
	}
	for { // the integer part, at least "0"
		i--
		dst[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			return dst
		}
	}
}

// FormatUnits is AppendUnits as a string.
func FormatUnits(units int64, scale uint8) string {
	var buf [48]byte
	return string(AppendUnits(buf[:0], units, scale))
}

// AppendChecksumString appends the string whose CRC32 is the book's
// checksum (see Checksum) and returns the extended buffer. It is there for
// tests and for a client implementer comparing strings with the server.
func AppendChecksumString(dst []byte, bids, asks []Level, sc Scales) []byte {
	start := len(dst)
	field := func(dst []byte, l Level) []byte {
		if len(dst) > start {
			dst = append(dst, ':')
		}
		dst = AppendUnits(dst, l.Price, sc.Price)
		dst = append(dst, ':')
		return AppendUnits(dst, l.Size, sc.Size)
	}
	for i := range ChecksumLevels {
		if i < len(bids) {
			dst = field(dst, bids[i])
		}
		if i < len(asks) {
			dst = field(dst, asks[i])
		}
	}
	return dst
}

// Checksum is the checksum of a book that the book.<market> WebSocket
// channel sends with its snapshot and with every update, for the client to
// check the book it keeps (LocalBook does). bids and asks are the levels
// best first (bids from the highest price, asks from the lowest), each
// with a size above 0; sc gives the market's scales.
//
// The rule, for an implementer in any language:
//
//  1. Take the best ChecksumLevels (10) levels of each side; a side with
//     fewer levels takes all it has, an empty side none.
//  2. Write each price and size as the decimal string the API sends: fixed
//     point with exactly the market's price scale (prices) or base asset's
//     scale (sizes) decimal places, trailing zeros kept, "0" before the
//     point of an amount below 1, no exponent, no sign, no spaces. Parse
//     nothing: the strings of the snapshot and updates are already in this
//     form.
//  3. Interleave the sides, best first: bid 1 price, bid 1 size, ask 1
//     price, ask 1 size, bid 2 price, bid 2 size, ask 2 price, ...; where a
//     side has run out of levels its fields are simply left out (no empty
//     fields, no placeholders).
//  4. Join the fields with ":" (no leading or trailing ":"). An empty book
//     gives the empty string.
//  5. The checksum is the CRC-32 (IEEE 802.3 polynomial, as zlib.crc32,
//     java.util.zip.CRC32, Go's crc32.ChecksumIEEE) of that string's bytes
//     (ASCII), sent as an unsigned 32-bit integer (0 to 4294967295; in
//     JavaScript, reduce a signed result with ">>> 0").
//
// Worked example: a market with price scale 2 and base scale 3 whose book
// is
//
//	bids: 1.50 x 10.000, 1.49 x 2.500, 1.45 x 0.005
//	asks: 1.51 x 0.750
//
// (in units: bids {150, 10000}, {149, 2500}, {145, 5}; asks {151, 750})
// has the string
//
//	1.50:10.000:1.51:0.750:1.49:2.500:1.45:0.005
//
// and the checksum 1227071282 (0x49239f32). The empty book's checksum is
// 0.
//
// Checksum allocates its string once; the Conflater and LocalBook reuse a
// buffer instead.
func Checksum(bids, asks []Level, sc Scales) uint32 {
	var buf [512]byte
	return crc32.ChecksumIEEE(AppendChecksumString(buf[:0], bids, asks, sc))
}
