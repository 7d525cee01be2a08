package engine

// TestRapidAgainstReference drives random commands against the engine and
// against the naive reference model of reference_test.go, and compares every
// event, modulo a bijection between the engine's opaque order ids and the
// model's, and, after every command, the books, the balances and the
// engine's own invariants, and after every command also the assets' kinds,
// brands, expiries and hub flags, Liabilities of every asset, every pending
// Redemption, and e.Quote for one random swap against the model's quote.
//
// Besides orders it drives swaps (direct and through a hub; impossible,
// below their minimum, beyond the balance), issues (by the brand or not,
// repeated refs), redemptions and their fulfilment or rejection, SetHub,
// ReportSupply, CreateAsset with valid and invalid kinds, brands and
// expiries, time jumps across coupon expiries, and dead-man switches
// (CancelAllAfter: armed, re-armed, disarmed, rejected, fired by later
// commands), compared with Deadman for every account and market, and
// trading sessions (opened in every mode, refused for an invalid mode, an
// unknown account or past the bound; orders and batch items placed in own,
// other accounts', closed and unknown sessions; closed by their owner or
// not), compared with Sessions and Session after every command. Redemption receipts are
// opaque: the test only checks that they are unique and that a redemption's
// later events and Redemption() carry the receipt of its creation.

import (
	"flag"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// rapidMinCommands is how many commands one run of the test applies at least
// (with rapid's default 100 checks).
const rapidMinCommands = 30_000

// rapidGenHugeSells enables limit sells (placed or amended) at prices whose
// notional overflows int64, which doc.go says are rejected amount_overflow
// whatever their side (finding 2 of the report: an earlier engine accepted
// them).
const rapidGenHugeSells = true

var (
	rapidCommandCount atomic.Int64
	rapidEventCount   [evKindEnd]atomic.Int64
	rapidCodeCount    [codeEnd]atomic.Int64
	rapidReasonCount  [ReasonDisconnect + 1]atomic.Int64
	rapidQuoteCodes   [codeEnd]atomic.Int64
	rapidQuoteRoutes  [3]atomic.Int64 // quotes found: direct, via a hub; BestOut past int64
	rapidSwapRoutes   [2]atomic.Int64 // swaps executed: direct, via a hub
	rapidSwapHubLeft  atomic.Int64    // swaps with HubLeft > 0
	rapidSwapUnspent  atomic.Int64    // swaps with Unspent > 0
	rapidExpiries     atomic.Int64    // coupon expiries with orders cancelled or breakage
	rapidRestingSum   atomic.Int64    // resting orders after each command, summed
	rapidRestingMax   atomic.Int64
	rapidIDOrder      atomic.Int64
	rapidBigFees      atomic.Int64
	rapidDeadmen      [2]atomic.Int64 // dead-man switches fired; orders they cancelled
	rapidSessions     [3]atomic.Int64 // sessions closed; orders their closing cancelled; opens refused as too many
)

func TestRapidAgainstReference(t *testing.T) {
	checks := 100
	if f := flag.Lookup("rapid.checks"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			checks = n
		}
	}
	if testing.Short() {
		checks = max(1, checks/5)
	}
	steps := max(40, (rapidMinCommands+checks-1)/checks)
	rapidCommandCount.Store(0)
	start := time.Now()
	rapid.Check(t, func(rt *rapid.T) {
		h := rapidNewHarness(rt)
		h.setup()
		defer func() {
			rapidIDOrder.Add(int64(h.ref.idOrderMattered))
			rapidBigFees.Add(int64(h.ref.bigFees))
			rapidDeadmen[0].Add(int64(h.ref.deadmenFired))
			rapidDeadmen[1].Add(int64(h.ref.deadmanCancels))
			rapidSessions[0].Add(int64(h.ref.sessionsClosed))
			rapidSessions[1].Add(int64(h.ref.disconnectCancels))
			rapidSessions[2].Add(int64(h.ref.tooManySessions))
		}()
		for i := 0; i < steps; i++ {
			// Almost never true, but shrinking drives it to 0: it lets rapid
			// cut a failing run short.
			if rapidUniform(10_000).Draw(rt, "stop here") == 0 {
				break
			}
			h.step()
		}
	})
	t.Logf("%d commands (%d steps per check) in %v", rapidCommandCount.Load(), steps, time.Since(start).Round(time.Millisecond))
	var b strings.Builder
	for k := EvRejected; k < evKindEnd; k++ {
		fmt.Fprintf(&b, " %v=%d", k, rapidEventCount[k].Load())
	}
	t.Logf("events:%s", b.String())
	b.Reset()
	for c := CodeInvalidCommand; c < codeEnd; c++ {
		if n := rapidCodeCount[c].Load(); n > 0 {
			fmt.Fprintf(&b, " %v=%d", c, n)
		}
	}
	t.Logf("rejections:%s", b.String())
	b.Reset()
	for r := ReasonRequested; r <= ReasonDisconnect; r++ {
		fmt.Fprintf(&b, " %v=%d", r, rapidReasonCount[r].Load())
	}
	t.Logf("cancel reasons:%s", b.String())
	b.Reset()
	for c := OK; c < codeEnd; c++ {
		if n := rapidQuoteCodes[c].Load(); n > 0 {
			fmt.Fprintf(&b, " %v=%d", c, n)
		}
	}
	t.Logf("quotes:%s; found direct=%d via hub=%d (BestOut past int64: %d)", b.String(),
		rapidQuoteRoutes[0].Load(), rapidQuoteRoutes[1].Load(), rapidQuoteRoutes[2].Load())
	t.Logf("swaps: direct=%d via hub=%d, with hub left=%d, with unspent=%d; coupon expiries with orders or breakage: %d",
		rapidSwapRoutes[0].Load(), rapidSwapRoutes[1].Load(), rapidSwapHubLeft.Load(), rapidSwapUnspent.Load(), rapidExpiries.Load())
	t.Logf("expiries/cancel-alls where OrderID order is not placement order: %d", rapidIDOrder.Load())
	t.Logf("fills with a fee numerator past 2^64: %d", rapidBigFees.Load())
	t.Logf("dead-man switches fired: %d, cancelling %d orders", rapidDeadmen[0].Load(), rapidDeadmen[1].Load())
	if rapidCommandCount.Load() >= 10_000 && (rapidDeadmen[0].Load() == 0 || rapidDeadmen[1].Load() == 0) {
		t.Errorf("no dead-man switch fired on an order: the generator does not exercise them")
	}
	t.Logf("sessions closed: %d, cancelling %d orders; opens refused as too many: %d",
		rapidSessions[0].Load(), rapidSessions[1].Load(), rapidSessions[2].Load())
	if rapidCommandCount.Load() >= 10_000 && (rapidSessions[0].Load() == 0 || rapidSessions[1].Load() == 0) {
		t.Errorf("no session closed with orders: the generator does not exercise them")
	}
	t.Logf("resting orders: mean %.1f, max %d", float64(rapidRestingSum.Load())/float64(max(1, rapidCommandCount.Load())), rapidRestingMax.Load())
}

type rapidMarketGen struct {
	id      MarketID
	mid     int64 // mid price in ticks
	tick    int64
	lot     int64
	minLots int64
}

type rapidHarness struct {
	t   *rapid.T
	e   *Engine
	ref *refModel

	seq  uint64
	now  int64 // the clock: the largest time sent
	back int64 // the next command's time is now-back (time going backwards)
	unit int64 // time step

	nAssets  int
	need     []int64 // per asset: about what a typical order spends
	whales   map[AccountID]bool
	mkts     []rapidMarketGen
	traders  []AccountID
	engToRef map[OrderID]uint64
	refToEng map[uint64]OrderID
	known    []uint64 // every model order id ever accepted
	fakes    []uint64 // model ids that never existed (mapped to engine ids that never will)
	refN     uint64
	refs     []Ref
	wdN      WithdrawalID
	wds      []WithdrawalID

	brands    []AccountID // brand accounts (not traders)
	issueRefs []Ref
	receipts  map[RedemptionID]Receipt // the engine's, from EvRedemptionCreated
	newSyms   []Symbol                 // symbols CreateAsset may try mid-run
	ready     bool                     // setup is done
	note      string                   // printed on failure

	history []string
	out     []Event
}

func rapidNewHarness(t *rapid.T) *rapidHarness {
	h := &rapidHarness{
		t: t, e: New(), now: 1_000_000, unit: 1000,
		engToRef: map[OrderID]uint64{}, refToEng: map[uint64]OrderID{},
		receipts: map[RedemptionID]Receipt{},
	}
	h.ref = refNewModel(func(id uint64) OrderID {
		eid, ok := h.refToEng[id]
		if !ok {
			panic(fmt.Sprintf("model order #%d has no engine id", id))
		}
		return eid
	})
	for i := uint64(1); i <= 3; i++ {
		rid, eid := uint64(1)<<40+i, OrderID(0xFFFF_FFF0)<<32|OrderID(i)
		h.fakes = append(h.fakes, rid)
		h.refToEng[rid], h.engToRef[eid] = eid, rid
	}
	return h
}

// ---- drawing helpers ----

// rapidUniform draws uniformly from [0, n) (rapid's integer generators
// favour small values, which would skew every weighted choice). The value is
// built from unbiased bits, so it still shrinks towards 0.
func rapidUniform(n uint64) *rapid.Generator[uint64] {
	return rapid.Custom(func(t *rapid.T) uint64 {
		var u uint64
		for i := bits.Len64(n-1) + 8; i > 0; i-- {
			u <<= 1
			if rapid.Bool().Draw(t, "") {
				u |= 1
			}
		}
		return u % n
	})
}

