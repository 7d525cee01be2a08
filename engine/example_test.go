package engine_test

import (
	"fmt"

	"github.com/lpx-exchange/lpx/engine"
)

// Example runs a tiny exchange: ACME points quoted in EUR, a brand that sells
// points and a consumer who buys them, with fees.
func Example() {
	e := engine.New()
	var out []engine.Event
	seq := uint64(0)
	apply := func(c engine.Command) []engine.Event {
		seq++
		c.Seq, c.Time = seq, int64(seq)*1e9
		out = e.Apply(&c, out[:0])
		return out
	}
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	points := apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme, Scale: 0})[0].Asset
	euro := apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})[0].Asset
	// Prices in 0.01 EUR per point, one-cent tick, one-point lot, fees 10/20 bps.
	market := apply(engine.Command{Kind: engine.CmdCreateMarket, Base: points, Quote: euro,
		PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20})[0].Market
	brand := apply(engine.Command{Kind: engine.CmdCreateAccount})[0].Account
	consumer := apply(engine.Command{Kind: engine.CmdCreateAccount})[0].Account
	apply(engine.Command{Kind: engine.CmdDeposit, Account: brand, Asset: points, Amount: 1_000, Ref: engine.Ref{1}})
	apply(engine.Command{Kind: engine.CmdDeposit, Account: consumer, Asset: euro, Amount: 50_00, Ref: engine.Ref{2}})

	// The brand offers 500 points at 0.05 EUR; the consumer buys 300 at up to 0.06.
	apply(engine.Command{Kind: engine.CmdPlaceOrder, Account: brand, Market: market,
		Side: engine.Sell, Type: engine.Limit, TIF: engine.GTC, Price: 5, Size: 500})
	for _, ev := range apply(engine.Command{Kind: engine.CmdPlaceOrder, Account: consumer, Market: market,
		Side: engine.Buy, Type: engine.Limit, TIF: engine.IOC, Price: 6, Size: 300}) {
		switch ev.Kind {
		case engine.EvTrade:
			fmt.Printf("trade %d points at %d cents: %d cents, taker fee %d, maker fee %d\n", ev.Size, ev.Price, ev.Amount, ev.Fee, ev.MakerFee)
		case engine.EvBalance:
			fmt.Printf("balance account %d asset %d: available %d held %d\n", ev.Account, ev.Asset, ev.Available, ev.Held)
		default:
			fmt.Println(ev.Kind)
		}
	}
	// The consumer paid 1500 + 3 fee; the brand received 1500 - 2 fee and
	// still offers 200 points (held); the fee account (1) has 5 cents.
	if err := e.CheckInvariants(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// accepted
	// trade 300 points at 5 cents: 1500 cents, taker fee 3, maker fee 2
	// done
	// balance account 1 asset 2: available 5 held 0
	// balance account 2 asset 1: available 500 held 200
	// balance account 2 asset 2: available 1498 held 0
	// balance account 3 asset 1: available 300 held 0
	// balance account 3 asset 2: available 3497 held 0
}
