package engine

import (
	"errors"
	"fmt"
)

// CheckInvariants verifies the whole state: every book sorted, not crossed
// and FIFO within each level, level totals, the order indexes, every hold
// equal to what its resting orders and pending withdrawals need, no negative
// balance, per asset the sum of all balances equal to deposits minus
// completed withdrawals, the dead-man switches (indexed, on known
// accounts and markets, none past its deadline), and the trading sessions
// (each open one on a known account, at most MaxSessionsPerAccount per
// account, its order list naming exactly the resting orders placed in it;
// every other resting order's session, if any, was opened and has closed,
// and the order is in no list). It is expensive (it walks everything):
// tests call it after every command.
func (e *Engine) CheckInvariants() error {
	need := make(map[touch]int64) // held required per account and asset
	seen := 0
	for mi := 1; mi < len(e.markets); mi++ {
		m := &e.markets[mi]
		for _, bs := range []*bookSide{&m.bids, &m.asks} {
			n, err := e.checkSide(m, bs, need)
			if err != nil {
				return err
			}
			seen += n
		}
		if len(m.bids.levels) > 0 && len(m.asks.levels) > 0 &&
			m.bids.levels[len(m.bids.levels)-1].ticks >= m.asks.levels[len(m.asks.levels)-1].ticks {
			return fmt.Errorf("market %d: book crossed", m.id)
		}
	}
	if err := e.checkSlots(seen); err != nil {
		return err
	}
	if err := e.checkAccountLists(seen); err != nil {
		return err
	}
	for id, w := range e.withdrawals {
		if w.pending {
			if !e.hasAccount(w.account) || !e.hasAsset(w.asset) {
				return fmt.Errorf("withdrawal %d: unknown account or asset", id)
			}
			need[touch{w.account, w.asset}] += w.amount
		}
	}
	supply := make([]int64, len(e.assets))
	for ai := 1; ai < len(e.accounts); ai++ {
		for a, b := range e.accounts[ai].balances {
			if b.available < 0 || b.held < 0 {
				return fmt.Errorf("account %d asset %d: negative balance %d/%d", ai, a, b.available, b.held)
			}
			if b.available == 0 && b.held == 0 {
				continue
			}
			if a == 0 || a >= len(e.assets) {
				return fmt.Errorf("account %d: balance in unknown asset %d", ai, a)
			}
			key := touch{AccountID(ai), AssetID(a)}
			if b.held != need[key] {
				return fmt.Errorf("account %d asset %d: held %d, orders and withdrawals need %d", ai, a, b.held, need[key])
			}
			delete(need, key)
			var ok bool
			if supply[a], ok = add(supply[a], b.available+b.held); !ok {
				return fmt.Errorf("asset %d: balances overflow", a)
			}
		}
	}
	for key, n := range need {
		if n != 0 {
			return fmt.Errorf("account %d asset %d: held 0, orders and withdrawals need %d", key.account, key.asset, n)
		}
	}
	pending := make([]int64, len(e.assets))
	for id, r := range e.redemptions {
		if !e.hasAccount(r.account) || !e.hasAsset(r.asset) || r.amount <= 0 || id > e.nextRedemption || id == 0 {
			return fmt.Errorf("redemption %d invalid", id)
		}
		pending[r.asset] += r.amount
	}
	for a := 1; a < len(e.assets); a++ {
		as := &e.assets[a]
		if want := as.supply(); supply[a] != want {
			return fmt.Errorf("asset %d: balances sum to %d, deposits + issued - withdrawn - redeemed - expired is %d", a, supply[a], want)
		}
		if pending[a] != as.redeemedPending {
			return fmt.Errorf("asset %d: pending redemptions sum to %d, recorded %d", a, pending[a], as.redeemedPending)
		}
		if err := e.checkExpired(AssetID(a)); err != nil {
			return err
		}
	}
	for i, h := range e.hubs {
		if !e.hasAsset(h) || !e.assets[h].hub || i > 0 && e.hubs[i-1] >= h {
			return errors.New("hub list does not match the assets")
		}
	}
	if err := e.checkDeadmen(); err != nil {
		return err
	}
	return e.checkSessions()
}

// checkExpired checks that an expired coupon has no available balance
// anywhere and that its markets are halted and empty.
func (e *Engine) checkExpired(id AssetID) error {
	a := &e.assets[id]
	if !a.expired {
		if a.expiresAt != 0 && a.expiresAt <= e.now {
			return fmt.Errorf("asset %d: past its expiry but not expired", id)
		}
		return nil
	}
	for acct := 1; acct < len(e.accounts); acct++ {
		if bs := e.accounts[acct].balances; int(id) < len(bs) && bs[id].available != 0 {
			return fmt.Errorf("asset %d expired but account %d has %d available", id, acct, bs[id].available)
		}
	}
	for mi := 1; mi < len(e.markets); mi++ {
		m := &e.markets[mi]
		if (m.base == id || m.quote == id) && (m.status != Halted || len(m.bids.levels)+len(m.asks.levels) > 0) {
			return fmt.Errorf("market %d of expired asset %d is open or has orders", mi, id)
		}
	}
	return nil
}

