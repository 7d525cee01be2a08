package engine

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Snapshot format: little-endian fixed-width fields after a magic and a
// version. It holds the logical state only (balances, assets, markets with
// their books in priority order, the order slab's generations and free list,
// deposit refs, withdrawals, the clock, the dead-man switches, the trading
// sessions); indexes are rebuilt on Restore.
//
// Version 2 appends the armed dead-man switches after the withdrawals. A
// state with no switch armed is written as version 1, byte for byte what
// engines before dead-man switches wrote: their snapshots still load, and
// the StateHash of such a state is unchanged. A version 2 snapshot holds at
// least one switch, so that every state has exactly one encoding; an
// engine that knows only version 1 refuses it (unknown version) instead of
// dropping its switches.
//
// Version 3 adds trading sessions: each order record ends with its session
// id (u64, 0 for none), the switch list is always present (possibly
// empty), and after it come the last session id assigned and the open
// sessions in id order (id u64, account u32, mode u8). It is written
// exactly when a session has ever been opened (the last id is not 0), so a
// state that never had one is still written as version 1 or 2, byte for
// byte as before; an engine that knows only versions 1 and 2 refuses a
// version 3 snapshot rather than losing its sessions.
const (
	snapshotMagic   = "LPXS"
	snapshotVersion = 3 // the newest format: with sessions
	snapshotV2      = 2 // dead-man switches armed, no session ever opened
	snapshotV1      = 1 // no dead-man switch armed, no session ever opened
)

// ErrCorruptSnapshot is returned (wrapped) by Restore for input it cannot use.
var ErrCorruptSnapshot = errors.New("engine: corrupt snapshot")

// StateHash is the SHA-256 of the canonical snapshot encoding.
func (e *Engine) StateHash() [32]byte { return sha256.Sum256(e.AppendSnapshot(nil)) }

// AppendSnapshot appends the canonical encoding of the whole state to dst.
func (e *Engine) AppendSnapshot(dst []byte) []byte {
	w := writer{dst}
	version := uint16(snapshotV1)
	switch {
	case e.lastSession != 0:
		version = snapshotVersion
	case len(e.deadmen.items) > 0:
		version = snapshotV2
	}
	w.bytes([]byte(snapshotMagic))
	w.u16(version)
	w.i64(e.now)
	w.u64(e.lastSeq)
	w.u64(e.nextPriority)

	w.u32(uint32(len(e.assets) - 1))
	for _, a := range e.assets[1:] {
		w.bytes(a.symbol[:])
		w.u8(a.scale)
		w.u8(uint8(a.kind))
		w.u32(uint32(a.brand))
		w.i64(a.expiresAt)
		w.bool(a.expired)
		w.bool(a.hub)
		for _, v := range a.amounts() {
			w.i64(*v)
		}
		w.u64(a.chainSupplySeq)
	}

	w.u32(uint32(len(e.accounts) - 1))
	for _, acct := range e.accounts[1:] {
		n := 0
		for _, b := range acct.balances {
			if b.available != 0 || b.held != 0 {
				n++
			}
		}
		w.u32(uint32(n))
		for a, b := range acct.balances {
			if b.available != 0 || b.held != 0 {
				w.u32(uint32(a))
				w.i64(b.available)
				w.i64(b.held)
			}
		}
	}

	w.u32(uint32(len(e.orders)))
	for i := range e.orders {
		w.u32(e.orders[i].gen)
	}
	w.u32(uint32(len(e.free)))
	for _, s := range e.free {
		w.u32(s)
	}

	w.u32(uint32(len(e.markets) - 1))
	for i := 1; i < len(e.markets); i++ {
		m := &e.markets[i]
		w.u32(uint32(m.base))
		w.u32(uint32(m.quote))
		w.u8(m.priceScale)
		w.i64(m.tick)
		w.i64(m.lot)
		w.i64(m.minLots)
		w.u32(uint32(m.makerBps))
		w.u32(uint32(m.takerBps))
		w.u8(uint8(m.status))
		for _, bs := range []*bookSide{&m.bids, &m.asks} {
			w.u32(uint32(len(bs.levels)))
			for _, lv := range bs.levels {
				w.i64(lv.ticks)
				w.u32(lv.count)
				for s := lv.head; s != noSlot; s = e.orders[s].next {
					e.orders[s].encode(&w, s, version)
				}
			}
		}
	}

	refs := slices.SortedFunc(maps.Keys(e.deposits), func(a, b Ref) int { return cmpBytes(a[:], b[:]) })
	w.u32(uint32(len(refs)))
	for _, r := range refs {
		w.bytes(r[:])
	}
	issues := slices.SortedFunc(maps.Keys(e.issues), func(a, b issueKey) int {
		if c := cmp.Compare(a.brand, b.brand); c != 0 {
			return c
		}
		return cmpBytes(a.ref[:], b.ref[:])
	})
	w.u32(uint32(len(issues)))
	for _, k := range issues {
		w.u32(uint32(k.brand))
		w.bytes(k.ref[:])
	}
	w.u64(uint64(e.nextRedemption))
	rids := slices.Sorted(maps.Keys(e.redemptions))
	w.u32(uint32(len(rids)))
	for _, id := range rids {
		r := e.redemptions[id]
		w.u64(uint64(id))
		w.u32(uint32(r.account))
		w.u32(uint32(r.asset))
		w.i64(r.amount)
		w.u64(uint64(r.receipt))
	}
	ids := slices.Sorted(maps.Keys(e.withdrawals))
	w.u32(uint32(len(ids)))
	for _, id := range ids {
		wd := e.withdrawals[id]
		w.u64(uint64(id))
		w.u32(uint32(wd.account))
		w.u32(uint32(wd.asset))
		w.i64(wd.amount)
		w.bool(wd.pending)
	}
	if version >= 2 {
		ds := e.deadmen.sorted()
		w.u32(uint32(len(ds)))
		for _, d := range ds {
			w.u32(uint32(d.account))
			w.u32(uint32(d.market))
			w.i64(d.at)
		}
	}
	if version >= 3 {
		e.appendSessions(&w)
	}
	return w.b
}

