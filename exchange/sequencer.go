package exchange

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lpx-exchange/lpx/engine"
)

// Errors a caller of Submit can get instead of a result.
var (
	// ErrOverloaded: the inbox is full; nothing was journaled. Retry later.
	ErrOverloaded = errors.New("exchange: overloaded")
	// ErrUnavailable: the journal could not store the command's batch;
	// nothing was applied and the command will never take effect.
	ErrUnavailable = errors.New("exchange: journal unavailable")
	// ErrStopped: the sequencer is not running.
	ErrStopped = errors.New("exchange: sequencer stopped")
)

// Config tunes a Sequencer. Zero values take the defaults.
type Config struct {
	InboxSize int           // commands waiting at most (default 65,536)
	MaxBatch  int           // commands per journal entry at most (default 1,024)
	TickEvery time.Duration // journal a tick after this long without a command (default 1 s)
	// RetryEvery is the pause between attempts to read the journal's tip
	// after an append error (default 100 ms).
	RetryEvery time.Duration
	// SnapshotEvery takes a snapshot after this many commands (default
	// 100,000), and KeepSnapshots keeps the newest ones (default 2); the
	// journal before the oldest kept is trimmed. A snapshot is also taken
	// when Run stops.
	SnapshotEvery uint64
	KeepSnapshots int
	// Now is the clock (default time.Now); commands are stamped with it.
	Now func() time.Time
	Log *slog.Logger
}

