package exchange

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/history"
)

// HistoryStore keeps the queryable history (store/sqlstore's DB): each
// ApplyHistory stores a batch and its checkpoint in one transaction and
// writes nothing for a batch at or below the checkpoint.
type HistoryStore interface {
	HistoryCheckpoint(ctx context.Context, name string) (uint64, error)
	ApplyHistory(ctx context.Context, name string, b *history.Batch) error
	// LastBalance is the balance after the newest ledger entry of (account,
	// asset); ok false if it has none.
	LastBalance(ctx context.Context, account, asset uint32) (available, held int64, ok bool, err error)
}

// History is the SQL history projection: orders, trades, the ledger (one
// entry per balance change, with the change, its reason and reference),
// assets and markets, deposit credits, withdrawals and redemptions.
type History struct {
	store HistoryStore
	name  string
	// balances after the last entry of each (account, asset) seen, to
	// compute the changes; dropped after a failed write.
	balances map[balanceKey][2]int64
}

type balanceKey struct {
	account engine.AccountID
	asset   engine.AssetID
}

// NewHistory returns the projection writing to store under the checkpoint
// name.
func NewHistory(store HistoryStore, name string) *History {
	return &History{store: store, name: name}
}

// Checkpoint is the store's checkpoint for the projection.
func (h *History) Checkpoint(ctx context.Context) (uint64, error) {
	return h.store.HistoryCheckpoint(ctx, h.name)
}

// Project turns events into one batch of rows and stores it.
func (h *History) Project(ctx context.Context, first, last uint64, events []engine.Event) error {
	if h.balances == nil {
		h.balances = make(map[balanceKey][2]int64)
	}
	b, err := h.batch(ctx, first, last, events)
	if err == nil {
		err = h.store.ApplyHistory(ctx, h.name, b)
	}
	if err != nil {
		h.balances = nil // reload from the store: it is the truth
	}
	return err
}

