package exchange_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// recording is a Projection that keeps the events it is given in memory,
// slowly if told to, and fails some writes: before storing (refused) or
// after (a lost reply). It checks that every write follows its checkpoint.
type recording struct {
	mu      sync.Mutex
	events  []engine.Event
	cp      uint64
	writes  int
	delay   time.Duration
	failN   int // every failN-th write fails (0: none)
	failed  int
	badBase int // writes that did not start right after the checkpoint
}

func (r *recording) Checkpoint(context.Context) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cp, nil
}

func (r *recording) Project(_ context.Context, first, last uint64, evs []engine.Event) error {
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	if first != r.cp+1 || len(evs) > 0 && evs[0].Seq < first || last < first {
		r.badBase++
	}
	fail := r.failN > 0 && r.writes%r.failN == 0
	if fail && r.writes%(2*r.failN) == 0 {
		r.failed++
		return errors.New("injected: refused")
	}
	r.events = append(r.events, evs...)
	r.cp = last
	if fail {
		r.failed++
		return errors.New("injected: reply lost")
	}
	return nil
}

func (r *recording) snapshot() ([]engine.Event, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]engine.Event(nil), r.events...), r.cp
}

// TestProjectorSeesEveryEventOnce: a projector that starts late catches up
// from the event log, follows the live batches, is cut off because it is
// slow and its queue tiny, fails writes both ways, and still ends with
// exactly the event log: every event once, in order.
func TestProjectorSeesEveryEventOnce(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
	st := exchange.Stores{
		Journal: redisstore.NewJournal(rdb, prefix+"journal", 0),
		Events:  redisstore.NewJournal(rdb, prefix+"events", 0),
	}
	eng := engine.New()
	s := exchange.NewSequencer(eng, st, exchange.Config{MaxBatch: 8, TickEvery: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	setup(t, s, 4)
	for i := range 200 { // before the projector starts: only in the log
		submit(t, s, order(i))
	}

	rec := &recording{delay: time.Millisecond, failN: 7}
	p := &exchange.Projector{Name: "recording", Projection: rec, Sequencer: s, QueueSize: 1, MaxEvents: 64,
		Events: redisstore.NewJournal(rdb, prefix+"events", 0), RetryEvery: time.Millisecond}
	pdone := make(chan error, 1)
	go func() { pdone <- p.Run(context.Background()) }()
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				submit(t, s, order(c*1000+i))
			}
		}()
	}
	wg.Wait()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	select {
	case err := <-pdone:
		if err != nil {
			t.Fatalf("projector: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the projector did not finish after the sequencer stopped")
	}
	got, cp := rec.snapshot()
	want := eventLogContents(t, st.Events)
	if cp != eng.LastSeq() || !reflect.DeepEqual(got, want) {
		t.Fatalf("projected %d events up to %d; the log holds %d up to %d", len(got), cp, len(want), eng.LastSeq())
	}
	if rec.badBase > 0 {
		t.Fatalf("%d writes did not follow the checkpoint", rec.badBase)
	}
	if s.CutOffs() == 0 || rec.failed == 0 {
		t.Fatalf("the test did not exercise what it is for: %d cut-offs, %d failed writes", s.CutOffs(), rec.failed)
	}
	t.Logf("%d events, %d writes, %d failed, %d cut-offs", len(got), rec.writes, rec.failed, s.CutOffs())
}

// order is the i-th of a stream of small resting and crossing orders.
func order(i int) engine.Command {
	return engine.Command{Kind: engine.CmdPlaceOrder, Account: engine.AccountID(2 + i%4), Market: 1,
		Side: engine.Side(1 + i%2), Type: engine.Limit, TIF: engine.GTC, Price: int64(95 + i%11), Size: int64(1 + i%3)}
}

// TestCheckCheckpoints: a projection ahead of the recovered journal stops
// the start with a message that names the fix.
func TestCheckCheckpoints(t *testing.T) {
	ok, ahead := &recording{cp: 10}, &recording{cp: 11}
	if err := exchange.CheckCheckpoints(context.Background(), 10, map[string]exchange.Checkpointer{"market data": ok}); err != nil {
		t.Fatalf("a projection at the journal's tip: %v", err)
	}
	err := exchange.CheckCheckpoints(context.Background(), 10, map[string]exchange.Checkpointer{"market data": ok, "SQL history": ahead})
	if !errors.Is(err, exchange.ErrCheckpointAhead) || !strings.Contains(err.Error(), "SQL history has projected up to sequence 11 but the recovered journal ends at 10") ||
		!strings.Contains(err.Error(), "restore the journal") {
		t.Fatalf("got %v", err)
	}
}