func (c *Config) defaults() {
	if c.InboxSize <= 0 {
		c.InboxSize = 1 << 16
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 1024
	}
	if c.TickEvery <= 0 {
		c.TickEvery = time.Second
	}
	if c.RetryEvery <= 0 {
		c.RetryEvery = 100 * time.Millisecond
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = 100_000
	}
	if c.KeepSnapshots <= 0 {
		c.KeepSnapshots = 2
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Result is the outcome of one journaled command: its sequence number and
// the events it produced (a rejection is an EvRejected event, not an
// error).
type Result struct {
	Seq    uint64
	Events []engine.Event
}

type request struct {
	cmd  engine.Command
	done chan outcome // buffered: the sequencer never blocks on a caller
}

type outcome struct {
	res Result
	err error
}

// Sequencer owns the engine: one goroutine (Run) takes commands from a
// bounded inbox in batches, stamps each with the next sequence number and
// the time, appends the batch to the journal, and only then applies it and
// answers the callers. A caller that got a Result has its command in the
// journal, so in the state after any crash.
type Sequencer struct {
	cfg      Config
	eng      *engine.Engine
	journal  Journal
	events   Journal   // the event log; nil for none
	snaps    Snapshots // nil for none
	inbox    chan *request
	stopped  chan struct{}
	snapAt   uint64 // seq of the last snapshot taken
	eventsAt uint64 // seq up to which the event log holds the events
	snapBuf  []byte

	// Owned by Run.
	batch    []*request
	cmds     []engine.Command
	buf      []byte
	out      []engine.Event
	batchEvs []engine.Event
	evBuf    []byte
}

// NewSequencer returns a sequencer for eng, which must already hold
// everything in the journal (see Recover); it continues from
// eng.LastSeq()+1. The event log, if any, has the journal's shape: one entry
// of encoded events (engine.AppendEventBatch) per journal batch, under the
// same sequence range, and Recover has brought it up to eng too.
func NewSequencer(eng *engine.Engine, st Stores, cfg Config) *Sequencer {
	cfg.defaults()
	return &Sequencer{
		cfg: cfg, eng: eng, journal: st.Journal, events: st.Events, snaps: st.Snapshots,
		inbox:    make(chan *request, cfg.InboxSize),
		stopped:  make(chan struct{}),
		snapAt:   eng.LastSeq(),
		eventsAt: eng.LastSeq(),
	}
}

// snapshotDue reports whether a snapshot may be taken now: the event log,
// if any, must hold everything the snapshot would (a crash must be able to
// regenerate the log from the journal after the snapshot).
func (s *Sequencer) snapshotDue(every uint64) bool {
	last := s.eng.LastSeq()
	return s.snaps != nil && last-s.snapAt >= every && last > s.snapAt && (s.events == nil || s.eventsAt == last)
}

// Submit journals and applies cmd (its Seq and Time are stamped by the
// sequencer) and returns its result. ErrOverloaded means the inbox was full
// and nothing happened; ErrUnavailable that the journal refused and nothing
// happened; a context error that the caller stopped waiting, in which case
// the command may or may not take effect.
func (s *Sequencer) Submit(ctx context.Context, cmd engine.Command) (Result, error) {
	r := &request{cmd: cmd, done: make(chan outcome, 1)}
	select {
	case <-s.stopped:
		return Result{}, ErrStopped
	default:
	}
	select {
	case s.inbox <- r:
	default:
		return Result{}, ErrOverloaded
	}
	select {
	case o := <-r.done:
		return o.res, o.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-s.stopped:
		// Run answers everything it took before stopping; a request still in
		// the inbox was never journaled.
		select {
		case o := <-r.done:
			return o.res, o.err
		default:
			return Result{}, ErrStopped
		}
	}
}

// Run is the sequencer's goroutine. It returns when ctx is done, after
// answering every command it has taken and taking a snapshot; commands
// left in the inbox are answered ErrStopped (they were never journaled).
func (s *Sequencer) Run(ctx context.Context) error {
	defer func() {
		if s.snapshotDue(1) {
			s.snapshot(context.WithoutCancel(ctx))
		}
		close(s.stopped)
		for {
			select {
			case r := <-s.inbox:
				r.done <- outcome{err: ErrStopped}
			default:
				return
			}
		}
	}()
	idle := time.NewTimer(s.cfg.TickEvery)
	defer idle.Stop()
	for {
		s.batch = s.batch[:0]
		select {
		case <-ctx.Done():
			return ctx.Err()
		case r := <-s.inbox:
			s.batch = append(s.batch, r)
		drain:
			for len(s.batch) < s.cfg.MaxBatch {
				select {
				case r := <-s.inbox:
					s.batch = append(s.batch, r)
				default:
					break drain
				}
			}
		case <-idle.C:
			// A quiet market: journal a tick so that time-driven rules fire.
		}
		if err := s.process(ctx); err != nil {
			return err
		}
		if s.snapshotDue(s.cfg.SnapshotEvery) {
			s.snapshot(ctx)
		}
		idle.Reset(s.cfg.TickEvery)
	}
}

// process journals, applies and answers the current batch (an empty batch
// is one tick).
func (s *Sequencer) process(ctx context.Context) error {
	first := s.eng.LastSeq() + 1
	now := s.cfg.Now().UnixNano()
	s.cmds = s.cmds[:0]
	if len(s.batch) == 0 {
		s.cmds = append(s.cmds, engine.Command{Kind: engine.CmdTick})
	}
	for _, r := range s.batch {
		s.cmds = append(s.cmds, r.cmd)
	}
	for i := range s.cmds {
		s.cmds[i].Seq, s.cmds[i].Time = first+uint64(i), now
	}
	last := first + uint64(len(s.cmds)) - 1
	s.buf = engine.AppendCommandBatch(s.buf[:0], s.cmds)

	stored, err := s.append(ctx, first, last)
	if err != nil {
		return err
	}
	if !stored {
		for _, r := range s.batch {
			r.done <- outcome{err: ErrUnavailable}
		}
		return nil // the same sequence numbers go to the next batch
	}
	s.batchEvs = s.batchEvs[:0]
	for i := range s.cmds {
		s.out = s.eng.Apply(&s.cmds[i], s.out[:0])
		if s.events != nil {
			s.batchEvs = append(s.batchEvs, s.out...)
		}
		if i < len(s.batch) {
			evs := make([]engine.Event, len(s.out))
			copy(evs, s.out)
			s.batch[i].done <- outcome{res: Result{Seq: s.cmds[i].Seq, Events: evs}}
		}
	}
	if s.events == nil {
		return nil
	}
	s.evBuf = engine.AppendEventBatch(s.evBuf[:0], s.batchEvs)
	return s.appendEvents(ctx, first, last)
}

// appendEvents writes the applied batch's events to the event log, after
// the callers have their answers. It retries until the log holds them (a
// lost reply shows in its tip); a log that is not right behind the batch
// is an error that stops the sequencer, never a silent gap.
func (s *Sequencer) appendEvents(ctx context.Context, first, last uint64) error {
	for {
		err := s.events.Append(ctx, first, last, s.evBuf)
		if err == nil {
			s.eventsAt = last
			return nil
		}
		_, tip, ok, terr := s.events.Tip(ctx)
		switch {
		case terr != nil:
		case ok && tip >= last:
			s.eventsAt = last
			return nil // stored; the reply was lost
		case (ok && tip != first-1) || (!ok && first != 1):
			return fmt.Errorf("exchange: event log at %d (ok %v) cannot take batch %d-%d: %w", tip, ok, first, last, err)
		}
		s.cfg.Log.Warn("event log append failed; retrying", "first", first, "last", last, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.cfg.RetryEvery):
		}
	}
}

// append journals the current batch and reports whether it is stored. After
// an append error it asks the journal's tip, retrying until the journal
// answers, because a lost reply may hide a stored batch: the batch is
// stored exactly when the tip has reached last.
func (s *Sequencer) append(ctx context.Context, first, last uint64) (bool, error) {
	err := s.journal.Append(ctx, first, last, s.buf)
	if err == nil {
		return true, nil
	}
	var ns interface{ NotStored() bool }
	if errors.As(err, &ns) && ns.NotStored() {
		s.cfg.Log.Warn("journal append refused", "first", first, "last", last, "err", err)
		return false, nil
	}
	s.cfg.Log.Warn("journal append failed; reading the tip", "first", first, "last", last, "err", err)
	for {
		_, tip, ok, terr := s.journal.Tip(ctx)
		if terr == nil {
			switch {
			case ok && tip >= last:
				if tip > last {
					return false, fmt.Errorf("exchange: journal tip %d is past the batch %d-%d: another writer?", tip, first, last)
				}
				return true, nil
			default:
				return false, nil
			}
		}
		s.cfg.Log.Warn("journal tip unreadable; retrying", "err", terr)
		s.refuseQueued()
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(s.cfg.RetryEvery):
		}
	}
}

