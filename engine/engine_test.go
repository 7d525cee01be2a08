package engine

// Table-driven unit tests: one table per command kind (TestCmd*), the code
// coverage and naming checks (TestCode*), and specific properties from doc.go
// (TestProp*). Every command of every test, setup included, is followed by
// CheckInvariants.
//
// The standard world (utNewWorld):
//
//	accounts: 1 fee, 2 alice, 3 bob, 4 carol
//	assets:   1 BTC (scale 3), 2 USD (scale 2, "cents"), 3 ETH (scale 0)
//	market 1 BTC/USD: price scale 1, tick 5, lot 20, min size 40 (2 lots),
//	          maker 10 bps, taker 25 bps.
//	          notionalPerTickLot = 5*20*10^(2-1-3) = 1 cent, so
//	          notional (cents) = (price/5) * (size/20).
//	market 2 ETH/USD: price scale 0, tick 1, lot 1, min size 0, fees 0.
//	          notionalPerTickLot = 1*1*10^(2-0-0) = 100 cents, so
//	          notional (cents) = price * size * 100.
//	alice, bob, carol each hold 100_000 BTC units (100 BTC), 1_000_000 cents
//	and 1_000 ETH; the clock is utT0.
//
// A rejected command must leave the state as it was, apart from the clock,
// the last Seq and the GTD expiries that its time triggers. StateHash covers
// the clock and the last Seq, so "before" and "after" cannot be compared on
// one engine; instead the runner builds a twin world from the same setup,
// applies a CmdTick with the same Seq and Time to it (which does exactly the
// allowed changes and nothing else) and requires both hashes, and the events
// before the EvRejected, to be equal. For stale_sequence, which changes
// nothing at all, it also compares the hash before and after directly.

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

const (
	utAlice AccountID = 2
	utBob   AccountID = 3
	utCarol AccountID = 4

	utBTC AssetID = 1
	utUSD AssetID = 2
	utETH AssetID = 3

	utM1 MarketID = 1
	utM2 MarketID = 2

	utT0 int64 = 1_000_000_000

	utFundBTC int64 = 100_000
	utFundUSD int64 = 1_000_000
	utFundETH int64 = 1_000
)

// ---------------------------------------------------------------------------
// World

type utWorld struct {
	t     testing.TB
	e     *Engine
	seq   uint64
	clock int64
	refs  uint64
	wds   WithdrawalID
	ids   map[string]OrderID
	log   []Command // every command applied, to replay a twin
}

func utBare(t testing.TB) *utWorld {
	return &utWorld{t: t, e: New(), clock: utT0, wds: 1000, ids: map[string]OrderID{}}
}

// utNewWorld returns the standard world described at the top of the file.
func utNewWorld(t testing.TB) *utWorld {
	t.Helper()
	w := utBare(t)
	for range 3 {
		w.must(Command{Kind: CmdCreateAccount})
	}
	w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("BTC"), Scale: 3})
	w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("USD"), Scale: 2})
	w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("ETH"), Scale: 0})
	w.must(Command{Kind: CmdCreateMarket, Base: utBTC, Quote: utUSD, PriceScale: 1, Tick: 5, Lot: 20, MinSize: 40, MakerBps: 10, TakerBps: 25})
	w.must(Command{Kind: CmdCreateMarket, Base: utETH, Quote: utUSD, PriceScale: 0, Tick: 1, Lot: 1})
	for _, a := range []AccountID{utAlice, utBob, utCarol} {
		w.deposit(a, utBTC, utFundBTC)
		w.deposit(a, utUSD, utFundUSD)
		w.deposit(a, utETH, utFundETH)
	}
	return w
}

func utRef(n uint64) Ref {
	var r Ref
	for i := range 8 {
		r[i] = byte(n >> (8 * i))
	}
	r[31] = 0xaa
	return r
}

func (w *utWorld) ref() Ref { w.refs++; return utRef(w.refs) }

// stamp fills in a zero Seq (the next one) and a zero Time (the world clock).
func (w *utWorld) stamp(c Command) Command {
	if c.Seq == 0 {
		c.Seq = w.seq + 1
	}
	if c.Time == 0 {
		c.Time = w.clock
	}
	return c
}

// raw applies c as it is and checks the invariants.
func (w *utWorld) raw(c Command) []Event {
	w.t.Helper()
	logged := c
	logged.Batch = slices.Clone(c.Batch)
	w.log = append(w.log, logged)
	evs := w.e.Apply(&c, nil)
	if c.Seq > w.seq {
		w.seq = c.Seq
	}
	w.clock = max(w.clock, w.e.Now())
	if err := w.e.CheckInvariants(); err != nil {
		w.t.Fatalf("after %s (seq %d): CheckInvariants: %v", c.Kind, c.Seq, err)
	}
	return evs
}

func (w *utWorld) apply(c Command) []Event { w.t.Helper(); return w.raw(w.stamp(c)) }

// must applies c and fails if anything in it was rejected.
func (w *utWorld) must(c Command) []Event {
	w.t.Helper()
	evs := w.apply(c)
	for _, ev := range evs {
		if ev.Kind == EvRejected {
			w.t.Fatalf("setup %s (item %d) rejected: %s", ev.Cmd, ev.Item, ev.Code)
		}
	}
	return evs
}

// place places an order that must be accepted and remembers its id by name.
func (w *utWorld) place(name string, c Command) OrderID {
	w.t.Helper()
	for _, ev := range w.must(c) {
		if ev.Kind == EvOrderAccepted {
			if name != "" {
				w.ids[name] = ev.Order
			}
			return ev.Order
		}
	}
	w.t.Fatalf("place %s: no EvOrderAccepted", name)
	return 0
}

func (w *utWorld) id(name string) OrderID {
	w.t.Helper()
	id, ok := w.ids[name]
	if !ok {
		w.t.Fatalf("no order named %q", name)
	}
	return id
}

func (w *utWorld) deposit(a AccountID, s AssetID, amount int64) {
	w.t.Helper()
	w.must(Command{Kind: CmdDeposit, Account: a, Asset: s, Amount: amount, Ref: w.ref()})
}

func (w *utWorld) withdraw(a AccountID, s AssetID, amount int64) WithdrawalID {
	w.t.Helper()
	w.wds++
	w.must(Command{Kind: CmdWithdraw, Account: a, Asset: s, Amount: amount, Withdrawal: w.wds})
	return w.wds
}

// leave withdraws (and completes) all of an account's available units of an
// asset but keep.
func (w *utWorld) leave(a AccountID, s AssetID, keep int64) {
	w.t.Helper()
	avail, _ := w.e.Balance(a, s)
	if avail == keep {
		return
	}
	id := w.withdraw(a, s, avail-keep)
	w.must(Command{Kind: CmdCompleteWithdrawal, Withdrawal: id})
}

// replay returns a twin of w: a new engine given the same commands.
func (w *utWorld) replay() *utWorld {
	w.t.Helper()
	tw := utBare(w.t)
	for _, c := range w.log {
		tw.raw(c)
	}
	tw.seq, tw.clock, tw.refs, tw.wds, tw.ids = w.seq, w.clock, w.refs, w.wds, maps.Clone(w.ids)
	if tw.e.StateHash() != w.e.StateHash() {
		w.t.Fatal("replay: twin differs")
	}
	return tw
}

// rejects applies c, which must be rejected with want, and checks that it
// changed no more than a tick with the same Seq and Time does (clock, seq,
// expiries), events included.
func (w *utWorld) rejects(c Command, want Code) []Event {
	w.t.Helper()
	c = w.stamp(c)
	stale := c.Seq <= w.e.LastSeq()
	twin := w.replay()
	tevs := twin.raw(Command{Kind: CmdTick, Seq: c.Seq, Time: c.Time})
	if stale {
		tevs = nil
	}
	evs := w.raw(c)
	if len(evs) != len(tevs)+1 || !slices.Equal(evs[:len(tevs)], tevs) {
		w.t.Errorf("%s: events %v, want %v then a rejection", c.Kind, utKinds(evs), utKinds(tevs))
		return evs
	}
	if r := evs[len(evs)-1]; r.Kind != EvRejected || r.Code != want || r.Seq != c.Seq {
		w.t.Errorf("%s: last event %+v, want rejected %s", c.Kind, r, want)
	}
	if w.e.StateHash() != twin.e.StateHash() {
		w.t.Errorf("%s rejected %s but changed the state", c.Kind, want)
	}
	return evs
}

// ---------------------------------------------------------------------------
// Builders

func utSym(s string) Symbol {
	sym, ok := ParseSymbol(s)
	if !ok {
		panic("bad symbol " + s)
	}
	return sym
}

func utCID(s string) ClientOrderID {
	id, ok := ParseClientOrderID(s)
	if !ok {
		panic("bad client order id " + s)
	}
	return id
}

func utLimit(a AccountID, m MarketID, side Side, price, size int64) Command {
	return Command{Kind: CmdPlaceOrder, Account: a, Market: m, Side: side, Type: Limit, TIF: GTC, Price: price, Size: size}
}

func utMkt(a AccountID, m MarketID, side Side, size int64) Command {
	return Command{Kind: CmdPlaceOrder, Account: a, Market: m, Side: side, Type: Market, TIF: IOC, Size: size}
}

func utByQuote(a AccountID, m MarketID, amount int64) Command {
	return Command{Kind: CmdPlaceOrder, Account: a, Market: m, Side: Buy, Type: Market, TIF: IOC, QuoteAmount: amount}
}

func utAmend(a AccountID, id OrderID, price, size int64) Command {
	return Command{Kind: CmdAmendOrder, Account: a, Order: id, Price: price, Size: size}
}

func utCancel(a AccountID, id OrderID) Command {
	return Command{Kind: CmdCancelOrder, Account: a, Order: id}
}

func utMod(c Command, f func(*Command)) Command { f(&c); return c }

// utPlaced returns a setup step that places c under name.
func utPlaced(name string, c Command) func(*utWorld) {
	return func(w *utWorld) { w.place(name, c) }
}

func utSteps(fs ...func(*utWorld)) func(*utWorld) {
	return func(w *utWorld) {
		for _, f := range fs {
			f(w)
		}
	}
}

func utConst(c Command) func(*utWorld) Command { return func(*utWorld) Command { return c } }

// ---------------------------------------------------------------------------
// Table runner

type utB struct {
	a           AccountID
	s           AssetID
	avail, held int64
}

type utCase struct {
	name   string
	setup  func(w *utWorld)
	cmd    func(w *utWorld) Command
	code   Code        // the command's rejection, OK if accepted (a batch: the batch itself)
	items  []Code      // a batch: each item's result
	kinds  []EventKind // the events' kinds in order; nil: not checked
	bals   []utB       // balances after
	market MarketID    // the book bids and asks describe; 0 means utM1
	bids   []Level     // Depth after; nil: not checked
	asks   []Level
	check  func(t *testing.T, w *utWorld, evs []Event)
}

type utKey struct {
	a AccountID
	s AssetID
}

func utBalances(e *Engine) map[utKey][2]int64 {
	n := 0
	for {
		if _, ok := e.Asset(AssetID(n + 1)); !ok {
			break
		}
		n++
	}
	m := map[utKey][2]int64{}
	for a := 1; a <= e.Accounts(); a++ {
		for s := 1; s <= n; s++ {
			av, h := e.Balance(AccountID(a), AssetID(s))
			if av != 0 || h != 0 {
				m[utKey{AccountID(a), AssetID(s)}] = [2]int64{av, h}
			}
		}
	}
	return m
}

func utKinds(evs []Event) []EventKind {
	ks := make([]EventKind, len(evs))
	for i, ev := range evs {
		ks[i] = ev.Kind
	}
	return ks
}

func utWithout(evs []Event, k EventKind) []Event {
	var out []Event
	for _, ev := range evs {
		if ev.Kind != k {
			out = append(out, ev)
		}
	}
	return out
}

type utLevelKey struct {
	market MarketID
	side   Side
	price  int64
}

// utDepth totals every price level of every market's book.
func utDepth(e *Engine) map[utLevelKey]int64 {
	d := make(map[utLevelKey]int64)
	for id := MarketID(1); ; id++ {
		if _, ok := e.Market(id); !ok {
			return d
		}
		for _, side := range []Side{Buy, Sell} {
			for _, lv := range e.Depth(id, side, 0, nil) {
				d[utLevelKey{id, side, lv.Price}] = lv.Size
			}
		}
	}
}

// utCheckLevelEvents checks a command's EvBookLevel events against the
// books before and after it: applied to before, they give after; each
// reports a change; within a flush (a run of them) they are in market,
// side and price order.
func utCheckLevelEvents(t testing.TB, before, after map[utLevelKey]int64, evs []Event) {
	t.Helper()
	d := maps.Clone(before)
	var prev *Event
	for i := range evs {
		ev := &evs[i]
		if ev.Kind != EvBookLevel {
			prev = nil
			continue
		}
		k := utLevelKey{ev.Market, ev.Side, ev.Price}
		if d[k] == ev.Size {
			t.Errorf("book level event %+v changes nothing", k)
		}
		if prev != nil && !(prev.Market < ev.Market || prev.Market == ev.Market && (prev.Side < ev.Side || prev.Side == ev.Side && prev.Price < ev.Price)) {
			t.Errorf("book level events out of order: %v %v %d after %v %v %d", ev.Market, ev.Side, ev.Price, prev.Market, prev.Side, prev.Price)
		}
		prev = ev
		if ev.Size == 0 {
			delete(d, k)
		} else {
			d[k] = ev.Size
		}
	}
	if !maps.Equal(d, after) {
		t.Errorf("book level events give %v, the book is %v", d, after)
	}
}

func utOf(evs []Event, k EventKind) []Event {
	var out []Event
	for _, ev := range evs {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

func utBalEvs(n int) []EventKind { return slices.Repeat([]EventKind{EvBalance}, n) }

func utKs(parts ...any) []EventKind {
	ks := []EventKind{}
	for _, p := range parts {
		switch p := p.(type) {
		case EventKind:
			ks = append(ks, p)
		case []EventKind:
			ks = append(ks, p...)
		default:
			panic(fmt.Sprintf("utKs: %T", p))
		}
	}
	return ks
}

func utRun(t *testing.T, cases []utCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate row name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) { utRunCase(t, tc) })
	}
}

func utRunCase(t *testing.T, tc utCase) {
	w := utNewWorld(t)
	if tc.setup != nil {
		tc.setup(w)
	}
	cmd := w.stamp(tc.cmd(w))
	prevNow, prevSeq := w.e.Now(), w.e.LastSeq()
	stale := cmd.Seq <= prevSeq
	wantTime := max(prevNow, cmd.Time)
	if stale {
		wantTime = prevNow
	}
	allItemsRejected := len(tc.items) > 0 && !slices.Contains(tc.items, OK)
	unchanged := tc.code != OK || allItemsRejected

	var twin *utWorld
	var twinEvs []Event
	if unchanged {
		twin = utNewWorld(t)
		if tc.setup != nil {
			tc.setup(twin)
		}
		if twin.e.StateHash() != w.e.StateHash() {
			t.Fatal("setup is not deterministic")
		}
		twinEvs = twin.raw(Command{Kind: CmdTick, Seq: cmd.Seq, Time: cmd.Time})
		if stale {
			twinEvs = nil // the tick's own stale rejection
		}
	}

	hashBefore := w.e.StateHash()
	before := utBalances(w.e)
	depthBefore := utDepth(w.e)
	evs := w.raw(cmd)
	after := utBalances(w.e)
	utCheckLevelEvents(t, depthBefore, utDepth(w.e), evs)

	for i, ev := range evs {
		if ev.Seq != cmd.Seq || ev.Time != wantTime {
			t.Errorf("event %d (%s): seq %d time %d, want seq %d time %d", i, ev.Kind, ev.Seq, ev.Time, cmd.Seq, wantTime)
		}
		if cmd.Kind != CmdBatch && ev.Item != 0 {
			t.Errorf("event %d (%s): item %d outside a batch", i, ev.Kind, ev.Item)
		}
	}

	if tc.code != OK {
		if len(evs) != len(twinEvs)+1 {
			t.Fatalf("events %v, want %v then one rejection", utKinds(evs), utKinds(twinEvs))
		}
		if !slices.Equal(evs[:len(twinEvs)], twinEvs) {
			t.Errorf("events before the rejection %v differ from a tick's %v", evs[:len(twinEvs)], twinEvs)
		}
		r := evs[len(evs)-1]
		switch {
		case r.Kind != EvRejected:
			t.Errorf("last event %s, want rejected %s", r.Kind, tc.code)
		case r.Code != tc.code:
			t.Errorf("rejected %s, want %s", r.Code, tc.code)
		case r.Cmd != cmd.Kind || r.Account != cmd.Account || r.Market != cmd.Market || r.Order != cmd.Order || r.ClientOrderID != cmd.ClientOrderID || r.Item != 0:
			t.Errorf("rejection does not echo the command: %+v", r)
		}
	} else {
		for _, ev := range evs {
			if ev.Kind == EvRejected && ev.Item == 0 {
				t.Errorf("rejected %s, want accepted", ev.Code)
			}
		}
	}
	if unchanged {
		if w.e.StateHash() != twin.e.StateHash() {
			t.Errorf("rejected command changed the state (beyond clock, seq and expiries)")
		}
		if allItemsRejected && !slices.Equal(evs[:min(len(twinEvs), len(evs))], twinEvs) {
			t.Errorf("events before the item rejections %v differ from a tick's %v", evs, twinEvs)
		}
	}
	if stale {
		if w.e.StateHash() != hashBefore || w.e.Now() != prevNow || w.e.LastSeq() != prevSeq {
			t.Errorf("stale command changed the state")
		}
	} else if w.e.LastSeq() != cmd.Seq || w.e.Now() != wantTime {
		t.Errorf("after: LastSeq %d Now %d, want %d %d", w.e.LastSeq(), w.e.Now(), cmd.Seq, wantTime)
	}

	if tc.items != nil {
		utCheckItems(t, cmd, tc.items, evs)
	}
	// The tables list the kinds of events without EvBookLevel, which
	// utCheckLevelEvents checks against the book for every case.
	if kinds := utKinds(utWithout(evs, EvBookLevel)); tc.kinds != nil && !slices.Equal(kinds, tc.kinds) {
		t.Errorf("event kinds\n got %v\nwant %v", kinds, tc.kinds)
	}
	for _, b := range tc.bals {
		av, h := w.e.Balance(b.a, b.s)
		if av != b.avail || h != b.held {
			t.Errorf("balance of account %d asset %d: %d/%d, want %d/%d", b.a, b.s, av, h, b.avail, b.held)
		}
	}
	m := tc.market
	if m == 0 {
		m = utM1
	}
	if tc.bids != nil {
		if got := w.e.Depth(m, Buy, 0, nil); !slices.Equal(got, tc.bids) {
			t.Errorf("bids %v, want %v", got, tc.bids)
		}
	}
	if tc.asks != nil {
		if got := w.e.Depth(m, Sell, 0, nil); !slices.Equal(got, tc.asks) {
			t.Errorf("asks %v, want %v", got, tc.asks)
		}
	}
	single := cmd.Kind != CmdBatch && len(utOf(evs, EvOrderExpired)) == 0 && !utDeadmanFired(evs)
	utCheckBalanceEvents(t, before, after, evs, single)
	if tc.check != nil && !t.Failed() {
		tc.check(t, w, evs)
	}
}

// utCheckItems checks a batch's per-item results.
func utCheckItems(t *testing.T, cmd Command, items []Code, evs []Event) {
	t.Helper()
	for _, ev := range evs {
		if int(ev.Item) > len(items) {
			t.Errorf("event %s with item %d of %d", ev.Kind, ev.Item, len(items))
		}
	}
	for i, want := range items {
		item := uint16(i + 1)
		var rej []Event
		n := 0
		for _, ev := range evs {
			if ev.Item == item {
				n++
				if ev.Kind == EvRejected {
					rej = append(rej, ev)
				}
			}
		}
		if want == OK {
			if len(rej) != 0 || n == 0 {
				t.Errorf("item %d: %d events, rejections %v, want accepted", item, n, rej)
			}
			continue
		}
		if n != 1 || len(rej) != 1 || rej[0].Code != want {
			t.Errorf("item %d: %d events, rejections %v, want one %s", item, n, rej, want)
			continue
		}
		if r := rej[0]; r.Cmd != cmd.Batch[i].Kind || r.Account != cmd.Account {
			t.Errorf("item %d: rejection %+v does not echo the item", item, r)
		}
	}
}

// utCheckBalanceEvents checks the EvBalance events against the balances:
// each run of them is sorted by account then asset, the last one for a
// balance gives its final value, every balance that changed has one, and, in
// a single phase, only changed balances have one, once.
func utCheckBalanceEvents(t *testing.T, before, after map[utKey][2]int64, evs []Event, single bool) {
	t.Helper()
	last := map[utKey]Event{}
	count := map[utKey]int{}
	for i, ev := range evs {
		if ev.Kind != EvBalance {
			continue
		}
		k := utKey{ev.Account, ev.Asset}
		last[k] = ev
		count[k]++
		if i > 0 && evs[i-1].Kind == EvBalance {
			p := evs[i-1]
			if p.Account > ev.Account || p.Account == ev.Account && p.Asset >= ev.Asset {
				t.Errorf("balance events out of order: (%d,%d) then (%d,%d)", p.Account, p.Asset, ev.Account, ev.Asset)
			}
		}
	}
	for k, ev := range last {
		if got := after[k]; got != [2]int64{ev.Available, ev.Held} {
			t.Errorf("last balance event for (%d,%d) says %d/%d, balance is %v", k.a, k.s, ev.Available, ev.Held, got)
		}
	}
	keys := map[utKey]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for k := range keys {
		if before[k] != after[k] && count[k] == 0 {
			t.Errorf("balance (%d,%d) changed %v -> %v without an event", k.a, k.s, before[k], after[k])
		}
	}
	if single {
		for k, n := range count {
			if n > 1 || before[k] == after[k] {
				t.Errorf("balance (%d,%d): %d events, %v -> %v", k.a, k.s, n, before[k], after[k])
			}
		}
	}
}

func utStale(kind CommandKind) utCase {
	return utCase{
		name: "stale sequence",
		// Seq equal to the last one; a later time must not move the clock.
		cmd: func(w *utWorld) Command {
			return Command{Kind: kind, Seq: w.e.LastSeq(), Time: w.clock + 1000, Account: utAlice}
		},
		code: CodeStaleSequence,
	}
}

// ---------------------------------------------------------------------------
// Tables, one per command kind

func utAllTables() map[string][]utCase {
	return map[string][]utCase{
		"tick":                utTickCases(),
		"unknown kind":        utUnknownKindCases(),
		"create account":      utCreateAccountCases(),
		"create asset":        utCreateAssetCases(),
		"create market":       utCreateMarketCases(),
		"set market status":   utSetStatusCases(),
		"set fees":            utSetFeesCases(),
		"deposit":             utDepositCases(),
		"withdraw":            utWithdrawCases(),
		"complete withdrawal": utCompleteCases(),
		"fail withdrawal":     utFailCases(),
		"place order":         utPlaceCases(),
		"amend order":         utAmendCases(),
		"cancel order":        utCancelCases(),
		"cancel all":          utCancelAllCases(),
		"batch":               utBatchCases(),
		"fok":                 utFOKCases(),
		"set hub":             utSetHubCases(),
		"swap":                utSwapCases(),
		"issue":               utIssueCases(),
		"redeem":              utRedeemCases(),
		"fulfil redemption":   utFulfilCases(),
		"reject redemption":   utRejectCases(),
		"report supply":       utReportSupplyCases(),
		"coupon expiry":       utExpiryCases(),
		"cancel all after":    utCancelAllAfterCases(),
		"open session":        utOpenSessionCases(),
		"close session":       utCloseSessionCases(),
		"place in a session":  utSessionPlaceCases(),
	}
}

func TestCmdTick(t *testing.T)               { utRun(t, utTickCases()) }
func TestCmdUnknownKind(t *testing.T)        { utRun(t, utUnknownKindCases()) }
func TestCmdCreateAccount(t *testing.T)      { utRun(t, utCreateAccountCases()) }
func TestCmdCreateAsset(t *testing.T)        { utRun(t, utCreateAssetCases()) }
func TestCmdCreateMarket(t *testing.T)       { utRun(t, utCreateMarketCases()) }
func TestCmdSetMarketStatus(t *testing.T)    { utRun(t, utSetStatusCases()) }
func TestCmdSetFees(t *testing.T)            { utRun(t, utSetFeesCases()) }
func TestCmdDeposit(t *testing.T)            { utRun(t, utDepositCases()) }
func TestCmdWithdraw(t *testing.T)           { utRun(t, utWithdrawCases()) }
func TestCmdCompleteWithdrawal(t *testing.T) { utRun(t, utCompleteCases()) }
func TestCmdFailWithdrawal(t *testing.T)     { utRun(t, utFailCases()) }
func TestCmdPlaceOrder(t *testing.T)         { utRun(t, utPlaceCases()) }
func TestCmdAmendOrder(t *testing.T)         { utRun(t, utAmendCases()) }
func TestCmdCancelOrder(t *testing.T)        { utRun(t, utCancelCases()) }
func TestCmdCancelAll(t *testing.T)          { utRun(t, utCancelAllCases()) }
func TestCmdBatch(t *testing.T)              { utRun(t, utBatchCases()) }
func TestCmdSetHub(t *testing.T)             { utRun(t, utSetHubCases()) }
func TestCmdSwap(t *testing.T)               { utRun(t, utSwapCases()) }
func TestCmdIssue(t *testing.T)              { utRun(t, utIssueCases()) }
func TestCmdRedeem(t *testing.T)             { utRun(t, utRedeemCases()) }
func TestCmdFulfilRedemption(t *testing.T)   { utRun(t, utFulfilCases()) }
func TestCmdRejectRedemption(t *testing.T)   { utRun(t, utRejectCases()) }
func TestCmdReportSupply(t *testing.T)       { utRun(t, utReportSupplyCases()) }
func TestCmdCouponExpiry(t *testing.T)       { utRun(t, utExpiryCases()) }

