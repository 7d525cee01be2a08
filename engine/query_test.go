package engine_test

import (
	"testing"

	"github.com/lpx-exchange/lpx/engine"
)

// TestOrderByClientID: an account's resting order is found by its client
// order id, never another account's, and no longer once it has left the
// book.
func TestOrderByClientID(t *testing.T) {
	e := engine.New()
	var out []engine.Event
	seq := uint64(0)
	apply := func(c engine.Command) []engine.Event {
		seq++
		c.Seq, c.Time = seq, int64(seq)*1e9
		out = e.Apply(&c, out[:0])
		if out[0].Kind == engine.EvRejected {
			t.Fatalf("%s rejected: %s", c.Kind, out[0].Code)
		}
		return out
	}
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	a := apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme})[0].Asset
	q := apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})[0].Asset
	m := apply(engine.Command{Kind: engine.CmdCreateMarket, Base: a, Quote: q, PriceScale: 2, Tick: 1, Lot: 1})[0].Market
	ann := apply(engine.Command{Kind: engine.CmdCreateAccount})[0].Account
	bob := apply(engine.Command{Kind: engine.CmdCreateAccount})[0].Account
	apply(engine.Command{Kind: engine.CmdDeposit, Account: ann, Asset: q, Amount: 1000, Ref: engine.Ref{1}})
	cid, _ := engine.ParseClientOrderID("ann-1")
	id := apply(engine.Command{Kind: engine.CmdPlaceOrder, Account: ann, Market: m, Side: engine.Buy, Type: engine.Limit, TIF: engine.GTC, Price: 5, Size: 10, ClientOrderID: cid})[0].Order

	if o, ok := e.OrderByClientID(ann, cid); !ok || o.ID != id || o.ClientOrderID != cid {
		t.Fatalf("ann's order by client id: %+v %v, want id %d", o, ok, id)
	}
	if _, ok := e.OrderByClientID(bob, cid); ok {
		t.Fatal("bob finds ann's order by its client id")
	}
	if _, ok := e.OrderByClientID(ann, engine.ClientOrderID{}); ok {
		t.Fatal("the zero client id names an order")
	}
	apply(engine.Command{Kind: engine.CmdCancelOrder, Account: ann, ClientOrderID: cid})
	if _, ok := e.OrderByClientID(ann, cid); ok {
		t.Fatal("a canceled order is still found by its client id")
	}
}