func (h *rapidHarness) i64(lo, hi int64, label string) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(rapidUniform(uint64(hi-lo+1)).Draw(h.t, label))
}

func (h *rapidHarness) u64(lo, hi uint64, label string) uint64 {
	return lo + rapidUniform(hi-lo+1).Draw(h.t, label)
}

func (h *rapidHarness) intn(lo, hi int, label string) int {
	return int(h.i64(int64(lo), int64(hi), label))
}

// pick returns an index chosen with the given weights; shrinking goes to 0.
func (h *rapidHarness) pick(label string, weights ...int) int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	x := h.intn(0, sum-1, label)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (h *rapidHarness) chance(pct int, label string) bool { return h.intn(0, 99, label) < pct }

func rapidOneOf[T any](h *rapidHarness, label string, xs ...T) T {
	return xs[h.intn(0, len(xs)-1, label)]
}

// ---- applying and comparing ----

// exec applies cmd (its Order fields are model ids) to both, with the next
// Seq and the current time, and compares everything.
func (h *rapidHarness) exec(cmd Command) {
	h.seq++
	if h.chance(2, "seq gap") { // Seq must increase, not by 1
		h.seq += h.u64(1, 9, "gap")
	}
	cmd.Seq, cmd.Time = h.seq, h.now-h.back
	h.back = 0
	h.run(cmd)
}

func (h *rapidHarness) engineCmd(cmd Command) Command {
	ec := cmd
	ec.Order = h.toEng(cmd.Order)
	if cmd.Batch != nil {
		ec.Batch = make([]Command, len(cmd.Batch))
		for i, it := range cmd.Batch {
			ec.Batch[i] = it
			ec.Batch[i].Order = h.toEng(it.Order)
		}
	}
	return ec
}

func (h *rapidHarness) toEng(id OrderID) OrderID {
	if id == 0 {
		return 0
	}
	eid, ok := h.refToEng[uint64(id)]
	if !ok {
		panic(fmt.Sprintf("test bug: model id #%d not mapped", id))
	}
	return eid
}

func (h *rapidHarness) run(cmd Command) {
	rapidCommandCount.Add(1)
	h.history = append(h.history, rapidFormatCommand(&cmd))
	ec := h.engineCmd(cmd)
	var before []byte
	if h.chance(10, "tick check") {
		before = h.e.AppendSnapshot(nil)
	}
	h.note = ""
	if cmd.Kind == CmdSwap && h.ref.hasAsset(cmd.Asset) && h.ref.hasAsset(cmd.ToAsset) {
		gq, gc := h.e.Quote(cmd.Account, cmd.Asset, cmd.ToAsset, cmd.Amount)
		wq, wc, _ := h.ref.quote(cmd.Account, cmd.Asset, cmd.ToAsset, cmd.Amount)
		h.note = fmt.Sprintf("before the swap: engine Quote %v %+v\nmodel quote %v %+v\n", gc, gq, wc, wq)
	}
	h.out = h.e.Apply(&ec, h.out[:0])
	if before != nil && cmd.Kind != CmdBatch && len(h.out) > 0 && h.out[len(h.out)-1].Kind == EvRejected {
		h.checkLikeTick(before, &ec)
	}
	rc := cmd
	rc.Batch = append([]Command(nil), cmd.Batch...)
	want := h.ref.apply(&rc)
	h.compareEvents(h.out, want)
	for _, ev := range h.out {
		rapidEventCount[ev.Kind].Add(1)
		if ev.Kind == EvRejected && ev.Code < codeEnd {
			rapidCodeCount[ev.Code].Add(1)
		}
		if ev.Kind == EvOrderCanceled && ev.Reason <= ReasonDisconnect {
			rapidReasonCount[ev.Reason].Add(1)
		}
		if ev.Kind == EvSwapped {
			rapidSwapRoutes[min(1, ev.HubAsset)].Add(1)
			if ev.HubLeft > 0 {
				rapidSwapHubLeft.Add(1)
			}
			if ev.Remaining > 0 {
				rapidSwapUnspent.Add(1)
			}
		}
		if ev.Kind == EvAssetExpired && (ev.Amount > 0 || len(h.out) > 2) {
			rapidExpiries.Add(1)
		}
	}
	rapidRestingSum.Add(int64(len(h.ref.book)))
	if n := int64(len(h.ref.book)); n > rapidRestingMax.Load() {
		rapidRestingMax.Store(n)
	}
	if err := h.e.CheckInvariants(); err != nil {
		h.fail("CheckInvariants: %v", err)
	}
	h.compareState()
	h.checkGone()
	if h.ready {
		h.checkQuote()
	}
}

func (h *rapidHarness) fail(format string, args ...any) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\ncommands (%d; order ids are the model's #n):\n", fmt.Sprintf(format, args...), len(h.history))
	from := max(0, len(h.history)-300)
	if from > 0 {
		fmt.Fprintf(&b, "  ... %d earlier commands\n", from)
	}
	for i, s := range h.history[from:] {
		fmt.Fprintf(&b, "  %3d %s\n", from+i+1, s)
	}
	b.WriteString(h.ref.dump())
	b.WriteString(h.note)
	h.t.Fatalf("%s", b.String())
}

// toRef rewrites an engine event's order ids into model ids.
func (h *rapidHarness) toRef(ev Event) (Event, bool) {
	ok := true
	tr := func(id OrderID) OrderID {
		if id == 0 {
			return 0
		}
		r, found := h.engToRef[id]
		if !found {
			ok = false
			return id
		}
		return OrderID(r)
	}
	ev.Order, ev.MakerOrder = tr(ev.Order), tr(ev.MakerOrder)
	return ev, ok
}

func (h *rapidHarness) compareEvents(got, want []Event) {
	conv := make([]Event, len(got))
	bad := -1
	why := "events differ"
	for i, ev := range got {
		if bad < 0 && i < len(want) && ev.Kind == EvOrderAccepted && want[i].Kind == EvOrderAccepted {
			_, engDup := h.engToRef[ev.Order]
			_, refDup := h.refToEng[uint64(want[i].Order)]
			switch {
			case refDup:
				panic("test bug: model id reused")
			case engDup:
				bad, why = i, fmt.Sprintf("engine reused order id %#x", uint64(ev.Order))
			case ev.Order == 0:
				bad, why = i, "engine accepted an order with id 0"
			default:
				h.engToRef[ev.Order], h.refToEng[uint64(want[i].Order)] = uint64(want[i].Order), ev.Order
				h.known = append(h.known, uint64(want[i].Order))
			}
		}
		conv[i], _ = h.toRef(ev) // an unmapped engine id stays raw (printed in hex)
		// Receipts: only consistent between a redemption's events.
		switch ev.Kind {
		case EvRedemptionCreated:
			if _, dup := h.receipts[ev.Redemption]; dup && bad < 0 {
				bad, why = i, fmt.Sprintf("engine reused redemption id %d", ev.Redemption)
			}
			for id, r := range h.receipts {
				if r == ev.Receipt && bad < 0 {
					bad, why = i, fmt.Sprintf("redemption %d has the receipt %v of redemption %d", ev.Redemption, r, id)
				}
			}
			h.receipts[ev.Redemption] = ev.Receipt
			conv[i].Receipt = 0
		case EvRedemptionFulfilled, EvRedemptionRejected:
			if r, ok := h.receipts[ev.Redemption]; (!ok || r != ev.Receipt) && bad < 0 {
				bad, why = i, fmt.Sprintf("receipt %v of redemption %d differs from its creation's %v", ev.Receipt, ev.Redemption, r)
			}
			conv[i].Receipt = 0
		}
		if bad < 0 && (i >= len(want) || conv[i] != want[i]) {
			bad = i
		}
	}
	if bad < 0 && len(want) > len(got) {
		bad = len(got)
	}
	if bad >= 0 {
		h.failEvents(conv, want, bad, why)
	}
}

func (h *rapidHarness) failEvents(got, want []Event, i int, why string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s at event %d of the last command\n", why, i)
	if i < len(got) && i < len(want) {
		fmt.Fprintf(&b, "first difference:\n  engine: %s\n  model:  %s\n  fields: %s\n",
			rapidFormatEvent(&got[i]), rapidFormatEvent(&want[i]), rapidFieldDiff(got[i], want[i]))
	}
	fmt.Fprintf(&b, "engine events (ids translated to model ids):\n")
	for j := range got {
		fmt.Fprintf(&b, "  %2d %s\n", j, rapidFormatEvent(&got[j]))
	}
	fmt.Fprintf(&b, "model events:\n")
	for j := range want {
		fmt.Fprintf(&b, "  %2d %s\n", j, rapidFormatEvent(&want[j]))
	}
	h.fail("%s", b.String())
}