// TestPropFOKCancelsNoMaker: an FOK order that cannot fill is rejected
// without cancelling any maker, whatever its self-trade prevention.
func TestPropFOKCancelsNoMaker(t *testing.T) { utRun(t, utFOKCases()) }

func utTickCases() []utCase {
	tick := func(at int64) func(*utWorld) Command {
		return func(*utWorld) Command { return Command{Kind: CmdTick, Time: at} }
	}
	// alice GTD buy 1000 x 100: notional 200 ticks * 5 lots = 1000 cents,
	// hold 1000 + ceil(1000*10/10000) = 1001.
	gtd := utPlaced("g", utMod(utLimit(utAlice, utM1, Buy, 1000, 100), func(c *Command) { c.TIF, c.ExpiresAt = GTD, utT0+100 }))
	return []utCase{
		{
			name: "quiet", cmd: tick(utT0 + 10), kinds: []EventKind{},
			check: func(t *testing.T, w *utWorld, _ []Event) {
				if w.e.Now() != utT0+10 {
					t.Errorf("Now %d, want %d", w.e.Now(), utT0+10)
				}
			},
		},
		{
			name: "expires a due GTD order", setup: gtd, cmd: tick(utT0 + 100),
			kinds: utKs(EvOrderExpired, EvBalance),
			bals:  []utB{{utAlice, utUSD, utFundUSD, 0}},
			bids:  []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				x := evs[0]
				if x.Order != w.id("g") || x.Account != utAlice || x.Market != utM1 || x.Side != Buy || x.Remaining != 100 {
					t.Errorf("expired %+v", x)
				}
				if _, ok := w.e.Order(w.id("g")); ok {
					t.Errorf("expired order still found")
				}
			},
		},
		{
			name: "not yet due", setup: gtd, cmd: tick(utT0 + 99), kinds: []EventKind{},
			bals: []utB{{utAlice, utUSD, utFundUSD - 1001, 1001}},
			bids: []Level{{1000, 100, 1}},
		},
		{
			name: "expiries in ExpiresAt then OrderID order",
			setup: utSteps(
				// carol sell 1100 x 40 holds 40 BTC; bob buy 1000 x 40: 200*2 = 400,
				// hold 401; alice buy 995 x 40: 199*2 = 398, hold 398+1 = 399.
				utPlaced("c", utMod(utLimit(utCarol, utM1, Sell, 1100, 40), func(c *Command) { c.TIF, c.ExpiresAt = GTD, utT0+20 })),
				utPlaced("b", utMod(utLimit(utBob, utM1, Buy, 1000, 40), func(c *Command) { c.TIF, c.ExpiresAt = GTD, utT0+10 })),
				utPlaced("a", utMod(utLimit(utAlice, utM1, Buy, 995, 40), func(c *Command) { c.TIF, c.ExpiresAt = GTD, utT0+10 })),
			),
			cmd:   tick(utT0 + 50),
			kinds: utKs(EvOrderExpired, EvOrderExpired, EvOrderExpired, utBalEvs(3)),
			bals:  []utB{{utAlice, utUSD, utFundUSD, 0}, {utBob, utUSD, utFundUSD, 0}, {utCarol, utBTC, utFundBTC, 0}},
			bids:  []Level{}, asks: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				want := []OrderID{w.id("b"), w.id("a"), w.id("c")}
				for i, id := range want {
					if evs[i].Order != id {
						t.Errorf("expiry %d: order %x, want %x", i, evs[i].Order, id)
					}
				}
				if !(w.id("b") < w.id("a")) {
					t.Errorf("test assumes b's id below a's")
				}
			},
		},
		{
			name: "expires an amended GTD order",
			setup: utSteps(gtd, func(w *utWorld) {
				w.must(utAmend(utAlice, w.id("g"), 1050, 40))
			}),
			cmd:   tick(utT0 + 100),
			kinds: utKs(EvOrderExpired, EvBalance),
			bals:  []utB{{utAlice, utUSD, utFundUSD, 0}}, bids: []Level{},
		},
		{
			// 2 lots from bob (400 + 1), the other 3 rest and expire.
			name: "expires a GTD order that traded before resting",
			setup: utSteps(
				utPlaced("b1", utLimit(utBob, utM1, Sell, 1000, 40)),
				gtd,
			),
			cmd:   tick(utT0 + 100),
			kinds: utKs(EvOrderExpired, EvBalance),
			bals:  []utB{{utAlice, utUSD, utFundUSD - 401, 0}, {utAlice, utBTC, utFundBTC + 40, 0}}, bids: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if evs[0].Order != w.id("g") || evs[0].Remaining != 60 {
					t.Errorf("expired %+v", evs[0])
				}
			},
		},
		utStale(CmdTick),
	}
}

func utUnknownKindCases() []utCase {
	return []utCase{
		{name: "kind 0", cmd: utConst(Command{Kind: 0}), code: CodeInvalidCommand},
		{name: "kind past the end", cmd: utConst(Command{Kind: cmdKindEnd}), code: CodeInvalidCommand},
		{name: "kind 255", cmd: utConst(Command{Kind: 255, Account: utAlice}), code: CodeInvalidCommand},
	}
}

func utCreateAccountCases() []utCase {
	return []utCase{
		{
			name: "creates the next id", cmd: utConst(Command{Kind: CmdCreateAccount}),
			kinds: utKs(EvAccountCreated),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if evs[0].Account != 5 || w.e.Accounts() != 5 {
					t.Errorf("created %d, Accounts %d, want 5 and 5", evs[0].Account, w.e.Accounts())
				}
				// The new account is usable.
				w.deposit(5, utUSD, 1)
			},
		},
		utStale(CmdCreateAccount),
	}
}

func utCreateAssetCases() []utCase {
	asset := func(sym Symbol, scale uint8) func(*utWorld) Command {
		return utConst(Command{Kind: CmdCreateAsset, Symbol: sym, Scale: scale})
	}
	created := func(sym string, scale uint8) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			ev := evs[0]
			if ev.Asset != 4 || ev.Symbol != utSym(sym) || ev.Scale != scale {
				t.Errorf("event %+v", ev)
			}
			if info, ok := w.e.Asset(4); !ok || info != (AssetInfo{ID: 4, Symbol: utSym(sym), Scale: scale}) {
				t.Errorf("Asset(4) = %+v, %v", info, ok)
			}
		}
	}
	branded := func(kind AssetKind, brand AccountID, expires int64) func(*utWorld) Command {
		return utConst(Command{Kind: CmdCreateAsset, Symbol: utSym("PTS"), AssetKind: kind, Brand: brand, ExpiresAt: expires})
	}
	brandedAs := func(want AssetInfo) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			ev := evs[0]
			if ev.Asset != want.ID || ev.Symbol != want.Symbol || ev.AssetKind != want.Kind || ev.Brand != want.Brand ||
				ev.ExpiresAt != want.ExpiresAt || ev.Hub {
				t.Errorf("event %+v, want %+v", ev, want)
			}
			if info, ok := w.e.Asset(want.ID); !ok || info != want {
				t.Errorf("Asset(%d) = %+v, %v, want %+v", want.ID, info, ok, want)
			}
		}
	}
	return []utCase{
		{name: "ok", cmd: asset(utSym("SOL"), 9), kinds: utKs(EvAssetCreated), check: created("SOL", 9)},
		{name: "ok scale 0, 16-byte symbol", cmd: asset(utSym("ABCDEFGHIJKLMNOP"), 0), kinds: utKs(EvAssetCreated), check: created("ABCDEFGHIJKLMNOP", 0)},
		{name: "ok max scale, dots and underscores", cmd: asset(utSym("W.ETH_2"), MaxScale), kinds: utKs(EvAssetCreated), check: created("W.ETH_2", MaxScale)},
		{name: "zero symbol", cmd: asset(Symbol{}, 2), code: CodeInvalidCommand},
		{name: "lower case symbol", cmd: asset(Symbol{'b', 't', 'c'}, 2), code: CodeInvalidCommand},
		{name: "symbol with a hole", cmd: asset(Symbol{'A', 0, 'B'}, 2), code: CodeInvalidCommand},
		{name: "symbol with a space", cmd: asset(Symbol{'A', ' ', 'B'}, 2), code: CodeInvalidCommand},
		{name: "scale 19", cmd: asset(utSym("SOL"), MaxScale+1), code: CodeInvalidScale},
		{name: "scale 255", cmd: asset(utSym("SOL"), 255), code: CodeInvalidScale},
		{name: "duplicate symbol", cmd: asset(utSym("BTC"), 8), code: CodeDuplicateAsset},

		// ---- kinds, brands, expiry, hub
		{
			name: "ok points of a brand", cmd: branded(Points, utBob, 0), kinds: utKs(EvAssetCreated),
			check: brandedAs(AssetInfo{ID: 4, Symbol: utSym("PTS"), Kind: Points, Brand: utBob}),
		},
		{
			name: "ok coupon expiring later", cmd: branded(Coupon, utBob, utT0+1), kinds: utKs(EvAssetCreated),
			check: brandedAs(AssetInfo{ID: 4, Symbol: utSym("PTS"), Kind: Coupon, Brand: utBob, ExpiresAt: utT0 + 1}),
		},
		{
			name: "ok coupon that never expires", cmd: branded(Coupon, utCarol, 0), kinds: utKs(EvAssetCreated),
			check: brandedAs(AssetInfo{ID: 4, Symbol: utSym("PTS"), Kind: Coupon, Brand: utCarol}),
		},
		{
			name: "ok the fee account as a brand", cmd: branded(Points, FeeAccount, 0), kinds: utKs(EvAssetCreated),
			check: brandedAs(AssetInfo{ID: 4, Symbol: utSym("PTS"), Kind: Points, Brand: FeeAccount}),
		},
		{
			// EvAssetCreated carries Hub (event.go): no separate EvHubSet.
			name: "ok hub token",
			cmd:  utConst(Command{Kind: CmdCreateAsset, Symbol: utSym("EUR"), Scale: 2, Hub: true}), kinds: utKs(EvAssetCreated),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if ev := evs[0]; ev.Kind != EvAssetCreated || ev.Asset != 4 || !ev.Hub || ev.AssetKind != Token || ev.Brand != 0 {
					t.Errorf("event %+v, want EvAssetCreated with Hub", ev)
				}
				if info, _ := w.e.Asset(4); !info.Hub {
					t.Errorf("Asset(4) = %+v, want a hub", info)
				}
			},
		},
		{name: "kind past coupon", cmd: branded(Coupon+1, utBob, 0), code: CodeInvalidAssetKind},
		{name: "kind 255", cmd: branded(255, utBob, 0), code: CodeInvalidAssetKind},
		{name: "token with a brand", cmd: branded(Token, utBob, 0), code: CodeInvalidAssetKind},
		{name: "points without a brand", cmd: branded(Points, 0, 0), code: CodeInvalidAssetKind},
		{name: "coupon without a brand", cmd: branded(Coupon, 0, utT0+1), code: CodeInvalidAssetKind},
		{name: "brand is not an account", cmd: branded(Points, 99, 0), code: CodeUnknownAccount},
		{name: "brand is the next account id", cmd: branded(Coupon, 5, utT0+1), code: CodeUnknownAccount},
		{name: "expiry on points", cmd: branded(Points, utBob, utT0+1), code: CodeInvalidExpiry},
		{name: "expiry on a token", cmd: branded(Token, 0, utT0+1), code: CodeInvalidExpiry},
		{name: "coupon expiring now", cmd: branded(Coupon, utBob, utT0), code: CodeInvalidExpiry},
		{name: "coupon expired already", cmd: branded(Coupon, utBob, utT0-1), code: CodeInvalidExpiry},
		{name: "coupon negative expiry", cmd: branded(Coupon, utBob, -1), code: CodeInvalidExpiry},
		utStale(CmdCreateAsset),
	}
}

func utCreateMarketCases() []utCase {
	// ETH/BTC: base scale 0, quote scale 3: notionalPerTickLot =
	// tick*lot*10^(3-p-0).
	base := Command{Kind: CmdCreateMarket, Base: utETH, Quote: utBTC, PriceScale: 0, Tick: 1, Lot: 1, MakerBps: 5, TakerBps: 7}
	mk := func(f func(*Command)) func(*utWorld) Command { return utConst(utMod(base, f)) }
	same := func(*Command) {}
	return []utCase{
		{
			name: "ok", cmd: mk(same), kinds: utKs(EvMarketCreated),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				ev := evs[0]
				if ev.Market != 3 || ev.Base != utETH || ev.Quote != utBTC || ev.PriceScale != 0 || ev.Tick != 1 || ev.Lot != 1 ||
					ev.MakerBps != 5 || ev.TakerBps != 7 || ev.Status != Open {
					t.Errorf("event %+v", ev)
				}
				info, ok := w.e.Market(3)
				if !ok || info.Base != utETH || info.Quote != utBTC || info.Tick != 1 || info.Lot != 1 || info.MakerBps != 5 || info.TakerBps != 7 || info.Status != Open || info.MinSize != ev.MinSize {
					t.Errorf("Market(3) = %+v, %v", info, ok)
				}
			},
		},
		{
			name: "ok with min size", cmd: mk(func(c *Command) { c.Tick, c.Lot, c.MinSize = 2, 5, 15 }), kinds: utKs(EvMarketCreated),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if info, _ := w.e.Market(3); info.MinSize != 15 || info.Lot != 5 || info.Tick != 2 || evs[0].MinSize != 15 {
					t.Errorf("Market(3) = %+v, event %+v", info, evs[0])
				}
			},
		},
		{name: "ok fees at the limits", cmd: mk(func(c *Command) { c.MakerBps, c.TakerBps = 0, MaxFeeBps }), kinds: utKs(EvMarketCreated)},
		// ETH/BTC, price scale 18: 10^9 * 10^6 / 10^(18+0-3) = 1.
		{name: "ok max price scale", cmd: mk(func(c *Command) {
			c.PriceScale, c.Tick, c.Lot = MaxScale, 1_000_000_000, 1_000_000
		}), kinds: utKs(EvMarketCreated)},
		{name: "unknown base 0", cmd: mk(func(c *Command) { c.Base = 0 }), code: CodeUnknownAsset},
		{name: "unknown base", cmd: mk(func(c *Command) { c.Base = 9 }), code: CodeUnknownAsset},
		{name: "unknown quote", cmd: mk(func(c *Command) { c.Quote = 9 }), code: CodeUnknownAsset},
		{name: "base is quote", cmd: mk(func(c *Command) { c.Quote = utETH }), code: CodeInvalidCommand},
		{name: "price scale 19", cmd: mk(func(c *Command) { c.PriceScale = MaxScale + 1 }), code: CodeInvalidScale},
		{name: "tick 0", cmd: mk(func(c *Command) { c.Tick = 0 }), code: CodeInvalidTick},
		{name: "negative tick", cmd: mk(func(c *Command) { c.Tick = -1 }), code: CodeInvalidTick},
		{name: "lot 0", cmd: mk(func(c *Command) { c.Lot = 0 }), code: CodeInvalidLot},
		{name: "negative lot", cmd: mk(func(c *Command) { c.Lot = -5 }), code: CodeInvalidLot},
		{name: "negative min size", cmd: mk(func(c *Command) { c.MinSize = -1 }), code: CodeInvalidMinSize},
		{name: "min size not whole lots", cmd: mk(func(c *Command) { c.Lot, c.MinSize = 2, 3 }), code: CodeInvalidMinSize},
		{name: "negative maker fee", cmd: mk(func(c *Command) { c.MakerBps = -1 }), code: CodeInvalidFee},
		{name: "maker fee over 100%", cmd: mk(func(c *Command) { c.MakerBps = MaxFeeBps + 1 }), code: CodeInvalidFee},
		{name: "negative taker fee", cmd: mk(func(c *Command) { c.TakerBps = -1 }), code: CodeInvalidFee},
		{name: "taker fee over 100%", cmd: mk(func(c *Command) { c.TakerBps = MaxFeeBps + 1 }), code: CodeInvalidFee},
		{name: "duplicate pair", cmd: mk(func(c *Command) { c.Base, c.Quote, c.PriceScale, c.Tick, c.Lot = utBTC, utUSD, 1, 5, 20 }), code: CodeDuplicateMarket},
		// BTC/ETH, price scale 0: tick*lot must be a multiple of 10^(0+3-0); 10*10 = 100 is not.
		{name: "tick x lot not integral", cmd: mk(func(c *Command) { c.Base, c.Quote, c.Tick, c.Lot = utBTC, utETH, 10, 10 }), code: CodeTickLotNotIntegral},
		{name: "tick x lot overflows", cmd: mk(func(c *Command) { c.Tick, c.Lot = math.MaxInt64, 2 }), code: CodeAmountOverflow},
		// ETH/BTC: tick*lot*10^3 overflows.
		{name: "notional per tick and lot overflows", cmd: mk(func(c *Command) { c.Tick = math.MaxInt64/1000 + 1 }), code: CodeAmountOverflow},
		utStale(CmdCreateMarket),
	}
}

func utSetStatusCases() []utCase {
	st := func(m MarketID, s MarketStatus) func(*utWorld) Command {
		return utConst(Command{Kind: CmdSetMarketStatus, Market: m, Status: s})
	}
	status := func(want MarketStatus) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			if evs[0].Market != utM1 || evs[0].Status != want {
				t.Errorf("event %+v", evs[0])
			}
			if info, _ := w.e.Market(utM1); info.Status != want {
				t.Errorf("status %s, want %s", info.Status, want)
			}
		}
	}
	halt := func(w *utWorld) { w.must(Command{Kind: CmdSetMarketStatus, Market: utM1, Status: Halted}) }
	return []utCase{
		{
			name: "halt keeps the book", setup: utPlaced("a", utLimit(utAlice, utM1, Buy, 1000, 100)),
			cmd: st(utM1, Halted), kinds: utKs(EvMarketStatus), check: status(Halted),
			bids: []Level{{1000, 100, 1}}, bals: []utB{{utAlice, utUSD, utFundUSD - 1001, 1001}},
		},
		{name: "reopen", setup: halt, cmd: st(utM1, Open), kinds: utKs(EvMarketStatus), check: status(Open)},
		{name: "unknown market 0", cmd: st(0, Halted), code: CodeUnknownMarket},
		{name: "unknown market", cmd: st(9, Halted), code: CodeUnknownMarket},
		{name: "status 0", cmd: st(utM1, 0), code: CodeInvalidStatus},
		{name: "status 3", cmd: st(utM1, Halted+1), code: CodeInvalidStatus},
		utStale(CmdSetMarketStatus),
	}
}

func utSetFeesCases() []utCase {
	fees := func(m MarketID, maker, taker int32) func(*utWorld) Command {
		return utConst(Command{Kind: CmdSetFees, Market: m, MakerBps: maker, TakerBps: taker})
	}
	return []utCase{
		{
			name:  "applies to later orders only",
			setup: utPlaced("a", utLimit(utAlice, utM1, Buy, 1000, 100)),
			cmd:   fees(utM1, 5, 7), kinds: utKs(EvFeesSet),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if ev := evs[0]; ev.Market != utM1 || ev.MakerBps != 5 || ev.TakerBps != 7 {
					t.Errorf("event %+v", ev)
				}
				if info, _ := w.e.Market(utM1); info.MakerBps != 5 || info.TakerBps != 7 {
					t.Errorf("market %+v", info)
				}
				if o, _ := w.e.Order(w.id("a")); o.MakerBps != 10 || o.TakerBps != 25 || o.Hold != 1001 {
					t.Errorf("resting order %+v changed", o)
				}
				// bob sells into alice's order: alice (maker) pays her old 10
				// bps, ceil(1000*10/10000) = 1; bob (taker) the new 7 bps,
				// ceil(1000*7/10000) = 1.
				evs = w.must(utMkt(utBob, utM1, Sell, 100))
				acc := utOf(evs, EvOrderAccepted)[0]
				tr := utOf(evs, EvTrade)[0]
				if acc.MakerBps != 5 || acc.TakerBps != 7 || tr.Fee != 1 || tr.MakerFee != 1 {
					t.Errorf("accepted %+v trade %+v", acc, tr)
				}
			},
		},
		{name: "ok limits", cmd: fees(utM1, MaxFeeBps, 0), kinds: utKs(EvFeesSet)},
		{name: "unknown market", cmd: fees(9, 1, 1), code: CodeUnknownMarket},
		{name: "unknown market 0", cmd: fees(0, 1, 1), code: CodeUnknownMarket},
		{name: "negative maker", cmd: fees(utM1, -1, 1), code: CodeInvalidFee},
		{name: "maker over 100%", cmd: fees(utM1, MaxFeeBps+1, 1), code: CodeInvalidFee},
		{name: "negative taker", cmd: fees(utM1, 1, -1), code: CodeInvalidFee},
		{name: "taker over 100%", cmd: fees(utM1, 1, MaxFeeBps+1), code: CodeInvalidFee},
		utStale(CmdSetFees),
	}
}

func utDepositCases() []utCase {
	dep := func(a AccountID, s AssetID, amount int64, ref Ref) func(*utWorld) Command {
		return utConst(Command{Kind: CmdDeposit, Account: a, Asset: s, Amount: amount, Ref: ref})
	}
	fresh := utRef(999_999)
	ethSupply := 3 * utFundETH
	return []utCase{
		{
			name: "ok", cmd: dep(utAlice, utUSD, 500, fresh),
			kinds: utKs(EvDeposited, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD + 500, 0}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if ev := evs[0]; ev.Account != utAlice || ev.Asset != utUSD || ev.Amount != 500 || ev.Ref != fresh {
					t.Errorf("event %+v", ev)
				}
				if info, _ := w.e.Asset(utUSD); info.Deposited != 3*utFundUSD+500 {
					t.Errorf("deposited %d", info.Deposited)
				}
			},
		},
		{
			name: "ok first balance of a new account", setup: func(w *utWorld) { w.must(Command{Kind: CmdCreateAccount}) },
			cmd: dep(5, utETH, 7, fresh), kinds: utKs(EvDeposited, EvBalance), bals: []utB{{5, utETH, 7, 0}},
		},
		{name: "ok to the fee account", cmd: dep(FeeAccount, utUSD, 7, fresh), kinds: utKs(EvDeposited, EvBalance), bals: []utB{{FeeAccount, utUSD, 7, 0}}},
		{
			name: "ok supply reaches MaxInt64", cmd: dep(utAlice, utETH, math.MaxInt64-ethSupply, fresh),
			kinds: utKs(EvDeposited, EvBalance), bals: []utB{{utAlice, utETH, math.MaxInt64 - 2*utFundETH, 0}},
		},
		{name: "unknown account 0", cmd: dep(0, utUSD, 5, fresh), code: CodeUnknownAccount},
		{name: "unknown account", cmd: dep(99, utUSD, 5, fresh), code: CodeUnknownAccount},
		{name: "unknown asset 0", cmd: dep(utAlice, 0, 5, fresh), code: CodeUnknownAsset},
		{name: "unknown asset", cmd: dep(utAlice, 9, 5, fresh), code: CodeUnknownAsset},
		{name: "zero amount", cmd: dep(utAlice, utUSD, 0, fresh), code: CodeInvalidAmount},
		{name: "negative amount", cmd: dep(utAlice, utUSD, -5, fresh), code: CodeInvalidAmount},
		{name: "zero ref", cmd: dep(utAlice, utUSD, 5, Ref{}), code: CodeInvalidCommand},
		// utRef(1) credited alice's BTC in the setup.
		{name: "duplicate ref, other account and asset", cmd: dep(utBob, utUSD, 5, utRef(1)), code: CodeDuplicateDeposit},
		{name: "supply past MaxInt64", cmd: dep(utAlice, utETH, math.MaxInt64-ethSupply+1, fresh), code: CodeAmountOverflow},
		{
			name: "supply already at MaxInt64", setup: func(w *utWorld) { w.deposit(utBob, utETH, math.MaxInt64-ethSupply) },
			cmd: dep(utAlice, utETH, 1, fresh), code: CodeAmountOverflow,
		},
		// Points: 500 issued (utBrands) count towards the lifetime inflow.
		{
			name: "ok points, inflow reaches MaxInt64", setup: utBrands, cmd: dep(utCarol, utPTS, math.MaxInt64-500, fresh),
			kinds: utKs(EvDeposited, EvBalance), bals: []utB{{utCarol, utPTS, math.MaxInt64 - 500, 0}},
		},
		{name: "points, issuance plus deposits past MaxInt64", setup: utBrands, cmd: dep(utCarol, utPTS, math.MaxInt64-499, fresh), code: CodeAmountOverflow},
		utStale(CmdDeposit),
	}
}