// refuseQueued answers ErrUnavailable to every command waiting in the
// inbox while the journal is out of reach: none of them was journaled, so
// none will ever take effect, and their callers need not wait.
func (s *Sequencer) refuseQueued() {
	for {
		select {
		case r := <-s.inbox:
			r.done <- outcome{err: ErrUnavailable}
		default:
			return
		}
	}
}

// snapshot saves the engine's state, keeps the newest KeepSnapshots and
// trims the journal before the oldest kept. The event log already holds
// everything up to the snapshot (it is written before this runs). A failure
// is logged and retried at the next interval: the journal still holds
// everything since the last good snapshot.
func (s *Sequencer) snapshot(ctx context.Context) {
	seq := s.eng.LastSeq()
	s.snapBuf = s.eng.AppendSnapshot(s.snapBuf[:0])
	if err := s.snaps.Save(ctx, seq, s.snapBuf); err != nil {
		s.cfg.Log.Warn("snapshot failed", "seq", seq, "err", err)
		return
	}
	s.snapAt = seq
	seqs, err := s.snaps.List(ctx)
	if err != nil || len(seqs) == 0 {
		s.cfg.Log.Warn("snapshot list failed", "err", err)
		return
	}
	for len(seqs) > s.cfg.KeepSnapshots {
		if err := s.snaps.Delete(ctx, seqs[0]); err != nil {
			s.cfg.Log.Warn("snapshot delete failed", "seq", seqs[0], "err", err)
			return
		}
		seqs = seqs[1:]
	}
	if err := s.journal.Trim(ctx, seqs[0]+1); err != nil {
		s.cfg.Log.Warn("journal trim failed", "before", seqs[0]+1, "err", err)
	}
}

