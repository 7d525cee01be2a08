package engine

// Dead-man switch (cancel-all-after): the command's table, in the style of
// engine_test.go (standard world, every case checked against a twin for
// rejections), and properties: firing order, the O(1) due check, snapshots.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCmdCancelAllAfter(t *testing.T) { utRun(t, utCancelAllAfterCases()) }

func utArm(a AccountID, m MarketID, at int64) Command {
	return Command{Kind: CmdCancelAllAfter, Account: a, Market: m, ExpiresAt: at}
}

// utDeadmanFired reports whether a switch fired among evs (its cancels
// are a phase of their own, before the command's).
func utDeadmanFired(evs []Event) bool {
	for _, ev := range evs {
		if ev.Kind == EvDeadmanSet && ev.Reason == ReasonDeadman {
			return true
		}
	}
	return false
}

// utArmed checks Deadman for every account and market of the standard
// world against want (absent: disarmed).
func utArmed(t *testing.T, w *utWorld, want map[deadmanKey]int64) {
	t.Helper()
	for a := AccountID(0); a <= utCarol+1; a++ {
		for m := MarketID(0); m <= utM2+1; m++ {
			at, armed := w.e.Deadman(a, m)
			wat, warmed := want[deadmanKey{a, m}]
			if at != wat || armed != warmed {
				t.Errorf("Deadman(%d, %d) = %d, %v; want %d, %v", a, m, at, armed, wat, warmed)
			}
		}
	}
}

