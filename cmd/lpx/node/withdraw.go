package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

var (
	// ErrUnknownToken: the asset has no token program on the node's chain.
	ErrUnknownToken = errors.New("node: unknown token")
	// ErrNotLinked: the destination is not a wallet linked to the account
	// on the node's chain.
	ErrNotLinked = errors.New("node: the address is not a wallet linked to the account")
)

// WithdrawalRejectedError is the engine's refusal of a withdrawal
// (insufficient_balance, unknown_account, asset_expired, ...). Its outbox
// row is marked failed with Code.
type WithdrawalRejectedError struct {
	ID   uint64
	Code engine.Code
}

func (e *WithdrawalRejectedError) Error() string {
	return fmt.Sprintf("node: withdrawal %d rejected: %s", e.ID, e.Code)
}

// withdrawalIDs hands out withdrawal ids ordered by time: the current Unix
// nanosecond, or one more than the last id given when that is larger. They
// are unique within a node and across restarts while the clock does not go
// back by more than the time between two starts; they never reach the
// small ids that direct CmdWithdraw callers (tests, tools) tend to use, and
// fit SQL's BIGINT until 2262.
type withdrawalIDs struct {
	mu   sync.Mutex
	last uint64
}

func (w *withdrawalIDs) next() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := uint64(time.Now().UnixNano())
	if id <= w.last {
		id = w.last + 1
	}
	w.last = id
	return id
}

// RequestWithdrawal withdraws amount (a decimal at the asset's scale) of
// asset from account to the wallet to, which the account must have linked
// on the node's chain. It returns the withdrawal's id once the engine
// holds the amount; the withdrawal sender then pays it out and settles it.
//
// The outbox row (pending, with the destination and the raw token amount)
// is written first and the engine's Withdraw command submitted second, so
// that a held withdrawal always has its destination. The sender only takes
// a pending row once the SQL history has recorded the engine's hold (see
// heldOutbox): a row whose command the engine refused is marked failed with
// the engine's code (WithdrawalRejectedError), and one whose command was
// lost (a crash in between, an error from Submit) stays pending and is
// never paid.
//
// Errors: ErrNoChain, ErrUnknownToken, ErrNotLinked, the tokens errors of
// ParseDecimal (ErrTooManyDecimals, ErrBadAmount, ...), and
// *WithdrawalRejectedError; none of them changes anything except the
// last, which leaves a failed row.
func (n *Node) RequestWithdrawal(ctx context.Context, account, asset uint32, amount string, to common.Address) (uint64, error) {
	if n.Chain == nil {
		return 0, ErrNoChain
	}
	prog, err := n.SQL.TokenProgram(ctx, asset)
	if errors.Is(err, sqlstore.ErrNotFound) || err == nil && prog.ChainID != n.ChainID {
		return 0, fmt.Errorf("%w: asset %d has no token program on chain %d", ErrUnknownToken, asset, n.ChainID)
	}
	if err != nil {
		return 0, err
	}
	w, err := n.SQL.Wallet(ctx, n.ChainID, lowerHex(to))
	if errors.Is(err, sqlstore.ErrNotFound) || err == nil && w.Account != account {
		return 0, fmt.Errorf("%w: %s, account %d, chain %d", ErrNotLinked, to, account, n.ChainID)
	}
	if err != nil {
		return 0, err
	}
	units, err := tokens.ParseDecimal(amount, prog.Scale)
	if err != nil {
		return 0, err
	}
	if units == 0 {
		return 0, fmt.Errorf("%w: a withdrawal of 0", tokens.ErrBadAmount)
	}
	raw, err := tokens.FromUnits(units, prog.Decimals, prog.Scale)
	if err != nil {
		return 0, err
	}

	id := n.withdrawals.next()
	now := time.Now().UnixNano()
	if err := n.SQL.CreateWithdrawal(ctx, sqlstore.Withdrawal{
		ID: id, Account: account, Asset: asset, Amount: units, AmountRaw: raw,
		ChainID: n.ChainID, ToAddress: lowerHex(to), CreatedAt: now,
	}); err != nil {
		return 0, err
	}
	res, err := n.Sequencer.Submit(ctx, engine.Command{
		Kind: engine.CmdWithdraw, Account: engine.AccountID(account), Asset: engine.AssetID(asset),
		Amount: units, Withdrawal: engine.WithdrawalID(id),
	})
	if err != nil {
		return 0, fmt.Errorf("node: withdrawal %d: %w", id, err)
	}
	for _, ev := range res.Events {
		switch ev.Kind {
		case engine.EvWithdrawalHeld:
			return id, nil
		case engine.EvRejected:
			if ferr := n.SQL.MarkWithdrawalFailed(ctx, id, ev.Code.String(), time.Now().UnixNano()); ferr != nil {
				n.log.Error("a refused withdrawal stays pending in the outbox (never paid: the engine holds nothing)", "withdrawal", id, "err", ferr)
			}
			return 0, &WithdrawalRejectedError{ID: id, Code: ev.Code}
		}
	}
	return 0, fmt.Errorf("node: withdrawal %d: no held or rejected event (seq %d)", id, res.Seq)
}

// Balance returns account's available and held amounts of asset, in units
// of the asset's scale, as the SQL history has them: it submits nothing,
// and lags the engine by what the history projector has not written yet
// (milliseconds while it runs). A pair never touched is 0, 0.
func (n *Node) Balance(ctx context.Context, account, asset uint32) (available, held int64, err error) {
	available, held, _, err = n.SQL.LastBalance(ctx, account, asset)
	return available, held, err
}
