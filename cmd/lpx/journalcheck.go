package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
)

// journalCheck is what verifyJournal found.
type journalCheck struct {
	From        uint64 // the snapshot the replay started from; 0: the first command
	First, Last uint64 // the sequence numbers replayed (0, 0: none)
	Batches     int    // batches replayed (some or all of their commands)
	Commands    int
	StateHash   [32]byte // at Last
	Snapshots   []uint64 // stored, oldest first
	Checked     []uint64 // those whose state hash the replay matched
	Unchecked   []uint64 // stored, but before the replay's start
	// EventBatches is how many batches of the event log were compared
	// with the events the replay regenerated; EventsTo is where the event
	// log ends (0: empty or none).
	EventBatches int
	EventsTo     uint64
	HasEvents    bool     // there is an event log
	Invariants   int      // how many times the invariants were checked
	Problems     []string // what failed; empty: the journal is sound
}

// maxProblems bounds the problems listed one by one.
const maxProblems = 20

func (v *journalCheck) problem(format string, args ...any) {
	if len(v.Problems) == maxProblems {
		v.Problems = append(v.Problems, "(further problems not listed)")
	}
	if len(v.Problems) < maxProblems {
		v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
	}
}

// verifyJournal replays the whole journal of st through a fresh engine (from
// the first command, or, when the journal before it was trimmed, from the
// oldest snapshot it follows on from), checking that the batches follow
// each other, that every stored snapshot's state hash equals the replayed
// engine's at its sequence number, that the event log holds exactly the
// events the replay regenerates wherever it holds a batch, and that the
// engine's invariants (conservation of every asset among them) hold every
// checkEvery commands, at each snapshot and at the end. It changes
// nothing; the stores must not be written meanwhile (a journal that
// grows is reported).
func verifyJournal(ctx context.Context, st exchange.Stores, checkEvery int) *journalCheck {
	v := &journalCheck{}
	_, tip, hasTip, err := st.Journal.Tip(ctx)
	if err != nil {
		v.problem("the journal's tip cannot be read: %v", err)
		return v
	}
	if st.Snapshots != nil {
		if v.Snapshots, err = st.Snapshots.List(ctx); err != nil {
			v.problem("the snapshots cannot be listed: %v", err)
			return v
		}
	}
	r := &replayer{v: v, st: st, checkEvery: checkEvery}
	if st.Events != nil {
		v.HasEvents = true
		r.events = readEvents(ctx, st.Events)
	}
	if hasTip {
		if err := st.Journal.Read(ctx, 0, func(first, last uint64, data []byte) error { return r.batch(ctx, first, last, data) }); err != nil {
			v.problem("journal: %v", err)
		}
	}
	if r.eng != nil && len(v.Problems) == 0 {
		v.StateHash = r.eng.StateHash()
		r.checkInvariants()
	}
	for _, s := range v.Snapshots[r.next:] {
		if r.failed {
			break // the replay stopped early: later snapshots are unchecked, not wrong
		}
		v.problem("snapshot %d is past the journal's end at %d: the journal lost batches (or is not this snapshot's exchange's)", s, v.Last)
	}
	if r.events != nil {
		r.finishEvents()
	}
	switch _, after, ok, err := st.Journal.Tip(ctx); {
	case err != nil:
		v.problem("the journal's tip cannot be read again: %v", err)
	case ok != hasTip || after != tip:
		v.problem("the journal changed from seq %d to %d while it was verified: a server is writing it; stop it first", tip, after)
	case hasTip && !r.failed && v.Last != tip:
		v.problem("the replay ended at seq %d, the journal's tip is %d", v.Last, tip)
	}
	return v
}

// replayer is verifyJournal's state while it reads the journal.
type replayer struct {
	v          *journalCheck
	st         exchange.Stores
	checkEvery int
	eng        *engine.Engine // nil until the first batch
	prevLast   uint64
	next       int  // index in v.Snapshots of the next one to check
	since      int  // commands since the invariants were last checked
	failed     bool // the replay stopped on a problem
	events     *eventReader
	eventsOff  bool // the event log stopped lining up: no more comparisons
	cmds       []engine.Command
	out, evs   []engine.Event
	evBuf      []byte
}