func utCancelAllAfterCases() []utCase {
	// alice: a1 BTC buy (hold 401 cents), a2 ETH sell (hold 5 ETH), a3 BTC
	// sell (hold 40 BTC units); bob: b1 BTC buy (as in the cancel-all table).
	book := utSteps(
		utPlaced("a1", utLimit(utAlice, utM1, Buy, 1000, 40)),
		utPlaced("a2", utLimit(utAlice, utM2, Sell, 10, 5)),
		utPlaced("a3", utLimit(utAlice, utM1, Sell, 1100, 40)),
		utPlaced("b1", utLimit(utBob, utM1, Buy, 995, 40)),
	)
	arm := func(a AccountID, m MarketID, at int64) func(*utWorld) {
		return func(w *utWorld) { w.must(utArm(a, m, at)) }
	}
	tick := func(at int64) func(*utWorld) Command { return utConst(Command{Kind: CmdTick, Time: at}) }
	// set checks the one EvDeadmanSet of a command that set a switch.
	set := func(a AccountID, m MarketID, at int64, armed map[deadmanKey]int64) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			if ev := evs[0]; ev.Account != a || ev.Market != m || ev.ExpiresAt != at || ev.Reason != 0 {
				t.Errorf("event %+v, want account %d market %d expires %d", ev, a, m, at)
			}
			utArmed(t, w, armed)
		}
	}
	// fired checks the cancels and disarm reports of the switches that
	// fired, in order: each is the account, market and orders cancelled;
	// then the switches armed after the command.
	type fire struct {
		a      AccountID
		m      MarketID
		orders []string
	}
	fired := func(armed map[deadmanKey]int64, fs ...fire) func(*testing.T, *utWorld, []Event) {
		return func(t *testing.T, w *utWorld, evs []Event) {
			var pre []Event
			for _, ev := range evs {
				if ev.Kind == EvOrderCanceled || ev.Kind == EvDeadmanSet && ev.Reason == ReasonDeadman {
					pre = append(pre, ev)
				}
			}
			i := 0
			for _, f := range fs {
				var want []OrderID
				for _, n := range f.orders {
					want = append(want, w.id(n))
				}
				if !slices.IsSorted(want) {
					t.Fatalf("test lists %v out of OrderID order", f.orders)
				}
				for _, id := range want {
					if i >= len(pre) {
						t.Fatalf("missing cancel of %x", id)
					}
					if ev := pre[i]; ev.Kind != EvOrderCanceled || ev.Order != id || ev.Account != f.a || ev.Reason != ReasonDeadman {
						t.Errorf("event %d: %+v, want deadman cancel of %x", i, ev, id)
					}
					i++
				}
				if i >= len(pre) {
					t.Fatalf("missing disarm of account %d market %d", f.a, f.m)
				}
				if ev := pre[i]; ev.Kind != EvDeadmanSet || ev.Account != f.a || ev.Market != f.m || ev.ExpiresAt != 0 || ev.Reason != ReasonDeadman {
					t.Errorf("event %d: %+v, want fired switch of account %d market %d", i, ev, f.a, f.m)
				}
				i++
			}
			if i != len(pre) {
				t.Errorf("%d more cancels or switch events: %+v", len(pre)-i, pre[i:])
			}
			utArmed(t, w, armed)
		}
	}
	none := map[deadmanKey]int64{}
	return []utCase{
		{
			name: "arm every market", setup: book, cmd: utConst(utArm(utAlice, 0, utT0+100)), kinds: utKs(EvDeadmanSet),
			check: set(utAlice, 0, utT0+100, map[deadmanKey]int64{{utAlice, 0}: utT0 + 100}),
		},
		{
			name: "arm one market", setup: book, cmd: utConst(utArm(utAlice, utM2, utT0+1)), kinds: utKs(EvDeadmanSet),
			check: set(utAlice, utM2, utT0+1, map[deadmanKey]int64{{utAlice, utM2}: utT0 + 1}),
		},
		{
			name: "every market and one market are separate switches", setup: arm(utAlice, 0, utT0+100),
			cmd: utConst(utArm(utAlice, utM1, utT0+50)), kinds: utKs(EvDeadmanSet),
			check: set(utAlice, utM1, utT0+50, map[deadmanKey]int64{{utAlice, 0}: utT0 + 100, {utAlice, utM1}: utT0 + 50}),
		},
		{
			name: "re-arm earlier", setup: arm(utAlice, 0, utT0+100), cmd: utConst(utArm(utAlice, 0, utT0+50)), kinds: utKs(EvDeadmanSet),
			check: set(utAlice, 0, utT0+50, map[deadmanKey]int64{{utAlice, 0}: utT0 + 50}),
		},
		{
			name: "re-arm later", setup: arm(utAlice, 0, utT0+100), cmd: utConst(utArm(utAlice, 0, utT0+500)), kinds: utKs(EvDeadmanSet),
			check: set(utAlice, 0, utT0+500, map[deadmanKey]int64{{utAlice, 0}: utT0 + 500}),
		},
		{
			name: "disarm", setup: utSteps(arm(utAlice, 0, utT0+100), arm(utBob, utM1, utT0+100)),
			cmd: utConst(utArm(utAlice, 0, 0)), kinds: utKs(EvDeadmanSet),
			check: set(utAlice, 0, 0, map[deadmanKey]int64{{utBob, utM1}: utT0 + 100}),
		},
		{name: "disarm when not armed", cmd: utConst(utArm(utAlice, utM1, 0)), kinds: utKs(EvDeadmanSet), check: set(utAlice, utM1, 0, none)},
		{name: "fee account", cmd: utConst(utArm(FeeAccount, 0, utT0+1)), kinds: utKs(EvDeadmanSet)},
		{
			name: "halted market", setup: func(w *utWorld) { w.must(Command{Kind: CmdSetMarketStatus, Market: utM1, Status: Halted}) },
			cmd: utConst(utArm(utAlice, utM1, utT0+1)), kinds: utKs(EvDeadmanSet),
		},
		{name: "unknown account 0", cmd: utConst(utArm(0, 0, utT0+100)), code: CodeUnknownAccount},
		{name: "unknown account", setup: arm(utAlice, 0, utT0+100), cmd: utConst(utArm(99, utM1, utT0+100)), code: CodeUnknownAccount},
		{name: "unknown account before unknown market", cmd: utConst(utArm(99, 99, 1)), code: CodeUnknownAccount},
		{name: "unknown market", setup: arm(utAlice, 0, utT0+100), cmd: utConst(utArm(utAlice, 9, utT0+100)), code: CodeUnknownMarket},
		{name: "unknown market before expiry", cmd: utConst(utArm(utAlice, 3, 1)), code: CodeUnknownMarket},
		{name: "deadline at the clock", setup: arm(utAlice, 0, utT0+100), cmd: utConst(utArm(utAlice, 0, utT0)), code: CodeInvalidExpiry},
		{name: "deadline before the clock", cmd: utConst(utArm(utAlice, utM2, utT0-1)), code: CodeInvalidExpiry},
		{name: "negative deadline", cmd: utConst(utArm(utAlice, 0, -5)), code: CodeInvalidExpiry},
		{
			// The clock is the largest time seen: a command stamped in the
			// past cannot arm a deadline the clock has already passed.
			name:  "deadline between the command's time and the clock",
			setup: func(w *utWorld) { w.must(Command{Kind: CmdTick, Time: utT0 + 100}) },
			cmd:   utConst(Command{Kind: CmdCancelAllAfter, Account: utAlice, ExpiresAt: utT0 + 80, Time: utT0 + 50}),
			code:  CodeInvalidExpiry,
		},
		utStale(CmdCancelAllAfter),

		// Firing.
		{
			name: "one nanosecond before, nothing", setup: utSteps(book, arm(utAlice, 0, utT0+100)), cmd: tick(utT0 + 99),
			kinds: []EventKind{}, check: fired(map[deadmanKey]int64{{utAlice, 0}: utT0 + 100}),
		},
		{
			name: "every market, by a tick at the deadline", setup: utSteps(book, arm(utAlice, 0, utT0+100)), cmd: tick(utT0 + 100),
			kinds: utKs(EvOrderCanceled, EvOrderCanceled, EvOrderCanceled, EvDeadmanSet, utBalEvs(3)),
			bals:  []utB{{utAlice, utBTC, utFundBTC, 0}, {utAlice, utUSD, utFundUSD, 0}, {utAlice, utETH, utFundETH, 0}},
			bids:  []Level{{995, 40, 1}}, asks: []Level{},
			check: fired(none, fire{utAlice, 0, []string{"a1", "a2", "a3"}}),
		},
		{
			name: "one market", setup: utSteps(book, arm(utAlice, utM1, utT0+100)), cmd: tick(utT0 + 100),
			kinds: utKs(EvOrderCanceled, EvOrderCanceled, EvDeadmanSet, utBalEvs(2)),
			bals:  []utB{{utAlice, utETH, utFundETH - 5, 5}, {utAlice, utUSD, utFundUSD, 0}},
			bids:  []Level{{995, 40, 1}}, asks: []Level{},
			check: fired(none, fire{utAlice, utM1, []string{"a1", "a3"}}),
		},
		{
			// A later command: the switch's phase, then the command's.
			name: "by a later command", setup: utSteps(book, arm(utAlice, utM2, utT0+100)),
			cmd:   utConst(Command{Kind: CmdDeposit, Account: utAlice, Asset: utETH, Amount: 1, Ref: utRef(900), Time: utT0 + 5000}),
			kinds: utKs(EvOrderCanceled, EvDeadmanSet, EvBalance, EvDeposited, EvBalance),
			bals:  []utB{{utAlice, utETH, utFundETH + 1, 0}}, market: utM2, asks: []Level{},
			check: fired(none, fire{utAlice, utM2, []string{"a2"}}),
		},
		{
			// It fires before validation, with the rejected command's Seq,
			// exactly as a tick would (the runner compares with one).
			name: "by a rejected command", setup: utSteps(book, arm(utAlice, 0, utT0+100)),
			cmd:  utConst(utMod(utLimit(utAlice, utM1, Buy, 0, 40), func(c *Command) { c.Time = utT0 + 100 })),
			code: CodeInvalidPrice, bals: []utB{{utAlice, utUSD, utFundUSD, 0}},
		},
		{
			// The switch fires before the command: a re-arm at the deadline
			// comes too late, and arms a new switch.
			name: "re-arming at the deadline is too late", setup: utSteps(book, arm(utAlice, 0, utT0+100)),
			cmd:   utConst(Command{Kind: CmdCancelAllAfter, Account: utAlice, ExpiresAt: utT0 + 200, Time: utT0 + 100}),
			kinds: utKs(EvOrderCanceled, EvOrderCanceled, EvOrderCanceled, EvDeadmanSet, utBalEvs(3), EvDeadmanSet),
			check: fired(map[deadmanKey]int64{{utAlice, 0}: utT0 + 200}, fire{utAlice, 0, []string{"a1", "a2", "a3"}}),
		},
		{
			name: "re-armed later, not yet", setup: utSteps(book, arm(utAlice, 0, utT0+100), arm(utAlice, 0, utT0+200)),
			cmd: tick(utT0 + 150), kinds: []EventKind{}, check: fired(map[deadmanKey]int64{{utAlice, 0}: utT0 + 200}),
		},
		{
			name: "disarmed, never", setup: utSteps(book, arm(utAlice, 0, utT0+100), arm(utAlice, 0, 0)),
			cmd: tick(utT0 + 1e12), kinds: []EventKind{}, check: fired(none),
		},
		{
			name: "no orders", setup: utSteps(book, arm(utCarol, 0, utT0+100)), cmd: tick(utT0 + 100),
			kinds: utKs(EvDeadmanSet), check: fired(none, fire{utCarol, 0, nil}),
		},
		{
			name: "halted market still cancelled",
			setup: utSteps(book, arm(utAlice, utM1, utT0+100), func(w *utWorld) {
				w.must(Command{Kind: CmdSetMarketStatus, Market: utM1, Status: Halted})
			}),
			cmd: tick(utT0 + 100), kinds: utKs(EvOrderCanceled, EvOrderCanceled, EvDeadmanSet, utBalEvs(2)),
			check: fired(none, fire{utAlice, utM1, []string{"a1", "a3"}}),
		},
		{
			// Deadline, then account, then market: (90, alice, M2),
			// (90, bob, M1), (100, alice, every market), then (100, alice,
			// M1) with nothing left; bob's M2 switch is not due.
			name: "several due: deadline, account, market order",
			setup: utSteps(book, arm(utAlice, 0, utT0+100), arm(utBob, utM1, utT0+90), arm(utAlice, utM2, utT0+90),
				arm(utAlice, utM1, utT0+100), arm(utBob, utM2, utT0+101)),
			cmd: tick(utT0 + 100),
			kinds: utKs(EvOrderCanceled, EvDeadmanSet, EvOrderCanceled, EvDeadmanSet, EvOrderCanceled, EvOrderCanceled, EvDeadmanSet,
				EvDeadmanSet, utBalEvs(4)),
			bids: []Level{}, asks: []Level{},
			check: fired(map[deadmanKey]int64{{utBob, utM2}: utT0 + 101},
				fire{utAlice, utM2, []string{"a2"}}, fire{utBob, utM1, []string{"b1"}},
				fire{utAlice, 0, []string{"a1", "a3"}}, fire{utAlice, utM1, nil}),
		},
		{
			// GTD expiries first, then the switch, one balance phase.
			name: "after the GTD expiries",
			setup: utSteps(book, utPlaced("g", utMod(utLimit(utAlice, utM1, Buy, 990, 40), func(c *Command) {
				c.TIF, c.ExpiresAt = GTD, utT0+100
			})), arm(utAlice, utM1, utT0+100)),
			cmd:   tick(utT0 + 100),
			kinds: utKs(EvOrderExpired, EvOrderCanceled, EvOrderCanceled, EvDeadmanSet, utBalEvs(2)),
			check: fired(none, fire{utAlice, utM1, []string{"a1", "a3"}}),
		},
	}
}

