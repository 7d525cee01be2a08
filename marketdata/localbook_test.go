package marketdata

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// refBook is the naive reference book of the tests: a map per side, sorted
// when asked, and its checksum by refChecksumString.
type refBook struct {
	market     uint32
	seq        uint64
	bids, asks map[int64]int64
}

func newRefBook(market uint32, seq uint64) *refBook {
	return &refBook{market: market, seq: seq, bids: map[int64]int64{}, asks: map[int64]int64{}}
}

func (r *refBook) side(s Side) map[int64]int64 {
	if s == Bid {
		return r.bids
	}
	return r.asks
}

func (r *refBook) set(s Side, price, size int64) {
	if size == 0 {
		delete(r.side(s), price)
	} else {
		r.side(s)[price] = size
	}
}

// levels returns a side best first.
func (r *refBook) levels(s Side) []Level {
	prices := slices.Sorted(maps.Keys(r.side(s)))
	if s == Bid {
		slices.Reverse(prices)
	}
	ls := []Level{}
	for _, p := range prices {
		ls = append(ls, Level{Price: p, Size: r.side(s)[p]})
	}
	return ls
}

func (r *refBook) checksum(sc Scales) uint32 {
	return crc32.ChecksumIEEE([]byte(refChecksumString(r.levels(Bid), r.levels(Ask), sc)))
}

func (r *refBook) snapshot(sc Scales) BookSnapshot {
	return BookSnapshot{Market: r.market, Seq: r.seq, Bids: r.levels(Bid), Asks: r.levels(Ask), Checksum: r.checksum(sc)}
}

func (r *refBook) depth() Depth {
	return Depth{Market: r.market, Seq: r.seq, Bids: r.levels(Bid), Asks: r.levels(Ask)}
}

func (r *refBook) clone() *refBook {
	return &refBook{market: r.market, seq: r.seq, bids: maps.Clone(r.bids), asks: maps.Clone(r.asks)}
}

// checkLocalBook fails unless b holds exactly r's book.
func checkLocalBook(t interface{ Fatalf(string, ...any) }, b *LocalBook, r *refBook, sc Scales) {
	if b.Seq() != r.seq {
		t.Fatalf("book at seq %d, reference at %d", b.Seq(), r.seq)
	}
	if got, want := b.Depth(0), r.depth(); !reflect.DeepEqual(got, want) {
		t.Fatalf("book\n%+v\nreference\n%+v", got, want)
	}
	if got, want := b.Checksum(), r.checksum(sc); got != want {
		t.Fatalf("checksum %d, reference %d", got, want)
	}
}

var testScales = Scales{Price: 2, Size: 3}

func TestNewLocalBook(t *testing.T) {
	sc := testScales
	good := BookSnapshot{Market: 7, Seq: 10, Bids: []Level{{150, 10000}, {149, 2500}}, Asks: []Level{{151, 750}}}
	good.Checksum = Checksum(good.Bids, good.Asks, sc)
	cases := []struct {
		name   string
		modify func(s *BookSnapshot)
		want   error
	}{
		{"good", func(*BookSnapshot) {}, nil},
		{"empty", func(s *BookSnapshot) { s.Bids, s.Asks, s.Checksum = nil, nil, 0 }, nil},
		{"wrong checksum", func(s *BookSnapshot) { s.Checksum++ }, ErrChecksum},
		{"bids rising", func(s *BookSnapshot) { s.Bids = []Level{{149, 1}, {150, 1}} }, ErrInvalidBook},
		{"asks falling", func(s *BookSnapshot) { s.Asks = []Level{{152, 1}, {151, 1}} }, ErrInvalidBook},
		{"price twice", func(s *BookSnapshot) { s.Bids = []Level{{150, 1}, {150, 2}} }, ErrInvalidBook},
		{"size 0", func(s *BookSnapshot) { s.Asks = []Level{{151, 0}} }, ErrInvalidBook},
		{"negative size", func(s *BookSnapshot) { s.Asks = []Level{{151, -1}} }, ErrInvalidBook},
		{"price 0", func(s *BookSnapshot) { s.Bids = []Level{{0, 1}} }, ErrInvalidBook},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := good
			c.modify(&s)
			b, err := NewLocalBook(s, sc)
			if !errors.Is(err, c.want) || (c.want == nil) != (b != nil) {
				t.Fatalf("got %v, %v; want %v", b, err, c.want)
			}
			if b != nil && (b.Market() != 7 || b.Seq() != 10 || !reflect.DeepEqual(b.Bids(0), s.Bids) && len(s.Bids) > 0) {
				t.Fatalf("book %+v", b.Depth(0))
			}
		})
	}
}

