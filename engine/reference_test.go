package engine

// A naive reference model of the engine, written from the specification in
// doc.go (and the field lists in command.go and event.go), not from the
// implementation. It keeps every resting order in one plain slice, finds the
// best order by a linear scan, computes fees and holds with math/big from the
// formulas in doc.go, derives every held balance from the resting orders and
// pending withdrawals, and reports balance changes by comparing a full
// snapshot of all balances before and after each phase.
//
// Order ids: the model numbers its orders 1, 2, 3... (ref ids). The engine's
// ids are opaque, so the test keeps a bijection between the two; where
// doc.go orders things "by OrderID" (cancel-all, expiries of the same
// ExpiresAt) the model asks that bijection for the engine id (refModel.engID).
//
// Where doc.go is silent the model follows a stated convention:
//   - Rejection precedence (which code wins when several apply): for a
//     placement, static checks in the order account, market, halted, side,
//     type, STP, client id, time in force, expiry, price, amount/size,
//     duplicate client id, post-only; then for a limit order overflow,
//     balance, FOK fillability, for a market order (simulated) overflow, FOK
//     fillability, balance. For an amend: account, order, halted, price,
//     size, nothing to amend, remainder, post-only, overflow, balance. For
//     admin commands, the order of the fields in command.go.
//   - A MinSize below one lot means one lot (MarketInfo shows that).
//   - A market order's TIF must be IOC or FOK; GTC/GTD for a market order,
//     post-only with IOC/FOK and FOK by quote amount are
//     invalid_time_in_force; ExpiresAt on a non-GTD order is invalid_expiry.
//   - Amend: min size applies to the new total size; the overflow check is
//     on the new total size's notional (and a buy's need for its remainder).
//   - A market buy by quote amount that was stopped by self-trade
//     prevention reports EvOrderCanceled with Remaining 0.
//   - A batch accepts place and cancel items only; anything else is
//     invalid_command, as is an empty batch.
//   - Assets: a kind past Coupon, a Token with a Brand or Points/Coupon
//     without one are invalid_asset_kind; an unknown Brand is
//     unknown_account; an ExpiresAt on a non-coupon, or not later than the
//     clock (as for GTD), is invalid_expiry; then duplicate_asset. Hub on
//     CreateAsset is reported in EvAssetCreated (event.go lists Hub there).
//   - asset_expired comes after a command's static and duplicate checks and
//     before balance and overflow checks; for a placement it comes right after
//     unknown_market (before market_halted); creating a market on an expired
//     asset, or reopening one of its markets, is asset_expired too.
//   - Issue: unknown account (brand or customer), unknown asset, not_brand
//     (a token has no brand), asset_expired, invalid_amount, a zero Ref is
//     invalid_command, duplicate_issue, amount_overflow (lifetime deposits
//     plus issuance past MaxInt64). Redeem: account, asset, not_redeemable
//     (a token), asset_expired, invalid_amount, insufficient_balance.
//     Fulfil/reject: unknown_account, unknown_redemption, not_brand.
//     ReportSupply: unknown_asset, invalid_amount (negative); any kind.
//   - Swap: unknown_account, unknown_asset, same asset invalid_command,
//     Amount <= 0 or MinReceive < 0 invalid_amount, asset_expired, then
//     insufficient_balance ("checked before routing"), no_route,
//     insufficient_liquidity, swap_below_minimum. Legs ignore the market's MinSize (doc.go names
//     only whole lots). A leg whose walk would overflow int64 does not fill.
//     Makers filled by a leg get their EvOrderDone after their trade, as in
//     a placement.
//   - Quote: BestOut feeds the offered amount (not AmountIn) into the first
//     leg and each leg's best-price output into the next; the taker fee is
//     deducted at each leg; ImpactBps is 0 when AmountOut >= BestOut.
//   - Coupon expiry belongs to the pre-command expiry phase (one set of
//     EvBalance events after the GTD expiries and all coupon expiries);
//     several coupons due at once expire in asset id order (see
//     refCouponsByExpiresAt);
//     for each, its markets in id order: the market's EvMarketStatus
//     (only if it was open, see refHaltEvenIfHalted), then that market's orders in OrderID
//     order, then EvAssetExpired.
//   - Dead-man switches (doc.go, Dead-man switch) are a plain map from
//     (account, market) to deadline; the due ones are found by scanning it
//     and fire after the coupon expiries, in the same balance phase.
//   - Trading sessions (doc.go, Sessions) are a plain map from id to
//     account and mode; an order remembers its session id, and closing a
//     session finds its orders by scanning the book for that id (ids are
//     never reused) or, for cancel_all, for the account. A placement's
//     unknown_session comes right after unknown_account; OpenSession checks
//     account, mode, then the bound; CloseSession account, then session.
//     EvSessionClosed carries the mode; a rejection echoes Session.

import (
	"fmt"
	"math"
	"math/big"
	"sort"
)

type refBalKey struct {
	account AccountID
	asset   AssetID
}

type refAsset struct {
	symbol    Symbol
	scale     uint8
	kind      AssetKind
	brand     AccountID
	expiresAt int64
	expired   bool
	hub       bool

	deposited, issued, withdrawn       int64
	redeemedPending, redeemedFulfilled int64
	expiredUnits                       int64
	chainSupply, chainTime             int64
	chainSeq                           uint64
}

type refIssueKey struct {
	brand AccountID
	ref   Ref
}

type refRedemption struct {
	account AccountID
	asset   AssetID
	amount  int64
	pending bool
}

type refMarket struct {
	id                 MarketID
	base, quote        AssetID
	priceScale         uint8
	tick, lot, minSize int64
	k                  int64 // quote units of one lot at one tick
	makerBps, takerBps int32
	status             MarketStatus
}

type refOrder struct {
	id                 uint64
	account            AccountID
	market             MarketID
	side               Side
	typ                OrderType
	tif                TimeInForce
	postOnly           bool
	stp                SelfTradePrevention
	clientID           ClientOrderID
	price              int64 // 0 for a market order
	size, rem          int64 // base units; total (filled included) and still to fill
	makerBps, takerBps int32
	feeNum             *big.Int // sum of notional_i * bps_i over its fills
	feeCharged         int64
	expiresAt          int64
	prio               uint64 // time priority, increasing
	session            SessionID
}

type refDeadmanKey struct {
	account AccountID
	market  MarketID // 0: every market
}

type refSession struct {
	account AccountID
	mode    SessionMode
}

type refWithdrawal struct {
	account AccountID
	asset   AssetID
	amount  int64
	pending bool
}

type refModel struct {
	now     int64
	lastSeq uint64

	nAccounts   int // ids 1..nAccounts; 1 is the fee account
	assets      []refAsset
	markets     []refMarket
	avail       map[refBalKey]int64
	book        []*refOrder // every resting order, any market, any side
	withdrawals map[WithdrawalID]*refWithdrawal
	deposits    map[Ref]bool
	issues      map[refIssueKey]bool
	redemptions map[RedemptionID]*refRedemption // every one ever created
	nRedemption RedemptionID                    // the last id assigned
	deadman     map[refDeadmanKey]int64         // armed dead-man switches: their deadlines
	sessions    map[SessionID]refSession        // open trading sessions
	lastSession SessionID                       // the last session id assigned
	nextID      uint64
	nextPrio    uint64

	// engID returns the engine's id of a model order (for OrderID order).
	engID func(uint64) OrderID
	// idOrderMattered counts expiries and cancel-alls of several orders
	// whose OrderID order differed from placement order.
	idOrderMattered int
	// bigFees counts fills where an order's fee numerator passed 2^64.
	bigFees int
	// deadmenFired and deadmanCancels count dead-man switches fired and the
	// orders they cancelled.
	deadmenFired, deadmanCancels int
	// sessionsClosed and disconnectCancels count sessions closed and the
	// orders their closing cancelled; tooManySessions the refused opens.
	sessionsClosed, disconnectCancels, tooManySessions int

	// stamping of the current command
	seq  uint64
	item uint16
	out  []Event
}

func refNewModel(engID func(uint64) OrderID) *refModel {
	return &refModel{
		nAccounts:   1,
		avail:       map[refBalKey]int64{},
		withdrawals: map[WithdrawalID]*refWithdrawal{},
		deposits:    map[Ref]bool{},
		issues:      map[refIssueKey]bool{},
		redemptions: map[RedemptionID]*refRedemption{},
		deadman:     map[refDeadmanKey]int64{},
		sessions:    map[SessionID]refSession{},
		engID:       engID,
	}
}

// ---- numbers ----

var refBig10000 = big.NewInt(10000)