func utWithdrawCases() []utCase {
	wd := func(a AccountID, s AssetID, amount int64, id WithdrawalID) func(*utWorld) Command {
		return utConst(Command{Kind: CmdWithdraw, Account: a, Asset: s, Amount: amount, Withdrawal: id})
	}
	settled := func(kind CommandKind) func(*utWorld) {
		return func(w *utWorld) {
			w.must(Command{Kind: CmdWithdraw, Account: utAlice, Asset: utUSD, Amount: 5, Withdrawal: 7})
			w.must(Command{Kind: kind, Withdrawal: 7})
		}
	}
	return []utCase{
		{
			name: "ok", cmd: wd(utAlice, utUSD, 300, 7),
			kinds: utKs(EvWithdrawalHeld, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD - 300, 300}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if ev := evs[0]; ev.Account != utAlice || ev.Asset != utUSD || ev.Amount != 300 || ev.Withdrawal != 7 {
					t.Errorf("event %+v", ev)
				}
			},
		},
		{name: "ok everything available", cmd: wd(utAlice, utETH, utFundETH, 7), kinds: utKs(EvWithdrawalHeld, EvBalance), bals: []utB{{utAlice, utETH, 0, utFundETH}}},
		{
			name: "ok id of a rejected withdrawal",
			setup: func(w *utWorld) {
				w.apply(Command{Kind: CmdWithdraw, Account: utAlice, Asset: utUSD, Amount: utFundUSD + 1, Withdrawal: 7})
			},
			cmd: wd(utAlice, utUSD, 1, 7), kinds: utKs(EvWithdrawalHeld, EvBalance),
		},
		{name: "unknown account 0", cmd: wd(0, utUSD, 1, 7), code: CodeUnknownAccount},
		{name: "unknown account", cmd: wd(99, utUSD, 1, 7), code: CodeUnknownAccount},
		{name: "unknown asset 0", cmd: wd(utAlice, 0, 1, 7), code: CodeUnknownAsset},
		{name: "unknown asset", cmd: wd(utAlice, 9, 1, 7), code: CodeUnknownAsset},
		{name: "zero amount", cmd: wd(utAlice, utUSD, 0, 7), code: CodeInvalidAmount},
		{name: "negative amount", cmd: wd(utAlice, utUSD, -1, 7), code: CodeInvalidAmount},
		{name: "withdrawal id 0", cmd: wd(utAlice, utUSD, 1, 0), code: CodeInvalidCommand},
		{
			name: "duplicate pending id",
			setup: func(w *utWorld) {
				w.must(Command{Kind: CmdWithdraw, Account: utBob, Asset: utBTC, Amount: 5, Withdrawal: 7})
			},
			cmd: wd(utAlice, utUSD, 1, 7), code: CodeDuplicateWithdrawal,
		},
		{name: "duplicate completed id", setup: settled(CmdCompleteWithdrawal), cmd: wd(utAlice, utUSD, 1, 7), code: CodeDuplicateWithdrawal},
		{name: "duplicate failed id", setup: settled(CmdFailWithdrawal), cmd: wd(utAlice, utUSD, 1, 7), code: CodeDuplicateWithdrawal},
		{name: "more than available", cmd: wd(utAlice, utUSD, utFundUSD+1, 7), code: CodeInsufficientBalance},
		{
			// alice's buy holds 1001 of her cents: 998_999 are available.
			name: "funds held by an order", setup: utPlaced("a", utLimit(utAlice, utM1, Buy, 1000, 100)),
			cmd: wd(utAlice, utUSD, utFundUSD-1000, 7), code: CodeInsufficientBalance,
		},
		{
			name: "account without that asset", setup: func(w *utWorld) { w.must(Command{Kind: CmdCreateAccount}) },
			cmd: wd(5, utUSD, 1, 7), code: CodeInsufficientBalance,
		},
		utStale(CmdWithdraw),
	}
}

func utSettleCases(kind CommandKind) []utCase {
	settle := func(id WithdrawalID) func(*utWorld) Command {
		return utConst(Command{Kind: kind, Withdrawal: id})
	}
	pending := func(w *utWorld) {
		w.must(Command{Kind: CmdWithdraw, Account: utAlice, Asset: utUSD, Amount: 300, Withdrawal: 7})
	}
	settled := func(k CommandKind) func(*utWorld) {
		return utSteps(pending, func(w *utWorld) { w.must(Command{Kind: k, Withdrawal: 7}) })
	}
	ok := utCase{name: "ok", setup: pending, cmd: settle(7)}
	if kind == CmdCompleteWithdrawal {
		ok.kinds = utKs(EvWithdrawalCompleted, EvBalance)
		ok.bals = []utB{{utAlice, utUSD, utFundUSD - 300, 0}}
	} else {
		ok.kinds = utKs(EvWithdrawalFailed, EvBalance)
		ok.bals = []utB{{utAlice, utUSD, utFundUSD, 0}}
	}
	ok.check = func(t *testing.T, w *utWorld, evs []Event) {
		if ev := evs[0]; ev.Account != utAlice || ev.Asset != utUSD || ev.Amount != 300 || ev.Withdrawal != 7 {
			t.Errorf("event %+v", ev)
		}
		info, _ := w.e.Asset(utUSD)
		want := int64(0)
		if kind == CmdCompleteWithdrawal {
			want = 300
		}
		if info.Withdrawn != want || info.Deposited != 3*utFundUSD {
			t.Errorf("asset %+v, want withdrawn %d", info, want)
		}
	}
	return []utCase{
		ok,
		{name: "unknown id", setup: pending, cmd: settle(8), code: CodeUnknownWithdrawal},
		{name: "id 0", setup: pending, cmd: settle(0), code: CodeUnknownWithdrawal},
		{name: "already completed", setup: settled(CmdCompleteWithdrawal), cmd: settle(7), code: CodeUnknownWithdrawal},
		{name: "already failed", setup: settled(CmdFailWithdrawal), cmd: settle(7), code: CodeUnknownWithdrawal},
		utStale(kind),
	}
}

func utCompleteCases() []utCase { return utSettleCases(CmdCompleteWithdrawal) }
func utFailCases() []utCase     { return utSettleCases(CmdFailWithdrawal) }

func utPlaceCases() []utCase {
	lim := func(a AccountID, side Side, price, size int64, f ...func(*Command)) func(*utWorld) Command {
		c := utLimit(a, utM1, side, price, size)
		for _, g := range f {
			g(&c)
		}
		return utConst(c)
	}
	tif := func(t TimeInForce) func(*Command) { return func(c *Command) { c.TIF = t } }
	stp := func(s SelfTradePrevention) func(*Command) { return func(c *Command) { c.STP = s } }
	postOnly := func(c *Command) { c.PostOnly = true }
	gtdAt := func(at int64) func(*Command) { return func(c *Command) { c.TIF, c.ExpiresAt = GTD, at } }
	cid := func(s string) func(*Command) { return func(c *Command) { c.ClientOrderID = utCID(s) } }
	mod := func(f func(*Command)) func(*utWorld) Command {
		return utConst(utMod(utLimit(utAlice, utM1, Buy, 1000, 100), f))
	}
	ask := func(name string, a AccountID, price, size int64) func(*utWorld) {
		return utPlaced(name, utLimit(a, utM1, Sell, price, size))
	}
	bid := func(name string, a AccountID, price, size int64) func(*utWorld) {
		return utPlaced(name, utLimit(a, utM1, Buy, price, size))
	}
	halt := func(w *utWorld) { w.must(Command{Kind: CmdSetMarketStatus, Market: utM1, Status: Halted}) }

	return []utCase{
		// ---- accepted
		{
			// notional 200 ticks * 5 lots = 1000; hold 1000 + ceil(1000*10/10000) = 1001.
			name: "limit buy rests", cmd: lim(utAlice, Buy, 1000, 100),
			kinds: utKs(EvOrderAccepted, EvBalance),
			bals:  []utB{{utAlice, utUSD, utFundUSD - 1001, 1001}},
			bids:  []Level{{1000, 100, 1}}, asks: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				ev := evs[0]
				if ev.Account != utAlice || ev.Market != utM1 || ev.Side != Buy || ev.Type != Limit || ev.TIF != GTC ||
					ev.Price != 1000 || ev.Size != 100 || ev.MakerBps != 10 || ev.TakerBps != 25 || ev.Order == 0 {
					t.Errorf("accepted %+v", ev)
				}
				os := w.e.BookOrders(utM1, Buy, nil)
				if len(os) != 1 || os[0].ID != ev.Order || os[0].Hold != 1001 || os[0].Remaining != 100 || os[0].Size != 100 || os[0].FeeCharged != 0 {
					t.Errorf("book %+v", os)
				}
			},
		},
		{
			name: "limit sell rests", cmd: lim(utBob, Sell, 1100, 60),
			kinds: utKs(EvOrderAccepted, EvBalance),
			bals:  []utB{{utBob, utBTC, utFundBTC - 60, 60}},
			bids:  []Level{}, asks: []Level{{1100, 60, 1}},
		},
		{
			// bob's 1000 x 100 against alice's buy: notional 200*5 = 1000;
			// taker fee ceil(1000*25/10000) = ceil(2.5) = 3; maker fee
			// ceil(1000*10/10000) = 1.
			name: "limit buy fills completely", setup: ask("b1", utBob, 1000, 100), cmd: lim(utAlice, Buy, 1000, 100),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 4, 0},
				{utAlice, utBTC, utFundBTC + 100, 0}, {utAlice, utUSD, utFundUSD - 1003, 0},
				{utBob, utBTC, utFundBTC - 100, 0}, {utBob, utUSD, utFundUSD + 999, 0},
			},
			bids: []Level{}, asks: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				acc, tr := evs[0], evs[1]
				if tr.Market != utM1 || tr.Price != 1000 || tr.Size != 100 || tr.Amount != 1000 || tr.Side != Buy ||
					tr.Account != utAlice || tr.Order != acc.Order || tr.Fee != 3 ||
					tr.MakerAccount != utBob || tr.MakerOrder != w.id("b1") || tr.MakerFee != 1 {
					t.Errorf("trade %+v", tr)
				}
				if d := evs[2]; d.Order != w.id("b1") || d.Account != utBob || d.Size != 100 || d.Side != Sell {
					t.Errorf("maker done %+v", d)
				}
				if d := evs[3]; d.Order != acc.Order || d.Account != utAlice || d.Size != 100 || d.Side != Buy {
					t.Errorf("taker done %+v", d)
				}
			},
		},
		{
			// Trades 2 lots at bob's 1000 (200 ticks): 400; taker fee
			// ceil(400*25/10000) = 1, maker fee ceil(400*10/10000) = 1. The
			// rest, 3 lots at 1005 (201 ticks), rests: N = 603, feeNum =
			// 400*25 = 10000, hold = 603 + ceil((10000 + 603*10)/10000) - 1 =
			// 603 + 2 - 1 = 604. alice: 1_000_000 - 401 - 604 = 998_995.
			name: "limit buy fills partially at the maker's price and rests", setup: ask("b1", utBob, 1000, 40), cmd: lim(utAlice, Buy, 1005, 100),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 2, 0},
				{utAlice, utBTC, utFundBTC + 40, 0}, {utAlice, utUSD, utFundUSD - 401 - 604, 604},
				{utBob, utBTC, utFundBTC - 40, 0}, {utBob, utUSD, utFundUSD + 399, 0},
			},
			bids: []Level{{1005, 60, 1}}, asks: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if tr := evs[1]; tr.Price != 1000 || tr.Amount != 400 || tr.Fee != 1 || tr.MakerFee != 1 {
					t.Errorf("trade %+v", tr)
				}
				o, ok := w.e.Order(evs[0].Order)
				if !ok || o.Hold != 604 || o.FeeCharged != 1 || o.Remaining != 60 || o.Size != 100 {
					t.Errorf("resting %+v", o)
				}
			},
		},
		{
			// Price then time: bob's 495 (99 ticks) first, then bob's 500 and
			// carol's 500 (100 ticks) in arrival order. 2 lots each: 198, 200,
			// 200. Taker fee is cumulative: ceil(198*25/10000) = 1, then
			// ceil(398*25/10000) = ceil(0.995) = 1 (+0), then
			// ceil(598*25/10000) = ceil(1.495) = 2 (+1): 2 in all, where
			// fee-per-fill rounding would charge 3. Maker fees 1 each.
			name:  "price-time priority and cumulative fees",
			setup: utSteps(ask("b1", utBob, 500, 40), ask("c1", utCarol, 500, 40), ask("b2", utBob, 495, 40)),
			cmd:   lim(utAlice, Buy, 500, 120),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvTrade, EvOrderDone, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(7)),
			bals: []utB{
				{FeeAccount, utUSD, 2 + 3, 0},
				{utAlice, utBTC, utFundBTC + 120, 0}, {utAlice, utUSD, utFundUSD - 598 - 2, 0},
				{utBob, utBTC, utFundBTC - 80, 0}, {utBob, utUSD, utFundUSD + 198 - 1 + 200 - 1, 0},
				{utCarol, utBTC, utFundBTC - 40, 0}, {utCarol, utUSD, utFundUSD + 200 - 1, 0},
			},
			bids: []Level{}, asks: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				trs := utOf(evs, EvTrade)
				makers := []OrderID{w.id("b2"), w.id("b1"), w.id("c1")}
				fees := []int64{1, 0, 1}
				prices := []int64{495, 500, 500}
				for i, tr := range trs {
					if tr.MakerOrder != makers[i] || tr.Fee != fees[i] || tr.Price != prices[i] || tr.MakerFee != 1 {
						t.Errorf("trade %d: %+v", i, tr)
					}
				}
			},
		},
		{
			// 2 lots at 200 ticks: 400, fees 1 and 1; the other 60 cancelled.
			name: "IOC fills what it can and cancels the rest", setup: ask("b1", utBob, 1000, 40), cmd: lim(utAlice, Buy, 1000, 100, tif(IOC)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderCanceled, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 2, 0},
				{utAlice, utBTC, utFundBTC + 40, 0}, {utAlice, utUSD, utFundUSD - 401, 0},
				{utBob, utBTC, utFundBTC - 40, 0}, {utBob, utUSD, utFundUSD + 399, 0},
			},
			bids: []Level{}, asks: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[3]; c.Order != evs[0].Order || c.Reason != ReasonUnfilled || c.Remaining != 60 || c.Account != utAlice {
					t.Errorf("canceled %+v", c)
				}
			},
		},
		{
			name: "IOC with nothing to match", cmd: lim(utAlice, Buy, 1000, 100, tif(IOC)),
			kinds: utKs(EvOrderAccepted, EvOrderCanceled), bids: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[1]; c.Reason != ReasonUnfilled || c.Remaining != 100 {
					t.Errorf("canceled %+v", c)
				}
			},
		},
		{
			name: "FOK fills completely", setup: ask("b1", utBob, 1000, 100), cmd: lim(utAlice, Buy, 1000, 100, tif(FOK)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
			bals:  []utB{{FeeAccount, utUSD, 4, 0}, {utAlice, utUSD, utFundUSD - 1003, 0}, {utBob, utUSD, utFundUSD + 999, 0}},
			asks:  []Level{},
		},
		{
			// bob 2 lots at 200 ticks (400), carol 3 lots at 202 ticks (606).
			// Taker fee ceil(400*25/10000) = 1, then ceil(1006*25/10000) =
			// ceil(2.515) = 3 (+2). Maker fees ceil(0.4) = 1, ceil(0.606) = 1.
			name:  "market buy by size sweeps levels",
			setup: utSteps(ask("b1", utBob, 1000, 40), ask("c1", utCarol, 1010, 60)),
			cmd:   utConst(utMkt(utAlice, utM1, Buy, 100)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(7)),
			bals: []utB{
				{FeeAccount, utUSD, 5, 0},
				{utAlice, utBTC, utFundBTC + 100, 0}, {utAlice, utUSD, utFundUSD - 1006 - 3, 0},
				{utBob, utBTC, utFundBTC - 40, 0}, {utBob, utUSD, utFundUSD + 399, 0},
				{utCarol, utBTC, utFundBTC - 60, 0}, {utCarol, utUSD, utFundUSD + 605, 0},
			},
			asks: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if acc := evs[0]; acc.Type != Market || acc.TIF != IOC || acc.Price != 0 || acc.Size != 100 {
					t.Errorf("accepted %+v", acc)
				}
				trs := utOf(evs, EvTrade)
				if trs[0].Fee != 1 || trs[1].Fee != 2 || trs[1].Price != 1010 || trs[1].Amount != 606 {
					t.Errorf("trades %+v", trs)
				}
			},
		},
		{
			name: "market buy by size, book runs out", setup: ask("b1", utBob, 1000, 40), cmd: utConst(utMkt(utAlice, utM1, Buy, 100)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderCanceled, utBalEvs(5)),
			bals:  []utB{{utAlice, utUSD, utFundUSD - 401, 0}, {utAlice, utBTC, utFundBTC + 40, 0}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[3]; c.Reason != ReasonUnfilled || c.Remaining != 60 {
					t.Errorf("canceled %+v", c)
				}
			},
		},
		{
			name: "market order on an empty book", cmd: utConst(utMkt(utAlice, utM1, Sell, 100)),
			kinds: utKs(EvOrderAccepted, EvOrderCanceled),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[1]; c.Reason != ReasonUnfilled || c.Remaining != 100 || c.Side != Sell {
					t.Errorf("canceled %+v", c)
				}
			},
		},
		{
			// Lots at 200 cents each; f lots cost 200f + ceil(200f*25/10000) =
			// 200f + ceil(f/2). 3 lots: 600 + 2 = 602 <= 650; 4 lots: 800 > 650.
			// Maker fee ceil(600*10/10000) = 1.
			name: "market buy by quote amount", setup: ask("b1", utBob, 1000, 100), cmd: utConst(utByQuote(utAlice, utM1, 650)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 3, 0},
				{utAlice, utBTC, utFundBTC + 60, 0}, {utAlice, utUSD, utFundUSD - 602, 0},
				{utBob, utBTC, utFundBTC - 100, 40}, {utBob, utUSD, utFundUSD + 599, 0},
			},
			asks: []Level{{1000, 40, 1}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if acc := evs[0]; acc.Amount != 650 || acc.Size != 0 || acc.Type != Market {
					t.Errorf("accepted %+v", acc)
				}
				if tr := evs[1]; tr.Size != 60 || tr.Amount != 600 || tr.Fee != 2 || tr.MakerFee != 1 {
					t.Errorf("trade %+v", tr)
				}
				if d := evs[2]; d.Order != evs[0].Order || d.Size != 60 || d.Amount != 602 {
					t.Errorf("done %+v", d)
				}
			},
		},
		{
			// 601: 3 lots would cost 602; 2 lots cost 400 + ceil(400*25/10000) = 401.
			name: "market buy by quote amount one short of a lot", setup: ask("b1", utBob, 1000, 100), cmd: utConst(utByQuote(utAlice, utM1, 601)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, utBalEvs(5)),
			bals:  []utB{{utAlice, utUSD, utFundUSD - 401, 0}, {utBob, utBTC, utFundBTC - 100, 60}},
			asks:  []Level{{1000, 60, 1}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if d := evs[2]; d.Size != 40 || d.Amount != 401 {
					t.Errorf("done %+v", d)
				}
			},
		},
		{
			name: "market buy by quote amount on an empty book", cmd: utConst(utByQuote(utAlice, utM1, 650)),
			kinds: utKs(EvOrderAccepted, EvOrderDone),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if d := evs[1]; d.Size != 0 || d.Amount != 0 {
					t.Errorf("done %+v", d)
				}
			},
		},
		{
			// bob sells 3 lots into alice's bid at 200 ticks: 600; taker fee
			// ceil(600*25/10000) = ceil(1.5) = 2; alice's maker fee
			// ceil(600*10/10000) = 1. alice's remaining 2 lots: N = 400,
			// feeNum 6000, charged 1: hold 400 + ceil((6000+4000)/10000) - 1 = 400.
			name: "market sell by size", setup: bid("a1", utAlice, 1000, 100), cmd: utConst(utMkt(utBob, utM1, Sell, 60)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 3, 0},
				{utAlice, utBTC, utFundBTC + 60, 0}, {utAlice, utUSD, utFundUSD - 1001, 400},
				{utBob, utBTC, utFundBTC - 60, 0}, {utBob, utUSD, utFundUSD + 598, 0},
			},
			bids: []Level{{1000, 40, 1}},
		},
		{
			name: "GTD rests", cmd: lim(utAlice, Buy, 1000, 100, gtdAt(utT0+1)),
			kinds: utKs(EvOrderAccepted, EvBalance), bids: []Level{{1000, 100, 1}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if o, _ := w.e.Order(evs[0].Order); o.TIF != GTD || o.ExpiresAt != utT0+1 || evs[0].ExpiresAt != utT0+1 {
					t.Errorf("order %+v accepted %+v", o, evs[0])
				}
			},
		},
		{
			// 2 lots at 200 ticks: 400 + ceil(400*10/10000) = 401.
			name: "post-only rests below the best ask", setup: ask("b1", utBob, 1005, 40), cmd: lim(utAlice, Buy, 1000, 40, postOnly),
			kinds: utKs(EvOrderAccepted, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD - 401, 401}},
			bids: []Level{{1000, 40, 1}}, asks: []Level{{1005, 40, 1}},
		},
		{
			// bob's 2 lots at 199 ticks: 398; fees ceil(0.995) = 1 and
			// ceil(0.398) = 1. Then alice's own ask stops her (cancel taker).
			name:  "self-trade: cancel taker",
			setup: utSteps(ask("b1", utBob, 995, 40), ask("a1", utAlice, 1000, 40)),
			cmd:   lim(utAlice, Buy, 1000, 100),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderCanceled, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 2, 0},
				{utAlice, utBTC, utFundBTC, 40}, {utAlice, utUSD, utFundUSD - 399, 0},
				{utBob, utBTC, utFundBTC - 40, 0}, {utBob, utUSD, utFundUSD + 397, 0},
			},
			asks: []Level{{1000, 40, 1}}, bids: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[3]; c.Order != evs[0].Order || c.Reason != ReasonSelfTrade || c.Remaining != 60 {
					t.Errorf("canceled %+v", c)
				}
			},
		},
		{
			// alice's own ask is cancelled where met, then bob's fills: 400,
			// fees 1 and 1.
			name:  "self-trade: cancel maker",
			setup: utSteps(ask("a1", utAlice, 1000, 40), ask("b1", utBob, 1000, 40)),
			cmd:   lim(utAlice, Buy, 1000, 40, stp(CancelMaker)),
			kinds: utKs(EvOrderAccepted, EvOrderCanceled, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 2, 0},
				{utAlice, utBTC, utFundBTC + 40, 0}, {utAlice, utUSD, utFundUSD - 401, 0},
				{utBob, utBTC, utFundBTC - 40, 0}, {utBob, utUSD, utFundUSD + 399, 0},
			},
			asks: []Level{}, bids: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[1]; c.Order != w.id("a1") || c.Reason != ReasonSelfTrade || c.Remaining != 40 {
					t.Errorf("canceled %+v", c)
				}
				if tr := evs[2]; tr.MakerOrder != w.id("b1") {
					t.Errorf("trade %+v", tr)
				}
			},
		},
		{
			name: "self-trade: cancel both", setup: ask("a1", utAlice, 1000, 40), cmd: lim(utAlice, Buy, 1000, 40, stp(CancelBoth)),
			kinds: utKs(EvOrderAccepted, EvOrderCanceled, EvOrderCanceled, EvBalance),
			bals:  []utB{{utAlice, utBTC, utFundBTC, 0}, {utAlice, utUSD, utFundUSD, 0}},
			asks:  []Level{}, bids: []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[1]; c.Order != w.id("a1") || c.Reason != ReasonSelfTrade {
					t.Errorf("maker canceled %+v", c)
				}
				if c := evs[2]; c.Order != evs[0].Order || c.Reason != ReasonSelfTrade || c.Remaining != 40 {
					t.Errorf("taker canceled %+v", c)
				}
			},
		},
		{
			name: "FOK with cancel maker skips own liquidity", setup: utSteps(ask("a1", utAlice, 1000, 40), ask("b1", utBob, 1000, 40)),
			cmd:   lim(utAlice, Buy, 1000, 40, tif(FOK), stp(CancelMaker)),
			kinds: utKs(EvOrderAccepted, EvOrderCanceled, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
			asks:  []Level{},
		},
		{
			// alice's own ask is the whole best level: cancelling it empties
			// the level and matching goes on at the next (bob's 1000: 400,
			// fees 1 and 1).
			name:  "self-trade: cancel maker empties a level",
			setup: utSteps(ask("a1", utAlice, 995, 40), ask("b1", utBob, 1000, 40), ask("c1", utCarol, 1005, 40)),
			cmd:   lim(utAlice, Buy, 1000, 40, stp(CancelMaker)),
			kinds: utKs(EvOrderAccepted, EvOrderCanceled, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
			bals:  []utB{{utAlice, utBTC, utFundBTC + 40, 0}, {utAlice, utUSD, utFundUSD - 401, 0}},
			asks:  []Level{{1005, 40, 1}}, bids: []Level{},
		},
		{
			// Fills bob's 2 lots (400 + ceil(400*25/10000) = 401) then meets
			// alice's own ask: stopped, so cancelled rather than done.
			name:  "market buy by quote amount stopped by self-trade",
			setup: utSteps(ask("b1", utBob, 1000, 40), ask("a1", utAlice, 1000, 40)),
			cmd:   utConst(utByQuote(utAlice, utM1, 5000)),
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderCanceled, utBalEvs(5)),
			bals:  []utB{{utAlice, utUSD, utFundUSD - 401, 0}, {utAlice, utBTC, utFundBTC, 40}},
			asks:  []Level{{1000, 40, 1}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if c := evs[3]; c.Order != evs[0].Order || c.Reason != ReasonSelfTrade {
					t.Errorf("canceled %+v", c)
				}
			},
		},
		{
			name: "client order id used by another account", setup: utPlaced("b", utMod(utLimit(utBob, utM1, Buy, 900, 40), cid("x"))),
			cmd: lim(utAlice, Buy, 1000, 40, cid("x")), kinds: utKs(EvOrderAccepted, EvBalance),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if evs[0].ClientOrderID != utCID("x") {
					t.Errorf("accepted %+v", evs[0])
				}
			},
		},
		{
			name: "client order id free again once its order left",
			setup: func(w *utWorld) {
				id := w.place("", utMod(utLimit(utAlice, utM1, Buy, 900, 40), cid("x")))
				w.must(utCancel(utAlice, id))
			},
			cmd: lim(utAlice, Buy, 1000, 40, cid("x")), kinds: utKs(EvOrderAccepted, EvBalance),
		},
		{
			// need 1000 + ceil(1000 * max(10, 25) / 10000) = 1003; holds 1001.
			name: "limit buy with exactly enough quote", setup: func(w *utWorld) { w.leave(utAlice, utUSD, 1003) },
			cmd: lim(utAlice, Buy, 1000, 100), kinds: utKs(EvOrderAccepted, EvBalance),
			bals: []utB{{utAlice, utUSD, 2, 1001}},
		},
		{
			name: "limit sell with exactly enough base", setup: func(w *utWorld) { w.leave(utAlice, utBTC, 100) },
			cmd: lim(utAlice, Sell, 1000, 100), kinds: utKs(EvOrderAccepted, EvBalance),
			bals: []utB{{utAlice, utBTC, 0, 100}},
		},
		{
			// 5 lots at 200 ticks: 1000 + ceil(1000*25/10000) = 1003.
			name: "market buy with exactly enough quote", setup: utSteps(ask("b1", utBob, 1000, 100), func(w *utWorld) { w.leave(utAlice, utUSD, 1003) }),
			cmd: utConst(utMkt(utAlice, utM1, Buy, 100)), kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
			bals: []utB{{utAlice, utUSD, 0, 0}},
		},

		// ---- rejected
		{name: "unknown account 0", cmd: lim(0, Buy, 1000, 100), code: CodeUnknownAccount},
		{name: "unknown account", cmd: lim(99, Buy, 1000, 100), code: CodeUnknownAccount},
		{name: "unknown market 0", cmd: mod(func(c *Command) { c.Market = 0 }), code: CodeUnknownMarket},
		{name: "unknown market", cmd: mod(func(c *Command) { c.Market = 9 }), code: CodeUnknownMarket},
		{name: "market halted", setup: halt, cmd: lim(utAlice, Buy, 1000, 100), code: CodeMarketHalted},
		{name: "side 0", cmd: mod(func(c *Command) { c.Side = 0 }), code: CodeInvalidSide},
		{name: "side 3", cmd: mod(func(c *Command) { c.Side = 3 }), code: CodeInvalidSide},
		{name: "order type 0", cmd: mod(func(c *Command) { c.Type = 0 }), code: CodeInvalidOrderType},
		{name: "order type 3", cmd: mod(func(c *Command) { c.Type = 3 }), code: CodeInvalidOrderType},
		{name: "self-trade prevention 3", cmd: mod(func(c *Command) { c.STP = 3 }), code: CodeInvalidSelfTradePrevention},
		{name: "client order id with a space", cmd: mod(func(c *Command) { c.ClientOrderID = ClientOrderID{'a', ' ', 'b'} }), code: CodeInvalidCommand},
		{name: "client order id with a hole", cmd: mod(func(c *Command) { c.ClientOrderID = ClientOrderID{'a', 0, 'b'} }), code: CodeInvalidCommand},
		{name: "client order id not ASCII", cmd: mod(func(c *Command) { c.ClientOrderID = ClientOrderID{0xc3, 0xa9} }), code: CodeInvalidCommand},
		{name: "time in force 0", cmd: mod(func(c *Command) { c.TIF = 0 }), code: CodeInvalidTimeInForce},
		{name: "time in force 5", cmd: mod(func(c *Command) { c.TIF = GTD + 1 }), code: CodeInvalidTimeInForce},
		{name: "market GTC", cmd: utConst(utMod(utMkt(utAlice, utM1, Buy, 100), tif(GTC))), code: CodeInvalidTimeInForce},
		{name: "market GTD", cmd: utConst(utMod(utMkt(utAlice, utM1, Buy, 100), gtdAt(utT0+100))), code: CodeInvalidTimeInForce},
		{name: "post-only IOC", cmd: mod(func(c *Command) { c.TIF, c.PostOnly = IOC, true }), code: CodeInvalidTimeInForce},
		{name: "post-only FOK", cmd: mod(func(c *Command) { c.TIF, c.PostOnly = FOK, true }), code: CodeInvalidTimeInForce},
		{name: "post-only market", cmd: utConst(utMod(utMkt(utAlice, utM1, Buy, 100), postOnly)), code: CodeInvalidTimeInForce},
		{name: "FOK by quote amount", cmd: utConst(utMod(utByQuote(utAlice, utM1, 650), tif(FOK))), code: CodeInvalidTimeInForce},
		{name: "GTD expiring now", cmd: mod(gtdAt(utT0)), code: CodeInvalidExpiry},
		{name: "GTD expired", cmd: mod(gtdAt(utT0 - 1)), code: CodeInvalidExpiry},
		{name: "GTD without expiry", cmd: mod(gtdAt(0)), code: CodeInvalidExpiry},
		{name: "GTC with expiry", cmd: mod(func(c *Command) { c.ExpiresAt = utT0 + 100 }), code: CodeInvalidExpiry},
		{name: "IOC with expiry", cmd: mod(func(c *Command) { c.TIF, c.ExpiresAt = IOC, utT0+100 }), code: CodeInvalidExpiry},
		{name: "market with expiry", cmd: utConst(utMod(utMkt(utAlice, utM1, Buy, 100), func(c *Command) { c.ExpiresAt = utT0 + 100 })), code: CodeInvalidExpiry},
		{name: "limit price 0", cmd: mod(func(c *Command) { c.Price = 0 }), code: CodeInvalidPrice},
		{name: "negative limit price", cmd: mod(func(c *Command) { c.Price = -5 }), code: CodeInvalidPrice},
		{name: "market with a price", cmd: utConst(utMod(utMkt(utAlice, utM1, Buy, 100), func(c *Command) { c.Price = 1000 })), code: CodeInvalidPrice},
		{name: "price off tick", cmd: mod(func(c *Command) { c.Price = 1003 }), code: CodePriceOffTick},
		{name: "negative quote amount", cmd: utConst(utByQuote(utAlice, utM1, -1)), code: CodeInvalidAmount},
		{name: "quote amount on a limit", cmd: mod(func(c *Command) { c.QuoteAmount = 650 }), code: CodeInvalidAmount},
		{name: "quote amount on a market sell", cmd: utConst(utMod(utByQuote(utAlice, utM1, 650), func(c *Command) { c.Side = Sell })), code: CodeInvalidAmount},
		{name: "size 0", cmd: mod(func(c *Command) { c.Size = 0 }), code: CodeInvalidSize},
		{name: "negative size", cmd: mod(func(c *Command) { c.Size = -40 }), code: CodeInvalidSize},
		{name: "market without size or amount", cmd: utConst(utMkt(utAlice, utM1, Buy, 0)), code: CodeInvalidSize},
		{name: "market with size and amount", cmd: utConst(utMod(utByQuote(utAlice, utM1, 650), func(c *Command) { c.Size = 100 })), code: CodeInvalidSize},
		{name: "size off lot", cmd: mod(func(c *Command) { c.Size = 50 }), code: CodeSizeOffLot},
		{name: "size below minimum", cmd: mod(func(c *Command) { c.Size = 20 }), code: CodeSizeBelowMinimum},
		{name: "market size below minimum", cmd: utConst(utMkt(utAlice, utM1, Sell, 20)), code: CodeSizeBelowMinimum},
		{
			name: "duplicate client order id", setup: utPlaced("a", utMod(utLimit(utAlice, utM1, Sell, 2000, 40), cid("x"))),
			cmd: lim(utAlice, Buy, 1000, 40, cid("x")), code: CodeDuplicateClientOrderID,
		},
		{name: "post-only buy at the best ask", setup: ask("b1", utBob, 1000, 40), cmd: lim(utAlice, Buy, 1000, 40, postOnly), code: CodePostOnlyWouldCross},
		{name: "post-only buy through the best ask", setup: ask("b1", utBob, 1000, 40), cmd: lim(utAlice, Buy, 1100, 40, postOnly), code: CodePostOnlyWouldCross},
		{name: "post-only sell at the best bid", setup: bid("b1", utBob, 1000, 40), cmd: lim(utAlice, Sell, 1000, 40, postOnly), code: CodePostOnlyWouldCross},
		{name: "post-only GTD crossing", setup: ask("b1", utBob, 1000, 40), cmd: lim(utAlice, Buy, 1000, 40, postOnly, gtdAt(utT0+5)), code: CodePostOnlyWouldCross},
		{name: "FOK one lot short", setup: ask("b1", utBob, 1000, 80), cmd: lim(utAlice, Buy, 1000, 100, tif(FOK)), code: CodeFOKUnfillable},
		{
			name: "FOK liquidity beyond its limit", setup: utSteps(ask("b1", utBob, 1000, 40), ask("c1", utCarol, 1010, 60)),
			cmd: lim(utAlice, Buy, 1005, 100, tif(FOK)), code: CodeFOKUnfillable,
		},
		{name: "FOK market one lot short", setup: ask("b1", utBob, 1000, 80), cmd: utConst(utMod(utMkt(utAlice, utM1, Buy, 100), tif(FOK))), code: CodeFOKUnfillable},
		{name: "FOK market sell on an empty book", cmd: utConst(utMod(utMkt(utAlice, utM1, Sell, 100), tif(FOK))), code: CodeFOKUnfillable},
		// ETH/USD: 10^17 * 100 cents overflows.
		{name: "limit buy notional overflows", cmd: utConst(utLimit(utAlice, utM2, Buy, 1e17, 1)), code: CodeAmountOverflow},
		{name: "limit sell notional overflows", cmd: utConst(utLimit(utAlice, utM2, Sell, 1e17, 1)), code: CodeAmountOverflow},
		// BTC/USD: 1_844e15 ticks * 5 lots = 9.22e18 fits; plus its fee
		// ceil(9.22e18*25/10000) = 2.305e16 it does not.
		{name: "limit buy notional plus fee overflows", cmd: lim(utAlice, Buy, 9_220_000_000_000_000_000, 100), code: CodeAmountOverflow},
		{
			// ETH/USD asks of 5e16 x 1 each (5e18 cents, fits); both together 1e19.
			name:  "market buy notional overflows",
			setup: utSteps(utPlaced("b", utLimit(utBob, utM2, Sell, 5e16, 1)), utPlaced("c", utLimit(utCarol, utM2, Sell, 5e16, 1))),
			cmd:   utConst(utMkt(utAlice, utM2, Buy, 2)), code: CodeAmountOverflow,
		},
		{name: "limit buy one cent short", setup: func(w *utWorld) { w.leave(utAlice, utUSD, 1002) }, cmd: lim(utAlice, Buy, 1000, 100), code: CodeInsufficientBalance},
		{name: "limit sell one unit short", setup: func(w *utWorld) { w.leave(utAlice, utBTC, 99) }, cmd: lim(utAlice, Sell, 1000, 100), code: CodeInsufficientBalance},
		{
			name:  "market buy by size one cent short",
			setup: utSteps(ask("b1", utBob, 1000, 100), func(w *utWorld) { w.leave(utAlice, utUSD, 1002) }),
			cmd:   utConst(utMkt(utAlice, utM1, Buy, 100)), code: CodeInsufficientBalance,
		},
		{
			name:  "market sell one unit short",
			setup: utSteps(bid("a1", utAlice, 1000, 100), func(w *utWorld) { w.leave(utBob, utBTC, 59) }),
			cmd:   utConst(utMkt(utBob, utM1, Sell, 60)), code: CodeInsufficientBalance,
		},
		{
			// Budget 650 would buy 3 lots for 602; alice has 601.
			name:  "market buy by quote amount cannot pay what it would fill",
			setup: utSteps(ask("b1", utBob, 1000, 100), func(w *utWorld) { w.leave(utAlice, utUSD, 601) }),
			cmd:   utConst(utByQuote(utAlice, utM1, 650)), code: CodeInsufficientBalance,
		},
		{
			name:  "rejected after a due GTD order expired",
			setup: utPlaced("g", utMod(utLimit(utAlice, utM1, Buy, 1000, 40), gtdAt(utT0+10))),
			cmd: func(*utWorld) Command {
				return utMod(utLimit(utAlice, utM1, 0, 1000, 40), func(c *Command) { c.Time = utT0 + 10 })
			},
			code: CodeInvalidSide, kinds: utKs(EvOrderExpired, EvBalance, EvRejected),
			bals: []utB{{utAlice, utUSD, utFundUSD, 0}}, bids: []Level{},
		},
		utStale(CmdPlaceOrder),
	}
}

