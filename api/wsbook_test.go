package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/marketdata"
)

// TestWebSocketBook: after a random trading session driven by several
// clients, every subscriber's local book (a snapshot, then conflated
// updates whose checksums all matched) equals the server's depth; a
// subscriber that drops an update detects the gap and resyncs. Trades
// arrive on trades.<market>.
func TestWebSocketBook(t *testing.T) {
	te := startTradeEnv(t, apitest.Options{RealRedis: true})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	scales := marketdata.Scales{Price: 2, Size: 2} // ACME-EUR: price scale 2, ACME scale 2

	type follower struct {
		w       *client.WS
		book    client.Book
		drop    bool // drops one update, then must resync
		dropped bool
		trades  int
		updates int // book pushes
	}
	followers := make([]*follower, 3)
	for i := range followers {
		w, err := te.Public().DialWS(ctx, 1<<14)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		followers[i] = &follower{w: w, book: client.Book{Scales: scales}, drop: i == 2}
		// Follower 1 asks for every update, the others get them conflated.
		if err := w.Call(ctx, "subscribe", map[string]any{"channels": []string{"book.ACME-EUR", "trades.ACME-EUR"}, "unconflated": i == 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, followers[0].w.Call(ctx, "subscribe", map[string]any{"channels": []string{"book.NOPE-EUR"}}, nil), "unknown_market")

	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	traders := make([]*client.Client, 3)
	for i := range traders {
		traders[i], _ = te.trader(fmt.Sprintf("t%d", i), map[string]int64{"ACME": 1_000_000_00, "EUR": 1_000_000_00})
	}
	// Two bursts, more than a conflation interval apart: the follower that
	// drops the first update it gets then sees the next one's gap.
	for i := range 150 {
		if i == 75 {
			time.Sleep(300 * time.Millisecond)
		}
		side := []string{"buy", "sell"}[rng.IntN(2)]
		price := fmt.Sprintf("1.%02d", 10+rng.IntN(30))
		size := fmt.Sprintf("%d.00", 1+rng.IntN(5))
		te.Do(traders[i%3], "POST", "/v1/orders", limitOrder(side, price, size), nil)
	}

	// The server's book once the projection caught up.
	var depth struct {
		Seq        uint64
		Bids, Asks [][2]string
	}
	te.Do(te.Public(), "GET", "/v1/markets/ACME-EUR/book?depth=1000", nil, &depth)
	time.Sleep(300 * time.Millisecond) // a conflation interval and then some
	te.Do(te.Public(), "GET", "/v1/markets/ACME-EUR/book?depth=1000", nil, &depth)
	wantLevels := func(pairs [][2]string) []marketdata.Level {
		out := []marketdata.Level{}
		for _, p := range pairs {
			pr, _ := client.ParseUnits(p[0], scales.Price)
			sz, _ := client.ParseUnits(p[1], scales.Size)
			out = append(out, marketdata.Level{Price: pr, Size: sz})
		}
		return out
	}
	same := func(b *client.Book) bool {
		got := b.Depth(0)
		return b.Ready() && reflect.DeepEqual(nonNil(got.Bids), wantLevels(depth.Bids)) && reflect.DeepEqual(nonNil(got.Asks), wantLevels(depth.Asks))
	}
	for i, f := range followers {
		// Updates come until the follower's book is the server's (a book
		// update's seq is that of the last change of levels, which may be
		// older than the depth's, which counts trades too).
		for !same(&f.book) {
			select {
			case p, ok := <-f.w.Pushes():
				if !ok {
					t.Fatalf("follower %d: connection ended: %v", i, f.w.Err())
				}
				switch p.Channel {
				case "trades.ACME-EUR":
					f.trades++
				case "book.ACME-EUR":
					f.updates++
					if f.drop && !f.dropped && f.book.Ready() && strings.Contains(string(p.Data), `"prev_seq"`) {
						f.dropped = true
						continue // lost: the next update's prev_seq shows it
					}
					if err := f.book.Follow(ctx, f.w, p); err != nil {
						t.Fatalf("follower %d: %v", i, err)
					}
				}
			case <-ctx.Done():
				got := f.book.Depth(0)
				t.Fatalf("follower %d's book at seq %d:\n bids %v\n asks %v\nthe server's at %d:\n bids %v\n asks %v", i, f.book.Seq(), got.Bids, got.Asks, depth.Seq, depth.Bids, depth.Asks)
			}
		}
		if f.book.Seq() > depth.Seq {
			t.Fatalf("follower %d's book is at seq %d, past the server's %d", i, f.book.Seq(), depth.Seq)
		}
		if f.drop && f.book.Resyncs != 1 {
			t.Fatalf("follower %d dropped an update and resynced %d times, want 1", i, f.book.Resyncs)
		}
		if !f.drop && f.book.Resyncs != 0 {
			t.Fatalf("follower %d resynced %d times", i, f.book.Resyncs)
		}
	}
	// 150 orders in two bursts: a handful of conflated updates, and one
	// per change of the book for the follower that asked for them all.
	t.Logf("book pushes: %d conflated, %d unconflated", followers[0].updates, followers[1].updates)
	if f0, f1 := followers[0].updates, followers[1].updates; f1 <= f0 || f1 < 50 {
		t.Fatalf("book pushes: %d conflated, %d unconflated", f0, f1)
	}
	if followers[0].trades == 0 {
		t.Fatal("no trade pushed on trades.ACME-EUR")
	}
}

func nonNil(l []marketdata.Level) []marketdata.Level {
	if l == nil {
		return []marketdata.Level{}
	}
	return l
}

// TestWebSocketTickerAndCandles: a trade updates ticker.<market> and
// candles.<market>.<interval> for their subscribers, with exact decimals.
func TestWebSocketTickerAndCandles(t *testing.T) {
	te := startTradeEnv(t, apitest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := te.Public().DialWS(ctx, 256)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Call(ctx, "subscribe", map[string]any{"channels": []string{"ticker.ACME-EUR", "candles.ACME-EUR.1m"}}, nil); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.Call(ctx, "subscribe", map[string]any{"channels": []string{"candles.ACME-EUR.2m"}}, nil), "unknown_channel")
	alice, _ := te.trader("alice", map[string]int64{"ACME": 100_00, "EUR": 100_00})
	bob, _ := te.trader("bob", map[string]int64{"ACME": 100_00, "EUR": 100_00})
	te.Do(alice, "POST", "/v1/orders", limitOrder("sell", "1.25", "2.00"), nil)
	te.Do(bob, "POST", "/v1/orders", limitOrder("buy", "1.25", "2.00"), nil)
	var ticker struct {
		Last, Volume string
		QuoteVolume  string `json:"quote_volume"`
	}
	var candle struct{ Interval, Open, Close, Volume string }
	p := nextPush(t, w, "ticker.ACME-EUR")
	if err := json.Unmarshal(p.Data, &ticker); err != nil || ticker.Last != "1.25" || ticker.Volume != "2.00" || ticker.QuoteVolume != "2.50" {
		t.Fatalf("ticker push %s", p.Data)
	}
	p = nextPush(t, w, "candles.ACME-EUR.1m")
	if err := json.Unmarshal(p.Data, &candle); err != nil || candle.Interval != "1m" || candle.Open != "1.25" || candle.Close != "1.25" || candle.Volume != "2.00" {
		t.Fatalf("candle push %s", p.Data)
	}
}
