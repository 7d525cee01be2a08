package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// BrandStore is the SQL side of token programs, issuance and the brands'
// redemptions. *sqlstore.DB is one.
type BrandStore interface {
	ListTokenPrograms(ctx context.Context, brand uint32) ([]sqlstore.TokenProgram, error)
	Issuance(ctx context.Context, brand uint32, reference string) (sqlstore.Issuance, error)
	ListRedemptionsByAsset(ctx context.Context, asset uint32, status sqlstore.RedemptionStatus, beforeID uint64, limit int) ([]sqlstore.Redemption, error)
	LiabilitiesHistory(ctx context.Context, asset, brand uint32, interval, from, to int64) ([]sqlstore.LiabilityPoint, error)
}

// brandCaller returns the caller if it is a brand account: the brand
// routes need the issue scope and a brand account (not_brand, 403).
func brandCaller(c *fiber.Ctx) (*principal, error) {
	p := who(c)
	if p.Kind != sqlstore.AccountBrand {
		return nil, Errorf("not_brand", "only a brand account may use the brand routes; this account is a %s", p.Kind)
	}
	return p, nil
}

// Limits of a program's fields.
const (
	maxProgramName     = 100
	maxTokenDecimals   = 77 // 10^77 is the largest power of ten a uint256 holds
	maxReferenceLength = sqlstore.MaxIssuanceReference
)

type createProgramRequest struct {
	Name      string `json:"name"`
	Symbol    string `json:"symbol"`
	Kind      string `json:"kind"` // points or coupon
	Decimals  *int64 `json:"decimals"`
	Scale     *int64 `json:"scale"`
	ExpiresAt string `json:"expires_at"` // coupons only: RFC 3339, whole seconds
}

type programView struct {
	Asset     string  `json:"asset"`
	AssetID   string  `json:"asset_id"`
	Name      string  `json:"name"`
	Kind      string  `json:"kind"` // points or coupon
	Token     string  `json:"token"`
	ChainID   string  `json:"chain_id"`
	Decimals  uint8   `json:"decimals"`
	Scale     uint8   `json:"scale"`
	ExpiresAt *string `json:"expires_at"` // null: never
	CreatedAt string  `json:"created_at"`
	// TotalSupply is the token's totalSupply() read from the chain now,
	// at the asset's scale (rounded down) and raw; null when the chain
	// cannot be read (listPrograms only).
	TotalSupply    *string `json:"total_supply,omitempty"`
	TotalSupplyRaw *string `json:"total_supply_raw,omitempty"`
}

func viewProgram(p sqlstore.TokenProgram) programView {
	v := programView{
		Asset: p.Symbol, AssetID: decID(p.AssetID), Name: p.Name, Kind: string(p.Kind), Token: eip55(p.Contract),
		ChainID: decID(p.ChainID), Decimals: p.Decimals, Scale: p.Scale, CreatedAt: rfc3339(p.CreatedAt),
	}
	if p.ExpiresAt != 0 {
		t := time.Unix(p.ExpiresAt, 0).UTC().Format(time.RFC3339)
		v.ExpiresAt = &t
	}
	return v
}

// intInRange checks a required integer field within [lo, hi].
func intInRange(field string, v *int64, lo, hi int64) (int64, error) {
	if v == nil {
		return 0, errMissing(field)
	}
	if *v < lo || *v > hi {
		return 0, Errorf("invalid_"+field, "field %q must be an integer from %d to %d, not %d", field, lo, hi, *v)
	}
	return *v, nil
}

