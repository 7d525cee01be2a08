package engine

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Trading sessions: cancel on disconnect that holds through crashes. A
// market maker's connection opens a session (CmdOpenSession) and places its
// orders in it (Command.Session); when the connection goes, the exchange
// closes the session (CmdCloseSession), which per the session's mode
// cancels the orders placed in it, or all of the account's, or none. Open
// sessions are state (snapshots, StateHash), so after a crash the exchange
// lists them (Sessions) and closes every one: connections never survive a
// restart.
//
// Each open session keeps a doubly linked list of its resting orders
// through the order slab (sprev, snext), maintained where the account lists
// are (rest and unlink), so that closing a SessionCancelOwn session costs
// O(k log k) for its k resting orders, sorted into OrderID order, and never
// scans other orders; a SessionCancelAll session walks its account's list
// (O(n log n) for the account's n resting orders); a SessionKeep session
// walks its own list to detach its orders (O(k)). An order is in its
// session's list exactly while that session is open: the list is found
// through e.sessions, and ids are never reused, so an order that outlives
// its (Keep) session keeps the id as history and is in no list.

// session is an open trading session.
type session struct {
	account AccountID
	mode    SessionMode
	orders  uint32 // head of its resting orders (slot), noSlot if none
}

// session returns the open session id if it belongs to acct, or nil.
func (e *Engine) session(acct AccountID, id SessionID) *session {
	ss := e.sessions[id]
	if ss == nil || ss.account != acct {
		return nil
	}
	return ss
}

func (e *Engine) openSession(cmd *Command) {
	switch {
	case !e.hasAccount(cmd.Account):
		e.reject(cmd, CodeUnknownAccount)
		return
	case !cmd.SessionMode.valid():
		e.reject(cmd, CodeInvalidSessionMode)
		return
	case e.accounts[cmd.Account].sessions >= MaxSessionsPerAccount:
		e.reject(cmd, CodeTooManySessions)
		return
	}
	e.lastSession++
	id := e.lastSession
	e.sessions[id] = &session{account: cmd.Account, mode: cmd.SessionMode, orders: noSlot}
	e.accounts[cmd.Account].sessions++
	ev := e.event(EvSessionOpened)
	ev.Account, ev.Session, ev.SessionMode = cmd.Account, id, cmd.SessionMode
}

func (e *Engine) closeSession(cmd *Command) {
	if !e.hasAccount(cmd.Account) {
		e.reject(cmd, CodeUnknownAccount)
		return
	}
	ss := e.session(cmd.Account, cmd.Session)
	if ss == nil {
		e.reject(cmd, CodeUnknownSession)
		return
	}
	e.slots = e.slots[:0]
	switch ss.mode {
	case SessionKeep: // its orders stay, in no session's list
		for s := ss.orders; s != noSlot; {
			o := &e.orders[s]
			s = o.snext
			o.sprev, o.snext = noSlot, noSlot
		}
	case SessionCancelOwn:
		for s := ss.orders; s != noSlot; s = e.orders[s].snext {
			e.slots = append(e.slots, s)
		}
	case SessionCancelAll:
		e.collectOrders(cmd.Account, 0)
	}
	// Forgotten first: the cancels below then leave its list alone.
	delete(e.sessions, cmd.Session)
	e.accounts[cmd.Account].sessions--
	e.cancelSlots(ReasonDisconnect)
	ev := e.event(EvSessionClosed)
	ev.Account, ev.Session, ev.SessionMode = cmd.Account, cmd.Session, ss.mode
}

// linkSession puts the resting order in slot s at the head of its
// session's list, if that session is open.
func (e *Engine) linkSession(s uint32) {
	o := &e.orders[s]
	ss := e.sessions[o.session]
	if ss == nil {
		return
	}
	o.sprev, o.snext = noSlot, ss.orders
	if ss.orders != noSlot {
		e.orders[ss.orders].sprev = s
	}
	ss.orders = s
}

// unlinkSession takes the order in slot s out of its session's list, if
// that session is open.
func (e *Engine) unlinkSession(s uint32) {
	o := &e.orders[s]
	ss := e.sessions[o.session]
	if ss == nil {
		return
	}
	if o.sprev != noSlot {
		e.orders[o.sprev].snext = o.snext
	} else {
		ss.orders = o.snext
	}
	if o.snext != noSlot {
		e.orders[o.snext].sprev = o.sprev
	}
	o.sprev, o.snext = noSlot, noSlot
}

// SessionInfo describes an open trading session.
type SessionInfo struct {
	ID      SessionID
	Account AccountID
	Mode    SessionMode
}

