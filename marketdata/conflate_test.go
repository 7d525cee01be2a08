package marketdata

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

var benchTime = time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)

const ms = time.Millisecond

// checkConflaterBook fails unless the Conflater's snapshot is r's book.
func checkConflaterBook(t interface{ Fatalf(string, ...any) }, c *Conflater, r *refBook, sc Scales) {
	if got, want := c.Snapshot(), r.snapshot(sc); !reflect.DeepEqual(got, want) {
		t.Fatalf("conflater snapshot\n%+v\nreference\n%+v", got, want)
	}
}

// applyMarketUpdate applies mu's levels to r and moves it to mu.Seq.
func applyMarketUpdate(r *refBook, mu *MarketUpdate) {
	for _, l := range mu.Levels {
		r.set(l.Side, l.Price, l.Size)
	}
	r.seq = mu.Seq
}

func mustAdd(t *testing.T, c *Conflater, now time.Time, mu MarketUpdate) *BookUpdate {
	t.Helper()
	u, err := c.Add(now, &mu)
	if err != nil {
		t.Fatalf("Add(%+v): %v", mu, err)
	}
	return u
}

func TestConflaterMergesWithinInterval(t *testing.T) {
	sc := testScales
	truth := newRefBook(1, 5)
	truth.set(Bid, 100, 10)
	truth.set(Ask, 101, 10)
	c, err := NewConflater(truth.depth(), sc, DefaultConflateInterval)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := NewLocalBook(c.Snapshot(), sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Deadline(); ok {
		t.Fatal("a deadline with nothing waiting")
	}
	t0 := benchTime
	add := func(now time.Time, mu MarketUpdate) *BookUpdate {
		mu.Market, mu.PrevSeq = 1, truth.seq
		applyMarketUpdate(truth, &mu)
		return mustAdd(t, c, now, mu)
	}

	// The first change after a quiet time goes out at once.
	u := add(t0, MarketUpdate{Seq: 6, Levels: []LevelChange{{Bid, 100, 20}}})
	if u == nil || u.Seq != 6 || u.PrevSeq != 5 || !reflect.DeepEqual(u.Bids, []Level{{100, 20}}) || len(u.Asks) != 0 {
		t.Fatalf("first update %+v", u)
	}
	if err := sub.Apply(u); err != nil {
		t.Fatal(err)
	}

	// Fifty more within the interval are held, merged.
	for i := range 50 {
		mu := MarketUpdate{Seq: truth.seq + 1 + uint64(i%3)}
		mu.Levels = append(mu.Levels, LevelChange{Bid, 99, int64(i + 1)}) // the last (50) wins
		switch i {
		case 10:
			mu.Levels = append(mu.Levels, LevelChange{Ask, 102, 7}) // added, then removed: no net change
		case 20:
			mu.Levels = append(mu.Levels, LevelChange{Ask, 102, 0}, LevelChange{Bid, 100, 0}) // 100 removed
		case 30:
			mu.Levels = append(mu.Levels, LevelChange{Ask, 101, 11}) // changed, then changed back
		case 40:
			mu.Levels = append(mu.Levels, LevelChange{Ask, 101, 10}, LevelChange{Ask, 105, 3})
		}
		if i%8 == 5 { // none of the cases above, nor the last
			mu.Levels = nil // a write with trades only: its seq counts, nothing else
			mu.Trades = []Trade{{Seq: mu.Seq}}
		}
		if u := add(t0.Add(time.Duration(i+1)*ms), mu); u != nil {
			t.Fatalf("update %d emitted within the interval: %+v", i, u)
		}
		if got := c.Snapshot(); got.Seq != 6 {
			t.Fatalf("snapshot moved to seq %d before an emission", got.Seq)
		}
	}
	if d, ok := c.Deadline(); !ok || !d.Equal(t0.Add(100*ms)) {
		t.Fatalf("Deadline = %v, %v; want t0+100ms", d, ok)
	}
	if u := c.Tick(t0.Add(99 * ms)); u != nil {
		t.Fatalf("Tick before the deadline emitted %+v", u)
	}
	u = c.Tick(t0.Add(100 * ms))
	want := &BookUpdate{Market: 1, Seq: truth.seq, PrevSeq: 6,
		Bids: []Level{{100, 0}, {99, 50}}, Asks: []Level{{105, 3}}, Checksum: truth.checksum(sc)}
	if !reflect.DeepEqual(u, want) {
		t.Fatalf("merged update\n%+v\nwant\n%+v", u, want)
	}
	if err := sub.Apply(u); err != nil {
		t.Fatal(err)
	}
	checkLocalBook(t, sub, truth, sc)
	checkConflaterBook(t, c, truth, sc)
	if _, ok := c.Deadline(); ok {
		t.Fatal("a deadline after the emission")
	}
	if u := c.Tick(t0.Add(300 * ms)); u != nil {
		t.Fatalf("Tick with nothing waiting emitted %+v", u)
	}

	// Changes that cancel out within an interval emit nothing.
	last := truth.seq
	if u := add(t0.Add(150*ms), MarketUpdate{Seq: last + 1, Levels: []LevelChange{{Bid, 98, 4}}}); u != nil {
		t.Fatalf("emitted within the interval: %+v", u)
	}
	if u := add(t0.Add(160*ms), MarketUpdate{Seq: last + 2, Levels: []LevelChange{{Bid, 98, 0}}}); u != nil {
		t.Fatalf("emitted within the interval: %+v", u)
	}
	if u := c.Tick(t0.Add(200 * ms)); u != nil {
		t.Fatalf("changes that cancel out emitted %+v", u)
	}
	if _, ok := c.Deadline(); ok || c.Seq() != last || c.Latest() != last+2 {
		t.Fatalf("after a void interval: deadline %v, Seq %d, Latest %d", ok, c.Seq(), c.Latest())
	}
	// ... and the next update still follows the last one emitted.
	u = add(t0.Add(500*ms), MarketUpdate{Seq: last + 3, Levels: []LevelChange{{Ask, 101, 1}}})
	if u == nil || u.PrevSeq != last || u.Seq != last+3 {
		t.Fatalf("update after a void interval %+v", u)
	}
	if err := sub.Apply(u); err != nil {
		t.Fatal(err)
	}
	checkLocalBook(t, sub, truth, sc)
}

func TestConflaterUnconflated(t *testing.T) {
	sc := testScales
	truth := newRefBook(4, 0)
	c, err := NewConflater(truth.depth(), sc, 0)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := NewLocalBook(c.Snapshot(), sc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Interval() != 0 {
		t.Fatalf("Interval = %v", c.Interval())
	}
	rng := rand.New(rand.NewPCG(9, 10))
	now := benchTime // never moves: an unconflated conflater does not wait
	for i := range 500 {
		mu := MarketUpdate{Market: 4, PrevSeq: truth.seq, Seq: truth.seq + 1 + rng.Uint64N(3)}
		// Real changes, one per level, as the projection writes them.
		seen := map[int64]bool{}
		var bids, asks []Level
		for range 1 + rng.IntN(5) {
			l := LevelChange{Side: Side(1 + rng.IntN(2)), Price: 1 + rng.Int64N(30)}
			if l.Side == Ask {
				l.Price += 30
			}
			old := truth.side(l.Side)[l.Price]
			if l.Size = rng.Int64N(4) * 100; l.Size == old {
				l.Size = old + 1
			}
			if seen[levelKey(l)] {
				continue
			}
			seen[levelKey(l)] = true
			mu.Levels = append(mu.Levels, l)
			if l.Side == Bid {
				bids = append(bids, Level{l.Price, l.Size})
			} else {
				asks = append(asks, Level{l.Price, l.Size})
			}
		}
		applyMarketUpdate(truth, &mu)
		u := mustAdd(t, c, now, mu)
		if u == nil || u.Seq != mu.Seq || u.PrevSeq != mu.PrevSeq || u.Checksum != truth.checksum(sc) {
			t.Fatalf("update %d: %+v for %+v", i, u, mu)
		}
		sortBest(Bid, bids)
		sortBest(Ask, asks)
		if !reflect.DeepEqual(nilIfEmpty(u.Bids), bids) || !reflect.DeepEqual(nilIfEmpty(u.Asks), asks) {
			t.Fatalf("update %d: bids %v asks %v, want %v %v", i, u.Bids, u.Asks, bids, asks)
		}
		if err := sub.Apply(u); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Deadline(); ok {
			t.Fatal("an unconflated conflater has a deadline")
		}
	}
	checkLocalBook(t, sub, truth, sc)
	checkConflaterBook(t, c, truth, sc)

	// A write with no level change emits nothing; the next update chains
	// to the last one emitted.
	last := truth.seq
	if u := mustAdd(t, c, now, MarketUpdate{Market: 4, PrevSeq: last, Seq: last + 1, Trades: []Trade{{}}}); u != nil {
		t.Fatalf("a trades-only write emitted %+v", u)
	}
	u := mustAdd(t, c, now, MarketUpdate{Market: 4, PrevSeq: last + 1, Seq: last + 2, Levels: []LevelChange{{Bid, 1, 5}}})
	if u == nil || u.PrevSeq != last || u.Seq != last+2 {
		t.Fatalf("update %+v", u)
	}
	if err := sub.Apply(u); err != nil {
		t.Fatal(err)
	}
}

func sortBest(s Side, ls []Level) {
	b := bookSide{side: s}
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && b.better(ls[j].Price, ls[j-1].Price); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

func nilIfEmpty(ls []Level) []Level {
	if len(ls) == 0 {
		return nil
	}
	return ls
}

func TestConflaterGapAndResync(t *testing.T) {
	sc := testScales
	truth := newRefBook(2, 10)
	for p := int64(1); p <= 5; p++ {
		truth.set(Bid, 100-p, p)
		truth.set(Ask, 100+p, p)
	}
	c, err := NewConflater(truth.depth(), sc, DefaultConflateInterval)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := NewLocalBook(c.Snapshot(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t0 := benchTime
	at10 := truth.clone()

	// The conflater misses update 11 and sees 12.
	mu11 := MarketUpdate{Market: 2, PrevSeq: 10, Seq: 11, Levels: []LevelChange{{Bid, 99, 0}, {Ask, 101, 50}, {Bid, 100, 3}}}
	applyMarketUpdate(truth, &mu11)
	mu12 := MarketUpdate{Market: 2, PrevSeq: 11, Seq: 12, Levels: []LevelChange{{Ask, 105, 0}, {Bid, 90, 1}}}
	applyMarketUpdate(truth, &mu12)
	if u, err := c.Add(t0, &mu12); !errors.Is(err, ErrGap) || u != nil {
		t.Fatalf("Add after a missed update = %v, %v", u, err)
	}
	if c.Latest() != 10 {
		t.Fatalf("Latest moved to %d", c.Latest())
	}
	checkConflaterBook(t, c, at10, sc)

	// A depth older than what the conflater has seen is refused.
	if _, err := c.Resync(t0, Depth{Market: 2, Seq: 9}); !errors.Is(err, ErrGap) {
		t.Fatalf("Resync with an old depth = %v", err)
	}
	if _, err := c.Resync(t0, Depth{Market: 3, Seq: 12}); !errors.Is(err, ErrInvalidBook) {
		t.Fatalf("Resync with another market = %v", err)
	}
	if _, err := c.Resync(t0, Depth{Market: 2, Seq: 12, Bids: []Level{{1, 1}, {2, 1}}}); !errors.Is(err, ErrInvalidBook) {
		t.Fatalf("Resync with a malformed depth = %v", err)
	}
	checkConflaterBook(t, c, at10, sc)

	// Resync: subscribers see one update that brings them to the depth, with no gap.
	u, err := c.Resync(t0, truth.depth())
	if err != nil || u == nil || u.PrevSeq != 10 || u.Seq != 12 {
		t.Fatalf("Resync = %+v, %v", u, err)
	}
	if err := sub.Apply(u); err != nil {
		t.Fatal(err)
	}
	checkLocalBook(t, sub, truth, sc)
	checkConflaterBook(t, c, truth, sc)

	// Pub/sub redelivers 11 and 12 (already in the depth): ignored.
	for _, mu := range []MarketUpdate{mu11, mu12} {
		if u := mustAdd(t, c, t0.Add(time.Second), mu); u != nil {
			t.Fatalf("a duplicate emitted %+v", u)
		}
	}
	// Then 13 follows the depth; it waits out the interval since the resync's update.
	mu13 := MarketUpdate{Market: 2, PrevSeq: 12, Seq: 13, Levels: []LevelChange{{Ask, 101, 0}}}
	applyMarketUpdate(truth, &mu13)
	if u := mustAdd(t, c, t0.Add(50*ms), mu13); u != nil {
		t.Fatalf("emitted within the interval: %+v", u)
	}
	// A resync while changes wait keeps one update per interval, and
	// merges them with the difference.
	mu14 := MarketUpdate{Market: 2, PrevSeq: 13, Seq: 14, Levels: []LevelChange{{Ask, 102, 9}}}
	applyMarketUpdate(truth, &mu14)
	if u, err := c.Resync(t0.Add(60*ms), truth.depth()); err != nil || u != nil {
		t.Fatalf("Resync within the interval = %+v, %v", u, err)
	}
	u = c.Tick(t0.Add(100 * ms))
	if u == nil || u.PrevSeq != 12 || u.Seq != 14 {
		t.Fatalf("Tick = %+v", u)
	}
	if err := sub.Apply(u); err != nil {
		t.Fatal(err)
	}
	checkLocalBook(t, sub, truth, sc)

	// A resync that finds nothing new emits nothing.
	if u, err := c.Resync(t0.Add(time.Second), truth.depth()); err != nil || u != nil {
		t.Fatalf("idle Resync = %+v, %v", u, err)
	}
}

func TestConflaterInvalid(t *testing.T) {
	sc := testScales
	if _, err := NewConflater(Depth{Market: 1, Asks: []Level{{5, 1}, {4, 1}}}, sc, 0); !errors.Is(err, ErrInvalidBook) {
		t.Fatalf("NewConflater with asks falling = %v", err)
	}
	if _, err := NewConflater(Depth{Market: 1, Bids: []Level{{5, 0}}}, sc, 0); !errors.Is(err, ErrInvalidBook) {
		t.Fatalf("NewConflater with a level of size 0 = %v", err)
	}
	c, err := NewConflater(Depth{Market: 1, Seq: 3, Bids: []Level{{5, 1}}}, sc, -time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Interval() != 0 || c.Market() != 1 || c.Seq() != 3 || c.Latest() != 3 {
		t.Fatalf("conflater %v %d %d %d", c.Interval(), c.Market(), c.Seq(), c.Latest())
	}
	for _, mu := range []MarketUpdate{
		{Market: 2, PrevSeq: 3, Seq: 4},
		{Market: 1, PrevSeq: 3, Seq: 4, Levels: []LevelChange{{Side: 0, Price: 5, Size: 1}}},
		{Market: 1, PrevSeq: 3, Seq: 4, Levels: []LevelChange{{Side: 3, Price: 5, Size: 1}}},
		{Market: 1, PrevSeq: 3, Seq: 4, Levels: []LevelChange{{Bid, 6, 1}, {Ask, 0, 1}}},
		{Market: 1, PrevSeq: 3, Seq: 4, Levels: []LevelChange{{Bid, 6, 1}, {Ask, 7, -1}}},
	} {
		if u, err := c.Add(benchTime, &mu); !errors.Is(err, ErrInvalidBook) || u != nil {
			t.Errorf("Add(%+v) = %v, %v", mu, u, err)
		}
	}
	if c.Latest() != 3 {
		t.Fatalf("Latest moved to %d", c.Latest())
	}
	r := newRefBook(1, 3)
	r.set(Bid, 5, 1)
	checkConflaterBook(t, c, r, sc)
}

// TestConflaterSnapshotAnyTime takes a snapshot after every MarketUpdate
// of a seeded stream, conflated at 100 ms with 7 ms between updates and
// irregular ticks, builds a LocalBook from each, and feeds each every
// update emitted after its snapshot: every Apply succeeds (continuous
// prev_seq, matching checksums) and every book ends as the conflater's.
func TestConflaterSnapshotAnyTime(t *testing.T) {
	sc := testScales
	truth := newRefBook(1, 0)
	c, err := NewConflater(truth.depth(), sc, DefaultConflateInterval)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var subs []*LocalBook
	now := benchTime
	emitted := 0
	send := func(u *BookUpdate) {
		if u == nil {
			return
		}
		emitted++
		for i, s := range subs {
			if err := s.Apply(u); err != nil {
				t.Fatalf("subscriber %d: %v", i, err)
			}
		}
	}
	for range 400 {
		now = now.Add(7 * ms)
		mu := MarketUpdate{Market: 1, PrevSeq: truth.seq, Seq: truth.seq + 1}
		for range rng.IntN(4) {
			l := LevelChange{Side: Side(1 + rng.IntN(2)), Price: 1 + rng.Int64N(20), Size: rng.Int64N(3) * 10}
			if l.Side == Ask {
				l.Price += 20
			}
			mu.Levels = append(mu.Levels, l)
		}
		applyMarketUpdate(truth, &mu)
		send(mustAdd(t, c, now, mu))
		if rng.IntN(3) == 0 {
			send(c.Tick(now.Add(time.Duration(rng.IntN(10)) * ms)))
		}
		s, err := NewLocalBook(c.Snapshot(), sc)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	d, ok := c.Deadline()
	if ok {
		send(c.Tick(d))
	}
	checkConflaterBook(t, c, truth, sc)
	for i, s := range subs {
		if !reflect.DeepEqual(s.Depth(0), c.Snapshot().depth()) || s.Checksum() != truth.checksum(sc) {
			t.Fatalf("subscriber %d differs", i)
		}
	}
	if emitted < 20 || emitted > 400*7/100+2 {
		t.Fatalf("%d updates emitted for 2.8 s at 100 ms", emitted)
	}
}

// depth is a snapshot without its checksum.
func (s BookSnapshot) depth() Depth {
	return Depth{Market: s.Market, Seq: s.Seq, Bids: s.Bids, Asks: s.Asks}
}

// TestConflaterRapid drives a Conflater with random MarketUpdates at random
// times, random ticks (early, late, at the deadline), subscribers joining
// at random moments from a Snapshot, missed updates followed by a Resync,
// and redelivered old updates, under a random interval (0 included). It
// checks that emitted updates chain by prev_seq, are at least an interval
// apart, carry the book as of their seq (against the reference book of
// what the conflater was given), that Snapshot does not move between
// emissions, that a deadline exists whenever changes wait, and that every
// subscriber's LocalBook applies every update and equals the conflater's
// book. On failure rapid prints the seed (-rapid.seed=...).
func TestConflaterRapid(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		sc := Scales{Price: uint8(rapid.IntRange(0, 4).Draw(rt, "price scale")), Size: uint8(rapid.IntRange(0, 4).Draw(rt, "size scale"))}
		interval := rapid.SampledFrom([]time.Duration{0, 100 * ms, 1, 30 * ms}).Draw(rt, "interval")
		truth := newRefBook(9, rapid.Uint64Range(0, 3).Draw(rt, "first seq"))
		for range rapid.IntRange(0, 20).Draw(rt, "initial levels") {
			changeRef(rt, truth)
		}
		c, err := NewConflater(truth.depth(), sc, interval)
		if err != nil {
			rt.Fatal(err)
		}
		given := truth.clone()   // the book as of c.Latest()
		emitted := truth.clone() // the book as of the last emitted update
		var lastEmit time.Time
		var subs []*LocalBook
		now := benchTime
		history := []MarketUpdate{}

		onEmit := func(u *BookUpdate, at time.Time) {
			if u == nil {
				return
			}
			if u.Market != 9 || u.PrevSeq != emitted.seq || u.Seq <= u.PrevSeq || u.Seq != given.seq {
				rt.Fatalf("update seq %d prev %d; last emitted %d, latest %d", u.Seq, u.PrevSeq, emitted.seq, given.seq)
			}
			if !lastEmit.IsZero() && at.Sub(lastEmit) < interval {
				rt.Fatalf("updates %v apart, interval %v", at.Sub(lastEmit), interval)
			}
			if u.Checksum != given.checksum(sc) {
				rt.Fatalf("checksum %d, want %d", u.Checksum, given.checksum(sc))
			}
			if len(u.Bids)+len(u.Asks) == 0 {
				rt.Fatal("an empty update was emitted")
			}
			lastEmit = at
			emitted = given.clone()
			for i, s := range subs {
				if err := s.Apply(u); err != nil {
					rt.Fatalf("subscriber %d: %v", i, err)
				}
				checkLocalBook(rt, s, emitted, sc)
			}
		}

		for range rapid.IntRange(1, 150).Draw(rt, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "ms")) * ms)
			action := rapid.IntRange(0, 9).Draw(rt, "action")
			emitDue := action <= 6 || action == 8 // Add, Tick, Resync
			switch action {
			default: // the next MarketUpdate
				mu := MarketUpdate{Market: 9, PrevSeq: truth.seq}
				for range rapid.IntRange(0, 5).Draw(rt, "changes") {
					side, l := changeRef(rt, truth)
					mu.Levels = append(mu.Levels, LevelChange{Side: side, Price: l.Price, Size: l.Size})
				}
				truth.seq += rapid.Uint64Range(1, 3).Draw(rt, "seq step")
				mu.Seq = truth.seq
				history = append(history, mu)
				u, err := c.Add(now, &mu)
				if err != nil {
					rt.Fatalf("Add: %v", err)
				}
				given = truth.clone()
				onEmit(u, now)
			case 5, 6: // a tick: now, or at the deadline
				if d, ok := c.Deadline(); ok && d.After(now) && rapid.Bool().Draw(rt, "at deadline") {
					now = d
				}
				onEmit(c.Tick(now), now)
			case 7: // a subscriber joins
				s, err := NewLocalBook(c.Snapshot(), sc)
				if err != nil {
					rt.Fatal(err)
				}
				subs = append(subs, s)
			case 8: // the conflater misses updates and resyncs
				for range rapid.IntRange(1, 3).Draw(rt, "missed") {
					changeRef(rt, truth)
					truth.seq++
				}
				mu := MarketUpdate{Market: 9, PrevSeq: truth.seq, Seq: truth.seq + 1}
				truth.seq++
				if _, err := c.Add(now, &mu); !errors.Is(err, ErrGap) {
					rt.Fatalf("Add after missed updates = %v", err)
				}
				u, err := c.Resync(now, truth.depth())
				if err != nil {
					rt.Fatalf("Resync: %v", err)
				}
				given = truth.clone()
				onEmit(u, now)
			case 9: // an old update is delivered again
				if len(history) == 0 {
					continue
				}
				mu := history[rapid.IntRange(0, len(history)-1).Draw(rt, "old")]
				if u, err := c.Add(now, &mu); u != nil || err != nil {
					rt.Fatalf("old update %d: %v, %v", mu.Seq, u, err)
				}
			}
			// Between emissions the snapshot is the book as last emitted.
			checkConflaterBook(rt, c, emitted, sc)
			if c.Latest() != given.seq {
				rt.Fatalf("Latest %d, want %d", c.Latest(), given.seq)
			}
			// Changes that wait have a deadline, in the future after a
			// call that emits what is due.
			d, ok := c.Deadline()
			if !reflect.DeepEqual(given.depth().Bids, emitted.depth().Bids) || !reflect.DeepEqual(given.depth().Asks, emitted.depth().Asks) {
				if !ok {
					rt.Fatal("changes wait with no deadline")
				}
			}
			if ok && (interval == 0 || !d.Equal(lastEmit.Add(interval)) || emitDue && !d.After(now)) {
				rt.Fatalf("deadline %v at %v (last emitted %v, interval %v)", d, now, lastEmit, interval)
			}
		}
	})
}

func benchConflaterAdd(b *testing.B, interval, step time.Duration) {
	sc := Scales{Price: 4, Size: 2}
	d, _, updates := benchUpdates(b, 4096)
	var c *Conflater
	now := benchTime
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%len(updates) == 0 {
			b.StopTimer()
			var err error
			if c, err = NewConflater(d, sc, interval); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		now = now.Add(step)
		u, err := c.Add(now, &updates[i%len(updates)])
		if err != nil {
			b.Fatal(err)
		}
		if u == nil {
			if _, ok := c.Deadline(); ok {
				c.Tick(now)
			}
		}
		i++
	}
}

// BenchmarkConflaterAdd is the cost per MarketUpdate of a conflater at
// 100 ms with an update every millisecond: merges, and one emission (with
// its checksum) per hundred updates.
func BenchmarkConflaterAdd(b *testing.B) { benchConflaterAdd(b, DefaultConflateInterval, ms) }

// BenchmarkConflaterAddUnconflated emits every update.
func BenchmarkConflaterAddUnconflated(b *testing.B) { benchConflaterAdd(b, 0, ms) }
