package engine

import (
	"math"
	"math/bits"
)

// Leg is one market crossed by a swap route.
type Leg struct {
	Market MarketID
	Side   Side  // Sell: the leg sells the market's base; Buy: it buys it with the quote
	In     int64 // units of the leg's input asset spent
	Out    int64 // units of its output asset received, fees deducted
	Fee    int64 // taker fee, in the market's quote asset
	Filled bool  // the book could take all of it
}

// Quote is a swap's simulation: the best route and what it gives. The
// average price is AveragePrice: AmountIn units of From per AmountOut units
// of To, an exact ratio that the API formats with the two assets' scales.
type Quote struct {
	From, To  AssetID
	Hub       AssetID // 0 for a direct route
	Legs      [2]Leg
	NumLegs   int
	AmountIn  int64 // spent of the amount offered
	Unspent   int64 // left of it (lots and ticks are whole), stays with the account
	AmountOut int64
	HubLeft   int64 // hub units the second leg could not spend, credited to the account
	// BestOut is what the route would give if every lot traded at each leg's
	// best price; ImpactBps is how much less AmountOut is, in basis points,
	// rounded up.
	BestOut   int64
	ImpactBps int64
}

// AveragePrice returns the swap's average price as an exact ratio: in units
// of From paid per out units of To received, fees included.
func (q Quote) AveragePrice() (in, out int64) { return q.AmountIn, q.AmountOut }

// Quote simulates a swap of up to amount units of from into to for account
// (its own orders are liquidity it cannot take; 0 for anyone) and returns
// the best route without changing anything. It allocates nothing.
func (e *Engine) Quote(account AccountID, from, to AssetID, amount int64) (Quote, Code) {
	if code := e.checkSwap(from, to, amount); code != OK {
		return Quote{}, code
	}
	return e.route(account, from, to, amount)
}

func (e *Engine) checkSwap(from, to AssetID, amount int64) Code {
	switch {
	case !e.hasAsset(from) || !e.hasAsset(to):
		return CodeUnknownAsset
	case from == to:
		return CodeInvalidCommand
	case amount <= 0:
		return CodeInvalidAmount
	case e.assets[from].expired || e.assets[to].expired:
		return CodeAssetExpired
	}
	return OK
}

// route tries the direct market and every two-hop route through a hub, and
// returns the filled route with the most out; ties go to fewer hops, then to
// the hub with the lower id.
func (e *Engine) route(account AccountID, from, to AssetID, amount int64) (Quote, Code) {
	var best Quote
	found, tried := false, false
	consider := func(q Quote) {
		tried = true
		if q.Legs[q.NumLegs-1].Filled && q.Legs[0].Filled && q.AmountOut > 0 && (!found || q.AmountOut > best.AmountOut) {
			best, found = q, true
		}
	}
	if m := e.swapMarket(from, to); m != nil {
		q := Quote{From: from, To: to, NumLegs: 1}
		q.Legs[0] = e.simulateLeg(m, account, from, amount)
		q.AmountIn, q.AmountOut = q.Legs[0].In, q.Legs[0].Out
		consider(q)
	}
	for _, h := range e.hubs {
		if h == from || h == to || e.assets[h].expired {
			continue
		}
		m1, m2 := e.swapMarket(from, h), e.swapMarket(h, to)
		if m1 == nil || m2 == nil {
			continue
		}
		q := Quote{From: from, To: to, Hub: h, NumLegs: 2}
		q.Legs[0] = e.simulateLeg(m1, account, from, amount)
		q.Legs[1] = e.simulateLeg(m2, account, h, q.Legs[0].Out)
		q.AmountIn, q.AmountOut, q.HubLeft = q.Legs[0].In, q.Legs[1].Out, q.Legs[0].Out-q.Legs[1].In
		consider(q)
	}
	switch {
	case !tried:
		return Quote{}, CodeNoRoute
	case !found:
		return Quote{}, CodeInsufficientLiquidity
	}
	best.Unspent = amount - best.AmountIn
	best.BestOut = amount
	for i := range best.NumLegs {
		best.BestOut = e.bestPriceOut(&e.markets[best.Legs[i].Market], best.Legs[i].Side, best.BestOut)
	}
	best.ImpactBps = impactBps(best.BestOut, best.AmountOut)
	return best, OK
}

// swapMarket returns the open market between a and b, or nil.
func (e *Engine) swapMarket(a, b AssetID) *market {
	id, ok := e.pairs[pairKey(a, b)]
	if !ok {
		return nil
	}
	m := &e.markets[id]
	if m.status != Open {
		return nil
	}
	return m
}

// legTaker is the taker for a swap leg spending in units of from on m: a
// market sell of whole lots of the base, or a market buy by quote amount.
// Self-trade prevention is CancelTaker: a leg stops at the account's own
// order and then does not fill.
func legTaker(m *market, account AccountID, from AssetID, in int64) taker {
	t := taker{account: account, stp: CancelTaker, takerBps: m.takerBps}
	if from == m.base {
		t.side, t.lots = Sell, in/m.lot
	} else {
		t.side, t.byQuote, t.budget, t.lots = Buy, true, in, math.MaxInt64
	}
	return t
}

