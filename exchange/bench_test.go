package exchange_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// BenchmarkSequencer measures commands per second through the sequencer
// from many concurrent callers, journaled to the real local Redis (with its
// persistence as configured, appendonly off here) or to the file journal
// (fsync per batch), and the time from Submit to answer at the 50th and
// 99th percentile. Each command places a resting limit order on one of 64
// accounts, so the engine's share is small and steady.
func BenchmarkSequencer(b *testing.B) {
	for _, kind := range journals {
		for _, callers := range []int{64, 512} {
			b.Run(fmt.Sprintf("%s/callers=%d", kind.name, callers), func(b *testing.B) {
				benchSequencer(b, kind.open, callers)
			})
		}
	}
}

// BenchmarkSequencerWithEvents is the production path on Redis: the
// journal, then (after the answers) the event log, and the market-data
// projector following the live batches into Redis.
func BenchmarkSequencerWithEvents(b *testing.B) {
	rdb, prefix := servicetest.Redis(b, redisstore.JournalOptions)
	st := exchange.Stores{
		Journal: redisstore.NewJournal(rdb, prefix+"journal", 0),
		Events:  redisstore.NewJournal(rdb, prefix+"events", 0),
	}
	s := exchange.NewSequencer(engine.New(), st, exchange.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	p := &exchange.Projector{Name: "market data", Sequencer: s, Events: redisstore.NewJournal(rdb, prefix+"events", 0),
		Projection: exchange.NewMarketData(redisstore.NewMarketData(rdb, prefix, redisstore.MarketDataOptions{}))}
	pdone := make(chan error, 1)
	go func() { pdone <- p.Run(context.Background()) }()
	defer func() { cancel(); <-done; <-pdone }()
	benchCallers(b, s, 512)
	b.ReportMetric(float64(s.CutOffs()), "cutoffs")
}

func benchSequencer(b *testing.B, open func(testing.TB) exchange.Journal, callers int) {
	j := open(b)
	eng := engine.New()
	s := exchange.NewSequencer(eng, exchange.Stores{Journal: j}, exchange.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	benchCallers(b, s, callers)
}

// benchCallers sets up a market and times b.N orders from callers
// concurrent callers.
func benchCallers(b *testing.B, s *exchange.Sequencer, callers int) {
	setup(b, s, 64)

	var mu sync.Mutex
	var lat []time.Duration
	per := b.N/callers + 1
	b.ReportAllocs()
	b.ResetTimer()
	startAt := time.Now()
	var wg sync.WaitGroup
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, per)
			cmd := engine.Command{Kind: engine.CmdPlaceOrder, Account: engine.AccountID(2 + c%64), Market: 1,
				Side: engine.Buy, Type: engine.Limit, TIF: engine.IOC, Price: 1, Size: 1}
			for range per {
				t0 := time.Now()
				if _, err := s.Submit(context.Background(), cmd); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(startAt)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "cmds/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50_µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99_µs")
}