func cmpBytes(a, b []byte) int {
	for i := range a {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// orderRecordSize is the encoded size of one order in versions 1 and 2 (the
// smallest), to bound counts read from untrusted input before allocating.
const orderRecordSize = 4 + 4 + 3 + 8 + 8 + 4 + 4 + 16 + 8 + 8 + 8 + 8 + 36

func (o *order) encode(w *writer, s uint32, version uint16) {
	w.u32(s)
	w.u32(uint32(o.account))
	w.u8(uint8(o.tif))
	w.bool(o.postOnly)
	w.u8(uint8(o.stp))
	w.i64(o.sizeLots)
	w.i64(o.remLots)
	w.u32(uint32(o.makerBps))
	w.u32(uint32(o.takerBps))
	w.u64(o.feeNum.hi)
	w.u64(o.feeNum.lo)
	w.i64(o.feeCharged)
	w.i64(o.hold)
	w.i64(o.expiresAt)
	w.u64(o.priority)
	w.bytes(o.clientID[:])
	if version >= 3 {
		w.u64(uint64(o.session))
	}
}

// Restore decodes a snapshot into a new engine. Corrupt or truncated input
// gives an error wrapping ErrCorruptSnapshot, never a panic, and a decoded
// state that breaks an invariant is refused too.
func Restore(b []byte) (*Engine, error) {
	e, err := restore(&reader{b: b})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptSnapshot, err)
	}
	return e, nil
}