// refCeilFee returns ceil(num / 10000) for num >= 0.
func refCeilFee(num *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, refBig10000, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

func refFits(x *big.Int) bool { return x.IsInt64() && x.Sign() >= 0 }

// notional is (price / Tick) * (size / Lot) * notionalPerTickLot.
func (mk *refMarket) notional(price, size int64) *big.Int {
	n := big.NewInt(price / mk.tick)
	n.Mul(n, big.NewInt(size/mk.lot))
	return n.Mul(n, big.NewInt(mk.k))
}

// minimum order size in base units.
func (mk *refMarket) minimum() int64 {
	if mk.minSize < mk.lot {
		return mk.lot
	}
	return mk.minSize
}

func (m *refModel) market(id MarketID) *refMarket {
	if id == 0 || int(id) > len(m.markets) {
		return nil
	}
	return &m.markets[id-1]
}

func (m *refModel) hasAccount(id AccountID) bool { return id >= 1 && int(id) <= m.nAccounts }
func (m *refModel) hasAsset(id AssetID) bool     { return id >= 1 && int(id) <= len(m.assets) }

// payAsset is what an order of side spends (and holds) in mk.
func (mk *refMarket) payAsset(side Side) AssetID {
	if side == Buy {
		return mk.quote
	}
	return mk.base
}

// hold is exactly what a resting order holds (doc.go, Fees and holds).
func (m *refModel) hold(o *refOrder) int64 {
	if o.side == Sell {
		return o.rem
	}
	mk := m.market(o.market)
	n := mk.notional(o.price, o.rem)
	num := new(big.Int).Mul(n, big.NewInt(int64(o.makerBps)))
	num.Add(num, o.feeNum)
	h := new(big.Int).Add(n, refCeilFee(num))
	h.Sub(h, big.NewInt(o.feeCharged))
	return h.Int64()
}

// held derives an account's held amount from its resting orders and its
// pending withdrawals.
func (m *refModel) held(acct AccountID, asset AssetID) int64 {
	var h int64
	for _, o := range m.book {
		if o.account == acct && m.market(o.market).payAsset(o.side) == asset {
			h += m.hold(o)
		}
	}
	for _, w := range m.withdrawals {
		if w.pending && w.account == acct && w.asset == asset {
			h += w.amount
		}
	}
	return h
}

func (m *refModel) balance(acct AccountID, asset AssetID) (int64, int64) {
	if !m.hasAccount(acct) || !m.hasAsset(asset) {
		return 0, 0
	}
	return m.avail[refBalKey{acct, asset}], m.held(acct, asset)
}

type refSnapshot map[refBalKey][2]int64

// snapshot is every balance; it derives the held amounts as held does, in
// one pass over the book and the withdrawals.
func (m *refModel) snapshot() refSnapshot {
	held := map[refBalKey]int64{}
	for _, o := range m.book {
		held[refBalKey{o.account, m.market(o.market).payAsset(o.side)}] += m.hold(o)
	}
	for _, w := range m.withdrawals {
		if w.pending {
			held[refBalKey{w.account, w.asset}] += w.amount
		}
	}
	s := make(refSnapshot, m.nAccounts*len(m.assets))
	for a := 1; a <= m.nAccounts; a++ {
		for as := 1; as <= len(m.assets); as++ {
			k := refBalKey{AccountID(a), AssetID(as)}
			s[k] = [2]int64{m.avail[k], held[k]}
		}
	}
	return s
}

// refMark is what a phase's events are computed against: the balances and
// the depth before it.
type refMark struct {
	balances refSnapshot
	levels   map[refLevelKey]int64
}

type refLevelKey struct {
	market MarketID
	side   Side
	price  int64
}

func (m *refModel) mark() refMark { return refMark{m.snapshot(), m.depth()} }

// depth totals the resting size of every price level.
func (m *refModel) depth() map[refLevelKey]int64 {
	d := make(map[refLevelKey]int64)
	for _, o := range m.book {
		d[refLevelKey{o.market, o.side, o.price}] += o.rem
	}
	return d
}

// emitChanges reports what changed since before: every price level whose
// total differs, by market, side and price, then the balances.
func (m *refModel) emitChanges(before refMark) {
	after := m.depth()
	var keys []refLevelKey
	for k, v := range after {
		if before.levels[k] != v {
			keys = append(keys, k)
		}
	}
	for k := range before.levels {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.market != b.market {
			return a.market < b.market
		}
		if a.side != b.side {
			return a.side < b.side
		}
		return a.price < b.price
	})
	for _, k := range keys {
		ev := m.event(EvBookLevel)
		ev.Market, ev.Side, ev.Price, ev.Size = k.market, k.side, k.price, after[k]
	}
	m.emitBalances(before.balances)
}

// emitBalances reports every balance that differs from before, by account
// then asset.
func (m *refModel) emitBalances(before refSnapshot) {
	after := m.snapshot()
	keys := make([]refBalKey, 0, len(after))
	for k := range after {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].account != keys[j].account {
			return keys[i].account < keys[j].account
		}
		return keys[i].asset < keys[j].asset
	})
	for _, k := range keys {
		if after[k] != before[k] {
			ev := m.event(EvBalance)
			ev.Account, ev.Asset, ev.Available, ev.Held = k.account, k.asset, after[k][0], after[k][1]
		}
	}
}

// ---- events ----

func (m *refModel) event(kind EventKind) *Event {
	m.out = append(m.out, Event{Seq: m.seq, Time: m.now, Kind: kind, Item: m.item})
	return &m.out[len(m.out)-1]
}

func (m *refModel) reject(cmd *Command, code Code) {
	ev := m.event(EvRejected)
	ev.Cmd, ev.Code = cmd.Kind, code
	ev.Account, ev.Market, ev.Order, ev.ClientOrderID = cmd.Account, cmd.Market, cmd.Order, cmd.ClientOrderID
	ev.Session = cmd.Session
}

// ---- apply ----

// apply executes cmd (whose Order fields are model ids) and returns the
// events the specification predicts.
func (m *refModel) apply(cmd *Command) []Event {
	m.out = nil
	m.seq, m.item = cmd.Seq, 0
	if cmd.Seq <= m.lastSeq {
		m.reject(cmd, CodeStaleSequence)
		return m.out
	}
	m.lastSeq = cmd.Seq
	if cmd.Time > m.now {
		m.now = cmd.Time
	}
	// Phase 1: expiries.
	snap := m.mark()
	m.expire()
	m.expireCoupons()
	m.fireDeadmen()
	m.emitChanges(snap)
	// Phase 2: the command (a batch has a phase per item instead).
	if cmd.Kind == CmdBatch {
		m.batch(cmd)
		return m.out
	}
	snap = m.mark()
	m.dispatch(cmd)
	m.emitChanges(snap)
	return m.out
}

func (m *refModel) dispatch(cmd *Command) {
	switch cmd.Kind {
	case CmdTick:
	case CmdCreateAccount:
		m.nAccounts++
		m.event(EvAccountCreated).Account = AccountID(m.nAccounts)
	case CmdCreateAsset:
		m.createAsset(cmd)
	case CmdCreateMarket:
		m.createMarket(cmd)
	case CmdSetMarketStatus:
		mk := m.market(cmd.Market)
		switch {
		case mk == nil:
			m.reject(cmd, CodeUnknownMarket)
		case cmd.Status != Open && cmd.Status != Halted:
			m.reject(cmd, CodeInvalidStatus)
		case cmd.Status == Open && m.marketExpired(mk):
			m.reject(cmd, CodeAssetExpired)
		default:
			mk.status = cmd.Status
			ev := m.event(EvMarketStatus)
			ev.Market, ev.Status = mk.id, mk.status
		}
	case CmdSetFees:
		mk := m.market(cmd.Market)
		switch {
		case mk == nil:
			m.reject(cmd, CodeUnknownMarket)
		case !refValidFee(cmd.MakerBps) || !refValidFee(cmd.TakerBps):
			m.reject(cmd, CodeInvalidFee)
		default:
			mk.makerBps, mk.takerBps = cmd.MakerBps, cmd.TakerBps
			ev := m.event(EvFeesSet)
			ev.Market, ev.MakerBps, ev.TakerBps = mk.id, mk.makerBps, mk.takerBps
		}
	case CmdDeposit:
		m.deposit(cmd)
	case CmdWithdraw:
		m.withdraw(cmd)
	case CmdCompleteWithdrawal, CmdFailWithdrawal:
		m.settleWithdrawal(cmd)
	case CmdPlaceOrder:
		m.place(cmd)
	case CmdAmendOrder:
		m.amend(cmd)
	case CmdCancelOrder:
		m.cancel(cmd)
	case CmdCancelAll:
		m.cancelAll(cmd)
	case CmdSetHub:
		if !m.hasAsset(cmd.Asset) {
			m.reject(cmd, CodeUnknownAsset)
			return
		}
		m.assets[cmd.Asset-1].hub = cmd.Hub
		ev := m.event(EvHubSet)
		ev.Asset, ev.Hub = cmd.Asset, cmd.Hub
	case CmdSwap:
		m.swap(cmd)
	case CmdIssue:
		m.issue(cmd)
	case CmdRedeem:
		m.redeem(cmd)
	case CmdFulfilRedemption, CmdRejectRedemption:
		m.settleRedemption(cmd)
	case CmdCancelAllAfter:
		m.cancelAllAfter(cmd)
	case CmdOpenSession:
		m.openSession(cmd)
	case CmdCloseSession:
		m.closeSession(cmd)
	case CmdReportSupply:
		switch {
		case !m.hasAsset(cmd.Asset):
			m.reject(cmd, CodeUnknownAsset)
		case cmd.Amount < 0:
			m.reject(cmd, CodeInvalidAmount)
		default:
			a := &m.assets[cmd.Asset-1]
			a.chainSupply, a.chainSeq, a.chainTime = cmd.Amount, cmd.Seq, m.now
			ev := m.event(EvSupplyReported)
			ev.Asset, ev.Amount = cmd.Asset, cmd.Amount
		}
	default:
		m.reject(cmd, CodeInvalidCommand)
	}
}

