package engine

import (
	"cmp"
	"fmt"
	"slices"
)

// Dead-man switches (cancel-all-after). An account arms a switch for one
// market, or for every market (Market 0), with a deadline; the first
// command whose clock reaches the deadline cancels the account's resting
// orders there, before the command itself is validated, and disarms the
// switch. The armed switches live in an indexed min-heap by (deadline,
// account, market): whether any is due is a look at its top, arming,
// re-arming and disarming are O(log n), and nothing else scans them.

// deadmanKey names a switch: an account's, for one market or (0) all.
type deadmanKey struct {
	account AccountID
	market  MarketID
}

// deadman is an armed switch.
type deadman struct {
	at int64 // the deadline, Unix nanoseconds
	deadmanKey
}

// less is the firing order: deadline, then account, then market.
func (x deadman) less(y deadman) bool {
	if x.at != y.at {
		return x.at < y.at
	}
	if x.account != y.account {
		return x.account < y.account
	}
	return x.market < y.market
}

// deadmanHeap is a binary min-heap of the armed switches that knows where
// each one is, so that one can be re-armed or disarmed in place.
type deadmanHeap struct {
	items []deadman
	pos   map[deadmanKey]int // index in items of every armed switch
}

func (h *deadmanHeap) get(k deadmanKey) (int64, bool) {
	i, ok := h.pos[k]
	if !ok {
		return 0, false
	}
	return h.items[i].at, true
}

// set arms the switch k with deadline at, or moves its deadline.
func (h *deadmanHeap) set(k deadmanKey, at int64) {
	if h.pos == nil {
		h.pos = map[deadmanKey]int{}
	}
	if i, ok := h.pos[k]; ok {
		h.items[i].at = at
		h.fix(i)
		return
	}
	h.items = append(h.items, deadman{at, k})
	h.pos[k] = len(h.items) - 1
	h.up(len(h.items) - 1)
}

// remove disarms the switch k if it is armed.
func (h *deadmanHeap) remove(k deadmanKey) {
	i, ok := h.pos[k]
	if !ok {
		return
	}
	n := len(h.items) - 1
	h.swap(i, n)
	h.items = h.items[:n]
	delete(h.pos, k)
	if i < n {
		h.fix(i)
	}
}

// due reports whether the earliest switch's deadline is at or before now.
func (h *deadmanHeap) due(now int64) bool { return len(h.items) > 0 && h.items[0].at <= now }

// pop disarms and returns the earliest switch.
func (h *deadmanHeap) pop() deadman {
	top := h.items[0]
	h.remove(top.deadmanKey)
	return top
}

func (h *deadmanHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.pos[h.items[i].deadmanKey] = i
	h.pos[h.items[j].deadmanKey] = j
}

func (h *deadmanHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *deadmanHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.items[i].less(h.items[p]) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

// down sifts item i down and reports whether it moved.
func (h *deadmanHeap) down(i int) bool {
	start, n := i, len(h.items)
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.items[l].less(h.items[m]) {
			m = l
		}
		if r < n && h.items[r].less(h.items[m]) {
			m = r
		}
		if m == i {
			return i != start
		}
		h.swap(i, m)
		i = m
	}
}

// sorted returns the armed switches by account, then market: the
// canonical order of the snapshot.
func (h *deadmanHeap) sorted() []deadman {
	s := slices.Clone(h.items)
	slices.SortFunc(s, func(a, b deadman) int {
		if c := cmp.Compare(a.account, b.account); c != 0 {
			return c
		}
		return cmp.Compare(a.market, b.market)
	})
	return s
}

func (e *Engine) cancelAllAfter(cmd *Command) {
	switch {
	case !e.hasAccount(cmd.Account):
		e.reject(cmd, CodeUnknownAccount)
		return
	case cmd.Market != 0 && e.market(cmd.Market) == nil:
		e.reject(cmd, CodeUnknownMarket)
		return
	case cmd.ExpiresAt != 0 && cmd.ExpiresAt <= e.now:
		e.reject(cmd, CodeInvalidExpiry)
		return
	}
	k := deadmanKey{cmd.Account, cmd.Market}
	if cmd.ExpiresAt == 0 {
		e.deadmen.remove(k)
	} else {
		e.deadmen.set(k, cmd.ExpiresAt)
	}
	ev := e.event(EvDeadmanSet)
	ev.Account, ev.Market, ev.ExpiresAt = cmd.Account, cmd.Market, cmd.ExpiresAt
}

// fireDeadmen fires every switch whose deadline the clock has reached, in
// (deadline, account, market) order: each cancels its account's resting
// orders in its market (all markets for 0) in OrderID order, and reports
// itself disarmed.
func (e *Engine) fireDeadmen() {
	for e.deadmen.due(e.now) {
		d := e.deadmen.pop()
		e.collectOrders(d.account, d.market)
		e.cancelSlots(ReasonDeadman)
		ev := e.event(EvDeadmanSet)
		ev.Account, ev.Market, ev.Reason = d.account, d.market, ReasonDeadman
	}
}

// collectOrders puts in e.slots the account's resting orders in market (0:
// every market).
func (e *Engine) collectOrders(acct AccountID, market MarketID) {
	e.slots = e.slots[:0]
	for s := e.accounts[acct].orders; s != noSlot; s = e.orders[s].anext {
		if market == 0 || e.orders[s].market == market {
			e.slots = append(e.slots, s)
		}
	}
}

// checkDeadmen checks the switch heap: its order and index, and that every
// switch names a known account and market (or 0) and is still to fire.
func (e *Engine) checkDeadmen() error {
	h := &e.deadmen
	if len(h.pos) != len(h.items) {
		return fmt.Errorf("dead-man switches: %d indexed, %d in the heap", len(h.pos), len(h.items))
	}
	for i, d := range h.items {
		switch {
		case h.pos[d.deadmanKey] != i:
			return fmt.Errorf("dead-man switch of account %d market %d: indexed at %d, found at %d", d.account, d.market, h.pos[d.deadmanKey], i)
		case i > 0 && d.less(h.items[(i-1)/2]):
			return fmt.Errorf("dead-man switches: heap out of order at %d", i)
		case !e.hasAccount(d.account) || d.market != 0 && e.market(d.market) == nil:
			return fmt.Errorf("dead-man switch of account %d market %d: unknown account or market", d.account, d.market)
		case d.at <= e.now:
			return fmt.Errorf("dead-man switch of account %d market %d: deadline %d passed (clock %d) but not fired", d.account, d.market, d.at, e.now)
		}
	}
	return nil
}
