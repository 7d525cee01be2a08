package tokens_test

import (
	"context"
	"log/slog"
	"testing"
)

// BenchmarkWatcherDeposits measures Transfer logs turned into engine
// deposits per second: benchDeposits transfers from linked wallets, mined
// in a few blocks once; each iteration gives a fresh SQL database and
// engine (untimed) to a watcher that reads the logs, records the deposits
// and credits them through the sequencer and its file journal (timed).
// Target: 5,000 logs/s or more.
func BenchmarkWatcherDeposits(b *testing.B) {
	const (
		benchDeposits = 2000
		wallets       = 20
	)
	c := newChain(b, wallets)
	for i := range benchDeposits {
		c.deposit(c.users[i%wallets], raw(int64(1+i%7), int64(i)))
		if (i+1)%500 == 0 {
			c.sim.Commit()
		}
	}
	c.commit(1)
	for _, u := range c.users {
		if n, err := c.client.NonceAt(context.Background(), u.addr, nil); err != nil || n != u.nonce {
			b.Fatalf("%s: nonce %d on chain, %d sent (%v): not every transfer was mined", u.addr, n, u.nonce, err)
		}
	}

	b.ReportAllocs()
	b.ResetTimer()
	var logs int
	for range b.N {
		b.StopTimer()
		e := newExchange(b, c, 0)
		e.watcher.Log = slog.New(slog.DiscardHandler)
		b.StartTimer()
		r, err := e.watcher.Poll(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if r.Credited != benchDeposits {
			b.Fatalf("credited %d, want %d", r.Credited, benchDeposits)
		}
		logs += r.Credited
		b.StartTimer()
	}
	b.ReportMetric(float64(logs)/b.Elapsed().Seconds(), "logs/s")
}