func (m *refModel) batch(cmd *Command) {
	switch {
	case len(cmd.Batch) == 0:
		snap := m.mark()
		m.reject(cmd, CodeInvalidCommand)
		m.emitChanges(snap)
		return
	case len(cmd.Batch) > MaxBatchItems:
		snap := m.mark()
		m.reject(cmd, CodeBatchTooLarge)
		m.emitChanges(snap)
		return
	}
	for i := range cmd.Batch {
		m.item = uint16(i + 1)
		it := cmd.Batch[i] // a copy: the items' account is the batch's
		it.Account = cmd.Account
		snap := m.mark()
		switch it.Kind {
		case CmdPlaceOrder:
			m.place(&it)
		case CmdCancelOrder:
			m.cancel(&it)
		default:
			m.reject(&it, CodeInvalidCommand)
		}
		m.emitChanges(snap)
	}
	m.item = 0
}

func refValidFee(bps int32) bool { return bps >= 0 && bps <= MaxFeeBps }

func refValidSymbol(s Symbol) bool {
	n := 0
	for n < len(s) && s[n] != 0 {
		c := s[n]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return false
		}
		n++
	}
	for _, c := range s[n:] {
		if c != 0 {
			return false
		}
	}
	return n > 0
}

func refValidClientID(c ClientOrderID) bool {
	n := 0
	for n < len(c) && c[n] != 0 {
		if c[n] <= ' ' || c[n] > '~' {
			return false
		}
		n++
	}
	for _, b := range c[n:] {
		if b != 0 {
			return false
		}
	}
	return true
}

func (m *refModel) createAsset(cmd *Command) {
	switch {
	case !refValidSymbol(cmd.Symbol):
		m.reject(cmd, CodeInvalidCommand)
		return
	case cmd.Scale > MaxScale:
		m.reject(cmd, CodeInvalidScale)
		return
	case cmd.AssetKind != Token && cmd.AssetKind != Points && cmd.AssetKind != Coupon,
		(cmd.AssetKind == Token) != (cmd.Brand == 0):
		m.reject(cmd, CodeInvalidAssetKind)
		return
	case cmd.Brand != 0 && !m.hasAccount(cmd.Brand):
		m.reject(cmd, CodeUnknownAccount)
		return
	case cmd.ExpiresAt != 0 && (cmd.AssetKind != Coupon || cmd.ExpiresAt <= m.now):
		m.reject(cmd, CodeInvalidExpiry)
		return
	}
	for _, a := range m.assets {
		if a.symbol == cmd.Symbol {
			m.reject(cmd, CodeDuplicateAsset)
			return
		}
	}
	m.assets = append(m.assets, refAsset{symbol: cmd.Symbol, scale: cmd.Scale, kind: cmd.AssetKind,
		brand: cmd.Brand, expiresAt: cmd.ExpiresAt, hub: cmd.Hub})
	ev := m.event(EvAssetCreated)
	ev.Asset, ev.Symbol, ev.Scale = AssetID(len(m.assets)), cmd.Symbol, cmd.Scale
	ev.AssetKind, ev.Brand, ev.ExpiresAt, ev.Hub = cmd.AssetKind, cmd.Brand, cmd.ExpiresAt, cmd.Hub
	if cmd.Hub && refTolerateHubSetOnCreate {
		ev.Hub = false
		ev := m.event(EvHubSet)
		ev.Asset, ev.Hub = AssetID(len(m.assets)), true
	}
}

func (m *refModel) createMarket(cmd *Command) {
	switch {
	case !m.hasAsset(cmd.Base) || !m.hasAsset(cmd.Quote):
		m.reject(cmd, CodeUnknownAsset)
		return
	case cmd.Base == cmd.Quote:
		m.reject(cmd, CodeInvalidCommand)
		return
	case m.assets[cmd.Base-1].expired || m.assets[cmd.Quote-1].expired:
		m.reject(cmd, CodeAssetExpired)
		return
	case cmd.PriceScale > MaxScale:
		m.reject(cmd, CodeInvalidScale)
		return
	case cmd.Tick <= 0:
		m.reject(cmd, CodeInvalidTick)
		return
	case cmd.Lot <= 0:
		m.reject(cmd, CodeInvalidLot)
		return
	case cmd.MinSize < 0 || cmd.MinSize%cmd.Lot != 0:
		m.reject(cmd, CodeInvalidMinSize)
		return
	case !refValidFee(cmd.MakerBps) || !refValidFee(cmd.TakerBps):
		m.reject(cmd, CodeInvalidFee)
		return
	}
	for _, mk := range m.markets {
		// One market per pair: A/B and B/A are the same pair.
		if mk.base == cmd.Base && mk.quote == cmd.Quote || mk.base == cmd.Quote && mk.quote == cmd.Base {
			m.reject(cmd, CodeDuplicateMarket)
			return
		}
	}
	// One lot at one tick: Tick * 10^-PriceScale quote tokens per base token
	// times Lot * 10^-baseScale base tokens, in quote units (10^-quoteScale).
	num := new(big.Int).Mul(big.NewInt(cmd.Tick), big.NewInt(cmd.Lot))
	num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(m.assets[cmd.Quote-1].scale)), nil))
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cmd.PriceScale)+int64(m.assets[cmd.Base-1].scale)), nil)
	k, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() != 0 {
		m.reject(cmd, CodeTickLotNotIntegral)
		return
	}
	if !refFits(k) {
		m.reject(cmd, CodeAmountOverflow)
		return
	}
	mk := refMarket{
		id: MarketID(len(m.markets) + 1), base: cmd.Base, quote: cmd.Quote, priceScale: cmd.PriceScale,
		tick: cmd.Tick, lot: cmd.Lot, minSize: cmd.MinSize, k: k.Int64(),
		makerBps: cmd.MakerBps, takerBps: cmd.TakerBps, status: Open,
	}
	m.markets = append(m.markets, mk)
	ev := m.event(EvMarketCreated)
	ev.Market, ev.Base, ev.Quote, ev.PriceScale = mk.id, mk.base, mk.quote, mk.priceScale
	ev.Tick, ev.Lot, ev.MinSize = mk.tick, mk.lot, mk.minimum()
	ev.MakerBps, ev.TakerBps, ev.Status = mk.makerBps, mk.takerBps, mk.status
}

func (m *refModel) deposit(cmd *Command) {
	switch {
	case !m.hasAccount(cmd.Account):
		m.reject(cmd, CodeUnknownAccount)
		return
	case !m.hasAsset(cmd.Asset):
		m.reject(cmd, CodeUnknownAsset)
		return
	case cmd.Amount <= 0:
		m.reject(cmd, CodeInvalidAmount)
		return
	case cmd.Ref == Ref{}:
		m.reject(cmd, CodeInvalidCommand)
		return
	case m.deposits[cmd.Ref]:
		m.reject(cmd, CodeDuplicateDeposit)
		return
	}
	a := &m.assets[cmd.Asset-1]
	if a.expired {
		m.reject(cmd, CodeAssetExpired)
		return
	}
	if a.deposited+a.issued > math.MaxInt64-cmd.Amount {
		m.reject(cmd, CodeAmountOverflow)
		return
	}
	a.deposited += cmd.Amount
	m.deposits[cmd.Ref] = true
	m.avail[refBalKey{cmd.Account, cmd.Asset}] += cmd.Amount
	ev := m.event(EvDeposited)
	ev.Account, ev.Asset, ev.Amount, ev.Ref = cmd.Account, cmd.Asset, cmd.Amount, cmd.Ref
}

func (m *refModel) withdraw(cmd *Command) {
	switch {
	case !m.hasAccount(cmd.Account):
		m.reject(cmd, CodeUnknownAccount)
		return
	case !m.hasAsset(cmd.Asset):
		m.reject(cmd, CodeUnknownAsset)
		return
	case cmd.Amount <= 0:
		m.reject(cmd, CodeInvalidAmount)
		return
	case cmd.Withdrawal == 0:
		m.reject(cmd, CodeInvalidCommand)
		return
	}
	if _, dup := m.withdrawals[cmd.Withdrawal]; dup {
		m.reject(cmd, CodeDuplicateWithdrawal)
		return
	}
	if m.assets[cmd.Asset-1].expired {
		m.reject(cmd, CodeAssetExpired)
		return
	}
	k := refBalKey{cmd.Account, cmd.Asset}
	if m.avail[k] < cmd.Amount {
		m.reject(cmd, CodeInsufficientBalance)
		return
	}
	m.avail[k] -= cmd.Amount
	m.withdrawals[cmd.Withdrawal] = &refWithdrawal{account: cmd.Account, asset: cmd.Asset, amount: cmd.Amount, pending: true}
	ev := m.event(EvWithdrawalHeld)
	ev.Account, ev.Asset, ev.Amount, ev.Withdrawal = cmd.Account, cmd.Asset, cmd.Amount, cmd.Withdrawal
}

func (m *refModel) settleWithdrawal(cmd *Command) {
	w := m.withdrawals[cmd.Withdrawal]
	if w == nil || !w.pending {
		m.reject(cmd, CodeUnknownWithdrawal)
		return
	}
	w.pending = false
	kind := EvWithdrawalFailed
	if cmd.Kind == CmdCompleteWithdrawal {
		m.assets[w.asset-1].withdrawn += w.amount
		kind = EvWithdrawalCompleted
	} else if m.assets[w.asset-1].expired { // the refund is breakage
		m.assets[w.asset-1].expiredUnits += w.amount
	} else {
		m.avail[refBalKey{w.account, w.asset}] += w.amount
	}
	ev := m.event(kind)
	ev.Account, ev.Asset, ev.Amount, ev.Withdrawal = w.account, w.asset, w.amount, cmd.Withdrawal
}

