package loadtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
)

// The setup goes through the API only: an operator creates a brand, the
// brand deploys the run's points programs, the operator opens zero-fee
// markets between them and creates the traders, and the brand issues to
// each of them.

// setupParallel bounds the setup's concurrent requests.
const setupParallel = 8

// newRunID is six random characters of A-Z and 0-9: the run's symbols,
// names and references carry it, so that runs never meet.
func newRunID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// createdAccount is the answer to POST /v1/admin/accounts with scopes.
type createdAccount struct {
	ID  string `json:"id"`
	Key *struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	} `json:"key"`
}

// createAccount makes an account with an HMAC key holding scopes and
// returns its client.
func (r *run) createAccount(ctx context.Context, kind, name string, scopes ...string) (*account, error) {
	var a createdAccount
	err := withRetries(ctx, r.cfg.Timeout, false, func(ctx context.Context) error {
		return r.cfg.Admin.Do(ctx, "POST", "/v1/admin/accounts", map[string]any{"kind": kind, "name": name, "scopes": scopes}, &a)
	})
	if err != nil {
		var ae *client.Error
		if errors.As(err, &ae) && (ae.Code == "forbidden" || ae.Code == "unauthorized") {
			return nil, fmt.Errorf("create the %s account %s: %w (the key must be an operator's with the admin scope)", kind, name, err)
		}
		return nil, fmt.Errorf("create the %s account %s: %w", kind, name, err)
	}
	if a.Key == nil || a.Key.ID == "" || a.Key.Secret == "" {
		return nil, fmt.Errorf("create the %s account %s: the answer holds no key", kind, name)
	}
	c := &client.Client{BaseURL: r.cfg.Admin.BaseURL, KeyID: a.Key.ID, HMACSecret: []byte(a.Key.Secret), HTTP: r.http}
	return newAccount(name, a.ID, kind, c), nil
}

// createPrograms has the brand deploy the quote asset and one base asset
// per market, one after the other (each waits for the chain).
func (r *run) createPrograms(ctx context.Context) error {
	r.quote = asset{Symbol: "LT_" + r.id + "_Q", Scale: assetScale}
	symbols := []string{r.quote.Symbol}
	for i := range r.cfg.Markets {
		symbols = append(symbols, fmt.Sprintf("LT_%s_B%d", r.id, i+1))
	}
	for _, sym := range symbols {
		body := map[string]any{"name": "Load test " + r.id + " " + sym, "symbol": sym, "kind": "points", "decimals": tokenDecimals, "scale": assetScale}
		var prog struct {
			Asset string `json:"asset"`
			Scale uint8  `json:"scale"`
		}
		err := withRetries(ctx, 2*time.Minute, false, func(ctx context.Context) error {
			return r.brand.Client.Do(ctx, "POST", "/v1/brand/programs", body, &prog)
		})
		if err != nil {
			return fmt.Errorf("deploy the points program %s: %w", sym, err)
		}
		if prog.Asset != sym || prog.Scale != assetScale {
			return fmt.Errorf("deploy the points program %s: the answer is %s at scale %d", sym, prog.Asset, prog.Scale)
		}
		r.assets = append(r.assets, asset{Symbol: sym, Scale: assetScale})
	}
	return nil
}

// createMarkets opens BASE-QUOTE for each base asset, without fees.
func (r *run) createMarkets(ctx context.Context) error {
	for _, base := range r.assets[1:] {
		body := map[string]any{
			"base": base.Symbol, "quote": r.quote.Symbol, "price_scale": priceScale,
			"tick": formatUnits(tickUnits, priceScale), "lot": formatUnits(lotUnits, assetScale), "min_size": formatUnits(lotUnits, assetScale),
			"maker_bps": 0, "taker_bps": 0,
		}
		var v struct {
			Symbol   string `json:"symbol"`
			MakerBps int    `json:"maker_bps"`
			TakerBps int    `json:"taker_bps"`
		}
		err := withRetries(ctx, r.cfg.Timeout, false, func(ctx context.Context) error {
			return r.cfg.Admin.Do(ctx, "POST", "/v1/admin/markets", body, &v)
		})
		if err != nil {
			return fmt.Errorf("create the market %s-%s: %w", base.Symbol, r.quote.Symbol, err)
		}
		if v.MakerBps != 0 || v.TakerBps != 0 {
			return fmt.Errorf("market %s has fees (%d/%d bps): the checks need none", v.Symbol, v.MakerBps, v.TakerBps)
		}
		m := &market{Symbol: v.Symbol, Base: base, Quote: r.quote, PriceScale: priceScale, Tick: tickUnits, Lot: lotUnits, Mid: midUnits}
		r.markets = append(r.markets, m)
		r.bySymbol[m.Symbol] = m
	}
	return nil
}

