package api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

type depositAddressView struct {
	Asset                 string `json:"asset"`
	ChainID               string `json:"chain_id"`
	Address               string `json:"address"` // the vault
	Token                 string `json:"token"`
	Decimals              uint8  `json:"decimals"`
	Scale                 uint8  `json:"scale"`
	ConfirmationsRequired uint64 `json:"confirmations_required"`
}

// getDepositAddress answers where to send an asset's tokens (?asset=SYM):
// the vault's address on the exchange's chain, the token contract and its
// decimals. Only transfers from a wallet linked to the account are
// credited, after confirmations_required blocks follow the transfer's; an
// amount below one unit of the asset's scale is not credited.
func (s *Server) getDepositAddress(c *fiber.Ctx) error {
	symbol := c.Query("asset")
	if symbol == "" {
		return Errorf("missing_parameter", "query parameter \"asset\" is required")
	}
	a, err := s.asset(c.UserContext(), symbol)
	if err != nil {
		return err
	}
	ch, err := s.chain()
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	p, err := s.deps.Store.TokenProgram(ctx, uint32(a.ID))
	if errors.Is(err, sqlstore.ErrNotFound) || err == nil && p.ChainID != ch.ChainID() {
		return Errorf("no_token_program", "asset %s has no token on this exchange's chain: it cannot be deposited", a.Symbol)
	}
	if err != nil {
		return err
	}
	return c.JSON(depositAddressView{
		Asset: a.Symbol, ChainID: decID(ch.ChainID()), Address: ch.Vault().Hex(), Token: eip55(p.Contract),
		Decimals: p.Decimals, Scale: p.Scale, ConfirmationsRequired: ch.Confirmations(),
	})
}

type depositView struct {
	ChainID     string `json:"chain_id"`
	TxHash      string `json:"tx_hash"`
	LogIndex    uint32 `json:"log_index"`
	Asset       string `json:"asset"`
	Amount      string `json:"amount"`
	AmountRaw   string `json:"amount_raw"`
	DustRaw     string `json:"dust_raw"`
	BlockNumber uint64 `json:"block_number"`
	// Status: pending (seen, not credited yet), credited, rejected (never
	// credited: all dust, or refused) or reorged (dropped by a reorg).
	Status string `json:"status"`
	// Confirmations (blocks after the deposit's) and the number required,
	// while pending.
	Confirmations         *uint64 `json:"confirmations,omitempty"`
	ConfirmationsRequired *uint64 `json:"confirmations_required,omitempty"`
	CreatedAt             string  `json:"created_at"`
	UpdatedAt             string  `json:"updated_at"`
}

// depositStatus is how the API names a deposit's state.
func depositStatus(st sqlstore.DepositStatus) string {
	if st == sqlstore.DepositSeen {
		return "pending"
	}
	return string(st)
}

// listDeposits answers the caller's deposits, newest first, paged.
func (s *Server) listDeposits(c *fiber.Ctx) error {
	limit, payload, err := fundsPage(c, "deposits")
	if err != nil {
		return err
	}
	after, err := depositCursor(payload)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	list, err := s.deps.Store.ListDeposits(ctx, who(c).Account, after, limit+1)
	if err != nil {
		return err
	}
	var next *string
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1].Cursor()
		next = fundsCursor("deposits", strconv.FormatInt(last.CreatedAt, 10)+":"+decID(last.ChainID)+":"+last.TxHash+":"+decID(last.LogIndex))
	}
	var head uint64
	var headKnown bool
	for _, d := range list {
		if d.Status == sqlstore.DepositSeen && s.deps.Chain != nil && d.ChainID == s.deps.Chain.ChainID() {
			if head, err = s.deps.Chain.Head(ctx); err == nil {
				headKnown = true
			}
			break
		}
	}
	out := make([]depositView, 0, len(list))
	for _, d := range list {
		a, err := s.assetByID(c.UserContext(), engine.AssetID(d.Asset))
		if err != nil {
			return err
		}
		v := depositView{
			ChainID: decID(d.ChainID), TxHash: d.TxHash, LogIndex: d.LogIndex, Asset: a.Symbol,
			Amount: formatUnits(d.Amount, a.Scale), AmountRaw: rawAmount(d.AmountRaw), DustRaw: rawAmount(d.DustRaw),
			BlockNumber: d.BlockNumber, Status: depositStatus(d.Status),
			CreatedAt: rfc3339(d.CreatedAt), UpdatedAt: rfc3339(d.UpdatedAt),
		}
		if d.Status == sqlstore.DepositSeen && headKnown && d.ChainID == s.deps.Chain.ChainID() {
			var n uint64
			if head > d.BlockNumber {
				n = head - d.BlockNumber
			}
			required := s.deps.Chain.Confirmations()
			v.Confirmations, v.ConfirmationsRequired = &n, &required
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"deposits": out, "next_cursor": next})
}

// depositCursor reads a deposits cursor's payload:
// created_at:chain_id:tx_hash:log_index.
func depositCursor(payload string) (*sqlstore.DepositCursor, error) {
	if payload == "" {
		return nil, nil
	}
	bad := Errorf("invalid_cursor", "the cursor is not a next_cursor of this list")
	parts := strings.Split(payload, ":")
	if len(parts) != 4 {
		return nil, bad
	}
	created, err1 := strconv.ParseInt(parts[0], 10, 64)
	chain, err2 := strconv.ParseUint(parts[1], 10, 63)
	logIndex, err3 := strconv.ParseUint(parts[3], 10, 32)
	if err1 != nil || err2 != nil || err3 != nil || len(parts[2]) != 66 || common.HexToHash(parts[2]).Hex() != parts[2] {
		return nil, bad
	}
	return &sqlstore.DepositCursor{CreatedAt: created, ChainID: chain, TxHash: parts[2], LogIndex: uint32(logIndex)}, nil
}
