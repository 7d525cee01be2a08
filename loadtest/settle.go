package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// settle brings the run to rest after the load: every maker and consumer
// cancels what it has on the book (each maker then waits for its own
// last push, so that its fills channel has delivered everything), the
// swaps without an answer are asked again with their Idempotency-Key, a
// last order shows that the server's history has caught up, and the
// subscribers get the last book changes. Then the connections close.
func (r *run) settle(ctx context.Context) error {
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.cfg.SettleTimeout)
	defer cancel()
	errs := eachOf(ctx, len(r.makerConns), func(ctx context.Context, i int) error { return r.makerConns[i].finish(ctx) })
	errs = append(errs, eachOf(ctx, len(r.consumers), func(ctx context.Context, i int) error {
		a := r.consumers[i]
		err := r.cancelAll(ctx, a, func(ctx context.Context, all *canceledAllAnswer) error {
			return a.Client.Do(ctx, "DELETE", "/v1/orders", nil, all)
		})
		if err != nil {
			return fmt.Errorf("consumer %d: cancel all: %w", i+1, err)
		}
		return nil
	})...)
	errs = append(errs, eachOf(ctx, len(r.consumers), func(ctx context.Context, i int) error {
		r.askSwapsAgain(ctx, r.consumers[i])
		return nil
	})...)
	if err := r.historyBarrier(ctx); err != nil {
		errs = append(errs, fmt.Errorf("the server's history did not catch up: %w", err))
	}
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	r.awaitSubscribers(wait, r.lastBookSeqs())
	stop()
	for _, m := range r.makerConns {
		m.close()
	}
	for _, s := range r.subs {
		s.close()
	}
	r.cfg.logf("settled in %.1fs", time.Since(began).Seconds())
	return errors.Join(errs...)
}

// eachOf runs f(0..n-1), setupParallel at a time, and returns every error.
func eachOf(ctx context.Context, n int, f func(ctx context.Context, i int) error) []error {
	var mu sync.Mutex
	var errs []error
	_ = parallel(ctx, n, setupParallel, func(ctx context.Context, i int) error {
		if err := f(ctx, i); err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		return nil
	})
	return errs
}

// askSwapsAgain repeats each swap of a that had no answer, with its
// Idempotency-Key: the server answers what the first did, or does it now.
// One still without an answer leaves a's swaps unknown.
func (r *run) askSwapsAgain(ctx context.Context, a *account) {
	a.mu.Lock()
	pending := a.unsureSwaps
	a.unsureSwaps = nil
	a.mu.Unlock()
	for _, p := range pending {
		var ans swapAnswer
		err := withRetries(ctx, r.cfg.Timeout, true, func(ctx context.Context) error {
			err := a.Client.DoWith(ctx, "POST", "/v1/swaps", http.Header{"Idempotency-Key": []string{p.Key}}, p.Body, &ans)
			if code, ok := errorCode(err); ok && code == "idempotency_in_progress" {
				return errRetry
			}
			return err
		})
		switch {
		case err == nil:
			if a.swapped(ans.Legs, r.bySymbol) != nil {
				a.mu.Lock()
				a.swapsUnknown = true
				a.mu.Unlock()
			}
		case mayHaveApplied(err) || errors.Is(err, errRetry):
			a.mu.Lock()
			a.swapsUnknown = true
			a.mu.Unlock()
		}
		// Any other error answer: the swap was refused, nothing moved.
	}
}

// historyBarrier places an order and cancels it, then waits until the
// server's order history shows it cancelled: the history is written in
// seq order, so every fill and order of the run is in it by then.
func (r *run) historyBarrier(ctx context.Context) error {
	a := r.traders()[0]
	mk := r.markets[0]
	o, err := r.barrierOrder(ctx, a, mk, fmt.Sprintf("lt%s-barrier", r.id), restPlacer(a))
	if err != nil {
		return fmt.Errorf("the last order: %w", err)
	}
	var ans canceledAnswer
	if err := withRetries(ctx, r.cfg.Timeout, false, func(ctx context.Context) error {
		return a.Client.Do(ctx, "DELETE", "/v1/orders/"+o.ID, nil, &ans)
	}); err != nil {
		a.unsure(o.ID)
		return fmt.Errorf("cancel the last order: %w", err)
	}
	remaining, _ := parseField("remaining", ans.Remaining, mk.Base.Scale)
	a.canceled(o.ID, remaining)
	for {
		var row orderRow
		err := withRetries(ctx, r.cfg.Timeout, true, func(ctx context.Context) error {
			return a.Client.Do(ctx, "GET", "/v1/orders/"+o.ID, nil, &row)
		})
		if code, ok := errorCode(err); err != nil && !(ok && code == "unknown_order") {
			return err
		}
		if err == nil && row.Status == "canceled" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("order %s not in the history as cancelled: %w", o.ID, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