func utFOKCases() []utCase {
	fok := func(s SelfTradePrevention, size int64) func(*utWorld) Command {
		return utConst(utMod(utLimit(utAlice, utM1, Buy, 1000, size), func(c *Command) { c.TIF, c.STP = FOK, s }))
	}
	ownFirst := utSteps(
		utPlaced("a1", utLimit(utAlice, utM1, Sell, 1000, 40)),
		utPlaced("b1", utLimit(utBob, utM1, Sell, 1000, 100)),
	)
	still := func(t *testing.T, w *utWorld, _ []Event) {
		for _, name := range []string{"a1", "b1"} {
			if o, ok := w.e.Order(w.id(name)); !ok || o.Remaining != o.Size {
				t.Errorf("maker %s: %+v, %v", name, o, ok)
			}
		}
	}
	rows := []utCase{}
	for _, s := range []SelfTradePrevention{CancelTaker, CancelMaker, CancelBoth} {
		// 140 wanted; bob has 100, alice's own 40 cannot count.
		rows = append(rows, utCase{
			name: "own liquidity does not count, " + s.String(), setup: ownFirst, cmd: fok(s, 140),
			code: CodeFOKUnfillable, asks: []Level{{1000, 140, 2}}, check: still,
		})
	}
	for _, s := range []SelfTradePrevention{CancelTaker, CancelBoth} {
		// bob's 100 would do, but it is behind alice's own order.
		rows = append(rows, utCase{
			name: "liquidity behind own order does not count, " + s.String(), setup: ownFirst, cmd: fok(s, 100),
			code: CodeFOKUnfillable, asks: []Level{{1000, 140, 2}}, check: still,
		})
	}
	rows = append(rows, utCase{
		name: "cancel maker takes what is behind its own order", setup: ownFirst, cmd: fok(CancelMaker, 100),
		kinds: utKs(EvOrderAccepted, EvOrderCanceled, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
		asks:  []Level{},
	})
	return rows
}

func utAmendCases() []utCase {
	// alice a1 buy 1000 x 100 (hold 1001), carol c1 buy 1000 x 40 behind it
	// (hold 401), bob b1 sell 1100 x 100.
	base := utSteps(
		utPlaced("a1", utMod(utLimit(utAlice, utM1, Buy, 1000, 100), func(c *Command) { c.ClientOrderID = utCID("mine") })),
		utPlaced("c1", utLimit(utCarol, utM1, Buy, 1000, 40)),
		utPlaced("b1", utLimit(utBob, utM1, Sell, 1100, 100)),
	)
	am := func(name string, price, size int64) func(*utWorld) Command {
		return func(w *utWorld) Command { return utAmend(utAlice, w.id(name), price, size) }
	}
	// carol sells 2 lots into a1: 400, alice's maker fee ceil(400*10/10000)
	// = 1; a1 then holds, for 3 lots: 600 + ceil((4000+6000)/10000) - 1 = 600.
	partly := utSteps(base, func(w *utWorld) { w.must(utMkt(utCarol, utM1, Sell, 40)) })
	order := func(names ...string) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			var got []OrderID
			for _, o := range w.e.BookOrders(utM1, Buy, nil) {
				got = append(got, o.ID)
			}
			var want []OrderID
			for _, n := range names {
				want = append(want, w.id(n))
			}
			if !slices.Equal(got, want) {
				t.Errorf("bid queue %x, want %x", got, want)
			}
		}
	}
	amended := func(price, size, rem int64, requeued bool, then func(*testing.T, *utWorld, []Event)) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			ev := evs[0]
			if ev.Kind != EvOrderAmended || ev.Order != w.id("a1") || ev.Account != utAlice || ev.Market != utM1 || ev.Side != Buy ||
				ev.Price != price || ev.Size != size || ev.Remaining != rem || ev.Requeued != requeued {
				t.Errorf("amended %+v", ev)
			}
			if then != nil {
				then(t, w, evs)
			}
		}
	}
	halt := func(w *utWorld) { w.must(Command{Kind: CmdSetMarketStatus, Market: utM1, Status: Halted}) }
	return []utCase{
		{
			// 3 lots at 200 ticks: 600 + ceil(6000/10000) = 601.
			name: "smaller size keeps its place", setup: base, cmd: am("a1", 0, 60),
			kinds: utKs(EvOrderAmended, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD - 601, 601}},
			bids: []Level{{1000, 100, 2}}, check: amended(1000, 60, 60, false, order("a1", "c1")),
		},
		{
			name: "same price given, smaller size keeps its place", setup: base, cmd: am("a1", 1000, 60),
			kinds: utKs(EvOrderAmended, EvBalance), bids: []Level{{1000, 100, 2}}, check: amended(1000, 60, 60, false, order("a1", "c1")),
		},
		{
			// 7 lots: 1400 + ceil(14000/10000) = 1402 (needs 1400 +
			// ceil(1400*25/10000) = 1404 of available plus hold).
			name: "larger size goes to the back", setup: base, cmd: am("a1", 0, 140),
			kinds: utKs(EvOrderAmended, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD - 1402, 1402}},
			bids: []Level{{1000, 180, 2}}, check: amended(1000, 140, 140, true, order("c1", "a1")),
		},
		{
			// 5 lots at 210 ticks: 1050 + ceil(10500/10000) = 1052.
			name: "new price goes to its level", setup: base, cmd: am("a1", 1050, 0),
			kinds: utKs(EvOrderAmended, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD - 1052, 1052}},
			bids: []Level{{1050, 100, 1}, {1000, 40, 1}}, check: amended(1050, 100, 100, true, order("a1", "c1")),
		},
		{
			// 5 lots at 220 ticks: 1100; a1's taker fee ceil(1100*25/10000) =
			// ceil(2.75) = 3, bob's maker fee ceil(1100*10/10000) = 2.
			name: "crossing price trades as a taker", setup: base, cmd: am("a1", 1100, 0),
			kinds: utKs(EvOrderAmended, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5)),
			bals: []utB{
				{FeeAccount, utUSD, 5, 0},
				{utAlice, utBTC, utFundBTC + 100, 0}, {utAlice, utUSD, utFundUSD - 1103, 0},
				{utBob, utBTC, utFundBTC - 100, 0}, {utBob, utUSD, utFundUSD + 1098, 0},
			},
			bids: []Level{{1000, 40, 1}}, asks: []Level{},
			check: amended(1100, 100, 100, true, func(t *testing.T, w *utWorld, evs []Event) {
				if tr := evs[1]; tr.Account != utAlice || tr.Order != w.id("a1") || tr.Fee != 3 || tr.MakerFee != 2 || tr.Price != 1100 {
					t.Errorf("trade %+v", tr)
				}
				if d := evs[3]; d.Order != w.id("a1") || d.Size != 100 {
					t.Errorf("done %+v", d)
				}
			}),
		},
		{
			// Trades bob's 5 lots as above (1100, fee 3), then 2 lots rest at
			// 220 ticks: N = 440, feeNum = 1100*25 = 27500, hold = 440 +
			// ceil((27500 + 4400)/10000) - 3 = 440 + 4 - 3 = 441.
			name: "crossing price and larger size trades then rests", setup: base, cmd: am("a1", 1100, 140),
			kinds: utKs(EvOrderAmended, EvTrade, EvOrderDone, utBalEvs(5)),
			bals:  []utB{{FeeAccount, utUSD, 5, 0}, {utAlice, utUSD, utFundUSD - 1103 - 441, 441}, {utAlice, utBTC, utFundBTC + 100, 0}},
			bids:  []Level{{1100, 40, 1}, {1000, 40, 1}}, asks: []Level{},
			check: amended(1100, 140, 140, true, func(t *testing.T, w *utWorld, evs []Event) {
				if o, _ := w.e.Order(w.id("a1")); o.Hold != 441 || o.FeeCharged != 3 || o.Remaining != 40 || o.Size != 140 {
					t.Errorf("order %+v", o)
				}
			}),
		},
		{
			name: "by client order id", setup: base,
			cmd:   utConst(Command{Kind: CmdAmendOrder, Account: utAlice, ClientOrderID: utCID("mine"), Size: 60}),
			kinds: utKs(EvOrderAmended, EvBalance), check: amended(1000, 60, 60, false, nil),
		},
		{
			// From 3 lots left (hold 600) to 1: 200 + ceil((4000+2000)/10000) - 1 = 200.
			name: "after a partial fill, size counts what filled", setup: partly, cmd: am("a1", 0, 60),
			kinds: utKs(EvOrderAmended, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD - 401 - 200, 200}},
			bids: []Level{{1000, 60, 2}}, check: amended(1000, 60, 20, false, nil),
		},
		{
			name: "sell order", setup: base, cmd: func(w *utWorld) Command { return utAmend(utBob, w.id("b1"), 0, 60) },
			kinds: utKs(EvOrderAmended, EvBalance), bals: []utB{{utBob, utBTC, utFundBTC - 60, 60}}, asks: []Level{{1100, 60, 1}},
		},
		{
			name: "post-only order to a price that does not cross", setup: utPlaced("a1", utMod(utLimit(utAlice, utM1, Buy, 1000, 40), func(c *Command) { c.PostOnly = true })),
			cmd: am("a1", 1050, 0), kinds: utKs(EvOrderAmended, EvBalance), bids: []Level{{1050, 40, 1}},
		},
		{name: "unknown account 0", setup: base, cmd: func(w *utWorld) Command { return utAmend(0, w.id("a1"), 0, 60) }, code: CodeUnknownAccount},
		{name: "unknown account", setup: base, cmd: func(w *utWorld) Command { return utAmend(99, w.id("a1"), 0, 60) }, code: CodeUnknownAccount},
		{name: "no order and no client order id", setup: base, cmd: utConst(utAmend(utAlice, 0, 0, 60)), code: CodeUnknownOrder},
		{name: "no such order", setup: base, cmd: utConst(utAmend(utAlice, 1<<40|77, 0, 60)), code: CodeUnknownOrder},
		{name: "another account's order", setup: base, cmd: func(w *utWorld) Command { return utAmend(utAlice, w.id("c1"), 0, 60) }, code: CodeUnknownOrder},
		{
			name: "cancelled order", setup: utSteps(base, func(w *utWorld) { w.must(utCancel(utAlice, w.id("a1"))) }),
			cmd: am("a1", 0, 60), code: CodeUnknownOrder,
		},
		{name: "unknown client order id", setup: base, cmd: utConst(Command{Kind: CmdAmendOrder, Account: utAlice, ClientOrderID: utCID("other"), Size: 60}), code: CodeUnknownOrder},
		{name: "another account's client order id", setup: base, cmd: utConst(Command{Kind: CmdAmendOrder, Account: utCarol, ClientOrderID: utCID("mine"), Size: 60}), code: CodeUnknownOrder},
		{
			name:  "GTD order expired by the amend's own time",
			setup: utPlaced("a1", utMod(utLimit(utAlice, utM1, Buy, 1000, 100), func(c *Command) { c.TIF, c.ExpiresAt = GTD, utT0+10 })),
			cmd: func(w *utWorld) Command {
				return utMod(utAmend(utAlice, w.id("a1"), 0, 60), func(c *Command) { c.Time = utT0 + 10 })
			},
			code: CodeUnknownOrder, kinds: utKs(EvOrderExpired, EvBalance, EvRejected),
		},
		{name: "market halted", setup: utSteps(base, halt), cmd: am("a1", 0, 60), code: CodeMarketHalted},
		{name: "negative price", setup: base, cmd: am("a1", -5, 0), code: CodeInvalidPrice},
		{name: "price off tick", setup: base, cmd: am("a1", 1003, 0), code: CodePriceOffTick},
		{name: "negative size", setup: base, cmd: am("a1", 0, -20), code: CodeInvalidSize},
		{name: "size off lot", setup: base, cmd: am("a1", 0, 50), code: CodeSizeOffLot},
		{name: "size below minimum", setup: base, cmd: am("a1", 0, 20), code: CodeSizeBelowMinimum},
		{name: "size no more than filled", setup: partly, cmd: am("a1", 0, 40), code: CodeInvalidSize},
		{name: "nothing given", setup: base, cmd: am("a1", 0, 0), code: CodeNothingToAmend},
		{name: "same price and size", setup: base, cmd: am("a1", 1000, 100), code: CodeNothingToAmend},
		{
			name: "post-only to a crossing price", setup: utSteps(base, utPlaced("p", utMod(utLimit(utAlice, utM1, Buy, 995, 40), func(c *Command) { c.PostOnly = true }))),
			cmd: am("p", 1100, 0), code: CodePostOnlyWouldCross,
		},
		{
			// a1 holds 1001; 7 lots need 1400 + ceil(1400*25/10000) = 1404.
			name: "larger size without the funds", setup: utSteps(base, func(w *utWorld) { w.leave(utAlice, utUSD, 402) }),
			cmd: am("a1", 0, 140), code: CodeInsufficientBalance,
		},
		{
			name: "larger sell without the base", setup: utSteps(base, func(w *utWorld) { w.leave(utBob, utBTC, 39) }),
			cmd: func(w *utWorld) Command { return utAmend(utBob, w.id("b1"), 0, 140) }, code: CodeInsufficientBalance,
		},
		{
			// doc.go: an amend that keeps its place (smaller size, same price)
			// only releases funds, even with nothing available. 700 lots at
			// 200 ticks hold 140_000 + ceil(1_400_000/10000) = 140_140; 699
			// lots hold 139_800 + ceil(1_398_000/10000) = 139_940, so 200 is
			// released.
			name: "smaller size needs no funds", setup: utSteps(utPlaced("big", utLimit(utAlice, utM1, Buy, 1000, 14_000)), func(w *utWorld) { w.leave(utAlice, utUSD, 0) }),
			cmd: am("big", 0, 13_980), kinds: utKs(EvOrderAmended, EvBalance),
			bals: []utB{{utAlice, utUSD, 200, 139_940}},
		},
		{name: "buy notional plus fee overflows", setup: base, cmd: am("a1", 9_220_000_000_000_000_000, 0), code: CodeAmountOverflow},
		{
			// ETH/USD: 10^17 * 100 cents overflows for a sell too.
			name: "sell notional overflows", setup: utPlaced("e", utLimit(utAlice, utM2, Sell, 100, 1)),
			cmd: am("e", 1e17, 0), code: CodeAmountOverflow,
		},
		utStale(CmdAmendOrder),
	}
}

