package marketdata

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// DefaultConflateInterval is the book.<market> channel's default pace: at
// most one update per 100 ms.
const DefaultConflateInterval = 100 * time.Millisecond

// Conflater turns one market's stream of MarketUpdates (as the projection
// publishes them, one per write) into the book.<market> channel: a
// snapshot for each new subscriber and at most one BookUpdate per
// interval, which merges every level change since the update before it.
//
// Pacing is a throttle: a change that arrives an interval or more after
// the last emitted update goes out at once (Add returns it); changes that
// arrive sooner wait, merged, for the interval to be over (Tick returns
// them then; Deadline says when). With an interval of 0 every MarketUpdate
// that changes a level goes out at once, unmerged.
//
// Every emitted update u chains to the one before: u.PrevSeq is the Seq
// of the previous emitted update (or of the depth the Conflater was made
// or resynced from), u.Seq the Seq of the newest MarketUpdate merged into
// it, u.Bids and u.Asks the last size of each changed price (a change that
// an interval undid is left out, and an interval with no net change emits
// nothing), best first, and u.Checksum the checksum of the whole book as
// of u.Seq. A LocalBook fed a Snapshot and then every update emitted after
// it is therefore always the Conflater's book.
//
// Snapshot is the book as of the last emitted update, not including
// changes still waiting: with the following emitted updates it is exactly
// the stream a LocalBook needs.
//
// One Conflater serves every subscriber of its market: an emitted update
// is never changed afterwards, so the server encodes it once
// (BookUpdate.AppendJSON) and writes the same bytes to every subscriber.
//
// A Conflater does no I/O, starts no goroutine and reads no clock: time
// arrives on each call, so one goroutine (the market's fan-out loop, which
// also runs its timer) owns it, for example:
//
//	for {
//		select {
//		case mu := <-updates:
//			u, err := c.Add(time.Now(), &mu) // ErrGap: c.Resync(now, store.Depth(ctx, market, 0))
//			broadcast(u)                     // if u != nil
//		case <-timer.C:
//			broadcast(c.Tick(time.Now()))
//		case sub := <-joins:
//			sub.send(c.Snapshot()) // then every update broadcast after it
//		}
//		// re-arm timer from c.Deadline()
//	}
//
// It is not safe for concurrent use. It keeps the whole book; merging a
// MarketUpdate costs O(its levels) (one map update each), emitting
// O(k log k) for k merged levels plus moving the book's levels between
// each change and the top of its side, and the checksum.
type Conflater struct {
	market   uint32
	sc       Scales
	interval time.Duration

	book     book   // as of emitted
	emitted  uint64 // Seq of the last emitted update, or of the depth
	latest   uint64 // Seq of the newest MarketUpdate merged, >= emitted
	lastEmit time.Time

	pending []LevelChange   // merged changes since the last emitted update
	index   map[int64]int32 // levelKey -> its index in pending
}

// levelKey identifies a level in one int64 (a faster map key than a
// struct): the price of a bid, minus the price of an ask (prices are
// above 0).
func levelKey(l LevelChange) int64 {
	if l.Side == Bid {
		return l.Price
	}
	return -l.Price
}

// NewConflater returns a Conflater for d.Market starting from d, the whole
// of the market's book as of d.Seq (a store's Depth with no limit; a
// market never written is Seq 0 and no levels), shown at scales sc, that
// emits at most one update per interval (DefaultConflateInterval for the
// default; 0 or less: every update at once). It refuses a malformed d
// (ErrInvalidBook).
func NewConflater(d Depth, sc Scales, interval time.Duration) (*Conflater, error) {
	c := &Conflater{
		market: d.Market, sc: sc, interval: max(interval, 0),
		book: newBook(), emitted: d.Seq, latest: d.Seq,
		index: make(map[int64]int32),
	}
	if err := c.book.load(d.Bids, d.Asks); err != nil {
		return nil, fmt.Errorf("depth of market %d at seq %d: %w", d.Market, d.Seq, err)
	}
	return c, nil
}