// batch replays one journal batch; an error stops the replay.
func (r *replayer) batch(ctx context.Context, first, last uint64, data []byte) (err error) {
	defer func() { r.failed = r.failed || err != nil }()
	if r.eng == nil {
		if err := r.begin(ctx, first); err != nil {
			return err
		}
	} else if first != r.prevLast+1 {
		return fmt.Errorf("batch %d-%d follows one ending at %d", first, last, r.prevLast)
	}
	r.prevLast = last
	if r.cmds, err = engine.DecodeCommandBatch(data, r.cmds[:0]); err != nil {
		return fmt.Errorf("batch %d-%d: %w", first, last, err)
	}
	if uint64(len(r.cmds)) != last-first+1 {
		return fmt.Errorf("batch %d-%d holds %d commands", first, last, len(r.cmds))
	}
	whole := first > r.eng.LastSeq() // no command of it is in the snapshot replayed from
	if last <= r.eng.LastSeq() {
		return nil // all in the snapshot replayed from
	}
	r.evs = r.evs[:0]
	for i := range r.cmds {
		seq := r.cmds[i].Seq
		switch {
		case seq != first+uint64(i):
			return fmt.Errorf("batch %d-%d: command %d has seq %d", first, last, i, seq)
		case seq <= r.eng.LastSeq():
			continue // in the snapshot replayed from
		case seq != r.eng.LastSeq()+1:
			return fmt.Errorf("the journal resumes at %d but the state is at %d", seq, r.eng.LastSeq())
		}
		r.out = r.eng.Apply(&r.cmds[i], r.out[:0])
		r.evs = append(r.evs, r.out...)
		r.v.Commands++
		if r.v.First == 0 {
			r.v.First = seq
		}
		r.v.Last = seq
		r.since++
		if r.next < len(r.v.Snapshots) && r.v.Snapshots[r.next] == seq {
			r.next++
			r.checkSnapshot(ctx, seq)
			if !r.checkInvariants() {
				return errors.New("stopped")
			}
		} else if r.checkEvery > 0 && r.since >= r.checkEvery && !r.checkInvariants() {
			return errors.New("stopped")
		}
	}
	r.v.Batches++
	if whole && r.events != nil && !r.eventsOff {
		r.evBuf = engine.AppendEventBatch(r.evBuf[:0], r.evs)
		r.compareEvents(first, last)
	}
	return nil
}

// begin sets up the engine the replay starts from: a fresh one when the
// journal begins at the first command, else the oldest snapshot that the
// journal follows on from (taken on trust: what led to it was trimmed).
func (r *replayer) begin(ctx context.Context, first uint64) error {
	v := r.v
	if first == 1 {
		r.eng = engine.New()
	} else {
		for _, s := range v.Snapshots {
			if s+1 < first {
				continue // the journal after it is trimmed too
			}
			data, err := r.st.Snapshots.Load(ctx, s)
			if err != nil {
				v.problem("snapshot %d cannot be loaded: %v", s, err)
				continue
			}
			eng, err := engine.Restore(data)
			switch {
			case err != nil:
				v.problem("snapshot %d does not decode: %v", s, err)
				continue
			case eng.LastSeq() != s:
				v.problem("snapshot %d holds the state at seq %d", s, eng.LastSeq())
				continue
			case eng.StateHash() != sha256.Sum256(data):
				v.problem("snapshot %d is not in the canonical encoding", s)
			}
			r.eng, v.From = eng, s
			break
		}
		if r.eng == nil {
			return fmt.Errorf("it begins at seq %d (the part before was trimmed) and no stored snapshot at or after seq %d loads: there is nothing to replay from", first, first-1)
		}
	}
	v.Last = r.eng.LastSeq()
	for r.next < len(v.Snapshots) && v.Snapshots[r.next] <= r.eng.LastSeq() {
		switch s := v.Snapshots[r.next]; {
		case s == r.eng.LastSeq() && first == 1:
			r.checkSnapshot(ctx, s) // a snapshot of the empty exchange
		case s < r.eng.LastSeq():
			v.Unchecked = append(v.Unchecked, s)
		}
		r.next++
	}
	return nil
}

// checkSnapshot compares the stored snapshot at seq with the engine,
// which has just applied seq.
func (r *replayer) checkSnapshot(ctx context.Context, seq uint64) {
	data, err := r.st.Snapshots.Load(ctx, seq)
	if err != nil {
		r.v.problem("snapshot %d cannot be loaded: %v", seq, err)
		return
	}
	stored, replayed := sha256.Sum256(data), r.eng.StateHash()
	if stored != replayed {
		r.v.problem("snapshot %d has state hash %x, but the journal replayed to seq %d gives %x", seq, stored, seq, replayed)
		return
	}
	r.v.Checked = append(r.v.Checked, seq)
}

// checkInvariants runs the engine's invariant checks (conservation among
// them) and reports whether they hold.
func (r *replayer) checkInvariants() bool {
	r.since = 0
	r.v.Invariants++
	if err := r.eng.CheckInvariants(); err != nil {
		r.v.problem("after seq %d the state breaks an invariant: %v", r.eng.LastSeq(), err)
		return false
	}
	return true
}