func (h *rapidHarness) compareState() {
	e, m := h.e, h.ref
	if e.Now() != m.now || e.LastSeq() != m.lastSeq {
		h.fail("clock: engine now=%d lastSeq=%d, model now=%d lastSeq=%d", e.Now(), e.LastSeq(), m.now, m.lastSeq)
	}
	if e.Accounts() != m.nAccounts {
		h.fail("accounts: engine %d, model %d", e.Accounts(), m.nAccounts)
	}
	snap := m.snapshot()
	for a := 1; a <= m.nAccounts+1; a++ {
		for as := 1; as <= len(m.assets)+1; as++ {
			ga, gh := e.Balance(AccountID(a), AssetID(as))
			w := snap[refBalKey{AccountID(a), AssetID(as)}]
			wa, wh := w[0], w[1]
			if ga != wa || gh != wh {
				h.fail("balance of account %d asset %d: engine available=%d held=%d, model available=%d held=%d", a, as, ga, gh, wa, wh)
			}
		}
	}
	for i := range m.assets {
		info, ok := e.Asset(AssetID(i + 1))
		ra := m.assets[i]
		if !ok || info.Symbol != ra.symbol || info.Scale != ra.scale || info.Deposited != ra.deposited || info.Withdrawn != ra.withdrawn ||
			info.Kind != ra.kind || info.Brand != ra.brand || info.ExpiresAt != ra.expiresAt || info.Expired != ra.expired || info.Hub != ra.hub {
			h.fail("asset %d: engine %+v, model %+v", i+1, info, ra)
		}
		got, ok := e.Liabilities(AssetID(i + 1))
		if want := m.liabilities(AssetID(i+1), snap); !ok || got != want {
			h.fail("Liabilities(%d):\n  engine %+v\n  model  %+v", i+1, got, want)
		}
	}
	if l, ok := e.Liabilities(AssetID(len(m.assets) + 1)); ok {
		h.fail("Liabilities of an unknown asset: %+v", l)
	}
	for id, r := range m.redemptions {
		info, found := e.Redemption(id)
		want := RedemptionInfo{ID: id, Account: r.account, Asset: r.asset, Amount: r.amount, Receipt: h.receipts[id]}
		if r.pending && (!found || info != want) || !r.pending && found {
			h.fail("Redemption(%d): engine %+v (found %v), model %+v (pending %v)", id, info, found, want, r.pending)
		}
	}
	for _, id := range []RedemptionID{0, m.nRedemption + 1} {
		if info, found := e.Redemption(id); found {
			h.fail("Redemption(%d) of an unknown id: %+v", id, info)
		}
	}
	if err := m.conservation(snap); err != nil {
		h.fail("%v", err)
	}
	var wantSessions []SessionInfo
	for _, id := range m.sessionIDs() {
		wantSessions = append(wantSessions, SessionInfo{ID: id, Account: m.sessions[id].account, Mode: m.sessions[id].mode})
	}
	if got := e.Sessions(nil); !reflect.DeepEqual(got, wantSessions) {
		h.fail("Sessions():\n  engine %+v\n  model  %+v", got, wantSessions)
	}
	for id := SessionID(0); id <= m.lastSession+1; id++ {
		got, found := e.Session(id)
		ms, open := m.sessions[id]
		if want := (SessionInfo{ID: id, Account: ms.account, Mode: ms.mode}); found != open || open && got != want || !open && got != (SessionInfo{}) {
			h.fail("Session(%d): engine %+v %v, model %+v %v", id, got, found, ms, open)
		}
	}
	for a := AccountID(0); int(a) <= m.nAccounts+1; a++ {
		for mk := MarketID(0); int(mk) <= len(m.markets)+1; mk++ {
			at, armed := e.Deadman(a, mk)
			wat, warmed := m.deadman[refDeadmanKey{a, mk}]
			if at != wat || armed != warmed {
				h.fail("Deadman(%d, %d): engine %d %v, model %d %v", a, mk, at, armed, wat, warmed)
			}
		}
	}
	var infos []OrderInfo
	var levels []Level
	for i := range m.markets {
		mk := &m.markets[i]
		info, ok := e.Market(mk.id)
		if !ok || info.Status != mk.status || info.MakerBps != mk.makerBps || info.TakerBps != mk.takerBps ||
			info.Tick != mk.tick || info.Lot != mk.lot || info.MinSize != mk.minimum() || info.Base != mk.base || info.Quote != mk.quote {
			h.fail("market %d: engine %+v, model %+v", mk.id, info, *mk)
		}
		for _, side := range []Side{Buy, Sell} {
			infos = e.BookOrders(mk.id, side, infos[:0])
			want := m.sideOrders(mk.id, side)
			if len(infos) != len(want) {
				h.failBook(mk.id, side, infos, want, fmt.Sprintf("engine has %d orders, model %d", len(infos), len(want)))
			}
			for j, o := range want {
				g := infos[j]
				rid, ok := h.engToRef[g.ID]
				w := OrderInfo{
					ID: OrderID(o.id), Account: o.account, Market: o.market, Side: o.side, TIF: o.tif,
					PostOnly: o.postOnly, STP: o.stp, ClientOrderID: o.clientID, Price: o.price,
					Size: o.size, Remaining: o.rem, Hold: m.hold(o), FeeCharged: o.feeCharged,
					ExpiresAt: o.expiresAt, MakerBps: o.makerBps, TakerBps: o.takerBps, Session: o.session,
				}
				if single, found := e.Order(g.ID); !found || single != g {
					h.failBook(mk.id, side, infos, want, fmt.Sprintf("Order(%#x) = %+v, %v; BookOrders has %+v", uint64(g.ID), single, found, g))
				}
				g.ID = OrderID(rid)
				if !ok || g != w {
					h.failBook(mk.id, side, infos, want, fmt.Sprintf("order %d differs: engine %+v, model %+v", j, g, w))
				}
			}
			levels = e.Depth(mk.id, side, 0, levels[:0])
			var wl []Level
			for _, o := range want {
				if n := len(wl); n > 0 && wl[n-1].Price == o.price {
					wl[n-1].Size += o.rem
					wl[n-1].Orders++
				} else {
					wl = append(wl, Level{Price: o.price, Size: o.rem, Orders: 1})
				}
			}
			if !reflect.DeepEqual(levels, wl) && (len(levels) != 0 || len(wl) != 0) {
				h.fail("depth of market %d %v: engine %v, model %v", mk.id, side, levels, wl)
			}
		}
	}
}

// checkQuote compares e.Quote for one random swap with the model's.
func (h *rapidHarness) checkQuote() {
	acct := AccountID(0)
	if h.chance(50, "quote for a trader") {
		acct = h.trader()
	}
	from, to := h.swapPair()
	amount := h.swapAmount(from)
	if h.chance(25, "fillable quote") {
		amount = h.fillableAmount(acct, from, to)
	}
	switch h.pick("quote kind", 94, 2, 2, 2) {
	case 1:
		to = from
	case 2:
		to = AssetID(len(h.ref.assets) + 1)
	case 3:
		amount = -h.i64(0, 2, "neg")
	}
	got, gc := h.e.Quote(acct, from, to, amount)
	want, wc, bestOK := h.ref.quote(acct, from, to, amount)
	rapidQuoteCodes[gc].Add(1)
	if wc == OK {
		rapidQuoteRoutes[min(1, want.Hub)].Add(1)
	}
	if !bestOK { // doc.go does not say what BestOut is when it passes int64
		rapidQuoteRoutes[2].Add(1)
		want.BestOut, want.ImpactBps = got.BestOut, got.ImpactBps
	}
	if gc != wc || got != want {
		h.fail("Quote(account %d, %d -> %d, amount %d):\n  engine %v %+v\n  model  %v %+v", acct, from, to, amount, gc, got, wc, want)
	}
}

// checkLikeTick checks that the rejected command ec left the engine as a
// tick with its Seq and Time would have, with the same expiry events.
func (h *rapidHarness) checkLikeTick(before []byte, ec *Command) {
	e2, err := Restore(before)
	if err != nil {
		h.fail("Restore: %v", err)
	}
	tick := Command{Kind: CmdTick, Seq: ec.Seq, Time: ec.Time}
	tev := e2.Apply(&tick, nil)
	rejected := h.out[len(h.out)-1]
	// (A stale command's tick is stale too, and rejected itself.)
	if rejected.Code != CodeStaleSequence && !reflect.DeepEqual(tev, h.out[:len(h.out)-1]) && (len(tev) > 0 || len(h.out) > 1) {
		h.fail("rejected command: its expiry events differ from a tick's: tick gave %d events, the command %d", len(tev), len(h.out)-1)
	}
	if e2.StateHash() != h.e.StateHash() {
		h.fail("a rejected %v (%v) left another state than a tick with its Seq and Time", ec.Kind, rejected.Code)
	}
}

// checkGone checks that the engine no longer finds orders that left the book.
func (h *rapidHarness) checkGone() {
	for _, id := range h.known {
		if h.ref.find(id) == nil {
			if info, found := h.e.Order(h.refToEng[id]); found {
				h.fail("order #%d (%#x) left the book but Order finds %+v", id, uint64(h.refToEng[id]), info)
			}
		}
	}
}

func (h *rapidHarness) failBook(mid MarketID, side Side, got []OrderInfo, want []*refOrder, why string) {
	var b strings.Builder
	fmt.Fprintf(&b, "book of market %d %v: %s\nengine:\n", mid, side, why)
	for _, o := range got {
		fmt.Fprintf(&b, "  #%d %+v\n", h.engToRef[o.ID], o)
	}
	fmt.Fprintf(&b, "model:\n")
	for _, o := range want {
		fmt.Fprintf(&b, "  #%d acct=%d price=%d size=%d rem=%d hold=%d fee=%d\n", o.id, o.account, o.price, o.size, o.rem, h.ref.hold(o), o.feeCharged)
	}
	h.fail("%s", b.String())
}

// ---- setup ----