// createTraders makes the consumers and the makers, setupParallel at a
// time.
func (r *run) createTraders(ctx context.Context) error {
	r.consumers = make([]*account, r.cfg.Consumers)
	r.makers = make([]*account, r.cfg.Makers)
	type job struct {
		slot       **account
		kind, name string
	}
	var jobs []job
	for i := range r.consumers {
		jobs = append(jobs, job{&r.consumers[i], kindConsumer, fmt.Sprintf("loadtest-%s-consumer-%d", r.id, i+1)})
	}
	for i := range r.makers {
		jobs = append(jobs, job{&r.makers[i], kindMaker, fmt.Sprintf("loadtest-%s-maker-%d", r.id, i+1)})
	}
	return parallel(ctx, len(jobs), setupParallel, func(ctx context.Context, i int) error {
		a, err := r.createAccount(ctx, jobs[i].kind, jobs[i].name, "read", "trade")
		*jobs[i].slot = a
		return err
	})
}

// issue has the brand issue IssueAmount of every asset to every trader and
// waits until each issue is credited (after its mint is confirmed on
// chain).
func (r *run) issue(ctx context.Context) error {
	amount, _ := client.ParseUnits(r.cfg.IssueAmount, assetScale)
	type job struct {
		acct  *account
		asset asset
		ref   string
	}
	var jobs []job
	for _, a := range r.traders() {
		for _, as := range r.assets {
			jobs = append(jobs, job{a, as, fmt.Sprintf("loadtest-%s-%s-%s", r.id, a.ID, as.Symbol)})
		}
	}
	err := parallel(ctx, len(jobs), setupParallel, func(ctx context.Context, i int) error {
		j := jobs[i]
		body := map[string]any{"customer": j.acct.ID, "asset": j.asset.Symbol, "amount": formatUnits(amount, j.asset.Scale), "reference": j.ref}
		// The reference makes a repeat harmless.
		err := withRetries(ctx, r.cfg.Timeout, true, func(ctx context.Context) error {
			return r.brand.Client.Do(ctx, "POST", "/v1/brand/issues", body, nil)
		})
		if err != nil {
			return fmt.Errorf("issue %s to account %s: %w", j.asset.Symbol, j.acct.ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for pending := jobs; len(pending) > 0; {
		credited := make([]bool, len(pending))
		err := parallel(ctx, len(pending), setupParallel, func(ctx context.Context, i int) error {
			var is struct {
				Status        string `json:"status"`
				FailureReason string `json:"failure_reason"`
			}
			err := withRetries(ctx, r.cfg.Timeout, true, func(ctx context.Context) error {
				return r.brand.Client.Do(ctx, "GET", "/v1/brand/issues/"+pending[i].ref, nil, &is)
			})
			switch {
			case err != nil:
				return fmt.Errorf("issue %s: %w", pending[i].ref, err)
			case is.Status == "failed":
				return fmt.Errorf("issue %s failed: %s", pending[i].ref, is.FailureReason)
			}
			credited[i] = is.Status == "credited"
			return nil
		})
		if err != nil {
			return err
		}
		var still []job
		for i, j := range pending {
			if !credited[i] {
				still = append(still, j)
			}
		}
		if pending = still; len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d issues not credited yet: %w", len(pending), len(jobs), ctx.Err())
		case <-time.After(300 * time.Millisecond):
		}
	}
	for _, j := range jobs {
		j.acct.Issued[j.asset.Symbol] = amount
	}
	return nil
}

// traders are the consumers and the makers.
func (r *run) traders() []*account {
	out := make([]*account, 0, len(r.consumers)+len(r.makers))
	return append(append(out, r.consumers...), r.makers...)
}

// parallel runs f(0..n-1), at most limit at a time, and returns the first
// error (the others stop being started).
func parallel(ctx context.Context, n, limit int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	sem := make(chan struct{}, limit)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

// newHTTPClient is the HTTP client of the run's accounts: enough idle
// connections for every consumer, each request bounded by timeout.
func newHTTPClient(consumers int, timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0
	t.MaxIdleConnsPerHost = consumers + 64
	return &http.Client{Transport: t, Timeout: timeout}
}

// describe is a one-line summary of what the setup made.
func (r *run) describe() string {
	syms := make([]string, len(r.markets))
	for i, m := range r.markets {
		syms[i] = m.Symbol
	}
	return fmt.Sprintf("run %s: brand %s, market%s %s, %d consumers, %d makers, each issued %s of every asset",
		r.id, r.brand.ID, plural(len(syms)), strings.Join(syms, ", "), len(r.consumers), len(r.makers), r.cfg.IssueAmount)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
