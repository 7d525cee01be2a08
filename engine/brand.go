package engine

import (
	"cmp"
	"math"
	"slices"
)

// Receipt is a redemption's code, what a customer reads to the brand's
// till: 40 bits shown as two groups of four Crockford base-32 letters
// ("7KQ3-X9ZD"). It is a fixed permutation of the RedemptionID xored with
// the first 40 bits of the CmdRedeem's Ref: the API puts random bytes
// there, so that nobody can work out another customer's receipt from
// their own (the engine draws no randomness itself; a zero Ref gives the
// bare permutation, unique per redemption).
type Receipt uint64

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func (r Receipt) String() string {
	var b [9]byte
	for i, j := 8, 0; i >= 0; i-- {
		if i == 4 {
			b[i] = '-'
			continue
		}
		b[i] = crockford[(uint64(r)>>(5*j))&31]
		j++
	}
	return string(b[:])
}

// receiptMask keeps a receipt's 40 bits.
const receiptMask = 1<<40 - 1

// receiptFor mixes the low 40 bits of id with steps that are each a
// bijection on 40-bit numbers (multiplying by an odd constant, xor with a
// right shift), so distinct ids below 2^40 get distinct receipts, then
// xors in the first 40 bits of salt.
func receiptFor(id RedemptionID, salt Ref) Receipt {
	x := uint64(id) & receiptMask
	x = (x * 0x9E3779B97F) & receiptMask
	x ^= x >> 19
	x = (x * 0xC2B2AE3D27) & receiptMask
	x ^= x >> 21
	x ^= uint64(salt[0])<<32 | uint64(salt[1])<<24 | uint64(salt[2])<<16 | uint64(salt[3])<<8 | uint64(salt[4])
	return Receipt(x)
}

type redemption struct {
	account AccountID
	asset   AssetID
	amount  int64
	receipt Receipt
}

type issueKey struct {
	brand AccountID
	ref   Ref
}

// inflow checks that amount more deposits or issuance keep the asset's
// lifetime inflow within int64, so that no supply or balance can overflow.
func (a *asset) inflow(amount int64) bool {
	sum, ok := add(a.deposited, a.issued)
	if ok {
		_, ok = add(sum, amount)
	}
	return ok
}

// supply is what all balances of the asset sum to.
func (a *asset) supply() int64 {
	return a.deposited + a.issued - a.withdrawn - a.redeemedPending - a.redeemedFulfilled - a.expiredUnits
}

func (e *Engine) issue(cmd *Command) {
	switch {
	case !e.hasAccount(cmd.Account) || !e.hasAccount(cmd.To):
		e.reject(cmd, CodeUnknownAccount)
		return
	case !e.hasAsset(cmd.Asset):
		e.reject(cmd, CodeUnknownAsset)
		return
	}
	a := &e.assets[cmd.Asset]
	switch {
	case a.kind == Token || a.brand != cmd.Account:
		e.reject(cmd, CodeNotBrand)
		return
	case a.expired:
		e.reject(cmd, CodeAssetExpired)
		return
	case cmd.Amount <= 0:
		e.reject(cmd, CodeInvalidAmount)
		return
	case cmd.Ref == Ref{}:
		e.reject(cmd, CodeInvalidCommand)
		return
	}
	key := issueKey{cmd.Account, cmd.Ref}
	if _, dup := e.issues[key]; dup {
		e.reject(cmd, CodeDuplicateIssue)
		return
	}
	if !a.inflow(cmd.Amount) {
		e.reject(cmd, CodeAmountOverflow)
		return
	}
	e.issues[key] = struct{}{}
	a.issued += cmd.Amount
	e.bal(cmd.To, cmd.Asset).available += cmd.Amount
	ev := e.event(EvIssued)
	ev.Account, ev.To, ev.Asset, ev.Amount, ev.Ref = cmd.Account, cmd.To, cmd.Asset, cmd.Amount, cmd.Ref
}

func (e *Engine) redeem(cmd *Command) {
	if code := e.checkAccountAsset(cmd.Account, cmd.Asset); code != OK {
		e.reject(cmd, code)
		return
	}
	a := &e.assets[cmd.Asset]
	switch {
	case a.kind == Token:
		e.reject(cmd, CodeNotRedeemable)
		return
	case a.expired:
		e.reject(cmd, CodeAssetExpired)
		return
	case cmd.Amount <= 0:
		e.reject(cmd, CodeInvalidAmount)
		return
	case e.available(cmd.Account, cmd.Asset) < cmd.Amount:
		e.reject(cmd, CodeInsufficientBalance)
		return
	}
	e.nextRedemption++
	id := e.nextRedemption
	r := redemption{account: cmd.Account, asset: cmd.Asset, amount: cmd.Amount, receipt: receiptFor(id, cmd.Ref)}
	e.redemptions[id] = r
	a.redeemedPending += cmd.Amount
	e.bal(cmd.Account, cmd.Asset).available -= cmd.Amount
	e.redemptionEvent(EvRedemptionCreated, id, r)
}

// settleRedemption fulfils or rejects a pending redemption; only the asset's
// brand may.
func (e *Engine) settleRedemption(cmd *Command) {
	if !e.hasAccount(cmd.Account) {
		e.reject(cmd, CodeUnknownAccount)
		return
	}
	r, ok := e.redemptions[cmd.Redemption]
	if !ok {
		e.reject(cmd, CodeUnknownRedemption)
		return
	}
	a := &e.assets[r.asset]
	if a.brand != cmd.Account {
		e.reject(cmd, CodeNotBrand)
		return
	}
	delete(e.redemptions, cmd.Redemption)
	a.redeemedPending -= r.amount
	kind := EvRedemptionFulfilled
	switch {
	case cmd.Kind == CmdFulfilRedemption:
		a.redeemedFulfilled += r.amount
	case a.expired: // the coupon is gone: the refund is breakage
		kind = EvRedemptionRejected
		a.expiredUnits += r.amount
	default:
		kind = EvRedemptionRejected
		e.bal(r.account, r.asset).available += r.amount
	}
	e.redemptionEvent(kind, cmd.Redemption, r)
}