func utCancelCases() []utCase {
	base := utSteps(
		utPlaced("a1", utMod(utLimit(utAlice, utM1, Buy, 1000, 100), func(c *Command) { c.ClientOrderID = utCID("mine") })),
		utPlaced("b1", utLimit(utBob, utM1, Sell, 1100, 100)),
	)
	cx := func(a AccountID, name string) func(*utWorld) Command {
		return func(w *utWorld) Command { return utCancel(a, w.id(name)) }
	}
	canceled := func(name string, rem int64) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			if c := evs[0]; c.Order != w.id(name) || c.Reason != ReasonRequested || c.Remaining != rem || c.Market != utM1 {
				t.Errorf("canceled %+v", c)
			}
			if _, ok := w.e.Order(w.id(name)); ok {
				t.Errorf("order still found")
			}
		}
	}
	return []utCase{
		{
			name: "by id", setup: base, cmd: cx(utAlice, "a1"), kinds: utKs(EvOrderCanceled, EvBalance),
			bals: []utB{{utAlice, utUSD, utFundUSD, 0}}, bids: []Level{}, asks: []Level{{1100, 100, 1}},
			check: canceled("a1", 100),
		},
		{
			name: "by client order id", setup: base, cmd: utConst(Command{Kind: CmdCancelOrder, Account: utAlice, ClientOrderID: utCID("mine")}),
			kinds: utKs(EvOrderCanceled, EvBalance), bids: []Level{}, check: canceled("a1", 100),
		},
		{
			name: "sell", setup: base, cmd: cx(utBob, "b1"), kinds: utKs(EvOrderCanceled, EvBalance),
			bals: []utB{{utBob, utBTC, utFundBTC, 0}}, asks: []Level{}, check: canceled("b1", 100),
		},
		{
			name: "in a halted market", setup: utSteps(base, func(w *utWorld) { w.must(Command{Kind: CmdSetMarketStatus, Market: utM1, Status: Halted}) }),
			cmd: cx(utAlice, "a1"), kinds: utKs(EvOrderCanceled, EvBalance), bids: []Level{},
		},
		{
			// After carol's 2 lots (alice paid 400 + 1), the rest is released.
			name: "partly filled", setup: utSteps(base, func(w *utWorld) { w.must(utMkt(utCarol, utM1, Sell, 40)) }),
			cmd: cx(utAlice, "a1"), kinds: utKs(EvOrderCanceled, EvBalance), bals: []utB{{utAlice, utUSD, utFundUSD - 401, 0}},
			check: canceled("a1", 60),
		},
		{name: "unknown account 0", setup: base, cmd: cx(0, "a1"), code: CodeUnknownAccount},
		{name: "unknown account", setup: base, cmd: cx(99, "a1"), code: CodeUnknownAccount},
		{name: "no order and no client order id", setup: base, cmd: utConst(utCancel(utAlice, 0)), code: CodeUnknownOrder},
		{name: "another account's order", setup: base, cmd: cx(utAlice, "b1"), code: CodeUnknownOrder},
		{name: "already cancelled", setup: utSteps(base, func(w *utWorld) { w.must(utCancel(utAlice, w.id("a1"))) }), cmd: cx(utAlice, "a1"), code: CodeUnknownOrder},
		{name: "filled", setup: utSteps(base, func(w *utWorld) { w.must(utMkt(utCarol, utM1, Sell, 100)) }), cmd: cx(utAlice, "a1"), code: CodeUnknownOrder},
		{
			name: "next generation of the slot", setup: base,
			cmd: func(w *utWorld) Command { return utCancel(utAlice, w.id("a1")+1<<32) }, code: CodeUnknownOrder,
		},
		{name: "unknown client order id", setup: base, cmd: utConst(Command{Kind: CmdCancelOrder, Account: utAlice, ClientOrderID: utCID("nope")}), code: CodeUnknownOrder},
		{name: "another account's client order id", setup: base, cmd: utConst(Command{Kind: CmdCancelOrder, Account: utBob, ClientOrderID: utCID("mine")}), code: CodeUnknownOrder},
		utStale(CmdCancelOrder),
	}
}

func utCancelAllCases() []utCase {
	// alice: a1 BTC buy (hold 401 cents), a2 ETH sell (hold 5 ETH), a3 BTC
	// sell (hold 40 BTC units); bob: b1 BTC buy.
	base := utSteps(
		utPlaced("a1", utLimit(utAlice, utM1, Buy, 1000, 40)),
		utPlaced("a2", utLimit(utAlice, utM2, Sell, 10, 5)),
		utPlaced("a3", utLimit(utAlice, utM1, Sell, 1100, 40)),
		utPlaced("b1", utLimit(utBob, utM1, Buy, 995, 40)),
	)
	all := func(a AccountID, m MarketID) func(*utWorld) Command {
		return utConst(Command{Kind: CmdCancelAll, Account: a, Market: m})
	}
	ids := func(names ...string) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			cs := utOf(evs, EvOrderCanceled)
			if len(cs) != len(names) {
				t.Fatalf("canceled %d, want %d", len(cs), len(names))
			}
			for i, n := range names {
				if cs[i].Order != w.id(n) || cs[i].Reason != ReasonRequested || cs[i].Account != utAlice {
					t.Errorf("cancel %d: %+v, want %s", i, cs[i], n)
				}
			}
		}
	}
	return []utCase{
		{
			name: "every market", setup: base, cmd: all(utAlice, 0),
			kinds: utKs(EvOrderCanceled, EvOrderCanceled, EvOrderCanceled, utBalEvs(3)),
			bals:  []utB{{utAlice, utBTC, utFundBTC, 0}, {utAlice, utUSD, utFundUSD, 0}, {utAlice, utETH, utFundETH, 0}},
			bids:  []Level{{995, 40, 1}}, asks: []Level{}, check: ids("a1", "a2", "a3"),
		},
		{
			name: "one market", setup: base, cmd: all(utAlice, utM1),
			kinds: utKs(EvOrderCanceled, EvOrderCanceled, utBalEvs(2)),
			bals:  []utB{{utAlice, utETH, utFundETH - 5, 5}},
			bids:  []Level{{995, 40, 1}}, asks: []Level{}, check: ids("a1", "a3"),
		},
		{
			name: "the other market", setup: base, cmd: all(utAlice, utM2), market: utM2,
			kinds: utKs(EvOrderCanceled, EvBalance), asks: []Level{}, check: ids("a2"),
		},
		{
			name: "halted market", setup: utSteps(base, func(w *utWorld) { w.must(Command{Kind: CmdSetMarketStatus, Market: utM1, Status: Halted}) }),
			cmd: all(utAlice, utM1), kinds: utKs(EvOrderCanceled, EvOrderCanceled, utBalEvs(2)), check: ids("a1", "a3"),
		},
		{name: "no orders", setup: base, cmd: all(utCarol, 0), kinds: []EventKind{}, bids: []Level{{1000, 40, 1}, {995, 40, 1}}},
		{name: "unknown account 0", setup: base, cmd: all(0, 0), code: CodeUnknownAccount},
		{name: "unknown account", setup: base, cmd: all(99, utM1), code: CodeUnknownAccount},
		{name: "unknown market", setup: base, cmd: all(utAlice, 9), code: CodeUnknownMarket},
		utStale(CmdCancelAll),
	}
}

func utBatchCases() []utCase {
	batch := func(a AccountID, items ...Command) func(*utWorld) Command {
		return func(*utWorld) Command { return Command{Kind: CmdBatch, Account: a, Batch: slices.Clone(items)} }
	}
	buy := utMod(utLimit(0, utM1, Buy, 1000, 40), func(c *Command) { c.ClientOrderID = utCID("q1") })
	ethSell := utLimit(0, utM2, Sell, 10, 5)
	byCID := Command{Kind: CmdCancelOrder, ClientOrderID: utCID("q1")}
	many := func(n int) []Command {
		cs := make([]Command, n)
		for i := range cs {
			cs[i] = utLimit(0, utM2, Sell, int64(100+i), 1)
		}
		return cs
	}
	return []utCase{
		{
			// buy 2 lots at 200 ticks holds 401; the ETH sell holds 5.
			name: "places and cancels in order", cmd: batch(utAlice, buy, ethSell, byCID),
			items: []Code{OK, OK, OK},
			kinds: utKs(EvOrderAccepted, EvBalance, EvOrderAccepted, EvBalance, EvOrderCanceled, EvBalance),
			bals:  []utB{{utAlice, utUSD, utFundUSD, 0}, {utAlice, utETH, utFundETH - 5, 5}},
			bids:  []Level{},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				evs = utWithout(evs, EvBookLevel)
				items := []uint16{1, 1, 2, 2, 3, 3}
				for i, ev := range evs {
					if ev.Item != items[i] {
						t.Errorf("event %d (%s): item %d, want %d", i, ev.Kind, ev.Item, items[i])
					}
				}
				if evs[1].Available != utFundUSD-401 || evs[1].Held != 401 || evs[5].Available != utFundUSD || evs[5].Held != 0 {
					t.Errorf("per-item balances %+v %+v", evs[1], evs[5])
				}
				if evs[0].Account != utAlice || evs[4].Order != evs[0].Order {
					t.Errorf("events %+v %+v", evs[0], evs[4])
				}
			},
		},
		{
			name: "items' own account is ignored", cmd: batch(utAlice, utMod(ethSell, func(c *Command) { c.Account = utBob })),
			items: []Code{OK}, bals: []utB{{utAlice, utETH, utFundETH - 5, 5}, {utBob, utETH, utFundETH, 0}},
		},
		{
			name: "a rejected item does not stop the others", cmd: batch(utAlice, buy, utMod(buy, func(c *Command) { c.Size, c.ClientOrderID = 50, ClientOrderID{} }), ethSell),
			items: []Code{OK, CodeSizeOffLot, OK},
			kinds: utKs(EvOrderAccepted, EvBalance, EvRejected, EvOrderAccepted, EvBalance),
		},
		{
			// 1500: the first buy needs 1003 and holds 1001, leaving 499 < 1003.
			name: "items see the earlier items' holds", setup: func(w *utWorld) { w.leave(utAlice, utUSD, 1500) },
			cmd:   batch(utAlice, utLimit(0, utM1, Buy, 1000, 100), utLimit(0, utM1, Buy, 1000, 100)),
			items: []Code{OK, CodeInsufficientBalance}, bals: []utB{{utAlice, utUSD, 499, 1001}},
		},
		{
			// Item 1 trades with bob (2 lots, 400, fees 1 and 1): its balances
			// are reported before item 2's events.
			name: "balances reported per item", setup: utPlaced("b1", utLimit(utBob, utM1, Sell, 1000, 40)),
			cmd:   batch(utAlice, utLimit(0, utM1, Buy, 1000, 40), ethSell),
			items: []Code{OK, OK},
			kinds: utKs(EvOrderAccepted, EvTrade, EvOrderDone, EvOrderDone, utBalEvs(5), EvOrderAccepted, EvBalance),
		},
		{
			name: "item kinds other than place and cancel", cmd: batch(utAlice,
				Command{Kind: CmdDeposit, Asset: utUSD, Amount: 5, Ref: utRef(777)},
				Command{Kind: CmdBatch, Batch: []Command{ethSell}},
				Command{Kind: CmdTick},
				Command{Kind: CmdAmendOrder, Order: 1, Size: 40},
			),
			items: []Code{CodeInvalidCommand, CodeInvalidCommand, CodeInvalidCommand, CodeInvalidCommand},
		},
		{name: "unknown account", cmd: batch(99, ethSell, byCID), items: []Code{CodeUnknownAccount, CodeUnknownAccount}},
		{
			name: "fifty items", cmd: batch(utAlice, many(MaxBatchItems)...),
			items: slices.Repeat([]Code{OK}, MaxBatchItems), market: utM2,
			bals: []utB{{utAlice, utETH, utFundETH - MaxBatchItems, MaxBatchItems}},
		},
		{name: "fifty-one items", cmd: batch(utAlice, many(MaxBatchItems+1)...), code: CodeBatchTooLarge},
		{name: "no items", cmd: batch(utAlice), code: CodeInvalidCommand},
		utStale(CmdBatch),
	}
}

// ---------------------------------------------------------------------------
// Codes

// TestCodeCoverage: every rejection code is produced by some table row.
func TestCodeCoverage(t *testing.T) {
	// Codes that no single command can produce, and why. None expected.
	exceptions := map[Code]string{}
	seen := map[Code]bool{}
	for _, cases := range utAllTables() {
		for _, tc := range cases {
			seen[tc.code] = true
			for _, c := range tc.items {
				seen[c] = true
			}
		}
	}
	for _, c := range Codes() {
		_, exempt := exceptions[c]
		switch {
		case !seen[c] && !exempt:
			t.Errorf("no table row expects %s", c)
		case seen[c] && exempt:
			t.Errorf("%s is listed as impossible but a row produces it", c)
		}
	}
}

func utSnake(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// TestCodeStrings: Code, EventKind and CommandKind name every value, with
// the stable numbering of code.go.
func TestCodeStrings(t *testing.T) {
	wantCodes := []string{
		"ok", "invalid_command", "stale_sequence", "unknown_account", "unknown_asset", "unknown_market",
		"unknown_order", "unknown_withdrawal", "duplicate_asset", "duplicate_market", "duplicate_deposit",
		"duplicate_withdrawal", "duplicate_client_order_id", "invalid_scale", "invalid_tick", "invalid_lot",
		"invalid_min_size", "tick_lot_not_integral", "invalid_fee", "invalid_status", "invalid_amount",
		"insufficient_balance", "invalid_side", "invalid_order_type", "invalid_time_in_force",
		"invalid_self_trade_prevention", "invalid_price", "price_off_tick", "invalid_size", "size_off_lot",
		"size_below_minimum", "invalid_expiry", "post_only_would_cross", "fok_unfillable", "market_halted",
		"amount_overflow", "batch_too_large", "nothing_to_amend", "asset_expired", "no_route",
		"insufficient_liquidity", "swap_below_minimum", "not_brand", "duplicate_issue", "not_redeemable",
		"unknown_redemption", "invalid_asset_kind", "unknown_session", "invalid_session_mode", "too_many_sessions",
	}
	if int(codeEnd) != len(wantCodes) {
		t.Errorf("%d codes, the stable list has %d: extend it (new codes go at the end)", codeEnd, len(wantCodes))
	}
	for i, name := range wantCodes {
		if got := Code(i).String(); got != name {
			t.Errorf("Code(%d) = %q, want %q", i, got, name)
		}
	}
	check := func(what string, n int, name func(int) string, bad string, first int) {
		seen := map[string]int{}
		for i := first; i < n; i++ {
			s := name(i)
			if s == bad || !utSnake(s) {
				t.Errorf("%s(%d) = %q", what, i, s)
			}
			if j, dup := seen[s]; dup {
				t.Errorf("%s(%d) and %s(%d) are both %q", what, j, what, i, s)
			}
			seen[s] = i
		}
		for _, i := range []int{n, 255} {
			if s := name(i); s != bad {
				t.Errorf("%s(%d) = %q, want %q", what, i, s, bad)
			}
		}
		if first > 0 {
			if s := name(0); s != bad {
				t.Errorf("%s(0) = %q, want %q", what, s, bad)
			}
		}
	}
	check("Code", int(codeEnd), func(i int) string { return Code(i).String() }, "code?", 0)
	check("EventKind", int(evKindEnd), func(i int) string { return EventKind(i).String() }, "event?", 1)
	check("CommandKind", int(cmdKindEnd), func(i int) string { return CommandKind(i).String() }, "command?", 1)
	check("Side", int(Sell)+1, func(i int) string { return Side(i).String() }, "side?", 1)
	check("OrderType", int(Market)+1, func(i int) string { return OrderType(i).String() }, "type?", 1)
	check("TimeInForce", int(GTD)+1, func(i int) string { return TimeInForce(i).String() }, "tif?", 1)
	check("SelfTradePrevention", int(CancelBoth)+1, func(i int) string { return SelfTradePrevention(i).String() }, "stp?", 0)
	check("MarketStatus", int(Halted)+1, func(i int) string { return MarketStatus(i).String() }, "status?", 1)
	check("CancelReason", int(ReasonDisconnect)+1, func(i int) string { return CancelReason(i).String() }, "reason?", 1)
	check("SessionMode", int(SessionCancelAll)+1, func(i int) string { return SessionMode(i).String() }, "mode?", 1)
	check("AssetKind", int(Coupon)+1, func(i int) string { return AssetKind(i).String() }, "kind?", 0)
	// The new kinds keep their stable names (they are journaled).
	for k, name := range map[CommandKind]string{
		CmdSetHub: "set_hub", CmdSwap: "swap", CmdIssue: "issue", CmdRedeem: "redeem",
		CmdFulfilRedemption: "fulfil_redemption", CmdRejectRedemption: "reject_redemption", CmdReportSupply: "report_supply",
		CmdCancelAllAfter: "cancel_all_after", CmdOpenSession: "open_session", CmdCloseSession: "close_session",
	} {
		if k.String() != name {
			t.Errorf("CommandKind %d = %q, want %q", k, k, name)
		}
	}
	for k, name := range map[EventKind]string{
		EvHubSet: "hub_set", EvSwapped: "swapped", EvIssued: "issued", EvRedemptionCreated: "redemption_created",
		EvRedemptionFulfilled: "redemption_fulfilled", EvRedemptionRejected: "redemption_rejected",
		EvAssetExpired: "asset_expired", EvSupplyReported: "supply_reported", EvBookLevel: "book_level",
		EvDeadmanSet: "deadman_set", EvSessionOpened: "session_opened", EvSessionClosed: "session_closed",
	} {
		if k.String() != name {
			t.Errorf("EventKind %d = %q, want %q", k, k, name)
		}
	}
	if ReasonAssetExpired.String() != "asset_expired" || ReasonDeadman.String() != "deadman" || ReasonDisconnect.String() != "disconnect" ||
		Token.String() != "token" || Points.String() != "points" || Coupon.String() != "coupon" {
		t.Errorf("reason or asset kind names changed")
	}
	if SessionKeep.String() != "keep" || SessionCancelOwn.String() != "cancel_own" || SessionCancelAll.String() != "cancel_all" {
		t.Errorf("session mode names changed")
	}

	// Appended kinds keep their numbers (they are journaled).
	if CmdReportSupply != 22 || CmdCancelAllAfter != 23 || EvBookLevel != 26 || EvDeadmanSet != 27 || ReasonDeadman != 6 {
		t.Errorf("kind numbers moved: CmdCancelAllAfter=%d EvDeadmanSet=%d ReasonDeadman=%d", CmdCancelAllAfter, EvDeadmanSet, ReasonDeadman)
	}
	if CmdOpenSession != 24 || CmdCloseSession != 25 || EvSessionOpened != 28 || EvSessionClosed != 29 || ReasonDisconnect != 7 ||
		CodeUnknownSession != 47 || CodeInvalidSessionMode != 48 || CodeTooManySessions != 49 ||
		SessionKeep != 1 || SessionCancelOwn != 2 || SessionCancelAll != 3 {
		t.Errorf("session numbers moved: CmdOpenSession=%d EvSessionOpened=%d ReasonDisconnect=%d CodeUnknownSession=%d SessionKeep=%d",
			CmdOpenSession, EvSessionOpened, ReasonDisconnect, CodeUnknownSession, SessionKeep)
	}

	cs := Codes()
	if len(cs) != int(codeEnd)-1 {
		t.Fatalf("Codes() has %d, want %d", len(cs), codeEnd-1)
	}
	for i, c := range cs {
		if c != Code(i+1) {
			t.Errorf("Codes()[%d] = %d", i, c)
		}
	}
}

// ---------------------------------------------------------------------------
// Properties

// TestPropRejectionSeqTime: a rejection carries its command's Seq and the
// engine clock (the command's time unless that is earlier).
func TestPropRejectionSeqTime(t *testing.T) {
	w := utNewWorld(t)
	bad := Command{Kind: CmdDeposit, Account: utAlice, Asset: utUSD, Amount: 0, Ref: utRef(4242)}

	c := bad
	c.Seq, c.Time = w.seq+10, utT0+500 // gaps in Seq are fine
	evs := w.raw(c)
	if len(evs) != 1 || evs[0].Kind != EvRejected || evs[0].Seq != c.Seq || evs[0].Time != c.Time || evs[0].Cmd != CmdDeposit {
		t.Errorf("later time: %+v", evs)
	}
	if w.e.Now() != utT0+500 || w.e.LastSeq() != c.Seq {
		t.Errorf("Now %d LastSeq %d", w.e.Now(), w.e.LastSeq())
	}

	c = bad
	c.Seq, c.Time = w.seq+1, utT0 // earlier than the clock
	evs = w.raw(c)
	if len(evs) != 1 || evs[0].Seq != c.Seq || evs[0].Time != utT0+500 {
		t.Errorf("earlier time: %+v", evs)
	}

	// Batch items: the batch's Seq and time, their 1-based position.
	c = Command{Kind: CmdBatch, Account: utAlice, Seq: w.seq + 1, Time: utT0 + 600, Batch: []Command{
		{Kind: CmdCancelOrder, Order: 12345, Seq: 1, Time: 1},
		{Kind: CmdDeposit, Seq: 1, Time: 1},
	}}
	evs = w.raw(c)
	if len(evs) != 2 {
		t.Fatalf("batch: %+v", evs)
	}
	for i, ev := range evs {
		if ev.Kind != EvRejected || ev.Seq != c.Seq || ev.Time != utT0+600 || ev.Item != uint16(i+1) || ev.Account != utAlice {
			t.Errorf("batch item %d: %+v", i+1, ev)
		}
	}
	if evs[0].Code != CodeUnknownOrder || evs[0].Order != 12345 || evs[1].Code != CodeInvalidCommand {
		t.Errorf("batch codes %+v", evs)
	}
}

// TestPropStaleSequence: a command whose Seq is not above the last one is
// rejected and changes nothing, not even the clock, and fires no expiry.
func TestPropStaleSequence(t *testing.T) {
	t.Run("seq 0 on a new engine", func(t *testing.T) {
		w := utBare(t)
		h := w.e.StateHash()
		evs := w.raw(Command{Kind: CmdCreateAccount, Seq: 0, Time: 5})
		if len(evs) != 1 || evs[0].Code != CodeStaleSequence || evs[0].Seq != 0 {
			t.Errorf("events %+v", evs)
		}
		if w.e.StateHash() != h || w.e.Now() != 0 || w.e.Accounts() != 1 {
			t.Errorf("state changed")
		}
	})
	w := utNewWorld(t)
	id := w.place("g", utMod(utLimit(utAlice, utM1, Buy, 1000, 100), func(c *Command) { c.TIF, c.ExpiresAt = GTD, utT0+10 }))
	last, now := w.e.LastSeq(), w.e.Now()
	h := w.e.StateHash()
	cmds := []Command{
		{Kind: CmdTick},
		{Kind: CmdCreateAccount},
		{Kind: CmdDeposit, Account: utAlice, Asset: utUSD, Amount: 5, Ref: utRef(4242)},
		utCancel(utAlice, id),
		utLimit(utBob, utM1, Sell, 1000, 100),
		{Kind: CmdBatch, Account: utAlice, Batch: []Command{utCancel(0, id)}},
	}
	for _, seq := range []uint64{last, last - 1, 1} {
		for _, c := range cmds {
			c.Seq, c.Time = seq, utT0+1000 // past the GTD's expiry
			evs := w.raw(c)
			if len(evs) != 1 || evs[0].Kind != EvRejected || evs[0].Code != CodeStaleSequence || evs[0].Seq != seq || evs[0].Cmd != c.Kind || evs[0].Time != now {
				t.Errorf("seq %d %s: %+v", seq, c.Kind, evs)
			}
			if w.e.StateHash() != h || w.e.Now() != now || w.e.LastSeq() != last {
				t.Fatalf("seq %d %s changed the state", seq, c.Kind)
			}
		}
	}
	// The next Seq works, and its time fires the expiry.
	evs := w.apply(Command{Kind: CmdTick, Seq: last + 1, Time: utT0 + 1000})
	if len(evs) != 3 || evs[0].Kind != EvOrderExpired || evs[0].Order != id || evs[1].Kind != EvBookLevel {
		t.Errorf("after: %+v", evs)
	}
}

// TestPropTimeNeverGoesBack: a command with an earlier time runs at the
// engine's clock.
func TestPropTimeNeverGoesBack(t *testing.T) {
	w := utNewWorld(t)
	w.must(Command{Kind: CmdTick, Time: utT0 + 100})
	// The clock is utT0+100 although this command says utT0+50.
	evs := w.must(Command{Kind: CmdDeposit, Account: utAlice, Asset: utUSD, Amount: 5, Ref: utRef(4242), Time: utT0 + 50})
	for _, ev := range evs {
		if ev.Time != utT0+100 {
			t.Errorf("event %s at %d, want %d", ev.Kind, ev.Time, utT0+100)
		}
	}
	if w.e.Now() != utT0+100 {
		t.Errorf("Now %d", w.e.Now())
	}
	// A GTD expiry between the command's time and the clock is already past.
	gtd := func(at, cmdTime int64) Command {
		return utMod(utLimit(utAlice, utM1, Buy, 1000, 40), func(c *Command) { c.TIF, c.ExpiresAt, c.Time = GTD, at, cmdTime })
	}
	evs = w.apply(gtd(utT0+80, utT0+50))
	if len(evs) != 1 || evs[0].Code != CodeInvalidExpiry || evs[0].Time != utT0+100 {
		t.Errorf("GTD before the clock: %+v", evs)
	}
	id := w.place("", gtd(utT0+101, utT0+50))
	// An earlier time does not fire an expiry the clock has not reached...
	if evs := w.must(Command{Kind: CmdTick, Time: utT0}); len(evs) != 0 {
		t.Errorf("tick at an earlier time: %+v", evs)
	}
	// ...and the clock reaching it does.
	evs = w.must(Command{Kind: CmdTick, Time: utT0 + 101})
	if len(evs) != 3 || evs[0].Kind != EvOrderExpired || evs[0].Order != id || evs[0].Time != utT0+101 || evs[1].Kind != EvBookLevel {
		t.Errorf("expiry: %+v", evs)
	}
	// Negative and zero times on a new engine leave the clock at 0.
	b := utBare(t)
	b.raw(Command{Kind: CmdTick, Seq: 1, Time: -5})
	b.raw(Command{Kind: CmdTick, Seq: 2, Time: 0})
	if b.e.Now() != 0 {
		t.Errorf("Now %d", b.e.Now())
	}
}

// TestPropTickLotIntegral: CreateMarket accepts a tick and lot only if one
// lot at one tick is a whole number of quote units, and that number is the
// notional of a one-lot trade at one tick.
func TestPropTickLotIntegral(t *testing.T) {
	rows := []struct {
		base, quote, price uint8
		tick, lot          int64
		want               Code
		k                  int64 // quote units of one lot at one tick
	}{
		// exp = quote - price - base
		{8, 2, 2, 1, 1, CodeTickLotNotIntegral, 0},                           // 1 / 10^8
		{8, 2, 2, 50, 1_000_000, CodeTickLotNotIntegral, 0},                  // 5e7 / 10^8
		{8, 2, 2, 100, 1_000_000, OK, 1},                                     // 1e8 / 10^8
		{8, 2, 2, 3, 100_000_000, OK, 3},                                     // 3e8 / 10^8
		{3, 2, 1, 5, 10, CodeTickLotNotIntegral, 0},                          // 50 / 10^2
		{3, 2, 1, 5, 20, OK, 1},                                              // 100 / 10^2
		{3, 2, 1, 25, 8, OK, 2},                                              // 200 / 10^2
		{0, 0, 1, 1, 1, CodeTickLotNotIntegral, 0},                           // 1 / 10
		{0, 0, 1, 2, 5, OK, 1},                                               // 10 / 10
		{6, 6, 0, 7, 3, OK, 21},                                              // exp 0
		{0, 2, 0, 1, 1, OK, 100},                                             // exp +2
		{0, 18, 0, 1, 1, OK, 1_000_000_000_000_000_000},                      // exp +18
		{0, 18, 0, 10, 1, CodeAmountOverflow, 0},                             // 10^19
		{18, 18, 18, 1, 1, CodeTickLotNotIntegral, 0},                        // 1 / 10^18
		{18, 18, 18, 1_000_000_000, 1_000_000_000, OK, 1},                    // 1e18 / 10^18
		{18, 0, 18, 1_000_000_000, 1_000_000_000, CodeTickLotNotIntegral, 0}, // exp -36
		{18, 0, 0, 1_000_000_000, 1_000_000_000, OK, 1},                      // exp -18
	}
	for _, r := range rows {
		name := fmt.Sprintf("b%d q%d p%d tick %d lot %d", r.base, r.quote, r.price, r.tick, r.lot)
		t.Run(name, func(t *testing.T) {
			w := utBare(t)
			w.must(Command{Kind: CmdCreateAccount})
			w.must(Command{Kind: CmdCreateAccount})
			w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("B"), Scale: r.base})
			w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("Q"), Scale: r.quote})
			evs := w.apply(Command{Kind: CmdCreateMarket, Base: 1, Quote: 2, PriceScale: r.price, Tick: r.tick, Lot: r.lot})
			if r.want != OK {
				if len(evs) != 1 || evs[0].Code != r.want {
					t.Fatalf("events %+v, want %s", evs, r.want)
				}
				if _, ok := w.e.Market(1); ok {
					t.Errorf("market created")
				}
				return
			}
			if len(evs) != 1 || evs[0].Kind != EvMarketCreated {
				t.Fatalf("events %+v, want created", evs)
			}
			// One lot at one tick trades for k quote units.
			w.deposit(2, 1, r.lot)
			w.deposit(3, 2, r.k)
			w.place("", utLimit(2, 1, Sell, r.tick, r.lot))
			evs = w.must(utLimit(3, 1, Buy, r.tick, r.lot))
			trs := utOf(evs, EvTrade)
			if len(trs) != 1 || trs[0].Amount != r.k {
				t.Errorf("trades %+v, want amount %d", trs, r.k)
			}
		})
	}
}