// simulateLeg walks m as the leg would, changing nothing. A sell leg fills
// when all its lots trade; a buy leg fills when it stops because its budget
// cannot pay for one more lot at the next price (or is spent to zero), not
// because the book ran out.
func (e *Engine) simulateLeg(m *market, account AccountID, from AssetID, in int64) Leg {
	t := legTaker(m, account, from, in)
	leg := Leg{Market: m.id, Side: t.side}
	if t.lots == 0 || in <= 0 {
		return leg
	}
	e.walk(m, &t, true)
	leg.Fee = t.feeCharged
	if t.side == Sell {
		leg.In, leg.Out = t.filled*m.lot, t.notional-t.feeCharged
		leg.Filled = t.lots == 0
	} else {
		leg.In, leg.Out = t.notional+t.feeCharged, t.filled*m.lot
		leg.Filled = t.lots == 0 || t.budget == 0
	}
	leg.Filled = leg.Filled && !t.stopped && !t.overflow && t.filled > 0
	return leg
}

// bestPriceOut is what in units give on m at its best price, with no depth
// limit and the taker fee: the reference for price impact.
func (e *Engine) bestPriceOut(m *market, side Side, in int64) int64 {
	bs := m.opposite(side)
	if len(bs.levels) == 0 || in <= 0 {
		return 0
	}
	unit, ok := mul(bs.levels[len(bs.levels)-1].ticks, m.k)
	if !ok {
		return 0
	}
	if side == Sell {
		n, ok := mul(unit, in/m.lot)
		if !ok {
			return math.MaxInt64
		}
		return n - feeFor(n, m.takerBps)
	}
	t := taker{budget: in, takerBps: m.takerBps}
	lots := affordableLots(unit, math.MaxInt64, &t)
	out, ok := mul(lots, m.lot)
	if !ok {
		return math.MaxInt64
	}
	return out
}

// impactBps is ceil((best - got) * 10000 / best), 0 when got >= best.
func impactBps(best, got int64) int64 {
	if best <= 0 || got >= best {
		return 0
	}
	hi, lo := bits.Mul64(uint64(best-got), bpsDenom)
	q, r := bits.Div64(hi, lo, uint64(best))
	if r != 0 {
		q++
	}
	return int64(q)
}

func (e *Engine) swap(cmd *Command) {
	switch {
	case !e.hasAccount(cmd.Account):
		e.reject(cmd, CodeUnknownAccount)
		return
	case cmd.MinReceive < 0:
		e.reject(cmd, CodeInvalidAmount)
		return
	}
	code := e.checkSwap(cmd.Asset, cmd.ToAsset, cmd.Amount)
	if code == OK && e.available(cmd.Account, cmd.Asset) < cmd.Amount {
		code = CodeInsufficientBalance
	}
	var q Quote
	if code == OK {
		q, code = e.route(cmd.Account, cmd.Asset, cmd.ToAsset, cmd.Amount)
	}
	if code == OK && q.AmountOut < cmd.MinReceive {
		code = CodeSwapBelowMinimum
	}
	if code != OK {
		e.reject(cmd, code)
		return
	}
	// Execute the legs with the inputs the simulation used: the books are
	// those it read (the legs are on different markets), so they trade the
	// same.
	offered := cmd.Amount
	for i := range q.NumLegs {
		leg := &q.Legs[i]
		m := &e.markets[leg.Market]
		from := m.base
		if leg.Side == Buy {
			from = m.quote
		}
		t := legTaker(m, cmd.Account, from, offered)
		e.walk(m, &t, false)
		offered = leg.Out
	}
	ev := e.event(EvSwapped)
	ev.Account, ev.Asset, ev.ToAsset, ev.HubAsset = cmd.Account, q.From, q.To, q.Hub
	ev.Amount, ev.Remaining, ev.AmountOut, ev.HubLeft = q.AmountIn, q.Unspent, q.AmountOut, q.HubLeft
}

func (e *Engine) setHub(cmd *Command) {
	if !e.hasAsset(cmd.Asset) {
		e.reject(cmd, CodeUnknownAsset)
		return
	}
	e.assets[cmd.Asset].hub = cmd.Hub
	e.rebuildHubs()
	ev := e.event(EvHubSet)
	ev.Asset, ev.Hub = cmd.Asset, cmd.Hub
}

// rebuildHubs lists the hub assets in id order.
func (e *Engine) rebuildHubs() {
	e.hubs = e.hubs[:0]
	for id := 1; id < len(e.assets); id++ {
		if e.assets[id].hub {
			e.hubs = append(e.hubs, AssetID(id))
		}
	}
}
