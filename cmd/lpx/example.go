package main

import (
	"fmt"
	"io"

	"github.com/lpx-exchange/lpx/engine"
)

// exampleWorld names the example's accounts and assets for printing.
type exampleWorld struct {
	e        *engine.Engine
	w        io.Writer
	seq      uint64
	out      []engine.Event
	accounts map[engine.AccountID]string
	assets   map[engine.AssetID]string
}

// runExample plays a short scene: ACME points quoted in EUR, a brand
// offering points, a consumer buying some, a market maker quoting, and a
// coupon-hunting consumer whose order expires. It checks the engine's
// invariants after every command.
func runExample(w io.Writer) error {
	x := &exampleWorld{e: engine.New(), w: w,
		accounts: map[engine.AccountID]string{engine.FeeAccount: "fees"},
		assets:   map[engine.AssetID]string{}}
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	steps := []struct {
		say string
		cmd engine.Command
	}{
		{"ACME points have no decimals; EUR has two", engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme, Scale: 0}},
		{"", engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2}},
		{"market ACME/EUR: prices in cents per point, 1-point lots, maker 0.10%, taker 0.20%",
			engine.Command{Kind: engine.CmdCreateMarket, Base: 1, Quote: 2, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20}},
		{"accounts: the brand, a consumer and a market maker", engine.Command{Kind: engine.CmdCreateAccount}},
		{"", engine.Command{Kind: engine.CmdCreateAccount}},
		{"", engine.Command{Kind: engine.CmdCreateAccount}},
		{"the brand deposits 1,000 points", engine.Command{Kind: engine.CmdDeposit, Account: 2, Asset: 1, Amount: 1_000, Ref: engine.Ref{1}}},
		{"the consumer deposits 50.00 EUR", engine.Command{Kind: engine.CmdDeposit, Account: 3, Asset: 2, Amount: 50_00, Ref: engine.Ref{2}}},
		{"the market maker deposits 20.00 EUR", engine.Command{Kind: engine.CmdDeposit, Account: 4, Asset: 2, Amount: 20_00, Ref: engine.Ref{3}}},
		{"the brand offers 500 points at 0.05 EUR",
			engine.Command{Kind: engine.CmdPlaceOrder, Account: 2, Market: 1, Side: engine.Sell, Type: engine.Limit, TIF: engine.GTC, Price: 5, Size: 500}},
		{"the market maker bids for 200 points at 0.04 EUR, good for 60 seconds",
			engine.Command{Kind: engine.CmdPlaceOrder, Account: 4, Market: 1, Side: engine.Buy, Type: engine.Limit, TIF: engine.GTD, Price: 4, Size: 200, ExpiresAt: 70e9}},
		{"the consumer buys 300 points, paying at most 0.06 EUR each",
			engine.Command{Kind: engine.CmdPlaceOrder, Account: 3, Market: 1, Side: engine.Buy, Type: engine.Limit, TIF: engine.IOC, Price: 6, Size: 300}},
		{"the consumer sells 100 points straight away, at market",
			engine.Command{Kind: engine.CmdPlaceOrder, Account: 3, Market: 1, Side: engine.Sell, Type: engine.Market, TIF: engine.IOC, Size: 100}},
		{"a quiet minute passes: the market maker's bid expires", engine.Command{Kind: engine.CmdTick, Time: 80e9}},
	}
	for _, s := range steps {
		if s.say != "" {
			fmt.Fprintf(w, "\n# %s\n", s.say)
		}
		if err := x.apply(s.cmd); err != nil {
			return err
		}
	}
	return nil
}

func (x *exampleWorld) apply(c engine.Command) error {
	x.seq++
	c.Seq = x.seq
	if c.Time == 0 {
		c.Time = int64(x.seq) * 1e9
	}
	x.out = x.e.Apply(&c, x.out[:0])
	for _, ev := range x.out {
		x.print(ev)
	}
	return x.e.CheckInvariants()
}

func (x *exampleWorld) print(ev engine.Event) {
	switch ev.Kind {
	case engine.EvAssetCreated:
		x.assets[ev.Asset] = ev.Symbol.String()
		fmt.Fprintf(x.w, "asset %s (scale %d)\n", ev.Symbol, ev.Scale)
	case engine.EvMarketCreated:
		fmt.Fprintf(x.w, "market %s/%s open\n", x.assets[ev.Base], x.assets[ev.Quote])
	case engine.EvAccountCreated:
		x.accounts[ev.Account] = [...]string{2: "brand", 3: "consumer", 4: "maker"}[ev.Account]
		fmt.Fprintf(x.w, "account %d: %s\n", ev.Account, x.accounts[ev.Account])
	case engine.EvDeposited:
		fmt.Fprintf(x.w, "deposit %s %s to %s\n", x.amount(ev.Asset, ev.Amount), x.assets[ev.Asset], x.accounts[ev.Account])
	case engine.EvOrderAccepted:
		fmt.Fprintf(x.w, "accepted %s %s %s %d points", x.accounts[ev.Account], ev.Type, ev.Side, ev.Size)
		if ev.Type == engine.Limit {
			fmt.Fprintf(x.w, " at %s EUR %s", x.amount(2, ev.Price), ev.TIF)
		}
		fmt.Fprintln(x.w)
	case engine.EvTrade:
		fmt.Fprintf(x.w, "trade %d points at %s EUR = %s EUR (taker %s pays fee %s, maker %s pays fee %s)\n",
			ev.Size, x.amount(2, ev.Price), x.amount(2, ev.Amount),
			x.accounts[ev.Account], x.amount(2, ev.Fee), x.accounts[ev.MakerAccount], x.amount(2, ev.MakerFee))
	case engine.EvOrderDone:
		fmt.Fprintf(x.w, "done: %s's %s order filled\n", x.accounts[ev.Account], ev.Side)
	case engine.EvOrderCanceled:
		fmt.Fprintf(x.w, "canceled: %s's %s order, %d points left (%s)\n", x.accounts[ev.Account], ev.Side, ev.Remaining, ev.Reason)
	case engine.EvOrderExpired:
		fmt.Fprintf(x.w, "expired: %s's %s order, %d points left\n", x.accounts[ev.Account], ev.Side, ev.Remaining)
	case engine.EvBalance:
		fmt.Fprintf(x.w, "  balance %-8s %-4s available %8s  held %8s\n", x.accounts[ev.Account], x.assets[ev.Asset],
			x.amount(ev.Asset, ev.Available), x.amount(ev.Asset, ev.Held))
	case engine.EvRejected:
		fmt.Fprintf(x.w, "rejected %s: %s\n", ev.Cmd, ev.Code)
	default:
		fmt.Fprintln(x.w, ev.Kind)
	}
}

// amount formats units of an asset with its scale (0 for ACME, 2 for EUR).
func (x *exampleWorld) amount(a engine.AssetID, units int64) string {
	info, _ := x.e.Asset(a)
	if info.Scale == 0 {
		return fmt.Sprint(units)
	}
	p := int64(1)
	for range info.Scale {
		p *= 10
	}
	return fmt.Sprintf("%d.%0*d", units/p, int(info.Scale), units%p)
}
