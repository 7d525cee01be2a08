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

// runExample plays a short scene: two brands issue points and coupons, a
// market maker quotes both against EUR, a consumer swaps points for coupons
// through EUR at a firm quote, redeems one, and the coupons expire. It
// checks the engine's invariants after every command.
func runExample(w io.Writer) error {
	x := &exampleWorld{e: engine.New(), w: w,
		accounts: map[engine.AccountID]string{engine.FeeAccount: "fees"},
		assets:   map[engine.AssetID]string{}}
	sym := func(s string) engine.Symbol { v, _ := engine.ParseSymbol(s); return v }
	const (
		acmeBrand, coffeeBrand, maker, consumer engine.AccountID = 2, 3, 4, 5
		eur, acme, coffee                       engine.AssetID   = 1, 2, 3
		acmeEUR, coffeeEUR                      engine.MarketID  = 1, 2
		minute                                                   = 60e9
	)
	steps := []struct {
		say string
		cmd engine.Command
	}{
		{"accounts: two brands, a market maker and a consumer", engine.Command{Kind: engine.CmdCreateAccount}},
		{"", engine.Command{Kind: engine.CmdCreateAccount}},
		{"", engine.Command{Kind: engine.CmdCreateAccount}},
		{"", engine.Command{Kind: engine.CmdCreateAccount}},
		{"EUR (cents) is the hub; ACME points and COFFEE coupons (expiring in 5 minutes) belong to their brands",
			engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym("EUR"), Scale: 2, Hub: true}},
		{"", engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym("ACME"), AssetKind: engine.Points, Brand: acmeBrand}},
		{"", engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym("COFFEE"), AssetKind: engine.Coupon, Brand: coffeeBrand, ExpiresAt: 5 * minute}},
		{"markets ACME/EUR and COFFEE/EUR: prices in cents, 1-unit lots, maker 0.10%, taker 0.20%",
			engine.Command{Kind: engine.CmdCreateMarket, Base: acme, Quote: eur, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20}},
		{"", engine.Command{Kind: engine.CmdCreateMarket, Base: coffee, Quote: eur, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20}},
		{"ACME rewards the consumer with 500 points; COFFEE issues 40 coupons to the market maker, who also deposits 100.00 EUR",
			engine.Command{Kind: engine.CmdIssue, Account: acmeBrand, To: consumer, Asset: acme, Amount: 500, Ref: engine.Ref{1}}},
		{"", engine.Command{Kind: engine.CmdIssue, Account: coffeeBrand, To: maker, Asset: coffee, Amount: 40, Ref: engine.Ref{2}}},
		{"", engine.Command{Kind: engine.CmdDeposit, Account: maker, Asset: eur, Amount: 100_00, Ref: engine.Ref{3}}},
		{"the market maker bids 0.05 EUR for up to 1,000 ACME points and offers 30 coupons at 1.00 EUR",
			engine.Command{Kind: engine.CmdPlaceOrder, Account: maker, Market: acmeEUR, Side: engine.Buy, Type: engine.Limit, TIF: engine.GTC, Price: 5, Size: 1000}},
		{"", engine.Command{Kind: engine.CmdPlaceOrder, Account: maker, Market: coffeeEUR, Side: engine.Sell, Type: engine.Limit, TIF: engine.GTC, Price: 100, Size: 30}},
		{"the consumer swaps 500 points for at least 24 coupons: two hops through EUR",
			engine.Command{Kind: engine.CmdSwap, Account: consumer, Asset: acme, ToAsset: coffee, Amount: 500, MinReceive: 24}},
		{"the consumer redeems 2 coupons at the coffee shop, which fulfils the redemption",
			engine.Command{Kind: engine.CmdRedeem, Account: consumer, Asset: coffee, Amount: 2}},
		{"", engine.Command{Kind: engine.CmdFulfilRedemption, Account: coffeeBrand, Redemption: 1}},
		{"five minutes pass: the coupons expire, what is left is breakage for the brand",
			engine.Command{Kind: engine.CmdTick, Time: 5 * minute}},
	}
	for i, s := range steps {
		if s.say != "" {
			fmt.Fprintf(w, "\n# %s\n", s.say)
		}
		if s.cmd.Kind == engine.CmdSwap {
			q, code := x.e.Quote(consumer, acme, coffee, 500)
			if code != engine.OK {
				return fmt.Errorf("quote: %s", code)
			}
			fmt.Fprintf(w, "quote: %d points -> %d coupons via %s (%s EUR left over), price impact %d bps\n",
				q.AmountIn, q.AmountOut, x.assets[q.Hub], x.amount(eur, q.HubLeft), q.ImpactBps)
		}
		if s.cmd.Time == 0 {
			s.cmd.Time = int64(i+1) * 1e9
		}
		if err := x.apply(s.cmd); err != nil {
			return err
		}
	}
	l, _ := x.e.Liabilities(coffee)
	fmt.Fprintf(w, "\nCOFFEE liabilities: issued %d, held by customers %d, redeemed %d, expired %d\n",
		l.Issued, l.HeldByCustomers, l.RedeemedPending+l.RedeemedFulfilled, l.Expired)
	return nil
}

