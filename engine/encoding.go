package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The binary encodings of commands and events, for the journal and the
// event log. One record is a presence mask (8 bytes, little-endian: bit i
// set when field i is not zero) followed by the fields that are present,
// in field order: unsigned numbers and enums as uvarints, signed numbers as
// zigzag varints, booleans by their bit alone, byte arrays as a length and
// their bytes up to the zero padding. Zero fields take no space, so a place
// order takes about 20 bytes. The encoding is canonical: decoding refuses
// anything that re-encodes differently (a present field holding zero,
// unknown bits, bytes after the padding), so decode(encode(x)) == x and
// encode(decode(b)) == b.
//
// New fields take new field numbers at the end, so records written before
// them decode, and encode, exactly as before: Session and SessionMode
// (trading sessions) are command fields 39 and 40, written after a batch's
// items, and event fields 52 and 53. An older decoder refuses a record that
// has them (unknown fields) rather than dropping them.
//
// A batch (a journal entry, or the events of one journal entry) is a
// version byte, the record count as a uvarint, the records, and a CRC-32C
// (Castagnoli) of everything before it, 4 bytes little-endian.

// ErrBadEncoding is returned (wrapped) for bytes that are not a valid
// encoding: corrupt, truncated or not canonical.
var ErrBadEncoding = errors.New("engine: bad encoding")

const encodingVersion = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// AppendCommandBatch appends the encoding of cmds as one batch to dst.
func AppendCommandBatch(dst []byte, cmds []Command) []byte {
	return appendBatch(dst, cmds, AppendCommand)
}

// DecodeCommandBatch decodes a batch written by AppendCommandBatch, appending
// its commands to dst.
func DecodeCommandBatch(b []byte, dst []Command) ([]Command, error) {
	return decodeBatch(b, dst, func(d *decoder, c *Command) error { return d.command(c, 0) })
}

// AppendEventBatch appends the encoding of evs as one batch to dst.
func AppendEventBatch(dst []byte, evs []Event) []byte {
	return appendBatch(dst, evs, AppendEvent)
}

// DecodeEventBatch decodes a batch written by AppendEventBatch, appending its
// events to dst.
func DecodeEventBatch(b []byte, dst []Event) ([]Event, error) {
	return decodeBatch(b, dst, (*decoder).event)
}

// appendBatch frames records: version, count, records, CRC-32C.
func appendBatch[T any](dst []byte, items []T, appendRecord func([]byte, *T) []byte) []byte {
	start := len(dst)
	dst = append(dst, encodingVersion)
	dst = binary.AppendUvarint(dst, uint64(len(items)))
	for i := range items {
		dst = appendRecord(dst, &items[i])
	}
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// decodeBatch checks a batch's frame and decodes its records into dst.
func decodeBatch[T any](b []byte, dst []T, decodeRecord func(*decoder, *T) error) ([]T, error) {
	d, n, err := openBatch(b)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	for range n {
		var zero T
		dst = append(dst, zero) // decoded in place: no item escapes to the heap
		if err := decodeRecord(d, &dst[len(dst)-1]); err != nil {
			return dst[:start], err
		}
	}
	return dst, d.end()
}

// openBatch checks a batch's checksum and version and returns a decoder
// positioned at its first record and the record count.
func openBatch(b []byte) (*decoder, int, error) {
	if len(b) < 1+1+4 {
		return nil, 0, fmt.Errorf("%w: batch of %d bytes", ErrBadEncoding, len(b))
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrBadEncoding)
	}
	if body[0] != encodingVersion {
		return nil, 0, fmt.Errorf("%w: version %d", ErrBadEncoding, body[0])
	}
	d := &decoder{b: body[1:]}
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b))/8 { // a record is at least its 8-byte mask
		d.fail("count %d exceeds the batch", n)
	}
	return d, int(n), d.err
}

// Field numbers of Command, in its field order. They are the bits of the
// presence mask: never renumber, add new ones at the end.
const (
	cfKind = iota
	cfSeq
	cfTime
	cfAccount
	cfAsset
	cfMarket
	cfOrder
	cfSide
	cfType
	cfTIF
	cfPostOnly
	cfSTP
	cfClientOrderID
	cfPrice
	cfSize
	cfQuoteAmount
	cfExpiresAt
	cfAmount
	cfRef
	cfWithdrawal
	cfRedemption
	cfToAsset
	cfMinReceive
	cfTo
	cfSymbol
	cfScale
	cfAssetKind
	cfBrand
	cfHub
	cfBase
	cfQuote
	cfPriceScale
	cfTick
	cfLot
	cfMinSize
	cfMakerBps
	cfTakerBps
	cfStatus
	cfBatch
	cfSession // appended with trading sessions: after the batch's items
	cfSessionMode
	cfEnd
)