// TestShutdownDrainsTheInbox: commands waiting in the inbox when Run is
// told to stop are journaled and answered; after that Submit is refused.
func TestShutdownDrainsTheInbox(t *testing.T) {
	for _, jn := range journals {
		t.Run(jn.name, func(t *testing.T) {
			stall := make(chan struct{})
			j := &faultyJournal{Journal: jn.open(t)}
			eng := engine.New()
			s := exchange.NewSequencer(eng, exchange.Stores{Journal: j}, exchange.Config{MaxBatch: 16})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
			j.mu.Lock()
			j.stall = stall // the next append waits: the inbox fills behind it
			j.mu.Unlock()
			const n = 100
			results := make(chan error, n)
			for range n {
				go func() {
					_, err := s.Submit(context.Background(), engine.Command{Kind: engine.CmdCreateAccount})
					results <- err
				}()
			}
			time.Sleep(50 * time.Millisecond) // let them queue
			cancel()
			time.Sleep(20 * time.Millisecond) // Run sees the cancel while the append stalls
			j.mu.Lock()
			j.stall = nil
			j.mu.Unlock()
			close(stall)
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("Run: %v", err)
			}
			for range n {
				if err := <-results; err != nil {
					t.Errorf("a queued command was not drained: %v", err)
				}
			}
			if eng.Accounts() != n+2 { // the fee account, the first, and the drained
				t.Fatalf("%d accounts, want %d", eng.Accounts(), n+2)
			}
			if _, err := s.Submit(context.Background(), engine.Command{Kind: engine.CmdCreateAccount}); !errors.Is(err, exchange.ErrStopped) {
				t.Fatalf("Submit after stop: %v", err)
			}
			if replayed(t, j).StateHash() != eng.StateHash() {
				t.Fatal("the journal does not hold what was drained")
			}
		})
	}
}

// TestSnapshotsByTime: with a count that is never reached, a snapshot is
// still taken once the interval has passed.
func TestSnapshotsByTime(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
	st := exchange.Stores{Journal: redisstore.NewJournal(rdb, prefix+"journal", 0), Snapshots: redisstore.NewSnapshots(rdb, prefix+"snap", 0, 0)}
	s := exchange.NewSequencer(engine.New(), st, exchange.Config{SnapshotEvery: 1 << 40, SnapshotInterval: 30 * time.Millisecond, TickEvery: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if seqs, err := st.Snapshots.List(context.Background()); err == nil && len(seqs) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no snapshot by time")
		}
	}
}

// TestEventRetention: the event log is trimmed behind snapshots older than
// the retention, but never past a reader's checkpoint.
func TestEventRetention(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
	st := exchange.Stores{
		Journal:   redisstore.NewJournal(rdb, prefix+"journal", 0),
		Events:    redisstore.NewJournal(rdb, prefix+"events", 0),
		Snapshots: redisstore.NewSnapshots(rdb, prefix+"snap", 0, 0),
	}
	slow := &recording{cp: 40} // a projector stuck at 40
	run := func(readers []exchange.Checkpointer) {
		eng, err := exchange.Recover(context.Background(), st, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := exchange.NewSequencer(eng, st, exchange.Config{SnapshotEvery: 10, MaxBatch: 1, EventRetention: time.Nanosecond, EventReaders: readers})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		for range 100 {
			submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
		}
		cancel()
		<-done
	}
	first := func() uint64 {
		var f uint64
		stop := errors.New("stop")
		err := redisstore.NewJournal(rdb, prefix+"events", 0).Read(context.Background(), 0, func(first, _ uint64, _ []byte) error { f = first; return stop })
		if err != stop {
			t.Fatal(err)
		}
		return f
	}
	run([]exchange.Checkpointer{slow})
	if f := first(); f != 41 {
		t.Fatalf("with a reader at 40 the event log begins at %d, want 41", f)
	}
	run(nil)
	if f := first(); f <= 100 {
		t.Fatalf("without readers the event log still begins at %d after 200 commands", f)
	}
}
