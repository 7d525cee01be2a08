package api_test

import (
	"context"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api"
	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// TestWebSocketTwoServersSameSequence: two API servers over one exchange
// each take the market data from Redis pub/sub, so unconflated book
// subscribers on either see the same updates with the same seq and
// prev_seq, and the same trades.
func TestWebSocketTwoServersSameSequence(t *testing.T) {
	te := startTradeEnv(t, apitest.Options{RealRedis: true})
	n := te.Node
	kek := make([]byte, 32)
	second, err := api.New(api.Deps{
		Exchange: n.Sequencer, Store: n.SQL, MarketData: n.MarketData, MarketFeed: n.MarketData,
		Guard: redisstore.NewGuard(n.Redis, "second:"), Idempotency: n.Idempotency,
		SIWENonces: redisstore.NewSIWENonces(n.Redis, "second:"), LinkNonces: n.Nonces,
	}, api.Config{KeyEncryptionKey: kek})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = second.App().Listener(ln) }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t.Cleanup(func() { _ = second.Shutdown(ctx) })
	go func() { _ = second.RunStreams(ctx) }()

	type seen struct {
		book   []string
		trades []string
	}
	follow := func(base string) (*client.WS, *seen) {
		w, err := (&client.Client{BaseURL: base}).DialWS(ctx, 1<<14)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		if err := w.Call(ctx, "subscribe", map[string]any{"channels": []string{"book.ACME-EUR", "trades.ACME-EUR"}, "unconflated": true}, nil); err != nil {
			t.Fatal(err)
		}
		return w, &seen{}
	}
	w1, s1 := follow(te.URL)
	w2, s2 := follow("http://" + ln.Addr().String())

	alice, _ := te.trader("alice", map[string]int64{"ACME": 1000_00, "EUR": 1000_00})
	bob, _ := te.trader("bob", map[string]int64{"ACME": 1000_00, "EUR": 1000_00})
	for i := range 20 {
		te.Do(alice, "POST", "/v1/orders", limitOrder("sell", "1.25", "1.00"), nil)
		if i%2 == 1 {
			te.Do(bob, "POST", "/v1/orders", limitOrder("buy", "1.25", "2.00"), nil)
		}
	}
	// 20 asks taken by 10 buys: 20 trades each side must see, and book
	// updates for every change.
	collect := func(w *client.WS, s *seen) {
		for len(s.trades) < 20 {
			select {
			case p := <-w.Pushes():
				switch p.Channel {
				case "book.ACME-EUR":
					s.book = append(s.book, string(p.Data))
				case "trades.ACME-EUR":
					s.trades = append(s.trades, string(p.Data))
				}
			case <-ctx.Done():
				t.Fatalf("%d trades seen", len(s.trades))
			}
		}
		// The book update of the last trade may follow it.
		deadline := time.After(300 * time.Millisecond)
		for {
			select {
			case p := <-w.Pushes():
				if p.Channel == "book.ACME-EUR" {
					s.book = append(s.book, string(p.Data))
				}
			case <-deadline:
				return
			}
		}
	}
	collect(w1, s1)
	collect(w2, s2)
	if !reflect.DeepEqual(s1.trades, s2.trades) {
		t.Fatalf("trades differ:\n%v\n%v", s1.trades, s2.trades)
	}
	if !reflect.DeepEqual(s1.book, s2.book) || len(s1.book) < 2 {
		t.Fatalf("book messages differ (%d and %d):\n%v\n%v", len(s1.book), len(s2.book), s1.book, s2.book)
	}
}
