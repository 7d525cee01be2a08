package marketdata

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
)

// Book stream errors. Compare with errors.Is: they come wrapped with
// details.
var (
	// ErrGap: an update's PrevSeq is not the Seq of the book it is applied
	// to, so the book missed an update. The book is unchanged; the client
	// drops it and builds a new one from a fresh snapshot (for a Conflater:
	// Resync with a fresh Depth).
	ErrGap = errors.New("marketdata: book update out of sequence")
	// ErrChecksum: the book does not match a snapshot's or update's
	// checksum. A LocalBook that returned it is unusable (every later Apply
	// returns it again); the client builds a new one from a fresh snapshot.
	ErrChecksum = errors.New("marketdata: book checksum mismatch")
	// ErrInvalidBook: a snapshot, depth or update is malformed (a price not
	// above 0, a negative size, a snapshot level of size 0, snapshot levels
	// not strictly best first, an unknown side, another market). Nothing
	// was changed.
	ErrInvalidBook = errors.New("marketdata: invalid book data")
)

// BookSnapshot is the whole of a market's book as of Seq, as the
// book.<market> channel sends it first: levels best first (bids from the
// highest price, asks from the lowest), each of size above 0, and the
// Checksum of those levels. The next update to apply to it is the one
// whose PrevSeq is Seq.
//
// The JSON tags give the amounts in units, as elsewhere in this package;
// the WebSocket body, with decimal strings, is AppendJSON's.
type BookSnapshot struct {
	Market   uint32  `json:"market"`
	Seq      uint64  `json:"seq"`
	Bids     []Level `json:"bids"`
	Asks     []Level `json:"asks"`
	Checksum uint32  `json:"checksum"`
}

// BookUpdate is one update of the book.<market> channel: the levels that
// changed between the book as of PrevSeq and the book as of Seq, each
// with its new total size (0: the level is gone), and the Checksum of the
// book as of Seq. Bids and Asks are the changes of each side (a Conflater
// sends them best first, each price once; Apply takes them in any order,
// a repeated price's last size winning).
//
// An update that a Conflater emits is never changed afterwards, by it or
// by anyone: it is shared by every subscriber of the market, so the server
// encodes it once (AppendJSON) and writes the same bytes to each.
//
// The JSON tags give the amounts in units, as elsewhere in this package;
// the WebSocket body, with decimal strings, is AppendJSON's.
type BookUpdate struct {
	Market   uint32  `json:"market"`
	Seq      uint64  `json:"seq"`
	PrevSeq  uint64  `json:"prev_seq"`
	Bids     []Level `json:"bids"`
	Asks     []Level `json:"asks"`
	Checksum uint32  `json:"checksum"`
}

// AppendJSON appends the snapshot as the body of a book.<market> snapshot
// message, levels as [price, size] pairs of decimal strings like GET
// /v1/markets/{market}/book (see AppendUnits), in this order and with no
// spaces:
//
//	{"seq":10,"bids":[["1.50","10.000"],["1.49","2.500"]],"asks":[["1.51","0.750"]],"checksum":3120090503}
//
// The market is left out: the message's channel names it.
func (s *BookSnapshot) AppendJSON(dst []byte, sc Scales) []byte {
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendUint(dst, s.Seq, 10)
	return appendLevelsJSON(dst, s.Bids, s.Asks, s.Checksum, sc)
}

// AppendJSON appends the update as the body of a book.<market> update
// message, in this order and with no spaces, a removed level with a size
// of zero at the base scale (here the snapshot above, after update 12
// removed bid 1.49 and changed ask 1.51):
//
//	{"seq":12,"prev_seq":10,"bids":[["1.49","0.000"]],"asks":[["1.51","1.000"]],"checksum":2906857854}
//
// The market is left out: the message's channel names it.
func (u *BookUpdate) AppendJSON(dst []byte, sc Scales) []byte {
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendUint(dst, u.Seq, 10)
	dst = append(dst, `,"prev_seq":`...)
	dst = strconv.AppendUint(dst, u.PrevSeq, 10)
	return appendLevelsJSON(dst, u.Bids, u.Asks, u.Checksum, sc)
}

// appendLevelsJSON appends `,"bids":[...],"asks":[...],"checksum":N}`.
func appendLevelsJSON(dst []byte, bids, asks []Level, sum uint32, sc Scales) []byte {
	side := func(dst []byte, name string, ls []Level) []byte {
		dst = append(dst, `,"`...)
		dst = append(dst, name...)
		dst = append(dst, `":[`...)
		for i, l := range ls {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `["`...)
			dst = AppendUnits(dst, l.Price, sc.Price)
			dst = append(dst, `","`...)
			dst = AppendUnits(dst, l.Size, sc.Size)
			dst = append(dst, `"]`...)
		}
		return append(dst, ']')
	}
	dst = side(dst, "bids", bids)
	dst = side(dst, "asks", asks)
	dst = append(dst, `,"checksum":`...)
	dst = strconv.AppendUint(dst, uint64(sum), 10)
	return append(dst, '}')
}

