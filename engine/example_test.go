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
	// book_level
	// balance account 1 asset 2: available 5 held 0
	// balance account 2 asset 1: available 500 held 200
	// balance account 2 asset 2: available 1498 held 0
	// balance account 3 asset 1: available 300 held 0
	// balance account 3 asset 2: available 3497 held 0
}

// ExampleEngine_Sessions: a market maker's connection opens a session whose
// orders go when it closes; after a crash (here: a snapshot restored) the
// exchange closes every session that was open, since no connection
// survives a restart.
func ExampleEngine_Sessions() {
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
	points := apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme})[0].Asset
	euro := apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})[0].Asset
	market := apply(engine.Command{Kind: engine.CmdCreateMarket, Base: points, Quote: euro, PriceScale: 2, Tick: 1, Lot: 1})[0].Market
	mm := apply(engine.Command{Kind: engine.CmdCreateAccount})[0].Account
	apply(engine.Command{Kind: engine.CmdDeposit, Account: mm, Asset: points, Amount: 1_000, Ref: engine.Ref{1}})

	session := apply(engine.Command{Kind: engine.CmdOpenSession, Account: mm, SessionMode: engine.SessionCancelOwn})[0].Session
	apply(engine.Command{Kind: engine.CmdPlaceOrder, Account: mm, Market: market, Side: engine.Sell,
		Type: engine.Limit, TIF: engine.GTC, Price: 5, Size: 100, Session: session})

	// A crash, and recovery from the last snapshot (and the journal).
	e, _ = engine.Restore(e.AppendSnapshot(nil))
	for _, s := range e.Sessions(nil) {
		for _, ev := range apply(engine.Command{Kind: engine.CmdCloseSession, Account: s.Account, Session: s.ID}) {
			switch ev.Kind {
			case engine.EvOrderCanceled:
				fmt.Printf("canceled %d points, reason %v\n", ev.Remaining, ev.Reason)
			case engine.EvSessionClosed:
				fmt.Printf("session %d closed (%v)\n", ev.Session, ev.SessionMode)
			}
		}
	}
	fmt.Println(len(e.Sessions(nil)), "sessions open")
	// Output:
	// canceled 100 points, reason disconnect
	// session 1 closed (cancel_own)
	// 0 sessions open
}