func restore(r *reader) (*Engine, error) {
	if string(r.bytes(len(snapshotMagic))) != snapshotMagic {
		return nil, errors.New("bad magic")
	}
	version := r.u16()
	if version != snapshotV1 && version != snapshotV2 && version != snapshotVersion {
		return nil, fmt.Errorf("unknown version %d", version)
	}
	e := New()
	e.now, e.lastSeq, e.nextPriority = r.i64(), r.u64(), r.u64()

	nAssets := r.count(16 + 1 + 1 + 4 + 8 + 1 + 1 + 8*len((&asset{}).amounts()) + 8)
	for range nAssets {
		var a asset
		copy(a.symbol[:], r.bytes(16))
		a.scale, a.kind, a.brand, a.expiresAt, a.expired, a.hub = r.u8(), AssetKind(r.u8()), AccountID(r.u32()), r.i64(), r.bool(), r.bool()
		valid := true
		for _, v := range a.amounts() {
			*v = r.i64()
			valid = valid && *v >= 0
		}
		a.chainSupplySeq = r.u64()
		id := AssetID(len(e.assets))
		_, dup := e.symbols[a.symbol]
		if dup || !valid || !a.symbol.valid() || a.scale > MaxScale || a.kind > Coupon || (a.kind == Token) != (a.brand == 0) ||
			a.expiresAt < 0 || a.expiresAt != 0 && a.kind != Coupon || a.expired && a.expiresAt == 0 || !a.inflow(0) || a.supply() < 0 {
			return nil, fmt.Errorf("asset %d invalid", id)
		}
		e.assets = append(e.assets, a)
		e.symbols[a.symbol] = id
	}
	e.rebuildHubs()
	e.nextAssetExpiry = e.findNextAssetExpiry()

	nAccounts := r.count(4)
	if nAccounts < 1 {
		return nil, errors.New("no fee account")
	}
	e.accounts = e.accounts[:1]
	for range nAccounts {
		acct := account{orders: noSlot}
		n := r.count(4 + 8 + 8)
		last := -1
		for range n {
			a := int(r.u32())
			if a <= last || a == 0 || a >= len(e.assets) {
				return nil, fmt.Errorf("account %d: balance asset %d", len(e.accounts), a)
			}
			last = a
			acct.balances = slices.Grow(acct.balances, a+1-len(acct.balances))[:a+1]
			b := &acct.balances[a]
			b.available, b.held = r.i64(), r.i64()
			if b.available == 0 && b.held == 0 {
				return nil, fmt.Errorf("account %d: zero balance recorded", len(e.accounts))
			}
		}
		e.accounts = append(e.accounts, acct)
	}

	for id := 1; id < len(e.assets); id++ {
		if b := e.assets[id].brand; b != 0 && !e.hasAccount(b) {
			return nil, fmt.Errorf("asset %d: unknown brand", id)
		}
	}

	nSlots := r.count(4)
	e.orders = make([]order, nSlots)
	for i := range e.orders {
		e.orders[i].gen = r.u32()
	}
	nFree := r.count(4)
	e.free = make([]uint32, nFree)
	for i := range e.free {
		e.free[i] = r.u32()
	}
	if r.err != nil {
		return nil, r.err
	}

	nMarkets := r.count(4 + 4 + 1 + 8*3 + 4 + 4 + 1 + 8)
	for range nMarkets {
		if err := e.restoreMarket(r, version); err != nil {
			return nil, err
		}
	}

	var last Ref
	for i := range r.count(32) {
		var ref Ref
		copy(ref[:], r.bytes(32))
		if i > 0 && cmpBytes(ref[:], last[:]) <= 0 || ref == (Ref{}) {
			return nil, errors.New("deposit refs not strictly increasing")
		}
		e.deposits[ref], last = struct{}{}, ref
	}
	var lastIssue issueKey
	for i := range r.count(4 + 32) {
		k := issueKey{brand: AccountID(r.u32())}
		copy(k.ref[:], r.bytes(32))
		if i > 0 && (k.brand < lastIssue.brand || k.brand == lastIssue.brand && cmpBytes(k.ref[:], lastIssue.ref[:]) <= 0) ||
			!e.hasAccount(k.brand) || k.ref == (Ref{}) {
			return nil, errors.New("issue refs invalid or out of order")
		}
		e.issues[k], lastIssue = struct{}{}, k
	}
	e.nextRedemption = RedemptionID(r.u64())
	var lastRedemption RedemptionID
	for range r.count(8 + 4 + 4 + 8 + 8) {
		id := RedemptionID(r.u64())
		rd := redemption{account: AccountID(r.u32()), asset: AssetID(r.u32()), amount: r.i64(), receipt: Receipt(r.u64())}
		if id <= lastRedemption || id > e.nextRedemption || !e.hasAccount(rd.account) || !e.hasAsset(rd.asset) ||
			e.assets[rd.asset].kind == Token || rd.amount <= 0 || rd.receipt > receiptMask {
			return nil, fmt.Errorf("redemption %d invalid or out of order", id)
		}
		e.redemptions[id], lastRedemption = rd, id
	}
	var lastID WithdrawalID
	for range r.count(8 + 4 + 4 + 8 + 1) {
		id := WithdrawalID(r.u64())
		w := withdrawal{account: AccountID(r.u32()), asset: AssetID(r.u32()), amount: r.i64(), pending: r.bool()}
		if id <= lastID || w.amount <= 0 || !e.hasAccount(w.account) || !e.hasAsset(w.asset) {
			return nil, fmt.Errorf("withdrawal %d invalid or out of order", id)
		}
		e.withdrawals[id], lastID = w, id
	}
	if version >= 2 {
		if err := e.restoreDeadmen(r, version); err != nil {
			return nil, err
		}
	}
	if version >= 3 {
		if err := e.restoreSessions(r); err != nil {
			return nil, err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d trailing bytes", len(r.b))
	}
	if err := e.CheckInvariants(); err != nil {
		return nil, err
	}
	return e, nil
}

// restoreDeadmen decodes the armed dead-man switches of a version 2 or 3
// snapshot: in increasing (account, market) order (at least one in version
// 2), each on a known account and market (or 0) with a deadline after the
// clock.
func (e *Engine) restoreDeadmen(r *reader, version uint16) error {
	n := r.count(4 + 4 + 8)
	if r.err != nil {
		return r.err
	}
	if n == 0 && version == snapshotV2 {
		return errors.New("version 2 without dead-man switches")
	}
	var last deadmanKey
	for i := range n {
		k := deadmanKey{AccountID(r.u32()), MarketID(r.u32())}
		at := r.i64()
		if r.err != nil {
			return r.err
		}
		if i > 0 && (k.account < last.account || k.account == last.account && k.market <= last.market) ||
			!e.hasAccount(k.account) || k.market != 0 && e.market(k.market) == nil || at <= e.now {
			return fmt.Errorf("dead-man switch of account %d market %d invalid or out of order", k.account, k.market)
		}
		e.deadmen.set(k, at)
		last = k
	}
	return nil
}

func (e *Engine) restoreMarket(r *reader, version uint16) error {
	id := MarketID(len(e.markets))
	m := market{
		id: id, base: AssetID(r.u32()), quote: AssetID(r.u32()), priceScale: r.u8(),
		tick: r.i64(), lot: r.i64(), minLots: r.i64(),
		makerBps: int32(r.u32()), takerBps: int32(r.u32()), status: MarketStatus(r.u8()),
		bids: bookSide{side: Buy}, asks: bookSide{side: Sell},
	}
	if r.err != nil {
		return r.err
	}
	pair := pairKey(m.base, m.quote)
	_, dup := e.pairs[pair]
	if dup || !e.hasAsset(m.base) || !e.hasAsset(m.quote) || m.base == m.quote || m.priceScale > MaxScale ||
		m.tick <= 0 || m.lot <= 0 || m.minLots <= 0 || !validFee(m.makerBps) || !validFee(m.takerBps) ||
		m.status != Open && m.status != Halted {
		return fmt.Errorf("market %d invalid", id)
	}
	var code Code
	if m.k, code = notionalPerTickLot(m.tick, m.lot, int(m.priceScale), int(e.assets[m.base].scale), int(e.assets[m.quote].scale)); code != OK {
		return fmt.Errorf("market %d: %s", id, code)
	}
	if _, ok := mul(m.minLots, m.lot); !ok {
		return fmt.Errorf("market %d: min size overflows", id)
	}
	e.markets = append(e.markets, m)
	e.pairs[pair] = id
	mp := &e.markets[id]
	for _, bs := range []*bookSide{&mp.bids, &mp.asks} {
		nLevels := r.count(8 + 4 + orderRecordSize)
		for range nLevels {
			ticks, count := r.i64(), r.count(orderRecordSize)
			if r.err != nil {
				return r.err
			}
			if count == 0 || ticks <= 0 {
				return fmt.Errorf("market %d: bad level", id)
			}
			bs.levels = append(bs.levels, level{ticks: ticks, head: noSlot, tail: noSlot})
			for range count {
				if err := e.restoreOrder(r, mp, bs, ticks, version); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// restoreOrder decodes one order and appends it to the last level of bs.
// Its session (version 3) is checked, and the order linked into its
// session's list, by restoreSessions.
func (e *Engine) restoreOrder(r *reader, m *market, bs *bookSide, ticks int64, version uint16) error {
	s := r.u32()
	o := order{
		account: AccountID(r.u32()), market: m.id, side: bs.side, ticks: ticks,
		tif: TimeInForce(r.u8()), postOnly: r.bool(), stp: SelfTradePrevention(r.u8()),
	}
	o.sizeLots, o.remLots = r.i64(), r.i64()
	o.makerBps, o.takerBps = int32(r.u32()), int32(r.u32())
	o.feeNum = u128{r.u64(), r.u64()}
	o.feeCharged, o.hold, o.expiresAt, o.priority = r.i64(), r.i64(), r.i64(), r.u64()
	copy(o.clientID[:], r.bytes(len(o.clientID)))
	o.sprev, o.snext = noSlot, noSlot
	if version >= 3 {
		o.session = SessionID(r.u64())
	}
	if r.err != nil {
		return r.err
	}
	if int(s) >= len(e.orders) || e.orders[s].id != 0 || e.orders[s].gen == 0 {
		return fmt.Errorf("order slot %d invalid or reused", s)
	}
	_, okPrice := mul(ticks, m.tick)
	_, okSize := mul(o.sizeLots, m.lot)
	_, okNotional := notional(m, ticks, o.sizeLots)
	if !e.hasAccount(o.account) || !okPrice || !okSize || !okNotional || o.stp > CancelBoth ||
		!validFee(o.makerBps) || !validFee(o.takerBps) || !o.clientID.valid() ||
		o.feeNum.hi >= bpsDenom || o.feeCharged != o.feeNum.ceilFee() ||
		(o.tif == GTD) != (o.expiresAt > 0) || o.tif != GTD && o.expiresAt != 0 || o.priority >= e.nextPriority {
		return fmt.Errorf("order in slot %d invalid", s)
	}
	if !o.clientID.IsZero() {
		if _, dup := e.clientIDs[clientKey{o.account, o.clientID}]; dup {
			return fmt.Errorf("order in slot %d: duplicate client order id", s)
		}
	}
	o.gen = e.orders[s].gen
	o.id = OrderID(o.gen)<<32 | OrderID(s)
	lv := &bs.levels[len(bs.levels)-1]
	o.prev, o.next = lv.tail, noSlot
	if lv.tail != noSlot {
		e.orders[lv.tail].next = s
	} else {
		lv.head = s
	}
	lv.tail = s
	lv.lots += o.remLots
	lv.count++
	acct := &e.accounts[o.account]
	o.aprev, o.anext = noSlot, acct.orders
	if acct.orders != noSlot {
		e.orders[acct.orders].aprev = s
	}
	acct.orders = s
	e.orders[s] = o
	if !o.clientID.IsZero() {
		e.clientIDs[clientKey{o.account, o.clientID}] = s
	}
	if o.tif == GTD {
		e.expiries.push(expiry{o.expiresAt, o.id})
	}
	return nil
}

type writer struct{ b []byte }

func (w *writer) bytes(p []byte) { w.b = append(w.b, p...) }
func (w *writer) u8(v uint8)     { w.b = append(w.b, v) }
func (w *writer) bool(v bool) {
	if v {
		w.u8(1)
	} else {
		w.u8(0)
	}
}
func (w *writer) u16(v uint16) { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *writer) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *writer) u64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *writer) i64(v int64)  { w.u64(uint64(v)) }

// reader decodes untrusted bytes: after the first short read it returns
// zeros and keeps the error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = errors.New("truncated")
		return make([]byte, n)
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u8() uint8   { return r.bytes(1)[0] }
func (r *reader) u16() uint16 { return binary.LittleEndian.Uint16(r.bytes(2)) }
func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.bytes(4)) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.bytes(8)) }
func (r *reader) i64() int64  { return int64(r.u64()) }

func (r *reader) bool() bool {
	v := r.u8()
	if v > 1 {
		r.err = errors.New("bad bool")
	}
	return v == 1
}

// count reads a length whose items take at least minSize bytes each, and
// refuses one that the rest of the input cannot hold.
func (r *reader) count(minSize int) int {
	n := int(r.u32())
	if r.err == nil && n > len(r.b)/minSize {
		r.err = fmt.Errorf("count %d exceeds input", n)
	}
	if r.err != nil {
		return 0
	}
	return n
}