func TestLocalBookApply(t *testing.T) {
	sc := testScales
	// The book at seq 10: bids 150x10.000, 149x2.500; asks 151x0.750, 153x1.000.
	start := func() *refBook {
		r := newRefBook(7, 10)
		r.set(Bid, 150, 10000)
		r.set(Bid, 149, 2500)
		r.set(Ask, 151, 750)
		r.set(Ask, 153, 1000)
		return r
	}
	type step struct {
		u       BookUpdate
		badSum  bool  // send a wrong checksum
		want    error // nil: applied or ignored
		applies bool  // the reference takes the update
	}
	upd := func(seq, prev uint64, bids, asks []Level) BookUpdate {
		return BookUpdate{Market: 7, Seq: seq, PrevSeq: prev, Bids: bids, Asks: asks}
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"change a size", []step{{u: upd(11, 10, []Level{{150, 5000}}, nil), applies: true}}},
		{"remove levels", []step{{u: upd(11, 10, []Level{{150, 0}}, []Level{{151, 0}, {153, 0}}), applies: true}}},
		{"add levels, inside and outside", []step{{u: upd(11, 10, []Level{{148, 1}, {1500, 2}}, []Level{{152, 3}, {200, 4}}), applies: true}}},
		{"remove an absent level", []step{{u: upd(11, 10, []Level{{100, 0}}, nil), applies: true}}},
		{"a price twice: the last wins", []step{{u: upd(11, 10, []Level{{150, 1}, {150, 0}, {147, 0}, {147, 9}}, nil), applies: true}}},
		{"empty update moves seq", []step{{u: upd(11, 10, nil, nil), applies: true}}},
		{"seq jumps", []step{
			{u: upd(15, 10, []Level{{150, 1}}, nil), applies: true},
			{u: upd(20, 15, nil, []Level{{151, 9}}), applies: true},
		}},
		{"duplicate ignored", []step{
			{u: upd(11, 10, []Level{{150, 1}}, nil), applies: true},
			{u: upd(11, 10, []Level{{150, 2}}, nil)},
			{u: upd(12, 11, []Level{{150, 3}}, nil), applies: true},
		}},
		{"older ignored, even with a bad checksum", []step{{u: upd(9, 8, []Level{{150, 1}}, nil), badSum: true}}},
		{"seq equal ignored", []step{{u: upd(10, 9, []Level{{150, 1}}, nil), badSum: true}}},
		{"gap ahead", []step{{u: upd(12, 11, []Level{{150, 1}}, nil), want: ErrGap}}},
		{"gap behind", []step{{u: upd(12, 9, []Level{{150, 1}}, nil), want: ErrGap}}},
		{"gap then the missing update", []step{
			{u: upd(12, 11, []Level{{150, 1}}, nil), want: ErrGap},
			{u: upd(11, 10, []Level{{150, 2}}, nil), applies: true},
		}},
		{"bad checksum", []step{{u: upd(11, 10, []Level{{150, 1}}, nil), badSum: true, want: ErrChecksum, applies: true}}},
		{"broken after a bad checksum", []step{
			{u: upd(11, 10, []Level{{150, 1}}, nil), badSum: true, want: ErrChecksum, applies: true},
			{u: upd(12, 11, []Level{{150, 2}}, nil), want: ErrChecksum},
		}},
		{"price 0", []step{{u: upd(11, 10, []Level{{150, 1}}, []Level{{0, 1}}), want: ErrInvalidBook}}},
		{"negative size", []step{{u: upd(11, 10, []Level{{150, 1}, {149, -1}}, nil), want: ErrInvalidBook}}},
		{"another market", []step{{u: BookUpdate{Market: 8, Seq: 11, PrevSeq: 10}, want: ErrInvalidBook}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref := start()
			b, err := NewLocalBook(ref.snapshot(sc), sc)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range c.steps {
				next := ref.clone()
				if s.applies {
					for _, l := range s.u.Bids {
						next.set(Bid, l.Price, l.Size)
					}
					for _, l := range s.u.Asks {
						next.set(Ask, l.Price, l.Size)
					}
					next.seq = s.u.Seq
				}
				s.u.Checksum = next.checksum(sc)
				if s.badSum {
					s.u.Checksum++
				}
				err := b.Apply(&s.u)
				if !errors.Is(err, s.want) || (s.want == nil) != (err == nil) {
					t.Fatalf("step %d: Apply = %v, want %v", i, err, s.want)
				}
				ref = next
				if !errors.Is(err, ErrChecksum) {
					checkLocalBook(t, b, ref, sc)
				}
			}
		})
	}
}

