package engine

import (
	"math"
	"slices"
)

// Engine is the exchange's whole trading state. It is not safe for
// concurrent use: one goroutine (the sequencer) owns it.
type Engine struct {
	now     int64  // largest command time seen
	lastSeq uint64 // Seq of the last command applied

	accounts []account // index AccountID; 0 unused
	assets   []asset   // index AssetID; 0 unused
	markets  []market  // index MarketID; 0 unused
	symbols  map[Symbol]AssetID
	pairs    map[[2]AssetID]MarketID

	orders       []order  // slab; index is the slot; a slot keeps its generation while free
	free         []uint32 // free slots, used from the end
	nextPriority uint64   // time priority for the next order entering a level
	clientIDs    map[clientKey]uint32
	expiries     expiryHeap

	deposits    map[Ref]struct{}
	withdrawals map[WithdrawalID]withdrawal

	hubs            []AssetID // assets with hub set, in id order
	issues          map[issueKey]struct{}
	redemptions     map[RedemptionID]redemption // pending ones
	nextRedemption  RedemptionID                // the last id assigned
	nextAssetExpiry int64                       // earliest ExpiresAt of a coupon not yet expired

	deadmen deadmanHeap // armed dead-man switches (cancel-all-after)

	sessions    map[SessionID]*session // open trading sessions
	lastSession SessionID              // the last session id assigned

	// Per-command scratch, reused so that steady state allocates nothing.
	out     []Event
	seq     uint64
	item    uint16
	touched []touch
	levels  []levelTouch
	epoch   uint64
	slots   []uint32
}

type account struct {
	balances []balance // index AssetID, grown on first touch
	orders   uint32    // head of this account's resting orders (slot), noSlot if none
	sessions int       // open sessions, at most MaxSessionsPerAccount
}

type balance struct {
	available, held int64
	// epoch and the values at the first touch in it, to report changes.
	epoch                 uint64
	oldAvailable, oldHeld int64
}

type asset struct {
	symbol    Symbol
	scale     uint8
	kind      AssetKind
	brand     AccountID // issues and redeems it (points and coupons)
	expiresAt int64     // coupons: when it expires, 0 for never
	expired   bool
	hub       bool // swaps may route two hops through it

	deposited         int64 // all deposits ever
	issued            int64 // all issuance ever
	withdrawn         int64 // all completed withdrawals
	redeemedPending   int64
	redeemedFulfilled int64
	expiredUnits      int64 // breakage: removed at expiry

	chainSupply     int64 // on-chain supply as last reported, in units
	chainSupplySeq  uint64
	chainSupplyTime int64
}

// amounts lists the asset's counters, in their snapshot order.
func (a *asset) amounts() []*int64 {
	return []*int64{&a.deposited, &a.issued, &a.withdrawn, &a.redeemedPending, &a.redeemedFulfilled,
		&a.expiredUnits, &a.chainSupply, &a.chainSupplyTime}
}

type withdrawal struct {
	account AccountID
	asset   AssetID
	amount  int64
	pending bool
}

type clientKey struct {
	account AccountID
	id      ClientOrderID
}

type touch struct {
	account AccountID
	asset   AssetID
}

// levelTouch is a price level changed by the current command, with its
// total before the change.
type levelTouch struct {
	market  MarketID
	side    Side
	ticks   int64
	oldLots int64
}

// New returns an empty engine with the fee account.
func New() *Engine {
	e := &Engine{
		accounts:    make([]account, 1, 64),
		assets:      make([]asset, 1, 16),
		markets:     make([]market, 1, 16),
		symbols:     map[Symbol]AssetID{},
		pairs:       map[[2]AssetID]MarketID{},
		clientIDs:   map[clientKey]uint32{},
		deposits:    map[Ref]struct{}{},
		withdrawals: map[WithdrawalID]withdrawal{},
		issues:      map[issueKey]struct{}{},
		redemptions: map[RedemptionID]redemption{},
		sessions:    map[SessionID]*session{},

		nextAssetExpiry: math.MaxInt64,
	}
	e.accounts = append(e.accounts, account{orders: noSlot}) // FeeAccount
	return e
}

