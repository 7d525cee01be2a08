package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// AdminStore is the SQL side of the operators' routes. They submit
// commands to the engine (the SQL history records the assets and markets)
// and use the accounts and keys of AuthStore, so it asks for nothing more.
type AdminStore interface{}

// maxAccountName bounds an account's name.
const maxAccountName = 100

type createAccountRequest struct {
	Kind   string   `json:"kind"` // consumer, brand, market_maker or operator
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"` // optional: an HMAC key with these scopes
}

type accountView struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	CreatedAt string   `json:"created_at"`
	Key       *keyView `json:"key,omitempty"` // with its secret, this once
}

// createAccount makes an account (in the engine and the database) and,
// if scopes are given, an HMAC key for it whose secret is answered this
// once. The operator can only grant scopes its own key holds.
func (s *Server) createAccount(c *fiber.Ctx) error {
	var req createAccountRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	kind := sqlstore.AccountKind(req.Kind)
	switch kind {
	case "":
		return errMissing("kind")
	case sqlstore.AccountConsumer, sqlstore.AccountBrand, sqlstore.AccountMarketMaker, sqlstore.AccountOperator:
	default:
		return errInvalid("kind", fmt.Sprintf("%q", clip(req.Kind)), "consumer, brand, market_maker, operator")
	}
	if req.Name == "" {
		return errMissing("name")
	}
	if len(req.Name) > maxAccountName || strings.ContainsFunc(req.Name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Errorf("invalid_name", "field \"name\" must be at most %d bytes of printable text", maxAccountName)
	}
	var scopes []Scope
	if req.Scopes != nil {
		var err error
		if scopes, err = s.grantable(who(c), req.Scopes); err != nil {
			return err
		}
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	id, err := s.CreateAccount(ctx, kind, req.Name)
	if err != nil {
		return err
	}
	acct, err := s.deps.Store.Account(ctx, id)
	if err != nil {
		return err
	}
	v := accountView{ID: decID(acct.ID), Kind: string(acct.Kind), Name: acct.Name, CreatedAt: rfc3339(acct.CreatedAt)}
	if len(scopes) > 0 {
		keyID, secret, err := s.IssueHMACKey(ctx, id, scopes, req.Name)
		if err != nil {
			return err
		}
		k, err := s.deps.Store.APIKey(ctx, keyID)
		if err != nil {
			return err
		}
		kv := viewKey(k)
		kv.Secret = secret
		v.Key = &kv
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

type createAssetRequest struct {
	Symbol    string `json:"symbol"`
	Scale     *int64 `json:"scale"`
	Kind      string `json:"kind"`       // token, points or coupon
	Brand     string `json:"brand"`      // account id; points and coupons only
	ExpiresAt string `json:"expires_at"` // coupons only, optional: RFC 3339
	Hub       bool   `json:"hub"`        // swaps may route two hops through it
}

type adminAssetView struct {
	ID        string  `json:"id"`
	Symbol    string  `json:"symbol"`
	Scale     uint8   `json:"scale"`
	Kind      string  `json:"kind"`
	Brand     *string `json:"brand"`      // null for a token
	ExpiresAt *string `json:"expires_at"` // null: never
	Hub       bool    `json:"hub"`
}

// createAsset adds an asset to the engine: a token (no brand), or a
// brand's points or coupon. It has no token contract: to make a brand's
// asset depositable, the brand creates or registers a program instead.
func (s *Server) createAsset(c *fiber.Ctx) error {
	var req createAssetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Symbol == "" {
		return errMissing("symbol")
	}
	sym, ok := engine.ParseSymbol(req.Symbol)
	if !ok {
		return Errorf("invalid_symbol", "field \"symbol\" must be 1 to 16 of A-Z, 0-9, '.' and '_', not %q", clip(req.Symbol))
	}
	scale, err := intInRange("scale", req.Scale, 0, engine.MaxScale)
	if err != nil {
		return err
	}
	var kind engine.AssetKind
	switch req.Kind {
	case "":
		return errMissing("kind")
	case "token":
		kind = engine.Token
	case "points":
		kind = engine.Points
	case "coupon":
		kind = engine.Coupon
	default:
		return errInvalid("kind", fmt.Sprintf("%q", clip(req.Kind)), `"token", "points" or "coupon"`)
	}
	cmd := engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: uint8(scale), AssetKind: kind, Hub: req.Hub}
	switch {
	case kind == engine.Token && req.Brand != "":
		return Errorf("invalid_brand", "a token has no brand: leave out \"brand\"")
	case kind != engine.Token:
		brand, err := parseAccountField("brand", req.Brand)
		if err != nil {
			return err
		}
		cmd.Brand = engine.AccountID(brand)
	}
	if req.ExpiresAt != "" {
		if kind != engine.Coupon {
			return Errorf("invalid_expires_at", "only a coupon expires: leave out \"expires_at\"")
		}
		t, err := parseTimeField("expires_at", req.ExpiresAt)
		if err != nil {
			return err
		}
		if !t.After(s.cfg.Now()) {
			return Errorf("invalid_expires_at", "field \"expires_at\" must be in the future")
		}
		cmd.ExpiresAt = t.UnixNano()
	}
	if _, err := s.asset(c.UserContext(), req.Symbol); err == nil {
		return Errorf("duplicate_asset", "an asset %s exists already", req.Symbol)
	} else if e, ok := errorOf(err); !ok || e.Code != "unknown_asset" {
		return err
	}
	if cmd.Brand != 0 {
		ctx, cancel := s.ctx(c)
		acct, err := s.deps.Store.Account(ctx, uint32(cmd.Brand))
		cancel()
		switch {
		case errors.Is(err, sqlstore.ErrNotFound):
			return Errorf("unknown_account", "no account %d", cmd.Brand)
		case err != nil:
			return err
		case acct.Kind != sqlstore.AccountBrand:
			return Errorf("brand_account_required", "account %d is a %s, not a brand", cmd.Brand, acct.Kind)
		}
	}
	evs, err := s.submit(c, cmd)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Kind == engine.EvAssetCreated {
			v := adminAssetView{ID: decID(uint32(ev.Asset)), Symbol: req.Symbol, Scale: ev.Scale, Kind: ev.AssetKind.String(), ExpiresAt: optRFC3339(ev.ExpiresAt), Hub: ev.Hub}
			if ev.Brand != 0 {
				b := decID(uint32(ev.Brand))
				v.Brand = &b
			}
			return c.Status(fiber.StatusCreated).JSON(v)
		}
	}
	return errors.New("api: create asset: no asset created in the engine's answer")
}

type createMarketRequest struct {
	Base       string `json:"base"`
	Quote      string `json:"quote"`
	PriceScale *int64 `json:"price_scale"`
	Tick       string `json:"tick"`     // a price at price_scale
	Lot        string `json:"lot"`      // a base amount
	MinSize    string `json:"min_size"` // a base amount, a multiple of lot; optional (one lot)
	MakerBps   *int64 `json:"maker_bps"`
	TakerBps   *int64 `json:"taker_bps"`
}

type adminMarketView struct {
	ID         string `json:"id"`
	Symbol     string `json:"symbol"` // BASE-QUOTE
	Base       string `json:"base"`
	Quote      string `json:"quote"`
	PriceScale uint8  `json:"price_scale"`
	Tick       string `json:"tick"`
	Lot        string `json:"lot"`
	MinSize    string `json:"min_size"`
	MakerBps   int32  `json:"maker_bps"`
	TakerBps   int32  `json:"taker_bps"`
	Status     string `json:"status"` // open or halted
}

// viewMarket reads market m from the engine as it is now.
func (s *Server) viewMarket(c *fiber.Ctx, m marketRef) (adminMarketView, error) {
	var info engine.MarketInfo
	if err := s.read(c, func(e *engine.Engine) { info, _ = e.Market(m.ID) }); err != nil {
		return adminMarketView{}, err
	}
	return adminMarketView{
		ID: decID(uint32(m.ID)), Symbol: m.Symbol, Base: m.Base.Symbol, Quote: m.Quote.Symbol, PriceScale: info.PriceScale,
		Tick: formatUnits(info.Tick, info.PriceScale), Lot: formatUnits(info.Lot, m.Base.Scale), MinSize: formatUnits(info.MinSize, m.Base.Scale),
		MakerBps: info.MakerBps, TakerBps: info.TakerBps, Status: info.Status.String(),
	}, nil
}

// bps checks a required fee in basis points (0 to 10 000).
func feeBps(field string, v *int64) (int32, error) {
	n, err := intInRange(field, v, 0, engine.MaxFeeBps)
	if e, ok := errorOf(err); ok && e.Code == "invalid_"+field {
		return 0, Errorf("invalid_fee", "field %q must be an integer from 0 to %d basis points, not %d", field, engine.MaxFeeBps, *v)
	}
	return int32(n), err
}

// createMarket opens a market BASE-QUOTE. Its tick is a price step (a
// decimal at price_scale, in quote per whole base), its lot a size step
// and min_size the smallest order (base amounts, min_size a multiple of
// lot). One lot at one tick must be a whole number of quote units.
func (s *Server) createMarket(c *fiber.Ctx) error {
	var req createMarketRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Base == "" {
		return errMissing("base")
	}
	if req.Quote == "" {
		return errMissing("quote")
	}
	base, err := s.asset(c.UserContext(), req.Base)
	if err != nil {
		return err
	}
	quote, err := s.asset(c.UserContext(), req.Quote)
	if err != nil {
		return err
	}
	if base.ID == quote.ID {
		return Errorf("invalid_market", "base and quote are the same asset")
	}
	_, markets, err := s.allRefs(c.UserContext())
	if err != nil {
		return err
	}
	for _, m := range markets {
		if m.Base.ID == base.ID && m.Quote.ID == quote.ID || m.Base.ID == quote.ID && m.Quote.ID == base.ID {
			return Errorf("duplicate_market", "market %s trades these assets already", m.Symbol)
		}
	}
	priceScale, err := intInRange("price_scale", req.PriceScale, 0, engine.MaxScale)
	if err != nil {
		return err
	}
	tick, err := parsePositive("tick", req.Tick, uint8(priceScale))
	if err != nil {
		return err
	}
	lot, err := parsePositive("lot", req.Lot, base.Scale)
	if err != nil {
		return err
	}
	minSize := lot
	if req.MinSize != "" {
		if minSize, err = parsePositive("min_size", req.MinSize, base.Scale); err != nil {
			return err
		}
	}
	if minSize%lot != 0 {
		return Errorf("invalid_min_size", "min_size %s is not a multiple of the lot %s", req.MinSize, req.Lot)
	}
	maker, err := feeBps("maker_bps", req.MakerBps)
	if err != nil {
		return err
	}
	taker, err := feeBps("taker_bps", req.TakerBps)
	if err != nil {
		return err
	}
	if err := checkTickLot(tick, lot, int(priceScale), int(base.Scale), int(quote.Scale)); err != nil {
		return err
	}
	var expired bool
	if err := s.read(c, func(e *engine.Engine) {
		b, _ := e.Asset(base.ID)
		q, _ := e.Asset(quote.ID)
		expired = b.Expired || q.Expired
	}); err != nil {
		return err
	}
	if expired {
		return Errorf("asset_expired", "%s or %s has expired", base.Symbol, quote.Symbol)
	}
	evs, err := s.submit(c, engine.Command{
		Kind: engine.CmdCreateMarket, Base: base.ID, Quote: quote.ID, PriceScale: uint8(priceScale),
		Tick: tick, Lot: lot, MinSize: minSize, MakerBps: maker, TakerBps: taker,
	})
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Kind == engine.EvMarketCreated {
			m, err := s.marketByID(c.UserContext(), ev.Market)
			if err != nil {
				return err
			}
			v, err := s.viewMarket(c, m)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(v)
		}
	}
	return errors.New("api: create market: no market created in the engine's answer")
}

