package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/redis/go-redis/v9"
)

// redisJournal is a journal in the test Redis, under a key of the test's own.
func redisJournal(t testing.TB) exchange.Journal {
	rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
	return redisstore.NewJournal(rdb, prefix+"journal", 2*time.Second)
}

// fileJournal is the embedded mode's journal in a directory of the test's.
func fileJournal(t testing.TB) exchange.Journal {
	j, err := filejournal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// journals are both kinds, for the tests that must hold on each.
var journals = []struct {
	name string
	open func(testing.TB) exchange.Journal
}{{"redis", redisJournal}, {"file", fileJournal}}

// faultyJournal wraps a real journal to inject faults: a reply lost after
// the batch was stored, an append refused before anything was stored, or a
// stall until released.
type faultyJournal struct {
	exchange.Journal
	mu          sync.Mutex
	loseReplies int           // the next n appends store, then report an error
	refuse      int           // the next n appends report an error without storing
	stall       chan struct{} // when set, appends wait for it to close
}

func (f *faultyJournal) Append(ctx context.Context, first, last uint64, data []byte) error {
	f.mu.Lock()
	stall := f.stall
	lose, refuse := f.loseReplies > 0, f.refuse > 0 && f.loseReplies == 0
	if lose {
		f.loseReplies--
	} else if refuse {
		f.refuse--
	}
	f.mu.Unlock()
	if stall != nil {
		<-stall
	}
	if refuse {
		return errors.New("injected: connection reset before sending")
	}
	err := f.Journal.Append(ctx, first, last, data)
	if lose && err == nil {
		return errors.New("injected: reply lost")
	}
	return err
}

// start runs a sequencer over a fresh engine and j; stop ends it and returns
// the engine (safe to read only then).
func start(t *testing.T, j exchange.Journal, cfg exchange.Config) (*exchange.Sequencer, func() *engine.Engine) {
	t.Helper()
	eng := engine.New()
	s := exchange.NewSequencer(eng, exchange.Stores{Journal: j}, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	stopped := false
	stop := func() *engine.Engine {
		if !stopped {
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run: %v", err)
			}
			stopped = true
		}
		return eng
	}
	t.Cleanup(func() { stop() })
	return s, stop
}

func submit(t testing.TB, s *exchange.Sequencer, c engine.Command) exchange.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Submit(ctx, c)
	if err != nil {
		t.Fatalf("submit %s: %v", c.Kind, err)
	}
	return res
}

// setup creates ACME/EUR and n funded accounts (2..n+1) through s.
func setup(t testing.TB, s *exchange.Sequencer, n int) {
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	submit(t, s, engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme})
	submit(t, s, engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})
	submit(t, s, engine.Command{Kind: engine.CmdCreateMarket, Base: 1, Quote: 2, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20})
	for i := range n {
		submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
		a := engine.AccountID(i + 2)
		submit(t, s, engine.Command{Kind: engine.CmdDeposit, Account: a, Asset: 1, Amount: 1e9, Ref: engine.Ref{1, byte(i)}})
		submit(t, s, engine.Command{Kind: engine.CmdDeposit, Account: a, Asset: 2, Amount: 1e12, Ref: engine.Ref{2, byte(i)}})
	}
}

// replayed rebuilds the state from the journal alone.
func replayed(t *testing.T, j exchange.Journal) *engine.Engine {
	t.Helper()
	eng := engine.New()
	if _, err := exchange.Replay(context.Background(), eng, j, nil); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if err := eng.CheckInvariants(); err != nil {
		t.Fatalf("replayed state: %v", err)
	}
	return eng
}

// TestSequencerAnswersOnlyWhatIsJournaled drives concurrent callers and
// checks that every answer has its own sequence number and that the journal
// alone rebuilds exactly the live state.
func TestSequencerAnswersOnlyWhatIsJournaled(t *testing.T) {
	for _, kind := range journals {
		t.Run(kind.name, func(t *testing.T) { testAnswersOnlyWhatIsJournaled(t, kind.open(t)) })
	}
}