func (h *rapidHarness) setup() {
	// Assets: a base, a quote with scale 2, a second base.
	bs1 := uint8(rapidOneOf(h, "base1 scale", 0, 0, 3))
	bs3 := uint8(rapidOneOf(h, "base2 scale", 0, 1))
	for _, a := range []struct {
		sym   string
		scale uint8
	}{{"BTC", bs1}, {"USD", 2}, {"ETH", bs3}} {
		sym, _ := ParseSymbol(a.sym)
		h.exec(Command{Kind: CmdCreateAsset, Symbol: sym, Scale: a.scale})
	}
	h.nAssets = 3
	if h.chance(20, "dup asset") {
		sym, _ := ParseSymbol("USD")
		h.exec(Command{Kind: CmdCreateAsset, Symbol: sym, Scale: 4})
	}
	n := h.intn(3, 5, "traders")
	for i := 0; i < n; i++ {
		h.exec(Command{Kind: CmdCreateAccount})
		h.traders = append(h.traders, AccountID(i+2))
	}
	// Two brands; the second is sometimes a trader too.
	h.exec(Command{Kind: CmdCreateAccount})
	h.brands = []AccountID{AccountID(h.ref.nAccounts)}
	if h.chance(30, "trading brand") {
		h.brands = append(h.brands, h.traders[len(h.traders)-1])
	} else {
		h.exec(Command{Kind: CmdCreateAccount})
		h.brands = append(h.brands, AccountID(h.ref.nAccounts))
	}

	// A hub token (EUR, 4) and brand assets: points (PTS, 5), a coupon that
	// expires during the run (CPN, 6) and another coupon (VCH, 7), which
	// may expire too (sometimes at the same time).
	cpnExp := h.now + h.unit*h.i64(100, 2500, "cpn expiry")
	vchExp := int64(0)
	switch h.pick("vch expiry", 4, 5, 1) {
	case 1:
		vchExp = h.now + h.unit*h.i64(20, 3000, "vch expiry")
	case 2:
		vchExp = cpnExp
	}
	for _, a := range []Command{
		{Symbol: rapidSym("EUR"), Scale: 2, AssetKind: Token, Hub: h.chance(90, "eur hub")},
		{Symbol: rapidSym("PTS"), AssetKind: Points, Brand: h.brands[0]},
		{Symbol: rapidSym("CPN"), AssetKind: Coupon, Brand: h.brands[1], ExpiresAt: cpnExp},
		{Symbol: rapidSym("VCH"), AssetKind: Coupon, Brand: h.brands[0], ExpiresAt: vchExp},
	} {
		a.Kind = CmdCreateAsset
		h.exec(a)
	}
	h.nAssets = 7
	if len(h.ref.assets) != h.nAssets {
		h.fail("asset creation failed")
	}
	for _, sym := range []string{"NEW1", "NEW2", "CPN2", "EUR"} {
		h.newSyms = append(h.newSyms, rapidSym(sym))
	}
	scales := []uint8{0, bs1, 2, bs3, 2, 0, 0, 0}

	pairs := [][2]AssetID{{1, 2}}
	switch h.pick("second market", 3, 4, 3) {
	case 1:
		pairs = append(pairs, [2]AssetID{3, 2})
	case 2:
		pairs = append(pairs, [2]AssetID{3, 1})
	}
	// Swap markets: EUR/USD, PTS/EUR, CPN/EUR, VCH against PTS or EUR;
	// sometimes CPN/PTS (a direct route next to the hub's) and BTC/EUR.
	pairs = append(pairs, [2]AssetID{4, 2}, [2]AssetID{5, 4}, [2]AssetID{6, 4}, rapidOneOf(h, "vch market", [2]AssetID{7, 5}, [2]AssetID{7, 4}))
	if h.chance(50, "cpn/pts") {
		pairs = append(pairs, [2]AssetID{6, 5})
	}
	if h.chance(40, "btc/eur") {
		pairs = append(pairs, [2]AssetID{1, 4})
	}
	for _, p := range pairs {
		ps := uint8(h.intn(0, 2, "price scale"))
		tick := rapidOneOf(h, "tick", int64(1), 2, 5, 10, 25)
		lot := rapidOneOf(h, "lot", int64(1), 2, 5, 10, 100)
		minLots := rapidOneOf(h, "min lots", int64(1), 1, 2, 3)
		maker := rapidOneOf(h, "maker bps", int32(0), 1, 7, 10, 25)
		taker := rapidOneOf(h, "taker bps", int32(0), 5, 7, 25, 30)
		cmd := Command{Kind: CmdCreateMarket, Base: p[0], Quote: p[1], PriceScale: ps, Tick: tick, Lot: lot,
			MinSize: minLots * lot, MakerBps: maker, TakerBps: taker}
		h.exec(cmd)
		if len(h.ref.markets) == len(h.mkts) { // rejected (tick x lot not integral): fix the lot
			exp := int(scales[p[1]]) - int(ps) - int(scales[p[0]])
			for ; exp < 0; exp++ {
				lot *= 10
			}
			cmd.Lot, cmd.MinSize = lot, minLots*lot
			h.exec(cmd)
		}
		if len(h.ref.markets) == len(h.mkts) {
			h.fail("market creation failed")
		}
		if h.chance(10, "dup market") {
			h.exec(cmd)
		}
		if h.chance(10, "reversed pair") { // B/A is the same pair as A/B
			rev := cmd
			rev.Base, rev.Quote = cmd.Quote, cmd.Base
			h.exec(rev)
		}
		mk := h.ref.markets[len(h.ref.markets)-1]
		// Keep a lot at the mid price between 1 and about 10^6 quote units.
		mid := int64(h.intn(20, 200, "mid"))
		for mid > 2 && mid*mk.k > 1_000_000 {
			mid /= 2
		}
		h.mkts = append(h.mkts, rapidMarketGen{id: mk.id, mid: mid, tick: tick, lot: lot, minLots: minLots})
	}

	// Deposits: enough for a handful of typical orders, more or less.
	need := make([]int64, h.nAssets+1)
	for _, g := range h.mkts {
		mk := h.ref.market(g.id)
		need[mk.base] = max(need[mk.base], (g.minLots+6)*g.lot)
		need[mk.quote] = max(need[mk.quote], (g.minLots+6)*(g.mid+6)*mk.k)
	}
	h.need = need
	for _, a := range h.traders {
		for as := 1; as <= h.nAssets; as++ {
			if need[as] == 0 || h.chance(5, "skip deposit") {
				continue
			}
			x := 40 + h.i64(0, 60, "deposit x")
			if h.chance(15, "poor") {
				x = h.i64(1, 4, "deposit x")
			}
			if ra := h.ref.assets[as-1]; ra.kind != Token && h.chance(85, "issued") {
				h.exec(Command{Kind: CmdIssue, Account: ra.brand, To: a, Asset: AssetID(as), Amount: need[as] * x, Ref: h.newIssueRef()})
				continue
			}
			h.exec(Command{Kind: CmdDeposit, Account: a, Asset: AssetID(as), Amount: need[as] * x, Ref: h.newRef()})
		}
	}
	if h.chance(30, "whales") {
		// Two rich traders whose orders reach notionals of about 2^59: fee
		// numerators pass 2^64 and sums approach int64's limit.
		h.whales = map[AccountID]bool{h.traders[0]: true, h.traders[1]: true}
		for _, a := range h.traders[:2] {
			for as := 1; as <= h.nAssets; as++ {
				h.exec(Command{Kind: CmdDeposit, Account: a, Asset: AssetID(as), Amount: math.MaxInt64 / 8, Ref: h.newRef()})
			}
		}
	}
	h.ready = true
	// Some liquidity on the markets swaps go through.
	for i := h.intn(0, 24, "seed orders"); i > 0; i-- {
		h.exec(h.makerCmd())
	}
	if h.chance(30, "fee account deposits") {
		for as := 1; as <= h.nAssets; as++ {
			if need[as] > 0 {
				h.exec(Command{Kind: CmdDeposit, Account: FeeAccount, Asset: AssetID(as), Amount: need[as] * 10, Ref: h.newRef()})
			}
		}
	}
}

func rapidSym(s string) Symbol {
	sym, ok := ParseSymbol(s)
	if !ok {
		panic(s)
	}
	return sym
}

func (h *rapidHarness) newIssueRef() Ref {
	r := h.newRef()
	h.refs = h.refs[:len(h.refs)-1] // not a deposit's
	r[0] = 0x15
	h.issueRefs = append(h.issueRefs, r)
	return r
}

func (h *rapidHarness) newRef() Ref {
	h.refN++
	var r Ref
	r[0], r[1], r[31] = 0xde, byte(h.refN>>8), byte(h.refN)
	r[30] = byte(h.refN >> 16)
	h.refs = append(h.refs, r)
	return r
}

// ---- steps ----

func (h *rapidHarness) advanceTime() {
	switch h.pick("dt", 30, 40, 20, 10, 3) {
	case 1:
		h.now += h.unit
	case 2:
		h.now += h.i64(2, 5, "dt units") * h.unit
	case 3:
		h.now += h.i64(10, 40, "dt units") * h.unit
	case 4: // a command stamped in the past: the clock stays
		h.back = h.i64(1, 20, "back units") * h.unit
	}
}