func TestLocalBookAccessors(t *testing.T) {
	sc := testScales
	r := newRefBook(1, 3)
	for i := int64(1); i <= 15; i++ {
		r.set(Bid, 100-i, i)
		r.set(Ask, 100+i, 2*i)
	}
	b, err := NewLocalBook(r.snapshot(sc), sc)
	if err != nil {
		t.Fatal(err)
	}
	if nb, na := b.Len(); nb != 15 || na != 15 {
		t.Fatalf("Len = %d, %d", nb, na)
	}
	if got, want := b.Bids(3), r.levels(Bid)[:3]; !reflect.DeepEqual(got, want) {
		t.Errorf("Bids(3) = %v, want %v", got, want)
	}
	if got, want := b.Asks(2), r.levels(Ask)[:2]; !reflect.DeepEqual(got, want) {
		t.Errorf("Asks(2) = %v, want %v", got, want)
	}
	if got, want := b.Bids(0), r.levels(Bid); !reflect.DeepEqual(got, want) {
		t.Errorf("Bids(0) = %v, want %v", got, want)
	}
	if got, want := b.Asks(100), r.levels(Ask); !reflect.DeepEqual(got, want) {
		t.Errorf("Asks(100) = %v, want %v", got, want)
	}
	d := b.Depth(4)
	if d.Market != 1 || d.Seq != 3 || !reflect.DeepEqual(d.Bids, r.levels(Bid)[:4]) || !reflect.DeepEqual(d.Asks, r.levels(Ask)[:4]) {
		t.Errorf("Depth(4) = %+v", d)
	}
	// The accessors return copies.
	d.Bids[0].Size = 12345
	b.Bids(1)[0].Size = 12345
	checkLocalBook(t, b, r, sc)

	empty, err := NewLocalBook(BookSnapshot{Market: 2}, sc)
	if err != nil {
		t.Fatal(err)
	}
	if d := empty.Depth(0); d.Bids == nil || d.Asks == nil || len(d.Bids)+len(d.Asks) != 0 {
		t.Errorf("empty Depth = %#v", d)
	}
	if empty.Checksum() != 0 {
		t.Error("empty book's checksum is not 0")
	}
}