func testAnswersOnlyWhatIsJournaled(t *testing.T, j exchange.Journal) {
	s, stop := start(t, j, exchange.Config{})
	setup(t, s, 8)
	const callers, each = 8, 300
	seqs := make(chan uint64, callers*each)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				side := engine.Buy
				if i%2 == 1 {
					side = engine.Sell
				}
				res, err := s.Submit(context.Background(), engine.Command{
					Kind: engine.CmdPlaceOrder, Account: engine.AccountID(2 + c), Market: 1,
					Side: side, Type: engine.Limit, TIF: engine.GTC, Price: int64(95 + i%10), Size: int64(1 + i%7),
				})
				if err != nil {
					t.Errorf("submit: %v", err)
					return
				}
				if len(res.Events) == 0 || res.Events[0].Seq != res.Seq {
					t.Errorf("result %d carries events of another command", res.Seq)
				}
				seqs <- res.Seq
			}
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[uint64]bool{}
	for seq := range seqs {
		if seen[seq] {
			t.Fatalf("sequence number %d answered twice", seq)
		}
		seen[seq] = true
	}
	live := stop()
	if got, want := replayed(t, j).StateHash(), live.StateHash(); got != want {
		t.Fatal("the journal does not rebuild the live state")
	}
}

// TestSequencerLostReply: a batch whose reply is lost but which is stored is
// applied and answered once; a batch refused before it was stored is
// answered unavailable, applied nowhere, and its sequence numbers are reused.
func TestSequencerLostReply(t *testing.T) {
	for _, kind := range journals {
		t.Run(kind.name, func(t *testing.T) { testLostReply(t, kind.open(t)) })
	}
}

func testLostReply(t *testing.T, j exchange.Journal) {
	f := &faultyJournal{Journal: j}
	s, stop := start(t, f, exchange.Config{})
	setup(t, s, 1)
	before := submit(t, s, engine.Command{Kind: engine.CmdCreateAccount}).Seq

	f.mu.Lock()
	f.loseReplies = 1
	f.mu.Unlock()
	res := submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
	if res.Seq != before+1 || res.Events[0].Kind != engine.EvAccountCreated {
		t.Fatalf("lost reply: seq %d events %v", res.Seq, res.Events)
	}

	f.mu.Lock()
	f.refuse = 1
	f.mu.Unlock()
	if _, err := s.Submit(context.Background(), engine.Command{Kind: engine.CmdCreateAccount}); !errors.Is(err, exchange.ErrUnavailable) {
		t.Fatalf("refused append: %v, want ErrUnavailable", err)
	}
	next := submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
	if next.Seq != res.Seq+1 {
		t.Fatalf("after an unavailable batch the next command got seq %d, want %d reused", next.Seq, res.Seq+1)
	}
	live := stop()
	rebuilt := replayed(t, f.Journal)
	if rebuilt.StateHash() != live.StateHash() || rebuilt.Accounts() != live.Accounts() {
		t.Fatalf("journal and live state differ: %d and %d accounts", rebuilt.Accounts(), live.Accounts())
	}
	// setup made fee + 1, then: before, the lost-reply one, next; the refused
	// one exists nowhere.
	if live.Accounts() != 5 {
		t.Fatalf("%d accounts, want 5", live.Accounts())
	}
}

// TestSequencerOverloaded: with the journal stalled, a full inbox answers
// overloaded at once instead of growing; released, everything taken is
// answered.
func TestSequencerOverloaded(t *testing.T) {
	f := &faultyJournal{Journal: redisJournal(t)}
	s, _ := start(t, f, exchange.Config{InboxSize: 4, MaxBatch: 1})
	stall := make(chan struct{})
	f.mu.Lock()
	f.stall = stall
	f.mu.Unlock()
	// Submit one command at a time until one is refused: each is either
	// answered at once (overloaded) or left waiting.
	var pending []chan error
	deadline := time.Now().Add(5 * time.Second)
	for overloaded := false; !overloaded; {
		if time.Now().After(deadline) {
			t.Fatal("the inbox never filled")
		}
		ch := make(chan error, 1)
		go func() {
			_, err := s.Submit(context.Background(), engine.Command{Kind: engine.CmdCreateAccount})
			ch <- err
		}()
		select {
		case err := <-ch:
			if !errors.Is(err, exchange.ErrOverloaded) {
				t.Fatalf("answered while the journal is stalled: %v", err)
			}
			overloaded = true
		case <-time.After(50 * time.Millisecond):
			pending = append(pending, ch)
		}
	}
	// One taken by the stalled sequencer (batches of one), four queued.
	if len(pending) != 5 {
		t.Fatalf("%d commands waiting when the inbox of 4 filled, want 5", len(pending))
	}
	f.mu.Lock()
	f.stall = nil
	f.mu.Unlock()
	close(stall)
	for _, ch := range pending {
		if err := <-ch; err != nil {
			t.Fatalf("a taken command: %v", err)
		}
	}
}

