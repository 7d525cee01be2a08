package engine

import "math"

// taker is an incoming order's state while it walks the book, live or as a
// simulation.
type taker struct {
	account  AccountID
	order    OrderID
	side     Side
	limit    int64 // ticks; 0 means no limit (market order)
	lots     int64 // lots still wanted
	byQuote  bool  // a market buy by quote amount: budget limits it, not lots
	budget   int64 // quote units still to spend, fees included
	stp      SelfTradePrevention
	takerBps int32

	feeNum     u128
	feeCharged int64

	filled   int64 // lots filled
	notional int64 // quote units traded
	stopped  bool  // self-trade prevention stopped it
	overflow bool  // a product overflowed (simulation only; live walks are pre-checked)
}

func (e *Engine) placeOrder(cmd *Command) {
	m, code := e.checkPlace(cmd)
	if code != OK {
		e.reject(cmd, code)
		return
	}
	t := taker{
		account: cmd.Account, side: cmd.Side, lots: cmd.Size / m.lot,
		stp: cmd.STP, takerBps: m.takerBps,
	}
	if cmd.Type == Limit {
		t.limit = cmd.Price / m.tick
	}
	if cmd.QuoteAmount > 0 {
		t.byQuote, t.budget, t.lots = true, cmd.QuoteAmount, math.MaxInt64
	}
	if code := e.checkFunds(m, cmd, &t); code != OK {
		e.reject(cmd, code)
		return
	}

	s := e.allocSlot()
	o := &e.orders[s]
	o.account, o.market, o.side, o.tif, o.postOnly, o.stp = cmd.Account, m.id, cmd.Side, cmd.TIF, cmd.PostOnly, cmd.STP
	o.ticks, o.sizeLots, o.remLots = t.limit, t.lots, t.lots
	o.makerBps, o.takerBps, o.expiresAt, o.session = m.makerBps, m.takerBps, cmd.ExpiresAt, cmd.Session
	t.order = o.id

	ev := e.event(EvOrderAccepted)
	ev.Account, ev.Market, ev.Order = o.account, m.id, o.id
	if cmd.ClientOrderID.set() { // both are zeroed already: skip the 36-byte copies
		o.clientID, ev.ClientOrderID = cmd.ClientOrderID, cmd.ClientOrderID
	}
	ev.Side, ev.Type, ev.TIF, ev.PostOnly, ev.STP = o.side, cmd.Type, o.tif, o.postOnly, o.stp
	ev.Price, ev.Size, ev.Amount, ev.ExpiresAt = cmd.Price, cmd.Size, cmd.QuoteAmount, cmd.ExpiresAt
	ev.MakerBps, ev.TakerBps, ev.Session = o.makerBps, o.takerBps, o.session

	e.walk(m, &t, false)
	e.settleTaker(m, s, &t, true)
}

// checkPlace validates everything about a placement that does not depend on
// balances.
func (e *Engine) checkPlace(cmd *Command) (*market, Code) {
	if !e.hasAccount(cmd.Account) {
		return nil, CodeUnknownAccount
	}
	if cmd.Session != 0 && e.session(cmd.Account, cmd.Session) == nil {
		return nil, CodeUnknownSession
	}
	m := e.market(cmd.Market)
	switch {
	case m == nil:
		return nil, CodeUnknownMarket
	case e.marketExpired(m):
		return nil, CodeAssetExpired
	case m.status != Open:
		return nil, CodeMarketHalted
	case cmd.Side != Buy && cmd.Side != Sell:
		return nil, CodeInvalidSide
	case cmd.Type != Limit && cmd.Type != Market:
		return nil, CodeInvalidOrderType
	case cmd.STP > CancelBoth:
		return nil, CodeInvalidSelfTradePrevention
	case !cmd.ClientOrderID.valid():
		return nil, CodeInvalidCommand
	}
	switch cmd.TIF {
	case GTC, GTD:
		if cmd.Type == Market {
			return nil, CodeInvalidTimeInForce
		}
	case IOC, FOK:
		if cmd.PostOnly || cmd.TIF == FOK && cmd.QuoteAmount != 0 {
			return nil, CodeInvalidTimeInForce
		}
	default:
		return nil, CodeInvalidTimeInForce
	}
	if cmd.TIF == GTD && cmd.ExpiresAt <= e.now || cmd.TIF != GTD && cmd.ExpiresAt != 0 {
		return nil, CodeInvalidExpiry
	}
	if cmd.Type == Limit {
		switch {
		case cmd.Price <= 0:
			return nil, CodeInvalidPrice
		case cmd.Price%m.tick != 0:
			return nil, CodePriceOffTick
		}
	} else if cmd.Price != 0 {
		return nil, CodeInvalidPrice
	}
	if cmd.QuoteAmount != 0 {
		switch {
		case cmd.QuoteAmount < 0 || cmd.Type != Market || cmd.Side != Buy:
			return nil, CodeInvalidAmount
		case cmd.Size != 0:
			return nil, CodeInvalidSize
		}
	} else if code := m.checkSize(cmd.Size); code != OK {
		return nil, code
	}
	if cmd.ClientOrderID.set() {
		if _, dup := e.clientIDs[clientKey{cmd.Account, cmd.ClientOrderID}]; dup {
			return nil, CodeDuplicateClientOrderID
		}
	}
	if cmd.PostOnly {
		if opp := m.opposite(cmd.Side); len(opp.levels) > 0 && crosses(cmd.Side, cmd.Price/m.tick, opp.levels[len(opp.levels)-1].ticks) {
			return nil, CodePostOnlyWouldCross
		}
	}
	return m, OK
}