// Sessions appends every open session to out, in increasing id order, and
// returns it. After recovery the exchange closes each of them.
func (e *Engine) Sessions(out []SessionInfo) []SessionInfo {
	start := len(out)
	for id, ss := range e.sessions {
		out = append(out, SessionInfo{ID: id, Account: ss.account, Mode: ss.mode})
	}
	slices.SortFunc(out[start:], func(a, b SessionInfo) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Session returns an open session.
func (e *Engine) Session(id SessionID) (SessionInfo, bool) {
	ss := e.sessions[id]
	if ss == nil {
		return SessionInfo{}, false
	}
	return SessionInfo{ID: id, Account: ss.account, Mode: ss.mode}, true
}

// appendSessions writes the session part of a version 3 snapshot: the last
// id assigned, then the open sessions in id order.
func (e *Engine) appendSessions(w *writer) {
	w.u64(uint64(e.lastSession))
	ids := slices.Sorted(maps.Keys(e.sessions))
	w.u32(uint32(len(ids)))
	for _, id := range ids {
		ss := e.sessions[id]
		w.u64(uint64(id))
		w.u32(uint32(ss.account))
		w.u8(uint8(ss.mode))
	}
}

// restoreSessions decodes the session part of a version 3 snapshot (the
// orders, already restored, carry their session ids) and links every
// resting order of an open session into its list.
func (e *Engine) restoreSessions(r *reader) error {
	e.lastSession = SessionID(r.u64())
	n := r.count(8 + 4 + 1)
	if r.err != nil {
		return r.err
	}
	if e.lastSession == 0 {
		return errors.New("version 3 without a session ever opened")
	}
	var last SessionID
	for range n {
		id, acct, mode := SessionID(r.u64()), AccountID(r.u32()), SessionMode(r.u8())
		if r.err != nil {
			return r.err
		}
		if id <= last || id > e.lastSession || !e.hasAccount(acct) || !mode.valid() ||
			e.accounts[acct].sessions >= MaxSessionsPerAccount {
			return fmt.Errorf("session %d invalid or out of order", id)
		}
		e.sessions[id] = &session{account: acct, mode: mode, orders: noSlot}
		e.accounts[acct].sessions++
		last = id
	}
	for s := range e.orders {
		o := &e.orders[s]
		if o.id == 0 || o.session == 0 {
			continue
		}
		if o.session > e.lastSession {
			return fmt.Errorf("order in slot %d: session %d never opened", s, o.session)
		}
		if ss := e.sessions[o.session]; ss != nil {
			if ss.account != o.account {
				return fmt.Errorf("order in slot %d: in another account's session %d", s, o.session)
			}
			e.linkSession(uint32(s))
		}
	}
	return nil
}

// checkSessions checks the sessions: each open one on a known account with
// a valid mode and an id already assigned, the accounts' counts, and that
// each open session's list names exactly the resting orders placed in it,
// while every other resting order is in no list.
func (e *Engine) checkSessions() error {
	perAccount := make(map[AccountID]int, len(e.sessions))
	listed := 0
	for id, ss := range e.sessions {
		if id == 0 || id > e.lastSession || !e.hasAccount(ss.account) || !ss.mode.valid() {
			return fmt.Errorf("session %d: invalid (account %d, mode %d, last id %d)", id, ss.account, ss.mode, e.lastSession)
		}
		perAccount[ss.account]++
		prev := uint32(noSlot)
		for s := ss.orders; s != noSlot; s = e.orders[s].snext {
			if int(s) >= len(e.orders) || listed >= len(e.orders) {
				return fmt.Errorf("session %d: broken order list", id)
			}
			o := &e.orders[s]
			if o.id == 0 || o.session != id || o.account != ss.account || o.sprev != prev {
				return fmt.Errorf("session %d: order list names slot %d wrongly", id, s)
			}
			prev = s
			listed++
		}
	}
	for a := 1; a < len(e.accounts); a++ {
		if n := e.accounts[a].sessions; n != perAccount[AccountID(a)] || n > MaxSessionsPerAccount {
			return fmt.Errorf("account %d: %d sessions counted, %d open", a, n, perAccount[AccountID(a)])
		}
	}
	inOpen := 0
	for s := range e.orders {
		o := &e.orders[s]
		if o.id == 0 {
			continue
		}
		switch {
		case o.session > e.lastSession:
			return fmt.Errorf("order %x: session %d never opened", o.id, o.session)
		case o.session != 0 && e.sessions[o.session] != nil:
			inOpen++
		case o.sprev != noSlot || o.snext != noSlot:
			return fmt.Errorf("order %x: linked, but its session %d is not open", o.id, o.session)
		}
	}
	if inOpen != listed {
		return fmt.Errorf("session lists name %d orders, %d rest in open sessions", listed, inOpen)
	}
	return nil
}