// TestPropAmountOverflow: supply and notional overflows are rejected
// amount_overflow and change nothing.
func TestPropAmountOverflow(t *testing.T) {
	t.Run("deposit", func(t *testing.T) {
		w := utNewWorld(t)
		supply := 3 * utFundETH
		w.rejects(Command{Kind: CmdDeposit, Account: utAlice, Asset: utETH, Amount: math.MaxInt64, Ref: w.ref()}, CodeAmountOverflow)
		w.rejects(Command{Kind: CmdDeposit, Account: utAlice, Asset: utETH, Amount: math.MaxInt64 - supply + 1, Ref: w.ref()}, CodeAmountOverflow)
		w.deposit(utAlice, utETH, math.MaxInt64-supply)
		w.rejects(Command{Kind: CmdDeposit, Account: utBob, Asset: utETH, Amount: 1, Ref: w.ref()}, CodeAmountOverflow)
		if info, _ := w.e.Asset(utETH); info.Deposited != math.MaxInt64 {
			t.Errorf("deposited %d", info.Deposited)
		}
		// Other assets are independent.
		w.deposit(utBob, utUSD, 1)
	})
	t.Run("limit buy", func(t *testing.T) {
		w := utNewWorld(t)
		// ETH/USD: 10^17 * 100 cents.
		w.rejects(utLimit(utAlice, utM2, Buy, 1e17, 1), CodeAmountOverflow)
		w.rejects(utLimit(utAlice, utM2, Buy, math.MaxInt64, math.MaxInt64), CodeAmountOverflow)
		// BTC/USD: 9.22e18 notional fits, plus its fee it does not.
		w.rejects(utLimit(utAlice, utM1, Buy, 9_220_000_000_000_000_000, 100), CodeAmountOverflow)
	})
	t.Run("limit sell", func(t *testing.T) {
		// doc.go: "the notional of any order, price x size, is an exact
		// integer ... computed with overflow checks; anything that would
		// overflow int64 is rejected amount_overflow".
		w := utNewWorld(t)
		w.rejects(utLimit(utAlice, utM2, Sell, 1e17, 1), CodeAmountOverflow)
		// BTC/USD: 1.8e18 ticks * 5000 lots.
		w.rejects(utLimit(utAlice, utM1, Sell, 9_000_000_000_000_000_000, 100_000), CodeAmountOverflow)
	})
	t.Run("market buy", func(t *testing.T) {
		w := utNewWorld(t)
		w.place("", utLimit(utBob, utM2, Sell, 5e16, 1))
		w.place("", utLimit(utCarol, utM2, Sell, 5e16, 1))
		// One ask (5e18 cents) fits but alice cannot pay; both (1e19) overflow.
		w.rejects(utMkt(utAlice, utM2, Buy, 2), CodeAmountOverflow)
		w.rejects(utMkt(utAlice, utM2, Buy, 1), CodeInsufficientBalance)
	})
}

// TestPropMarketOrderMustPay: a market order is simulated and rejected
// insufficient_balance if the account cannot pay for what it would fill;
// it does not pay for what it would not fill.
func TestPropMarketOrderMustPay(t *testing.T) {
	w := utNewWorld(t)
	// asks: bob 2 lots at 200 ticks (400), carol 3 lots at 202 ticks (606).
	// Buying all 5 lots costs 1006 + ceil(1006*25/10000) = 1006 + 3 = 1009.
	w.place("", utLimit(utBob, utM1, Sell, 1000, 40))
	w.place("", utLimit(utCarol, utM1, Sell, 1010, 60))
	w.leave(utAlice, utUSD, 1008)
	w.rejects(utMkt(utAlice, utM1, Buy, 100), CodeInsufficientBalance)
	// More than the book holds fills the same 5 lots: just as unaffordable.
	w.rejects(utMkt(utAlice, utM1, Buy, 1000), CodeInsufficientBalance)
	// By quote amount: a budget of 5000 would spend 1009.
	w.rejects(utByQuote(utAlice, utM1, 5000), CodeInsufficientBalance)
	// 2 lots cost 400 + 1.
	w.must(utMkt(utAlice, utM1, Buy, 40))
	if av, _ := w.e.Balance(utAlice, utUSD); av != 1008-401 {
		t.Errorf("alice has %d, want %d", av, 1008-401)
	}
	// A market sell needs only the base it would sell: with no bids, selling
	// far more than alice owns fills nothing and is not rejected.
	evs := w.must(utMkt(utAlice, utM1, Sell, 1_000_000_000))
	if k := utKinds(evs); !slices.Equal(k, []EventKind{EvOrderAccepted, EvOrderCanceled}) {
		t.Errorf("events %v", k)
	}
	// With a bid of 2 lots (bob's), selling 100 fills 2 lots: alice needs 40
	// base units, not 100.
	w.place("", utLimit(utBob, utM1, Buy, 900, 40))
	w.leave(utAlice, utBTC, 40)
	evs = w.must(utMkt(utAlice, utM1, Sell, 100))
	if c := utOf(evs, EvOrderCanceled); len(c) != 1 || c[0].Remaining != 60 {
		t.Errorf("events %+v", evs)
	}
	w.place("", utLimit(utBob, utM1, Buy, 900, 40))
	w.rejects(utMkt(utAlice, utM1, Sell, 100), CodeInsufficientBalance)
}

// TestPropCancelAllOrderIDOrder: cancel-all cancels in increasing OrderID
// order, which slot reuse makes differ from the order of placement.
func TestPropCancelAllOrderIDOrder(t *testing.T) {
	w := utNewWorld(t)
	a := w.place("", utLimit(utAlice, utM1, Buy, 1000, 40))
	b := w.place("", utLimit(utAlice, utM2, Buy, 10, 1))
	c := w.place("", utLimit(utAlice, utM1, Sell, 2000, 40))
	w.place("", utLimit(utBob, utM1, Buy, 900, 40))
	w.must(utCancel(utAlice, a))
	w.must(utCancel(utAlice, b))
	d := w.place("", utLimit(utAlice, utM2, Sell, 20, 1))  // a freed slot, next generation
	e := w.place("", utLimit(utAlice, utM1, Buy, 995, 40)) // the other freed slot
	want := []OrderID{c, d, e}
	slices.Sort(want)
	if slices.Equal(want, []OrderID{c, d, e}) {
		t.Fatalf("ids %x in placement order: the test proves nothing", want)
	}
	evs := w.must(Command{Kind: CmdCancelAll, Account: utAlice})
	var got []OrderID
	for _, ev := range utOf(evs, EvOrderCanceled) {
		got = append(got, ev.Order)
	}
	if !slices.Equal(got, want) {
		t.Errorf("cancelled %x, want %x", got, want)
	}
	if os := w.e.BookOrders(utM1, Buy, nil); len(os) != 1 || os[0].Account != utBob {
		t.Errorf("bids left %+v, want bob's", os)
	}
}

// TestPropBalanceEventsSorted: balance events come sorted by account then
// asset, whatever order the command touched them in.
func TestPropBalanceEventsSorted(t *testing.T) {
	keys := func(evs []Event) []utKey {
		var ks []utKey
		for _, ev := range evs {
			if ev.Kind == EvBalance {
				ks = append(ks, utKey{ev.Account, ev.Asset})
			}
		}
		return ks
	}
	t.Run("trade", func(t *testing.T) {
		w := utNewWorld(t)
		// carol's ask is best, then bob's: the taker touches alice, carol,
		// the fee account, then bob.
		w.place("", utLimit(utCarol, utM1, Sell, 995, 40))
		w.place("", utLimit(utBob, utM1, Sell, 1000, 40))
		evs := w.must(utLimit(utAlice, utM1, Buy, 1000, 80))
		want := []utKey{{FeeAccount, utUSD}, {utAlice, utBTC}, {utAlice, utUSD}, {utBob, utBTC}, {utBob, utUSD}, {utCarol, utBTC}, {utCarol, utUSD}}
		if got := keys(evs); !slices.Equal(got, want) {
			t.Errorf("balance events %v, want %v", got, want)
		}
	})
	t.Run("cancel all", func(t *testing.T) {
		w := utNewWorld(t)
		// The ETH sell has the lower id and is cancelled (touched) first.
		w.place("", utLimit(utAlice, utM2, Sell, 10, 5))
		w.place("", utLimit(utAlice, utM1, Buy, 1000, 40))
		w.place("", utLimit(utAlice, utM1, Sell, 2000, 40))
		evs := w.must(Command{Kind: CmdCancelAll, Account: utAlice})
		want := []utKey{{utAlice, utBTC}, {utAlice, utUSD}, {utAlice, utETH}}
		if got := keys(evs); !slices.Equal(got, want) {
			t.Errorf("balance events %v, want %v", got, want)
		}
	})
	t.Run("expiries", func(t *testing.T) {
		w := utNewWorld(t)
		gtd := func(a AccountID, m MarketID, side Side, price, size int64) Command {
			return utMod(utLimit(a, m, side, price, size), func(c *Command) { c.TIF, c.ExpiresAt = GTD, utT0+10 })
		}
		w.place("", gtd(utCarol, utM1, Buy, 1000, 40))
		w.place("", gtd(utBob, utM2, Sell, 10, 1))
		w.place("", gtd(utAlice, utM2, Sell, 10, 1))
		w.place("", gtd(utAlice, utM1, Buy, 995, 40))
		// The deposit's own balance event follows the expiry phase's.
		evs := w.must(Command{Kind: CmdDeposit, Account: utAlice, Asset: utBTC, Amount: 1, Ref: w.ref(), Time: utT0 + 10})
		want := []utKey{{utAlice, utUSD}, {utAlice, utETH}, {utBob, utETH}, {utCarol, utUSD}, {utAlice, utBTC}}
		if got := keys(evs); !slices.Equal(got, want) {
			t.Errorf("balance events %v, want %v", got, want)
		}
		if k := utKinds(evs); !slices.Equal(k, utKs(EvOrderExpired, EvOrderExpired, EvOrderExpired, EvOrderExpired, EvBookLevel, EvBookLevel, EvBookLevel, utBalEvs(4), EvDeposited, EvBalance)) {
			t.Errorf("kinds %v", k)
		}
	})
}

// TestPropParseSymbol: ParseSymbol's edge cases.
func TestPropParseSymbol(t *testing.T) {
	rows := []struct {
		in string
		ok bool
	}{
		{"", false},
		{"A", true},
		{"BTC", true},
		{"0", true},
		{"W.ETH_2", true},
		{"._", true},
		{"ABCDEFGHIJKLMNOP", true},   // 16
		{"ABCDEFGHIJKLMNOPQ", false}, // 17
		{"btc", false},
		{"Btc", false},
		{"BT C", false},
		{" BTC", false},
		{"BTC-USD", false},
		{"BTC/USD", false},
		{"BTC\x00", false},
		{"\x00BTC", false},
		{"ÉTH", false},
		{"BTC\n", false},
	}
	for _, r := range rows {
		sym, ok := ParseSymbol(r.in)
		if ok != r.ok {
			t.Errorf("ParseSymbol(%q) ok = %v, want %v", r.in, ok, r.ok)
			continue
		}
		if ok {
			if sym.String() != r.in || !sym.valid() {
				t.Errorf("ParseSymbol(%q) = %q, valid %v", r.in, sym.String(), sym.valid())
			}
		} else if sym != (Symbol{}) {
			t.Errorf("ParseSymbol(%q) returned %q with false", r.in, sym.String())
		}
	}
}

// TestPropParseClientOrderID: ParseClientOrderID's edge cases.
func TestPropParseClientOrderID(t *testing.T) {
	rows := []struct {
		in string
		ok bool
	}{
		{"", false},
		{"a", true},
		{"!", true},
		{"~", true},
		{"order-1/2:3", true},
		{"123e4567-e89b-12d3-a456-426614174000", true},   // 36
		{"123e4567-e89b-12d3-a456-4266141740001", false}, // 37
		{strings.Repeat("x", 36), true},
		{"a b", false},
		{" a", false},
		{"a\t", false},
		{"a\x00", false},
		{"\x00", false},
		{"a\x7f", false},
		{"é", false},
	}
	for _, r := range rows {
		id, ok := ParseClientOrderID(r.in)
		if ok != r.ok {
			t.Errorf("ParseClientOrderID(%q) ok = %v, want %v", r.in, ok, r.ok)
			continue
		}
		if ok {
			if id.String() != r.in || id.IsZero() || !id.valid() {
				t.Errorf("ParseClientOrderID(%q) = %q, zero %v, valid %v", r.in, id.String(), id.IsZero(), id.valid())
			}
		} else if !id.IsZero() {
			t.Errorf("ParseClientOrderID(%q) returned %q with false", r.in, id.String())
		}
	}
	var none ClientOrderID
	if !none.IsZero() || !none.valid() {
		t.Errorf("the zero ClientOrderID is none, and valid")
	}
}

// ---------------------------------------------------------------------------
// Hubs and swaps
//
// Swap rows use the standard world; where a row needs more it says so.
// M1 (BTC/USD): notional (cents) = (price/5) * (size/20), one lot at price
// 1000 is 200 cents; maker 10 bps, taker 25 bps, fees ceil(sum n*bps/10000).
// M2 (ETH/USD): one ETH at price p is p*100 cents, no fees.

func utSetHubCases() []utCase {
	hub := func(a AssetID, on bool) func(*utWorld) Command {
		return utConst(Command{Kind: CmdSetHub, Asset: a, Hub: on})
	}
	is := func(a AssetID, on bool) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			if ev := evs[0]; ev.Asset != a || ev.Hub != on {
				t.Errorf("event %+v", ev)
			}
			if info, _ := w.e.Asset(a); info.Hub != on {
				t.Errorf("Asset(%d).Hub = %v, want %v", a, info.Hub, on)
			}
		}
	}
	return []utCase{
		{name: "ok set", cmd: hub(utUSD, true), kinds: utKs(EvHubSet), check: is(utUSD, true)},
		{
			// With the hub gone, BTC -> ETH (no direct market) has no route.
			name: "ok unset", setup: func(w *utWorld) { w.must(Command{Kind: CmdSetHub, Asset: utUSD, Hub: true}) },
			cmd: hub(utUSD, false), kinds: utKs(EvHubSet),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				is(utUSD, false)(t, w, evs)
				if _, code := w.e.Quote(utAlice, utBTC, utETH, 40); code != CodeNoRoute {
					t.Errorf("Quote after unset: %s, want no_route", code)
				}
			},
		},
		{
			name: "ok set twice", setup: func(w *utWorld) { w.must(Command{Kind: CmdSetHub, Asset: utUSD, Hub: true}) },
			cmd: hub(utUSD, true), kinds: utKs(EvHubSet), check: is(utUSD, true),
		},
		{name: "unknown asset 0", cmd: hub(0, true), code: CodeUnknownAsset},
		{name: "unknown asset", cmd: hub(9, true), code: CodeUnknownAsset},
		utStale(CmdSetHub),
	}
}

func utSwap(a AccountID, from, to AssetID, amount, minReceive int64) Command {
	return Command{Kind: CmdSwap, Account: a, Asset: from, ToAsset: to, Amount: amount, MinReceive: minReceive}
}

func utSetHub(a AssetID) func(*utWorld) {
	return func(w *utWorld) { w.must(Command{Kind: CmdSetHub, Asset: a, Hub: true}) }
}

// utQuoted makes a swap row also Quote the swap just before it runs (same
// state, same account) and require the quote to be want and to agree with
// the executed EvSwapped and EvTrade events.
func utQuoted(tc utCase, want Quote) utCase {
	var got Quote
	var code Code
	var cmd Command
	inner, innerCheck := tc.cmd, tc.check
	tc.cmd = func(w *utWorld) Command {
		cmd = inner(w)
		got, code = w.e.Quote(cmd.Account, cmd.Asset, cmd.ToAsset, cmd.Amount)
		return cmd
	}
	tc.check = func(t *testing.T, w *utWorld, evs []Event) {
		if code != OK || got != want {
			t.Errorf("Quote = %+v, %s\n want %+v", got, code, want)
		}
		sw := utOf(evs, EvSwapped)
		if len(sw) != 1 {
			t.Fatalf("%d EvSwapped", len(sw))
		}
		s := sw[0]
		if s.Account != cmd.Account || s.Asset != cmd.Asset || s.ToAsset != cmd.ToAsset || s.Amount != got.AmountIn ||
			s.Remaining != got.Unspent || s.AmountOut != got.AmountOut || s.HubAsset != got.Hub || s.HubLeft != got.HubLeft {
			t.Errorf("EvSwapped %+v does not match the quote %+v", s, got)
		}
		if s.Amount+s.Remaining != cmd.Amount {
			t.Errorf("spent %d + unspent %d != offered %d", s.Amount, s.Remaining, cmd.Amount)
		}
		// Each leg's trades add up to the leg.
		for i := range got.NumLegs {
			leg := got.Legs[i]
			var size, amount, fee int64
			for _, tr := range utOf(evs, EvTrade) {
				if tr.Market != leg.Market {
					continue
				}
				if tr.Order != 0 || tr.Account != cmd.Account || tr.Side != leg.Side {
					t.Errorf("leg %d trade %+v: want Order 0, the swapper, side %s", i, tr, leg.Side)
				}
				size, amount, fee = size+tr.Size, amount+tr.Amount, fee+tr.Fee
			}
			in, out := size, amount-fee
			if leg.Side == Buy {
				in, out = amount+fee, size
			}
			if fee != leg.Fee || in != leg.In || out != leg.Out {
				t.Errorf("leg %d: trades give in %d out %d fee %d, quote %+v", i, in, out, fee, leg)
			}
		}
		if innerCheck != nil {
			innerCheck(t, w, evs)
		}
	}
	return tc
}