func TestBookJSON(t *testing.T) {
	sc := testScales
	s := BookSnapshot{Market: 7, Seq: 10, Bids: []Level{{150, 10000}, {149, 2500}}, Asks: []Level{{151, 750}}}
	s.Checksum = Checksum(s.Bids, s.Asks, sc)
	u := BookUpdate{Market: 7, Seq: 12, PrevSeq: 10, Bids: []Level{{149, 0}}, Asks: []Level{{151, 1000}}}
	u.Checksum = Checksum([]Level{{150, 10000}}, []Level{{151, 1000}}, sc)
	// The examples of the AppendJSON doc comments (checksums by
	// zlib.crc32 of "1.50:10.000:1.51:0.750:1.49:2.500" and of
	// "1.50:10.000:1.51:1.000").
	const wantS = `{"seq":10,"bids":[["1.50","10.000"],["1.49","2.500"]],"asks":[["1.51","0.750"]],"checksum":3120090503}`
	const wantU = `{"seq":12,"prev_seq":10,"bids":[["1.49","0.000"]],"asks":[["1.51","1.000"]],"checksum":2906857854}`
	if got := string(s.AppendJSON([]byte("x"), sc)); got != "x"+wantS {
		t.Errorf("snapshot\n%s\nwant\n%s", got, wantS)
	}
	if got := string(u.AppendJSON(nil, sc)); got != wantU {
		t.Errorf("update\n%s\nwant\n%s", got, wantU)
	}
	empty := BookUpdate{Seq: 2, PrevSeq: 1}
	if got := string(empty.AppendJSON(nil, sc)); got != `{"seq":2,"prev_seq":1,"bids":[],"asks":[],"checksum":0}` {
		t.Errorf("empty update %s", got)
	}
	// Valid JSON whose strings are the checksum's.
	var wire struct {
		Seq      uint64      `json:"seq"`
		PrevSeq  uint64      `json:"prev_seq"`
		Bids     [][2]string `json:"bids"`
		Asks     [][2]string `json:"asks"`
		Checksum uint32      `json:"checksum"`
	}
	big := BookUpdate{Seq: 1<<64 - 1, PrevSeq: 1<<64 - 2, Checksum: 1<<32 - 1}
	big.Bids, big.Asks = benchBook(12)
	if err := json.Unmarshal(big.AppendJSON(nil, sc), &wire); err != nil {
		t.Fatal(err)
	}
	if wire.Seq != big.Seq || wire.PrevSeq != big.PrevSeq || wire.Checksum != big.Checksum || len(wire.Bids) != 12 || len(wire.Asks) != 12 {
		t.Fatalf("decoded %+v", wire)
	}
	var fields []byte
	for i := range 10 {
		fields = fmt.Appendf(fields, "%s:%s:%s:%s:", wire.Bids[i][0], wire.Bids[i][1], wire.Asks[i][0], wire.Asks[i][1])
	}
	if got, want := string(fields[:len(fields)-1]), string(AppendChecksumString(nil, big.Bids, big.Asks, sc)); got != want {
		t.Errorf("the wire's strings give\n%s\nthe checksum string is\n%s", got, want)
	}
}

// TestLocalBookRapid drives a LocalBook and the reference book with random
// updates (random level changes at random seqs: new, changed and removed
// levels, prices repeated within an update), gaps, duplicates and old
// updates, wrong checksums and resyncs, and compares them after each. On
// failure rapid prints the seed (-rapid.seed=...) to reproduce it.
func TestLocalBookRapid(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		sc := Scales{Price: uint8(rapid.IntRange(0, 6).Draw(rt, "price scale")), Size: uint8(rapid.IntRange(0, 6).Draw(rt, "size scale"))}
		truth := newRefBook(3, rapid.Uint64Range(0, 5).Draw(rt, "first seq"))
		for range rapid.IntRange(0, 30).Draw(rt, "initial levels") {
			changeRef(rt, truth)
		}
		b, err := NewLocalBook(truth.snapshot(sc), sc)
		if err != nil {
			rt.Fatal(err)
		}
		resync := func() {
			if b, err = NewLocalBook(truth.snapshot(sc), sc); err != nil {
				rt.Fatal(err)
			}
		}
		for range rapid.IntRange(1, 200).Draw(rt, "steps") {
			switch rapid.IntRange(0, 9).Draw(rt, "action") {
			default: // the next update, as the server sends it
				u := nextUpdate(rt, truth, sc)
				if err := b.Apply(&u); err != nil {
					rt.Fatalf("Apply(%+v): %v", u, err)
				}
			case 6: // a gap: an update the book missed, then the next
				before := truth.clone()
				nextUpdate(rt, truth, sc)
				u := nextUpdate(rt, truth, sc)
				if err := b.Apply(&u); !errors.Is(err, ErrGap) {
					rt.Fatalf("after a missed update, Apply = %v", err)
				}
				checkLocalBook(rt, b, before, sc) // unchanged
				resync()
			case 7: // an old update again (a duplicate), or one already in a snapshot
				if truth.seq == 0 {
					continue
				}
				u := BookUpdate{Market: 3, Seq: rapid.Uint64Range(0, truth.seq).Draw(rt, "old seq")}
				u.PrevSeq = u.Seq - min(u.Seq, 1)
				u.Bids = []Level{{Price: 1, Size: 1}}
				u.Checksum = rapid.Uint32().Draw(rt, "any checksum")
				if err := b.Apply(&u); err != nil {
					rt.Fatalf("old update %d: %v", u.Seq, err)
				}
			case 8: // an update whose checksum the book does not match
				u := nextUpdate(rt, truth, sc)
				u.Checksum ^= 1 << rapid.IntRange(0, 31).Draw(rt, "bit")
				if err := b.Apply(&u); !errors.Is(err, ErrChecksum) {
					rt.Fatalf("bad checksum: Apply = %v", err)
				}
				next := nextUpdate(rt, truth, sc)
				if err := b.Apply(&next); !errors.Is(err, ErrChecksum) {
					rt.Fatalf("after a bad checksum, Apply = %v", err)
				}
				resync()
			case 9: // a resync for no reason
				resync()
			}
			checkLocalBook(rt, b, truth, sc)
		}
	})
}

