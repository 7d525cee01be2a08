package engine

import (
	"math"
	"slices"
)

// noSlot marks the end of an order list.
const noSlot = math.MaxUint32

type market struct {
	id                 MarketID
	base, quote        AssetID
	priceScale         uint8
	tick, lot          int64
	minLots            int64 // minimum order size in lots, at least 1
	k                  int64 // quote units of one lot at one tick
	makerBps, takerBps int32
	status             MarketStatus
	bids, asks         bookSide
}

func (m *market) book(s Side) *bookSide {
	if s == Buy {
		return &m.bids
	}
	return &m.asks
}

func (m *market) opposite(s Side) *bookSide {
	if s == Buy {
		return &m.asks
	}
	return &m.bids
}

// bookSide is one side of a book: price levels sorted worst first, so that
// the best level is the last and taking it is a pop.
type bookSide struct {
	side   Side
	levels []level
}

// level is the resting orders at one price, a FIFO list through the order
// slab.
type level struct {
	ticks      int64
	lots       int64 // remaining lots of all its orders
	head, tail uint32
	count      uint32
}

// better reports whether price a (in ticks) is better than b on this side.
func (s *bookSide) better(a, b int64) bool {
	if s.side == Buy {
		return a > b
	}
	return a < b
}

// search returns the index of the level at ticks, or where to insert it.
func (s *bookSide) search(ticks int64) (int, bool) {
	lo, hi := 0, len(s.levels)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.better(ticks, s.levels[mid].ticks) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(s.levels) && s.levels[lo].ticks == ticks
}

// crosses reports whether a taker on side with a limit in ticks (0 for no
// limit) may trade at a maker's price.
func crosses(side Side, limit, makerTicks int64) bool {
	switch {
	case limit == 0:
		return true
	case side == Buy:
		return makerTicks <= limit
	default:
		return makerTicks >= limit
	}
}

// order is a slot in the order slab: a resting order, a taker while it
// matches, or free (id 0).
type order struct {
	id       OrderID
	gen      uint32 // generation of this slot, kept while it is free
	account  AccountID
	market   MarketID
	side     Side
	tif      TimeInForce
	postOnly bool
	stp      SelfTradePrevention

	ticks    int64 // limit price in ticks
	sizeLots int64 // total size, filled part included
	remLots  int64 // still to fill

	makerBps, takerBps int32
	feeNum             u128  // sum of notional x bps over its fills
	feeCharged         int64 // ceil(feeNum / 10000)
	hold               int64 // what it holds now (quote for buys, base for sells)
	expiresAt          int64
	priority           uint64 // time priority in its level, increasing

	prev, next   uint32 // level list
	aprev, anext uint32 // account list
	sprev, snext uint32 // its session's list, while the session is open
	clientID     ClientOrderID

	// session is the trading session it was placed in (0: none). It stays
	// when a SessionKeep session closes, as history: the order is then in
	// no session's list.
	session SessionID
}

func (e *Engine) allocSlot() uint32 {
	var s uint32
	if n := len(e.free); n > 0 {
		s = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		s = uint32(len(e.orders))
		e.orders = append(e.orders, order{})
		if cap(e.free) < cap(e.orders) { // so that freeing a slot never allocates
			e.free = slices.Grow(e.free, cap(e.orders)-len(e.free))
		}
	}
	gen := e.orders[s].gen + 1
	e.orders[s] = order{gen: gen, id: OrderID(gen)<<32 | OrderID(s), prev: noSlot, next: noSlot, aprev: noSlot, anext: noSlot,
		sprev: noSlot, snext: noSlot}
	return s
}

func (e *Engine) freeSlot(s uint32) {
	e.orders[s].id = 0
	e.free = append(e.free, s)
}

// lookup finds a live order's slot by id.
func (e *Engine) lookup(id OrderID) (uint32, bool) {
	s := uint32(id)
	if id == 0 || int(s) >= len(e.orders) || e.orders[s].id != id {
		return 0, false
	}
	return s, true
}

// rest puts the order in slot at the back of its level and indexes it.
func (e *Engine) rest(m *market, s uint32, placed bool) {
	o := &e.orders[s]
	bs := m.book(o.side)
	i, found := bs.search(o.ticks)
	if !found {
		bs.levels = slices.Insert(bs.levels, i, level{ticks: o.ticks, head: noSlot, tail: noSlot})
	}
	lv := &bs.levels[i]
	e.touchLevel(m, o.side, o.ticks, lv.lots)
	o.priority = e.nextPriority
	e.nextPriority++
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
	if o.clientID.set() {
		e.clientIDs[clientKey{o.account, o.clientID}] = s
	}
	if o.session != 0 {
		e.linkSession(s)
	}
	if placed && o.tif == GTD {
		e.expiries.push(expiry{o.expiresAt, o.id})
	}
}

// unlink takes a resting order out of its level and indexes; its slot stays
// allocated.
func (e *Engine) unlink(m *market, s uint32) {
	o := &e.orders[s]
	bs := m.book(o.side)
	i, _ := bs.search(o.ticks)
	lv := &bs.levels[i]
	if o.prev != noSlot {
		e.orders[o.prev].next = o.next
	} else {
		lv.head = o.next
	}
	if o.next != noSlot {
		e.orders[o.next].prev = o.prev
	} else {
		lv.tail = o.prev
	}
	e.touchLevel(m, o.side, o.ticks, lv.lots)
	lv.lots -= o.remLots
	lv.count--
	if lv.count == 0 {
		bs.levels = slices.Delete(bs.levels, i, i+1)
	}

	acct := &e.accounts[o.account]
	if o.aprev != noSlot {
		e.orders[o.aprev].anext = o.anext
	} else {
		acct.orders = o.anext
	}
	if o.anext != noSlot {
		e.orders[o.anext].aprev = o.aprev
	}
	if o.clientID.set() {
		delete(e.clientIDs, clientKey{o.account, o.clientID})
	}
	if o.session != 0 {
		e.unlinkSession(s)
	}
	o.prev, o.next, o.aprev, o.anext = noSlot, noSlot, noSlot, noSlot
}

// expiry is a GTD order's entry in the expiry heap. Entries of orders that
// left the book earlier stay until their time and are skipped then.
type expiry struct {
	at int64
	id OrderID
}

func (x expiry) less(y expiry) bool { return x.at < y.at || x.at == y.at && x.id < y.id }

// expiryHeap is a binary min-heap by (at, id), written out so that pushes
// do not box values into interfaces.
type expiryHeap []expiry

func (h *expiryHeap) push(x expiry) {
	*h = append(*h, x)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q[i].less(q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *expiryHeap) pop() expiry {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l, r, min := 2*i+1, 2*i+2, i
		if l < n && q[l].less(q[min]) {
			min = l
		}
		if r < n && q[r].less(q[min]) {
			min = r
		}
		if min == i {
			break
		}
		q[i], q[min] = q[min], q[i]
		i = min
	}
	*h = q
	return top
}