// bookSide is one side of a full book: its levels sorted worst first and
// best last (bids by rising price, asks by falling price), so that the
// changes, which cluster at the top of the book, move few levels.
type bookSide struct {
	side   Side
	levels []Level
}

// better reports whether price a is better than price b on this side.
func (s *bookSide) better(a, b int64) bool {
	if s.side == Bid {
		return a > b
	}
	return a < b
}

// search returns the index of price in s.levels, or where it would go.
func (s *bookSide) search(price int64) (int, bool) {
	lv := s.levels
	lo, hi := 0, len(lv)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.better(price, lv[m].Price) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(lv) && lv[lo].Price == price
}

// set sets the size at price (0 removes the level) and returns the size
// it had (0: none).
func (s *bookSide) set(price, size int64) (old int64) {
	i, ok := s.search(price)
	switch {
	case ok && size == 0:
		old = s.levels[i].Size
		copy(s.levels[i:], s.levels[i+1:])
		s.levels = s.levels[:len(s.levels)-1]
	case ok:
		old = s.levels[i].Size
		s.levels[i].Size = size
	case size > 0:
		s.levels = append(s.levels, Level{})
		copy(s.levels[i+1:], s.levels[i:])
		s.levels[i] = Level{Price: price, Size: size}
	}
	return old
}

// appendBest appends up to n levels (all if n <= 0), best first.
func (s *bookSide) appendBest(dst []Level, n int) []Level {
	if n <= 0 || n > len(s.levels) {
		n = len(s.levels)
	}
	for i := len(s.levels) - 1; i >= len(s.levels)-n; i-- {
		dst = append(dst, s.levels[i])
	}
	return dst
}

// load replaces the levels with ls, given best first; it checks them
// first and changes nothing if they are malformed.
func (s *bookSide) load(ls []Level) error {
	for i, l := range ls {
		if l.Price <= 0 || l.Size <= 0 {
			return fmt.Errorf("%w: %v level %d at price %d", ErrInvalidBook, s.side, l.Size, l.Price)
		}
		if i > 0 && !s.better(ls[i-1].Price, l.Price) {
			return fmt.Errorf("%w: %v levels not strictly best first at price %d", ErrInvalidBook, s.side, l.Price)
		}
	}
	s.levels = s.levels[:0]
	for i := len(ls) - 1; i >= 0; i-- {
		s.levels = append(s.levels, ls[i])
	}
	return nil
}

// book is a full two-sided book with a scratch buffer for its checksum.
type book struct {
	bids, asks bookSide
	buf        []byte
}

func newBook() book {
	return book{bids: bookSide{side: Bid}, asks: bookSide{side: Ask}}
}

func (b *book) side(s Side) *bookSide {
	if s == Bid {
		return &b.bids
	}
	return &b.asks
}

// load replaces both sides, checking both before changing either.
func (b *book) load(bids, asks []Level) error {
	nb, na := bookSide{side: Bid}, bookSide{side: Ask}
	if err := nb.load(bids); err != nil {
		return err
	}
	if err := na.load(asks); err != nil {
		return err
	}
	b.bids.levels = append(b.bids.levels[:0], nb.levels...)
	b.asks.levels = append(b.asks.levels[:0], na.levels...)
	return nil
}

// checksum is Checksum of the book, without allocating once the buffer
// has grown.
func (b *book) checksum(sc Scales) uint32 {
	var bids, asks [ChecksumLevels]Level
	b.buf = AppendChecksumString(b.buf[:0], b.bids.appendBest(bids[:0], ChecksumLevels), b.asks.appendBest(asks[:0], ChecksumLevels), sc)
	return crc32.ChecksumIEEE(b.buf)
}

// checkChanges checks the levels of an update before any is applied.
func checkChanges(side Side, ls []Level) error {
	for _, l := range ls {
		if l.Price <= 0 || l.Size < 0 {
			return fmt.Errorf("%w: %v change to size %d at price %d", ErrInvalidBook, side, l.Size, l.Price)
		}
	}
	return nil
}