// Now is the engine's clock: the largest command time seen.
func (e *Engine) Now() int64 { return e.now }

// LastSeq is the Seq of the last command applied.
func (e *Engine) LastSeq() uint64 { return e.lastSeq }

// Apply executes one command and appends its events to out, which it
// returns. It never blocks and, in steady state, never allocates.
func (e *Engine) Apply(cmd *Command, out []Event) []Event {
	e.out = out
	e.seq = cmd.Seq
	e.item = 0
	if cmd.Seq <= e.lastSeq {
		e.reject(cmd, CodeStaleSequence)
		return e.finish()
	}
	e.lastSeq = cmd.Seq
	if cmd.Time > e.now {
		e.now = cmd.Time
	}
	e.expireDue()
	e.expireAssets()
	e.fireDeadmen()
	e.flush()
	e.dispatch(cmd)
	e.flush()
	return e.finish()
}

func (e *Engine) finish() []Event {
	out := e.out
	e.out = nil
	return out
}

func (e *Engine) dispatch(cmd *Command) {
	switch cmd.Kind {
	case CmdTick:
	case CmdCreateAccount:
		e.createAccount()
	case CmdCreateAsset:
		e.createAsset(cmd)
	case CmdCreateMarket:
		e.createMarket(cmd)
	case CmdSetMarketStatus:
		e.setMarketStatus(cmd)
	case CmdSetFees:
		e.setFees(cmd)
	case CmdDeposit:
		e.deposit(cmd)
	case CmdWithdraw:
		e.withdraw(cmd)
	case CmdCompleteWithdrawal, CmdFailWithdrawal:
		e.settleWithdrawal(cmd)
	case CmdPlaceOrder:
		e.placeOrder(cmd)
	case CmdAmendOrder:
		e.amendOrder(cmd)
	case CmdCancelOrder:
		e.cancelOrder(cmd)
	case CmdCancelAll:
		e.cancelAll(cmd)
	case CmdBatch:
		e.batch(cmd)
	case CmdSetHub:
		e.setHub(cmd)
	case CmdSwap:
		e.swap(cmd)
	case CmdIssue:
		e.issue(cmd)
	case CmdRedeem:
		e.redeem(cmd)
	case CmdFulfilRedemption, CmdRejectRedemption:
		e.settleRedemption(cmd)
	case CmdReportSupply:
		e.reportSupply(cmd)
	case CmdCancelAllAfter:
		e.cancelAllAfter(cmd)
	case CmdOpenSession:
		e.openSession(cmd)
	case CmdCloseSession:
		e.closeSession(cmd)
	default:
		e.reject(cmd, CodeInvalidCommand)
	}
}

func (e *Engine) batch(cmd *Command) {
	if len(cmd.Batch) == 0 {
		e.reject(cmd, CodeInvalidCommand)
		return
	}
	if len(cmd.Batch) > MaxBatchItems {
		e.reject(cmd, CodeBatchTooLarge)
		return
	}
	for i := range cmd.Batch {
		e.item = uint16(i + 1)
		item := &cmd.Batch[i]
		acct := item.Account
		item.Account = cmd.Account
		switch item.Kind {
		case CmdPlaceOrder:
			e.placeOrder(item)
		case CmdCancelOrder:
			e.cancelOrder(item)
		default:
			e.reject(item, CodeInvalidCommand)
		}
		item.Account = acct
		e.flush()
	}
	e.item = 0
}

// event appends a zeroed event of kind stamped with the command's seq,
// time and batch item, and returns it to be filled in.
func (e *Engine) event(kind EventKind) *Event {
	e.out = append(e.out, Event{})
	ev := &e.out[len(e.out)-1]
	ev.Seq, ev.Time, ev.Kind, ev.Item = e.seq, e.now, kind, e.item
	return ev
}

func (e *Engine) reject(cmd *Command, code Code) {
	ev := e.event(EvRejected)
	ev.Cmd, ev.Code = cmd.Kind, code
	ev.Account, ev.Market, ev.Order, ev.ClientOrderID = cmd.Account, cmd.Market, cmd.Order, cmd.ClientOrderID
	ev.Session = cmd.Session
}