// TestPropDeadmanDueIsCheap: with many switches armed, commands before the
// earliest deadline do not touch them (the due check is the heap's top),
// and they fire in (deadline, account, market) order whatever order they
// were armed in.
func TestPropDeadmanDueIsCheap(t *testing.T) {
	w := utBare(t)
	const n = 200
	for range n {
		w.must(Command{Kind: CmdCreateAccount})
	}
	// Deadlines utT0+1000..utT0+1009, arming in a scrambled order.
	type sw struct {
		a  AccountID
		m  MarketID
		at int64
	}
	var want []sw
	for i := 0; i < n; i++ {
		a := AccountID(2 + (i*37)%n)
		at := utT0 + 1000 + int64((i*7)%10)
		w.must(utArm(a, 0, at))
		want = append(want, sw{a, 0, at})
	}
	if got := testing.AllocsPerRun(100, func() {
		w.e.deadmen.due(utT0 + 999)
	}); got != 0 {
		t.Errorf("due allocates %v", got)
	}
	evs := w.must(Command{Kind: CmdTick, Time: utT0 + 999})
	if len(evs) != 0 {
		t.Fatalf("events before the deadline: %v", utKinds(evs))
	}
	evs = w.must(Command{Kind: CmdTick, Time: utT0 + 2000})
	slices.SortFunc(want, func(x, y sw) int {
		if x.at != y.at {
			return int(x.at - y.at)
		}
		return int(x.a) - int(y.a)
	})
	if len(evs) != n {
		t.Fatalf("%d events, want %d", len(evs), n)
	}
	for i, ev := range evs {
		if ev.Kind != EvDeadmanSet || ev.Account != want[i].a || ev.Reason != ReasonDeadman {
			t.Fatalf("event %d: %+v, want account %d's switch", i, ev, want[i].a)
		}
	}
	if len(w.e.deadmen.items) != 0 || len(w.e.deadmen.pos) != 0 {
		t.Errorf("switches left: %d", len(w.e.deadmen.items))
	}
}