func (h *rapidHarness) step() {
	h.advanceTime()
	status := 1
	for i := range h.ref.markets {
		if mk := &h.ref.markets[i]; mk.status == Halted && !h.ref.marketExpired(mk) {
			status = 30 // resume soon
		}
	}
	switch h.pick("action", 4, 50, 12, 8, 2, 6, 5, 3, 3, 2, status, 1, 2, 1, 20, 3, 3, 3, 1, 1, 1, 1, 20, 2, 4) {
	case 0:
		h.exec(Command{Kind: CmdTick})
	case 1:
		h.exec(h.placeCmd(h.trader(), false))
	case 2:
		h.exec(h.amendCmd())
	case 3:
		h.exec(h.cancelCmd(h.trader()))
	case 4:
		cmd := Command{Kind: CmdCancelAll, Account: h.trader()}
		switch h.pick("cancel all market", 4, 5, 1) {
		case 1:
			cmd.Market = h.market().id
		case 2:
			cmd.Market = MarketID(len(h.mkts) + 1)
		}
		h.exec(cmd)
	case 5:
		h.exec(h.batchCmd())
	case 6:
		h.exec(h.depositCmd())
	case 7:
		h.exec(h.withdrawCmd())
	case 8:
		h.exec(h.settleCmd())
	case 9:
		h.exec(h.feesCmd())
	case 10:
		h.exec(h.statusCmd())
	case 11: // stale sequence: same Seq as the last command
		cmd := h.placeCmd(h.trader(), false)
		if h.chance(50, "stale tick") {
			cmd = Command{Kind: CmdTick}
		}
		cmd.Seq, cmd.Time = h.seq, h.now
		if h.chance(50, "stale later") { // must not move the clock either
			cmd.Time += h.i64(1, 50, "stale ahead") * h.unit
		}
		h.back = 0
		h.run(cmd)
	case 12: // commands naming unknown things
		switch h.intn(0, 5, "unknown what") {
		case 4:
			h.exec(Command{Kind: rapidOneOf(h, "bad kind", CommandKind(0), CommandKind(99))})
		case 5: // a new account, a new trader
			h.exec(Command{Kind: CmdCreateAccount})
			h.traders = append(h.traders, AccountID(h.ref.nAccounts))
		case 0:
			cmd := h.placeCmd(h.trader(), false)
			cmd.Account = AccountID(h.ref.nAccounts + 1)
			h.exec(cmd)
		case 1:
			cmd := h.placeCmd(h.trader(), false)
			cmd.Market = MarketID(len(h.mkts) + 1)
			h.exec(cmd)
		case 2:
			h.exec(Command{Kind: CmdCancelAll, Account: AccountID(h.ref.nAccounts + 1)})
		case 3:
			h.exec(Command{Kind: CmdCancelOrder, Account: h.trader(), Order: OrderID(rapidOneOf(h, "fake", h.fakes...))})
		}
	case 13: // carry on with an engine restored from a snapshot
		snap := h.e.AppendSnapshot(nil)
		e2, err := Restore(snap)
		if err != nil {
			h.fail("Restore(AppendSnapshot()): %v", err)
		}
		if e2.StateHash() != h.e.StateHash() {
			h.fail("restored engine has another StateHash")
		}
		h.e = e2
		h.history = append(h.history, "(the engine is replaced by Restore(AppendSnapshot()))")
		h.compareState()
	case 14:
		h.exec(h.swapCmd())
	case 15:
		h.exec(h.issueCmd())
	case 16:
		h.exec(h.redeemCmd())
	case 17:
		h.exec(h.settleRedemptionCmd())
	case 18:
		cmd := Command{Kind: CmdSetHub, Asset: h.anyAsset(), Hub: h.chance(50, "hub")}
		if h.chance(40, "usd hub") {
			cmd.Asset = 2
		}
		h.exec(cmd)
	case 19:
		cmd := Command{Kind: CmdReportSupply, Asset: h.anyAsset(), Amount: h.i64(0, 1_000_000_000, "supply")}
		if h.chance(10, "negative supply") {
			cmd.Amount = -h.i64(1, 10, "negative")
		}
		h.exec(cmd)
	case 20: // jump to a coupon's expiry
		next := int64(math.MaxInt64)
		for _, a := range h.ref.assets {
			if a.kind == Coupon && !a.expired && a.expiresAt != 0 {
				next = min(next, a.expiresAt)
			}
		}
		if next != math.MaxInt64 {
			if t := next + h.unit*h.i64(-1, 2, "around expiry") - h.i64(0, 1, "just before"); t > h.now {
				h.now = t
			}
		}
		h.exec(Command{Kind: rapidOneOf(h, "at expiry", CmdTick, CmdTick, CmdDeposit)})
	case 21:
		if h.chance(30, "create market") { // often a duplicate, or on an expired coupon
			a, b := h.swapPair()
			h.exec(Command{Kind: CmdCreateMarket, Base: a, Quote: b, Tick: 1, Lot: 1000, MinSize: 1000})
			if n := len(h.ref.markets); n > len(h.mkts) { // it was created: orders may rest on it
				mk := h.ref.markets[n-1]
				mid := int64(20)
				for mid > 2 && mid*mk.k > 1_000_000 {
					mid /= 2
				}
				h.mkts = append(h.mkts, rapidMarketGen{id: mk.id, mid: mid, tick: mk.tick, lot: mk.lot, minLots: mk.minSize / mk.lot})
			}
			break
		}
		h.exec(h.createAssetCmd())
	case 22:
		h.exec(h.makerCmd())
	case 23:
		h.exec(h.deadmanCmd())
	case 24:
		if h.chance(3, "session burst") { // a trader opens sessions up to the bound, and one more
			acct := h.trader()
			for i := h.intn(60, 66, "burst"); i > 0; i-- {
				h.exec(Command{Kind: CmdOpenSession, Account: acct, SessionMode: SessionMode(h.intn(1, 3, "session mode"))})
			}
			break
		}
		h.exec(h.sessionCmd())
	}
}

// sessionCmd opens a trader's session in one of the modes (now and then
// with an invalid mode or for an unknown account), or closes an open one,
// mostly by its owner (now and then by another account, or one closed,
// never opened, 0, or for an unknown account).
func (h *rapidHarness) sessionCmd() Command {
	ids := h.ref.sessionIDs()
	if len(ids) == 0 || h.chance(45, "open session") {
		cmd := Command{Kind: CmdOpenSession, Account: h.trader(), SessionMode: SessionMode(h.intn(1, 3, "session mode"))}
		switch h.pick("open oddity", 90, 6, 4) {
		case 1:
			cmd.SessionMode = rapidOneOf(h, "bad mode", SessionMode(0), SessionCancelAll+1, 200)
		case 2:
			cmd.Account = AccountID(h.ref.nAccounts + 1)
		}
		return cmd
	}
	id := rapidOneOf(h, "session to close", ids...)
	cmd := Command{Kind: CmdCloseSession, Account: h.ref.sessions[id].account, Session: id}
	switch h.pick("close oddity", 84, 5, 4, 3, 2, 2) {
	case 1:
		cmd.Account = h.otherTrader(cmd.Account)
	case 2: // closed already, or still open
		cmd.Session = SessionID(h.u64(1, uint64(h.ref.lastSession), "any session"))
	case 3:
		cmd.Session = h.ref.lastSession + 1
	case 4:
		cmd.Session = 0
	case 5:
		cmd.Account = AccountID(h.ref.nAccounts + 1)
	}
	return cmd
}

// sessionFor is the Session of a placement by acct: mostly none or one of
// its open sessions, now and then another account's, a closed one or one
// never opened.
func (h *rapidHarness) sessionFor(acct AccountID) SessionID {
	var own, other []SessionID
	for _, id := range h.ref.sessionIDs() {
		if h.ref.sessions[id].account == acct {
			own = append(own, id)
		} else {
			other = append(other, id)
		}
	}
	switch h.pick("order session", 55, 37, 3, 3, 2) {
	case 1:
		if len(own) > 0 {
			return rapidOneOf(h, "own session", own...)
		}
	case 2:
		if len(other) > 0 {
			return rapidOneOf(h, "other session", other...)
		}
	case 3:
		if h.ref.lastSession > 0 {
			return SessionID(h.u64(1, uint64(h.ref.lastSession), "any session"))
		}
	case 4:
		return h.ref.lastSession + 1
	}
	return 0
}

// deadmanCmd arms, re-arms (a heartbeat) or disarms a trader's dead-man
// switch for a market or every market, with now and then an unknown
// account or market, or a deadline at or before the clock (also one
// between a command's past time and the clock).
func (h *rapidHarness) deadmanCmd() Command {
	cmd := Command{Kind: CmdCancelAllAfter, Account: h.trader()}
	switch h.pick("deadman market", 5, 5, 1) {
	case 1:
		cmd.Market = h.market().id
	case 2:
		cmd.Market = MarketID(len(h.ref.markets) + 1)
	}
	if h.chance(3, "deadman unknown account") {
		cmd.Account = AccountID(h.ref.nAccounts + 1)
	}
	switch h.pick("deadman deadline", 60, 15, 12, 5, 5, 3) {
	case 0: // a few steps ahead
		cmd.ExpiresAt = h.now + h.unit*h.i64(1, 80, "deadman units") - h.i64(0, 1, "deadman ns")
	case 1: // the deadline of an armed switch (ties fire by account, then market)
		var ats []int64
		for _, at := range h.ref.deadman {
			ats = append(ats, at)
		}
		slices.Sort(ats)
		cmd.ExpiresAt = h.now + h.unit
		if len(ats) > 0 {
			cmd.ExpiresAt = rapidOneOf(h, "deadman tie", ats...)
		}
	case 2:
		cmd.ExpiresAt = 0
	case 3: // at the clock, or before
		cmd.ExpiresAt = h.now - h.unit*h.i64(0, 2, "deadman past")
	case 4: // this command stamped in the past, its deadline between its time and the clock
		h.back = h.i64(2, 20, "deadman back units") * h.unit
		cmd.ExpiresAt = h.now - h.unit*h.i64(0, 1, "deadman behind")
	case 5: // exactly when an armed switch fires: it fires first
		for k, at := range h.ref.deadman {
			if k.account == cmd.Account {
				h.now = max(h.now, at)
			}
		}
		cmd.ExpiresAt = h.now + h.unit
	}
	return cmd
}