// AppendCommand appends one command record to dst.
func AppendCommand(dst []byte, c *Command) []byte {
	e := encoder{b: dst}
	e.begin()
	e.u(cfKind, uint64(c.Kind))
	e.u(cfSeq, c.Seq)
	e.i(cfTime, c.Time)
	e.u(cfAccount, uint64(c.Account))
	e.u(cfAsset, uint64(c.Asset))
	e.u(cfMarket, uint64(c.Market))
	e.u(cfOrder, uint64(c.Order))
	e.u(cfSide, uint64(c.Side))
	e.u(cfType, uint64(c.Type))
	e.u(cfTIF, uint64(c.TIF))
	e.flag(cfPostOnly, c.PostOnly)
	e.u(cfSTP, uint64(c.STP))
	e.bytes(cfClientOrderID, c.ClientOrderID[:])
	e.i(cfPrice, c.Price)
	e.i(cfSize, c.Size)
	e.i(cfQuoteAmount, c.QuoteAmount)
	e.i(cfExpiresAt, c.ExpiresAt)
	e.i(cfAmount, c.Amount)
	e.bytes(cfRef, c.Ref[:])
	e.u(cfWithdrawal, uint64(c.Withdrawal))
	e.u(cfRedemption, uint64(c.Redemption))
	e.u(cfToAsset, uint64(c.ToAsset))
	e.i(cfMinReceive, c.MinReceive)
	e.u(cfTo, uint64(c.To))
	e.bytes(cfSymbol, c.Symbol[:])
	e.u(cfScale, uint64(c.Scale))
	e.u(cfAssetKind, uint64(c.AssetKind))
	e.u(cfBrand, uint64(c.Brand))
	e.flag(cfHub, c.Hub)
	e.u(cfBase, uint64(c.Base))
	e.u(cfQuote, uint64(c.Quote))
	e.u(cfPriceScale, uint64(c.PriceScale))
	e.i(cfTick, c.Tick)
	e.i(cfLot, c.Lot)
	e.i(cfMinSize, c.MinSize)
	e.i(cfMakerBps, int64(c.MakerBps))
	e.i(cfTakerBps, int64(c.TakerBps))
	e.u(cfStatus, uint64(c.Status))
	if len(c.Batch) > 0 {
		e.set(cfBatch)
		e.b = binary.AppendUvarint(e.b, uint64(len(c.Batch)))
		for i := range c.Batch {
			e.b = AppendCommand(e.b, &c.Batch[i])
		}
	}
	e.u(cfSession, uint64(c.Session))
	e.u(cfSessionMode, uint64(c.SessionMode))
	return e.end()
}

// DecodeCommand decodes one command record from the start of b and returns
// the bytes after it.
func DecodeCommand(b []byte, c *Command) ([]byte, error) {
	d := decoder{b: b}
	err := d.command(c, 0)
	return d.b, err
}