// Market is the Conflater's market.
func (c *Conflater) Market() uint32 { return c.market }

// Interval is the least time between two emitted updates (0: none).
func (c *Conflater) Interval() time.Duration { return c.interval }

// Seq is the Seq of the book the Conflater holds, which Snapshot returns:
// that of the last emitted update, or of the depth it was made or
// resynced from if it has emitted none since.
func (c *Conflater) Seq() uint64 { return c.emitted }

// Latest is the Seq of the newest MarketUpdate merged (or of the depth
// given to NewConflater or Resync, if newer): the next MarketUpdate must
// have it as its PrevSeq.
func (c *Conflater) Latest() uint64 { return c.latest }

// Snapshot returns the whole book as of Seq, with its checksum, in new
// slices (never nil): what a new subscriber gets before the updates
// emitted after it.
func (c *Conflater) Snapshot() BookSnapshot {
	return BookSnapshot{
		Market: c.market, Seq: c.emitted,
		Bids:     c.book.bids.appendBest(make([]Level, 0, len(c.book.bids.levels)), 0),
		Asks:     c.book.asks.appendBest(make([]Level, 0, len(c.book.asks.levels)), 0),
		Checksum: c.book.checksum(c.sc),
	}
}

// Add merges mu, the market's next MarketUpdate, received at now, and
// returns the update to emit now, or nil (nothing changed, or the
// interval is not over: see Deadline). Its trades, candles and ticker are
// not the book's and are ignored, but its Seq counts.
//
//   - mu of another market, or with a level of an unknown side, a price
//     not above 0 or a negative size: ErrInvalidBook, nothing changes.
//   - mu.Seq at or below Latest: already merged (as after a Resync);
//     ignored, nil.
//   - mu.PrevSeq not Latest: a MarketUpdate was missed; ErrGap, nothing
//     changes. Resync with the store's depth then.
func (c *Conflater) Add(now time.Time, mu *MarketUpdate) (*BookUpdate, error) {
	if mu.Market != c.market {
		return nil, fmt.Errorf("%w: update of market %d given to market %d's conflater", ErrInvalidBook, mu.Market, c.market)
	}
	if mu.Seq <= c.latest {
		return nil, nil
	}
	if mu.PrevSeq != c.latest {
		return nil, fmt.Errorf("%w: market %d at seq %d, update %d follows %d", ErrGap, c.market, c.latest, mu.Seq, mu.PrevSeq)
	}
	for _, l := range mu.Levels {
		if (l.Side != Bid && l.Side != Ask) || l.Price <= 0 || l.Size < 0 {
			return nil, fmt.Errorf("%w: market %d update %d: %v change to size %d at price %d", ErrInvalidBook, c.market, mu.Seq, l.Side, l.Size, l.Price)
		}
	}
	for _, l := range mu.Levels {
		c.merge(l)
	}
	c.latest = mu.Seq
	return c.emitIfDue(now), nil
}

// merge records a change, replacing an earlier one of the same level.
func (c *Conflater) merge(l LevelChange) {
	k := levelKey(l)
	if i, ok := c.index[k]; ok {
		c.pending[i].Size = l.Size
		return
	}
	c.index[k] = int32(len(c.pending))
	c.pending = append(c.pending, l)
}

// Deadline returns when Tick will emit the changes waiting, ok false if
// none are.
func (c *Conflater) Deadline() (t time.Time, ok bool) {
	if len(c.pending) == 0 {
		return time.Time{}, false
	}
	return c.lastEmit.Add(c.interval), true
}

// Tick returns the update to emit at now: the changes waiting, merged, if
// the interval since the last emitted update is over and they change the
// book; otherwise nil.
func (c *Conflater) Tick(now time.Time) *BookUpdate { return c.emitIfDue(now) }

