package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/api/client"
)

// demoStory is lpx demo's story against one server, told on out. Every
// step checks what it did; the first error stops the story.
type demoStory struct {
	out   io.Writer
	admin *client.Client // an operator's key (scope admin)
	base  string         // the server's URL
	run   string         // this run's tag, in references and idempotency keys
	step  int

	hub            string // the hub asset's symbol
	acme, coffee   demoAsset
	acmeMk, coffMk string         // their markets against the hub
	acmeBr, coffBr *client.Client // the brands' keys made for the story
	brandKeys      []*client.Client
	alice, bob     demoPerson

	wallet    *demoWallet
	gifts     map[string]demoGift // what the faucet gave the wallet, by asset
	received  string              // the COFFEE coupons Alice's swap bought
	topBefore map[string]demoTop  // the books' tops before the swap
}

// demoGift is one token the faucet gave.
type demoGift struct{ token, amount string }

// demoTop is a book's best bid and ask ("" for none).
type demoTop struct{ bid, ask string }

// demoAsset is an asset as GET /v1/assets answers it.
type demoAsset struct {
	ID, Symbol, Kind string
	Scale            uint8
	Brand            *string
	Hub              bool
}

// demoPerson is a consumer of the story with her key.
type demoPerson struct {
	name, id string
	c        *client.Client
}

// errNoDemoWorld says the server lacks the demo world.
var errNoDemoWorld = errors.New("the server has no demo world (ACME points and COFFEE coupons with markets against a hub asset): run lpx serve in the embedded mode without --no-demo, or lpx demo without --server")

// say prints a step's first line, numbered.
func (s *demoStory) say(format string, a ...any) {
	s.step++
	fmt.Fprintf(s.out, "\n%d. %s\n", s.step, fmt.Sprintf(format, a...))
}

// tell prints a further line of the step.
func (s *demoStory) tell(format string, a ...any) {
	fmt.Fprintf(s.out, "   %s\n", fmt.Sprintf(format, a...))
}