func (d *decoder) command(c *Command, depth int) error {
	*c = Command{}
	d.begin(cfEnd)
	c.Kind = CommandKind(d.u8(cfKind))
	c.Seq = d.u(cfSeq)
	c.Time = d.i(cfTime)
	c.Account = AccountID(d.u32(cfAccount))
	c.Asset = AssetID(d.u32(cfAsset))
	c.Market = MarketID(d.u32(cfMarket))
	c.Order = OrderID(d.u(cfOrder))
	c.Side = Side(d.u8(cfSide))
	c.Type = OrderType(d.u8(cfType))
	c.TIF = TimeInForce(d.u8(cfTIF))
	c.PostOnly = d.flag(cfPostOnly)
	c.STP = SelfTradePrevention(d.u8(cfSTP))
	d.bytes(cfClientOrderID, c.ClientOrderID[:])
	c.Price = d.i(cfPrice)
	c.Size = d.i(cfSize)
	c.QuoteAmount = d.i(cfQuoteAmount)
	c.ExpiresAt = d.i(cfExpiresAt)
	c.Amount = d.i(cfAmount)
	d.bytes(cfRef, c.Ref[:])
	c.Withdrawal = WithdrawalID(d.u(cfWithdrawal))
	c.Redemption = RedemptionID(d.u(cfRedemption))
	c.ToAsset = AssetID(d.u32(cfToAsset))
	c.MinReceive = d.i(cfMinReceive)
	c.To = AccountID(d.u32(cfTo))
	d.bytes(cfSymbol, c.Symbol[:])
	c.Scale = d.u8(cfScale)
	c.AssetKind = AssetKind(d.u8(cfAssetKind))
	c.Brand = AccountID(d.u32(cfBrand))
	c.Hub = d.flag(cfHub)
	c.Base = AssetID(d.u32(cfBase))
	c.Quote = AssetID(d.u32(cfQuote))
	c.PriceScale = d.u8(cfPriceScale)
	c.Tick = d.i(cfTick)
	c.Lot = d.i(cfLot)
	c.MinSize = d.i(cfMinSize)
	c.MakerBps = d.i32(cfMakerBps)
	c.TakerBps = d.i32(cfTakerBps)
	c.Status = MarketStatus(d.u8(cfStatus))
	if d.has(cfBatch) {
		mask := d.mask // the items' records replace it
		n := d.uvarint()
		switch {
		case d.err != nil:
		case depth > 0:
			d.fail("a batch inside a batch")
		case n == 0 || n > uint64(len(d.b))/8:
			d.fail("batch of %d items", n)
		default:
			c.Batch = make([]Command, n)
			for i := range c.Batch {
				if err := d.command(&c.Batch[i], depth+1); err != nil {
					return err
				}
			}
		}
		d.mask = mask
	}
	c.Session = SessionID(d.u(cfSession))
	c.SessionMode = SessionMode(d.u8(cfSessionMode))
	return d.err
}

// Field numbers of Event, in its field order (the presence mask's bits).
const (
	efSeq = iota
	efTime
	efItem
	efKind
	efCmd
	efCode
	efReason
	efSide
	efType
	efTIF
	efPostOnly
	efSTP
	efRequeued
	efStatus
	efScale
	efPriceScale
	efAssetKind
	efHub
	efAccount
	efMakerAccount
	efTo
	efBrand
	efAsset
	efMarket
	efBase
	efQuote
	efToAsset
	efHubAsset
	efMakerBps
	efTakerBps
	efOrder
	efMakerOrder
	efPrice
	efSize
	efRemaining
	efAmount
	efFee
	efMakerFee
	efExpiresAt
	efAvailable
	efHeld
	efWithdrawal
	efRedemption
	efReceipt
	efAmountOut
	efHubLeft
	efTick
	efLot
	efMinSize
	efClientOrderID
	efRef
	efSymbol
	efSession // appended with trading sessions
	efSessionMode
	efEnd
)

// AppendEvent appends one event record to dst.
func AppendEvent(dst []byte, ev *Event) []byte {
	e := encoder{b: dst}
	e.begin()
	e.u(efSeq, ev.Seq)
	e.i(efTime, ev.Time)
	e.u(efItem, uint64(ev.Item))
	e.u(efKind, uint64(ev.Kind))
	e.u(efCmd, uint64(ev.Cmd))
	e.u(efCode, uint64(ev.Code))
	e.u(efReason, uint64(ev.Reason))
	e.u(efSide, uint64(ev.Side))
	e.u(efType, uint64(ev.Type))
	e.u(efTIF, uint64(ev.TIF))
	e.flag(efPostOnly, ev.PostOnly)
	e.u(efSTP, uint64(ev.STP))
	e.flag(efRequeued, ev.Requeued)
	e.u(efStatus, uint64(ev.Status))
	e.u(efScale, uint64(ev.Scale))
	e.u(efPriceScale, uint64(ev.PriceScale))
	e.u(efAssetKind, uint64(ev.AssetKind))
	e.flag(efHub, ev.Hub)
	e.u(efAccount, uint64(ev.Account))
	e.u(efMakerAccount, uint64(ev.MakerAccount))
	e.u(efTo, uint64(ev.To))
	e.u(efBrand, uint64(ev.Brand))
	e.u(efAsset, uint64(ev.Asset))
	e.u(efMarket, uint64(ev.Market))
	e.u(efBase, uint64(ev.Base))
	e.u(efQuote, uint64(ev.Quote))
	e.u(efToAsset, uint64(ev.ToAsset))
	e.u(efHubAsset, uint64(ev.HubAsset))
	e.i(efMakerBps, int64(ev.MakerBps))
	e.i(efTakerBps, int64(ev.TakerBps))
	e.u(efOrder, uint64(ev.Order))
	e.u(efMakerOrder, uint64(ev.MakerOrder))
	e.i(efPrice, ev.Price)
	e.i(efSize, ev.Size)
	e.i(efRemaining, ev.Remaining)
	e.i(efAmount, ev.Amount)
	e.i(efFee, ev.Fee)
	e.i(efMakerFee, ev.MakerFee)
	e.i(efExpiresAt, ev.ExpiresAt)
	e.i(efAvailable, ev.Available)
	e.i(efHeld, ev.Held)
	e.u(efWithdrawal, uint64(ev.Withdrawal))
	e.u(efRedemption, uint64(ev.Redemption))
	e.u(efReceipt, uint64(ev.Receipt))
	e.i(efAmountOut, ev.AmountOut)
	e.i(efHubLeft, ev.HubLeft)
	e.i(efTick, ev.Tick)
	e.i(efLot, ev.Lot)
	e.i(efMinSize, ev.MinSize)
	e.bytes(efClientOrderID, ev.ClientOrderID[:])
	e.bytes(efRef, ev.Ref[:])
	e.bytes(efSymbol, ev.Symbol[:])
	e.u(efSession, uint64(ev.Session))
	e.u(efSessionMode, uint64(ev.SessionMode))
	return e.end()
}