// Resync brings the Conflater to d, the whole of the market's book as of
// d.Seq read from the store after Add returned ErrGap, received at now. It
// merges the difference between the book as of Seq and d as changes, so
// that subscribers see one more update (now, or at the Deadline) and never
// a gap, and moves Latest to d.Seq. It refuses a malformed d or one of
// another market (ErrInvalidBook) and a d older than Latest (ErrGap: read
// the depth again), changing nothing.
func (c *Conflater) Resync(now time.Time, d Depth) (*BookUpdate, error) {
	if d.Market != c.market {
		return nil, fmt.Errorf("%w: depth of market %d given to market %d's conflater", ErrInvalidBook, d.Market, c.market)
	}
	if d.Seq < c.latest {
		return nil, fmt.Errorf("%w: market %d depth at seq %d is older than update %d", ErrGap, c.market, d.Seq, c.latest)
	}
	check := newBook()
	if err := check.load(d.Bids, d.Asks); err != nil {
		return nil, fmt.Errorf("depth of market %d at seq %d: %w", d.Market, d.Seq, err)
	}
	c.clearPending()
	for _, s := range [...]*bookSide{&c.book.bids, &c.book.asks} {
		want := d.Asks
		if s.side == Bid {
			want = d.Bids
		}
		// Walk both best first: s.levels from its end, want from its start.
		i, j := len(s.levels)-1, 0
		for i >= 0 || j < len(want) {
			switch {
			case j == len(want) || i >= 0 && s.better(s.levels[i].Price, want[j].Price):
				c.merge(LevelChange{Side: s.side, Price: s.levels[i].Price})
				i--
			case i < 0 || s.better(want[j].Price, s.levels[i].Price):
				c.merge(LevelChange{Side: s.side, Price: want[j].Price, Size: want[j].Size})
				j++
			default: // the same price
				if s.levels[i].Size != want[j].Size {
					c.merge(LevelChange{Side: s.side, Price: want[j].Price, Size: want[j].Size})
				}
				i--
				j++
			}
		}
	}
	c.latest = d.Seq
	return c.emitIfDue(now), nil
}

// emitIfDue emits the changes waiting if there are any and the interval
// since the last emitted update is over.
func (c *Conflater) emitIfDue(now time.Time) *BookUpdate {
	if len(c.pending) == 0 {
		return nil
	}
	if c.interval > 0 && !c.lastEmit.IsZero() && now.Before(c.lastEmit.Add(c.interval)) {
		return nil
	}
	return c.emit(now)
}

// emit applies the changes waiting to the book and returns them as an
// update, or nil if they change nothing.
func (c *Conflater) emit(now time.Time) *BookUpdate {
	slices.SortFunc(c.pending, func(a, b LevelChange) int {
		if a.Side != b.Side {
			return cmp.Compare(a.Side, b.Side) // bids first
		}
		if a.Side == Bid {
			return cmp.Compare(b.Price, a.Price)
		}
		return cmp.Compare(a.Price, b.Price)
	})
	n, nb := 0, 0
	for _, l := range c.pending {
		delete(c.index, levelKey(l))
		if c.book.side(l.Side).set(l.Price, l.Size) == l.Size {
			continue // no net change
		}
		c.pending[n] = l
		n++
		if l.Side == Bid {
			nb++
		}
	}
	changed := c.pending[:n]
	c.pending = c.pending[:0]
	if n == 0 {
		return nil
	}
	levels := make([]Level, n)
	for i, l := range changed {
		levels[i] = Level{Price: l.Price, Size: l.Size}
	}
	u := &BookUpdate{
		Market: c.market, Seq: c.latest, PrevSeq: c.emitted,
		Bids: levels[:nb:nb], Asks: levels[nb:],
		Checksum: c.book.checksum(c.sc),
	}
	c.emitted = c.latest
	c.lastEmit = now
	return u
}

// clearPending forgets the changes waiting, in O(their number).
func (c *Conflater) clearPending() {
	for _, l := range c.pending {
		delete(c.index, levelKey(l))
	}
	c.pending = c.pending[:0]
}