// LocalBook is a client's copy of one market's book, kept from the
// book.<market> channel: built from a snapshot, then brought forward by
// every update in turn (Apply), each checked by its sequence numbers and
// its checksum. It holds every level of both sides.
//
// The client's loop: subscribe, build the book from the snapshot, Apply
// each update; on ErrGap or ErrChecksum drop the book and build a new one
// from a fresh snapshot (resubscribe). Updates already in the book
// (Seq at or below its Seq, as a resync can bring) are ignored.
//
// A LocalBook is not safe for concurrent use.
type LocalBook struct {
	market uint32
	seq    uint64
	sc     Scales
	book   book
	broken error // set by a checksum mismatch
}

// NewLocalBook returns the book of snapshot s, whose amounts have the
// scales sc. It checks the levels (ErrInvalidBook) and the checksum
// (ErrChecksum).
func NewLocalBook(s BookSnapshot, sc Scales) (*LocalBook, error) {
	b := &LocalBook{market: s.Market, seq: s.Seq, sc: sc, book: newBook()}
	if err := b.book.load(s.Bids, s.Asks); err != nil {
		return nil, fmt.Errorf("snapshot of market %d at seq %d: %w", s.Market, s.Seq, err)
	}
	if sum := b.book.checksum(sc); sum != s.Checksum {
		return nil, fmt.Errorf("%w: snapshot of market %d at seq %d: have %d, snapshot says %d", ErrChecksum, s.Market, s.Seq, sum, s.Checksum)
	}
	return b, nil
}

// Market is the book's market.
func (b *LocalBook) Market() uint32 { return b.market }

// Seq is the sequence number the book is at: its snapshot's or the last
// applied update's.
func (b *LocalBook) Seq() uint64 { return b.seq }

// Apply brings the book forward by u:
//
//   - u of another market: ErrInvalidBook, nothing changes.
//   - u.Seq at or below the book's Seq: u is already in the book; nothing
//     changes, nil.
//   - u.PrevSeq not the book's Seq: ErrGap, nothing changes.
//   - a malformed level (price not above 0, negative size):
//     ErrInvalidBook, nothing changes.
//   - otherwise the levels are set (size 0 removes), the book moves to
//     u.Seq, and its checksum is compared with u.Checksum: ErrChecksum if
//     they differ, after which the book is unusable and every later Apply
//     returns ErrChecksum too.
func (b *LocalBook) Apply(u *BookUpdate) error {
	if b.broken != nil {
		return b.broken
	}
	if u.Market != b.market {
		return fmt.Errorf("%w: update of market %d applied to market %d's book", ErrInvalidBook, u.Market, b.market)
	}
	if u.Seq <= b.seq {
		return nil
	}
	if u.PrevSeq != b.seq {
		return fmt.Errorf("%w: market %d book at seq %d, update %d follows %d", ErrGap, b.market, b.seq, u.Seq, u.PrevSeq)
	}
	if err := checkChanges(Bid, u.Bids); err != nil {
		return fmt.Errorf("market %d update %d: %w", b.market, u.Seq, err)
	}
	if err := checkChanges(Ask, u.Asks); err != nil {
		return fmt.Errorf("market %d update %d: %w", b.market, u.Seq, err)
	}
	for _, l := range u.Bids {
		b.book.bids.set(l.Price, l.Size)
	}
	for _, l := range u.Asks {
		b.book.asks.set(l.Price, l.Size)
	}
	b.seq = u.Seq
	if sum := b.book.checksum(b.sc); sum != u.Checksum {
		b.broken = fmt.Errorf("%w: market %d at seq %d: have %d, update says %d", ErrChecksum, b.market, u.Seq, sum, u.Checksum)
		return b.broken
	}
	return nil
}

// Bids returns up to n bid levels (all if n <= 0), from the highest
// price, in a new slice.
func (b *LocalBook) Bids(n int) []Level { return b.book.bids.appendBest(nil, n) }

// Asks returns up to n ask levels (all if n <= 0), from the lowest price,
// in a new slice.
func (b *LocalBook) Asks(n int) []Level { return b.book.asks.appendBest(nil, n) }

// Len returns how many levels each side has.
func (b *LocalBook) Len() (bids, asks int) { return len(b.book.bids.levels), len(b.book.asks.levels) }

// Depth returns up to n levels of each side (the whole book if n <= 0),
// best first, as of Seq, in new slices (never nil).
func (b *LocalBook) Depth(n int) Depth {
	return Depth{
		Market: b.market, Seq: b.seq,
		Bids: b.book.bids.appendBest([]Level{}, n),
		Asks: b.book.asks.appendBest([]Level{}, n),
	}
}

// Checksum returns the checksum of the book as it stands.
func (b *LocalBook) Checksum() uint32 { return b.book.checksum(b.sc) }