// DecodeEvent decodes one event record from the start of b and returns the
// bytes after it.
func DecodeEvent(b []byte, ev *Event) ([]byte, error) {
	d := decoder{b: b}
	err := d.event(ev)
	return d.b, err
}

func (d *decoder) event(ev *Event) error {
	*ev = Event{}
	d.begin(efEnd)
	ev.Seq = d.u(efSeq)
	ev.Time = d.i(efTime)
	ev.Item = uint16(d.uN(efItem, 1<<16-1))
	ev.Kind = EventKind(d.u8(efKind))
	ev.Cmd = CommandKind(d.u8(efCmd))
	ev.Code = Code(d.u8(efCode))
	ev.Reason = CancelReason(d.u8(efReason))
	ev.Side = Side(d.u8(efSide))
	ev.Type = OrderType(d.u8(efType))
	ev.TIF = TimeInForce(d.u8(efTIF))
	ev.PostOnly = d.flag(efPostOnly)
	ev.STP = SelfTradePrevention(d.u8(efSTP))
	ev.Requeued = d.flag(efRequeued)
	ev.Status = MarketStatus(d.u8(efStatus))
	ev.Scale = d.u8(efScale)
	ev.PriceScale = d.u8(efPriceScale)
	ev.AssetKind = AssetKind(d.u8(efAssetKind))
	ev.Hub = d.flag(efHub)
	ev.Account = AccountID(d.u32(efAccount))
	ev.MakerAccount = AccountID(d.u32(efMakerAccount))
	ev.To = AccountID(d.u32(efTo))
	ev.Brand = AccountID(d.u32(efBrand))
	ev.Asset = AssetID(d.u32(efAsset))
	ev.Market = MarketID(d.u32(efMarket))
	ev.Base = AssetID(d.u32(efBase))
	ev.Quote = AssetID(d.u32(efQuote))
	ev.ToAsset = AssetID(d.u32(efToAsset))
	ev.HubAsset = AssetID(d.u32(efHubAsset))
	ev.MakerBps = d.i32(efMakerBps)
	ev.TakerBps = d.i32(efTakerBps)
	ev.Order = OrderID(d.u(efOrder))
	ev.MakerOrder = OrderID(d.u(efMakerOrder))
	ev.Price = d.i(efPrice)
	ev.Size = d.i(efSize)
	ev.Remaining = d.i(efRemaining)
	ev.Amount = d.i(efAmount)
	ev.Fee = d.i(efFee)
	ev.MakerFee = d.i(efMakerFee)
	ev.ExpiresAt = d.i(efExpiresAt)
	ev.Available = d.i(efAvailable)
	ev.Held = d.i(efHeld)
	ev.Withdrawal = WithdrawalID(d.u(efWithdrawal))
	ev.Redemption = RedemptionID(d.u(efRedemption))
	ev.Receipt = Receipt(d.u(efReceipt))
	ev.AmountOut = d.i(efAmountOut)
	ev.HubLeft = d.i(efHubLeft)
	ev.Tick = d.i(efTick)
	ev.Lot = d.i(efLot)
	ev.MinSize = d.i(efMinSize)
	d.bytes(efClientOrderID, ev.ClientOrderID[:])
	d.bytes(efRef, ev.Ref[:])
	d.bytes(efSymbol, ev.Symbol[:])
	ev.Session = SessionID(d.u(efSession))
	ev.SessionMode = SessionMode(d.u8(efSessionMode))
	return d.err
}