func utSwapCases() []utCase {
	bid := func(name string, a AccountID, m MarketID, price, size int64) func(*utWorld) {
		return utPlaced(name, utLimit(a, m, Buy, price, size))
	}
	ask := func(name string, a AccountID, m MarketID, price, size int64) func(*utWorld) {
		return utPlaced(name, utLimit(a, m, Sell, price, size))
	}
	halt := func(m MarketID) func(*utWorld) {
		return func(w *utWorld) { w.must(Command{Kind: CmdSetMarketStatus, Market: m, Status: Halted}) }
	}
	// Two bids on M1: bob 1000 x 40 (2 lots of 200 cents, holds 400 +
	// ceil(400*10/10000) = 401), carol 995 x 40 (2 lots of 199, holds 398 +
	// ceil(3980/10000) = 399).
	twoBids := utSteps(bid("b", utBob, utM1, 1000, 40), bid("c", utCarol, utM1, 995, 40))
	// M3 ETH/BTC, price scale 3, tick 1, lot 1, no fees: notionalPerTickLot
	// = 1*1*10^(3-3-0) = 1, so one ETH at price p costs p BTC units.
	ethBTC := func(w *utWorld) {
		w.must(Command{Kind: CmdCreateMarket, Base: utETH, Quote: utBTC, PriceScale: 3, Tick: 1, Lot: 1})
	}
	// The hub route BTC -> USD -> ETH used below: bob bids 1000 x 40 on M1,
	// carol asks 10 ETH at 1 (100 cents) on M2.
	hubBook := utSteps(utSetHub(utUSD), bid("b", utBob, utM1, 1000, 40), ask("c", utCarol, utM2, 1, 10))
	// A second hub, EUR (asset 4, scale 2), with M3 BTC/EUR like M1 and M4
	// ETH/EUR like M2. Hubs are set EUR first: the order of SetHub must not
	// matter, only the ids.
	eurHub := func(w *utWorld) {
		w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("EUR"), Scale: 2})
		w.must(Command{Kind: CmdCreateMarket, Base: utBTC, Quote: 4, PriceScale: 1, Tick: 5, Lot: 20, MinSize: 40, MakerBps: 10, TakerBps: 25})
		w.must(Command{Kind: CmdCreateMarket, Base: utETH, Quote: 4, PriceScale: 0, Tick: 1, Lot: 1})
		w.deposit(utBob, 4, 1000)
		utSetHub(4)(w)
		utSetHub(utUSD)(w)
		w.place("b3", utLimit(utBob, 3, Buy, 1000, 40))
		w.place("c4", utLimit(utCarol, 4, Sell, 1, 10))
	}
	sw := func(from, to AssetID, amount, minReceive int64) func(*utWorld) Command {
		return utConst(utSwap(utAlice, from, to, amount, minReceive))
	}

	// Direct, selling the base: alice offers 90 BTC = 4 lots (80) and 10
	// left over, less than a lot. Bob's 2 lots at 1000: n = 400, taker fee
	// ceil(400*25/10000) = 1, bob's maker fee ceil(400*10/10000) = 1.
	// Carol's 2 lots at 995: n = 398, cumulative taker fee ceil((10000 +
	// 9950)/10000) = 2, so +1; carol's maker fee ceil(3980/10000) = 1.
	// Out = 798 - 2 = 796. BestOut: 4 lots at 1000 = 800 - ceil(800*25/10000)
	// = 800 - 2 = 798; impact ceil((798-796)*10000/798) = ceil(25.06) = 26.
	directSell := utCase{
		name: "direct, selling the base over two levels", setup: twoBids, cmd: sw(utBTC, utUSD, 90, 0),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvOrderDone, EvSwapped, utBalEvs(7)),
		bals: []utB{
			{FeeAccount, utUSD, 2 + 1 + 1, 0},
			{utAlice, utBTC, utFundBTC - 80, 0}, {utAlice, utUSD, utFundUSD + 796, 0},
			{utBob, utBTC, utFundBTC + 40, 0}, {utBob, utUSD, utFundUSD - 401, 0},
			{utCarol, utBTC, utFundBTC + 40, 0}, {utCarol, utUSD, utFundUSD - 399, 0},
		},
		bids: []Level{},
		check: func(t *testing.T, w *utWorld, evs []Event) {
			trs := utOf(evs, EvTrade)
			if trs[0].Price != 1000 || trs[0].Size != 40 || trs[0].Amount != 400 || trs[0].Fee != 1 || trs[0].MakerFee != 1 || trs[0].MakerOrder != w.id("b") ||
				trs[1].Price != 995 || trs[1].Size != 40 || trs[1].Amount != 398 || trs[1].Fee != 1 || trs[1].MakerFee != 1 || trs[1].MakerOrder != w.id("c") {
				t.Errorf("trades %+v", trs)
			}
		},
	}
	directSellQuote := Quote{
		From: utBTC, To: utUSD, NumLegs: 1,
		Legs:     [2]Leg{{Market: utM1, Side: Sell, In: 80, Out: 796, Fee: 2, Filled: true}},
		AmountIn: 80, Unspent: 10, AmountOut: 796, BestOut: 798, ImpactBps: 26,
	}

	// Direct, buying the base with the quote: alice offers 1000 cents. Asks:
	// bob 1000 x 40, carol 1010 x 100. Bob's 2 lots: 400 + ceil(10000/10000)
	// = 401, budget 599. Carol's level, 202 a lot: 599/202 = 2 lots, n = 404,
	// cumulative fee ceil((10000 + 10100)/10000) = 3, +2: 406 <= 599; a third
	// lot would cost 202 more than the 193 left, so the leg is done (filled:
	// it stopped on its budget, not on the book). In = 400 + 404 + 3 = 807,
	// unspent 193, out 4 lots = 80. Makers: bob gets 400 - ceil(4000/10000)
	// = 399, carol 404 - ceil(4040/10000) = 403. BestOut at 1000: 5 lots
	// cost 1000 + ceil(2.5) = 1003 > 1000, 4 cost 800 + 2 = 802: 80, impact 0.
	directBuy := utCase{
		name:  "direct, buying the base with the quote",
		setup: utSteps(ask("b", utBob, utM1, 1000, 40), ask("c", utCarol, utM1, 1010, 100)),
		cmd:   sw(utUSD, utBTC, 1000, 80),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvSwapped, utBalEvs(7)),
		bals: []utB{
			{FeeAccount, utUSD, 3 + 1 + 1, 0},
			{utAlice, utBTC, utFundBTC + 80, 0}, {utAlice, utUSD, utFundUSD - 807, 0},
			{utBob, utBTC, utFundBTC - 40, 0}, {utBob, utUSD, utFundUSD + 399, 0},
			{utCarol, utBTC, utFundBTC - 100, 60}, {utCarol, utUSD, utFundUSD + 403, 0},
		},
		asks: []Level{{1010, 60, 1}},
	}
	directBuyQuote := Quote{
		From: utUSD, To: utBTC, NumLegs: 1,
		Legs:     [2]Leg{{Market: utM1, Side: Buy, In: 807, Out: 80, Fee: 3, Filled: true}},
		AmountIn: 807, Unspent: 193, AmountOut: 80, BestOut: 80,
	}

	// Two hops BTC -> USD -> ETH (no BTC/ETH market): alice offers 50 BTC =
	// 2 lots and 10 left. Leg 1: 400 - 1 = 399 cents. Leg 2 buys ETH at 100
	// cents: 3 ETH for 300, the 99 cents left cannot buy one more: HubLeft.
	// Alice: BTC -40, USD +99, ETH +3. Bob: bought 40 BTC for his 401 hold;
	// carol sold 3 of her 10 ETH for 300; fees 1 + 1.
	twoHop := utCase{
		name: "two hops through a hub, HubLeft credited", setup: hubBook, cmd: sw(utBTC, utETH, 50, 3),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvSwapped, utBalEvs(8)),
		bals: []utB{
			{FeeAccount, utUSD, 2, 0},
			{utAlice, utBTC, utFundBTC - 40, 0}, {utAlice, utUSD, utFundUSD + 99, 0}, {utAlice, utETH, utFundETH + 3, 0},
			{utBob, utBTC, utFundBTC + 40, 0}, {utBob, utUSD, utFundUSD - 401, 0},
			{utCarol, utUSD, utFundUSD + 300, 0}, {utCarol, utETH, utFundETH - 10, 7},
		},
	}
	twoHopQuote := Quote{
		From: utBTC, To: utETH, Hub: utUSD, NumLegs: 2,
		Legs: [2]Leg{
			{Market: utM1, Side: Sell, In: 40, Out: 399, Fee: 1, Filled: true},
			{Market: utM2, Side: Buy, In: 300, Out: 3, Fee: 0, Filled: true},
		},
		AmountIn: 40, Unspent: 10, AmountOut: 3, HubLeft: 99, BestOut: 3,
	}

	// Two hops where the second leg walks two levels: carol asks 2 ETH at 1,
	// bob 10 at 2 (200 cents). Leg 2 with 399: 2 ETH for 200, then 199 cannot
	// buy one at 200: out 2, HubLeft 199. BestOut: leg 1 at 1000 gives 399,
	// leg 2 at 100 a lot gives 3; impact ceil((3-2)*10000/3) = 3334.
	twoHopWalk := utCase{
		name: "two hops, the second leg walks two levels",
		setup: utSteps(utSetHub(utUSD), bid("b", utBob, utM1, 1000, 40),
			ask("c", utCarol, utM2, 1, 2), ask("b2", utBob, utM2, 2, 10)),
		cmd:   sw(utBTC, utETH, 40, 0),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvOrderDone, EvSwapped, utBalEvs(8)),
		bals: []utB{
			{FeeAccount, utUSD, 2, 0},
			{utAlice, utBTC, utFundBTC - 40, 0}, {utAlice, utUSD, utFundUSD + 199, 0}, {utAlice, utETH, utFundETH + 2, 0},
			{utBob, utETH, utFundETH - 10, 10},
			{utCarol, utUSD, utFundUSD + 200, 0}, {utCarol, utETH, utFundETH - 2, 0},
		},
	}
	twoHopWalkQuote := Quote{
		From: utBTC, To: utETH, Hub: utUSD, NumLegs: 2,
		Legs: [2]Leg{
			{Market: utM1, Side: Sell, In: 40, Out: 399, Fee: 1, Filled: true},
			{Market: utM2, Side: Buy, In: 200, Out: 2, Fee: 0, Filled: true},
		},
		AmountIn: 40, AmountOut: 2, HubLeft: 199, BestOut: 3, ImpactBps: 3334,
	}

	// Direct ETH/BTC against the hub route, both giving 3 ETH for 40 BTC:
	// bob asks 10 ETH at 13 BTC units, 40/13 = 3 ETH for 39, 1 unspent.
	tie := utCase{
		name:  "tie between direct and two hops goes to direct",
		setup: utSteps(hubBook, ethBTC, ask("d", utBob, 3, 13, 10)),
		cmd:   sw(utBTC, utETH, 40, 3),
		kinds: utKs(EvTrade, EvSwapped, utBalEvs(4)),
		bals: []utB{
			{utAlice, utBTC, utFundBTC - 39, 0}, {utAlice, utETH, utFundETH + 3, 0},
			{utBob, utBTC, utFundBTC + 39, 0}, {utBob, utETH, utFundETH - 10, 7},
			{utCarol, utETH, utFundETH - 10, 10}, // the hub route did not run
		},
		bids: []Level{{1000, 40, 1}},
	}
	tieQuote := Quote{
		From: utBTC, To: utETH, NumLegs: 1,
		Legs:     [2]Leg{{Market: 3, Side: Buy, In: 39, Out: 3, Filled: true}},
		AmountIn: 39, Unspent: 1, AmountOut: 3, BestOut: 3,
	}

	// The same with bob's ask at 14: direct gives 40/14 = 2 ETH, the hub
	// route 3 (as in the two-hop row): the hub route wins.
	hubBetter := utCase{
		name:  "two hops beat a worse direct route",
		setup: utSteps(hubBook, ethBTC, ask("d", utBob, 3, 14, 10)),
		cmd:   sw(utBTC, utETH, 40, 0),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvSwapped, utBalEvs(8)),
		bals:  []utB{{utAlice, utBTC, utFundBTC - 40, 0}, {utAlice, utUSD, utFundUSD + 99, 0}, {utAlice, utETH, utFundETH + 3, 0}},
	}
	hubBetterQuote := twoHopQuote
	hubBetterQuote.Unspent = 0

	// Own order: alice's ask at 12 is the best on M3; her direct buy leg meets
	// it and stops, so the direct route does not fill; the hub route does.
	ownDirect := utCase{
		name:  "own order stops the direct leg, the hub route is taken",
		setup: utSteps(hubBook, ethBTC, ask("d", utBob, 3, 13, 10), ask("own", utAlice, 3, 12, 5)),
		cmd:   sw(utBTC, utETH, 40, 0),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvSwapped, utBalEvs(8)),
		bals:  []utB{{utAlice, utBTC, utFundBTC - 40, 0}, {utAlice, utUSD, utFundUSD + 99, 0}, {utAlice, utETH, utFundETH - 5 + 3, 5}},
		check: func(t *testing.T, w *utWorld, evs []Event) {
			if o, ok := w.e.Order(w.id("own")); !ok || o.Remaining != 5 {
				t.Errorf("own order %+v %v: self-trade prevention is CancelTaker, the maker stays", o, ok)
			}
		},
	}

	// Two hubs, same books: USD (id 2) and EUR (id 4) both give 3 ETH.
	twoHubs := utCase{
		name: "tie between two hubs goes to the lower id", setup: utSteps(hubBook, eurHub), cmd: sw(utBTC, utETH, 40, 0),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvSwapped, utBalEvs(8)),
		bals:  []utB{{utAlice, utUSD, utFundUSD + 99, 0}, {utAlice, 4, 0, 0}, {utBob, 4, 1000 - 401, 401}},
	}
	// Carol's M2 ask at 2 instead: the USD route gives 399/200 = 1 ETH, EUR 3.
	eurBetter := utCase{
		name:  "the higher hub id wins when it gives more",
		setup: utSteps(utSetHub(utUSD), bid("b", utBob, utM1, 1000, 40), ask("c", utCarol, utM2, 2, 10), eurHub),
		cmd:   sw(utBTC, utETH, 40, 0),
		kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvSwapped, utBalEvs(8)),
		bals: []utB{
			{FeeAccount, 4, 2, 0},
			{utAlice, utBTC, utFundBTC - 40, 0}, {utAlice, utUSD, utFundUSD, 0}, {utAlice, 4, 99, 0}, {utAlice, utETH, utFundETH + 3, 0},
			{utBob, utBTC, utFundBTC + 40, 0}, {utBob, 4, 1000 - 401, 0}, {utBob, utUSD, utFundUSD - 401, 401},
			{utCarol, 4, 300, 0}, {utCarol, utETH, utFundETH - 20, 17},
		},
	}
	eurQuote := twoHopQuote
	eurQuote.Hub, eurQuote.Unspent = 4, 0
	eurQuote.Legs[0].Market, eurQuote.Legs[1].Market = 3, 4

	return []utCase{
		utQuoted(directSell, directSellQuote),
		utQuoted(directBuy, directBuyQuote),
		utQuoted(twoHop, twoHopQuote),
		utQuoted(twoHopWalk, twoHopWalkQuote),
		utQuoted(tie, tieQuote),
		utQuoted(hubBetter, hubBetterQuote),
		utQuoted(ownDirect, hubBetterQuote),
		utQuoted(twoHubs, hubBetterQuote),
		utQuoted(eurBetter, eurQuote),
		{
			name: "ok exactly the minimum", setup: twoBids, cmd: sw(utBTC, utUSD, 90, 796),
			kinds: utKs(EvTrade, EvOrderDone, EvTrade, EvOrderDone, EvSwapped, utBalEvs(7)),
		},
		{
			// The base seen as the quote of the pair: ETH -> USD on M2 sells
			// ETH. Carol bids 2 ETH at 3 (300 cents each): out 600, no fees.
			name: "ok direct on a market without fees", setup: bid("c", utCarol, utM2, 3, 2), cmd: sw(utETH, utUSD, 2, 600),
			kinds: utKs(EvTrade, EvOrderDone, EvSwapped, utBalEvs(4)),
			bals:  []utB{{utAlice, utETH, utFundETH - 2, 0}, {utAlice, utUSD, utFundUSD + 600, 0}, {utCarol, utETH, utFundETH + 2, 0}, {utCarol, utUSD, utFundUSD - 600, 0}},
		},

		// ---- rejected
		{name: "swap below minimum", setup: twoBids, cmd: sw(utBTC, utUSD, 90, 797), code: CodeSwapBelowMinimum},
		{name: "no market, no hub", setup: hubBook, cmd: utConst(utSwap(utAlice, utBTC, 4, 40, 0)), code: CodeUnknownAsset},
		{name: "no route without a hub", setup: utSteps(bid("b", utBob, utM1, 1000, 40), ask("c", utCarol, utM2, 1, 10)), cmd: sw(utBTC, utETH, 40, 0), code: CodeNoRoute},
		{name: "no route: the direct market is halted", setup: utSteps(twoBids, halt(utM1)), cmd: sw(utBTC, utUSD, 90, 0), code: CodeNoRoute},
		{name: "no route: a hub leg is halted", setup: utSteps(hubBook, halt(utM2)), cmd: sw(utBTC, utETH, 40, 0), code: CodeNoRoute},
		{
			name: "no route: the target has no market", setup: utSteps(hubBook, func(w *utWorld) {
				w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("SOL"), Scale: 0})
			}),
			cmd: utConst(utSwap(utAlice, utBTC, 4, 40, 0)), code: CodeNoRoute,
		},
		{name: "empty book", cmd: sw(utBTC, utUSD, 40, 0), code: CodeInsufficientLiquidity},
		// 5 lots offered, bob's 2 are all there is.
		{name: "thin book, selling", setup: bid("b", utBob, utM1, 1000, 40), cmd: sw(utBTC, utUSD, 100, 0), code: CodeInsufficientLiquidity},
		// bob's 2 lots cost 401 of 1000; the 599 left could buy more, but the
		// book ran out: not filled.
		{name: "thin book, buying", setup: ask("b", utBob, utM1, 1000, 40), cmd: sw(utUSD, utBTC, 1000, 0), code: CodeInsufficientLiquidity},
		// 10 BTC is less than a lot: nothing trades, AmountOut 0.
		{name: "less than one lot", setup: twoBids, cmd: sw(utBTC, utUSD, 10, 0), code: CodeInsufficientLiquidity},
		// 200 cents cannot pay for one lot at 1000 with its fee (201).
		{name: "budget below one lot", setup: ask("b", utBob, utM1, 1000, 40), cmd: sw(utUSD, utBTC, 200, 0), code: CodeInsufficientLiquidity},
		{
			// alice's bid at 995 sits between bob's and carol's: after bob's
			// 2 lots her leg meets her own order and stops, not filled.
			name:  "own resting order stops the only leg",
			setup: utSteps(bid("b", utBob, utM1, 1000, 40), bid("own", utAlice, utM1, 995, 40), bid("c", utCarol, utM1, 990, 40)),
			cmd:   sw(utBTC, utUSD, 80, 0), code: CodeInsufficientLiquidity,
			check: func(t *testing.T, w *utWorld, _ []Event) {
				// Anyone else would fill: bob's 2 lots and alice's 2.
				if q, code := w.e.Quote(0, utBTC, utUSD, 80); code != OK || q.AmountOut != 400+398-2 {
					t.Errorf("Quote for anyone: %+v %s", q, code)
				}
			},
		},
		{
			// alice keeps 85 BTC: the swap would sell only 80 but she offers 90.
			name: "less available than offered", setup: utSteps(twoBids, func(w *utWorld) { w.leave(utAlice, utBTC, 85) }),
			cmd: sw(utBTC, utUSD, 90, 0), code: CodeInsufficientBalance,
		},
		// The balance is checked before routing (doc.go), so it wins over
		// every routing rejection.
		{name: "short balance and no route", setup: func(w *utWorld) { w.leave(utAlice, utBTC, 30) }, cmd: sw(utBTC, utETH, 40, 0), code: CodeInsufficientBalance},
		{name: "short balance and a thin book", setup: func(w *utWorld) { w.leave(utAlice, utBTC, 30) }, cmd: sw(utBTC, utUSD, 40, 0), code: CodeInsufficientBalance},
		{name: "short balance and below minimum", setup: utSteps(twoBids, func(w *utWorld) { w.leave(utAlice, utBTC, 85) }), cmd: sw(utBTC, utUSD, 90, 797), code: CodeInsufficientBalance},
		{
			name: "funds held by an order", setup: utSteps(twoBids, ask("a", utAlice, utM1, 2000, 99_940)),
			cmd: sw(utBTC, utUSD, 80, 0), code: CodeInsufficientBalance,
		},
		{name: "unknown account 0", setup: twoBids, cmd: utConst(utSwap(0, utBTC, utUSD, 80, 0)), code: CodeUnknownAccount},
		{name: "unknown account", setup: twoBids, cmd: utConst(utSwap(99, utBTC, utUSD, 80, 0)), code: CodeUnknownAccount},
		{name: "unknown from asset", cmd: sw(9, utUSD, 80, 0), code: CodeUnknownAsset},
		{name: "from asset 0", cmd: sw(0, utUSD, 80, 0), code: CodeUnknownAsset},
		{name: "unknown to asset", cmd: sw(utBTC, 9, 80, 0), code: CodeUnknownAsset},
		{name: "same asset", setup: twoBids, cmd: sw(utBTC, utBTC, 80, 0), code: CodeInvalidCommand},
		{name: "zero amount", setup: twoBids, cmd: sw(utBTC, utUSD, 0, 0), code: CodeInvalidAmount},
		{name: "negative amount", setup: twoBids, cmd: sw(utBTC, utUSD, -80, 0), code: CodeInvalidAmount},
		{name: "negative minimum", setup: twoBids, cmd: sw(utBTC, utUSD, 80, -1), code: CodeInvalidAmount},
		utStale(CmdSwap),
	}
}

// TestPropQuote: Quote changes nothing, reports its errors like a swap, and
// gives the same answer as the swap that follows (the swap rows check that).
func TestPropQuote(t *testing.T) {
	w := utNewWorld(t)
	w.place("b", utLimit(utBob, utM1, Buy, 1000, 40))
	h := w.e.StateHash()
	for _, c := range []struct {
		from, to AssetID
		amount   int64
		want     Code
	}{
		{utBTC, utUSD, 40, OK},
		{utBTC, utUSD, 60, CodeInsufficientLiquidity},
		{utBTC, utETH, 40, CodeNoRoute},
		{utBTC, utBTC, 40, CodeInvalidCommand},
		{9, utBTC, 40, CodeUnknownAsset},
		{utBTC, 0, 40, CodeUnknownAsset},
		{utBTC, utUSD, 0, CodeInvalidAmount},
		{utBTC, utUSD, -1, CodeInvalidAmount},
	} {
		q, code := w.e.Quote(utAlice, c.from, c.to, c.amount)
		if code != c.want {
			t.Errorf("Quote(%d, %d, %d) = %s, want %s", c.from, c.to, c.amount, code, c.want)
		}
		if code != OK && q != (Quote{}) {
			t.Errorf("Quote(%d, %d, %d) failed but returned %+v", c.from, c.to, c.amount, q)
		}
	}
	// A quote for bob himself cannot use his own bid.
	if _, code := w.e.Quote(utBob, utBTC, utUSD, 40); code != CodeInsufficientLiquidity {
		t.Errorf("Quote for the bid's owner: %s, want insufficient_liquidity", code)
	}
	if w.e.StateHash() != h {
		t.Errorf("Quote changed the state")
	}
	// 40 BTC = 2 lots at 1000: 400 - ceil(400*25/10000) = 399, all at the
	// best price: BestOut 399, impact 0. Alice's balance does not matter.
	q, _ := w.e.Quote(5, utBTC, utUSD, 40)
	if q.AmountOut != 399 || q.BestOut != 399 || q.ImpactBps != 0 || q.AmountIn != 40 || q.Unspent != 0 {
		t.Errorf("Quote = %+v", q)
	}
}

// ---------------------------------------------------------------------------
// Brands
//
// utBrands adds to the standard world:
//
//	asset 4 PTS: bob's points, scale 0
//	asset 5 CPN: bob's coupon, scale 0, expires at utCPNExpiry
//	market 3 CPN/USD: price scale 0, tick 1, lot 1, no fees: one coupon at
//	          price p is p*100 cents (notionalPerTickLot = 10^(2-0-0)).
//	bob issues 500 PTS to alice, 100 CPN to alice, 50 CPN to carol and 7 CPN
//	to the fee account (refs utRef(10) to utRef(13)).

const (
	utPTS       AssetID  = 4
	utCPN       AssetID  = 5
	utM3        MarketID = 3
	utCPNExpiry int64    = utT0 + 1000
)

func (w *utWorld) issue(to AccountID, a AssetID, amount int64) {
	w.t.Helper()
	info, _ := w.e.Asset(a)
	w.must(Command{Kind: CmdIssue, Account: info.Brand, Asset: a, To: to, Amount: amount, Ref: w.ref()})
}

func utBrands(w *utWorld) {
	w.t.Helper()
	w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("PTS"), AssetKind: Points, Brand: utBob})
	w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("CPN"), AssetKind: Coupon, Brand: utBob, ExpiresAt: utCPNExpiry})
	w.must(Command{Kind: CmdCreateMarket, Base: utCPN, Quote: utUSD, Tick: 1, Lot: 1})
	w.issue(utAlice, utPTS, 500)
	w.issue(utAlice, utCPN, 100)
	w.issue(utCarol, utCPN, 50)
	w.issue(FeeAccount, utCPN, 7)
}

// utLiab checks an asset's Liabilities, and that they match conservation and
// the balances summed independently.
func utLiab(t *testing.T, w *utWorld, want Liabilities) {
	t.Helper()
	got, ok := w.e.Liabilities(want.Asset)
	if !ok || got != want {
		t.Errorf("Liabilities(%d) = %+v, %v\n want %+v", want.Asset, got, ok, want)
	}
	var customers, brand int64
	for k, b := range utBalances(w.e) {
		if k.s != want.Asset {
			continue
		}
		if k.a == want.Brand {
			brand += b[0] + b[1]
		} else {
			customers += b[0] + b[1]
		}
	}
	if customers != got.HeldByCustomers || brand != got.HeldByBrand {
		t.Errorf("balances: customers %d brand %d, Liabilities %+v", customers, brand, got)
	}
	if got.HeldByCustomers+got.HeldByBrand != got.Deposited+got.Issued-got.Withdrawn-got.RedeemedPending-got.RedeemedFulfilled-got.Expired {
		t.Errorf("Liabilities %+v break conservation", got)
	}
}

func utIssueCases() []utCase {
	iss := func(brand, to AccountID, a AssetID, amount int64, ref Ref) func(*utWorld) Command {
		return utConst(Command{Kind: CmdIssue, Account: brand, Asset: a, To: to, Amount: amount, Ref: ref})
	}
	fresh := utRef(999_999)
	// GIFT (asset 6): carol's points.
	gift := func(w *utWorld) {
		w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("GIFT"), AssetKind: Points, Brand: utCarol})
	}
	return []utCase{
		{
			name: "ok", setup: utBrands, cmd: iss(utBob, utCarol, utPTS, 25, fresh),
			kinds: utKs(EvIssued, EvBalance), bals: []utB{{utCarol, utPTS, 25, 0}, {utAlice, utPTS, 500, 0}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if ev := evs[0]; ev.Account != utBob || ev.To != utCarol || ev.Asset != utPTS || ev.Amount != 25 || ev.Ref != fresh {
					t.Errorf("event %+v", ev)
				}
				utLiab(t, w, Liabilities{Asset: utPTS, Brand: utBob, Issued: 525, HeldByCustomers: 525})
			},
		},
		{
			name: "ok to the brand itself", setup: utBrands, cmd: iss(utBob, utBob, utPTS, 5, fresh),
			kinds: utKs(EvIssued, EvBalance), bals: []utB{{utBob, utPTS, 5, 0}},
			check: func(t *testing.T, w *utWorld, _ []Event) {
				utLiab(t, w, Liabilities{Asset: utPTS, Brand: utBob, Issued: 505, HeldByCustomers: 500, HeldByBrand: 5})
			},
		},
		{
			name: "ok coupon", setup: utBrands, cmd: iss(utBob, utAlice, utCPN, 1, fresh),
			kinds: utKs(EvIssued, EvBalance), bals: []utB{{utAlice, utCPN, 101, 0}},
		},
		// utRef(10) is bob's first issue; the key is brand and ref.
		{name: "ok same ref, another brand", setup: utSteps(utBrands, gift), cmd: iss(utCarol, utAlice, 6, 3, utRef(10)), kinds: utKs(EvIssued, EvBalance), bals: []utB{{utAlice, 6, 3, 0}}},
		// utRef(1) credited a deposit: deposits and issues are keyed apart.
		{name: "ok ref of a deposit", setup: utBrands, cmd: iss(utBob, utAlice, utPTS, 3, utRef(1)), kinds: utKs(EvIssued, EvBalance)},
		{
			// Lifetime inflow: 500 issued, MaxInt64-500 more reaches MaxInt64.
			name: "ok inflow reaches MaxInt64", setup: utBrands, cmd: iss(utBob, utCarol, utPTS, math.MaxInt64-500, fresh),
			kinds: utKs(EvIssued, EvBalance), bals: []utB{{utCarol, utPTS, math.MaxInt64 - 500, 0}},
		},
		{name: "duplicate ref, same asset", setup: utBrands, cmd: iss(utBob, utCarol, utPTS, 3, utRef(10)), code: CodeDuplicateIssue},
		{name: "duplicate ref, other asset of the brand", setup: utBrands, cmd: iss(utBob, utCarol, utCPN, 3, utRef(10)), code: CodeDuplicateIssue},
		{name: "inflow past MaxInt64", setup: utBrands, cmd: iss(utBob, utCarol, utPTS, math.MaxInt64-499, fresh), code: CodeAmountOverflow},
		{
			// 30 deposited and 500 issued: 530 of inflow already.
			name: "deposits count towards the inflow", setup: utSteps(utBrands, func(w *utWorld) { w.deposit(utCarol, utPTS, 30) }),
			cmd: iss(utBob, utCarol, utPTS, math.MaxInt64-529, fresh), code: CodeAmountOverflow,
		},
		{name: "not the brand", setup: utBrands, cmd: iss(utAlice, utAlice, utPTS, 3, fresh), code: CodeNotBrand},
		{name: "another brand", setup: utSteps(utBrands, gift), cmd: iss(utCarol, utAlice, utPTS, 3, fresh), code: CodeNotBrand},
		{name: "fee account is not the brand", setup: utBrands, cmd: iss(FeeAccount, utAlice, utPTS, 3, fresh), code: CodeNotBrand},
		{name: "a token has no brand", setup: utBrands, cmd: iss(utBob, utAlice, utUSD, 3, fresh), code: CodeNotBrand},
		{name: "unknown brand account", setup: utBrands, cmd: iss(99, utAlice, utPTS, 3, fresh), code: CodeUnknownAccount},
		{name: "brand account 0", setup: utBrands, cmd: iss(0, utAlice, utPTS, 3, fresh), code: CodeUnknownAccount},
		{name: "unknown customer", setup: utBrands, cmd: iss(utBob, 99, utPTS, 3, fresh), code: CodeUnknownAccount},
		{name: "customer 0", setup: utBrands, cmd: iss(utBob, 0, utPTS, 3, fresh), code: CodeUnknownAccount},
		{name: "unknown asset", setup: utBrands, cmd: iss(utBob, utAlice, 9, 3, fresh), code: CodeUnknownAsset},
		{name: "asset 0", setup: utBrands, cmd: iss(utBob, utAlice, 0, 3, fresh), code: CodeUnknownAsset},
		{name: "zero amount", setup: utBrands, cmd: iss(utBob, utAlice, utPTS, 0, fresh), code: CodeInvalidAmount},
		{name: "negative amount", setup: utBrands, cmd: iss(utBob, utAlice, utPTS, -3, fresh), code: CodeInvalidAmount},
		{name: "zero ref", setup: utBrands, cmd: iss(utBob, utAlice, utPTS, 3, Ref{}), code: CodeInvalidCommand},
		utStale(CmdIssue),
	}
}