// createProgram has the exchange deploy a new points or coupon token for
// the calling brand through its TokenFactory and list it as a new asset.
// The deployment is signed with the vault's key, so the vault admins the
// token and holds its MINTER_ROLE (issue mints to the vault; fulfilled
// redemptions are burned from it); the factory records the vault as the
// deployer and the brand account owns the asset on the exchange. The
// answer waits for the deployment's confirmations.
func (s *Server) createProgram(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	var req createProgramRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errMissing("name")
	}
	if len(req.Name) > maxProgramName || strings.ContainsFunc(req.Name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Errorf("invalid_name", "field \"name\" must be at most %d bytes of printable text", maxProgramName)
	}
	if req.Symbol == "" {
		return errMissing("symbol")
	}
	if _, ok := engine.ParseSymbol(req.Symbol); !ok {
		return Errorf("invalid_symbol", "field \"symbol\" must be 1 to 16 of A-Z, 0-9, '.' and '_', not %q", clip(req.Symbol))
	}
	spec := tokens.ProgramSpec{Name: req.Name, Symbol: req.Symbol}
	switch req.Kind {
	case "":
		return errMissing("kind")
	case "points":
		spec.Kind = tokens.KindPoints
	case "coupon":
		spec.Kind = tokens.KindCoupon
	default:
		return errInvalid("kind", fmt.Sprintf("%q", clip(req.Kind)), `"points" or "coupon"`)
	}
	decimals, err := intInRange("decimals", req.Decimals, 0, maxTokenDecimals)
	if err != nil {
		return err
	}
	scale, err := intInRange("scale", req.Scale, 0, min(decimals, engine.MaxScale))
	if err != nil {
		return err
	}
	spec.Decimals = uint8(decimals)
	switch {
	case spec.Kind == tokens.KindPoints && req.ExpiresAt != "":
		return Errorf("invalid_expires_at", "points never expire: leave out \"expires_at\"")
	case spec.Kind == tokens.KindCoupon && req.ExpiresAt == "":
		return errMissing("expires_at")
	case spec.Kind == tokens.KindCoupon:
		t, err := parseTimeField("expires_at", req.ExpiresAt)
		if err != nil {
			return err
		}
		if t.Nanosecond() != 0 || !t.After(s.cfg.Now().Add(time.Minute)) {
			return Errorf("invalid_expires_at", "field \"expires_at\" must be in whole seconds and more than a minute from now")
		}
		spec.ExpiresAt = t.UTC()
	}
	if _, err := s.asset(c.UserContext(), req.Symbol); err == nil {
		return Errorf("duplicate_asset", "an asset %s exists already", req.Symbol)
	} else if e, ok := errorOf(err); !ok || e.Code != "unknown_asset" {
		return err
	}
	ch, err := s.chain()
	if err != nil {
		return err
	}
	ctx, cancel := s.chainCtx(c)
	defer cancel()
	asset, _, err := ch.CreateProgram(ctx, p.Account, spec, uint8(scale))
	if err != nil {
		return err
	}
	return s.answerProgram(c, ctx, asset)
}

// answerProgram answers 201 with the program of asset.
func (s *Server) answerProgram(c *fiber.Ctx, ctx context.Context, asset uint32) error {
	prog, err := s.deps.Store.TokenProgram(ctx, asset)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewProgram(prog))
}

type registerProgramRequest struct {
	Token string `json:"token"`
	Scale *int64 `json:"scale"`
}

// registerProgram lists an ERC-20 the brand deployed itself as the
// brand's new asset (its symbol, decimals and, for a LoyaltyToken coupon,
// its expiry are read from the chain; any other ERC-20 is points that
// never expire). Deposits of it are credited at once; to issue it, the
// brand grants the vault (GET /v1/deposit-address) the token's
// MINTER_ROLE.
func (s *Server) registerProgram(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	var req registerProgramRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	token, err := parseAddressField("token", req.Token)
	if err != nil {
		return err
	}
	scale, err := intInRange("scale", req.Scale, 0, engine.MaxScale)
	if err != nil {
		return err
	}
	ch, err := s.chain()
	if err != nil {
		return err
	}
	ctx, cancel := s.chainCtx(c)
	defer cancel()
	asset, err := ch.RegisterProgram(ctx, p.Account, token, uint8(scale))
	if err != nil {
		return err
	}
	return s.answerProgram(c, ctx, asset)
}

