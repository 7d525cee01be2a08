package engine

// Level is one price level of a book: its price, total remaining size and
// number of orders.
type Level struct {
	Price  int64
	Size   int64
	Orders int
}

// OrderInfo describes a resting order.
type OrderInfo struct {
	ID                 OrderID
	Account            AccountID
	Market             MarketID
	Side               Side
	TIF                TimeInForce
	PostOnly           bool
	STP                SelfTradePrevention
	ClientOrderID      ClientOrderID
	Price              int64
	Size               int64 // total, filled part included
	Remaining          int64
	Hold               int64 // quote units for a buy, base units for a sell
	FeeCharged         int64
	ExpiresAt          int64
	MakerBps, TakerBps int32
	// Session is the trading session it was placed in (0: none). An order
	// of a SessionKeep session that has closed keeps the id as history:
	// Session(o.Session) then finds nothing.
	Session SessionID
}

// AssetInfo describes an asset.
type AssetInfo struct {
	ID        AssetID
	Symbol    Symbol
	Scale     uint8
	Kind      AssetKind
	Brand     AccountID
	ExpiresAt int64 // coupons; 0 for never
	Expired   bool
	Hub       bool
	Deposited int64 // all deposits ever
	Withdrawn int64 // all completed withdrawals
}

// RedemptionInfo describes a pending redemption.
type RedemptionInfo struct {
	ID      RedemptionID
	Account AccountID
	Asset   AssetID
	Amount  int64
	Receipt Receipt
}

// MarketInfo describes a market.
type MarketInfo struct {
	ID                 MarketID
	Base, Quote        AssetID
	PriceScale         uint8
	Tick, Lot, MinSize int64
	MakerBps, TakerBps int32
	Status             MarketStatus
}

// Accounts returns the number of accounts; their ids are 1 to Accounts().
func (e *Engine) Accounts() int { return len(e.accounts) - 1 }

// Balance returns an account's available and held units of an asset.
func (e *Engine) Balance(id AccountID, a AssetID) (available, held int64) {
	if !e.hasAccount(id) {
		return 0, 0
	}
	bs := e.accounts[id].balances
	if int(a) >= len(bs) {
		return 0, 0
	}
	return bs[a].available, bs[a].held
}

// Asset returns an asset's description.
func (e *Engine) Asset(id AssetID) (AssetInfo, bool) {
	if !e.hasAsset(id) {
		return AssetInfo{}, false
	}
	a := &e.assets[id]
	return AssetInfo{
		ID: id, Symbol: a.symbol, Scale: a.scale, Kind: a.kind, Brand: a.brand,
		ExpiresAt: a.expiresAt, Expired: a.expired, Hub: a.hub,
		Deposited: a.deposited, Withdrawn: a.withdrawn,
	}, true
}

// Redemption returns a pending redemption.
func (e *Engine) Redemption(id RedemptionID) (RedemptionInfo, bool) {
	r, ok := e.redemptions[id]
	if !ok {
		return RedemptionInfo{}, false
	}
	return RedemptionInfo{ID: id, Account: r.account, Asset: r.asset, Amount: r.amount, Receipt: r.receipt}, true
}

// Market returns a market's description.
func (e *Engine) Market(id MarketID) (MarketInfo, bool) {
	m := e.market(id)
	if m == nil {
		return MarketInfo{}, false
	}
	return MarketInfo{
		ID: id, Base: m.base, Quote: m.quote, PriceScale: m.priceScale,
		Tick: m.tick, Lot: m.lot, MinSize: m.minLots * m.lot,
		MakerBps: m.makerBps, TakerBps: m.takerBps, Status: m.status,
	}, true
}

// Depth appends up to n levels of one side of a market's book, best first
// (n <= 0 means all).
func (e *Engine) Depth(id MarketID, side Side, n int, out []Level) []Level {
	m := e.market(id)
	if m == nil || side != Buy && side != Sell {
		return out
	}
	lv := m.book(side).levels
	for i := len(lv) - 1; i >= 0 && (n <= 0 || len(lv)-1-i < n); i-- {
		out = append(out, Level{Price: lv[i].ticks * m.tick, Size: lv[i].lots * m.lot, Orders: int(lv[i].count)})
	}
	return out
}

// BookOrders appends the resting orders of one side of a market in priority
// order: best price first, then time.
func (e *Engine) BookOrders(id MarketID, side Side, out []OrderInfo) []OrderInfo {
	m := e.market(id)
	if m == nil || side != Buy && side != Sell {
		return out
	}
	lv := m.book(side).levels
	for i := len(lv) - 1; i >= 0; i-- {
		for s := lv[i].head; s != noSlot; s = e.orders[s].next {
			out = append(out, e.orderInfo(s))
		}
	}
	return out
}

// Order returns a resting order.
func (e *Engine) Order(id OrderID) (OrderInfo, bool) {
	s, ok := e.lookup(id)
	if !ok {
		return OrderInfo{}, false
	}
	return e.orderInfo(s), true
}

// OrderByClientID returns account's resting order named cid (the zero
// cid names none).
func (e *Engine) OrderByClientID(account AccountID, cid ClientOrderID) (OrderInfo, bool) {
	if cid.IsZero() {
		return OrderInfo{}, false
	}
	s, ok := e.clientIDs[clientKey{account, cid}]
	if !ok {
		return OrderInfo{}, false
	}
	return e.orderInfo(s), true
}

func (e *Engine) orderInfo(s uint32) OrderInfo {
	o := &e.orders[s]
	m := &e.markets[o.market]
	return OrderInfo{
		ID: o.id, Account: o.account, Market: o.market, Side: o.side, TIF: o.tif,
		PostOnly: o.postOnly, STP: o.stp, ClientOrderID: o.clientID,
		Price: o.ticks * m.tick, Size: o.sizeLots * m.lot, Remaining: o.remLots * m.lot,
		Hold: o.hold, FeeCharged: o.feeCharged, ExpiresAt: o.expiresAt,
		MakerBps: o.makerBps, TakerBps: o.takerBps, Session: o.session,
	}
}

// Deadman returns the deadline of an account's dead-man switch for a market
// (0: its switch for every market), and whether that switch is armed.
func (e *Engine) Deadman(account AccountID, market MarketID) (expiresAt int64, armed bool) {
	return e.deadmen.get(deadmanKey{account, market})
}