// do calls the API and names the call in an error.
func (s *demoStory) do(ctx context.Context, c *client.Client, method, path string, body, out any) error {
	cctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	if err := c.Do(cctx, method, path, body, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// doOnce is do with an Idempotency-Key of this run.
func (s *demoStory) doOnce(ctx context.Context, c *client.Client, key, method, path string, body, out any) error {
	cctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	h := http.Header{}
	h.Set("Idempotency-Key", s.run+"-"+key)
	if err := c.DoWith(cctx, method, path, h, body, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// until asks cond every 250 ms until it holds, fails, or limit passes.
func until(ctx context.Context, what string, limit time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not after %v", what, limit)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// newStory prepares a story against base with an operator's client.
func newStory(out io.Writer, base string, admin *client.Client) *demoStory {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &demoStory{out: out, base: strings.TrimRight(base, "/"), admin: admin, run: "lpx-demo-" + hex.EncodeToString(b[:])}
}

// tellAll runs the whole story.
func (s *demoStory) tellAll(ctx context.Context) error {
	if err := s.cast(ctx); err != nil {
		return err
	}
	defer s.revokeKeys()
	for _, step := range []func(context.Context) error{
		s.issue, s.linkWallet, s.deposit, s.bookBefore, s.swap, s.quotesMove, s.withdraw, s.redeem, s.liabilities, s.webPage,
	} {
		if err := step(ctx); err != nil {
			return fmt.Errorf("step %d: %w", s.step, err)
		}
	}
	return nil
}

// cast finds the demo world and makes the story's people: keys for the
// two brands and two consumers with their keys.
func (s *demoStory) cast(ctx context.Context) error {
	var assets struct{ Assets []demoAsset }
	if err := s.do(ctx, s.admin, "GET", "/v1/assets", nil, &assets); err != nil {
		return fmt.Errorf("is %s an lpx server? %w", s.base, err)
	}
	found := map[string]demoAsset{}
	for _, a := range assets.Assets {
		found[a.Symbol] = a
		if a.Hub {
			s.hub = a.Symbol
		}
	}
	var ok1, ok2 bool
	s.acme, ok1 = found["ACME"]
	s.coffee, ok2 = found["COFFEE"]
	if !ok1 || !ok2 || s.hub == "" || s.acme.Brand == nil || s.coffee.Brand == nil {
		return errNoDemoWorld
	}
	var markets struct {
		Markets []struct{ Symbol, Base, Quote string }
	}
	if err := s.do(ctx, s.admin, "GET", "/v1/markets", nil, &markets); err != nil {
		return err
	}
	for _, m := range markets.Markets {
		switch {
		case m.Base == "ACME" && m.Quote == s.hub:
			s.acmeMk = m.Symbol
		case m.Base == "COFFEE" && m.Quote == s.hub:
			s.coffMk = m.Symbol
		}
	}
	if s.acmeMk == "" || s.coffMk == "" {
		return errNoDemoWorld
	}
	var err error
	if s.acmeBr, err = s.brandKey(ctx, *s.acme.Brand); err != nil {
		return err
	}
	if s.coffBr, err = s.brandKey(ctx, *s.coffee.Brand); err != nil {
		return err
	}
	if s.alice, err = s.consumer(ctx, "Alice"); err != nil {
		return err
	}
	s.bob, err = s.consumer(ctx, "Bob")
	return err
}

// brandKey has the operator make a key (read, issue) for the brand
// account id.
func (s *demoStory) brandKey(ctx context.Context, id string) (*client.Client, error) {
	var key struct{ ID, Secret string }
	err := s.do(ctx, s.admin, "POST", "/v1/admin/accounts/"+url.PathEscape(id)+"/keys", map[string]any{"scopes": []string{"read", "issue"}, "label": "lpx demo " + s.run}, &key)
	var ae *client.Error
	if errors.As(err, &ae) && (ae.Status == 401 || ae.Status == 403) {
		return nil, fmt.Errorf("the key given is not an operator's with the admin scope (%s); lpx serve printed one at its first start", ae.Code)
	}
	if err != nil {
		return nil, err
	}
	c := &client.Client{BaseURL: s.base, KeyID: key.ID, HMACSecret: []byte(key.Secret), HTTP: s.admin.HTTP}
	s.brandKeys = append(s.brandKeys, c)
	return c, nil
}

// consumer has the operator make a consumer account with a key.
func (s *demoStory) consumer(ctx context.Context, name string) (demoPerson, error) {
	var acct struct {
		ID  string
		Key struct{ ID, Secret string }
	}
	if err := s.do(ctx, s.admin, "POST", "/v1/admin/accounts", map[string]any{"kind": "consumer", "name": name, "scopes": []string{"read", "trade", "withdraw"}}, &acct); err != nil {
		return demoPerson{}, err
	}
	return demoPerson{name: name, id: acct.ID, c: &client.Client{BaseURL: s.base, KeyID: acct.Key.ID, HMACSecret: []byte(acct.Key.Secret), HTTP: s.admin.HTTP}}, nil
}

// revokeKeys has each brand key made for the story revoke itself.
func (s *demoStory) revokeKeys() {
	for _, c := range s.brandKeys {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = c.Do(ctx, "DELETE", "/v1/keys/"+c.KeyID, nil, nil)
		cancel()
	}
}

// balance is person's available balance of asset, a decimal string.
func (s *demoStory) balance(ctx context.Context, p demoPerson, asset string) (decimal.Decimal, error) {
	var bs struct {
		Balances []struct{ Asset, Available string }
	}
	if err := s.do(ctx, p.c, "GET", "/v1/balances", nil, &bs); err != nil {
		return decimal.Decimal{}, err
	}
	for _, b := range bs.Balances {
		if b.Asset == asset {
			return decimal.NewFromString(b.Available)
		}
	}
	return decimal.Zero, nil
}

// expectBalance checks that person has want of asset available.
func (s *demoStory) expectBalance(ctx context.Context, p demoPerson, asset, want string) error {
	got, err := s.balance(ctx, p, asset)
	if err != nil {
		return err
	}
	if !got.Equal(decimal.RequireFromString(want)) {
		return fmt.Errorf("%s has %s %s available, not %s", p.name, got, asset, want)
	}
	return nil
}

// issueAndWait has brand issue amount of asset to p and waits until it is
// credited; it returns the mint's transaction.
func (s *demoStory) issueAndWait(ctx context.Context, brand *client.Client, p demoPerson, asset, amount, ref string) (string, error) {
	ref = s.run + "-" + ref
	var is struct {
		Status        string
		TxHash        string `json:"tx_hash"`
		FailureReason string `json:"failure_reason"`
	}
	body := map[string]any{"customer": p.id, "asset": asset, "amount": amount, "reference": ref}
	if err := s.doOnce(ctx, brand, ref, "POST", "/v1/brand/issues", body, &is); err != nil {
		return "", err
	}
	err := until(ctx, "the issue credited", time.Minute, func() (bool, error) {
		if err := s.do(ctx, brand, "GET", "/v1/brand/issues/"+url.PathEscape(ref), nil, &is); err != nil {
			return false, err
		}
		if is.Status == "failed" {
			return false, fmt.Errorf("the issue failed: %s", is.FailureReason)
		}
		return is.Status == "credited", nil
	})
	return is.TxHash, err
}