// batch computes the rows. A command's events come in phases (the expiries
// before it, the command, each batch item), each ending with its balance
// changes; the ledger entries of a phase take their reason from the most
// telling event of the phase.
func (h *History) batch(ctx context.Context, first, last uint64, events []engine.Event) (*history.Batch, error) {
	b := &history.Batch{First: first, Seq: last}
	orderAt := map[engine.OrderID]int{} // index in b.OrderUpdates
	update := func(id engine.OrderID, seq uint64, t int64) *history.OrderUpdate {
		i, ok := orderAt[id]
		if !ok {
			i = len(b.OrderUpdates)
			orderAt[id] = i
			b.OrderUpdates = append(b.OrderUpdates, history.OrderUpdate{ID: uint64(id)})
		}
		u := &b.OrderUpdates[i]
		u.Seq, u.Time = seq, t
		return u
	}
	var seq uint64
	var tradeIdx, ledgerIdx uint32
	var phase []*engine.Event // the phase's events before its balances
	inBalances := false
	for i := range events {
		ev := &events[i]
		if ev.Seq != seq {
			seq, tradeIdx, ledgerIdx = ev.Seq, 0, 0
			phase, inBalances = phase[:0], false
		}
		if ev.Kind == engine.EvBalance {
			reason, ref := ledgerReason(phase)
			k := balanceKey{ev.Account, ev.Asset}
			before, ok := h.balances[k]
			if !ok {
				avail, held, _, err := h.store.LastBalance(ctx, uint32(ev.Account), uint32(ev.Asset))
				if err != nil {
					return nil, fmt.Errorf("history: balance of %d/%d: %w", ev.Account, ev.Asset, err)
				}
				before = [2]int64{avail, held}
			}
			h.balances[k] = [2]int64{ev.Available, ev.Held}
			b.Ledger = append(b.Ledger, history.LedgerEntry{Seq: ev.Seq, Idx: ledgerIdx, Account: uint32(ev.Account), Asset: uint32(ev.Asset),
				Available: ev.Available, Held: ev.Held, AvailableDelta: ev.Available - before[0], HeldDelta: ev.Held - before[1],
				Reason: reason, Reference: ref, Time: ev.Time})
			ledgerIdx++
			inBalances = true
			continue
		}
		if inBalances { // a new phase of the same command
			phase, inBalances = phase[:0], false
		}
		phase = append(phase, ev)
		switch ev.Kind {
		case engine.EvAssetCreated:
			b.Assets = append(b.Assets, history.Asset{ID: uint32(ev.Asset), Symbol: ev.Symbol.String(), Scale: ev.Scale,
				Kind: ev.AssetKind.String(), BrandID: uint32(ev.Brand), ExpiresAt: ev.ExpiresAt, Hub: ev.Hub, Seq: ev.Seq})
		case engine.EvMarketCreated:
			b.Markets = append(b.Markets, history.Market{ID: uint32(ev.Market), Base: uint32(ev.Base), Quote: uint32(ev.Quote),
				PriceScale: ev.PriceScale, Tick: ev.Tick, Lot: ev.Lot, MinSize: ev.MinSize, MakerBps: ev.MakerBps, TakerBps: ev.TakerBps,
				Status: ev.Status.String(), Seq: ev.Seq})
		case engine.EvMarketStatus:
			b.MarketUpdates = append(b.MarketUpdates, history.MarketUpdate{ID: uint32(ev.Market), Status: ev.Status.String(), Seq: ev.Seq})
		case engine.EvFeesSet:
			b.MarketUpdates = append(b.MarketUpdates, history.MarketUpdate{ID: uint32(ev.Market), Fees: true,
				MakerBps: ev.MakerBps, TakerBps: ev.TakerBps, Seq: ev.Seq})
		case engine.EvOrderAccepted:
			b.Orders = append(b.Orders, history.Order{ID: uint64(ev.Order), Account: uint32(ev.Account), Market: uint32(ev.Market),
				ClientOrderID: ev.ClientOrderID.String(), Side: ev.Side.String(), Type: ev.Type.String(), TIF: ev.TIF.String(),
				PostOnly: ev.PostOnly, Price: ev.Price, Size: ev.Size, QuoteAmount: ev.Amount, ExpiresAt: ev.ExpiresAt,
				Remaining: ev.Size, Seq: ev.Seq, Time: ev.Time})
		case engine.EvOrderAmended:
			u := update(ev.Order, ev.Seq, ev.Time)
			u.Amended, u.Price, u.Size = true, ev.Price, ev.Size
			u.Remaining, u.HasRemaining = ev.Remaining, true
		case engine.EvTrade:
			b.Trades = append(b.Trades, history.Trade{Seq: ev.Seq, Idx: tradeIdx, Market: uint32(ev.Market), Price: ev.Price,
				Size: ev.Size, QuoteAmount: ev.Amount, TakerSide: ev.Side.String(), TakerAccount: uint32(ev.Account),
				TakerOrder: uint64(ev.Order), TakerFee: ev.Fee, MakerAccount: uint32(ev.MakerAccount),
				MakerOrder: uint64(ev.MakerOrder), MakerFee: ev.MakerFee, Time: ev.Time})
			tradeIdx++
			if ev.Order != 0 {
				fill(update(ev.Order, ev.Seq, ev.Time), ev.Size, ev.Fee)
			}
			fill(update(ev.MakerOrder, ev.Seq, ev.Time), ev.Size, ev.MakerFee)
		case engine.EvOrderDone:
			u := update(ev.Order, ev.Seq, ev.Time)
			u.Status, u.Remaining, u.HasRemaining = "filled", 0, true
		case engine.EvOrderCanceled:
			u := update(ev.Order, ev.Seq, ev.Time)
			u.Status, u.CancelReason, u.Remaining, u.HasRemaining = "canceled", ev.Reason.String(), ev.Remaining, true
		case engine.EvOrderExpired:
			u := update(ev.Order, ev.Seq, ev.Time)
			u.Status, u.Remaining, u.HasRemaining = "expired", ev.Remaining, true
		case engine.EvDeposited:
			b.Deposits = append(b.Deposits, history.DepositCredit{Ref: ev.Ref, Account: uint32(ev.Account), Asset: uint32(ev.Asset),
				Amount: ev.Amount, Seq: ev.Seq, Time: ev.Time})
		case engine.EvWithdrawalHeld, engine.EvWithdrawalCompleted, engine.EvWithdrawalFailed:
			kind := map[engine.EventKind]string{engine.EvWithdrawalHeld: "held", engine.EvWithdrawalCompleted: "completed", engine.EvWithdrawalFailed: "failed"}[ev.Kind]
			b.Withdrawals = append(b.Withdrawals, history.WithdrawalEvent{ID: uint64(ev.Withdrawal), Kind: kind, Account: uint32(ev.Account),
				Asset: uint32(ev.Asset), Amount: ev.Amount, Seq: ev.Seq, Time: ev.Time})
		case engine.EvRedemptionCreated:
			b.Redemptions = append(b.Redemptions, history.Redemption{ID: uint64(ev.Redemption), Account: uint32(ev.Account),
				Asset: uint32(ev.Asset), Amount: ev.Amount, Receipt: ev.Receipt.String(), Seq: ev.Seq, Time: ev.Time})
		case engine.EvRedemptionFulfilled, engine.EvRedemptionRejected:
			status := "fulfilled"
			if ev.Kind == engine.EvRedemptionRejected {
				status = "rejected"
			}
			b.RedemptionUpdates = append(b.RedemptionUpdates, history.RedemptionUpdate{ID: uint64(ev.Redemption), Status: status, Seq: ev.Seq, Time: ev.Time})
		}
	}
	return b, nil
}

