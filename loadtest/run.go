package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ErrVerification: the server's orders, fills or balances disagree with
// what the clients saw, or an asset is not conserved. Run returns it
// wrapped, with the report that says what.
var ErrVerification = errors.New("loadtest: the loss check failed")

// run is one load test from setup to report.
type run struct {
	cfg   Config
	id    string
	http  *http.Client
	epoch time.Time // the run's clock starts here (clock)
	rec   *recorder

	brand    *account
	quote    asset
	assets   []asset // the quote first, then one base per market
	markets  []*market
	bySymbol map[string]*market

	consumers, makers []*account
	makerConns        []*makerConn
	subs              []*subscriber
	md                *MarketDataStats // after measureDelivery, with subscribers

	// calls is the context of the load's requests: stopping the load does
	// not cancel it, so that every request gets its answer or times out.
	calls context.Context
	stop  context.CancelFunc // stops the load
	// began and ended bound the load on the run's clock.
	began, ended time.Duration
	setupTime    time.Duration
	disconnects  int64 // WebSocket connections that ended before the run did
	disconnectMu sync.Mutex
}

func newRun(cfg Config) *run {
	return &run{
		cfg: cfg, id: newRunID(), http: newHTTPClient(cfg.Consumers, cfg.Timeout), epoch: time.Now(),
		rec: newRecorder(), bySymbol: map[string]*market{}, stop: func() {},
	}
}

// clock is the time since the run began, monotonic.
func (r *run) clock() time.Duration { return time.Since(r.epoch) }

// Run sets up a load test on the server of cfg.Admin, runs the load,
// lets the server settle, checks that nothing was lost and reports. It
// returns the report with an error wrapping ErrVerification when the
// check failed, and no report when the setup did. When ctx ends during
// the load, the load stops and the run still settles and checks (each
// within its own timeout).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	r := newRun(cfg)
	defer r.close()
	return r.run(ctx)
}

// run is Run after the config's check.
func (r *run) run(ctx context.Context) (*Report, error) {
	if err := r.setup(ctx); err != nil {
		return nil, fmt.Errorf("loadtest: setup: %w", err)
	}
	r.load(ctx)
	after := context.WithoutCancel(ctx)
	settleErr := r.settle(after)
	r.measureDelivery()
	v := r.verify(after, settleErr)
	rep := r.report(v)
	if !v.OK {
		return rep, fmt.Errorf("%w: %s", ErrVerification, v.summary())
	}
	return rep, nil
}

// setup makes the run's brand, assets, markets and traders, funds the
// traders, and connects the makers and the subscribers.
func (r *run) setup(ctx context.Context) error {
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.cfg.SetupTimeout)
	defer cancel()
	brand, err := r.createAccount(ctx, kindBrand, "loadtest-"+r.id+"-brand", "read", "issue")
	if err != nil {
		return err
	}
	r.brand = brand
	if err := r.createPrograms(ctx); err != nil {
		return err
	}
	if err := r.createMarkets(ctx); err != nil {
		return err
	}
	if err := r.createTraders(ctx); err != nil {
		return err
	}
	r.cfg.logf("%s", r.describe())
	t := time.Now()
	if err := r.issue(ctx); err != nil {
		return err
	}
	r.cfg.logf("%d issues credited in %.1fs", len(r.traders())*len(r.assets), time.Since(t).Seconds())
	if err := r.connectMakers(ctx); err != nil {
		return err
	}
	if r.cfg.Subscribers > 0 {
		t := time.Now()
		if err := raiseFileLimit(uint64(2*r.cfg.Subscribers + 4*(r.cfg.Consumers+r.cfg.Makers) + 256)); err != nil {
			r.cfg.logf("%v", err)
		}
		if err := r.connectSubscribers(ctx); err != nil {
			return err
		}
		r.cfg.logf("%d subscribers following the book%s in %.1fs", len(r.subs), plural(len(r.markets)), time.Since(t).Seconds())
	}
	r.setupTime = time.Since(began)
	return nil
}

// load runs the workers until the duration has passed or the orders were
// placed (or ctx ends), printing progress each second, and waits for
// every request in flight.
func (r *run) load(ctx context.Context) {
	loadCtx, stop := context.WithCancel(ctx)
	defer stop()
	r.stop = stop
	r.calls = context.WithoutCancel(ctx)
	if r.cfg.Duration > 0 {
		t := time.AfterFunc(r.cfg.Duration, stop)
		defer t.Stop()
	}
	r.began = r.clock()
	var workers sync.WaitGroup
	for i, a := range r.consumers {
		c := &consumer{r: r, acct: a, index: i + 1, pace: newPacer(r.cfg.ConsumerRate)}
		workers.Go(func() { c.run(loadCtx) })
	}
	for _, m := range r.makerConns {
		for slot := range r.cfg.Window {
			workers.Go(func() { m.slot(loadCtx, slot) })
		}
	}
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		r.progress(loadCtx)
	}()
	<-loadCtx.Done()
	r.ended = r.clock()
	workers.Wait()
	<-progressDone
}

// progress closes each second of the load until ctx ends, then the last,
// partial one.
func (r *run) progress(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	second := 0
	var md int64
	for {
		select {
		case <-ctx.Done():
			r.rec.tick(second+1, md)
			return
		case <-tick.C:
			second++
			p := r.rec.tick(second, md)
			md += p.BookMessages
			if r.cfg.OnProgress != nil {
				r.cfg.OnProgress(p)
			}
		}
	}
}

// takePlacement counts an order about to be placed; false when the run's
// number of orders is reached (the load then stops).
func (r *run) takePlacement() bool {
	n := r.rec.placements.Add(1)
	if r.cfg.Orders > 0 && n >= r.cfg.Orders {
		r.stop()
		return n == r.cfg.Orders
	}
	return true
}

// call is the context of one request of the load.
func (r *run) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.calls, r.cfg.Timeout)
}

// disconnected counts a WebSocket connection that ended early.
func (r *run) disconnected(who string, err error) {
	r.disconnectMu.Lock()
	r.disconnects++
	r.disconnectMu.Unlock()
	r.cfg.logf("%s: the WebSocket connection ended during the run: %v", who, err)
}

// close ends every connection still open.
func (r *run) close() {
	for _, m := range r.makerConns {
		m.close()
	}
	for _, s := range r.subs {
		s.close()
	}
	r.http.CloseIdleConnections()
}

// pacer spaces requests to a rate; nil does not wait.
type pacer struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return nil
	}
	return &pacer{every: time.Duration(float64(time.Second) / perSecond)}
}

// wait returns when the next request may go, false if ctx ended first. A
// worker that fell behind does not catch up in a burst.
func (p *pacer) wait(ctx context.Context) bool {
	if p == nil {
		return ctx.Err() == nil
	}
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(p.every)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return ctx.Err() == nil
}