func (m *market) checkSize(size int64) Code {
	switch {
	case size <= 0:
		return CodeInvalidSize
	case size%m.lot != 0:
		return CodeSizeOffLot
	case size/m.lot < m.minLots:
		return CodeSizeBelowMinimum
	}
	return OK
}

// checkFunds checks that the account can pay for the order: a limit order's
// worst case at its limit, a market order's simulated fill. FOK orders are
// simulated to prove they fill.
func (e *Engine) checkFunds(m *market, cmd *Command, t *taker) Code {
	payAsset := m.quote
	if t.side == Sell {
		payAsset = m.base
	}
	avail := e.available(t.account, payAsset)
	var need int64
	if cmd.Type == Limit {
		var ok bool
		if t.side == Buy {
			need, ok = worstHold(m, t.limit, t.lots, u128{}, 0, max(m.makerBps, m.takerBps))
		} else if _, ok = notional(m, t.limit, t.lots); ok { // a sell's notional must fit too
			need = t.lots * m.lot // cannot overflow: Size is an int64
		}
		if !ok {
			return CodeAmountOverflow
		}
		if avail < need {
			return CodeInsufficientBalance
		}
		if cmd.TIF != FOK {
			return OK
		}
	}
	sim := *t
	e.walk(m, &sim, true)
	switch {
	case sim.overflow:
		return CodeAmountOverflow
	case cmd.TIF == FOK && sim.filled < t.lots:
		return CodeFOKUnfillable
	case cmd.Type == Limit:
		return OK
	}
	if t.side == Buy {
		var ok bool
		if need, ok = add(sim.notional, sim.feeCharged); !ok {
			return CodeAmountOverflow
		}
	} else {
		need = sim.filled * m.lot
	}
	if avail < need {
		return CodeInsufficientBalance
	}
	return OK
}

// worstHold is what a buy of lots at limit ticks must hold so that it can pay
// for any fill, at the fee rate bps, given the fee state it already has.
func worstHold(m *market, limit, lots int64, feeNum u128, feeCharged int64, bps int32) (int64, bool) {
	n, ok := notional(m, limit, lots)
	if !ok {
		return 0, false
	}
	total, ok := add(n, feeNum.addMul(n, bps).ceilFee()-feeCharged)
	return total, ok
}

func notional(m *market, ticks, lots int64) (int64, bool) {
	unit, ok := mul(ticks, m.k)
	if !ok {
		return 0, false
	}
	return mul(unit, lots)
}

// restHold is exactly what a resting order holds: its remaining size for a
// sell, its remaining notional and the maker fee still chargeable for a buy.
func restHold(m *market, o *order) int64 {
	if o.side == Sell {
		return o.remLots * m.lot
	}
	h, _ := worstHold(m, o.ticks, o.remLots, o.feeNum, o.feeCharged, o.makerBps)
	return h
}