// TestSequencerTicksOnQuietMarkets: with no commands, ticks are journaled
// and a GTD order expires on time.
func TestSequencerTicksOnQuietMarkets(t *testing.T) {
	j := redisJournal(t)
	s, stop := start(t, j, exchange.Config{TickEvery: 20 * time.Millisecond})
	setup(t, s, 1)
	res := submit(t, s, engine.Command{Kind: engine.CmdPlaceOrder, Account: 2, Market: 1, Side: engine.Buy,
		Type: engine.Limit, TIF: engine.GTD, Price: 100, Size: 1, ExpiresAt: time.Now().Add(60 * time.Millisecond).UnixNano()})
	if res.Events[0].Kind != engine.EvOrderAccepted {
		t.Fatalf("GTD order: %v", res.Events[0].Code)
	}
	id := res.Events[0].Order
	time.Sleep(300 * time.Millisecond)
	live := stop()
	if _, ok := live.Order(id); ok {
		t.Fatal("the GTD order did not expire on a quiet market")
	}
	ticks := 0
	var cmds []engine.Command
	if err := j.Read(context.Background(), 0, func(first, last uint64, data []byte) error {
		var err error
		cmds, err = engine.DecodeCommandBatch(data, cmds[:0])
		for _, c := range cmds {
			if c.Kind == engine.CmdTick {
				ticks++
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if ticks < 5 {
		t.Fatalf("%d ticks journaled in 300 ms at one per 20 ms", ticks)
	}
	if replayed(t, j).StateHash() != live.StateHash() {
		t.Fatal("the journal does not rebuild the live state")
	}
}

// TestReplayResumesFromSnapshot: a restart from a snapshot replays only
// what follows it and reaches the same state as a replay from scratch.
func TestReplayResumesFromSnapshot(t *testing.T) {
	j := redisJournal(t)
	s, stop := start(t, j, exchange.Config{})
	setup(t, s, 3)
	live := stop()
	snap := live.AppendSnapshot(nil)

	s2 := exchange.NewSequencer(live, exchange.Stores{Journal: j}, exchange.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s2.Run(ctx) }()
	for i := range 20 {
		submit(t, s2, engine.Command{Kind: engine.CmdPlaceOrder, Account: 2, Market: 1, Side: engine.Sell,
			Type: engine.Limit, TIF: engine.GTC, Price: int64(100 + i), Size: 1})
	}
	cancel()
	<-done

	restored, err := engine.Restore(snap)
	if err != nil {
		t.Fatal(err)
	}
	n, err := exchange.Replay(context.Background(), restored, j, nil)
	if err != nil || n < 20 {
		t.Fatalf("replay after the snapshot: %d commands, %v", n, err)
	}
	if restored.StateHash() != live.StateHash() || replayed(t, j).StateHash() != live.StateHash() {
		t.Fatal("snapshot + replay, replay from scratch and the live state differ")
	}
}

// TestSequencerRedisOutage kills the journal's Redis mid-load: callers get
// unavailable (or, for a batch whose fate was unknown, their real outcome
// once Redis is back), nothing unjournaled is applied, and after Redis
// returns the exchange resumes by itself with no gap in sequence numbers.
func TestSequencerRedisOutage(t *testing.T) {
	own := servicetest.StartRedis(t)
	rdb := redis.NewClient(redisstore.JournalOptions(&redis.Options{Addr: own.Addr, DialTimeout: 200 * time.Millisecond}))
	defer rdb.Close()
	j := redisstore.NewJournal(rdb, "journal", 500*time.Millisecond)
	s, stop := start(t, j, exchange.Config{RetryEvery: 50 * time.Millisecond})
	setup(t, s, 1)

	var mu sync.Mutex
	answered := map[uint64]bool{}
	unavailable := 0
	load := func(n int) {
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				res, err := s.Submit(ctx, engine.Command{Kind: engine.CmdCreateAccount})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					answered[res.Seq] = true
				case errors.Is(err, exchange.ErrUnavailable):
					unavailable++
				default:
					t.Errorf("submit: %v", err)
				}
			}()
		}
		wg.Wait()
	}
	load(50)
	own.Stop()
	outage := make(chan struct{})
	go func() { load(50); close(outage) }()
	time.Sleep(500 * time.Millisecond)
	own.Start()
	<-outage
	load(50)

	if unavailable == 0 {
		t.Fatal("no caller was told unavailable during the outage")
	}
	// Answered sequence numbers run from the setup's to the last with no gap.
	var max uint64
	for seq := range answered {
		if seq > max {
			max = seq
		}
	}
	first := max - uint64(len(answered)) + 1
	for seq := first; seq <= max; seq++ {
		if !answered[seq] {
			t.Fatalf("sequence number %d missing among the answered (%d..%d)", seq, first, max)
		}
	}
	live := stop()
	if live.LastSeq() != max {
		t.Fatalf("engine at %d, last answer %d", live.LastSeq(), max)
	}
	if replayed(t, j).StateHash() != live.StateHash() {
		t.Fatal("the journal does not rebuild the live state after the outage")
	}
}

// eventLogContents decodes a whole event log.
func eventLogContents(t *testing.T, events exchange.Journal) []engine.Event {
	t.Helper()
	var all []engine.Event
	err := events.Read(context.Background(), 0, func(first, last uint64, data []byte) error {
		var err error
		n := len(all)
		if all, err = engine.DecodeEventBatch(data, all); err != nil {
			return err
		}
		for _, ev := range all[n:] {
			if ev.Seq < first || ev.Seq > last {
				return fmt.Errorf("event of %d in batch %d-%d", ev.Seq, first, last)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("event log: %v", err)
	}
	return all
}

// regenerated replays the journal on a fresh engine into a fresh event log
// and returns its events: what the event log must hold.
func regenerated(t *testing.T, j exchange.Journal) []engine.Event {
	t.Helper()
	fresh := redisJournal(t)
	if _, err := exchange.Replay(context.Background(), engine.New(), j, fresh); err != nil {
		t.Fatalf("regenerating events: %v", err)
	}
	return eventLogContents(t, fresh)
}

// TestEventLogFollowsJournal: every applied batch's events land in the
// event log under its sequence range, exactly what replay regenerates.
func TestEventLogFollowsJournal(t *testing.T) {
	j, events := redisJournal(t), redisJournal(t)
	eng := engine.New()
	s := exchange.NewSequencer(eng, exchange.Stores{Journal: j, Events: events}, exchange.Config{TickEvery: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	setup(t, s, 2)
	for i := range 30 {
		submit(t, s, engine.Command{Kind: engine.CmdPlaceOrder, Account: engine.AccountID(2 + i%2), Market: 1,
			Side: engine.Side(1 + i%2), Type: engine.Limit, TIF: engine.GTC, Price: 100, Size: 1})
	}
	time.Sleep(50 * time.Millisecond) // a few ticks
	cancel()
	<-done
	got, want := eventLogContents(t, events), regenerated(t, j)
	if len(got) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("event log holds %d events, replay regenerates %d, or they differ", len(got), len(want))
	}
	// Ticks have no events, but their batches are in the log too: its tip is
	// the state's.
	if _, tip, ok, err := events.Tip(context.Background()); err != nil || !ok || tip != eng.LastSeq() {
		t.Fatalf("event log tip %d (ok %v, err %v), the state at %d", tip, ok, err, eng.LastSeq())
	}
}

// TestReplayFillsTheEventLog: after a crash that came before the last
// batches' events were written, replay appends exactly those: the log ends
// with no gap and no duplicate.
func TestReplayFillsTheEventLog(t *testing.T) {
	j, events := redisJournal(t), redisJournal(t)
	eng := engine.New()
	run := func(ev exchange.Journal, n int) {
		s := exchange.NewSequencer(eng, exchange.Stores{Journal: j, Events: ev}, exchange.Config{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		if eng.LastSeq() == 0 {
			setup(t, s, 1)
		}
		for range n {
			submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
		}
		cancel()
		<-done
	}
	run(events, 10)
	tipBefore := eventLogContents(t, events)
	run(nil, 10) // journaled and applied, but its events never written: the crash
	restarted := engine.New()
	if _, err := exchange.Replay(context.Background(), restarted, j, events); err != nil {
		t.Fatal(err)
	}
	got := eventLogContents(t, events)
	if len(got) <= len(tipBefore) || !reflect.DeepEqual(got, regenerated(t, j)) {
		t.Fatalf("after replay the event log holds %d events (had %d)", len(got), len(tipBefore))
	}
	if restarted.StateHash() != eng.StateHash() {
		t.Fatal("replay did not rebuild the state")
	}
}

// TestSnapshotsTrimAndRecover: snapshots every 25 commands, the newest two
// kept, the journal trimmed behind them; recovery from the newest equals
// the live state and a replay from the oldest kept; a damaged newest
// snapshot falls back to the older one.
func TestSnapshotsTrimAndRecover(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
	st := exchange.Stores{
		Journal:   redisstore.NewJournal(rdb, prefix+"journal", 0),
		Events:    redisstore.NewJournal(rdb, prefix+"events", 0),
		Snapshots: redisstore.NewSnapshots(rdb, prefix+"snap", 64, 0),
	}
	eng := engine.New()
	s := exchange.NewSequencer(eng, st, exchange.Config{SnapshotEvery: 25, KeepSnapshots: 2, MaxBatch: 4})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	setup(t, s, 2)
	var last uint64
	for i := range 120 {
		last = submit(t, s, engine.Command{Kind: engine.CmdPlaceOrder, Account: engine.AccountID(2 + i%2), Market: 1,
			Side: engine.Side(1 + i%2), Type: engine.Limit, TIF: engine.GTC, Price: int64(90 + i%20), Size: 1}).Seq
	}
	// Answers come before a batch's events are written; a snapshot at
	// shutdown is taken only once the event log holds everything, so wait
	// for it here.
	// (A reader of its own: a Journal serves one goroutine.)
	eventsReader := redisstore.NewJournal(rdb, prefix+"events", 0)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, tip, ok, _ := eventsReader.Tip(context.Background()); ok && tip >= last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the event log never caught up")
		}
	}
	cancel()
	<-done // a last snapshot at shutdown

	seqs, err := st.Snapshots.List(context.Background())
	if err != nil || len(seqs) != 2 || seqs[1] != eng.LastSeq() {
		t.Fatalf("snapshots %v (err %v), state at %d", seqs, err, eng.LastSeq())
	}
	if err := st.Journal.Read(context.Background(), 1, func(uint64, uint64, []byte) error { return nil }); !errors.Is(err, redisstore.ErrSequenceGap) {
		t.Fatalf("the journal before the oldest snapshot is still there: %v", err)
	}
	recovered, err := exchange.Recover(context.Background(), st, nil)
	if err != nil || recovered.StateHash() != eng.StateHash() {
		t.Fatalf("recover: %v", err)
	}
	oldestData, err := st.Snapshots.Load(context.Background(), seqs[0])
	if err != nil {
		t.Fatal(err)
	}
	fromOldest, err := engine.Restore(oldestData)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exchange.Replay(context.Background(), fromOldest, st.Journal, nil); err != nil || fromOldest.StateHash() != eng.StateHash() {
		t.Fatalf("replay from the oldest kept snapshot: %v", err)
	}
	// Damage the newest snapshot: recovery falls back to the older one.
	rdb.Set(context.Background(), fmt.Sprintf("%ssnap:%d:0", prefix, seqs[1]), "damaged", 0)
	recovered, err = exchange.Recover(context.Background(), st, nil)
	if err != nil || recovered.StateHash() != eng.StateHash() {
		t.Fatalf("recover past a damaged snapshot: %v", err)
	}
}

// TestSequencerRead: a read sees every command answered before it, runs
// between batches while callers submit, and is refused once Run stopped.
func TestSequencerRead(t *testing.T) {
	s, stop := start(t, fileJournal(t), exchange.Config{})
	setup(t, s, 1)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				submit(t, s, engine.Command{Kind: engine.CmdDeposit, Account: 2, Asset: 1, Amount: 1, Ref: engine.Ref{9, byte(i), byte(j)}})
			}
		}()
	}
	for range 50 {
		var avail int64
		if err := s.Read(t.Context(), func(e *engine.Engine) { avail, _ = e.Balance(2, 1) }); err != nil {
			t.Fatalf("Read: %v", err)
		}
		if avail < 1e9 || avail > 1e9+200 {
			t.Fatalf("balance read %d, want between 1e9 and 1e9+200", avail)
		}
	}
	wg.Wait()
	var avail int64
	if err := s.Read(t.Context(), func(e *engine.Engine) { avail, _ = e.Balance(2, 1) }); err != nil || avail != 1e9+200 {
		t.Fatalf("after every deposit answered: balance %d, %v; want %d", avail, err, int64(1e9+200))
	}
	stop()
	if err := s.Read(t.Context(), func(*engine.Engine) { t.Error("read ran after stop") }); !errors.Is(err, exchange.ErrStopped) {
		t.Fatalf("Read after stop: %v, want ErrStopped", err)
	}
}