// TestPropDeadmanHeap arms, re-arms and disarms switches at random and
// checks the heap against a plain map after every step.
func TestPropDeadmanHeap(t *testing.T) {
	var h deadmanHeap
	want := map[deadmanKey]int64{}
	x := uint64(12345)
	rnd := func(n int) int {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(n))
	}
	for step := 0; step < 20_000; step++ {
		k := deadmanKey{AccountID(1 + rnd(20)), MarketID(rnd(4))}
		switch rnd(4) {
		case 0:
			h.remove(k)
			delete(want, k)
		case 1:
			if len(h.items) > 0 {
				top := h.items[0]
				for _, d := range h.items {
					if d.less(top) {
						t.Fatalf("step %d: top %+v is not the least (%+v)", step, top, d)
					}
				}
				if got := h.pop(); got != top {
					t.Fatalf("pop %+v, want %+v", got, top)
				}
				delete(want, top.deadmanKey)
			}
		default:
			at := int64(1 + rnd(50))
			h.set(k, at)
			want[k] = at
		}
		if len(h.items) != len(want) || len(h.pos) != len(want) {
			t.Fatalf("step %d: %d items, %d indexed, want %d", step, len(h.items), len(h.pos), len(want))
		}
		for i, d := range h.items {
			if h.pos[d.deadmanKey] != i || want[d.deadmanKey] != d.at || i > 0 && d.less(h.items[(i-1)/2]) {
				t.Fatalf("step %d: heap broken at %d", step, i)
			}
		}
	}
}