func (x *exampleWorld) apply(c engine.Command) error {
	x.seq++
	c.Seq = x.seq
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
		x.accounts[ev.Account] = [...]string{2: "acme", 3: "coffee", 4: "maker", 5: "consumer"}[ev.Account]
		fmt.Fprintf(x.w, "account %d: %s\n", ev.Account, x.accounts[ev.Account])
	case engine.EvHubSet:
	case engine.EvIssued:
		fmt.Fprintf(x.w, "issued %d %s to %s\n", ev.Amount, x.assets[ev.Asset], x.accounts[ev.To])
	case engine.EvSwapped:
		fmt.Fprintf(x.w, "swapped %d %s for %d %s via %s (%s %s left over)\n", ev.Amount, x.assets[ev.Asset],
			ev.AmountOut, x.assets[ev.ToAsset], x.assets[ev.HubAsset], x.amount(ev.HubAsset, ev.HubLeft), x.assets[ev.HubAsset])
	case engine.EvRedemptionCreated, engine.EvRedemptionFulfilled:
		fmt.Fprintf(x.w, "%s: %d %s of %s, receipt %s\n", ev.Kind, ev.Amount, x.assets[ev.Asset], x.accounts[ev.Account], ev.Receipt)
	case engine.EvAssetExpired:
		fmt.Fprintf(x.w, "%s expired: %d left in accounts became breakage\n", x.assets[ev.Asset], ev.Amount)
	case engine.EvMarketStatus:
		fmt.Fprintf(x.w, "market %d %s\n", ev.Market, ev.Status)
	case engine.EvDeposited:
		fmt.Fprintf(x.w, "deposit %s %s to %s\n", x.amount(ev.Asset, ev.Amount), x.assets[ev.Asset], x.accounts[ev.Account])
	case engine.EvOrderAccepted:
		fmt.Fprintf(x.w, "accepted %s %s %s %d on market %d", x.accounts[ev.Account], ev.Type, ev.Side, ev.Size, ev.Market)
		if ev.Type == engine.Limit {
			fmt.Fprintf(x.w, " at %s EUR %s", x.amount(1, ev.Price), ev.TIF)
		}
		fmt.Fprintln(x.w)
	case engine.EvTrade:
		fmt.Fprintf(x.w, "trade market %d: %d at %s EUR = %s EUR (taker %s pays fee %s, maker %s pays fee %s)\n",
			ev.Market, ev.Size, x.amount(1, ev.Price), x.amount(1, ev.Amount),
			x.accounts[ev.Account], x.amount(1, ev.Fee), x.accounts[ev.MakerAccount], x.amount(1, ev.MakerFee))
	case engine.EvOrderDone:
		fmt.Fprintf(x.w, "done: %s's %s order filled\n", x.accounts[ev.Account], ev.Side)
	case engine.EvOrderCanceled:
		fmt.Fprintf(x.w, "canceled: %s's %s order, %d left (%s)\n", x.accounts[ev.Account], ev.Side, ev.Remaining, ev.Reason)
	case engine.EvOrderExpired:
		fmt.Fprintf(x.w, "expired: %s's %s order, %d left\n", x.accounts[ev.Account], ev.Side, ev.Remaining)
	case engine.EvBalance:
		fmt.Fprintf(x.w, "  balance %-8s %-4s available %8s  held %8s\n", x.accounts[ev.Account], x.assets[ev.Asset],
			x.amount(ev.Asset, ev.Available), x.amount(ev.Asset, ev.Held))
	case engine.EvRejected:
		fmt.Fprintf(x.w, "rejected %s: %s\n", ev.Cmd, ev.Code)
	default:
		fmt.Fprintln(x.w, ev.Kind)
	}
}

// amount formats units of an asset with its scale.
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
