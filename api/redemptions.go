package api

import (
	"crypto/rand"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

type redeemRequest struct {
	Asset  string `json:"asset"`
	Amount string `json:"amount"`
}

type redemptionView struct {
	ID      string `json:"id"`
	Account string `json:"account"` // the customer who redeemed
	Asset   string `json:"asset"`
	Amount  string `json:"amount"`
	// Receipt is the code the customer shows the brand ("7KQ3-X9ZD").
	Receipt string `json:"receipt"`
	// Status: pending, fulfilled or rejected (refunded).
	Status    string  `json:"status"`
	CreatedAt string  `json:"created_at"`
	SettledAt *string `json:"settled_at"` // null while pending
}

func (s *Server) viewRedemption(c *fiber.Ctx, r sqlstore.Redemption) (redemptionView, error) {
	a, err := s.assetByID(c.UserContext(), engine.AssetID(r.Asset))
	if err != nil {
		return redemptionView{}, err
	}
	return redemptionView{
		ID: decID(r.ID), Account: decID(r.Account), Asset: a.Symbol, Amount: formatUnits(r.Amount, a.Scale),
		Receipt: r.Receipt, Status: string(r.Status), CreatedAt: rfc3339(r.CreatedAt), SettledAt: optRFC3339(r.SettledAt),
	}, nil
}

// redemptionOf is the view of a redemption event (created, fulfilled or
// rejected).
func (s *Server) redemptionOf(c *fiber.Ctx, ev engine.Event, created int64) (redemptionView, error) {
	a, err := s.assetByID(c.UserContext(), ev.Asset)
	if err != nil {
		return redemptionView{}, err
	}
	v := redemptionView{
		ID: decID(uint64(ev.Redemption)), Account: decID(uint32(ev.Account)), Asset: a.Symbol,
		Amount: formatUnits(ev.Amount, a.Scale), Receipt: ev.Receipt.String(), Status: string(sqlstore.RedemptionPending),
		CreatedAt: rfc3339(created),
	}
	switch ev.Kind {
	case engine.EvRedemptionFulfilled:
		v.Status, v.SettledAt = string(sqlstore.RedemptionFulfilled), optRFC3339(ev.Time)
	case engine.EvRedemptionRejected:
		v.Status, v.SettledAt = string(sqlstore.RedemptionRejected), optRFC3339(ev.Time)
	}
	return v, nil
}

// redeem debits amount of a brand's points or coupon from the caller and
// records a pending redemption with the brand, answered with its receipt
// code. The brand fulfils it (the tokens are burned) or rejects it (the
// amount comes back). Idempotency-Key makes a retry safe.
func (s *Server) redeem(c *fiber.Ctx) error {
	var req redeemRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.requestAsset(c.UserContext(), req.Asset)
	if err != nil {
		return err
	}
	units, err := parsePositive("amount", req.Amount, a.Scale)
	if err != nil {
		return err
	}
	if a.Kind == engine.Token {
		return Errorf("not_redeemable", "%s is not a brand's points or coupon", a.Symbol)
	}
	p := who(c)
	avail, expired, err := s.availableOf(c, p.Account, a)
	switch {
	case err != nil:
		return err
	case expired:
		return Errorf("asset_expired", "%s has expired", a.Symbol)
	case avail < units:
		return Errorf("insufficient_balance", "%s %s available, %s asked", formatUnits(avail, a.Scale), a.Symbol, formatUnits(units, a.Scale))
	}
	// Random bytes salt the receipt code, so that nobody can work out
	// another customer's code from their own.
	var salt engine.Ref
	if _, err := rand.Read(salt[:]); err != nil {
		return err
	}
	evs, err := s.submit(c, engine.Command{Kind: engine.CmdRedeem, Account: engine.AccountID(p.Account), Asset: a.ID, Amount: units, Ref: salt})
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Kind == engine.EvRedemptionCreated {
			v, err := s.redemptionOf(c, ev, ev.Time)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(v)
		}
	}
	return errors.New("api: redeem: no redemption created in the engine's answer")
}

// listRedemptions answers the caller's redemptions, newest first, paged.
// They come from the SQL history, which follows the engine within
// milliseconds.
func (s *Server) listRedemptions(c *fiber.Ctx) error {
	limit, payload, err := fundsPage(c, "redemptions")
	if err != nil {
		return err
	}
	before, err := fundsIDCursor(payload)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	list, err := s.deps.Store.ListRedemptions(ctx, who(c).Account, before, limit+1)
	if err != nil {
		return err
	}
	return s.answerRedemptions(c, list, limit)
}

// answerRedemptions writes a page of at most limit redemptions (list may
// hold one more: then there is a next page).
func (s *Server) answerRedemptions(c *fiber.Ctx, list []sqlstore.Redemption, limit int) error {
	var next *string
	if len(list) > limit {
		list = list[:limit]
		next = fundsCursor("redemptions", decID(list[limit-1].ID))
	}
	out := make([]redemptionView, 0, len(list))
	for _, r := range list {
		v, err := s.viewRedemption(c, r)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"redemptions": out, "next_cursor": next})
}