// changeRef changes one random level of r: a new one, a new size, or a
// removal. Prices stay small so that they repeat.
func changeRef(rt *rapid.T, r *refBook) (Side, Level) {
	side := Side(rapid.IntRange(1, 2).Draw(rt, "side"))
	price := rapid.Int64Range(1, 40).Draw(rt, "price")
	if side == Ask {
		price += 40
	}
	size := rapid.Int64Range(0, 1_000_000).Draw(rt, "size")
	if rapid.IntRange(0, 3).Draw(rt, "remove") == 0 {
		size = 0
	}
	r.set(side, price, size)
	return side, Level{Price: price, Size: size}
}

// nextUpdate moves r to a later seq by a few level changes and returns
// the update that says so, with the right checksum.
func nextUpdate(rt *rapid.T, r *refBook, sc Scales) BookUpdate {
	u := BookUpdate{Market: r.market, PrevSeq: r.seq}
	for range rapid.IntRange(0, 6).Draw(rt, "changes") {
		side, l := changeRef(rt, r)
		if side == Bid {
			u.Bids = append(u.Bids, l)
		} else {
			u.Asks = append(u.Asks, l)
		}
	}
	r.seq += rapid.Uint64Range(1, 3).Draw(rt, "seq step")
	u.Seq = r.seq
	u.Checksum = r.checksum(sc)
	return u
}

// benchUpdates returns a book of about 100 levels a side and n updates
// that follow it, each changing 1 to 4 levels near the top, with their
// checksums, from a fixed seed; an unconflated Conflater makes them.
func benchUpdates(b *testing.B, n int) (Depth, []BookUpdate, []MarketUpdate) {
	rng := rand.New(rand.NewPCG(7, 8))
	bids, asks := benchBook(100)
	d := Depth{Market: 1, Seq: 1, Bids: bids, Asks: asks}
	c, err := NewConflater(d, Scales{Price: 4, Size: 2}, 0)
	if err != nil {
		b.Fatal(err)
	}
	var out []BookUpdate
	var in []MarketUpdate
	now := benchTime
	for len(out) < n {
		mu := MarketUpdate{Market: 1, Seq: c.Latest() + 1, PrevSeq: c.Latest()}
		for range 1 + rng.IntN(4) {
			l := LevelChange{Side: Side(1 + rng.IntN(2)), Size: rng.Int64N(3) * rng.Int64N(5_000_000)}
			if l.Side == Bid {
				l.Price = 1_000_000 - 1 - rng.Int64N(200)
			} else {
				l.Price = 1_000_000 + 1 + rng.Int64N(200)
			}
			mu.Levels = append(mu.Levels, l)
		}
		u, err := c.Add(now, &mu)
		if err != nil {
			b.Fatal(err)
		}
		in = append(in, mu)
		if u != nil {
			out = append(out, *u)
		}
	}
	return d, out, in
}

func BenchmarkLocalBookApply(b *testing.B) {
	sc := Scales{Price: 4, Size: 2}
	d, updates, _ := benchUpdates(b, 4096)
	snap := BookSnapshot{Market: d.Market, Seq: d.Seq, Bids: d.Bids, Asks: d.Asks, Checksum: Checksum(d.Bids, d.Asks, sc)}
	var book *LocalBook
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%len(updates) == 0 {
			b.StopTimer()
			var err error
			if book, err = NewLocalBook(snap, sc); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if err := book.Apply(&updates[i%len(updates)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
