package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/tokens"
)

// The story's amounts: what ACME welcomes Alice with, what she swaps, and
// the coupons COFFEE gives Bob, of which he redeems one.
const (
	demoWelcome = "250.00"
	demoSwap    = "60.00"
	demoBobGift = "3"
	demoRedeem  = "1"
)

// issue: the ACME brand issues points to Alice.
func (s *demoStory) issue(ctx context.Context) error {
	s.say("The ACME brand (account %s) issues %s ACME points to Alice (account %s), a welcome bonus.", *s.acme.Brand, demoWelcome, s.alice.id)
	tx, err := s.issueAndWait(ctx, s.acmeBr, s.alice, "ACME", demoWelcome, "welcome-alice")
	if err != nil {
		return err
	}
	s.tell("The exchange's vault minted the tokens on chain (tx %s) and credited Alice once the mint was confirmed.", short(tx))
	if err := s.expectBalance(ctx, s.alice, "ACME", demoWelcome); err != nil {
		return err
	}
	s.tell("Alice has %s ACME on the exchange.", demoWelcome)
	return nil
}

// linkWallet: Alice's new wallet gets gas and demo tokens from the faucet
// and is linked to her account by a signed challenge.
func (s *demoStory) linkWallet(ctx context.Context) error {
	w, err := newDemoWallet()
	if err != nil {
		return err
	}
	s.wallet = w
	s.say("Alice has a wallet of her own, %s, new and empty. The demo faucet gives it gas and demo tokens.", w.addr.Hex())
	var drip struct {
		ChainID string `json:"chain_id"`
		RPCURL  string `json:"rpc_url"`
		Gas     string
		Tokens  []struct{ Asset, Token, Amount string }
	}
	err = s.do(ctx, &client.Client{BaseURL: s.base, HTTP: s.admin.HTTP}, "POST", "/v1/demo/faucet", map[string]string{"address": w.addr.Hex()}, &drip)
	var ae *client.Error
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return errors.New("the server has no faucet: it is not in the embedded demo mode (lpx serve with the embedded dev chain)")
	}
	if err != nil {
		return err
	}
	chainID, err := strconv.ParseUint(drip.ChainID, 10, 64)
	if err != nil {
		return fmt.Errorf("the faucet's chain id %q: %w", drip.ChainID, err)
	}
	if err := w.connect(ctx, drip.RPCURL, chainID); err != nil {
		return err
	}
	s.gifts = map[string]demoGift{}
	var given []string
	for _, t := range drip.Tokens {
		s.gifts[t.Asset] = demoGift{token: t.Token, amount: t.Amount}
		given = append(given, t.Amount+" "+t.Asset)
	}
	if _, ok := s.gifts["ACME"]; !ok {
		return errors.New("the faucet gave no ACME (is the demo world seeded?)")
	}
	held, err := s.onChain(ctx, "ACME")
	if err != nil {
		return err
	}
	if !held.Equal(decimal.RequireFromString(s.gifts["ACME"].amount)) {
		return fmt.Errorf("the wallet holds %s ACME on chain, not the %s the faucet gave", held, s.gifts["ACME"].amount)
	}
	s.tell("It got %s ETH for gas and %s, minted to it on the dev chain (chain id %d, JSON-RPC %s).", drip.Gas, strings.Join(given, ", "), chainID, drip.RPCURL)
	var ch struct{ Message string }
	if err := s.do(ctx, s.alice.c, "POST", "/v1/wallets/challenge", map[string]string{"address": w.addr.Hex()}, &ch); err != nil {
		return err
	}
	sig, err := w.personalSign(ch.Message)
	if err != nil {
		return err
	}
	var linked struct{ Address string }
	if err := s.do(ctx, s.alice.c, "POST", "/v1/wallets", map[string]string{"message": ch.Message, "signature": sig}, &linked); err != nil {
		return err
	}
	if linked.Address != w.addr.Hex() {
		return fmt.Errorf("linked %s, not %s", linked.Address, w.addr.Hex())
	}
	s.tell("Alice links it to her account: the exchange sends a challenge, her wallet signs it (personal_sign), the exchange checks the signature.")
	return nil
}

// onChain is the wallet's balance of asset at its token's decimals, as a
// decimal at the asset's scale.
func (s *demoStory) onChain(ctx context.Context, asset string) (decimal.Decimal, error) {
	var addr struct {
		Token    string
		Decimals uint8
	}
	if err := s.do(ctx, s.alice.c, "GET", "/v1/deposit-address?asset="+asset, nil, &addr); err != nil {
		return decimal.Decimal{}, err
	}
	raw, err := s.wallet.balance(ctx, common.HexToAddress(addr.Token))
	if err != nil {
		return decimal.Decimal{}, err
	}
	return decimal.NewFromBigInt(raw, -int32(addr.Decimals)), nil
}

