package exchange

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"
)

// Checkpointer is anything that reads the event log and remembers how far
// it got (a projector): the event log is never trimmed past it.
type Checkpointer interface {
	// Checkpoint is the sequence number up to which the reader has
	// processed the events (0 for none).
	Checkpoint(ctx context.Context) (uint64, error)
}

// snapshotJob is one encoded snapshot to save; done, if not nil, is told
// once it is stored (or refused).
type snapshotJob struct {
	seq  uint64
	at   time.Time
	data []byte
	done chan<- snapshotResult
}

// snapshotWriter saves snapshots in its own goroutine, so that a slow
// store never stalls matching, then keeps the newest KeepSnapshots, trims
// the journal before the oldest kept, and trims the event log as the
// retention allows. Two buffers alternate between the sequencer, which
// encodes into one, and the writer, which saves the other.
type snapshotWriter struct {
	st    Stores
	cfg   *Config
	jobs  chan snapshotJob
	free  chan []byte
	done  chan struct{}
	marks []snapshotJob // seq and time of the snapshots taken (no data), oldest first
}

func newSnapshotWriter(st Stores, cfg *Config) *snapshotWriter {
	w := &snapshotWriter{st: st, cfg: cfg, jobs: make(chan snapshotJob, 1), free: make(chan []byte, 2), done: make(chan struct{})}
	w.free <- nil
	w.free <- nil
	return w
}

// buffer returns a free buffer to encode into; when both are in use (the
// writer is still saving) it waits for one if told to, else reports false.
func (w *snapshotWriter) buffer(wait bool) ([]byte, bool) {
	if wait {
		return <-w.free, true
	}
	select {
	case b := <-w.free:
		return b, true
	default:
		return nil, false
	}
}

// stop waits until every handed snapshot is written.
func (w *snapshotWriter) stop() {
	close(w.jobs)
	<-w.done
}

func (w *snapshotWriter) run() {
	defer close(w.done)
	for job := range w.jobs {
		err := w.save(job)
		if job.done != nil {
			r := snapshotResult{info: SnapshotInfo{Seq: job.seq, StateHash: sha256.Sum256(job.data)}}
			if err != nil {
				r.err = fmt.Errorf("%w: snapshot %d: %w", ErrSnapshotNotStored, job.seq, err)
			}
			job.done <- r
		}
		w.free <- job.data
	}
}

// save writes one snapshot and trims what it makes unnecessary. A failure
// to save is logged and returned, and the next snapshot tries again: the
// journal still holds everything since the last good one. Failures to
// prune after a stored snapshot are only logged.
func (w *snapshotWriter) save(job snapshotJob) error {
	ctx := context.Background()
	log := w.cfg.Log
	if err := w.st.Snapshots.Save(ctx, job.seq, job.data); err != nil {
		log.Warn("snapshot failed", "seq", job.seq, "err", err)
		return err
	}
	w.marks = append(w.marks, snapshotJob{seq: job.seq, at: job.at})
	seqs, err := w.st.Snapshots.List(ctx)
	if err != nil || len(seqs) == 0 {
		log.Warn("snapshot list failed", "err", err)
		return nil
	}
	for len(seqs) > w.cfg.KeepSnapshots {
		if err := w.st.Snapshots.Delete(ctx, seqs[0]); err != nil {
			log.Warn("snapshot delete failed", "seq", seqs[0], "err", err)
			return nil
		}
		seqs = seqs[1:]
	}
	if err := w.st.Journal.Trim(ctx, seqs[0]+1); err != nil {
		log.Warn("journal trim failed", "before", seqs[0]+1, "err", err)
	}
	if w.st.Events != nil {
		w.trimEvents(ctx, job.at)
	}
	return nil
}

// trimEvents drops the event log up to the newest snapshot older than the
// retention, but never past a reader's checkpoint.
func (w *snapshotWriter) trimEvents(ctx context.Context, now time.Time) {
	var upTo uint64
	n := 0
	for n < len(w.marks) && now.Sub(w.marks[n].at) >= w.cfg.EventRetention {
		upTo = w.marks[n].seq
		n++
	}
	if n == 0 {
		return
	}
	w.marks = w.marks[n-1:] // the newest old mark stays for the next time
	for _, r := range w.cfg.EventReaders {
		cp, err := r.Checkpoint(ctx)
		if err != nil {
			w.cfg.Log.Warn("event log not trimmed: a reader's checkpoint is unreadable", "err", err)
			return
		}
		upTo = min(upTo, cp)
	}
	if upTo == 0 {
		return
	}
	if err := w.st.Events.Trim(ctx, upTo+1); err != nil {
		w.cfg.Log.Warn("event log trim failed", "before", upTo+1, "err", err)
	}
}