// Recover builds the engine at start-up: the newest snapshot that loads
// (older ones if it is damaged), then the journal after it, filling the
// event log as it goes. It fails loudly when the journal does not follow
// on from the snapshot.
func Recover(ctx context.Context, st Stores, log *slog.Logger) (*engine.Engine, error) {
	if log == nil {
		log = slog.Default()
	}
	eng := engine.New()
	if st.Snapshots != nil {
		seqs, err := st.Snapshots.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("exchange: snapshots: %w", err)
		}
		for i := len(seqs) - 1; i >= 0; i-- {
			data, err := st.Snapshots.Load(ctx, seqs[i])
			if err == nil {
				var restored *engine.Engine
				if restored, err = engine.Restore(data); err == nil {
					eng = restored
					break
				}
			}
			log.Warn("snapshot unusable; trying an older one", "seq", seqs[i], "err", err)
		}
	}
	if _, err := Replay(ctx, eng, st.Journal, st.Events); err != nil {
		return nil, err
	}
	return eng, nil
}

// Replay applies to eng every journaled command after eng.LastSeq(), as at
// start-up after loading the newest snapshot, and returns how many it
// applied. It fails on a gap between the engine and the journal. With an
// event log (events, nil for none), the events of every batch beyond the
// log's tip are appended to it as they are regenerated, so the log has no
// gap after a crash; the log must not be behind the snapshot (snapshots
// are taken only up to what it holds).
func Replay(ctx context.Context, eng *engine.Engine, j Journal, events Journal) (int, error) {
	var cmds []engine.Command
	var out, batchEvs []engine.Event
	var evBuf []byte
	var eventTip uint64
	if events != nil {
		_, last, ok, err := events.Tip(ctx)
		if err != nil {
			return 0, fmt.Errorf("exchange: event log tip: %w", err)
		}
		if !ok && eng.LastSeq() > 0 || ok && last < eng.LastSeq() {
			return 0, fmt.Errorf("exchange: the event log ends at %d, before the state at %d: it cannot be regenerated from the journal", last, eng.LastSeq())
		}
		eventTip = last
	}
	n := 0
	err := j.Read(ctx, eng.LastSeq(), func(first, last uint64, data []byte) error {
		var err error
		if cmds, err = engine.DecodeCommandBatch(data, cmds[:0]); err != nil {
			return fmt.Errorf("exchange: journal batch %d-%d: %w", first, last, err)
		}
		if uint64(len(cmds)) != last-first+1 {
			return fmt.Errorf("exchange: journal batch %d-%d holds %d commands", first, last, len(cmds))
		}
		for i := range cmds {
			seq := cmds[i].Seq
			if seq != first+uint64(i) {
				return fmt.Errorf("exchange: journal batch %d-%d: command %d has seq %d", first, last, i, seq)
			}
			if seq <= eng.LastSeq() {
				continue // the snapshot already holds it
			}
			if seq != eng.LastSeq()+1 {
				return fmt.Errorf("exchange: the journal resumes at %d but the state is at %d", seq, eng.LastSeq())
			}
			out = eng.Apply(&cmds[i], out[:0])
			batchEvs = append(batchEvs, out...)
			n++
		}
		if events != nil && last > eventTip {
			evBuf = engine.AppendEventBatch(evBuf[:0], batchEvs)
			if err := events.Append(ctx, first, last, evBuf); err != nil {
				return fmt.Errorf("exchange: event log: %w", err)
			}
			eventTip = last
		}
		batchEvs = batchEvs[:0]
		return nil
	})
	return n, err
}