// listPrograms answers the brand's token programs with each token's
// total supply read from the chain now.
func (s *Server) listPrograms(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	progs, err := s.deps.Store.ListTokenPrograms(ctx, p.Account)
	if err != nil {
		return err
	}
	out := make([]programView, 0, len(progs))
	for _, prog := range progs {
		v := viewProgram(prog)
		if ch := s.deps.Chain; ch != nil && prog.ChainID == ch.ChainID() && common.IsHexAddress(prog.Contract) {
			supply, err := ch.TotalSupply(ctx, common.HexToAddress(prog.Contract))
			if err != nil {
				// The programs are still worth listing: the supply is null.
				s.cfg.Log.Warn("token supply unread", "asset", prog.AssetID, "token", prog.Contract, "err", err)
				out = append(out, v)
				continue
			}
			raw := supply.String()
			v.TotalSupplyRaw = &raw
			if units, _, err := tokens.ToUnits(supply, prog.Decimals, prog.Scale); err == nil {
				amount := formatUnits(units, prog.Scale)
				v.TotalSupply = &amount
			}
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"programs": out})
}

type issueRequest struct {
	Customer  string `json:"customer"` // account id
	Asset     string `json:"asset"`
	Amount    string `json:"amount"`
	Reference string `json:"reference"`
}