// anyAsset returns an asset id, now and then an unknown one.
func (h *rapidHarness) anyAsset() AssetID {
	if h.chance(4, "unknown asset") {
		return AssetID(len(h.ref.assets) + 1)
	}
	return AssetID(h.intn(1, len(h.ref.assets), "asset"))
}

// swapPair returns two different known assets, mostly a pair with a route.
func (h *rapidHarness) swapPair() (AssetID, AssetID) {
	n := len(h.ref.assets)
	if h.chance(75, "routed pair") {
		var pairs [][2]AssetID
		for a := AssetID(1); int(a) <= n; a++ {
			for b := AssetID(1); int(b) <= n; b++ {
				if a != b && !h.ref.assets[a-1].expired && !h.ref.assets[b-1].expired && h.hasRoute(a, b) {
					pairs = append(pairs, [2]AssetID{a, b})
				}
			}
		}
		if len(pairs) > 0 {
			p := rapidOneOf(h, "pair", pairs...)
			return p[0], p[1]
		}
	}
	from := AssetID(h.intn(1, n, "from"))
	to := AssetID(h.intn(1, n-1, "to"))
	if to >= from {
		to++
	}
	return from, to
}

func (h *rapidHarness) hasRoute(a, b AssetID) bool {
	if h.ref.openPair(a, b) != nil {
		return true
	}
	for i, x := range h.ref.assets {
		if hub := AssetID(i + 1); x.hub && !x.expired && hub != a && hub != b && h.ref.openPair(a, hub) != nil && h.ref.openPair(hub, b) != nil {
			return true
		}
	}
	return false
}

// makerCmd rests a GTC order near the mid of a market, mostly one that swaps
// go through.
func (h *rapidHarness) makerCmd() Command {
	g := h.market()
	var swapMkts []rapidMarketGen
	for _, x := range h.mkts {
		if mk := h.ref.market(x.id); (mk.base >= 4 || mk.quote >= 4) && !h.ref.marketExpired(mk) {
			swapMkts = append(swapMkts, x)
		}
	}
	if len(swapMkts) > 0 && h.chance(80, "swap market") {
		g = rapidOneOf(h, "swap market", swapMkts...)
	}
	side := rapidOneOf(h, "side", Buy, Sell)
	off := h.i64(0, 5, "maker ticks")
	price := max(1, g.mid-off) * g.tick
	if side == Sell {
		price = (g.mid + 1 + off) * g.tick
	}
	return Command{Kind: CmdPlaceOrder, Account: h.trader(), Market: g.id, Side: side, Type: Limit, TIF: GTC,
		Price: price, Size: h.lots(g) * g.lot}
}

// swapAmount is an amount of from of the size of a few orders.
func (h *rapidHarness) swapAmount(from AssetID) int64 {
	need := int64(1000)
	if int(from) < len(h.need) && h.need[from] > 0 {
		need = h.need[from]
	}
	switch h.pick("swap amount", 80, 10, 10) {
	case 1:
		return h.i64(1, max(1, need/8), "tiny swap")
	case 2:
		return need * h.i64(3, 10, "big swap")
	}
	return max(1, need*h.i64(1, 12, "swap eighths")/8)
}

// fillableAmount returns, when there is one, an amount near the largest of
// need/2^k that the model can swap (the books are thin), plus some.
func (h *rapidHarness) fillableAmount(acct AccountID, from, to AssetID) int64 {
	need := int64(1000)
	if int(from) < len(h.need) && h.need[from] > 0 {
		need = h.need[from]
	}
	amt := need * 2
	if av := h.ref.avail[refBalKey{acct, from}]; acct != 0 && av > 0 && h.chance(80, "within balance") {
		amt = min(amt, av*2/3)
	}
	for ; amt > 0; amt /= 3 {
		if _, code, _ := h.ref.quote(acct, from, to, amt); code == OK {
			return amt + h.i64(0, amt/2, "fillable extra")
		}
	}
	return h.swapAmount(from)
}

func (h *rapidHarness) swapCmd() Command {
	acct := h.trader()
	from, to := h.swapPair()
	cmd := Command{Kind: CmdSwap, Account: acct, Asset: from, ToAsset: to, Amount: h.swapAmount(from)}
	if h.chance(70, "fillable swap") {
		cmd.Amount = h.fillableAmount(acct, from, to)
	}
	av := h.ref.avail[refBalKey{acct, from}]
	switch h.pick("swap kind", 50, 12, 8, 6, 6, 3, 3, 3, 3, 3) {
	case 1: // exactly the minimum, or one more than it gives
		if q, code, _ := h.ref.quote(acct, from, to, cmd.Amount); code == OK {
			cmd.MinReceive = q.AmountOut + h.i64(0, 1, "above min")
		}
	case 2:
		cmd.MinReceive = h.i64(1, max(1, h.need[min(int(to), len(h.need)-1)]), "min receive")
	case 3: // more than it has
		cmd.Amount = av + h.i64(1, max(1, av/4), "over")
	case 4: // all it has
		if av > 0 {
			cmd.Amount = av
		}
	case 5:
		cmd.ToAsset = AssetID(len(h.ref.assets) + 1)
	case 6:
		cmd.ToAsset = from
	case 7:
		cmd.Amount = -h.i64(0, 3, "neg swap")
	case 8:
		cmd.MinReceive = -h.i64(1, 3, "neg min")
	case 9:
		cmd.Account = AccountID(h.ref.nAccounts + 1)
	}
	return cmd
}

// brandAsset returns a points or coupon asset (or, now and then, any).
func (h *rapidHarness) brandAsset() AssetID {
	var ids []AssetID
	for i, a := range h.ref.assets {
		if a.kind != Token {
			ids = append(ids, AssetID(i+1))
		}
	}
	if len(ids) == 0 || h.chance(8, "any asset") {
		return h.anyAsset()
	}
	return rapidOneOf(h, "brand asset", ids...)
}

func (h *rapidHarness) issueCmd() Command {
	as := h.brandAsset()
	cmd := Command{Kind: CmdIssue, Asset: as, To: h.trader(), Ref: h.newIssueRef()}
	if h.ref.hasAsset(as) {
		cmd.Account = h.ref.assets[as-1].brand
	}
	need := int64(1000)
	if int(as) < len(h.need) && h.need[as] > 0 {
		need = h.need[as]
	}
	cmd.Amount = need * h.i64(1, 30, "issue x")
	switch h.pick("issue kind", 60, 8, 6, 6, 5, 5, 4, 3, 3) {
	case 1: // not the brand
		cmd.Account = rapidOneOf(h, "not brand", append([]AccountID{FeeAccount}, h.traders...)...)
	case 2: // a repeated ref (of this brand or another)
		cmd.Ref = h.issueRefs[h.intn(0, len(h.issueRefs)-1, "dup issue")]
	case 3: // a deposit's ref: another namespace
		cmd.Ref = h.refs[h.intn(0, len(h.refs)-1, "deposit ref")]
	case 4:
		cmd.To = rapidOneOf(h, "to brand", h.brands...)
	case 5:
		cmd.Amount = -h.i64(0, 3, "neg issue")
	case 6:
		cmd.Ref = Ref{}
	case 7: // lifetime inflow soon past MaxInt64
		cmd.Amount = math.MaxInt64/3 + h.i64(0, 100, "whale issue")
	case 8:
		if h.chance(50, "unknown to") {
			cmd.To = AccountID(h.ref.nAccounts + 1)
		} else {
			cmd.Account = AccountID(h.ref.nAccounts + 1)
		}
	}
	return cmd
}

func (h *rapidHarness) redeemCmd() Command {
	as := h.brandAsset()
	acct := h.trader()
	if h.chance(10, "brand redeems") {
		acct = rapidOneOf(h, "brand", h.brands...)
	}
	cmd := Command{Kind: CmdRedeem, Account: acct, Asset: as}
	av := h.ref.avail[refBalKey{acct, as}]
	switch h.pick("redeem kind", 70, 10, 10, 5, 5) {
	case 0:
		cmd.Amount = h.i64(1, max(1, av/2), "redeem")
	case 1:
		cmd.Amount = max(1, av)
	case 2:
		cmd.Amount = av + h.i64(1, 100, "over")
	case 3:
		cmd.Amount = -h.i64(0, 2, "neg")
	case 4:
		cmd.Account = AccountID(h.ref.nAccounts + 1)
		cmd.Amount = 1
	}
	return cmd
}

func (h *rapidHarness) settleRedemptionCmd() Command {
	cmd := Command{Kind: rapidOneOf(h, "settle redemption", CmdFulfilRedemption, CmdRejectRedemption)}
	var pending []RedemptionID
	for id := RedemptionID(1); id <= h.ref.nRedemption; id++ {
		if h.ref.redemptions[id].pending {
			pending = append(pending, id)
		}
	}
	switch {
	case len(pending) > 0 && h.chance(80, "pending redemption"):
		cmd.Redemption = pending[h.intn(0, len(pending)-1, "pending")]
	case h.ref.nRedemption > 0 && h.chance(60, "old redemption"):
		cmd.Redemption = RedemptionID(h.intn(1, int(h.ref.nRedemption), "old"))
	default:
		cmd.Redemption = rapidOneOf(h, "unknown redemption", RedemptionID(0), h.ref.nRedemption+1, 1<<40)
	}
	if r := h.ref.redemptions[cmd.Redemption]; r != nil {
		cmd.Account = h.ref.assets[r.asset-1].brand
	}
	switch h.pick("settler", 85, 10, 5) {
	case 1:
		cmd.Account = h.trader()
	case 2:
		cmd.Account = AccountID(h.ref.nAccounts + 1)
	}
	if cmd.Account == 0 {
		cmd.Account = h.brands[0]
	}
	return cmd
}