func (e *Engine) hasAccount(id AccountID) bool { return id != 0 && int(id) < len(e.accounts) }
func (e *Engine) hasAsset(id AssetID) bool     { return id != 0 && int(id) < len(e.assets) }

func (e *Engine) market(id MarketID) *market {
	if id == 0 || int(id) >= len(e.markets) {
		return nil
	}
	return &e.markets[id]
}

// bal returns the balance of an account in an asset, growing the account's
// table if needed, and records that it is about to change.
func (e *Engine) bal(id AccountID, a AssetID) *balance {
	acct := &e.accounts[id]
	if int(a) >= len(acct.balances) {
		acct.balances = slices.Grow(acct.balances, int(a)+1-len(acct.balances))
		acct.balances = acct.balances[:int(a)+1]
	}
	b := &acct.balances[a]
	if b.epoch != e.epoch+1 {
		b.epoch = e.epoch + 1
		b.oldAvailable, b.oldHeld = b.available, b.held
		e.touched = append(e.touched, touch{id, a})
	}
	return b
}

// available reads a balance without marking it touched.
func (e *Engine) available(id AccountID, a AssetID) int64 {
	bs := e.accounts[id].balances
	if int(a) >= len(bs) {
		return 0
	}
	return bs[a].available
}

// flush emits the changes of the command (or batch item) so far: the
// book levels, then the balances.
func (e *Engine) flush() {
	e.flushLevels()
	e.flushBalances()
}

// touchLevel records that a price level is about to change; lots is its
// total now (0 for a level about to be created).
func (e *Engine) touchLevel(m *market, side Side, ticks, lots int64) {
	for i := range e.levels {
		if t := &e.levels[i]; t.ticks == ticks && t.market == m.id && t.side == side {
			return
		}
	}
	e.levels = append(e.levels, levelTouch{m.id, side, ticks, lots})
}

// flushLevels emits an EvBookLevel for each level touched since the last
// flush whose total changed, in market, side and price order.
func (e *Engine) flushLevels() {
	if len(e.levels) == 0 {
		return
	}
	for i := 1; i < len(e.levels); i++ {
		for j := i; j > 0 && e.levels[j].before(e.levels[j-1]); j-- {
			e.levels[j], e.levels[j-1] = e.levels[j-1], e.levels[j]
		}
	}
	for _, t := range e.levels {
		m := &e.markets[t.market]
		bs := m.book(t.side)
		var lots int64
		if i, found := bs.search(t.ticks); found {
			lots = bs.levels[i].lots
		}
		if lots == t.oldLots {
			continue
		}
		ev := e.event(EvBookLevel)
		ev.Market, ev.Side, ev.Price, ev.Size = t.market, t.side, t.ticks*m.tick, lots*m.lot
	}
	e.levels = e.levels[:0]
}

func (t levelTouch) before(u levelTouch) bool {
	if t.market != u.market {
		return t.market < u.market
	}
	if t.side != u.side {
		return t.side < u.side
	}
	return t.ticks < u.ticks
}

// flushBalances emits an EvBalance for each balance touched since the last
// flush whose value changed, in account then asset order.
func (e *Engine) flushBalances() {
	if len(e.touched) == 0 {
		return
	}
	// Insertion sort: a command touches a handful of balances, and the
	// generic sort costs more than the sorting here.
	for i := 1; i < len(e.touched); i++ {
		for j := i; j > 0 && e.touched[j].before(e.touched[j-1]); j-- {
			e.touched[j], e.touched[j-1] = e.touched[j-1], e.touched[j]
		}
	}
	for _, t := range e.touched {
		b := &e.accounts[t.account].balances[t.asset]
		if b.available == b.oldAvailable && b.held == b.oldHeld {
			continue
		}
		ev := e.event(EvBalance)
		ev.Account, ev.Asset, ev.Available, ev.Held = t.account, t.asset, b.available, b.held
	}
	e.touched = e.touched[:0]
	e.epoch++
}

func (t touch) before(u touch) bool {
	return t.account < u.account || t.account == u.account && t.asset < u.asset
}
