package node

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// SenderStore is the withdrawal sender's outbox in the SQL database: the
// withdrawals table, with each asset's token contract from its token
// program. Hashes are stored as lowercase hex.
type SenderStore struct {
	DB  *sqlstore.DB
	Now func() int64 // Unix nanoseconds, for updated_at
}

// Outstanding returns up to limit withdrawals on chainID that are pending
// with a destination, signed or sent, oldest (created_at, then id) first.
// Pending rows without a destination (the history projection's, before
// CreateWithdrawal) are left out.
func (s SenderStore) Outstanding(ctx context.Context, chainID uint64, limit int) ([]tokens.Withdrawal, error) {
	rows, err := s.DB.DB.QueryContext(ctx, senderQ(s.DB, `SELECT id FROM withdrawals
		WHERE status IN ('pending', 'signed', 'sent') AND chain_id = ? AND to_address IS NOT NULL
		ORDER BY created_at, id LIMIT ?`), int64(chainID), limit)
	if err != nil {
		return nil, fmt.Errorf("node: outstanding withdrawals: %w", err)
	}
	var ids []uint64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("node: outstanding withdrawals: %w", err)
		}
		ids = append(ids, uint64(id)) // stored as the BIGINT with the same bits
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("node: outstanding withdrawals: %w", err)
	}

	contracts := map[uint32]common.Address{}
	out := make([]tokens.Withdrawal, 0, len(ids))
	for _, id := range ids {
		w, err := s.DB.Withdrawal(ctx, id)
		if errors.Is(err, sqlstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		token, ok := contracts[w.Asset]
		if !ok {
			p, err := s.DB.TokenProgram(ctx, w.Asset)
			switch {
			case errors.Is(err, sqlstore.ErrNotFound):
				// No contract: the sender skips it (a zero Token).
			case err != nil:
				return nil, err
			case p.ChainID != chainID || !common.IsHexAddress(p.Contract):
				return nil, fmt.Errorf("node: withdrawal %d: asset %d's token is %s on chain %d, not on chain %d", id, w.Asset, p.Contract, p.ChainID, chainID)
			default:
				token = common.HexToAddress(p.Contract)
			}
			contracts[w.Asset] = token
		}
		if !common.IsHexAddress(w.ToAddress) {
			return nil, fmt.Errorf("node: withdrawal %d: bad destination %q", id, w.ToAddress)
		}
		tw := tokens.Withdrawal{
			ID: w.ID, Token: token, To: common.HexToAddress(w.ToAddress), Raw: w.AmountRaw,
			Status: tokens.WithdrawalStatus(w.Status), Nonce: w.Nonce, SignedTx: w.SignedTx,
		}
		if w.TxHash != "" {
			tw.TxHash = common.HexToHash(w.TxHash)
		}
		out = append(out, tw)
	}
	return out, nil
}

// NextNonce is the vault's next nonce on chainID: the withdrawals share
// the vault key with the issuances and the burns (vaultNextNonce).
func (s SenderStore) NextNonce(ctx context.Context, chainID uint64) (uint64, error) {
	return vaultNextNonce(ctx, s.DB, chainID)
}

// vaultNextNonce is the vault's next nonce as its SQL outboxes know it:
// the largest next nonce of the withdrawals on chainID, the issuances and
// the burns. All three sign with the vault key, one after the other
// (Node.runVault), and each asks this.
func vaultNextNonce(ctx context.Context, db *sqlstore.DB, chainID uint64) (uint64, error) {
	w, err := db.NextNonce(ctx, chainID)
	if err != nil {
		return 0, err
	}
	i, err := db.NextIssuanceNonce(ctx)
	if err != nil {
		return 0, err
	}
	b, err := db.NextBurnNonce(ctx)
	if err != nil {
		return 0, err
	}
	return max(w, i, b), nil
}