func (h *rapidHarness) createAssetCmd() Command {
	cmd := Command{Kind: CmdCreateAsset, Symbol: rapidOneOf(h, "symbol", h.newSyms...), Scale: uint8(h.intn(0, 4, "scale")),
		AssetKind: rapidOneOf(h, "kind", Token, Points, Coupon, Coupon, AssetKind(3), AssetKind(9))}
	if cmd.AssetKind != Token || h.chance(10, "token brand") {
		cmd.Brand = rapidOneOf(h, "brand", h.brands[0], h.brands[1], FeeAccount, AccountID(h.ref.nAccounts+1))
	}
	if h.chance(10, "no brand") {
		cmd.Brand = 0
	}
	switch h.pick("asset expiry", 5, 6, 1, 1) {
	case 1:
		cmd.ExpiresAt = h.now + h.unit*h.i64(1, 300, "new expiry")
	case 2:
		cmd.ExpiresAt = h.now - h.back
	case 3:
		cmd.ExpiresAt = -1
	}
	cmd.Hub = h.chance(20, "new hub")
	return cmd
}

func (h *rapidHarness) trader() AccountID {
	if h.chance(4, "fee account trades") {
		return FeeAccount
	}
	return rapidOneOf(h, "account", h.traders...)
}

func (h *rapidHarness) market() rapidMarketGen {
	g := rapidOneOf(h, "market", h.mkts...)
	if h.ref.marketExpired(h.ref.market(g.id)) && h.chance(80, "skip expired market") {
		g = rapidOneOf(h, "market", h.mkts...)
	}
	return g
}

func (h *rapidHarness) clientID(label string) ClientOrderID {
	id, _ := ParseClientOrderID(rapidOneOf(h, label, "c0", "c1", "c2", "c3", "c4-8f2e1c7a-uuid-like-0000000000000"))
	return id
}

func (h *rapidHarness) lots(g rapidMarketGen) int64 {
	l := g.minLots + h.i64(0, 12, "lots")
	if h.chance(10, "big order") {
		l *= h.i64(3, 8, "big x")
	}
	return l
}

func (h *rapidHarness) limitPrice(g rapidMarketGen, side Side) int64 {
	off := h.i64(-6, 2, "price offset")
	if side == Sell {
		off = -off
	}
	return max(1, g.mid+off) * g.tick
}

func (h *rapidHarness) placeCmd(acct AccountID, inBatch bool) Command {
	g := h.market()
	side := rapidOneOf(h, "side", Buy, Sell)
	cmd := Command{Kind: CmdPlaceOrder, Account: acct, Market: g.id, Side: side, Type: Limit, TIF: GTC,
		Price: h.limitPrice(g, side), Size: h.lots(g) * g.lot}
	cmd.STP = SelfTradePrevention(h.pick("stp", 6, 2, 2))
	cmd.Session = h.sessionFor(acct)
	if h.whales[acct] && h.chance(50, "whale size") {
		mk := h.ref.market(g.id)
		maxLots := math.MaxInt64 / 10 / ((g.mid + 6) * mk.k)
		cmd.Size = g.lot * max(g.minLots, maxLots/rapidOneOf(h, "whale div", int64(1), 1, 2, 3, 4, 100, 10_000))
	}
	if h.chance(35, "has client id") || inBatch && h.chance(40, "batch client id") {
		cmd.ClientOrderID = h.clientID("client id")
	}
	switch h.pick("order kind", 34, 8, 7, 14, 8, 9, 5, 8, 7) {
	case 1:
		cmd.TIF = IOC
	case 2:
		cmd.TIF = FOK
	case 3:
		cmd.TIF = GTD
		cmd.ExpiresAt = h.now + h.i64(1, 60, "expires in")*h.unit
		if h.chance(3, "expired already") {
			cmd.ExpiresAt = h.now
		}
	case 4:
		cmd.PostOnly = true
		if h.chance(30, "post-only gtd") {
			cmd.TIF = GTD
			cmd.ExpiresAt = h.now + h.i64(1, 30, "expires in")*h.unit
		}
	case 5:
		cmd.Type, cmd.TIF, cmd.Price = Market, IOC, 0
	case 6:
		cmd.Type, cmd.TIF, cmd.Price = Market, FOK, 0
	case 7:
		mk := h.ref.market(g.id)
		cmd.QuoteAmount = max(1, g.mid*mk.k*h.lots(g)+h.i64(-g.mid*mk.k, g.mid*mk.k, "quote extra"))
		if cmd.Size > 100*g.lot*(g.minLots+20) { // a whale's
			cmd.QuoteAmount = cmd.Size / g.lot * g.mid * mk.k
		}
		cmd.Type, cmd.TIF, cmd.Price, cmd.Side, cmd.Size = Market, IOC, 0, Buy, 0
	case 8:
		h.invalidPlace(&cmd, g)
	}
	return cmd
}

// invalidPlace makes a placement that is (most likely) rejected.
func (h *rapidHarness) invalidPlace(cmd *Command, g rapidMarketGen) {
	switch h.intn(0, 10, "invalid kind") {
	case 0: // off tick
		if g.tick > 1 {
			cmd.Price += h.i64(1, g.tick-1, "off tick")
		} else {
			cmd.Price = 0
		}
	case 1: // off lot
		if g.lot > 1 {
			cmd.Size += h.i64(1, g.lot-1, "off lot")
		} else {
			cmd.Size = -g.lot
		}
	case 2: // below minimum
		cmd.Size = (g.minLots - 1) * g.lot
	case 3: // insufficient balance, or a whale's order (fees past 2^64 / 10000)
		cmd.Size = g.lot * h.i64(1000, 100_000, "huge lots")
		if h.chance(50, "whale order") {
			cmd.Size = g.lot * rapidOneOf(h, "whale lots", int64(1e6), 1e8, 1e10, 1e12, 1e13, 1e14, 1e15)
		}
	case 4: // notional overflows a buy
		cmd.Side, cmd.Price = Buy, math.MaxInt64/g.tick*g.tick
	case 5: // market order with a price
		cmd.Type, cmd.TIF = Market, IOC
	case 6: // bad time in force
		cmd.TIF = rapidOneOf(h, "bad tif", TimeInForce(0), TimeInForce(9))
	case 7: // post-only IOC, or market GTC
		if h.chance(50, "post ioc") {
			cmd.PostOnly, cmd.TIF = true, IOC
		} else {
			cmd.Type, cmd.Price = Market, 0
		}
	case 8: // by quote amount, but a sell or a limit
		cmd.QuoteAmount, cmd.Size = h.i64(1, 1000, "q"), 0
	case 9: // a huge sell price, whose notional overflows
		if rapidGenHugeSells {
			cmd.Side, cmd.Price, cmd.TIF = Sell, math.MaxInt64/g.tick*g.tick, GTC
		} else {
			cmd.STP = 7
		}
	case 10: // bad side or stp or client id
		switch h.intn(0, 2, "bad field") {
		case 0:
			cmd.Side = 0
		case 1:
			cmd.STP = 3
		case 2:
			cmd.ClientOrderID = ClientOrderID{'a', ' ', 'b'}
		}
	}
}

// liveOrder returns a random resting order of the model, or nil.
func (h *rapidHarness) liveOrder(label string) *refOrder {
	if len(h.ref.book) == 0 {
		return nil
	}
	return h.ref.book[h.intn(0, len(h.ref.book)-1, label)]
}

func (h *rapidHarness) goneOrder() OrderID {
	for i := 0; i < 3 && len(h.known) > 0; i++ {
		id := h.known[h.intn(0, len(h.known)-1, "gone order")]
		if h.ref.find(id) == nil {
			return OrderID(id)
		}
	}
	return OrderID(rapidOneOf(h, "fake", h.fakes...))
}

func (h *rapidHarness) otherTrader(a AccountID) AccountID {
	for _, t := range h.traders {
		if t != a {
			return t
		}
	}
	return a
}

func (h *rapidHarness) amendCmd() Command {
	o := h.liveOrder("amend order")
	if o == nil {
		return h.placeCmd(h.trader(), false)
	}
	var g rapidMarketGen
	for _, x := range h.mkts {
		if x.id == o.market {
			g = x
		}
	}
	cmd := Command{Kind: CmdAmendOrder, Account: o.account, Order: OrderID(o.id)}
	switch h.pick("amend target", 85, 8, 7) {
	case 1:
		cmd.Account = h.otherTrader(o.account)
	case 2:
		cmd.Order = h.goneOrder()
	}
	if !o.clientID.IsZero() && h.chance(20, "amend by client id") {
		cmd.Order, cmd.ClientOrderID = 0, o.clientID
	}
	switch h.pick("amend price", 35, 35, 10, 10, 4, 3, 3) {
	case 1:
		cmd.Price = max(g.tick, o.price+h.i64(-4, 4, "move ticks")*g.tick)
	case 2:
		if b := h.ref.best(o.market, refOpposite(o.side)); b != nil {
			cmd.Price = b.price
			if h.chance(50, "through") {
				if o.side == Buy {
					cmd.Price += g.tick * h.i64(0, 3, "through ticks")
				} else {
					cmd.Price = max(g.tick, cmd.Price-g.tick*h.i64(0, 3, "through ticks"))
				}
			}
		}
	case 3:
		cmd.Price = h.limitPrice(g, o.side)
	case 4:
		if g.tick > 1 {
			cmd.Price = o.price + 1
		} else {
			cmd.Price = -1
		}
	case 5:
		cmd.Price = -g.tick
	case 6:
		if o.side == Buy || rapidGenHugeSells {
			cmd.Price = math.MaxInt64 / g.tick * g.tick
		}
	}
	filled := o.size - o.rem
	switch h.pick("amend size", 35, 25, 25, 5, 5, 5) {
	case 1:
		cmd.Size = max(g.lot, o.size-h.i64(1, 6, "down lots")*g.lot)
	case 2:
		cmd.Size = o.size + h.i64(1, 6, "up lots")*g.lot
		if h.chance(5, "amend huge") {
			cmd.Size = o.size + g.lot*h.i64(1000, 100_000, "huge lots")
		}
	case 3:
		cmd.Size = max(filled, g.lot)
	case 4:
		if g.lot > 1 {
			cmd.Size = o.size + 1
		} else {
			cmd.Size = -1
		}
	case 5:
		cmd.Size = (g.minLots - 1) * g.lot
		if cmd.Size == 0 {
			cmd.Size = -g.lot
		}
	}
	return cmd
}

