package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// BenchmarkRESTPlaceOrder measures limit orders per second through the
// whole stack: HMAC-signed HTTP requests from loopback clients, the
// signature check, the replay check and rate limits in Redis, the
// sequencer journaling to the real Redis, matching, and the projectors
// writing market data to Redis and history to SQLite, all running. Each
// of 32 clients alternates a buy and a sell at one price, so half the
// orders trade. It reports orders/s and the p50/p99 latency seen by the
// clients. The SQL history goes to SQLite (the embedded default, written
// in-process) or PostgreSQL (a server of its own, as in production).
func BenchmarkRESTPlaceOrder(b *testing.B) {
	b.Run("redis+sqlite", func(b *testing.B) { benchPlaceOrder(b, apitest.Options{RealRedis: true}) })
	b.Run("redis+postgres", func(b *testing.B) { benchPlaceOrder(b, apitest.Options{RealRedis: true, Postgres: true}) })
}

func benchPlaceOrder(b *testing.B, o apitest.Options) {
	const clients = 32
	env := apitest.Start(b, o)
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	env.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme, Scale: 2})
	env.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})
	env.Submit(engine.Command{Kind: engine.CmdCreateMarket, Base: 1, Quote: 2, PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100})
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	traders := make([]*client.Client, clients)
	for i := range traders {
		c, id := env.NewAccount(sqlstore.AccountMarketMaker, fmt.Sprintf("mm%d", i), sqlstore.ScopeRead, sqlstore.ScopeTrade)
		c.HTTP = &http.Client{Transport: transport, Timeout: 10 * time.Second}
		traders[i] = c
		env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(id), Asset: 1, Amount: 1 << 50, Ref: engine.Ref{1, byte(i)}})
		env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(id), Asset: 2, Amount: 1 << 50, Ref: engine.Ref{2, byte(i)}})
	}
	bodies := [2][]byte{
		[]byte(`{"market":"ACME-EUR","side":"buy","type":"limit","price":"1.00","size":"1.00"}`),
		[]byte(`{"market":"ACME-EUR","side":"sell","type":"limit","price":"1.00","size":"1.00"}`),
	}
	var next atomic.Int64
	latencies := make([][]time.Duration, clients)
	var failed atomic.Int64
	var firstErr atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := traders[w]
			for i := 0; ; i++ {
				if next.Add(1) > int64(b.N) {
					return
				}
				t0 := time.Now()
				status, _, body, err := c.Raw(context.Background(), "POST", "/v1/orders", nil, bodies[i%2])
				latencies[w] = append(latencies[w], time.Since(t0))
				if err != nil || status != 201 {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s %v", status, body, err))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d orders failed; first: %v", n, b.N, firstErr.Load())
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}