type issuanceView struct {
	Reference string `json:"reference"`
	Customer  string `json:"customer"`
	Asset     string `json:"asset"`
	Amount    string `json:"amount"`
	// Status: pending (accepted), minting (the mint to the vault is
	// signed), credited (minted and credited to the customer; final) or
	// failed (final; failure_reason says why).
	Status        string `json:"status"`
	TxHash        string `json:"tx_hash,omitempty"`
	FailureReason string `json:"failure_reason,omitempty"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

func (s *Server) viewIssuance(c *fiber.Ctx, is sqlstore.Issuance) (issuanceView, error) {
	a, err := s.assetByID(c.UserContext(), engine.AssetID(is.Asset))
	if err != nil {
		return issuanceView{}, err
	}
	return issuanceView{
		Reference: is.Reference, Customer: decID(is.Customer), Asset: a.Symbol, Amount: formatUnits(is.Amount, a.Scale),
		Status: string(is.Status), TxHash: is.TxHash, FailureReason: is.Error,
		CreatedAt: rfc3339(is.CreatedAt), UpdatedAt: rfc3339(is.UpdatedAt),
	}, nil
}

// checkReference refuses an empty reference, one longer than the limit
// and one with other than letters, digits and "-_.:~" (it is a path
// segment of GET /v1/brand/issues/:reference, and needs no escaping).
func checkReference(ref string) error {
	if ref == "" {
		return errMissing("reference")
	}
	bad := func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_.:~", r))
	}
	if len(ref) > maxReferenceLength || strings.ContainsFunc(ref, bad) {
		return Errorf("invalid_reference", "field \"reference\" must be 1 to %d letters, digits and \"-_.:~\"", maxReferenceLength)
	}
	return nil
}

// issue credits a customer with the brand's points or coupons, backed on
// chain: the vault mints the amount to itself and the customer is
// credited once the mint is confirmed (status pending → minting →
// credited). The brand's reference makes it idempotent: a repeat with the
// same reference issues nothing and answers the stored issuance (200
// instead of 201); the same reference with another customer, asset or
// amount is a 409 reference_reused.
func (s *Server) issue(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	var req issueRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	customer, err := parseAccountField("customer", req.Customer)
	if err != nil {
		return err
	}
	a, err := s.requestAsset(c.UserContext(), req.Asset)
	if err != nil {
		return err
	}
	if a.Kind == engine.Token || uint32(a.Brand) != p.Account {
		return Errorf("not_brands_asset", "%s is not this brand's asset", a.Symbol)
	}
	units, err := parsePositive("amount", req.Amount, a.Scale)
	if err != nil {
		return err
	}
	if err := checkReference(req.Reference); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	if _, err := s.deps.Store.Account(ctx, customer); errors.Is(err, sqlstore.ErrNotFound) {
		return Errorf("unknown_account", "no customer account %d", customer)
	} else if err != nil {
		return err
	}
	ch, err := s.chain()
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if _, err := s.deps.Store.Issuance(ctx, p.Account, req.Reference); err == nil {
		status = fiber.StatusOK
	} else if !errors.Is(err, sqlstore.ErrNotFound) {
		return err
	}
	is, err := ch.Issue(ctx, p.Account, customer, uint32(a.ID), formatUnits(units, a.Scale), req.Reference)
	if err != nil {
		return err
	}
	v, err := s.viewIssuance(c, is)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(v)
}

// getIssue answers the brand's issuance with a reference.
func (s *Server) getIssue(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	ref := strings.Clone(c.Params("reference"))
	if checkReference(ref) != nil {
		return Errorf("not_found", "no issue %q", clip(ref))
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	is, err := s.deps.Store.Issuance(ctx, p.Account, ref)
	if errors.Is(err, sqlstore.ErrNotFound) || errors.Is(err, sqlstore.ErrInvalid) {
		return Errorf("not_found", "no issue %q", clip(ref))
	}
	if err != nil {
		return err
	}
	v, err := s.viewIssuance(c, is)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// brandAssets are the points and coupons of brand.
func (s *Server) brandAssets(c *fiber.Ctx, brand uint32) ([]assetRef, error) {
	assets, _, err := s.allRefs(c.UserContext())
	if err != nil {
		return nil, err
	}
	out := assets[:0]
	for _, a := range assets {
		if a.Kind != engine.Token && uint32(a.Brand) == brand {
			out = append(out, a)
		}
	}
	return out, nil
}

// listBrandRedemptions answers the redemptions of the brand's assets
// (?asset=SYM for one), newest first, paged; ?status=pending, fulfilled
// or rejected for those only.
func (s *Server) listBrandRedemptions(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	status := sqlstore.RedemptionStatus(c.Query("status"))
	switch status {
	case "", sqlstore.RedemptionPending, sqlstore.RedemptionFulfilled, sqlstore.RedemptionRejected:
	default:
		return Errorf("invalid_parameter", "query parameter \"status\" must be pending, fulfilled or rejected, not %q", clip(string(status)))
	}
	limit, payload, err := fundsPage(c, "redemptions")
	if err != nil {
		return err
	}
	before, err := fundsIDCursor(payload)
	if err != nil {
		return err
	}
	assets, err := s.brandAssets(c, p.Account)
	if err != nil {
		return err
	}
	if sym := c.Query("asset"); sym != "" {
		a, err := s.asset(c.UserContext(), sym)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(assets, func(b assetRef) bool { return b.ID == a.ID }) {
			return Errorf("not_brands_asset", "%s is not this brand's asset", a.Symbol)
		}
		assets = []assetRef{a}
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	var all []sqlstore.Redemption
	for _, a := range assets {
		list, err := s.deps.Store.ListRedemptionsByAsset(ctx, uint32(a.ID), status, before, limit+1)
		if err != nil {
			return err
		}
		all = append(all, list...)
	}
	slices.SortFunc(all, func(x, y sqlstore.Redemption) int {
		switch {
		case x.ID > y.ID:
			return -1
		case x.ID < y.ID:
			return 1
		}
		return 0
	})
	if len(all) > limit+1 {
		all = all[:limit+1]
	}
	return s.answerRedemptions(c, all, limit)
}

// fulfilRedemption marks a pending redemption of the brand's asset
// fulfilled (the redeemed tokens are then burned from the vault).
func (s *Server) fulfilRedemption(c *fiber.Ctx) error {
	return s.settleRedemption(c, engine.CmdFulfilRedemption)
}

// rejectRedemption rejects a pending redemption of the brand's asset: the
// customer gets the amount back (for an expired coupon, it is breakage).
func (s *Server) rejectRedemption(c *fiber.Ctx) error {
	return s.settleRedemption(c, engine.CmdRejectRedemption)
}

// settleRedemption fulfils or rejects (kind) one of the brand's pending
// redemptions. Another brand's, or an unknown one, is a 404; one settled
// already is a 409.
func (s *Server) settleRedemption(c *fiber.Ctx, kind engine.CommandKind) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id", "redemption")
	if err != nil {
		return err
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &struct{}{}); err != nil {
			return err
		}
	}
	var pending bool
	var brand engine.AccountID
	if err := s.read(c, func(e *engine.Engine) {
		var r engine.RedemptionInfo
		if r, pending = e.Redemption(engine.RedemptionID(id)); pending {
			a, _ := e.Asset(r.Asset)
			brand = a.Brand
		}
	}); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	row, rowErr := s.deps.Store.Redemption(ctx, id)
	if rowErr != nil && !errors.Is(rowErr, sqlstore.ErrNotFound) {
		return rowErr
	}
	if !pending {
		if rowErr == nil {
			if a, err := s.assetByID(c.UserContext(), engine.AssetID(row.Asset)); err == nil && uint32(a.Brand) == p.Account {
				return Errorf("redemption_settled", "redemption %d is settled already", id)
			}
		}
		return Errorf("not_found", "no pending redemption %d of this brand", id)
	}
	if uint32(brand) != p.Account {
		return Errorf("not_found", "no pending redemption %d of this brand", id)
	}
	evs, err := s.submit(c, engine.Command{Kind: kind, Account: engine.AccountID(p.Account), Redemption: engine.RedemptionID(id)})
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Kind == engine.EvRedemptionFulfilled || ev.Kind == engine.EvRedemptionRejected {
			created := ev.Time
			if rowErr == nil {
				created = row.CreatedAt
			}
			v, err := s.redemptionOf(c, ev, created)
			if err != nil {
				return err
			}
			return c.JSON(v)
		}
	}
	return fmt.Errorf("api: %s %d: no settled redemption in the engine's answer", kind, id)
}

type liabilitiesView struct {
	Asset             string `json:"asset"`
	Issued            string `json:"issued"`
	Deposited         string `json:"deposited"`
	Withdrawn         string `json:"withdrawn"`
	HeldByCustomers   string `json:"held_by_customers"`
	HeldByBrand       string `json:"held_by_brand"`
	RedeemedPending   string `json:"redeemed_pending"`
	RedeemedFulfilled string `json:"redeemed_fulfilled"`
	Expired           string `json:"expired"`
	// ChainSupply is the token's total supply as the node last reported
	// it to the engine (null: never), with the seq and time of the report.
	ChainSupply     *string `json:"chain_supply"`
	ChainSupplySeq  *string `json:"chain_supply_seq"`
	ChainSupplyTime *string `json:"chain_supply_at"`
}

// getLiabilities answers what the brand owes on each of its assets, read
// from the engine as of seq: issued + deposited − withdrawn =
// held_by_customers + held_by_brand + redeemed_pending +
// redeemed_fulfilled + expired. For a token only the exchange mints,
// chain_supply (once reported after the last change) is issued −
// redeemed_fulfilled once the fulfilled redemptions are burned.
func (s *Server) getLiabilities(c *fiber.Ctx) error {
	p, err := brandCaller(c)
	if err != nil {
		return err
	}
	assets, err := s.brandAssets(c, p.Account)
	if err != nil {
		return err
	}
	ls := make([]engine.Liabilities, len(assets))
	var seq uint64
	if err := s.read(c, func(e *engine.Engine) {
		seq = e.LastSeq()
		for i, a := range assets {
			ls[i], _ = e.Liabilities(a.ID)
		}
	}); err != nil {
		return err
	}
	out := make([]liabilitiesView, 0, len(assets))
	for i, a := range assets {
		l, f := ls[i], func(u int64) string { return formatUnits(u, a.Scale) }
		v := liabilitiesView{
			Asset: a.Symbol, Issued: f(l.Issued), Deposited: f(l.Deposited), Withdrawn: f(l.Withdrawn),
			HeldByCustomers: f(l.HeldByCustomers), HeldByBrand: f(l.HeldByBrand),
			RedeemedPending: f(l.RedeemedPending), RedeemedFulfilled: f(l.RedeemedFulfilled), Expired: f(l.Expired),
		}
		if l.ChainSupplySeq != 0 {
			supply, seq := f(l.ChainSupply), decID(l.ChainSupplySeq)
			v.ChainSupply, v.ChainSupplySeq, v.ChainSupplyTime = &supply, &seq, optRFC3339(l.ChainSupplyTime)
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"seq": decID(seq), "liabilities": out})
}