// TestDeadmanSnapshot: armed switches are part of the state: a snapshot
// holds them (format version 2), Restore brings them back, and both
// engines then fire the same way. Disarming them all writes version 1.
func TestDeadmanSnapshot(t *testing.T) {
	w := utNewWorld(t)
	w.place("a1", utLimit(utAlice, utM1, Buy, 1000, 40))
	w.place("a2", utLimit(utAlice, utM2, Sell, 10, 5))
	w.place("b1", utLimit(utBob, utM1, Buy, 995, 40))
	noSwitch := w.e.AppendSnapshot(nil)
	if v := binary.LittleEndian.Uint16(noSwitch[4:]); v != 1 {
		t.Fatalf("snapshot without switches has version %d, want 1", v)
	}
	w.must(utArm(utAlice, 0, utT0+300))
	w.must(utArm(utBob, utM1, utT0+200))
	w.must(utArm(utAlice, utM2, utT0+100))
	w.must(utArm(utCarol, utM1, utT0+5000))
	snap := w.e.AppendSnapshot(nil)
	if v := binary.LittleEndian.Uint16(snap[4:]); v != 2 {
		t.Fatalf("snapshot with switches has version %d, want 2", v)
	}
	r := mustRestore(t, snap)
	if !bytes.Equal(r.AppendSnapshot(nil), snap) || r.StateHash() != w.e.StateHash() {
		t.Fatal("restored engine differs")
	}
	for _, k := range []deadmanKey{{utAlice, 0}, {utBob, utM1}, {utAlice, utM2}, {utCarol, utM1}, {utCarol, 0}} {
		a1, ok1 := w.e.Deadman(k.account, k.market)
		a2, ok2 := r.Deadman(k.account, k.market)
		if a1 != a2 || ok1 != ok2 {
			t.Errorf("Deadman%v: %d %v, restored %d %v", k, a1, ok1, a2, ok2)
		}
	}
	// Switches fire identically on both, one by one.
	seq := w.seq
	for _, at := range []int64{utT0 + 100, utT0 + 200, utT0 + 300} {
		seq++
		c := Command{Kind: CmdTick, Seq: seq, Time: at}
		c2 := c
		a, b := w.e.Apply(&c, nil), r.Apply(&c2, nil)
		if !slices.Equal(a, b) || !utDeadmanFired(a) {
			t.Fatalf("tick at %d: events %v and %v", at, utKinds(a), utKinds(b))
		}
		if err := r.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
	}
	if w.e.StateHash() != r.StateHash() {
		t.Fatal("state hashes differ after firing")
	}
	seq++
	c := utArm(utCarol, utM1, 0)
	c.Seq, c.Time = seq, utT0+400
	w.e.Apply(&c, nil)
	if v := binary.LittleEndian.Uint16(w.e.AppendSnapshot(nil)[4:]); v != 1 {
		t.Errorf("snapshot after disarming every switch has version %d, want 1", v)
	}
}