// deposit: Alice sends the faucet's ACME from her wallet to the vault;
// the exchange credits it after its confirmations.
func (s *demoStory) deposit(ctx context.Context) error {
	var addr struct {
		Address, Token        string
		Decimals, Scale       uint8
		ConfirmationsRequired uint64 `json:"confirmations_required"`
	}
	if err := s.do(ctx, s.alice.c, "GET", "/v1/deposit-address?asset=ACME", nil, &addr); err != nil {
		return err
	}
	amount := s.gifts["ACME"].amount
	units, err := tokens.ParseDecimal(amount, addr.Scale)
	if err != nil {
		return err
	}
	raw, err := tokens.FromUnits(units, addr.Decimals, addr.Scale)
	if err != nil {
		return err
	}
	s.say("Alice deposits the %s ACME from her wallet: a token transfer to the exchange's vault %s.", amount, addr.Address)
	receipt, err := s.wallet.transfer(ctx, common.HexToAddress(addr.Token), common.HexToAddress(addr.Address), raw)
	if err != nil {
		return err
	}
	s.tell("The transfer is in block %s (tx %s).", receipt.BlockNumber, short(receipt.TxHash.Hex()))
	tx := strings.ToLower(receipt.TxHash.Hex())
	err = until(ctx, "the deposit credited", time.Minute, func() (bool, error) {
		var ds struct {
			Deposits []struct {
				TxHash string `json:"tx_hash"`
				Status string
			}
		}
		if err := s.do(ctx, s.alice.c, "GET", "/v1/deposits", nil, &ds); err != nil {
			return false, err
		}
		for _, d := range ds.Deposits {
			if strings.EqualFold(d.TxHash, tx) {
				return d.Status == "credited", nil
			}
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	total := decimal.RequireFromString(demoWelcome).Add(decimal.RequireFromString(amount)).StringFixed(int32(addr.Scale))
	if err := s.expectBalance(ctx, s.alice, "ACME", total); err != nil {
		return err
	}
	s.tell("The exchange's deposit watcher saw it and credited it after %d confirmation(s): Alice has %s ACME on the exchange.", addr.ConfirmationsRequired, total)
	return nil
}

// top reads a market's best bid and ask.
func (s *demoStory) top(ctx context.Context, market string) (demoTop, error) {
	var book struct{ Bids, Asks [][2]string }
	if err := s.do(ctx, s.admin, "GET", "/v1/markets/"+url.PathEscape(market)+"/book?depth=1", nil, &book); err != nil {
		return demoTop{}, err
	}
	var t demoTop
	if len(book.Bids) > 0 {
		t.bid = book.Bids[0][0]
	}
	if len(book.Asks) > 0 {
		t.ask = book.Asks[0][0]
	}
	return t, nil
}

// tops reads both markets' tops once both have bids and asks.
func (s *demoStory) tops(ctx context.Context, what string, changed func(map[string]demoTop) bool) (map[string]demoTop, error) {
	out := map[string]demoTop{}
	err := until(ctx, what, 30*time.Second, func() (bool, error) {
		for _, m := range []string{s.acmeMk, s.coffMk} {
			t, err := s.top(ctx, m)
			if err != nil {
				return false, err
			}
			if t.bid == "" || t.ask == "" {
				return false, nil
			}
			out[m] = t
		}
		return changed == nil || changed(out), nil
	})
	return out, err
}

// bookBefore: the market maker's quotes before the swap.
func (s *demoStory) bookBefore(ctx context.Context) error {
	s.say("A market maker quotes both markets all the time (best bid / best ask, in %s):", s.hub)
	tops, err := s.tops(ctx, "the market maker quoting both books", nil)
	if err != nil {
		return err
	}
	s.topBefore = tops
	for _, m := range []string{s.acmeMk, s.coffMk} {
		s.tell("%-11s %s / %s", m, tops[m].bid, tops[m].ask)
	}
	return nil
}

// swapLeg is a leg of POST /v1/swaps' answer.
type swapLeg struct {
	Market, Side, In, Out, Fee string
	FeeAsset                   string `json:"fee_asset"`
}

// swap: Alice asks for a quote, then swaps ACME for COFFEE at it.
func (s *demoStory) swap(ctx context.Context) error {
	var q struct {
		AmountIn     string `json:"amount_in"`
		AmountOut    string `json:"amount_out"`
		HubLeft      string `json:"hub_left"`
		AveragePrice string `json:"average_price"`
		Route        []string
	}
	if err := s.do(ctx, s.alice.c, "GET", "/v1/quote?from=ACME&to=COFFEE&amount="+demoSwap, nil, &q); err != nil {
		return err
	}
	s.say("Alice asks for a quote: %s ACME in COFFEE coupons.", demoSwap)
	s.tell("Route %s: %s ACME would buy %s COFFEE, %s ACME a coupon on average.", strings.Join(q.Route, " -> "), q.AmountIn, q.AmountOut, q.AveragePrice)
	if q.HubLeft != "" && !decimal.RequireFromString(q.HubLeft).IsZero() {
		s.tell("%s %s would be left over from the middle leg, hers to keep.", q.HubLeft, s.hub)
	}
	var sw struct {
		Spent, Received string
		HubLeft         string `json:"hub_left"`
		Legs            []swapLeg
	}
	body := map[string]string{"from": "ACME", "to": "COFFEE", "amount": demoSwap, "min_receive": q.AmountOut}
	if err := s.doOnce(ctx, s.alice.c, "swap", "POST", "/v1/swaps", body, &sw); err != nil {
		return err
	}
	got, err := decimal.NewFromString(sw.Received)
	if err != nil || got.LessThan(decimal.RequireFromString(q.AmountOut)) {
		return fmt.Errorf("the swap received %q COFFEE, less than the minimum %s", sw.Received, q.AmountOut)
	}
	s.received = sw.Received
	s.say("Alice swaps at that quote, asking for at least %s COFFEE: all legs fill or none does.", q.AmountOut)
	for _, l := range sw.Legs {
		s.tell("%-11s %s: in %s, out %s (fee %s %s)", l.Market, l.Side, l.In, l.Out, l.Fee, l.FeeAsset)
	}
	s.tell("She spent %s ACME and received %s COFFEE.", sw.Spent, sw.Received)
	return s.expectBalance(ctx, s.alice, "COFFEE", sw.Received)
}

// demoSettle is how long the story lets the market maker finish
// requoting once both books have moved, before it shows them.
const demoSettle = time.Second

// quotesMove: the market maker requotes around the trades.
func (s *demoStory) quotesMove(ctx context.Context) error {
	s.say("The market maker's quotes move: its orders were filled, and it quotes again around the last trades.")
	moved := func(now map[string]demoTop) bool {
		return now[s.acmeMk] != s.topBefore[s.acmeMk] && now[s.coffMk] != s.topBefore[s.coffMk]
	}
	if _, err := s.tops(ctx, "the market maker's quotes moving on both books", moved); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(demoSettle):
	}
	after, err := s.tops(ctx, "the market maker's quotes moving on both books", moved)
	if err != nil {
		return err
	}
	for _, m := range []string{s.acmeMk, s.coffMk} {
		b, a := s.topBefore[m], after[m]
		s.tell("%-11s %s / %s  ->  %s / %s", m, b.bid, b.ask, a.bid, a.ask)
	}
	return nil
}

// withdraw: Alice takes her coupons to her wallet.
func (s *demoStory) withdraw(ctx context.Context) error {
	s.say("Alice withdraws her %s COFFEE coupons to her wallet.", s.received)
	before, err := s.onChain(ctx, "COFFEE")
	if err != nil {
		return err
	}
	var w struct {
		ID, Status    string
		TxHash        string `json:"tx_hash"`
		FailureReason string `json:"failure_reason"`
	}
	body := map[string]string{"asset": "COFFEE", "amount": s.received, "to": s.wallet.addr.Hex()}
	if err := s.doOnce(ctx, s.alice.c, "withdraw", "POST", "/v1/withdrawals", body, &w); err != nil {
		return err
	}
	err = until(ctx, "the withdrawal confirmed", time.Minute, func() (bool, error) {
		if err := s.do(ctx, s.alice.c, "GET", "/v1/withdrawals/"+url.PathEscape(w.ID), nil, &w); err != nil {
			return false, err
		}
		if w.Status == "failed" {
			return false, fmt.Errorf("the withdrawal failed (refunded): %s", w.FailureReason)
		}
		return w.Status == "confirmed", nil
	})
	if err != nil {
		return err
	}
	now, err := s.onChain(ctx, "COFFEE")
	if err != nil {
		return err
	}
	if want := before.Add(decimal.RequireFromString(s.received)); !now.Equal(want) {
		return fmt.Errorf("the wallet holds %s COFFEE on chain, not %s", now, want)
	}
	s.tell("The vault sent them on chain (tx %s); once confirmed, the withdrawal is done: the wallet holds %s COFFEE.", short(w.TxHash), now)
	return s.expectBalance(ctx, s.alice, "COFFEE", "0")
}

// redeem: COFFEE gives Bob coupons; he redeems one and the brand fulfils
// it.
func (s *demoStory) redeem(ctx context.Context) error {
	s.say("The COFFEE brand (account %s) gives Bob (account %s) %s coupons; he redeems %s at the counter.", *s.coffee.Brand, s.bob.id, demoBobGift, demoRedeem)
	if _, err := s.issueAndWait(ctx, s.coffBr, s.bob, "COFFEE", demoBobGift, "gift-bob"); err != nil {
		return err
	}
	var r struct{ ID, Receipt, Status, Amount string }
	if err := s.doOnce(ctx, s.bob.c, "redeem", "POST", "/v1/redemptions", map[string]string{"asset": "COFFEE", "amount": demoRedeem}, &r); err != nil {
		return err
	}
	if r.Status != "pending" || r.Receipt == "" {
		return fmt.Errorf("the redemption is %q with receipt %q", r.Status, r.Receipt)
	}
	s.tell("Bob shows his receipt code %s; the redemption is %s.", r.Receipt, r.Status)
	if err := s.do(ctx, s.coffBr, "POST", "/v1/brand/redemptions/"+url.PathEscape(r.ID)+"/fulfil", nil, &r); err != nil {
		return err
	}
	if r.Status != "fulfilled" {
		return fmt.Errorf("the redemption is %q after fulfilling it", r.Status)
	}
	left := decimal.RequireFromString(demoBobGift).Sub(decimal.RequireFromString(demoRedeem)).String()
	s.tell("The COFFEE brand checks the code and fulfils it: the coupon is spent (the vault burns it on chain); Bob keeps %s.", left)
	return s.expectBalance(ctx, s.bob, "COFFEE", left)
}

// liabilities prints what the two brands owe, checking that it adds up.
func (s *demoStory) liabilities(ctx context.Context) error {
	s.say("What the brands owe (GET /v1/brand/liabilities):")
	for _, br := range []*client.Client{s.acmeBr, s.coffBr} {
		var ls struct {
			Liabilities []struct {
				Asset, Issued, Deposited, Withdrawn, Expired string
				HeldByCustomers                              string  `json:"held_by_customers"`
				HeldByBrand                                  string  `json:"held_by_brand"`
				RedeemedPending                              string  `json:"redeemed_pending"`
				RedeemedFulfilled                            string  `json:"redeemed_fulfilled"`
				ChainSupply                                  *string `json:"chain_supply"`
			}
		}
		if err := s.do(ctx, br, "GET", "/v1/brand/liabilities", nil, &ls); err != nil {
			return err
		}
		for _, l := range ls.Liabilities {
			d := func(v string) decimal.Decimal { x, _ := decimal.NewFromString(v); return x }
			in := d(l.Issued).Add(d(l.Deposited)).Sub(d(l.Withdrawn))
			out := d(l.HeldByCustomers).Add(d(l.HeldByBrand)).Add(d(l.RedeemedPending)).Add(d(l.RedeemedFulfilled)).Add(d(l.Expired))
			if !in.Equal(out) {
				return fmt.Errorf("%s's liabilities do not add up: issued + deposited - withdrawn = %s, held + redeemed + expired = %s", l.Asset, in, out)
			}
			supply := "not reported yet"
			if l.ChainSupply != nil {
				supply = *l.ChainSupply
			}
			s.tell("%-6s issued %s, deposited %s, withdrawn %s; held by customers %s, by the brand %s; redeemed %s pending, %s fulfilled; expired %s; tokens on chain %s",
				l.Asset, l.Issued, l.Deposited, l.Withdrawn, l.HeldByCustomers, l.HeldByBrand, l.RedeemedPending, l.RedeemedFulfilled, l.Expired, supply)
		}
	}
	return nil
}

// webPage ends with the web page's URL, if the server serves one.
func (s *demoStory) webPage(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	status, h, _, err := (&client.Client{BaseURL: s.base, HTTP: s.admin.HTTP}).Raw(cctx, "GET", "/", nil, nil)
	if err == nil && status == http.StatusOK && strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		fmt.Fprintf(s.out, "\nThe end. Try it yourself in a browser: %s/\n", s.base)
		return nil
	}
	fmt.Fprintf(s.out, "\nThe end. This server has no web page yet; its API is at %s/v1 (described by %s/openapi.yaml).\n", s.base, s.base)
	return nil
}

// short abbreviates a transaction hash for the story.
func short(hash string) string {
	if len(hash) > 14 {
		return hash[:10] + "..." + hash[len(hash)-4:]
	}
	return hash
}