// MarkSigned stores the signed transaction of a pending withdrawal.
func (s SenderStore) MarkSigned(ctx context.Context, id, nonce uint64, signedTx []byte, txHash common.Hash) error {
	return s.DB.MarkWithdrawalSigned(ctx, id, nonce, signedTx, strings.ToLower(txHash.Hex()), s.Now())
}

// MarkSent moves a signed withdrawal to sent.
func (s SenderStore) MarkSent(ctx context.Context, id uint64) error {
	return s.DB.MarkWithdrawalSent(ctx, id, s.Now())
}

// MarkConfirmed moves a sent withdrawal to confirmed; one confirmed
// already (by an earlier pass, or by the history projection) is success.
// A signed one (its first broadcast went unrecorded) is moved through sent.
func (s SenderStore) MarkConfirmed(ctx context.Context, id uint64) error {
	err := s.DB.MarkWithdrawalConfirmed(ctx, id, s.Now())
	if !errors.Is(err, sqlstore.ErrConflict) {
		return err
	}
	w, rerr := s.DB.Withdrawal(ctx, id)
	switch {
	case rerr != nil:
		return errors.Join(err, rerr)
	case w.Status == sqlstore.WithdrawalConfirmed:
		return nil
	case w.Status == sqlstore.WithdrawalSigned:
		if err := s.DB.MarkWithdrawalSent(ctx, id, s.Now()); err != nil {
			return err
		}
		return s.MarkConfirmed(ctx, id)
	}
	return err
}

// MarkFailed moves an outstanding withdrawal to failed; one failed
// already is success.
func (s SenderStore) MarkFailed(ctx context.Context, id uint64, reason string) error {
	err := s.DB.MarkWithdrawalFailed(ctx, id, reason, s.Now())
	if !errors.Is(err, sqlstore.ErrConflict) {
		return err
	}
	w, rerr := s.DB.Withdrawal(ctx, id)
	switch {
	case rerr != nil:
		return errors.Join(err, rerr)
	case w.Status == sqlstore.WithdrawalFailed:
		return nil
	}
	return err
}

// senderQ numbers the ? placeholders for PostgreSQL ($1, $2, ...), as
// sqlstore does internally.
func senderQ(db *sqlstore.DB, query string) string {
	if db.Dialect != migrations.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// EngineSettler settles withdrawals by submitting CompleteWithdrawal and
// FailWithdrawal commands to the sequencer.
type EngineSettler struct {
	Submit func(ctx context.Context, cmd engine.Command) (exchange.Result, error)
}

// Complete submits CmdCompleteWithdrawal.
func (e EngineSettler) Complete(ctx context.Context, id uint64) error {
	return e.settle(ctx, engine.CmdCompleteWithdrawal, engine.EvWithdrawalCompleted, id)
}

// Fail submits CmdFailWithdrawal (the engine refunds the hold).
func (e EngineSettler) Fail(ctx context.Context, id uint64) error {
	return e.settle(ctx, engine.CmdFailWithdrawal, engine.EvWithdrawalFailed, id)
}

// settle submits kind for withdrawal id. CodeUnknownWithdrawal means the
// engine settled it already (or never held it): success, since the sender
// only settles withdrawals the engine held.
func (e EngineSettler) settle(ctx context.Context, kind engine.CommandKind, want engine.EventKind, id uint64) error {
	res, err := e.Submit(ctx, engine.Command{Kind: kind, Withdrawal: engine.WithdrawalID(id)})
	if err != nil {
		return err
	}
	for _, ev := range res.Events {
		switch {
		case ev.Kind == want:
			return nil
		case ev.Kind == engine.EvRejected && ev.Code == engine.CodeUnknownWithdrawal:
			return nil
		case ev.Kind == engine.EvRejected:
			return fmt.Errorf("%w: %v of withdrawal %d: %s", tokens.ErrSettlementRejected, kind, id, ev.Code)
		}
	}
	return fmt.Errorf("node: %v of withdrawal %d: no settled or rejected event (seq %d)", kind, id, res.Seq)
}