func utRedeem(a AccountID, s AssetID, amount int64) Command {
	return Command{Kind: CmdRedeem, Account: a, Asset: s, Amount: amount}
}

// utReceiptOK checks a receipt's text: two groups of four Crockford base-32
// letters.
func utReceiptOK(r Receipt) bool {
	s := r.String()
	if len(s) != 9 || s[4] != '-' || r >= 1<<40 {
		return false
	}
	for i, c := range s {
		if i != 4 && !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c) {
			return false
		}
	}
	return true
}

func utRedeemCases() []utCase {
	rd := func(a AccountID, s AssetID, amount int64) func(*utWorld) Command {
		return utConst(utRedeem(a, s, amount))
	}
	return []utCase{
		{
			name: "ok points", setup: utBrands, cmd: rd(utAlice, utPTS, 200),
			kinds: utKs(EvRedemptionCreated, EvBalance), bals: []utB{{utAlice, utPTS, 300, 0}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				ev := evs[0]
				if ev.Account != utAlice || ev.Asset != utPTS || ev.Amount != 200 || ev.Redemption != 1 || ev.Receipt == 0 || !utReceiptOK(ev.Receipt) {
					t.Errorf("event %+v (receipt %s)", ev, ev.Receipt)
				}
				if r, ok := w.e.Redemption(1); !ok || r != (RedemptionInfo{ID: 1, Account: utAlice, Asset: utPTS, Amount: 200, Receipt: ev.Receipt}) {
					t.Errorf("Redemption(1) = %+v, %v", r, ok)
				}
				utLiab(t, w, Liabilities{Asset: utPTS, Brand: utBob, Issued: 500, HeldByCustomers: 300, RedeemedPending: 200})
				// Deterministic: a replay gives the same receipt.
				if r, _ := w.replay().e.Redemption(1); r.Receipt != ev.Receipt {
					t.Errorf("replayed receipt %s, want %s", r.Receipt, ev.Receipt)
				}
				// The next one gets the next id and another receipt.
				evs = w.must(utRedeem(utAlice, utPTS, 1))
				if n := evs[0]; n.Redemption != 2 || n.Receipt == ev.Receipt || !utReceiptOK(n.Receipt) {
					t.Errorf("second redemption %+v", n)
				}
				// The Ref salts the receipt: its first 40 bits are xored
				// in, so the same id gets another code, and a snapshot
				// keeps it.
				salted := utRedeem(utAlice, utPTS, 1)
				salted.Ref = Ref{0x12, 0x34, 0x56, 0x78, 0x9a, 0xff}
				evs = w.must(salted)
				if n := evs[0]; n.Redemption != 3 || n.Receipt != receiptFor(3, Ref{})^0x123456789a || !utReceiptOK(n.Receipt) {
					t.Errorf("salted redemption %+v, want receipt %s", n, receiptFor(3, Ref{})^0x123456789a)
				}
				restored, err := Restore(w.e.AppendSnapshot(nil))
				if err != nil {
					t.Fatal(err)
				}
				if r, _ := restored.Redemption(3); r.Receipt != receiptFor(3, Ref{})^0x123456789a {
					t.Errorf("restored salted receipt %s", r.Receipt)
				}
			},
		},
		{
			name: "ok all of a coupon", setup: utBrands, cmd: rd(utAlice, utCPN, 100),
			kinds: utKs(EvRedemptionCreated, EvBalance), bals: []utB{{utAlice, utCPN, 0, 0}},
		},
		{
			name: "ok the brand redeems its own", setup: utSteps(utBrands, func(w *utWorld) { w.issue(utBob, utPTS, 9) }),
			cmd: rd(utBob, utPTS, 9), kinds: utKs(EvRedemptionCreated, EvBalance), bals: []utB{{utBob, utPTS, 0, 0}},
		},
		{name: "a token is not redeemable", setup: utBrands, cmd: rd(utAlice, utUSD, 1), code: CodeNotRedeemable},
		{name: "more than available", setup: utBrands, cmd: rd(utAlice, utPTS, 501), code: CodeInsufficientBalance},
		{name: "none held", setup: utBrands, cmd: rd(utCarol, utPTS, 1), code: CodeInsufficientBalance},
		{
			// alice's sell of 30 coupons holds them: 70 available.
			name: "coupons held by an order", setup: utSteps(utBrands, utPlaced("s", utLimit(utAlice, utM3, Sell, 5, 30))),
			cmd: rd(utAlice, utCPN, 71), code: CodeInsufficientBalance,
		},
		{name: "zero amount", setup: utBrands, cmd: rd(utAlice, utPTS, 0), code: CodeInvalidAmount},
		{name: "negative amount", setup: utBrands, cmd: rd(utAlice, utPTS, -1), code: CodeInvalidAmount},
		{name: "unknown account", setup: utBrands, cmd: rd(99, utPTS, 1), code: CodeUnknownAccount},
		{name: "unknown asset", setup: utBrands, cmd: rd(utAlice, 9, 1), code: CodeUnknownAsset},
		utStale(CmdRedeem),
	}
}

// utSettleRedemptionCases: alice has redeemed 200 PTS (redemption 1).
func utSettleRedemptionCases(kind CommandKind) []utCase {
	settle := func(a AccountID, id RedemptionID) func(*utWorld) Command {
		return utConst(Command{Kind: kind, Account: a, Redemption: id})
	}
	pending := utSteps(utBrands, func(w *utWorld) { w.must(utRedeem(utAlice, utPTS, 200)) })
	settled := func(k CommandKind) func(*utWorld) {
		return utSteps(pending, func(w *utWorld) { w.must(Command{Kind: k, Account: utBob, Redemption: 1}) })
	}
	var receipt Receipt
	ok := utCase{name: "ok", setup: pending, cmd: func(w *utWorld) Command {
		r, _ := w.e.Redemption(1)
		receipt = r.Receipt
		return Command{Kind: kind, Account: utBob, Redemption: 1}
	}}
	want := Liabilities{Asset: utPTS, Brand: utBob, Issued: 500}
	if kind == CmdFulfilRedemption {
		ok.kinds = utKs(EvRedemptionFulfilled)
		ok.bals = []utB{{utAlice, utPTS, 300, 0}}
		want.HeldByCustomers, want.RedeemedFulfilled = 300, 200
	} else {
		ok.kinds = utKs(EvRedemptionRejected, EvBalance)
		ok.bals = []utB{{utAlice, utPTS, 500, 0}}
		want.HeldByCustomers = 500
	}
	ok.check = func(t *testing.T, w *utWorld, evs []Event) {
		if ev := evs[0]; ev.Account != utAlice || ev.Asset != utPTS || ev.Amount != 200 || ev.Redemption != 1 || ev.Receipt != receipt || receipt == 0 {
			t.Errorf("event %+v, want the receipt %s", ev, receipt)
		}
		if _, found := w.e.Redemption(1); found {
			t.Errorf("settled redemption still pending")
		}
		utLiab(t, w, want)
	}
	return []utCase{
		ok,
		{name: "unknown id", setup: pending, cmd: settle(utBob, 2), code: CodeUnknownRedemption},
		{name: "id 0", setup: pending, cmd: settle(utBob, 0), code: CodeUnknownRedemption},
		{name: "already fulfilled", setup: settled(CmdFulfilRedemption), cmd: settle(utBob, 1), code: CodeUnknownRedemption},
		{name: "already rejected", setup: settled(CmdRejectRedemption), cmd: settle(utBob, 1), code: CodeUnknownRedemption},
		{name: "by the customer", setup: pending, cmd: settle(utAlice, 1), code: CodeNotBrand},
		{name: "by another account", setup: pending, cmd: settle(utCarol, 1), code: CodeNotBrand},
		{name: "by the fee account", setup: pending, cmd: settle(FeeAccount, 1), code: CodeNotBrand},
		{name: "unknown account", setup: pending, cmd: settle(99, 1), code: CodeUnknownAccount},
		utStale(kind),
	}
}

func utFulfilCases() []utCase { return utSettleRedemptionCases(CmdFulfilRedemption) }
func utRejectCases() []utCase { return utSettleRedemptionCases(CmdRejectRedemption) }

func utReportSupplyCases() []utCase {
	rep := func(a AssetID, amount int64) func(*utWorld) Command {
		return utConst(Command{Kind: CmdReportSupply, Asset: a, Amount: amount})
	}
	reported := func(a AssetID, amount int64) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			if ev := evs[0]; ev.Asset != a || ev.Amount != amount {
				t.Errorf("event %+v", ev)
			}
			l, _ := w.e.Liabilities(a)
			if l.ChainSupply != amount || l.ChainSupplySeq != w.e.LastSeq() || l.ChainSupplyTime != w.e.Now() {
				t.Errorf("Liabilities %+v, want supply %d at seq %d time %d", l, amount, w.e.LastSeq(), w.e.Now())
			}
		}
	}
	earlier := func(w *utWorld) {
		w.must(Command{Kind: CmdReportSupply, Asset: utUSD, Amount: 5})
		w.must(Command{Kind: CmdTick, Time: utT0 + 50})
	}
	return []utCase{
		{name: "ok", cmd: rep(utUSD, 12_345), kinds: utKs(EvSupplyReported), check: reported(utUSD, 12_345)},
		{name: "ok zero", cmd: rep(utUSD, 0), kinds: utKs(EvSupplyReported), check: reported(utUSD, 0)},
		{name: "ok replaces an earlier report", setup: earlier, cmd: utConst(Command{Kind: CmdReportSupply, Asset: utUSD, Amount: 7, Time: utT0 + 60}), kinds: utKs(EvSupplyReported), check: reported(utUSD, 7)},
		{name: "ok points", setup: utBrands, cmd: rep(utPTS, 1), kinds: utKs(EvSupplyReported), check: reported(utPTS, 1)},
		{name: "negative", cmd: rep(utUSD, -1), code: CodeInvalidAmount},
		{name: "unknown asset", cmd: rep(9, 1), code: CodeUnknownAsset},
		{name: "asset 0", cmd: rep(0, 1), code: CodeUnknownAsset},
		utStale(CmdReportSupply),
	}
}

// TestPropLiabilities: every counter of Liabilities, for a token and for
// points moving every way, matches the balances and conservation.
func TestPropLiabilities(t *testing.T) {
	w := utNewWorld(t)
	utBrands(w)
	if _, ok := w.e.Liabilities(9); ok {
		t.Errorf("Liabilities of an unknown asset")
	}
	if _, ok := w.e.Liabilities(0); ok {
		t.Errorf("Liabilities of asset 0")
	}
	// A token: no brand, everything is held by customers.
	id := w.withdraw(utAlice, utUSD, 300)
	w.must(Command{Kind: CmdCompleteWithdrawal, Withdrawal: id})
	w.withdraw(utBob, utUSD, 20) // pending: still held
	w.must(Command{Kind: CmdReportSupply, Asset: utUSD, Amount: 2_999_000})
	seq, now := w.e.LastSeq(), w.e.Now()
	t.Run("token", func(t *testing.T) {
		utLiab(t, w, Liabilities{
			Asset: utUSD, Deposited: 3 * utFundUSD, Withdrawn: 300, HeldByCustomers: 3*utFundUSD - 300,
			ChainSupply: 2_999_000, ChainSupplySeq: seq, ChainSupplyTime: now,
		})
	})

	// Points: 500 to alice, 40 to bob (the brand), 30 deposited to carol who
	// withdraws 10; alice redeems 100 (pending) and 50 (fulfilled) and 25
	// (rejected, back to her); alice sells 20 to carol on a new PTS/USD
	// market (which moves them between customers).
	w.issue(utBob, utPTS, 40)
	w.deposit(utCarol, utPTS, 30)
	id = w.withdraw(utCarol, utPTS, 10)
	w.must(Command{Kind: CmdCompleteWithdrawal, Withdrawal: id})
	w.must(utRedeem(utAlice, utPTS, 100)) // 1
	w.must(utRedeem(utAlice, utPTS, 50))  // 2
	w.must(utRedeem(utAlice, utPTS, 25))  // 3
	w.must(Command{Kind: CmdFulfilRedemption, Account: utBob, Redemption: 2})
	w.must(Command{Kind: CmdRejectRedemption, Account: utBob, Redemption: 3})
	w.must(Command{Kind: CmdCreateMarket, Base: utPTS, Quote: utUSD, Tick: 1, Lot: 1})
	w.place("s", utLimit(utAlice, 4, Sell, 1, 30))
	w.must(utMkt(utCarol, 4, Buy, 20))
	// alice: 500 - 100 - 50 (the 25 came back) - 20 sold = 330, 10 of them
	// held by the rest of her sell; carol 30 - 10 + 20 = 40. Conservation:
	// 30 + 540 - 10 - 100 - 50 = 410 = 330 + 40 + bob's 40.
	if av, h := w.e.Balance(utAlice, utPTS); av != 320 || h != 10 {
		t.Errorf("alice PTS %d/%d, want 320/10", av, h)
	}
	if av, h := w.e.Balance(utCarol, utPTS); av != 40 || h != 0 {
		t.Errorf("carol PTS %d/%d, want 40/0", av, h)
	}
	utLiab(t, w, Liabilities{
		Asset: utPTS, Brand: utBob, Issued: 540, Deposited: 30, Withdrawn: 10,
		HeldByCustomers: 330 + 40, HeldByBrand: 40, RedeemedPending: 100, RedeemedFulfilled: 50,
	})
	// Coupons before expiry: 157 issued, all with customers (the fee
	// account is not the brand).
	utLiab(t, w, Liabilities{Asset: utCPN, Brand: utBob, Issued: 157, HeldByCustomers: 157})
}

// ---------------------------------------------------------------------------
// Coupon expiry
//
// utCouponBook adds to utBrands, before the coupon expires:
//
//	bob (the brand) holds 3 CPN
//	alice sells 30 CPN at 5 on M3 ("as": holds 30 CPN)
//	carol buys 10 CPN at 2 on M3 ("cb": holds 2*10*100 = 2000 cents)
//	carol withdraws 10 CPN (withdrawal 1001, pending: held)
//	alice redeems 20 CPN (redemption 1, pending)
//
// CPN then: issued 160; alice 50 available + 30 held, bob 3, carol 40 + 10
// held, fee account 7; pending redemption 20.
func utCouponBook(w *utWorld) {
	w.t.Helper()
	utBrands(w)
	w.issue(utBob, utCPN, 3)
	w.place("as", utLimit(utAlice, utM3, Sell, 5, 30))
	w.place("cb", utLimit(utCarol, utM3, Buy, 2, 10))
	w.withdraw(utCarol, utCPN, 10)
	w.must(utRedeem(utAlice, utCPN, 20))
}

func utExpired(w *utWorld) {
	w.t.Helper()
	utCouponBook(w)
	w.must(Command{Kind: CmdTick, Time: utCPNExpiry})
}

func utExpiryCases() []utCase {
	at := func(tm int64) func(*utWorld) Command { return utConst(Command{Kind: CmdTick, Time: tm}) }
	// After the expiry: 160 issued, 20 pending, 130 breakage (50 + 30 + 3 +
	// 40 + 7), carol's 10 still held by the pending withdrawal.
	afterExpiry := Liabilities{Asset: utCPN, Brand: utBob, Issued: 160, HeldByCustomers: 10, RedeemedPending: 20, Expired: 130}
	// The expiry's events, as a tick at utCPNExpiry gives them.
	expiryKinds := []EventKind{EvMarketStatus, EvOrderCanceled, EvOrderCanceled, EvAssetExpired}
	expiryBals := []utB{
		{FeeAccount, utCPN, 0, 0}, {utAlice, utCPN, 0, 0}, {utBob, utCPN, 0, 0},
		{utCarol, utCPN, 0, 10}, {utCarol, utUSD, utFundUSD, 0},
	}
	checkExpiry := func(t *testing.T, w *utWorld, evs []Event) {
		t.Helper()
		if ev := evs[0]; ev.Market != utM3 || ev.Status != Halted {
			t.Errorf("market status %+v", ev)
		}
		as, cb := w.id("as"), w.id("cb")
		if !(as < cb) {
			t.Fatalf("test assumes as below cb")
		}
		if ev := evs[1]; ev.Order != as || ev.Account != utAlice || ev.Side != Sell || ev.Remaining != 30 || ev.Reason != ReasonAssetExpired || ev.Market != utM3 {
			t.Errorf("first cancel %+v", ev)
		}
		if ev := evs[2]; ev.Order != cb || ev.Account != utCarol || ev.Side != Buy || ev.Remaining != 10 || ev.Reason != ReasonAssetExpired {
			t.Errorf("second cancel %+v", ev)
		}
		if ev := evs[3]; ev.Asset != utCPN || ev.Amount != 130 {
			t.Errorf("asset expired %+v, want 130", ev)
		}
		// One balance per account, in account order (carol's USD hold released too).
		var got []utKey
		for _, ev := range utOf(evs, EvBalance) {
			got = append(got, utKey{ev.Account, ev.Asset})
		}
		want := []utKey{{FeeAccount, utCPN}, {utAlice, utCPN}, {utBob, utCPN}, {utCarol, utUSD}, {utCarol, utCPN}}
		if !slices.Equal(got, want) {
			t.Errorf("balance events %v, want %v", got, want)
		}
		if info, _ := w.e.Asset(utCPN); !info.Expired {
			t.Errorf("Asset %+v not expired", info)
		}
		if info, _ := w.e.Market(utM3); info.Status != Halted {
			t.Errorf("market %+v not halted", info)
		}
		utLiab(t, w, afterExpiry)
	}
	bk := func(w *utWorld) { utCouponBook(w) }
	return []utCase{
		{
			name: "one nanosecond before, nothing", setup: bk, cmd: at(utCPNExpiry - 1), kinds: []EventKind{},
			bals: []utB{{utAlice, utCPN, 50, 30}, {utCarol, utCPN, 40, 10}, {FeeAccount, utCPN, 7, 0}},
			check: func(t *testing.T, w *utWorld, _ []Event) {
				if info, _ := w.e.Asset(utCPN); info.Expired {
					t.Errorf("expired early")
				}
			},
		},
		{
			name: "at exactly ExpiresAt", setup: bk, cmd: at(utCPNExpiry),
			kinds: utKs(expiryKinds, utBalEvs(5)), bals: expiryBals, market: utM3, bids: []Level{}, asks: []Level{},
			check: checkExpiry,
		},
		{
			name: "a later clock", setup: bk, cmd: at(utCPNExpiry + 1e9),
			kinds: utKs(expiryKinds, utBalEvs(5)), bals: expiryBals, check: checkExpiry,
		},
		{
			// The expiry runs before validation, with the rejected command's Seq.
			name: "a rejected command triggers it", setup: bk,
			cmd:  utConst(Command{Kind: CmdDeposit, Account: utAlice, Asset: utUSD, Amount: 0, Ref: utRef(777), Time: utCPNExpiry}),
			code: CodeInvalidAmount, bals: expiryBals,
		},
		{
			// GTD expiries first, then the coupon, one balance phase.
			name: "after the GTD expiries",
			setup: utSteps(bk, utPlaced("g", utMod(utLimit(utAlice, utM1, Buy, 1000, 100), func(c *Command) {
				c.TIF, c.ExpiresAt = GTD, utCPNExpiry
			}))),
			cmd:   at(utCPNExpiry),
			kinds: utKs(EvOrderExpired, expiryKinds, utBalEvs(6)),
			bals:  append([]utB{{utAlice, utUSD, utFundUSD, 0}}, expiryBals...),
		},
		{
			name: "no holders", setup: func(w *utWorld) {
				w.must(Command{Kind: CmdCreateAsset, Symbol: utSym("VOID"), AssetKind: Coupon, Brand: utCarol, ExpiresAt: utT0 + 5})
			},
			cmd: at(utT0 + 5), kinds: utKs(EvAssetExpired),
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if evs[0].Asset != 4 || evs[0].Amount != 0 {
					t.Errorf("event %+v", evs[0])
				}
			},
		},
		{
			name: "pending withdrawal failed later: breakage", setup: utExpired,
			cmd:   utConst(Command{Kind: CmdFailWithdrawal, Withdrawal: 1001}),
			kinds: utKs(EvWithdrawalFailed, EvBalance), bals: []utB{{utCarol, utCPN, 0, 0}},
			check: func(t *testing.T, w *utWorld, _ []Event) {
				l := afterExpiry
				l.HeldByCustomers, l.Expired = 0, 140
				utLiab(t, w, l)
			},
		},
		{
			name: "pending withdrawal completed later", setup: utExpired,
			cmd:   utConst(Command{Kind: CmdCompleteWithdrawal, Withdrawal: 1001}),
			kinds: utKs(EvWithdrawalCompleted, EvBalance), bals: []utB{{utCarol, utCPN, 0, 0}},
			check: func(t *testing.T, w *utWorld, _ []Event) {
				l := afterExpiry
				l.HeldByCustomers, l.Withdrawn = 0, 10
				utLiab(t, w, l)
			},
		},
		{
			name: "pending redemption rejected later: breakage", setup: utExpired,
			cmd:   utConst(Command{Kind: CmdRejectRedemption, Account: utBob, Redemption: 1}),
			kinds: utKs(EvRedemptionRejected), bals: []utB{{utAlice, utCPN, 0, 0}},
			check: func(t *testing.T, w *utWorld, evs []Event) {
				if evs[0].Amount != 20 || evs[0].Account != utAlice {
					t.Errorf("event %+v", evs[0])
				}
				l := afterExpiry
				l.RedeemedPending, l.Expired = 0, 150
				utLiab(t, w, l)
			},
		},
		{
			name: "pending redemption fulfilled later", setup: utExpired,
			cmd:   utConst(Command{Kind: CmdFulfilRedemption, Account: utBob, Redemption: 1}),
			kinds: utKs(EvRedemptionFulfilled),
			check: func(t *testing.T, w *utWorld, _ []Event) {
				l := afterExpiry
				l.RedeemedPending, l.RedeemedFulfilled = 0, 20
				utLiab(t, w, l)
			},
		},
		{name: "then a buy order", setup: utExpired, cmd: utConst(utLimit(utCarol, utM3, Buy, 2, 1)), code: CodeAssetExpired},
		{name: "then a sell order", setup: utExpired, cmd: utConst(utLimit(utAlice, utM3, Sell, 2, 1)), code: CodeAssetExpired},
		{name: "then a market order", setup: utExpired, cmd: utConst(utByQuote(utCarol, utM3, 500)), code: CodeAssetExpired},
		{name: "then a swap from it", setup: utExpired, cmd: utConst(utSwap(utAlice, utCPN, utUSD, 1, 0)), code: CodeAssetExpired},
		{name: "then a swap into it", setup: utExpired, cmd: utConst(utSwap(utAlice, utUSD, utCPN, 500, 0)), code: CodeAssetExpired},
		{name: "then an issue", setup: utExpired, cmd: utConst(Command{Kind: CmdIssue, Account: utBob, Asset: utCPN, To: utAlice, Amount: 1, Ref: utRef(888)}), code: CodeAssetExpired},
		{name: "then a redemption", setup: utExpired, cmd: utConst(utRedeem(utAlice, utCPN, 1)), code: CodeAssetExpired},
		{name: "then a deposit", setup: utExpired, cmd: utConst(Command{Kind: CmdDeposit, Account: utAlice, Asset: utCPN, Amount: 1, Ref: utRef(888)}), code: CodeAssetExpired},
		{name: "then a withdrawal", setup: utExpired, cmd: utConst(Command{Kind: CmdWithdraw, Account: utAlice, Asset: utCPN, Amount: 1, Withdrawal: 5}), code: CodeAssetExpired},
		{name: "then reopening its market", setup: utExpired, cmd: utConst(Command{Kind: CmdSetMarketStatus, Market: utM3, Status: Open}), code: CodeAssetExpired},
		{name: "then a new market of it", setup: utExpired, cmd: utConst(Command{Kind: CmdCreateMarket, Base: utCPN, Quote: utETH, Tick: 1, Lot: 1}), code: CodeAssetExpired},
		{
			name: "then its points still work", setup: utExpired, cmd: utConst(utRedeem(utAlice, utPTS, 1)),
			kinds: utKs(EvRedemptionCreated, EvBalance),
		},
	}
}

// TestPropReceipts: a receipt is a fixed permutation of the redemption id
// (doc.go): the same id gives the same receipt whoever redeems what and
// when, and distinct ids give distinct, well-formed receipts.
func TestPropReceipts(t *testing.T) {
	first := func(a AccountID, s AssetID, ticks int) Receipt {
		w := utNewWorld(t)
		utBrands(w)
		for range ticks {
			w.must(Command{Kind: CmdTick})
		}
		return w.must(utRedeem(a, s, 1))[0].Receipt
	}
	if r1, r2 := first(utAlice, utPTS, 0), first(utCarol, utCPN, 7); r1 != r2 {
		t.Errorf("redemption 1: receipts %s and %s differ", r1, r2)
	}
	w := utNewWorld(t)
	utBrands(w)
	seen := map[Receipt]RedemptionID{}
	for i := range 300 {
		ev := w.must(utRedeem(utAlice, utPTS, 1))[0]
		if ev.Redemption != RedemptionID(i+1) || !utReceiptOK(ev.Receipt) {
			t.Fatalf("redemption %d: %+v (receipt %q)", i+1, ev, ev.Receipt)
		}
		if j, dup := seen[ev.Receipt]; dup {
			t.Fatalf("redemptions %d and %d share receipt %s", j, ev.Redemption, ev.Receipt)
		}
		seen[ev.Receipt] = ev.Redemption
	}
}
