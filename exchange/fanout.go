package exchange

import (
	"sync"
	"sync/atomic"

	"github.com/lpx-exchange/lpx/engine"
)

// Batch is the events of one applied journal batch: the commands First to
// Last. Subscribers share Events and must not change them.
type Batch struct {
	First, Last uint64
	Events      []engine.Event
}

// Subscription receives, in order, the batches the sequencer applies after
// it subscribed, once the event log holds them. Its queue is bounded: when
// the subscriber falls so far behind that the queue is full, the sequencer
// never waits for it; it closes C and counts the subscriber as cut off. A
// projector then catches up from the event log; a WebSocket client is
// disconnected and resynchronises from a snapshot.
type Subscription struct {
	C <-chan Batch

	c      chan Batch
	fanout *fanout
	cut    atomic.Bool
}

// CutOff reports whether the sequencer closed C because the queue was full
// (rather than because of Close or the sequencer stopping).
func (s *Subscription) CutOff() bool { return s.cut.Load() }

// Close ends the subscription; C is closed.
func (s *Subscription) Close() { s.fanout.remove(s) }

// fanout hands each applied batch to the in-process subscribers.
type fanout struct {
	mu      sync.Mutex
	subs    []*Subscription
	stopped bool
	cutOffs atomic.Uint64
}

// Subscribe returns a subscription with a queue of size batches (at least
// 1). After the sequencer stops, its C is closed at once.
func (s *Sequencer) Subscribe(size int) *Subscription {
	return s.fanout.add(size)
}

// CutOffs counts the subscribers cut off for being slow since the start.
func (s *Sequencer) CutOffs() uint64 { return s.fanout.cutOffs.Load() }

func (f *fanout) add(size int) *Subscription {
	c := make(chan Batch, max(size, 1))
	sub := &Subscription{C: c, c: c, fanout: f}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		close(c)
		return sub
	}
	f.subs = append(f.subs, sub)
	return sub
}

func (f *fanout) remove(sub *Subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.subs {
		if s == sub {
			f.subs = append(f.subs[:i], f.subs[i+1:]...)
			close(sub.c)
			return
		}
	}
}

// active reports whether anyone listens, so that the sequencer copies
// events only for someone.
func (f *fanout) active() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs) > 0
}

// publish offers b to every subscriber without waiting; a full queue cuts
// its subscriber off.
func (f *fanout) publish(b Batch) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.subs[:0]
	for _, s := range f.subs {
		select {
		case s.c <- b:
			kept = append(kept, s)
		default:
			s.cut.Store(true)
			close(s.c)
			f.cutOffs.Add(1)
		}
	}
	clear(f.subs[len(kept):])
	f.subs = kept
}

// stop closes every subscription and refuses new ones.
func (f *fanout) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = true
	for _, s := range f.subs {
		close(s.c)
	}
	f.subs = nil
}