// walk matches t against the opposite side of m, best price first, until it
// is filled, its limit or budget stops it, or self-trade prevention does. A
// simulation (dry) changes nothing and reports what a live walk would do.
func (e *Engine) walk(m *market, t *taker, dry bool) {
	bs := m.opposite(t.side)
	for i := len(bs.levels) - 1; i >= 0 && t.lots > 0; i-- {
		lv := &bs.levels[i]
		ticks := lv.ticks
		if !crosses(t.side, t.limit, ticks) {
			return
		}
		unit, unitOK := mul(ticks, m.k)
		// A live walk may delete this level as its last order goes; lv is not
		// read after the first removal.
		for s := lv.head; s != noSlot && t.lots > 0; {
			mk := &e.orders[s]
			next := mk.next
			if !unitOK {
				t.overflow = true
				return
			}
			f := min(t.lots, mk.remLots)
			budgetStops := false
			if t.byQuote {
				// A buy that cannot pay for one more lot has stopped: it
				// meets no one, so there is no self trade to prevent.
				want := f
				f = affordableLots(unit, f, t)
				if f == 0 {
					t.lots = 0
					return
				}
				budgetStops = f < want
			}
			if mk.account == t.account {
				if t.stp == CancelMaker || t.stp == CancelBoth {
					if !dry {
						e.cancelResting(m, s, ReasonSelfTrade, EvOrderCanceled)
					}
				}
				if t.stp != CancelMaker {
					t.stopped = true
					return
				}
				s = next
				continue
			}
			n, ok := mul(unit, f)
			if ok {
				_, ok = add(t.notional, n)
			}
			if !ok {
				t.overflow = true
				return
			}
			takerFee := t.charge(n)
			t.filled += f
			t.notional += n
			if t.byQuote {
				t.budget -= n + takerFee
			} else {
				t.lots -= f
			}
			if !dry {
				e.fill(m, t, s, ticks, f, n, takerFee)
			}
			if budgetStops { // it could not pay for all of this order: done
				t.lots = 0
				return
			}
			s = next
		}
	}
}

// charge adds a fill of notional n to the taker's fees and returns the fee
// it adds.
func (t *taker) charge(n int64) int64 {
	t.feeNum = t.feeNum.addMul(n, t.takerBps)
	c := t.feeNum.ceilFee()
	fee := c - t.feeCharged
	t.feeCharged = c
	return fee
}