// TestSnapshotV1StillLoads: a snapshot written by the engine before
// dead-man switches (testdata/snapshot_v1.bin, format version 1) loads,
// re-encodes to the same bytes and so keeps its StateHash; the restored
// engine can arm a switch (and then writes version 2).
func TestSnapshotV1StillLoads(t *testing.T) {
	old, err := os.ReadFile(filepath.Join("testdata", "snapshot_v1.bin"))
	if err != nil {
		t.Fatal(err)
	}
	const oldHash = "a04744deaeb50409581dd7a5ed304092371f00f7399f68a39ff1f4f5210bda3c"
	if sum := sha256.Sum256(old); hex.EncodeToString(sum[:]) != oldHash {
		t.Fatalf("testdata/snapshot_v1.bin changed")
	}
	e := mustRestore(t, old)
	if !bytes.Equal(e.AppendSnapshot(nil), old) {
		t.Fatal("a version 1 snapshot re-encodes differently")
	}
	if h := e.StateHash(); hex.EncodeToString(h[:]) != oldHash {
		t.Fatalf("StateHash of the old state changed")
	}
	c := utArm(2, 0, e.Now()+10)
	c.Seq, c.Time = e.LastSeq()+1, e.Now()
	if evs := e.Apply(&c, nil); len(evs) != 1 || evs[0].Kind != EvDeadmanSet {
		t.Fatalf("arming on the restored engine: %+v", evs)
	}
	snap := e.AppendSnapshot(nil)
	if v := binary.LittleEndian.Uint16(snap[4:]); v != 2 {
		t.Fatalf("version %d, want 2", v)
	}
	mustRestore(t, snap)

	// Not canonical or not known: version 2 without switches, version 1
	// with them, version 3 (sessions) without its session part, version 4.
	bad := bytes.Clone(old)
	binary.LittleEndian.PutUint16(bad[4:], 2)
	bad = binary.LittleEndian.AppendUint32(bad, 0)
	v1With := bytes.Clone(snap)
	binary.LittleEndian.PutUint16(v1With[4:], 1)
	v3 := bytes.Clone(old)
	binary.LittleEndian.PutUint16(v3[4:], 3)
	v4 := bytes.Clone(old)
	binary.LittleEndian.PutUint16(v4[4:], 4)
	for name, b := range map[string][]byte{"version 2 without switches": bad, "version 1 with switches": v1With, "version 3": v3, "version 4": v4} {
		if _, err := Restore(b); !errors.Is(err, ErrCorruptSnapshot) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A switch on an unknown account, an unknown market, out of order, or
	// past its deadline.
	for name, mod := range map[string]func([]byte){
		"unknown account": func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-16:], 999) },
		"unknown market":  func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-12:], 77) },
		"deadline passed": func(b []byte) { binary.LittleEndian.PutUint64(b[len(b)-8:], uint64(e.Now())) },
	} {
		b := bytes.Clone(snap)
		mod(b)
		if _, err := Restore(b); !errors.Is(err, ErrCorruptSnapshot) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
