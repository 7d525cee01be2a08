package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

type withdrawalRequest struct {
	Asset  string `json:"asset"`
	Amount string `json:"amount"`
	To     string `json:"to"`
}

type withdrawalView struct {
	ID        string `json:"id"`
	Asset     string `json:"asset"`
	Amount    string `json:"amount"`
	AmountRaw string `json:"amount_raw,omitempty"`
	To        string `json:"to,omitempty"`
	ChainID   string `json:"chain_id,omitempty"`
	// Status: pending (held, not signed yet), signed, sent, confirmed (the
	// tokens arrived; final) or failed (refunded; final).
	Status        string `json:"status"`
	TxHash        string `json:"tx_hash,omitempty"`
	FailureReason string `json:"failure_reason,omitempty"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

func (s *Server) viewWithdrawal(c *fiber.Ctx, w sqlstore.Withdrawal) (withdrawalView, error) {
	a, err := s.assetByID(c.UserContext(), engine.AssetID(w.Asset))
	if err != nil {
		return withdrawalView{}, err
	}
	v := withdrawalView{
		ID: decID(w.ID), Asset: a.Symbol, Amount: formatUnits(w.Amount, a.Scale), To: eip55(w.ToAddress),
		Status: string(w.Status), TxHash: w.TxHash, FailureReason: w.Error,
		CreatedAt: rfc3339(w.CreatedAt), UpdatedAt: rfc3339(w.UpdatedAt),
	}
	if w.AmountRaw != nil {
		v.AmountRaw = w.AmountRaw.String()
	}
	if w.ChainID != 0 {
		v.ChainID = decID(w.ChainID)
	}
	return v, nil
}

// requestWithdrawal withdraws amount of asset to a wallet the caller
// linked on the exchange's chain: the engine holds the amount at once,
// and the vault sends the tokens (status pending → signed → sent →
// confirmed; failed refunds the hold). Idempotency-Key makes a retry safe.
func (s *Server) requestWithdrawal(c *fiber.Ctx) error {
	var req withdrawalRequest
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
	to, err := parseAddressField("to", req.To)
	if err != nil {
		return err
	}
	ch, err := s.chain()
	if err != nil {
		return err
	}
	p := who(c)
	ctx, cancel := s.ctx(c)
	defer cancel()
	prog, err := s.deps.Store.TokenProgram(ctx, uint32(a.ID))
	if errors.Is(err, sqlstore.ErrNotFound) || err == nil && prog.ChainID != ch.ChainID() {
		return Errorf("no_token_program", "asset %s has no token on this exchange's chain: it cannot be withdrawn", a.Symbol)
	}
	if err != nil {
		return err
	}
	w, err := s.deps.Store.Wallet(ctx, ch.ChainID(), storedAddress(to))
	if errors.Is(err, sqlstore.ErrNotFound) || err == nil && w.Account != p.Account {
		return Errorf("wallet_not_linked", "%s is not a wallet linked to this account; link it first (POST /v1/wallets)", to.Hex())
	}
	if err != nil {
		return err
	}
	avail, expired, err := s.availableOf(c, p.Account, a)
	switch {
	case err != nil:
		return err
	case expired:
		return Errorf("asset_expired", "%s has expired", a.Symbol)
	case avail < units:
		return Errorf("insufficient_balance", "%s %s available, %s asked", formatUnits(avail, a.Scale), a.Symbol, formatUnits(units, a.Scale))
	}
	id, err := ch.RequestWithdrawal(ctx, p.Account, uint32(a.ID), formatUnits(units, a.Scale), to)
	if err != nil {
		return err
	}
	row, err := s.deps.Store.Withdrawal(ctx, id)
	if err != nil {
		return err
	}
	v, err := s.viewWithdrawal(c, row)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

// listWithdrawals answers the caller's withdrawals, newest first, paged.
func (s *Server) listWithdrawals(c *fiber.Ctx) error {
	limit, payload, err := fundsPage(c, "withdrawals")
	if err != nil {
		return err
	}
	before, err := fundsIDCursor(payload)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	list, err := s.deps.Store.ListWithdrawals(ctx, who(c).Account, before, limit+1)
	if err != nil {
		return err
	}
	var next *string
	if len(list) > limit {
		list = list[:limit]
		next = fundsCursor("withdrawals", decID(list[limit-1].ID))
	}
	out := make([]withdrawalView, 0, len(list))
	for _, w := range list {
		v, err := s.viewWithdrawal(c, w)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"withdrawals": out, "next_cursor": next})
}

// getWithdrawal answers one of the caller's withdrawals; another
// account's is a 404.
func (s *Server) getWithdrawal(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "withdrawal")
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	w, err := s.deps.Store.Withdrawal(ctx, id)
	if errors.Is(err, sqlstore.ErrNotFound) || errors.Is(err, sqlstore.ErrInvalid) || err == nil && w.Account != who(c).Account {
		return Errorf("not_found", "no withdrawal %d", id)
	}
	if err != nil {
		return err
	}
	v, err := s.viewWithdrawal(c, w)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