// compareEvents compares the event log's batch first..last, if it holds
// it, with the events the replay regenerated (r.evBuf).
func (r *replayer) compareEvents(first, last uint64) {
	for {
		b, ok := r.events.peek()
		switch {
		case !ok, b.first > last:
			return // the log ends before this batch, or begins after it
		case b.last < first && r.v.EventBatches == 0:
			r.events.take() // before the replay's start
			continue
		case b.first != first || b.last != last:
			r.v.problem("the event log's batch %d-%d does not line up with the journal's batch %d-%d", b.first, b.last, first, last)
			r.eventsOff = true
			return
		}
		r.events.take()
		if !bytes.Equal(b.data, r.evBuf) {
			r.v.problem("the event log's batch %d-%d differs from the events the journal regenerates", first, last)
			return
		}
		r.v.EventBatches++
		return
	}
}

// finishEvents reads the rest of the event log, which must not go past
// the journal, and records where it ends.
func (r *replayer) finishEvents() {
	for !r.failed && !r.eventsOff {
		b, ok := r.events.peek()
		if !ok {
			break
		}
		r.events.take()
		if b.last > r.v.Last {
			r.v.problem("the event log holds batch %d-%d, past the journal's end at %d", b.first, b.last, r.v.Last)
			break
		}
	}
	r.v.EventsTo = r.events.last
	if err := r.events.stop(); err != nil && !r.failed && !r.eventsOff {
		r.v.problem("event log: %v", err)
	}
}

// eventBatch is one batch of the event log.
type eventBatch struct {
	first, last uint64
	data        []byte
}

// eventReader reads an event log in a goroutine of its own, so that it
// is compared with the journal as both are read, a batch at a time.
type eventReader struct {
	ch     chan eventBatch
	cancel context.CancelFunc
	err    error // Read's, once ch is closed
	head   *eventBatch
	closed bool
	last   uint64 // the last sequence number taken
}

// readEvents starts reading the event log j from its beginning.
func readEvents(ctx context.Context, j exchange.Journal) *eventReader {
	ctx, cancel := context.WithCancel(ctx)
	e := &eventReader{ch: make(chan eventBatch, 64), cancel: cancel}
	go func() {
		defer close(e.ch)
		e.err = j.Read(ctx, 0, func(first, last uint64, data []byte) error {
			select {
			case e.ch <- eventBatch{first, last, slices.Clone(data)}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return e
}

// peek returns the next batch without taking it; ok false at the end.
func (e *eventReader) peek() (eventBatch, bool) {
	if e.head == nil && !e.closed {
		if b, ok := <-e.ch; ok {
			e.head = &b
		} else {
			e.closed = true
		}
	}
	if e.head == nil {
		return eventBatch{}, false
	}
	return *e.head, true
}

// take consumes the batch peek returned.
func (e *eventReader) take() {
	if e.head != nil {
		e.last = e.head.last
		e.head = nil
	}
}

// stop ends the reading and returns its error (nil if it read to the
// end; a context error if it was stopped before).
func (e *eventReader) stop() error {
	e.cancel()
	for range e.ch {
	}
	return e.err
}

// print writes the summary of a check.
func (v *journalCheck) print(w io.Writer) {
	switch {
	case v.Commands == 0 && v.From == 0:
		fmt.Fprintln(w, "journal: empty: nothing is journaled there (is it the server's --data-dir, or --redis-url and --key-prefix?)")
	case v.Commands == 0:
		fmt.Fprintf(w, "journal: nothing after snapshot %d, where it ends\n", v.From)
	case v.From == 0:
		fmt.Fprintf(w, "journal: %d batches, %d commands, seq %d to %d, replayed from the first command\n", v.Batches, v.Commands, v.First, v.Last)
	default:
		fmt.Fprintf(w, "journal: %d batches, %d commands, seq %d to %d, replayed from snapshot %d (the journal before it is trimmed: that snapshot is taken on trust)\n",
			v.Batches, v.Commands, v.First, v.Last, v.From)
	}
	if v.Last > 0 && len(v.Problems) == 0 {
		fmt.Fprintf(w, "state hash at seq %d: %x\n", v.Last, v.StateHash)
	}
	fmt.Fprintf(w, "snapshots: %d stored, %d checked against the replay %v", len(v.Snapshots), len(v.Checked), v.Checked)
	if len(v.Unchecked) > 0 {
		fmt.Fprintf(w, ", %d before the replay's start not checked %v", len(v.Unchecked), v.Unchecked)
	}
	fmt.Fprintln(w)
	switch {
	case !v.HasEvents:
		fmt.Fprintln(w, "event log: none")
	case v.EventsTo < v.Last:
		fmt.Fprintf(w, "event log: %d batches equal to the regenerated events; it ends at seq %d, before the journal (the next start regenerates the rest)\n", v.EventBatches, v.EventsTo)
	default:
		fmt.Fprintf(w, "event log: %d batches equal to the regenerated events\n", v.EventBatches)
	}
	fmt.Fprintf(w, "invariants (conservation of every asset, holds, books): checked %d times\n", v.Invariants)
}
