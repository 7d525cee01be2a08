package exchange

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/lpx-exchange/lpx/engine"
)

// A Projection keeps a view of the event log in a store: market data in
// Redis, history in SQL. It is written through exactly once per sequence
// number: each Project call stores its events and the new checkpoint
// atomically, so after a crash the projector resumes right after what the
// store holds.
type Projection interface {
	Checkpointer
	// Project stores the events of the commands first to last (the
	// batches right after the checkpoint: first is the checkpoint + 1), and
	// last as the new checkpoint: all of it or nothing. A store may refuse
	// a range that does not start right after its checkpoint (the SQL
	// history does). After an error
	// the projector reads the checkpoint again (the write may have landed)
	// and retries what is still missing.
	Project(ctx context.Context, first, last uint64, events []engine.Event) error
}

// Projector feeds a Projection: it catches up from the event log, then
// follows the sequencer's live batches, and goes back to the log whenever
// it falls behind (its subscription cut off) or its store fails.
type Projector struct {
	Name       string
	Projection Projection
	// Events reads the event log: a Journal of the projector's own (a
	// redisstore.Journal serves one goroutine), on the same log the
	// sequencer writes.
	Events    Journal
	Sequencer *Sequencer
	// Snapshots, for a Projection that is a Seeder: when it starts from
	// nothing and the event log no longer begins at 1, it is seeded from
	// the newest snapshot instead.
	Snapshots Snapshots
	// MaxEvents bounds the events of one Project call (default 8,192);
	// QueueSize the batches of its subscription (default 1,024).
	MaxEvents  int
	QueueSize  int
	RetryEvery time.Duration // default 200 ms
	Log        *slog.Logger

	checkpoint atomic.Uint64
	evs        []engine.Event
}

// A Seeder is a Projection that can start from a snapshot of the state
// instead of from the first event: Seed stores what the projection needs
// of eng (the state as of seq) and seq as its checkpoint.
type Seeder interface {
	Seed(ctx context.Context, seq uint64, eng *engine.Engine) error
}

// ErrCheckpointAhead: a projection holds events that the journal does not;
// starting would skip or reuse sequence numbers.
var ErrCheckpointAhead = errors.New("exchange: a projection's checkpoint is ahead of the journal")

// CheckCheckpoints refuses to start when a projection's checkpoint is
// beyond the recovered state (the journal lost acknowledged batches, or
// the projection belongs to another exchange), with a message that names
// the fix.
func CheckCheckpoints(ctx context.Context, lastSeq uint64, named map[string]Checkpointer) error {
	for name, c := range named {
		cp, err := c.Checkpoint(ctx)
		if err != nil {
			return fmt.Errorf("exchange: %s checkpoint: %w", name, err)
		}
		if cp > lastSeq {
			return fmt.Errorf("%w: %s has projected up to sequence %d but the recovered journal ends at %d: "+
				"the journal lost acknowledged batches, or %s belongs to another exchange; "+
				"restore the journal (Redis with its AOF, or the data directory's journal files), "+
				"or, if %s is the stray one, delete it so that it is rebuilt from the event log",
				ErrCheckpointAhead, name, cp, lastSeq, name, name)
		}
	}
	return nil
}

// Checkpoint is how far the projector has got, as of its last write.
func (p *Projector) Checkpoint() uint64 { return p.checkpoint.Load() }

func (p *Projector) defaults() {
	if p.MaxEvents <= 0 {
		p.MaxEvents = 8192
	}
	if p.QueueSize <= 0 {
		p.QueueSize = 1024
	}
	if p.RetryEvery <= 0 {
		p.RetryEvery = 200 * time.Millisecond
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	p.Log = p.Log.With("projector", p.Name)
}

// Run projects until ctx is done, or, once the sequencer has stopped,
// until the projection holds the whole event log. Failures of the store or
// the log are logged and retried; Run returns only ctx's error, nil after
// the sequencer stopped, or ErrCheckpointAhead.
func (p *Projector) Run(ctx context.Context) error {
	p.defaults()
	for {
		err := p.session(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, errSequencerStopped):
			return nil
		case errors.Is(err, ErrCheckpointAhead):
			return err
		case err != nil:
			p.Log.Warn("projector failed; starting again from its checkpoint", "err", err)
			if !sleep(ctx, p.RetryEvery) {
				return ctx.Err()
			}
		}
	}
}

var errSequencerStopped = errors.New("exchange: sequencer stopped")

// CatchUp projects what the event log holds after the projection's
// checkpoint and returns the new checkpoint, with no sequencer (Sequencer
// may be nil): for rebuilding a projection while the exchange is stopped.
func (p *Projector) CatchUp(ctx context.Context) (uint64, error) {
	p.defaults()
	cp, err := p.resume(ctx)
	if err != nil {
		return cp, err
	}
	return p.catchUp(ctx, cp)
}

// resume reads the projection's checkpoint, checks it against the event
// log, and seeds a projection that holds nothing if the log needs it.
func (p *Projector) resume(ctx context.Context) (uint64, error) {
	cp, err := p.Projection.Checkpoint(ctx)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	p.checkpoint.Store(cp)
	_, tip, ok, err := p.Events.Tip(ctx)
	if err != nil {
		return cp, fmt.Errorf("event log tip: %w", err)
	}
	if cp > 0 && (!ok || tip < cp) {
		return cp, fmt.Errorf("%w: %s is at %d, the event log ends at %d", ErrCheckpointAhead, p.Name, cp, tip)
	}
	if cp == 0 {
		return p.seed(ctx)
	}
	return cp, nil
}