// fill adds a fill to an order's update: its remaining size drops by the
// filled size unless the update sets it.
func fill(u *history.OrderUpdate, size, fee int64) {
	u.FilledDelta += size
	u.FeesDelta += fee
	if u.HasRemaining { // set by an amendment earlier in the batch
		u.Remaining -= size
	}
}

// reasons ranks the events that explain a phase's balance changes, most
// telling first, with the reason they give.
var reasons = []struct {
	kind   engine.EventKind
	reason string
}{
	{engine.EvSwapped, "swap"},
	{engine.EvTrade, "trade"},
	{engine.EvDeposited, "deposit"},
	{engine.EvWithdrawalHeld, "withdrawal"},
	{engine.EvWithdrawalCompleted, "withdrawal"},
	{engine.EvWithdrawalFailed, "withdrawal_refund"},
	{engine.EvIssued, "issue"},
	{engine.EvRedemptionCreated, "redemption"},
	{engine.EvRedemptionRejected, "redemption_refund"},
	{engine.EvAssetExpired, "breakage"},
	{engine.EvOrderExpired, "expiry"},
	{engine.EvOrderCanceled, "cancel"},
	{engine.EvOrderAmended, "amend"},
	{engine.EvOrderAccepted, "order"},
}

// ledgerReason says why a phase changed balances and what it refers to.
func ledgerReason(phase []*engine.Event) (reason, ref string) {
	for _, r := range reasons {
		for _, ev := range phase {
			if ev.Kind == r.kind {
				return r.reason, reference(ev)
			}
		}
	}
	return "other", ""
}

func reference(ev *engine.Event) string {
	switch ev.Kind {
	case engine.EvDeposited:
		return "deposit:" + hex.EncodeToString(ev.Ref[:])
	case engine.EvIssued:
		return "issue:" + hex.EncodeToString(ev.Ref[:])
	case engine.EvWithdrawalHeld, engine.EvWithdrawalCompleted, engine.EvWithdrawalFailed:
		return "withdrawal:" + strconv.FormatUint(uint64(ev.Withdrawal), 10)
	case engine.EvRedemptionCreated, engine.EvRedemptionRejected:
		return "redemption:" + strconv.FormatUint(uint64(ev.Redemption), 10)
	case engine.EvTrade, engine.EvOrderExpired, engine.EvOrderCanceled, engine.EvOrderAmended, engine.EvOrderAccepted:
		if ev.Order != 0 {
			return "order:" + strconv.FormatUint(uint64(ev.Order), 10)
		}
	}
	return ""
}
