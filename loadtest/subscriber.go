package loadtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
)

// A subscriber is one WebSocket connection without a logon that follows
// one market's book channel with a client.Book: the snapshot, then the
// updates, each chained by seq and verified by its checksum. It notes
// when each one arrived, for the delivery latency.
type subscriber struct {
	r      *run
	index  int
	market *market
	ws     *client.WS
	book   client.Book

	closing atomic.Bool
	done    chan struct{}

	mu       sync.Mutex
	arrivals []arrival
	errs     int   // pushes that could not be applied
	ended    error // the connection ended during the run
}

// arrival is a book push applied: the seq the book is then at and when it
// came, on the run's clock.
type arrival struct {
	seq uint64
	at  time.Duration
}

// Subscribers connect subscriberDials at a time.
const subscriberDials = 32

// subscriberPushBuffer is the pushes a subscriber's connection buffers.
const subscriberPushBuffer = 1024

// connectSubscribers opens every subscriber's connection; subscriber i
// follows market i mod Markets.
func (r *run) connectSubscribers(ctx context.Context) error {
	subs := make([]*subscriber, r.cfg.Subscribers)
	err := parallel(ctx, len(subs), subscriberDials, func(ctx context.Context, i int) error {
		s := &subscriber{r: r, index: i + 1, market: r.markets[i%len(r.markets)], done: make(chan struct{})}
		s.book.Scales = s.market.scales()
		if err := s.connect(ctx); err != nil {
			return fmt.Errorf("subscriber %d: %w", i+1, err)
		}
		subs[i] = s
		return nil
	})
	for _, s := range subs {
		if s != nil {
			r.subs = append(r.subs, s)
		}
	}
	return err
}

func (s *subscriber) channel() string { return "book." + s.market.Symbol }

func (s *subscriber) subscribeParams() map[string]any {
	return map[string]any{"channels": []string{s.channel()}, "unconflated": s.r.cfg.Unconflated}
}

func (s *subscriber) connect(ctx context.Context) error {
	// A server limits upgrades per address: rate_limited handshakes are
	// retried.
	err := withRetries(ctx, s.r.cfg.Timeout, true, func(ctx context.Context) error {
		ws, err := (&client.Client{BaseURL: s.r.cfg.Admin.BaseURL}).DialWS(ctx, subscriberPushBuffer)
		s.ws = ws
		return err
	})
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	go s.read()
	if err := s.ws.Call(ctx, "subscribe", s.subscribeParams(), nil); err != nil {
		s.close()
		return fmt.Errorf("subscribe to %s: %w", s.channel(), err)
	}
	return nil
}

// read applies the book's pushes until the connection ends.
func (s *subscriber) read() {
	defer close(s.done)
	for p := range s.ws.Pushes() {
		if p.Channel != s.channel() {
			continue
		}
		at := s.r.clock()
		err := s.book.Apply(p)
		switch {
		case errors.Is(err, client.ErrResync):
			// Resubscribing waits for answers the reading would deliver.
			go s.resubscribe()
		case err != nil:
			s.mu.Lock()
			s.errs++
			s.mu.Unlock()
		case s.book.Ready():
			s.r.rec.mdMessages.Add(1)
			s.mu.Lock()
			s.arrivals = append(s.arrivals, arrival{seq: s.book.Seq(), at: at})
			s.mu.Unlock()
		}
	}
	if !s.closing.Load() {
		s.mu.Lock()
		s.ended = s.ws.Err()
		s.mu.Unlock()
		s.r.disconnected(fmt.Sprintf("subscriber %d", s.index), s.ws.Err())
	}
}

// resubscribe asks for a fresh snapshot after a gap or a checksum
// mismatch.
func (s *subscriber) resubscribe() {
	ctx, cancel := context.WithTimeout(context.Background(), s.r.cfg.Timeout)
	defer cancel()
	if err := s.ws.Call(ctx, "unsubscribe", map[string]any{"channels": []string{s.channel()}}, nil); err == nil {
		err = s.ws.Call(ctx, "subscribe", s.subscribeParams(), nil)
	}
}

// lastSeq is the seq of the book's last push applied.
func (s *subscriber) lastSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.arrivals) == 0 {
		return 0
	}
	return s.arrivals[len(s.arrivals)-1].seq
}

func (s *subscriber) close() {
	if s == nil || s.ws == nil || s.closing.Swap(true) {
		return
	}
	_ = s.ws.Close()
}

// awaitSubscribers waits until every subscriber's book is at seq of its
// market or later (until ctx ends).
func (r *run) awaitSubscribers(ctx context.Context, seqs map[*market]uint64) {
	for _, s := range r.subs {
		want := seqs[s.market]
		for s.lastSeq() < want {
			select {
			case <-ctx.Done():
				return
			case <-s.done:
			case <-time.After(10 * time.Millisecond):
				continue
			}
			break
		}
	}
}