// ---- the book ----

func refBetter(side Side, a, b *refOrder) bool {
	if a.price != b.price {
		if side == Buy {
			return a.price > b.price
		}
		return a.price < b.price
	}
	return a.prio < b.prio
}

// sideOrders returns one side of a market's book in priority order.
func (m *refModel) sideOrders(mid MarketID, side Side) []*refOrder {
	var os []*refOrder
	for _, o := range m.book {
		if o.market == mid && o.side == side {
			os = append(os, o)
		}
	}
	sort.SliceStable(os, func(i, j int) bool { return refBetter(side, os[i], os[j]) })
	return os
}

// best returns the best resting order of side in market mid, or nil.
func (m *refModel) best(mid MarketID, side Side) *refOrder {
	var b *refOrder
	for _, o := range m.book {
		if o.market == mid && o.side == side && (b == nil || refBetter(side, o, b)) {
			b = o
		}
	}
	return b
}

func refOpposite(s Side) Side {
	if s == Buy {
		return Sell
	}
	return Buy
}

// refReaches reports whether an order of side with limit price may trade
// with a maker at makerPrice (limit 0: a market order, any price).
func refReaches(side Side, limit, makerPrice int64) bool {
	switch {
	case limit == 0:
		return true
	case side == Buy:
		return makerPrice <= limit
	default:
		return makerPrice >= limit
	}
}

func (m *refModel) find(id uint64) *refOrder {
	for _, o := range m.book {
		if o.id == id {
			return o
		}
	}
	return nil
}

func (m *refModel) remove(o *refOrder) {
	for i, x := range m.book {
		if x == o {
			m.book = append(m.book[:i:i], m.book[i+1:]...)
			return
		}
	}
	panic("ref: removing an order that does not rest")
}

// rest puts o at the back of its level, moving its hold out of available.
func (m *refModel) rest(o *refOrder) {
	o.prio = m.nextPrio
	m.nextPrio++
	m.book = append(m.book, o)
	mk := m.market(o.market)
	m.avail[refBalKey{o.account, mk.payAsset(o.side)}] -= m.hold(o)
}

// takeOff removes a resting order and returns its hold to available, and
// reports it as canceled (with reason) or expired.
func (m *refModel) takeOff(o *refOrder, kind EventKind, reason CancelReason) {
	mk := m.market(o.market)
	m.avail[refBalKey{o.account, mk.payAsset(o.side)}] += m.hold(o)
	m.remove(o)
	ev := m.event(kind)
	ev.Account, ev.Market, ev.Order, ev.Side, ev.Remaining = o.account, o.market, OrderID(o.id), o.side, o.rem
	if kind == EvOrderCanceled {
		ev.Reason = reason
	}
}

func (m *refModel) noteIDOrder(os []*refOrder) {
	for i := 1; i < len(os); i++ {
		if os[i].id < os[i-1].id {
			m.idOrderMattered++
			return
		}
	}
}

func (m *refModel) expire() {
	var due []*refOrder
	for _, o := range m.book {
		if o.tif == GTD && o.expiresAt <= m.now {
			due = append(due, o)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if due[i].expiresAt != due[j].expiresAt {
			return due[i].expiresAt < due[j].expiresAt
		}
		return m.engID(due[i].id) < m.engID(due[j].id)
	})
	m.noteIDOrder(due)
	for _, o := range due {
		m.takeOff(o, EvOrderExpired, 0)
	}
}

// ---- matching ----

// refTaker is an order while it takes liquidity.
type refTaker struct {
	o        *refOrder // its record: id, account, side, price (0: market), rem, rates and fee state
	byQuote  bool
	budget   int64 // quote still to spend (by quote amount)
	filled   int64 // base units
	notional *big.Int
	stopped  bool // by self-trade prevention
	overflow bool
	// budgetOut: a by-quote walk stopped because its budget cannot pay for
	// one more lot at the next price (not because the book ran out).
	budgetOut bool
}

// cost is what buying n more quote units of notional costs t, fees included.
func (t *refTaker) cost(n *big.Int) *big.Int {
	num := new(big.Int).Mul(n, big.NewInt(int64(t.o.takerBps)))
	num.Add(num, t.o.feeNum)
	c := new(big.Int).Add(n, refCeilFee(num))
	return c.Sub(c, big.NewInt(t.o.feeCharged))
}

func (t *refTaker) affords(mk *refMarket, price, size int64) bool {
	return t.cost(mk.notional(price, size)).Cmp(big.NewInt(t.budget)) <= 0
}