// checkTickLot refuses what the engine would: one lot at one tick, tick ×
// lot × 10^(quote scale − price scale − base scale) quote units, must be
// whole and fit an int64.
func checkTickLot(tick, lot int64, priceScale, baseScale, quoteScale int) error {
	p := new(big.Int).Mul(big.NewInt(tick), big.NewInt(lot))
	exp := quoteScale - priceScale - baseScale
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(exp, -exp))), nil)
	tooLarge := Errorf("amount_overflow", "one lot at one tick is too many quote units: use a smaller tick or lot")
	if !p.IsInt64() {
		return tooLarge
	}
	switch {
	case exp > 0:
		if p.Mul(p, pow); !p.IsInt64() {
			return tooLarge
		}
	case exp < 0:
		if -exp > engine.MaxScale || new(big.Int).Rem(p, pow).Sign() != 0 {
			return Errorf("tick_lot_not_integral", "one lot at one tick is not a whole number of quote units (quote scale %d): use a larger tick or lot", quoteScale)
		}
	}
	return nil
}

type setFeesRequest struct {
	MakerBps *int64 `json:"maker_bps"`
	TakerBps *int64 `json:"taker_bps"`
}

// setFees changes a market's fees, in basis points, for orders placed
// from now on.
func (s *Server) setFees(c *fiber.Ctx) error {
	m, err := s.market(c.UserContext(), c.Params("market"))
	if err != nil {
		return err
	}
	var req setFeesRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	maker, err := feeBps("maker_bps", req.MakerBps)
	if err != nil {
		return err
	}
	taker, err := feeBps("taker_bps", req.TakerBps)
	if err != nil {
		return err
	}
	if _, err := s.submit(c, engine.Command{Kind: engine.CmdSetFees, Market: m.ID, MakerBps: maker, TakerBps: taker}); err != nil {
		return err
	}
	v, err := s.viewMarket(c, m)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// haltMarket stops a market: orders are refused (market_halted); resting
// orders stay on the book and can be cancelled.
func (s *Server) haltMarket(c *fiber.Ctx) error { return s.setMarketStatus(c, engine.Halted) }

// resumeMarket opens a halted market again (not one whose coupon has
// expired).
func (s *Server) resumeMarket(c *fiber.Ctx) error { return s.setMarketStatus(c, engine.Open) }

func (s *Server) setMarketStatus(c *fiber.Ctx, status engine.MarketStatus) error {
	m, err := s.market(c.UserContext(), c.Params("market"))
	if err != nil {
		return err
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &struct{}{}); err != nil {
			return err
		}
	}
	if status == engine.Open {
		var expired bool
		if err := s.read(c, func(e *engine.Engine) {
			b, _ := e.Asset(m.Base.ID)
			q, _ := e.Asset(m.Quote.ID)
			expired = b.Expired || q.Expired
		}); err != nil {
			return err
		}
		if expired {
			return Errorf("asset_expired", "%s trades an expired coupon: it stays halted", m.Symbol)
		}
	}
	if _, err := s.submit(c, engine.Command{Kind: engine.CmdSetMarketStatus, Market: m.ID, Status: status}); err != nil {
		return err
	}
	v, err := s.viewMarket(c, m)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// Snapshotter takes a snapshot of the engine on demand.
// *exchange.Sequencer is one.
type Snapshotter interface {
	Snapshot(ctx context.Context) (exchange.SnapshotInfo, error)
}

// snapshotTimeout bounds how long POST /v1/admin/snapshot waits for the
// snapshot to be stored (a large state takes a few seconds).
const snapshotTimeout = time.Minute

type snapshotView struct {
	Seq       string `json:"seq"`        // the last command the snapshot holds
	StateHash string `json:"state_hash"` // hex SHA-256 of the snapshot
}

// takeSnapshot has the sequencer write a snapshot now and answers once
// the store holds it. Restarts recover from the newest snapshot, and the
// journal before the oldest kept one is trimmed, as after a periodic one.
func (s *Server) takeSnapshot(c *fiber.Ctx) error {
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &struct{}{}); err != nil {
			return err
		}
	}
	if s.deps.Snapshots == nil {
		return &Error{Status: fiber.StatusServiceUnavailable, Code: "snapshots_unavailable", Message: "this server keeps no snapshots"}
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), max(snapshotTimeout, s.cfg.RequestTimeout))
	defer cancel()
	info, err := s.deps.Snapshots.Snapshot(ctx)
	switch {
	case errors.Is(err, exchange.ErrNoSnapshots):
		return &Error{Status: fiber.StatusServiceUnavailable, Code: "snapshots_unavailable", Message: "this server keeps no snapshots"}
	case errors.Is(err, exchange.ErrSnapshotNotStored):
		s.cfg.Log.Error("snapshot asked for by an operator was not stored", "err", err)
		return &Error{Status: fiber.StatusServiceUnavailable, Code: "snapshot_failed", Message: "the snapshot could not be stored (the server's log says why); nothing is lost, try again"}
	case err != nil:
		return err
	}
	return c.JSON(snapshotView{Seq: decID(info.Seq), StateHash: hex.EncodeToString(info.StateHash[:])})
}