// affordableLots returns the most lots, up to max, at unit quote units per lot
// that a buy by quote amount can pay for, fees included, within its budget.
func affordableLots(unit, max int64, t *taker) int64 {
	fits := func(f int64) bool { // f*unit <= budget for f <= hi
		n := unit * f
		return t.feeNum.addMul(n, t.takerBps).ceilFee()-t.feeCharged <= t.budget-n
	}
	hi := min(max, t.budget/unit)
	lo := int64(0)
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// fill trades f lots (n quote units) at ticks between taker t and the maker in
// slot s, moves the funds and fees, and emits the trade.
func (e *Engine) fill(m *market, t *taker, s uint32, ticks, f, n, takerFee int64) {
	mk := &e.orders[s]
	mk.feeNum = mk.feeNum.addMul(n, mk.makerBps)
	c := mk.feeNum.ceilFee()
	makerFee := c - mk.feeCharged
	mk.feeCharged = c
	mk.remLots -= f
	opp := m.opposite(t.side)
	lv := &opp.levels[len(opp.levels)-1]
	e.touchLevel(m, mk.side, lv.ticks, lv.lots)
	lv.lots -= f

	size := f * m.lot
	if t.side == Buy {
		q := e.bal(t.account, m.quote)
		q.available -= n + takerFee
		e.bal(t.account, m.base).available += size
		mb := e.bal(mk.account, m.base)
		mb.held -= size
		mk.hold -= size
		e.bal(mk.account, m.quote).available += n - makerFee
	} else {
		e.bal(t.account, m.base).available -= size
		e.bal(t.account, m.quote).available += n - takerFee
		mq := e.bal(mk.account, m.quote)
		mq.held -= n + makerFee
		mk.hold -= n + makerFee
		e.bal(mk.account, m.base).available += size
	}
	if takerFee+makerFee != 0 {
		e.bal(FeeAccount, m.quote).available += takerFee + makerFee
	}

	ev := e.event(EvTrade)
	ev.Market, ev.Price, ev.Size, ev.Amount, ev.Side = m.id, ticks*m.tick, size, n, t.side
	ev.Account, ev.Order, ev.Fee = t.account, t.order, takerFee
	ev.MakerAccount, ev.MakerOrder, ev.MakerFee = mk.account, mk.id, makerFee

	if mk.remLots == 0 {
		ev := e.event(EvOrderDone)
		ev.Account, ev.Market, ev.Order, ev.Side, ev.Size = mk.account, m.id, mk.id, mk.side, mk.sizeLots*m.lot
		e.unlink(m, s)
		e.freeSlot(s)
	}
}

// settleTaker ends an incoming order's walk: done, cancelled, or resting with
// its hold. placed is false for an amended order.
func (e *Engine) settleTaker(m *market, s uint32, t *taker, placed bool) {
	o := &e.orders[s]
	o.feeNum, o.feeCharged = t.feeNum, t.feeCharged
	switch {
	case t.byQuote && !t.stopped:
		ev := e.event(EvOrderDone)
		ev.Account, ev.Market, ev.Order, ev.Side = o.account, m.id, o.id, o.side
		ev.Size, ev.Amount = t.filled*m.lot, t.notional+t.feeCharged
	case !t.byQuote && t.lots == 0:
		o.remLots = 0
		ev := e.event(EvOrderDone)
		ev.Account, ev.Market, ev.Order, ev.Side, ev.Size = o.account, m.id, o.id, o.side, o.sizeLots*m.lot
	case t.stopped || t.limit == 0 || o.tif == IOC || o.tif == FOK:
		reason := ReasonUnfilled
		if t.stopped {
			reason = ReasonSelfTrade
		}
		ev := e.event(EvOrderCanceled)
		ev.Account, ev.Market, ev.Order, ev.Side, ev.Reason = o.account, m.id, o.id, o.side, reason
		if !t.byQuote {
			ev.Remaining = t.lots * m.lot
		}
	default:
		o.remLots = t.lots
		o.hold = restHold(m, o)
		payAsset := m.quote
		if o.side == Sell {
			payAsset = m.base
		}
		b := e.bal(o.account, payAsset)
		b.available -= o.hold
		b.held += o.hold
		e.rest(m, s, placed)
		return
	}
	e.freeSlot(s)
}

func (e *Engine) amendOrder(cmd *Command) {
	s, code := e.findOwnOrder(cmd)
	if code != OK {
		e.reject(cmd, code)
		return
	}
	o := &e.orders[s]
	m := &e.markets[o.market]
	if m.status != Open {
		e.reject(cmd, CodeMarketHalted) // an expired coupon's market is halted and empty
		return
	}
	ticks, sizeLots := o.ticks, o.sizeLots
	if cmd.Price != 0 {
		switch {
		case cmd.Price < 0:
			e.reject(cmd, CodeInvalidPrice)
			return
		case cmd.Price%m.tick != 0:
			e.reject(cmd, CodePriceOffTick)
			return
		}
		ticks = cmd.Price / m.tick
	}
	if cmd.Size != 0 {
		if code := m.checkSize(cmd.Size); code != OK {
			e.reject(cmd, code)
			return
		}
		sizeLots = cmd.Size / m.lot
	}
	remLots := sizeLots - (o.sizeLots - o.remLots)
	switch {
	case ticks == o.ticks && sizeLots == o.sizeLots:
		e.reject(cmd, CodeNothingToAmend)
		return
	case remLots <= 0:
		e.reject(cmd, CodeInvalidSize)
		return
	}
	opp := m.opposite(o.side)
	crossing := ticks != o.ticks && len(opp.levels) > 0 && crosses(o.side, ticks, opp.levels[len(opp.levels)-1].ticks)
	if crossing && o.postOnly {
		e.reject(cmd, CodePostOnlyWouldCross)
		return
	}
	if _, ok := notional(m, ticks, sizeLots); !ok {
		e.reject(cmd, CodeAmountOverflow)
		return
	}
	payAsset := m.base
	if o.side == Buy {
		payAsset = m.quote
	}
	// Keeping its place (a smaller size, same price) only releases funds;
	// losing it needs the worst case of the new remainder, like a placement.
	requeue := ticks != o.ticks || sizeLots > o.sizeLots
	if requeue {
		need, ok := remLots*m.lot, true // fits: Size is an int64
		if o.side == Buy {
			need, ok = worstHold(m, ticks, remLots, o.feeNum, o.feeCharged, max(o.makerBps, o.takerBps))
		}
		if !ok {
			e.reject(cmd, CodeAmountOverflow)
			return
		}
		if need > e.available(o.account, payAsset)+o.hold {
			e.reject(cmd, CodeInsufficientBalance)
			return
		}
	}

	b := e.bal(o.account, payAsset)
	if !requeue {
		lv := &m.book(o.side).levels[levelIndex(m.book(o.side), o.ticks)]
		e.touchLevel(m, o.side, o.ticks, lv.lots)
		lv.lots -= o.remLots - remLots
		o.sizeLots, o.remLots = sizeLots, remLots
		hold := restHold(m, o)
		b.held -= o.hold - hold
		b.available += o.hold - hold
		o.hold = hold
		e.amended(m, o, false)
		return
	}
	e.unlink(m, s)
	b.held -= o.hold
	b.available += o.hold
	o.hold = 0
	o.ticks, o.sizeLots, o.remLots = ticks, sizeLots, remLots
	e.amended(m, o, true)
	t := taker{
		account: o.account, order: o.id, side: o.side, limit: ticks, lots: remLots,
		stp: o.stp, takerBps: o.takerBps, feeNum: o.feeNum, feeCharged: o.feeCharged,
	}
	if crossing {
		e.walk(m, &t, false)
	}
	e.settleTaker(m, s, &t, false)
}

// levelIndex returns the index of the level at ticks, which must exist.
func levelIndex(bs *bookSide, ticks int64) int {
	i, _ := bs.search(ticks)
	return i
}

func (e *Engine) amended(m *market, o *order, requeued bool) {
	ev := e.event(EvOrderAmended)
	ev.Account, ev.Market, ev.Order, ev.Side, ev.Requeued = o.account, m.id, o.id, o.side, requeued
	ev.Price, ev.Size, ev.Remaining = o.ticks*m.tick, o.sizeLots*m.lot, o.remLots*m.lot
}

// findOwnOrder finds the resting order a cancel or amend names, by id or by
// client order id, among the account's own.
func (e *Engine) findOwnOrder(cmd *Command) (uint32, Code) {
	if !e.hasAccount(cmd.Account) {
		return 0, CodeUnknownAccount
	}
	if cmd.Order == 0 {
		s, ok := e.clientIDs[clientKey{cmd.Account, cmd.ClientOrderID}]
		if !ok || cmd.ClientOrderID.IsZero() {
			return 0, CodeUnknownOrder
		}
		return s, OK
	}
	s, ok := e.lookup(cmd.Order)
	if !ok || e.orders[s].account != cmd.Account {
		return 0, CodeUnknownOrder
	}
	return s, OK
}

func (e *Engine) cancelOrder(cmd *Command) {
	s, code := e.findOwnOrder(cmd)
	if code != OK {
		e.reject(cmd, code)
		return
	}
	e.cancelResting(&e.markets[e.orders[s].market], s, ReasonRequested, EvOrderCanceled)
}

// cancelResting takes a resting order off the book, releases its hold and
// reports it (EvOrderCanceled with reason, or EvOrderExpired).
func (e *Engine) cancelResting(m *market, s uint32, reason CancelReason, kind EventKind) {
	o := &e.orders[s]
	payAsset := m.quote
	if o.side == Sell {
		payAsset = m.base
	}
	b := e.bal(o.account, payAsset)
	b.held -= o.hold
	b.available += o.hold
	ev := e.event(kind)
	ev.Account, ev.Market, ev.Order, ev.Side, ev.Remaining = o.account, m.id, o.id, o.side, o.remLots*m.lot
	if kind == EvOrderCanceled {
		ev.Reason = reason
	}
	e.unlink(m, s)
	e.freeSlot(s)
}

func (e *Engine) cancelAll(cmd *Command) {
	switch {
	case !e.hasAccount(cmd.Account):
		e.reject(cmd, CodeUnknownAccount)
		return
	case cmd.Market != 0 && e.market(cmd.Market) == nil:
		e.reject(cmd, CodeUnknownMarket)
		return
	}
	e.collectOrders(cmd.Account, cmd.Market)
	e.cancelSlots(ReasonRequested)
}

// expireDue expires every GTD order whose time has come.
func (e *Engine) expireDue() {
	for len(e.expiries) > 0 && e.expiries[0].at <= e.now {
		x := e.expiries.pop()
		if s, ok := e.lookup(x.id); ok && e.orders[s].expiresAt == x.at {
			e.cancelResting(&e.markets[e.orders[s].market], s, ReasonExpired, EvOrderExpired)
		}
	}
}