func (h *rapidHarness) cancelCmd(acct AccountID) Command {
	cmd := Command{Kind: CmdCancelOrder, Account: acct}
	var own []*refOrder
	for _, o := range h.ref.book {
		if o.account == acct {
			own = append(own, o)
		}
	}
	switch h.pick("cancel target", 55, 12, 10, 13, 5, 5) {
	case 0:
		if len(own) > 0 {
			cmd.Order = OrderID(own[h.intn(0, len(own)-1, "own order")].id)
		} else {
			cmd.Order = h.goneOrder()
		}
	case 1:
		cmd.Order = h.goneOrder()
	case 2:
		if o := h.liveOrder("any order"); o != nil {
			cmd.Order = OrderID(o.id)
		} else {
			cmd.Order = h.goneOrder()
		}
	case 3:
		cmd.ClientOrderID = h.clientID("cancel client id")
		for _, o := range own {
			if !o.clientID.IsZero() {
				cmd.ClientOrderID = o.clientID
				break
			}
		}
	case 4:
		cmd.ClientOrderID = h.clientID("cancel client id")
	case 5:
		cmd.Order = OrderID(rapidOneOf(h, "fake", h.fakes...))
	}
	return cmd
}

func (h *rapidHarness) batchCmd() Command {
	acct := h.trader()
	cmd := Command{Kind: CmdBatch, Account: acct}
	switch h.pick("batch shape", 95, 3, 2) {
	case 1:
		return cmd // empty
	case 2:
		for i := 0; i <= MaxBatchItems; i++ {
			cmd.Batch = append(cmd.Batch, Command{Kind: CmdCancelOrder, ClientOrderID: h.clientID("client id")})
		}
		return cmd
	}
	n := h.intn(1, 6, "batch items")
	for i := 0; i < n; i++ {
		switch h.pick("batch item", 65, 20, 10, 5) {
		case 0:
			it := h.placeCmd(acct, true)
			if h.chance(10, "item account ignored") {
				it.Account = h.otherTrader(acct)
			}
			cmd.Batch = append(cmd.Batch, it)
		case 1:
			cmd.Batch = append(cmd.Batch, Command{Kind: CmdCancelOrder, ClientOrderID: h.clientID("client id")})
		case 2:
			cmd.Batch = append(cmd.Batch, h.cancelCmd(acct))
		case 3:
			cmd.Batch = append(cmd.Batch, Command{Kind: rapidOneOf(h, "bad item", CmdAmendOrder, CmdCancelAll, CmdDeposit)})
		}
	}
	return cmd
}

func (h *rapidHarness) depositCmd() Command {
	cmd := Command{Kind: CmdDeposit, Account: h.trader(), Asset: AssetID(h.intn(1, h.nAssets, "asset")), Ref: h.newRef()}
	cmd.Amount = max(1, h.need[cmd.Asset]) * (10 + h.i64(0, 30, "deposit x"))
	switch h.pick("deposit kind", 85, 5, 4, 3, 3, 2) {
	case 1:
		cmd.Ref = h.refs[h.intn(0, len(h.refs)-1, "dup ref")]
	case 2:
		cmd.Amount = -h.i64(0, 5, "neg amount")
	case 3:
		cmd.Ref = Ref{}
	case 4:
		cmd.Asset = AssetID(h.nAssets + 1)
	case 5: // a whale: lifetime deposits of an asset soon pass MaxInt64
		cmd.Amount = math.MaxInt64/4 + h.i64(0, 1000, "whale extra")
	}
	return cmd
}

func (h *rapidHarness) withdrawCmd() Command {
	cmd := Command{Kind: CmdWithdraw, Account: h.trader(), Asset: AssetID(h.intn(1, h.nAssets, "asset"))}
	h.wdN++
	cmd.Withdrawal = h.wdN
	av, _ := h.ref.balance(cmd.Account, cmd.Asset)
	switch h.pick("withdraw kind", 70, 15, 5, 7, 3) {
	case 0:
		cmd.Amount = h.i64(1, max(1, av/3), "amount")
	case 1:
		cmd.Amount = av + h.i64(1, 100, "over")
	case 2:
		cmd.Amount = 0
	case 3:
		cmd.Amount = 1
		if len(h.wds) > 0 {
			cmd.Withdrawal = h.wds[h.intn(0, len(h.wds)-1, "dup withdrawal")]
		}
	case 4:
		cmd.Amount, cmd.Withdrawal = 1, 0
	}
	if cmd.Withdrawal == h.wdN {
		h.wds = append(h.wds, h.wdN)
	}
	return cmd
}

func (h *rapidHarness) settleCmd() Command {
	cmd := Command{Kind: rapidOneOf(h, "settle", CmdCompleteWithdrawal, CmdFailWithdrawal), Withdrawal: 999_999}
	var pending []WithdrawalID
	for id, w := range h.ref.withdrawals {
		if w.pending {
			pending = append(pending, id)
		}
	}
	// map order is random: sort for determinism
	for i := range pending {
		for j := i + 1; j < len(pending); j++ {
			if pending[j] < pending[i] {
				pending[i], pending[j] = pending[j], pending[i]
			}
		}
	}
	switch {
	case len(pending) > 0 && h.chance(75, "settle pending"):
		cmd.Withdrawal = pending[h.intn(0, len(pending)-1, "pending")]
	case len(h.wds) > 0 && h.chance(60, "settle any"):
		cmd.Withdrawal = h.wds[h.intn(0, len(h.wds)-1, "withdrawal")]
	}
	return cmd
}

func (h *rapidHarness) feesCmd() Command {
	bps := []int32{0, 1, 3, 7, 10, 25, 33, 100, 10_000}
	cmd := Command{Kind: CmdSetFees, Market: h.market().id,
		MakerBps: rapidOneOf(h, "maker", bps...), TakerBps: rapidOneOf(h, "taker", bps...)}
	switch h.pick("fees kind", 90, 4, 3, 3) {
	case 1:
		cmd.MakerBps = -1
	case 2:
		cmd.TakerBps = MaxFeeBps + 1
	case 3:
		cmd.Market = MarketID(len(h.mkts) + 1)
	}
	return cmd
}

func (h *rapidHarness) statusCmd() Command {
	g := h.market()
	for _, x := range h.mkts {
		if mk := h.ref.market(x.id); mk.status == Halted && (!h.ref.marketExpired(mk) || h.chance(3, "reopen expired")) {
			g = x
		}
	}
	cmd := Command{Kind: CmdSetMarketStatus, Market: g.id, Status: Halted}
	if h.ref.market(g.id).status == Halted && h.chance(90, "resume") {
		cmd.Status = Open
	}
	if h.chance(5, "bad status") {
		cmd.Status = MarketStatus(h.intn(3, 9, "status"))
	}
	return cmd
}

// ---- formatting ----

func rapidFormatValue(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case ClientOrderID:
		return strconv.Quote(x.String())
	case Symbol:
		return x.String()
	case Ref:
		return fmt.Sprintf("%x", x[:4]) + ".." + fmt.Sprintf("%x", x[28:])
	case OrderID:
		if x >= 1<<32 {
			return fmt.Sprintf("%#x", uint64(x))
		}
		return fmt.Sprintf("#%d", uint64(x))
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v.Interface())
}

// rapidFormatFields prints a struct's non-zero fields.
func rapidFormatFields(v reflect.Value, skip ...string) string {
	var parts []string
	t := v.Type()
outer:
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		name := t.Field(i).Name
		for _, s := range skip {
			if s == name {
				continue outer
			}
		}
		if f.IsZero() && name != "Kind" {
			continue
		}
		parts = append(parts, name+"="+rapidFormatValue(f))
	}
	return strings.Join(parts, " ")
}

func rapidFormatEvent(ev *Event) string {
	return rapidFormatFields(reflect.ValueOf(*ev))
}

func rapidFormatCommand(cmd *Command) string {
	s := rapidFormatFields(reflect.ValueOf(*cmd), "Batch")
	for i := range cmd.Batch {
		s += fmt.Sprintf("\n        item %d: %s", i+1, rapidFormatFields(reflect.ValueOf(cmd.Batch[i]), "Batch"))
	}
	if cmd.Kind == CmdBatch && len(cmd.Batch) == 0 {
		s += " (empty)"
	}
	return s
}

func rapidFieldDiff(a, b Event) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var parts []string
	for i := 0; i < va.NumField(); i++ {
		if va.Field(i).Interface() != vb.Field(i).Interface() {
			parts = append(parts, fmt.Sprintf("%s: engine %s, model %s", va.Type().Field(i).Name,
				rapidFormatValue(va.Field(i)), rapidFormatValue(vb.Field(i))))
		}
	}
	return strings.Join(parts, "; ")
}
