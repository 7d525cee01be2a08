package tokens

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/lpx-exchange/lpx/tokens/bindings"
)

// ErrSettlementRejected is what a Settler wraps when the exchange refuses
// to complete or fail a withdrawal for a reason other than "already
// settled" (which a Settler reports as success).
var ErrSettlementRejected = errors.New("tokens: withdrawal settlement rejected by the exchange")

// SenderChain is the part of an Ethereum client the withdrawal sender
// uses. *ethclient.Client and the simulated backend's Client() satisfy it.
type SenderChain interface {
	// PendingNonceAt is the account's next nonce counting the pool; it can
	// be stale right after a block, so the sender never relies on it alone.
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	// NonceAt is the account's nonce after block number (nil: the head).
	NonceAt(ctx context.Context, account common.Address, number *big.Int) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	EstimateGas(ctx context.Context, call ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	// TransactionReceipt returns an error wrapping ethereum.NotFound for a
	// transaction not (yet) mined.
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// WithdrawalStatus is where an outstanding withdrawal stands in the
// sender's outbox.
type WithdrawalStatus string

// The outstanding states. Confirmed and failed withdrawals are done and
// never reach the sender.
const (
	// WithdrawalPending: held by the engine, nothing signed yet.
	WithdrawalPending WithdrawalStatus = "pending"
	// WithdrawalSigned: the signed transaction is stored; it may or may not
	// have been broadcast (a crash in between).
	WithdrawalSigned WithdrawalStatus = "signed"
	// WithdrawalSent: broadcast at least once; waiting for its receipt.
	WithdrawalSent WithdrawalStatus = "sent"
)

// Withdrawal is an outstanding withdrawal: send Raw of the ERC-20 Token
// from the vault to To, a linked wallet. From signed on, Nonce, SignedTx
// (the transaction's binary encoding) and TxHash are set.
type Withdrawal struct {
	ID       uint64 // the engine's withdrawal id
	Token    common.Address
	To       common.Address
	Raw      *big.Int
	Status   WithdrawalStatus
	Nonce    uint64
	SignedTx []byte
	TxHash   common.Hash
}

// SenderStore is the sender's outbox, kept in the SQL database.
type SenderStore interface {
	// Outstanding returns up to limit withdrawals on chainID that are
	// pending with a destination, signed or sent, oldest first.
	Outstanding(ctx context.Context, chainID uint64, limit int) ([]Withdrawal, error)
	// NextNonce is the highest nonce any withdrawal on chainID was signed
	// with, plus 1 (0 if none).
	NextNonce(ctx context.Context, chainID uint64) (uint64, error)
	// MarkSigned moves a pending withdrawal to signed, storing the signed
	// transaction. It must refuse a withdrawal that is not pending: that
	// is what keeps a withdrawal to one transaction.
	MarkSigned(ctx context.Context, id, nonce uint64, signedTx []byte, txHash common.Hash) error
	// MarkSent moves a signed withdrawal to sent.
	MarkSent(ctx context.Context, id uint64) error
	// MarkConfirmed moves a sent (or signed) withdrawal to confirmed; one
	// confirmed already is success.
	MarkConfirmed(ctx context.Context, id uint64) error
	// MarkFailed moves an outstanding withdrawal to failed with a reason;
	// one failed already is success.
	MarkFailed(ctx context.Context, id uint64, reason string) error
}

// Settler settles withdrawals in the engine. A withdrawal the engine has
// settled already is success, so a pass that stopped between settling
// and marking the outbox is simply repeated.
type Settler interface {
	// Complete removes the hold: the tokens left the vault.
	Complete(ctx context.Context, id uint64) error
	// Fail returns the hold to the account: nothing left the vault.
	Fail(ctx context.Context, id uint64) error
}

// Defaults of the Sender.
const (
	DefaultSenderBatch = 100
	// senderGasMarginPercent is added to the estimated gas limit.
	senderGasMarginPercent = 20
)

// Sender pays out withdrawals: for each one the engine holds (and the
// outbox has a destination for) it signs an ERC-20 transfer from the
// vault to the linked wallet, stores the signed transaction, broadcasts
// it, waits for its receipt and Confirmations, and then completes the
// withdrawal in the engine; a reverted transfer fails it and the engine
// refunds.
//
// Guarantees:
//   - At most one transaction per withdrawal. A transaction is signed only
//     for a pending withdrawal, and stored (MarkSigned, which refuses any
//     withdrawal that is not pending) before it is broadcast. After that
//     the sender only ever broadcasts the same stored bytes again, on every
//     pass until a receipt appears: after a restart, or when the node's
//     pool dropped the transaction without an error.
//   - Nonces: the larger of the outbox's next nonce, the chain's pending
//     nonce and the sender's own next nonce (the pending nonce can be stale
//     right after a block).
//   - Refunds only when the transfer cannot have moved tokens: its receipt
//     says reverted (with Confirmations), or gas estimation reverts before
//     anything is signed, or the vault's nonce at head-Confirmations has
//     passed the transaction's nonce while it has no receipt (another
//     transaction from the vault key took the nonce).
//
// Poll is not safe for concurrent use: run one sender per vault.
type Sender struct {
	Chain   SenderChain
	Store   SenderStore
	Settler Settler
	// Key is the vault's private key.
	Key     *ecdsa.PrivateKey
	ChainID *big.Int
	// Confirmations is how many blocks, counting the receipt's own, a
	// receipt needs before the withdrawal is settled (0 acts as 1).
	Confirmations uint64
	// Batch is how many outstanding withdrawals one pass reads at most
	// (default DefaultSenderBatch).
	Batch int
	Log   *slog.Logger

	next uint64 // the next nonce this sender would use; 0: none yet
}

// SenderResult says what one pass did.
type SenderResult struct {
	Head        uint64
	Signed      int // new transactions signed and stored
	Broadcast   int // broadcasts the node accepted (first ones and repeats)
	Rebroadcast int // of which repeats of a stored transaction
	Waiting     int // sent, no receipt yet or not enough confirmations
	Confirmed   int // completed in the engine
	Failed      int // failed in the engine (refunded)
	Skipped     int // pending without a usable destination, token or amount
}

// Run polls every interval until ctx ends, logging failed passes.
func (s *Sender) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Poll(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("withdrawal sender pass failed", "chain", s.ChainID, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Poll makes one pass over the outstanding withdrawals, oldest first. A
// failure with one withdrawal is logged and the pass goes on with the
// others; Poll returns all such errors joined.
func (s *Sender) Poll(ctx context.Context) (SenderResult, error) {
	var res SenderResult
	if s.ChainID == nil || s.ChainID.Sign() <= 0 || !s.ChainID.IsUint64() {
		return res, fmt.Errorf("tokens: sender: bad chain id %v", s.ChainID)
	}
	if s.Key == nil {
		return res, errors.New("tokens: sender: no vault key")
	}
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultSenderBatch
	}
	list, err := s.Store.Outstanding(ctx, s.ChainID.Uint64(), batch)
	if err != nil {
		return res, fmt.Errorf("tokens: sender: outstanding withdrawals: %w", err)
	}
	if len(list) == 0 {
		return res, nil
	}
	head, err := s.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("tokens: sender: head: %w", err)
	}
	res.Head = head.Number.Uint64()
	var errs []error
	for _, w := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var err error
		switch w.Status {
		case WithdrawalPending:
			err = s.sign(ctx, head, w, &res)
		case WithdrawalSigned, WithdrawalSent:
			err = s.follow(ctx, head, w, &res)
		default:
			err = fmt.Errorf("unknown status %q", w.Status)
		}
		if err != nil {
			err = fmt.Errorf("tokens: sender: withdrawal %d: %w", w.ID, err)
			s.logger().Error("withdrawal not processed", "withdrawal", w.ID, "status", w.Status, "err", err)
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// vault is the address of Key.
func (s *Sender) vault() common.Address { return crypto.PubkeyToAddress(s.Key.PublicKey) }

// sign signs, stores and broadcasts the transfer of a pending withdrawal.
func (s *Sender) sign(ctx context.Context, head *types.Header, w Withdrawal, res *SenderResult) error {
	if w.To == (common.Address{}) || w.Token == (common.Address{}) || w.Raw == nil || w.Raw.Sign() <= 0 {
		res.Skipped++
		s.logger().Warn("withdrawal skipped: no destination, token or amount", "withdrawal", w.ID, "to", w.To, "token", w.Token, "raw", w.Raw)
		return nil
	}
	floor, err := s.Store.NextNonce(ctx, s.ChainID.Uint64())
	if err != nil {
		return fmt.Errorf("next nonce: %w", err)
	}
	tx, err := signCall(ctx, s.Chain, s.Key, s.ChainID, head, w.Token, bindings.NewLoyaltyToken().PackTransfer(w.To, w.Raw), max(floor, s.next))
	if errors.Is(err, errWouldRevert) {
		// The transfer reverts now (the vault lacks the tokens, a coupon
		// has expired): nothing is signed, so refunding is safe.
		return s.fail(ctx, w, "transfer reverts in gas estimation: "+err.Error(), res)
	}
	if err != nil {
		return err
	}
	nonce := tx.Nonce()
	signed, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	// Persist before broadcasting: a transaction the outbox does not know
	// of could be paid out and then signed again.
	if err := s.Store.MarkSigned(ctx, w.ID, nonce, signed, tx.Hash()); err != nil {
		return fmt.Errorf("store signed transaction: %w", err)
	}
	s.next = nonce + 1
	res.Signed++
	s.logger().Info("withdrawal signed", "withdrawal", w.ID, "nonce", nonce, "tx", tx.Hash(), "gas", tx.Gas())
	w.Status, w.Nonce, w.SignedTx, w.TxHash = WithdrawalSigned, nonce, signed, tx.Hash()
	return s.broadcast(ctx, w, tx, false, res)
}

// follow looks for a signed or sent withdrawal's receipt and settles it,
// or broadcasts the stored transaction again.
func (s *Sender) follow(ctx context.Context, head *types.Header, w Withdrawal, res *SenderResult) error {
	tx, receipt, waiting, err := followStored(ctx, s.Chain, "transaction", w.SignedTx, w.TxHash, head, s.Confirmations)
	if err != nil {
		return err
	}
	s.next = max(s.next, tx.Nonce()+1)
	if waiting {
		res.Waiting++
		return nil
	}
	if receipt != nil {
		if receipt.Status == types.ReceiptStatusSuccessful {
			if err := s.Settler.Complete(ctx, w.ID); err != nil {
				return fmt.Errorf("complete in the engine: %w", err)
			}
			if err := s.Store.MarkConfirmed(ctx, w.ID); err != nil {
				return fmt.Errorf("mark confirmed: %w", err)
			}
			res.Confirmed++
			s.logger().Info("withdrawal confirmed", "withdrawal", w.ID, "tx", w.TxHash, "block", receipt.BlockNumber)
			return nil
		}
		return s.fail(ctx, w, fmt.Sprintf("transaction %s reverted in block %s", w.TxHash, receipt.BlockNumber), res)
	}

	// No receipt. If the vault's nonce at a confirmed depth has passed this
	// transaction's, another transaction took the nonce: this one can never
	// be mined, so the withdrawal fails (and is refunded).
	if taken, err := nonceTaken(ctx, s.Chain, s.vault(), head, s.Confirmations, tx.Nonce()); err != nil {
		return err
	} else if taken {
		return s.fail(ctx, w, fmt.Sprintf("nonce %d of transaction %s was used by another transaction", tx.Nonce(), w.TxHash), res)
	}
	res.Waiting++
	return s.broadcast(ctx, w, tx, true, res)
}

// broadcast sends the stored transaction and moves a signed withdrawal to
// sent. The node's refusal is logged, not returned: the receipt decides,
// and the next pass broadcasts the same transaction again.
func (s *Sender) broadcast(ctx context.Context, w Withdrawal, tx *types.Transaction, again bool, res *SenderResult) error {
	if sent, err := sendStored(ctx, s.Chain, tx, s.logger(), "withdrawal", "withdrawal", w.ID); !sent {
		return err
	}
	res.Broadcast++
	if again {
		res.Rebroadcast++
	}
	if w.Status == WithdrawalSigned {
		if err := s.Store.MarkSent(ctx, w.ID); err != nil {
			return fmt.Errorf("mark sent: %w", err)
		}
	}
	return nil
}

// fail refunds the withdrawal in the engine and marks it failed.
func (s *Sender) fail(ctx context.Context, w Withdrawal, reason string, res *SenderResult) error {
	if err := s.Settler.Fail(ctx, w.ID); err != nil {
		return fmt.Errorf("fail in the engine (%s): %w", reason, err)
	}
	if err := s.Store.MarkFailed(ctx, w.ID, reason); err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	res.Failed++
	s.logger().Warn("withdrawal failed and refunded", "withdrawal", w.ID, "reason", reason)
	return nil
}

func (s *Sender) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// sendStored broadcasts an outbox's stored transaction. The node's
// refusal is logged with attrs, not returned: the receipt decides, and the
// next pass sends the same bytes again. It reports whether the node took
// it; the error is only the context's.
func sendStored(ctx context.Context, chain interface {
	SendTransaction(context.Context, *types.Transaction) error
}, tx *types.Transaction, log *slog.Logger, what string, attrs ...any) (bool, error) {
	err := chain.SendTransaction(ctx, tx)
	if err == nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	log.Warn(what+" broadcast refused (waiting for its receipt)", append(attrs, "tx", tx.Hash(), "nonce", tx.Nonce(), "err", err)...)
	return false, nil
}

// receiptFetcher reads receipts; every outbox's Chain is one.
type receiptFetcher interface {
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// followStored decodes an outbox's stored transaction (what names it in
// errors), checks it hashes to hash, and looks for its receipt at head:
// receipt is nil while the transaction is not in a block, and waiting
// true while its block has fewer than confirmations (at least 1,
// counting its own).
func followStored(ctx context.Context, chain receiptFetcher, what string, signed []byte, hash common.Hash, head *types.Header, confirmations uint64) (tx *types.Transaction, receipt *types.Receipt, waiting bool, err error) {
	tx = new(types.Transaction)
	if err := tx.UnmarshalBinary(signed); err != nil {
		return nil, nil, false, fmt.Errorf("stored %s: %w", what, err)
	}
	if tx.Hash() != hash {
		return nil, nil, false, fmt.Errorf("stored %s hashes to %s, the outbox says %s", what, tx.Hash(), hash)
	}
	receipt, err = chain.TransactionReceipt(ctx, hash)
	switch {
	case errors.Is(err, ethereum.NotFound):
		return tx, nil, false, nil
	case err != nil:
		return tx, nil, false, fmt.Errorf("receipt of %s: %w", hash, err)
	}
	if receipt.BlockNumber == nil || head.Number.Uint64()+1 < receipt.BlockNumber.Uint64()+max(confirmations, 1) {
		return tx, receipt, true, nil
	}
	return tx, receipt, false, nil
}

// nonceFetcher reads an account's nonce at a block.
type nonceFetcher interface {
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
}

// nonceTaken reports whether the vault's nonce, at the deepest block with
// confirmations at head, has passed nonce: another transaction took it,
// and a transaction signed with it can never be mined.
func nonceTaken(ctx context.Context, chain nonceFetcher, vault common.Address, head *types.Header, confirmations, nonce uint64) (bool, error) {
	confirmations = max(confirmations, 1)
	n := head.Number.Uint64()
	if n+1 < confirmations {
		return false, nil
	}
	at := new(big.Int).SetUint64(n + 1 - confirmations)
	used, err := chain.NonceAt(ctx, vault, at)
	if err != nil {
		return false, fmt.Errorf("vault nonce at block %s: %w", at, err)
	}
	return used > nonce, nil
}