// encoder writes one record: it reserves the mask, appends the present
// fields and fills the mask in at the end.
type encoder struct {
	b    []byte
	at   int // where the mask goes
	mask uint64
}

func (e *encoder) begin() {
	e.at = len(e.b)
	e.b = append(e.b, 0, 0, 0, 0, 0, 0, 0, 0)
}

func (e *encoder) set(f int) { e.mask |= 1 << f }

func (e *encoder) u(f int, v uint64) {
	if v != 0 {
		e.set(f)
		e.b = binary.AppendUvarint(e.b, v)
	}
}

func (e *encoder) i(f int, v int64) {
	if v != 0 {
		e.set(f)
		e.b = binary.AppendVarint(e.b, v)
	}
}

func (e *encoder) flag(f int, v bool) {
	if v {
		e.set(f)
	}
}

// bytes writes a zero-padded array as its length without the padding and
// its bytes.
func (e *encoder) bytes(f int, p []byte) {
	n := len(p)
	for n > 0 && p[n-1] == 0 {
		n--
	}
	if n > 0 {
		e.set(f)
		e.b = append(e.b, byte(n))
		e.b = append(e.b, p[:n]...)
	}
}

func (e *encoder) end() []byte {
	binary.LittleEndian.PutUint64(e.b[e.at:], e.mask)
	return e.b
}

// decoder reads records from untrusted bytes; after the first error it
// reads zeros and keeps the error.
type decoder struct {
	b    []byte
	mask uint64
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrBadEncoding}, args...)...)
	}
}

// begin reads a record's mask; fields at or above end are unknown.
func (d *decoder) begin(end int) {
	if d.err != nil {
		return
	}
	if len(d.b) < 8 {
		d.fail("truncated record")
		return
	}
	d.mask = binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	if d.mask>>end != 0 {
		d.fail("unknown fields %#x", d.mask>>end<<end)
	}
}

func (d *decoder) has(f int) bool { return d.err == nil && d.mask&(1<<f) != 0 }

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutUvarint(tmp[:], v) { // the shortest form only
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// u reads a present unsigned field; a present zero is not canonical.
func (d *decoder) u(f int) uint64 {
	if !d.has(f) {
		return 0
	}
	v := d.uvarint()
	if v == 0 {
		d.fail("field %d present but zero", f)
	}
	return v
}

func (d *decoder) uN(f int, max uint64) uint64 {
	v := d.u(f)
	if v > max {
		d.fail("field %d out of range", f)
		return 0
	}
	return v
}

func (d *decoder) u8(f int) uint8   { return uint8(d.uN(f, 1<<8-1)) }
func (d *decoder) u32(f int) uint32 { return uint32(d.uN(f, 1<<32-1)) }

func (d *decoder) i(f int) int64 {
	if !d.has(f) {
		return 0
	}
	v, n := binary.Varint(d.b)
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutVarint(tmp[:], v) || v == 0 {
		d.fail("bad varint in field %d", f)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) i32(f int) int32 {
	v := d.i(f)
	if int64(int32(v)) != v {
		d.fail("field %d out of range", f)
		return 0
	}
	return int32(v)
}

func (d *decoder) flag(f int) bool { return d.has(f) }

// bytes reads a zero-padded array written by encoder.bytes into p.
func (d *decoder) bytes(f int, p []byte) {
	if !d.has(f) {
		return
	}
	if len(d.b) < 1 || int(d.b[0]) == 0 || int(d.b[0]) > len(p) || len(d.b) < 1+int(d.b[0]) {
		d.fail("bad bytes in field %d", f)
		return
	}
	n := int(d.b[0])
	if d.b[n] == 0 { // the last byte must not be padding
		d.fail("padding in field %d", f)
		return
	}
	copy(p, d.b[1:1+n])
	d.b = d.b[1+n:]
}

// end checks that a batch has no bytes after its records.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the records", len(d.b))
	}
	return d.err
}