// session reads the checkpoint, subscribes, catches up from the log and
// follows the live batches until something breaks the chain.
func (p *Projector) session(ctx context.Context) error {
	// Subscribe before reading the log: a batch is published only after
	// the log holds it, so every batch is in one or the other.
	sub := p.Sequencer.Subscribe(p.QueueSize)
	defer sub.Close()
	cp, err := p.resume(ctx)
	if err != nil {
		return err
	}
	if cp, err = p.catchUp(ctx, cp); err != nil {
		return err
	}
	for {
		b, open := <-sub.C
		if !open {
			if sub.CutOff() {
				p.Log.Info("fell behind the sequencer; catching up from the event log", "checkpoint", cp)
				return nil
			}
			if _, err := p.catchUp(ctx, p.checkpoint.Load()); err != nil {
				return err
			}
			return errSequencerStopped
		}
		if b.Last <= cp {
			continue
		}
		if b.First != cp+1 {
			return fmt.Errorf("live batch %d-%d does not follow the checkpoint %d", b.First, b.Last, cp)
		}
		p.evs = append(p.evs[:0], b.Events...)
		last := b.Last
	more: // take what else is queued, within MaxEvents
		for len(p.evs) < p.MaxEvents {
			select {
			case b, open := <-sub.C:
				if !open {
					break more // seen again at the top of the loop
				}
				p.evs = append(p.evs, b.Events...)
				last = b.Last
			default:
				break more
			}
		}
		if err := p.project(ctx, cp, last); err != nil {
			return err
		}
		cp = last
	}
}

// seed starts a projection that holds nothing: from the beginning of the
// event log if it has it all, or else, for a Seeder, from the newest
// snapshot.
func (p *Projector) seed(ctx context.Context) (uint64, error) {
	first := uint64(0)
	stop := errors.New("stop")
	err := p.Events.Read(ctx, 0, func(f, _ uint64, _ []byte) error { first = f; return stop })
	if err != nil && err != stop {
		return 0, fmt.Errorf("event log: %w", err)
	}
	if first <= 1 {
		return 0, nil
	}
	seeder, ok := p.Projection.(Seeder)
	if !ok || p.Snapshots == nil {
		return 0, fmt.Errorf("%s holds nothing and the event log begins at %d: it cannot be rebuilt from the log", p.Name, first)
	}
	seqs, err := p.Snapshots.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("snapshots: %w", err)
	}
	for i := len(seqs) - 1; i >= 0 && seqs[i] >= first-1; i-- {
		data, err := p.Snapshots.Load(ctx, seqs[i])
		if err != nil {
			p.Log.Warn("snapshot unusable for seeding", "seq", seqs[i], "err", err)
			continue
		}
		eng, err := engine.Restore(data)
		if err != nil {
			p.Log.Warn("snapshot unusable for seeding", "seq", seqs[i], "err", err)
			continue
		}
		if err := seeder.Seed(ctx, seqs[i], eng); err != nil {
			return 0, fmt.Errorf("seeding from snapshot %d: %w", seqs[i], err)
		}
		p.Log.Info("seeded from a snapshot", "seq", seqs[i])
		p.checkpoint.Store(seqs[i])
		return seqs[i], nil
	}
	return 0, fmt.Errorf("%s holds nothing, the event log begins at %d and no snapshot at or after %d loads", p.Name, first, first-1)
}

// catchUp projects the event log after cp, in writes of at most MaxEvents
// events, and returns the new checkpoint.
func (p *Projector) catchUp(ctx context.Context, cp uint64) (uint64, error) {
	p.evs = p.evs[:0]
	last := cp
	err := p.Events.Read(ctx, cp, func(first, l uint64, data []byte) error {
		if first != last+1 {
			return fmt.Errorf("event log batch %d-%d does not follow %d", first, l, last)
		}
		var err error
		if p.evs, err = engine.DecodeEventBatch(data, p.evs); err != nil {
			return fmt.Errorf("event log batch %d-%d: %w", first, l, err)
		}
		last = l
		if len(p.evs) >= p.MaxEvents {
			if err := p.project(ctx, cp, last); err != nil {
				return err
			}
			cp = last
			p.evs = p.evs[:0]
		}
		return nil
	})
	if err != nil {
		return cp, fmt.Errorf("catching up from %d: %w", cp, err)
	}
	if last > cp {
		if err := p.project(ctx, cp, last); err != nil {
			return cp, err
		}
	}
	return last, nil
}

// project writes p.evs (the batches cp+1..last), retrying until the store
// holds them: after a failure the checkpoint says whether the write landed.
func (p *Projector) project(ctx context.Context, cp, last uint64) error {
	for {
		err := p.Projection.Project(ctx, cp+1, last, p.evs)
		if err == nil {
			p.checkpoint.Store(last)
			return nil
		}
		p.Log.Warn("projection write failed; retrying", "last", last, "err", err)
		if !sleep(ctx, p.RetryEvery) {
			return ctx.Err()
		}
		now, cerr := p.Projection.Checkpoint(ctx)
		switch {
		case cerr != nil:
			p.Log.Warn("projection checkpoint unreadable", "err", cerr)
		case now >= last:
			p.checkpoint.Store(now)
			return nil // the write landed; its reply was lost
		case now != cp:
			return fmt.Errorf("projection checkpoint moved to %d while writing %d-%d: another writer?", now, cp+1, last)
		}
	}
}

// sleep waits d, or reports false when ctx is done first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