// checkSide checks one side of a book and adds its orders' holds to need. It
// returns the number of orders on it.
func (e *Engine) checkSide(m *market, bs *bookSide, need map[touch]int64) (int, error) {
	count := 0
	for i := range bs.levels {
		lv := &bs.levels[i]
		if i > 0 && !bs.better(lv.ticks, bs.levels[i-1].ticks) {
			return 0, fmt.Errorf("market %d %s: levels out of order at %d", m.id, bs.side, lv.ticks)
		}
		if lv.count == 0 || lv.ticks <= 0 {
			return 0, fmt.Errorf("market %d %s: empty or bad level %d", m.id, bs.side, lv.ticks)
		}
		var lots int64
		var n uint32
		prev := uint32(noSlot)
		for s := lv.head; s != noSlot; s = e.orders[s].next {
			if int(s) >= len(e.orders) || n > lv.count {
				return 0, fmt.Errorf("market %d %s level %d: broken list", m.id, bs.side, lv.ticks)
			}
			o := &e.orders[s]
			switch {
			case o.id == 0 || uint32(o.id) != s || uint32(o.id>>32) != o.gen:
				return 0, fmt.Errorf("market %d: free or misnamed slot %d in book", m.id, s)
			case o.market != m.id || o.side != bs.side || o.ticks != lv.ticks:
				return 0, fmt.Errorf("order %x: in the wrong level", o.id)
			case o.prev != prev:
				return 0, fmt.Errorf("order %x: bad prev link", o.id)
			case prev != noSlot && e.orders[prev].priority >= o.priority:
				return 0, fmt.Errorf("order %x: level %d not FIFO", o.id, lv.ticks)
			case o.remLots <= 0 || o.remLots > o.sizeLots:
				return 0, fmt.Errorf("order %x: remaining %d of %d lots", o.id, o.remLots, o.sizeLots)
			case !e.hasAccount(o.account):
				return 0, fmt.Errorf("order %x: unknown account", o.id)
			case o.hold != restHold(m, o):
				return 0, fmt.Errorf("order %x: holds %d, needs %d", o.id, o.hold, restHold(m, o))
			case o.tif != GTC && o.tif != GTD:
				return 0, fmt.Errorf("order %x: resting with %s", o.id, o.tif)
			}
			if !o.clientID.IsZero() {
				if cs, ok := e.clientIDs[clientKey{o.account, o.clientID}]; !ok || cs != s {
					return 0, fmt.Errorf("order %x: client id not indexed", o.id)
				}
			}
			payAsset := m.quote
			if o.side == Sell {
				payAsset = m.base
			}
			need[touch{o.account, payAsset}] += o.hold
			lots += o.remLots
			n++
			prev = s
		}
		if lv.tail != prev || n != lv.count || lots != lv.lots {
			return 0, fmt.Errorf("market %d %s level %d: tail, count or lots wrong", m.id, bs.side, lv.ticks)
		}
		count += int(n)
	}
	return count, nil
}

// checkSlots checks that the slab holds exactly the booked orders and that
// the free list names every other slot once.
func (e *Engine) checkSlots(booked int) error {
	live := 0
	for s := range e.orders {
		if e.orders[s].id != 0 {
			live++
		}
	}
	if live != booked {
		return fmt.Errorf("%d live slots but %d orders in books", live, booked)
	}
	if live+len(e.free) != len(e.orders) {
		return fmt.Errorf("%d live + %d free slots != %d", live, len(e.free), len(e.orders))
	}
	inFree := make([]bool, len(e.orders))
	for _, s := range e.free {
		if int(s) >= len(e.orders) || inFree[s] || e.orders[s].id != 0 {
			return fmt.Errorf("free list: bad slot %d", s)
		}
		inFree[s] = true
	}
	if len(e.clientIDs) > booked {
		return errors.New("client id index names orders not in books")
	}
	return nil
}

// checkAccountLists checks that every account's order list names exactly
// its booked orders.
func (e *Engine) checkAccountLists(booked int) error {
	total := 0
	for ai := 1; ai < len(e.accounts); ai++ {
		prev := uint32(noSlot)
		for s := e.accounts[ai].orders; s != noSlot; s = e.orders[s].anext {
			if int(s) >= len(e.orders) || total > booked {
				return fmt.Errorf("account %d: broken order list", ai)
			}
			o := &e.orders[s]
			if o.id == 0 || o.account != AccountID(ai) || o.aprev != prev {
				return fmt.Errorf("account %d: order list names slot %d wrongly", ai, s)
			}
			prev = s
			total++
		}
	}
	if total != booked {
		return fmt.Errorf("account lists name %d orders, books hold %d", total, booked)
	}
	return nil
}