// walk matches t against the book in priority order.
func (m *refModel) walk(mk *refMarket, t *refTaker) {
	// Nothing enters the book during a walk, so the priority order of what is
	// left stays that of this snapshot.
	for _, mo := range m.sideOrders(mk.id, refOpposite(t.o.side)) {
		if !t.byQuote && t.o.rem == 0 {
			return
		}
		if !refReaches(t.o.side, t.o.price, mo.price) {
			return
		}
		if t.byQuote {
			if !refFits(mk.notional(mo.price, mk.lot)) {
				t.overflow = true
				return
			}
			// It stops when it cannot pay for one more lot, before meeting
			// anyone: a stopped order has no self trade to prevent.
			if !t.affords(mk, mo.price, mk.lot) {
				t.budgetOut = true
				return
			}
		}
		if mo.account == t.o.account {
			switch t.o.stp {
			case CancelMaker:
				m.takeOff(mo, EvOrderCanceled, ReasonSelfTrade)
				continue
			case CancelBoth:
				m.takeOff(mo, EvOrderCanceled, ReasonSelfTrade)
			}
			t.stopped = true
			return
		}
		var size int64
		if t.byQuote {
			// The most whole lots, up to the maker's, it can pay for. The cost
			// of n lots never decreases with n, so bisect on the lot count.
			lo, hi := int64(0), mo.rem/mk.lot
			for lo < hi {
				mid := hi - (hi-lo)/2
				if t.affords(mk, mo.price, mid*mk.lot) {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			if size = lo * mk.lot; size == 0 {
				t.budgetOut = true
				return
			}
			if lo < mo.rem/mk.lot { // the next lot is this maker's, unaffordable
				t.budgetOut = true
			}
		} else {
			size = min(t.o.rem, mo.rem)
		}
		n := mk.notional(mo.price, size)
		total := new(big.Int).Add(t.notional, n)
		if !refFits(n) || !refFits(total) {
			t.overflow = true
			return
		}
		m.trade(mk, t, mo, size, n.Int64())
	}
}

// trade fills size (notional n) between taker t and maker mo at mo's price.
func (m *refModel) trade(mk *refMarket, t *refTaker, mo *refOrder, size, n int64) {
	bn := big.NewInt(n)
	// Taker fee: the increase of ceil(feeNum / 10000).
	t.o.feeNum.Add(t.o.feeNum, new(big.Int).Mul(bn, big.NewInt(int64(t.o.takerBps))))
	c := refCeilFee(t.o.feeNum).Int64()
	takerFee := c - t.o.feeCharged
	t.o.feeCharged = c

	holdBefore := m.hold(mo)
	mo.feeNum.Add(mo.feeNum, new(big.Int).Mul(bn, big.NewInt(int64(mo.makerBps))))
	c = refCeilFee(mo.feeNum).Int64()
	makerFee := c - mo.feeCharged
	mo.feeCharged = c
	mo.rem -= size
	holdAfter := m.hold(mo)

	if t.o.feeNum.BitLen() > 64 || mo.feeNum.BitLen() > 64 {
		m.bigFees++
	}
	ta, ma := t.o.account, mo.account
	if t.o.side == Buy {
		m.avail[refBalKey{ta, mk.quote}] -= n + takerFee
		m.avail[refBalKey{ta, mk.base}] += size
		// The maker (a sell) pays size out of its hold.
		m.avail[refBalKey{ma, mk.base}] += holdBefore - holdAfter - size
		m.avail[refBalKey{ma, mk.quote}] += n - makerFee
	} else {
		m.avail[refBalKey{ta, mk.base}] -= size
		m.avail[refBalKey{ta, mk.quote}] += n - takerFee
		// The maker (a buy) pays n + its fee out of its hold.
		m.avail[refBalKey{ma, mk.quote}] += holdBefore - holdAfter - (n + makerFee)
		m.avail[refBalKey{ma, mk.base}] += size
	}
	m.avail[refBalKey{FeeAccount, mk.quote}] += takerFee + makerFee

	if !t.byQuote {
		t.o.rem -= size
	}
	t.filled += size
	t.notional.Add(t.notional, bn)
	t.budget -= n + takerFee

	ev := m.event(EvTrade)
	ev.Market, ev.Price, ev.Size, ev.Amount, ev.Side = mk.id, mo.price, size, n, t.o.side
	ev.Account, ev.Order, ev.Fee = ta, OrderID(t.o.id), takerFee
	ev.MakerAccount, ev.MakerOrder, ev.MakerFee = ma, OrderID(mo.id), makerFee
	if mo.rem == 0 {
		m.remove(mo)
		ev := m.event(EvOrderDone)
		ev.Account, ev.Market, ev.Order, ev.Side, ev.Size = ma, mk.id, OrderID(mo.id), mo.side, mo.size
	}
}

// finish ends a taker's walk: done, canceled, or resting.
func (m *refModel) finish(mk *refMarket, t *refTaker) {
	o := t.o
	switch {
	case t.byQuote && !t.stopped:
		ev := m.event(EvOrderDone)
		ev.Account, ev.Market, ev.Order, ev.Side = o.account, mk.id, OrderID(o.id), o.side
		ev.Size, ev.Amount = t.filled, t.notional.Int64()+o.feeCharged
	case !t.byQuote && o.rem == 0:
		ev := m.event(EvOrderDone)
		ev.Account, ev.Market, ev.Order, ev.Side, ev.Size = o.account, mk.id, OrderID(o.id), o.side, o.size
	case t.stopped || o.typ == Market || o.tif == IOC || o.tif == FOK:
		ev := m.event(EvOrderCanceled)
		ev.Account, ev.Market, ev.Order, ev.Side = o.account, mk.id, OrderID(o.id), o.side
		ev.Remaining, ev.Reason = o.rem, ReasonUnfilled
		if t.stopped {
			ev.Reason = ReasonSelfTrade
		}
	default:
		m.rest(o)
	}
}

// clone copies the model deeply enough to run a simulation on it.
func (m *refModel) clone() *refModel {
	c := *m
	c.avail = map[refBalKey]int64{}
	for k, v := range m.avail {
		c.avail[k] = v
	}
	c.book = make([]*refOrder, len(m.book))
	for i, o := range m.book {
		oc := *o
		oc.feeNum = new(big.Int).Set(o.feeNum)
		c.book[i] = &oc
	}
	c.markets = append([]refMarket(nil), m.markets...)
	c.assets = append([]refAsset(nil), m.assets...)
	c.withdrawals = map[WithdrawalID]*refWithdrawal{}
	for k, w := range m.withdrawals {
		wc := *w
		c.withdrawals[k] = &wc
	}
	c.deadman = map[refDeadmanKey]int64{}
	for k, at := range m.deadman {
		c.deadman[k] = at
	}
	c.sessions = map[SessionID]refSession{}
	for k, v := range m.sessions {
		c.sessions[k] = v
	}
	c.out = nil
	return &c
}

// simulate runs the taker on a copy of the model: what the walk would do
// (FOK and market simulations, doc.go: own orders are skipped for
// CancelMaker, and stop the walk otherwise, exactly as in a live walk).
func (m *refModel) simulate(mk *refMarket, t refTaker) refTaker {
	c := m.clone()
	oc := *t.o
	oc.feeNum = new(big.Int).Set(t.o.feeNum)
	t.o = &oc
	t.notional = new(big.Int).Set(t.notional)
	c.walk(c.market(mk.id), &t)
	return t
}

// ---- placement ----

func (m *refModel) placeCheck(cmd *Command) (*refMarket, Code) {
	if !m.hasAccount(cmd.Account) {
		return nil, CodeUnknownAccount
	}
	if s, ok := m.sessions[cmd.Session]; cmd.Session != 0 && (!ok || s.account != cmd.Account) {
		return nil, CodeUnknownSession
	}
	mk := m.market(cmd.Market)
	switch {
	case mk == nil:
		return nil, CodeUnknownMarket
	case m.marketExpired(mk):
		return nil, CodeAssetExpired
	case mk.status != Open:
		return nil, CodeMarketHalted
	case cmd.Side != Buy && cmd.Side != Sell:
		return nil, CodeInvalidSide
	case cmd.Type != Limit && cmd.Type != Market:
		return nil, CodeInvalidOrderType
	case cmd.STP != CancelTaker && cmd.STP != CancelMaker && cmd.STP != CancelBoth:
		return nil, CodeInvalidSelfTradePrevention
	case !refValidClientID(cmd.ClientOrderID):
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
	if cmd.TIF == GTD && cmd.ExpiresAt <= m.now || cmd.TIF != GTD && cmd.ExpiresAt != 0 {
		return nil, CodeInvalidExpiry
	}
	if cmd.Type == Limit {
		switch {
		case cmd.Price <= 0:
			return nil, CodeInvalidPrice
		case cmd.Price%mk.tick != 0:
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
	} else if code := refCheckSize(mk, cmd.Size); code != OK {
		return nil, code
	}
	if !cmd.ClientOrderID.IsZero() {
		for _, o := range m.book {
			if o.account == cmd.Account && o.clientID == cmd.ClientOrderID {
				return nil, CodeDuplicateClientOrderID
			}
		}
	}
	if cmd.PostOnly {
		if b := m.best(mk.id, refOpposite(cmd.Side)); b != nil && refReaches(cmd.Side, cmd.Price, b.price) {
			return nil, CodePostOnlyWouldCross
		}
	}
	return mk, OK
}

func refCheckSize(mk *refMarket, size int64) Code {
	switch {
	case size <= 0:
		return CodeInvalidSize
	case size%mk.lot != 0:
		return CodeSizeOffLot
	case size < mk.minimum():
		return CodeSizeBelowMinimum
	}
	return OK
}

func (m *refModel) place(cmd *Command) {
	mk, code := m.placeCheck(cmd)
	if code != OK {
		m.reject(cmd, code)
		return
	}
	o := &refOrder{
		account: cmd.Account, market: mk.id, side: cmd.Side, typ: cmd.Type, tif: cmd.TIF,
		postOnly: cmd.PostOnly, stp: cmd.STP, clientID: cmd.ClientOrderID,
		price: cmd.Price, size: cmd.Size, rem: cmd.Size,
		makerBps: mk.makerBps, takerBps: mk.takerBps, feeNum: new(big.Int), expiresAt: cmd.ExpiresAt,
		session: cmd.Session,
	}
	t := refTaker{o: o, notional: new(big.Int)}
	if cmd.QuoteAmount != 0 {
		t.byQuote, t.budget = true, cmd.QuoteAmount
	}
	avail := m.avail[refBalKey{cmd.Account, mk.payAsset(cmd.Side)}]
	if cmd.Type == Limit {
		// The notional of any order must fit; a limit buy needs its
		// notional plus the worse of its two fee rates.
		n := mk.notional(cmd.Price, cmd.Size)
		need := new(big.Int).Set(n)
		if cmd.Side == Buy {
			fee := refCeilFee(new(big.Int).Mul(n, big.NewInt(int64(max(mk.makerBps, mk.takerBps)))))
			need.Add(need, fee)
		} else {
			need.SetInt64(cmd.Size)
		}
		if !refFits(n) || !refFits(need) {
			m.reject(cmd, CodeAmountOverflow)
			return
		}
		if avail < need.Int64() {
			m.reject(cmd, CodeInsufficientBalance)
			return
		}
		if cmd.TIF == FOK {
			sim := m.simulate(mk, t)
			switch {
			case sim.overflow:
				m.reject(cmd, CodeAmountOverflow)
				return
			case sim.o.rem != 0:
				m.reject(cmd, CodeFOKUnfillable)
				return
			}
		}
	} else {
		sim := m.simulate(mk, t)
		switch {
		case sim.overflow:
			m.reject(cmd, CodeAmountOverflow)
			return
		case cmd.TIF == FOK && sim.o.rem != 0:
			m.reject(cmd, CodeFOKUnfillable)
			return
		}
		need := new(big.Int)
		if cmd.Side == Buy {
			need.Add(sim.notional, big.NewInt(sim.o.feeCharged))
		} else {
			need.SetInt64(sim.filled)
		}
		if !refFits(need) {
			m.reject(cmd, CodeAmountOverflow)
			return
		}
		if avail < need.Int64() {
			m.reject(cmd, CodeInsufficientBalance)
			return
		}
	}

	m.nextID++
	o.id = m.nextID
	ev := m.event(EvOrderAccepted)
	ev.Account, ev.Market, ev.Order, ev.ClientOrderID = o.account, mk.id, OrderID(o.id), o.clientID
	ev.Side, ev.Type, ev.TIF, ev.PostOnly, ev.STP = o.side, cmd.Type, o.tif, o.postOnly, o.stp
	ev.Price, ev.Size, ev.Amount, ev.ExpiresAt = cmd.Price, cmd.Size, cmd.QuoteAmount, cmd.ExpiresAt
	ev.MakerBps, ev.TakerBps, ev.Session = o.makerBps, o.takerBps, o.session

	m.walk(mk, &t)
	if t.overflow {
		panic("ref: live walk overflowed after its checks passed")
	}
	m.finish(mk, &t)
}

// ---- cancel and amend ----

// findOwn finds the resting order a cancel or amend names.
func (m *refModel) findOwn(cmd *Command) (*refOrder, Code) {
	if !m.hasAccount(cmd.Account) {
		return nil, CodeUnknownAccount
	}
	for _, o := range m.book {
		if o.account != cmd.Account {
			continue
		}
		if cmd.Order != 0 && o.id == uint64(cmd.Order) ||
			cmd.Order == 0 && !cmd.ClientOrderID.IsZero() && o.clientID == cmd.ClientOrderID {
			return o, OK
		}
	}
	return nil, CodeUnknownOrder
}

func (m *refModel) cancel(cmd *Command) {
	o, code := m.findOwn(cmd)
	if code != OK {
		m.reject(cmd, code)
		return
	}
	m.takeOff(o, EvOrderCanceled, ReasonRequested)
}

func (m *refModel) cancelAll(cmd *Command) {
	switch {
	case !m.hasAccount(cmd.Account):
		m.reject(cmd, CodeUnknownAccount)
		return
	case cmd.Market != 0 && m.market(cmd.Market) == nil:
		m.reject(cmd, CodeUnknownMarket)
		return
	}
	var os []*refOrder
	for _, o := range m.book {
		if o.account == cmd.Account && (cmd.Market == 0 || o.market == cmd.Market) {
			os = append(os, o)
		}
	}
	sort.Slice(os, func(i, j int) bool { return m.engID(os[i].id) < m.engID(os[j].id) })
	m.noteIDOrder(os)
	for _, o := range os {
		m.takeOff(o, EvOrderCanceled, ReasonRequested)
	}
}

func (m *refModel) amend(cmd *Command) {
	o, code := m.findOwn(cmd)
	if code != OK {
		m.reject(cmd, code)
		return
	}
	mk := m.market(o.market)
	if mk.status != Open {
		m.reject(cmd, CodeMarketHalted)
		return
	}
	price, size := o.price, o.size
	if cmd.Price != 0 {
		switch {
		case cmd.Price < 0:
			m.reject(cmd, CodeInvalidPrice)
			return
		case cmd.Price%mk.tick != 0:
			m.reject(cmd, CodePriceOffTick)
			return
		}
		price = cmd.Price
	}
	if cmd.Size != 0 {
		if code := refCheckSize(mk, cmd.Size); code != OK {
			m.reject(cmd, code)
			return
		}
		size = cmd.Size
	}
	rem := size - (o.size - o.rem)
	switch {
	case price == o.price && size == o.size:
		m.reject(cmd, CodeNothingToAmend)
		return
	case rem <= 0:
		m.reject(cmd, CodeInvalidSize)
		return
	}
	b := m.best(mk.id, refOpposite(o.side))
	if o.postOnly && price != o.price && b != nil && refReaches(o.side, price, b.price) {
		m.reject(cmd, CodePostOnlyWouldCross)
		return
	}
	// The amended order's notional (price x its new total size) must fit,
	// and so must what a buy needs for its remainder.
	n := mk.notional(price, size)
	need := big.NewInt(rem)
	if o.side == Buy {
		nr := mk.notional(price, rem)
		num := new(big.Int).Mul(nr, big.NewInt(int64(max(o.makerBps, o.takerBps))))
		num.Add(num, o.feeNum)
		need = new(big.Int).Add(nr, refCeilFee(num))
		need.Sub(need, big.NewInt(o.feeCharged))
	}
	if !refFits(n) || !refFits(need) {
		m.reject(cmd, CodeAmountOverflow)
		return
	}
	// Keeping its place (a smaller size at the same price) only releases
	// funds; losing it needs what a placement of the new remainder needs, out
	// of available plus what the order holds now.
	key := refBalKey{o.account, mk.payAsset(o.side)}
	requeue := price != o.price || size > o.size
	if requeue && need.Int64() > m.avail[key]+m.hold(o) {
		m.reject(cmd, CodeInsufficientBalance)
		return
	}
	if !requeue {
		before := m.hold(o)
		o.size, o.rem = size, rem
		m.avail[key] += before - m.hold(o)
		m.amended(o, false)
		return
	}
	m.avail[key] += m.hold(o)
	m.remove(o)
	o.price, o.size, o.rem = price, size, rem
	m.amended(o, true)
	t := refTaker{o: o, notional: new(big.Int)}
	m.walk(mk, &t)
	if t.overflow {
		panic("ref: amend walk overflowed")
	}
	m.finish(mk, &t)
}

func (m *refModel) amended(o *refOrder, requeued bool) {
	ev := m.event(EvOrderAmended)
	ev.Account, ev.Market, ev.Order, ev.Side, ev.Requeued = o.account, o.market, OrderID(o.id), o.side, requeued
	ev.Price, ev.Size, ev.Remaining = o.price, o.size, o.rem
}

// dump describes the model's state, for failure messages.
func (m *refModel) dump() string {
	s := fmt.Sprintf("model state (now=%d lastSeq=%d):\n", m.now, m.lastSeq)
	for _, mk := range m.markets {
		s += fmt.Sprintf("  market %d: base=%d quote=%d priceScale=%d tick=%d lot=%d min=%d k=%d maker=%d taker=%d %v\n",
			mk.id, mk.base, mk.quote, mk.priceScale, mk.tick, mk.lot, mk.minimum(), mk.k, mk.makerBps, mk.takerBps, mk.status)
		for _, side := range []Side{Sell, Buy} {
			for _, o := range m.sideOrders(mk.id, side) {
				s += fmt.Sprintf("    #%d %v acct=%d %v post=%v stp=%v price=%d size=%d rem=%d bps=%d/%d feeNum=%v feeCharged=%d hold=%d exp=%d cid=%q\n",
					o.id, o.side, o.account, o.tif, o.postOnly, o.stp, o.price, o.size, o.rem, o.makerBps, o.takerBps,
					o.feeNum, o.feeCharged, m.hold(o), o.expiresAt, o.clientID.String())
			}
		}
	}
	for a := 1; a <= m.nAccounts; a++ {
		s += fmt.Sprintf("  account %d:", a)
		for as := 1; as <= len(m.assets); as++ {
			av, h := m.balance(AccountID(a), AssetID(as))
			s += fmt.Sprintf(" asset%d=%d/%d", as, av, h)
		}
		s += "\n"
	}
	var keys []refDeadmanKey
	for k := range m.deadman {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].account < keys[j].account || keys[i].account == keys[j].account && keys[i].market < keys[j].market
	})
	for _, k := range keys {
		s += fmt.Sprintf("  dead-man switch: account %d market %d at %d\n", k.account, k.market, m.deadman[k])
	}
	for _, id := range m.sessionIDs() {
		s += fmt.Sprintf("  session %d: account %d %v\n", id, m.sessions[id].account, m.sessions[id].mode)
	}
	s += fmt.Sprintf("  last session id: %d\n", m.lastSession)
	return s
}

// ---- swaps (doc.go, Swaps) ----

// refTolerateHubSetOnCreate tolerates a known engine bug (see the report):
// CreateAsset with Hub reports EvAssetCreated with Hub false followed by an
// EvHubSet, where event.go lists Hub among EvAssetCreated's fields. Set it
// to false to check doc.go's behaviour.
var refTolerateHubSetOnCreate = false

// refSwapBalanceFirst makes insufficient_balance win over the routing codes
// and swap_below_minimum, as doc.go says ("checked before routing"); when
// false it comes last.
var refSwapBalanceFirst = true

// refCouponsByExpiresAt: coupons due at the same command expire in ExpiresAt
// order (as GTD orders do), then asset id. When false, in asset id order (the
// engine's choice; doc.go does not say).
var refCouponsByExpiresAt = false

// refHaltEvenIfHalted: a coupon's expiry reports EvMarketStatus for each of
// its markets, even one already halted (a literal reading of "each of its
// markets is halted (EvMarketStatus)"). When false, only markets that were
// open report it (the engine's reading; doc.go does not settle it).
var refHaltEvenIfHalted = false

func (m *refModel) marketExpired(mk *refMarket) bool {
	return m.assets[mk.base-1].expired || m.assets[mk.quote-1].expired
}

// pairMarket returns the market between a and b (either is its base), or nil.
func (m *refModel) pairMarket(a, b AssetID) *refMarket {
	for i := range m.markets {
		mk := &m.markets[i]
		if mk.base == a && mk.quote == b || mk.base == b && mk.quote == a {
			return mk
		}
	}
	return nil
}

// openPair is pairMarket if that market is open.
func (m *refModel) openPair(a, b AssetID) *refMarket {
	if mk := m.pairMarket(a, b); mk != nil && mk.status == Open {
		return mk
	}
	return nil
}

// legTaker is a leg's market order: sell whole lots of the base, or buy by
// quote amount; CancelTaker; the market's taker rate; order id 0.
func (m *refModel) legTaker(mk *refMarket, acct AccountID, from AssetID, in int64) refTaker {
	o := &refOrder{account: acct, market: mk.id, typ: Market, tif: IOC, stp: CancelTaker,
		makerBps: mk.makerBps, takerBps: mk.takerBps, feeNum: new(big.Int)}
	t := refTaker{o: o, notional: new(big.Int)}
	if from == mk.base {
		o.side = Sell
		o.size = in / mk.lot * mk.lot
		o.rem = o.size
	} else {
		o.side = Buy
		t.byQuote, t.budget = true, in
	}
	return t
}

// legResult describes a leg's walk (simulated or live).
func legResult(mk *refMarket, t *refTaker) Leg {
	leg := Leg{Market: mk.id, Side: t.o.side, Fee: t.o.feeCharged}
	if t.overflow {
		return Leg{Market: mk.id, Side: t.o.side}
	}
	n := t.notional.Int64()
	if t.o.side == Sell {
		leg.In, leg.Out = t.filled, n-t.o.feeCharged
		leg.Filled = t.o.rem == 0
	} else {
		leg.In, leg.Out = n+t.o.feeCharged, t.filled
		leg.Filled = t.budgetOut || t.budget == 0
	}
	leg.Filled = leg.Filled && !t.stopped
	return leg
}

func (m *refModel) simLeg(mk *refMarket, acct AccountID, from AssetID, in int64) Leg {
	t := m.legTaker(mk, acct, from, in)
	if in > 0 {
		t = m.simulate(mk, t)
	}
	return legResult(mk, &t)
}

// quoteCheck is the static part of Quote and Swap.
func (m *refModel) quoteCheck(from, to AssetID, amount int64) Code {
	switch {
	case !m.hasAsset(from) || !m.hasAsset(to):
		return CodeUnknownAsset
	case from == to:
		return CodeInvalidCommand
	case amount <= 0:
		return CodeInvalidAmount
	}
	return OK
}

// route simulates every route and returns the best; bestOK is false when
// BestOut does not fit int64 (BestOut and ImpactBps are then not set).
func (m *refModel) route(acct AccountID, from, to AssetID, amount int64) (q Quote, code Code, bestOK bool) {
	type cand struct {
		hub AssetID
		mks []*refMarket
	}
	var cands []cand
	if mk := m.openPair(from, to); mk != nil {
		cands = append(cands, cand{0, []*refMarket{mk}})
	}
	for i := range m.assets {
		h := AssetID(i + 1)
		if !m.assets[i].hub || m.assets[i].expired || h == from || h == to {
			continue
		}
		m1, m2 := m.openPair(from, h), m.openPair(h, to)
		if m1 != nil && m2 != nil {
			cands = append(cands, cand{h, []*refMarket{m1, m2}})
		}
	}
	if len(cands) == 0 {
		return Quote{}, CodeNoRoute, true
	}
	found := false
	for _, c := range cands {
		r := Quote{From: from, To: to, Hub: c.hub, NumLegs: len(c.mks)}
		in, asset, ok := amount, from, true
		for i, mk := range c.mks {
			r.Legs[i] = m.simLeg(mk, acct, asset, in)
			ok = ok && r.Legs[i].Filled
			in = r.Legs[i].Out
			asset = mk.base + mk.quote - asset
		}
		r.AmountIn, r.AmountOut = r.Legs[0].In, r.Legs[r.NumLegs-1].Out
		if r.NumLegs == 2 {
			r.HubLeft = r.Legs[0].Out - r.Legs[1].In
		}
		// Ties: the direct route comes first, then hubs by increasing id.
		if ok && r.AmountOut > 0 && (!found || r.AmountOut > q.AmountOut) {
			q, found = r, true
		}
	}
	if !found {
		return Quote{}, CodeInsufficientLiquidity, true
	}
	q.Unspent = amount - q.AmountIn
	// BestOut: every lot at each leg's best price, no depth limit.
	best := big.NewInt(amount)
	for i := 0; i < q.NumLegs; i++ {
		mk := m.market(q.Legs[i].Market)
		bo := m.best(mk.id, refOpposite(q.Legs[i].Side))
		if bo == nil {
			best.SetInt64(0)
			break
		}
		unit := mk.notional(bo.price, mk.lot)
		bps := big.NewInt(int64(mk.takerBps))
		if q.Legs[i].Side == Sell {
			n := new(big.Int).Mul(new(big.Int).Quo(best, big.NewInt(mk.lot)), unit)
			best = n.Sub(n, refCeilFee(new(big.Int).Mul(n, bps)))
		} else {
			// The most lots L with L*unit + ceil(L*unit*bps/10000) <= in,
			// that is L*unit*(10000+bps) <= in*10000.
			den := new(big.Int).Mul(unit, new(big.Int).Add(bps, refBig10000))
			l := new(big.Int).Quo(new(big.Int).Mul(best, refBig10000), den)
			best = l.Mul(l, big.NewInt(mk.lot))
		}
	}
	if !refFits(best) {
		return q, OK, false
	}
	q.BestOut = best.Int64()
	if q.BestOut > 0 && q.AmountOut < q.BestOut {
		num := new(big.Int).Mul(big.NewInt(q.BestOut-q.AmountOut), refBig10000)
		qq, r := new(big.Int).QuoRem(num, best, new(big.Int))
		if r.Sign() > 0 {
			qq.Add(qq, big.NewInt(1))
		}
		q.ImpactBps = qq.Int64()
	}
	return q, OK, true
}

// quote is what Engine.Quote should return.
func (m *refModel) quote(acct AccountID, from, to AssetID, amount int64) (Quote, Code, bool) {
	if code := m.quoteCheck(from, to, amount); code != OK {
		return Quote{}, code, true
	}
	if m.assets[from-1].expired || m.assets[to-1].expired {
		return Quote{}, CodeAssetExpired, true
	}
	return m.route(acct, from, to, amount)
}

func (m *refModel) swap(cmd *Command) {
	if !m.hasAccount(cmd.Account) {
		m.reject(cmd, CodeUnknownAccount)
		return
	}
	code := m.quoteCheck(cmd.Asset, cmd.ToAsset, cmd.Amount)
	if code == OK && cmd.MinReceive < 0 {
		code = CodeInvalidAmount
	}
	if code == OK && (m.assets[cmd.Asset-1].expired || m.assets[cmd.ToAsset-1].expired) {
		code = CodeAssetExpired
	}
	if code != OK {
		m.reject(cmd, code)
		return
	}
	short := m.avail[refBalKey{cmd.Account, cmd.Asset}] < cmd.Amount
	if short && refSwapBalanceFirst {
		m.reject(cmd, CodeInsufficientBalance)
		return
	}
	q, code, _ := m.route(cmd.Account, cmd.Asset, cmd.ToAsset, cmd.Amount)
	switch {
	case code != OK:
	case q.AmountOut < cmd.MinReceive:
		code = CodeSwapBelowMinimum
	case short:
		code = CodeInsufficientBalance
	}
	if code != OK {
		m.reject(cmd, code)
		return
	}
	in, asset := cmd.Amount, cmd.Asset
	for i := 0; i < q.NumLegs; i++ {
		mk := m.market(q.Legs[i].Market)
		t := m.legTaker(mk, cmd.Account, asset, in)
		m.walk(mk, &t)
		if got := legResult(mk, &t); got != q.Legs[i] {
			panic(fmt.Sprintf("ref: swap leg %d executed as %+v, simulated %+v", i, got, q.Legs[i]))
		}
		in, asset = q.Legs[i].Out, mk.base+mk.quote-asset
	}
	ev := m.event(EvSwapped)
	ev.Account, ev.Asset, ev.ToAsset, ev.HubAsset = cmd.Account, cmd.Asset, cmd.ToAsset, q.Hub
	ev.Amount, ev.Remaining, ev.AmountOut, ev.HubLeft = q.AmountIn, q.Unspent, q.AmountOut, q.HubLeft
}

// ---- brands (doc.go, Brands) ----

func (m *refModel) issue(cmd *Command) {
	switch {
	case !m.hasAccount(cmd.Account) || !m.hasAccount(cmd.To):
		m.reject(cmd, CodeUnknownAccount)
		return
	case !m.hasAsset(cmd.Asset):
		m.reject(cmd, CodeUnknownAsset)
		return
	}
	a := &m.assets[cmd.Asset-1]
	switch {
	case a.kind == Token || a.brand != cmd.Account:
		m.reject(cmd, CodeNotBrand)
	case a.expired:
		m.reject(cmd, CodeAssetExpired)
	case cmd.Amount <= 0:
		m.reject(cmd, CodeInvalidAmount)
	case cmd.Ref == Ref{}:
		m.reject(cmd, CodeInvalidCommand)
	case m.issues[refIssueKey{cmd.Account, cmd.Ref}]:
		m.reject(cmd, CodeDuplicateIssue)
	case a.deposited+a.issued > math.MaxInt64-cmd.Amount:
		m.reject(cmd, CodeAmountOverflow)
	default:
		m.issues[refIssueKey{cmd.Account, cmd.Ref}] = true
		a.issued += cmd.Amount
		m.avail[refBalKey{cmd.To, cmd.Asset}] += cmd.Amount
		ev := m.event(EvIssued)
		ev.Account, ev.To, ev.Asset, ev.Amount, ev.Ref = cmd.Account, cmd.To, cmd.Asset, cmd.Amount, cmd.Ref
	}
}

func (m *refModel) redeem(cmd *Command) {
	switch {
	case !m.hasAccount(cmd.Account):
		m.reject(cmd, CodeUnknownAccount)
		return
	case !m.hasAsset(cmd.Asset):
		m.reject(cmd, CodeUnknownAsset)
		return
	}
	a := &m.assets[cmd.Asset-1]
	k := refBalKey{cmd.Account, cmd.Asset}
	switch {
	case a.kind == Token:
		m.reject(cmd, CodeNotRedeemable)
	case a.expired:
		m.reject(cmd, CodeAssetExpired)
	case cmd.Amount <= 0:
		m.reject(cmd, CodeInvalidAmount)
	case m.avail[k] < cmd.Amount:
		m.reject(cmd, CodeInsufficientBalance)
	default:
		m.avail[k] -= cmd.Amount
		a.redeemedPending += cmd.Amount
		m.nRedemption++
		m.redemptions[m.nRedemption] = &refRedemption{account: cmd.Account, asset: cmd.Asset, amount: cmd.Amount, pending: true}
		ev := m.event(EvRedemptionCreated)
		ev.Account, ev.Asset, ev.Amount, ev.Redemption = cmd.Account, cmd.Asset, cmd.Amount, m.nRedemption
	}
}

func (m *refModel) settleRedemption(cmd *Command) {
	if !m.hasAccount(cmd.Account) {
		m.reject(cmd, CodeUnknownAccount)
		return
	}
	r := m.redemptions[cmd.Redemption]
	if r == nil || !r.pending {
		m.reject(cmd, CodeUnknownRedemption)
		return
	}
	a := &m.assets[r.asset-1]
	if a.brand != cmd.Account {
		m.reject(cmd, CodeNotBrand)
		return
	}
	r.pending = false
	a.redeemedPending -= r.amount
	kind := EvRedemptionRejected
	switch {
	case cmd.Kind == CmdFulfilRedemption:
		kind = EvRedemptionFulfilled
		a.redeemedFulfilled += r.amount
	case a.expired: // the refund is breakage
		a.expiredUnits += r.amount
	default:
		m.avail[refBalKey{r.account, r.asset}] += r.amount
	}
	ev := m.event(kind)
	ev.Account, ev.Asset, ev.Amount, ev.Redemption = r.account, r.asset, r.amount, cmd.Redemption
}

// expireCoupons expires every coupon whose ExpiresAt the clock has reached.
func (m *refModel) expireCoupons() {
	var due []AssetID
	for i := range m.assets {
		if a := &m.assets[i]; a.kind == Coupon && !a.expired && a.expiresAt != 0 && a.expiresAt <= m.now {
			due = append(due, AssetID(i+1))
		}
	}
	if refCouponsByExpiresAt {
		sort.SliceStable(due, func(i, j int) bool { return m.assets[due[i]-1].expiresAt < m.assets[due[j]-1].expiresAt })
	}
	for _, id := range due {
		a := &m.assets[id-1]
		a.expired = true
		for i := range m.markets {
			mk := &m.markets[i]
			if mk.base != id && mk.quote != id {
				continue
			}
			if mk.status != Halted || refHaltEvenIfHalted {
				mk.status = Halted
				ev := m.event(EvMarketStatus)
				ev.Market, ev.Status = mk.id, Halted
			}
			var os []*refOrder
			for _, o := range m.book {
				if o.market == mk.id {
					os = append(os, o)
				}
			}
			sort.Slice(os, func(i, j int) bool { return m.engID(os[i].id) < m.engID(os[j].id) })
			for _, o := range os {
				m.takeOff(o, EvOrderCanceled, ReasonAssetExpired)
			}
		}
		var total int64
		for acct := 1; acct <= m.nAccounts; acct++ {
			k := refBalKey{AccountID(acct), id}
			total += m.avail[k]
			m.avail[k] = 0
		}
		a.expiredUnits += total
		ev := m.event(EvAssetExpired)
		ev.Asset, ev.Amount = id, total
	}
}

// ---- dead-man switches (doc.go, Dead-man switch) ----

func (m *refModel) cancelAllAfter(cmd *Command) {
	switch {
	case !m.hasAccount(cmd.Account):
		m.reject(cmd, CodeUnknownAccount)
		return
	case cmd.Market != 0 && m.market(cmd.Market) == nil:
		m.reject(cmd, CodeUnknownMarket)
		return
	case cmd.ExpiresAt != 0 && cmd.ExpiresAt <= m.now: // later than the clock
		m.reject(cmd, CodeInvalidExpiry)
		return
	}
	k := refDeadmanKey{cmd.Account, cmd.Market}
	if cmd.ExpiresAt == 0 {
		delete(m.deadman, k)
	} else {
		m.deadman[k] = cmd.ExpiresAt
	}
	ev := m.event(EvDeadmanSet)
	ev.Account, ev.Market, ev.ExpiresAt = cmd.Account, cmd.Market, cmd.ExpiresAt
}

// fireDeadmen fires every switch whose deadline the clock has reached, by
// deadline, then account, then market: the account's resting orders in the
// market (every market for 0) in OrderID order, then the switch disarmed.
func (m *refModel) fireDeadmen() {
	var due []refDeadmanKey
	for k, at := range m.deadman {
		if at <= m.now {
			due = append(due, k)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		a, b := due[i], due[j]
		if m.deadman[a] != m.deadman[b] {
			return m.deadman[a] < m.deadman[b]
		}
		if a.account != b.account {
			return a.account < b.account
		}
		return a.market < b.market
	})
	for _, k := range due {
		delete(m.deadman, k)
		var os []*refOrder
		for _, o := range m.book {
			if o.account == k.account && (k.market == 0 || o.market == k.market) {
				os = append(os, o)
			}
		}
		sort.Slice(os, func(i, j int) bool { return m.engID(os[i].id) < m.engID(os[j].id) })
		m.noteIDOrder(os)
		for _, o := range os {
			m.takeOff(o, EvOrderCanceled, ReasonDeadman)
		}
		ev := m.event(EvDeadmanSet)
		ev.Account, ev.Market, ev.Reason = k.account, k.market, ReasonDeadman
		m.deadmenFired++
		m.deadmanCancels += len(os)
	}
}

// liabilities is what Engine.Liabilities should report.
func (m *refModel) liabilities(id AssetID, snap refSnapshot) Liabilities {
	a := &m.assets[id-1]
	l := Liabilities{
		Asset: id, Brand: a.brand, Issued: a.issued, Deposited: a.deposited, Withdrawn: a.withdrawn,
		RedeemedPending: a.redeemedPending, RedeemedFulfilled: a.redeemedFulfilled, Expired: a.expiredUnits,
		ChainSupply: a.chainSupply, ChainSupplySeq: a.chainSeq, ChainSupplyTime: a.chainTime,
	}
	for acct := 1; acct <= m.nAccounts; acct++ {
		b := snap[refBalKey{AccountID(acct), id}]
		if AccountID(acct) == a.brand {
			l.HeldByBrand += b[0] + b[1]
		} else {
			l.HeldByCustomers += b[0] + b[1]
		}
	}
	return l
}

// conservation checks the model's own books (doc.go, Conservation).
func (m *refModel) conservation(snap refSnapshot) error {
	for i := range m.assets {
		a := &m.assets[i]
		var sum, pending int64
		for acct := 1; acct <= m.nAccounts; acct++ {
			b := snap[refBalKey{AccountID(acct), AssetID(i + 1)}]
			sum += b[0] + b[1]
		}
		for _, r := range m.redemptions {
			if r.pending && r.asset == AssetID(i+1) {
				pending += r.amount
			}
		}
		want := a.deposited + a.issued - a.withdrawn - a.redeemedPending - a.redeemedFulfilled - a.expiredUnits
		if sum != want || pending != a.redeemedPending {
			return fmt.Errorf("model asset %d: balances %d, want %d; pending %d, recorded %d", i+1, sum, want, pending, a.redeemedPending)
		}
	}
	return nil
}

// ---- trading sessions (doc.go, Sessions) ----

// sessionIDs returns the open sessions' ids in increasing order.
func (m *refModel) sessionIDs() []SessionID {
	ids := make([]SessionID, 0, len(m.sessions))
	for id := range m.sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func (m *refModel) openSession(cmd *Command) {
	n := 0
	for _, s := range m.sessions {
		if s.account == cmd.Account {
			n++
		}
	}
	switch {
	case !m.hasAccount(cmd.Account):
		m.reject(cmd, CodeUnknownAccount)
		return
	case cmd.SessionMode != SessionKeep && cmd.SessionMode != SessionCancelOwn && cmd.SessionMode != SessionCancelAll:
		m.reject(cmd, CodeInvalidSessionMode)
		return
	case n >= MaxSessionsPerAccount:
		m.reject(cmd, CodeTooManySessions)
		m.tooManySessions++
		return
	}
	m.lastSession++
	m.sessions[m.lastSession] = refSession{cmd.Account, cmd.SessionMode}
	ev := m.event(EvSessionOpened)
	ev.Account, ev.Session, ev.SessionMode = cmd.Account, m.lastSession, cmd.SessionMode
}

// closeSession forgets the session and cancels, in OrderID order, the
// resting orders placed in it (cancel_own) or all of its account's
// (cancel_all); keep cancels nothing.
func (m *refModel) closeSession(cmd *Command) {
	if !m.hasAccount(cmd.Account) {
		m.reject(cmd, CodeUnknownAccount)
		return
	}
	s, ok := m.sessions[cmd.Session]
	if !ok || s.account != cmd.Account {
		m.reject(cmd, CodeUnknownSession)
		return
	}
	delete(m.sessions, cmd.Session)
	var os []*refOrder
	for _, o := range m.book {
		if o.account == cmd.Account && (s.mode == SessionCancelAll || s.mode == SessionCancelOwn && o.session == cmd.Session) {
			os = append(os, o)
		}
	}
	sort.Slice(os, func(i, j int) bool { return m.engID(os[i].id) < m.engID(os[j].id) })
	m.noteIDOrder(os)
	for _, o := range os {
		m.takeOff(o, EvOrderCanceled, ReasonDisconnect)
	}
	ev := m.event(EvSessionClosed)
	ev.Account, ev.Session, ev.SessionMode = cmd.Account, cmd.Session, s.mode
	m.sessionsClosed++
	m.disconnectCancels += len(os)
}