func (e *Engine) redemptionEvent(kind EventKind, id RedemptionID, r redemption) {
	ev := e.event(kind)
	ev.Account, ev.Asset, ev.Amount, ev.Redemption, ev.Receipt = r.account, r.asset, r.amount, id, r.receipt
}

func (e *Engine) reportSupply(cmd *Command) {
	switch {
	case !e.hasAsset(cmd.Asset):
		e.reject(cmd, CodeUnknownAsset)
		return
	case cmd.Amount < 0:
		e.reject(cmd, CodeInvalidAmount)
		return
	}
	a := &e.assets[cmd.Asset]
	a.chainSupply, a.chainSupplySeq, a.chainSupplyTime = cmd.Amount, e.seq, e.now
	ev := e.event(EvSupplyReported)
	ev.Asset, ev.Amount = cmd.Asset, cmd.Amount
}

// expireAssets expires every coupon whose time has come (the clock is at or
// past its ExpiresAt), in asset order.
func (e *Engine) expireAssets() {
	if e.now < e.nextAssetExpiry {
		return
	}
	for id := 1; id < len(e.assets); id++ {
		if a := &e.assets[id]; !a.expired && a.expiresAt != 0 && a.expiresAt <= e.now {
			e.expireAsset(AssetID(id))
		}
	}
	e.nextAssetExpiry = e.findNextAssetExpiry()
}

func (e *Engine) findNextAssetExpiry() int64 {
	next := int64(math.MaxInt64)
	for id := 1; id < len(e.assets); id++ {
		if a := &e.assets[id]; !a.expired && a.expiresAt != 0 {
			next = min(next, a.expiresAt)
		}
	}
	return next
}

// expireAsset halts the coupon's markets, cancels their resting orders
// (releasing holds), and removes every account's available balance of it as
// breakage. Pending withdrawals and redemptions keep their amounts.
func (e *Engine) expireAsset(id AssetID) {
	a := &e.assets[id]
	a.expired = true
	for mi := 1; mi < len(e.markets); mi++ {
		m := &e.markets[mi]
		if m.base != id && m.quote != id {
			continue
		}
		if m.status != Halted {
			m.status = Halted
			ev := e.event(EvMarketStatus)
			ev.Market, ev.Status = m.id, m.status
		}
		e.slots = e.slots[:0]
		for _, bs := range []*bookSide{&m.bids, &m.asks} {
			for _, lv := range bs.levels {
				for s := lv.head; s != noSlot; s = e.orders[s].next {
					e.slots = append(e.slots, s)
				}
			}
		}
		e.cancelSlots(ReasonAssetExpired)
	}
	var total int64
	for acct := 1; acct < len(e.accounts); acct++ {
		bs := e.accounts[acct].balances
		if int(id) < len(bs) && bs[id].available > 0 {
			b := e.bal(AccountID(acct), id)
			total += b.available
			b.available = 0
		}
	}
	a.expiredUnits += total
	ev := e.event(EvAssetExpired)
	ev.Asset, ev.Amount = id, total
}

// cancelSlots cancels the resting orders in e.slots in OrderID order.
func (e *Engine) cancelSlots(reason CancelReason) {
	slices.SortFunc(e.slots, func(a, b uint32) int {
		return cmp.Compare(e.orders[a].id, e.orders[b].id)
	})
	for _, s := range e.slots {
		e.cancelResting(&e.markets[e.orders[s].market], s, reason, EvOrderCanceled)
	}
}

// marketExpired reports whether either asset of m has expired.
func (e *Engine) marketExpired(m *market) bool {
	return e.assets[m.base].expired || e.assets[m.quote].expired
}

// Liabilities is what a brand owes on one asset, in its units.
type Liabilities struct {
	Asset             AssetID
	Brand             AccountID
	Issued            int64 // minted to customers, ever
	Deposited         int64 // came in from the chain, ever
	Withdrawn         int64 // went out to the chain, ever
	HeldByCustomers   int64 // available + held of every account but the brand's
	HeldByBrand       int64 // the brand's own balance
	RedeemedPending   int64
	RedeemedFulfilled int64
	Expired           int64 // breakage: removed at coupon expiry
	ChainSupply       int64 // as last reported (ReportSupply)
	ChainSupplySeq    uint64
	ChainSupplyTime   int64
}

// Liabilities reports an asset's liabilities.
func (e *Engine) Liabilities(id AssetID) (Liabilities, bool) {
	if !e.hasAsset(id) {
		return Liabilities{}, false
	}
	a := &e.assets[id]
	l := Liabilities{
		Asset: id, Brand: a.brand, Issued: a.issued, Deposited: a.deposited, Withdrawn: a.withdrawn,
		RedeemedPending: a.redeemedPending, RedeemedFulfilled: a.redeemedFulfilled, Expired: a.expiredUnits,
		ChainSupply: a.chainSupply, ChainSupplySeq: a.chainSupplySeq, ChainSupplyTime: a.chainSupplyTime,
	}
	if a.brand != 0 {
		avail, held := e.Balance(a.brand, id)
		l.HeldByBrand = avail + held
	}
	l.HeldByCustomers = a.supply() - l.HeldByBrand
	return l, true
}
