package tokens

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

// BurnStatus is where an outstanding burn stands in the burner's outbox.
// Burned and failed burns are done and never reach it.
type BurnStatus string

// The outstanding states.
const (
	// BurnPending: the batch is stored, nothing signed yet.
	BurnPending BurnStatus = "pending"
	// BurnBurning: the signed burn is stored; it may or may not have been
	// broadcast (a crash in between).
	BurnBurning BurnStatus = "burning"
)

// Redeemed is a fulfilled redemption no burn holds yet: Raw of Token to
// burn from the vault for it.
type Redeemed struct {
	Redemption uint64
	Asset      uint32
	Token      common.Address // zero: the asset has no token on this chain (skipped)
	Raw        *big.Int
}

// Burn is an outstanding batch: burn(Raw) of Token from the vault for
// Redemptions redemptions of Asset. From burning on, Nonce, SignedTx and
// TxHash are set.
type Burn struct {
	ID          uint64
	Asset       uint32
	Token       common.Address
	Raw         *big.Int
	Redemptions int
	Status      BurnStatus
	Nonce       uint64
	SignedTx    []byte
	TxHash      common.Hash
}

// BurnerStore is the burner's outbox, kept in the SQL database.
type BurnerStore interface {
	// Unburned returns up to limit fulfilled redemptions no burn holds.
	Unburned(ctx context.Context, limit int) ([]Redeemed, error)
	// CreateBurn stores a pending burn of total of asset for the
	// redemptions, in one transaction; a redemption another burn holds is
	// refused and nothing is stored.
	CreateBurn(ctx context.Context, asset uint32, total *big.Int, redemptions []uint64) (Burn, error)
	// Outstanding returns up to limit pending or burning burns, oldest
	// first, each with its asset's Token (zero if it has none).
	Outstanding(ctx context.Context, limit int) ([]Burn, error)
	// NextNonce is the highest vault nonce the node's outboxes
	// (withdrawals, issuances, burns) signed with, plus 1 (0 if none).
	NextNonce(ctx context.Context) (uint64, error)
	// MarkBurning moves a pending burn to burning, storing the signed
	// burn; it must refuse a burn that is not pending.
	MarkBurning(ctx context.Context, b Burn, nonce uint64, signedTx []byte, txHash common.Hash) error
	// MarkBurned moves a burning burn to burned; one burned already is
	// success.
	MarkBurned(ctx context.Context, b Burn) error
	// MarkFailed moves an outstanding burn to failed with a reason and
	// releases its redemptions for a later batch; one failed already is
	// success.
	MarkFailed(ctx context.Context, b Burn, reason string) error
}

// DefaultBurnerBatch is how many redemptions (and outstanding burns) one
// pass reads at most by default.
const DefaultBurnerBatch = 100

// Burner burns fulfilled redemptions from the vault in batches: each pass
// groups the fulfilled redemptions no burn holds by asset into one pending
// burn of their sum, signs burn(sum) on the token with the vault key,
// stores the signed transaction, broadcasts it, broadcasts the same bytes
// again until a receipt appears, and after Confirmations marks it burned.
//
// Guarantees, as the Issuer's:
//   - At most one burn per redemption: a redemption is in at most one
//     pending, burning or burned batch (the store refuses a second), a
//     batch is signed only while pending and stored before broadcast, and
//     after that only the stored bytes are broadcast.
//   - A batch is created only if its burn passes gas estimation now (the
//     vault holds the tokens): one that would revert is logged and left
//     for a later pass, so a short vault does not pile up failed rows.
//   - Failed (its redemptions released, a later batch takes them): the burn
//     reverts in gas estimation when signing, its receipt says reverted, or
//     the vault's nonce at head-Confirmations has passed the burn's nonce
//     while it has no receipt.
//   - Nonces: the largest of the chain's pending nonce, the outboxes'
//     stored nonces (BurnerStore.NextNonce) and the burner's own next. The
//     node runs it in the vault loop, after the Sender and the Issuer,
//     never concurrently with them.
//
// Poll is not safe for concurrent use, nor with the Sender's or the
// Issuer's Poll.
type Burner struct {
	Chain SenderChain
	Store BurnerStore
	// Key is the vault's private key.
	Key     *ecdsa.PrivateKey
	ChainID *big.Int
	// Confirmations is how many blocks, counting the receipt's own, a burn
	// needs before it is burned (0 acts as 1).
	Confirmations uint64
	// Batch is how many redemptions and outstanding burns one pass reads
	// at most (default DefaultBurnerBatch).
	Batch int
	Log   *slog.Logger

	next uint64 // the next nonce this burner would use; 0: none yet
}

// BurnerResult says what one pass did.
type BurnerResult struct {
	Head        uint64
	Batched     int // burns created
	Skipped     int // batches not created: the burn would revert now
	Signed      int
	Broadcast   int
	Rebroadcast int
	Waiting     int
	Burned      int
	Failed      int
}

// Poll makes one pass: it batches the unburned fulfilled redemptions, then
// follows the burning burns and signs the pending ones, oldest first. A
// failure with one burn is logged and the pass goes on; Poll returns all
// such errors joined.
func (s *Burner) Poll(ctx context.Context) (BurnerResult, error) {
	var res BurnerResult
	if s.ChainID == nil || s.ChainID.Sign() <= 0 {
		return res, fmt.Errorf("tokens: burner: bad chain id %v", s.ChainID)
	}
	if s.Key == nil {
		return res, errors.New("tokens: burner: no vault key")
	}
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBurnerBatch
	}
	var errs []error
	if err := s.batch(ctx, batch, &res); err != nil {
		errs = append(errs, err)
	}
	list, err := s.Store.Outstanding(ctx, batch)
	if err != nil {
		return res, errors.Join(append(errs, fmt.Errorf("tokens: burner: outstanding burns: %w", err))...)
	}
	if len(list) == 0 {
		return res, errors.Join(errs...)
	}
	sort.SliceStable(list, func(i, j int) bool {
		return list[i].Status == BurnBurning && list[j].Status != BurnBurning
	})
	head, err := s.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return res, errors.Join(append(errs, fmt.Errorf("tokens: burner: head: %w", err))...)
	}
	res.Head = head.Number.Uint64()
	for _, b := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var err error
		switch b.Status {
		case BurnPending:
			err = s.sign(ctx, head, b, &res)
		case BurnBurning:
			err = s.follow(ctx, head, b, &res)
		default:
			err = fmt.Errorf("unknown status %q", b.Status)
		}
		if err != nil {
			err = fmt.Errorf("tokens: burner: burn %d: %w", b.ID, err)
			s.logger().Error("burn not processed", "burn", b.ID, "asset", b.Asset, "status", b.Status, "err", err)
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// batch groups the unburned redemptions by asset and stores one pending
// burn per asset whose burn would go through now.
func (s *Burner) batch(ctx context.Context, limit int, res *BurnerResult) error {
	items, err := s.Store.Unburned(ctx, limit)
	if err != nil {
		return fmt.Errorf("tokens: burner: unburned redemptions: %w", err)
	}
	type group struct {
		token common.Address
		total *big.Int
		ids   []uint64
	}
	groups := map[uint32]*group{}
	var order []uint32
	for _, it := range items {
		if it.Token == (common.Address{}) || checkRaw(it.Raw) != nil {
			continue // not backed by a token on this chain, or nothing to burn
		}
		g := groups[it.Asset]
		if g == nil {
			g = &group{token: it.Token, total: new(big.Int)}
			groups[it.Asset] = g
			order = append(order, it.Asset)
		}
		g.total.Add(g.total, it.Raw)
		g.ids = append(g.ids, it.Redemption)
	}
	var errs []error
	for _, asset := range order {
		g := groups[asset]
		if err := checkRaw(g.total); err != nil {
			errs = append(errs, fmt.Errorf("tokens: burner: asset %d: %w", asset, err))
			continue
		}
		vault := s.vault()
		_, err := s.Chain.EstimateGas(ctx, ethereum.CallMsg{From: vault, To: &g.token, Data: programTokenABI.PackBurn(g.total)})
		if err != nil {
			if _, reverted := ethclient.RevertErrorData(err); reverted {
				res.Skipped++
				s.logger().Warn("burn of fulfilled redemptions would revert; left for a later pass",
					"asset", asset, "token", g.token, "raw", g.total, "redemptions", len(g.ids), "err", revertError(err, vault, g.token))
				continue
			}
			errs = append(errs, fmt.Errorf("tokens: burner: asset %d: estimate gas: %w", asset, err))
			continue
		}
		b, err := s.Store.CreateBurn(ctx, asset, g.total, g.ids)
		if err != nil {
			errs = append(errs, fmt.Errorf("tokens: burner: asset %d: create burn: %w", asset, err))
			continue
		}
		res.Batched++
		s.logger().Info("burn batch created", "burn", b.ID, "asset", asset, "raw", g.total, "redemptions", len(g.ids))
	}
	return errors.Join(errs...)
}

// vault is the address of Key.
func (s *Burner) vault() common.Address { return crypto.PubkeyToAddress(s.Key.PublicKey) }

// sign signs, stores and broadcasts the burn of a pending batch.
func (s *Burner) sign(ctx context.Context, head *types.Header, b Burn, res *BurnerResult) error {
	if b.Token == (common.Address{}) {
		return s.fail(ctx, b, "the asset has no token contract on this chain", res)
	}
	if err := checkRaw(b.Raw); err != nil {
		return s.fail(ctx, b, err.Error(), res)
	}
	floor, err := s.Store.NextNonce(ctx)
	if err != nil {
		return fmt.Errorf("next nonce: %w", err)
	}
	tx, err := signCall(ctx, s.Chain, s.Key, s.ChainID, head, b.Token, programTokenABI.PackBurn(b.Raw), max(floor, s.next))
	if errors.Is(err, errWouldRevert) {
		return s.fail(ctx, b, "burn reverts in gas estimation: "+err.Error(), res)
	}
	if err != nil {
		return err
	}
	nonce := tx.Nonce()
	signed, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	// Persist before broadcasting: a burn the outbox does not know of
	// could be mined and then signed again.
	if err := s.Store.MarkBurning(ctx, b, nonce, signed, tx.Hash()); err != nil {
		return fmt.Errorf("store signed burn: %w", err)
	}
	s.next = nonce + 1
	res.Signed++
	s.logger().Info("burn signed", "burn", b.ID, "asset", b.Asset, "raw", b.Raw, "nonce", nonce, "tx", tx.Hash())
	return s.broadcast(ctx, b, tx, false, res)
}

// follow looks for a burning batch's receipt and marks it burned, or
// broadcasts the stored burn again.
func (s *Burner) follow(ctx context.Context, head *types.Header, b Burn, res *BurnerResult) error {
	tx, receipt, waiting, err := followStored(ctx, s.Chain, "burn", b.SignedTx, b.TxHash, head, s.Confirmations)
	if err != nil {
		return err
	}
	s.next = max(s.next, tx.Nonce()+1)
	if waiting {
		res.Waiting++
		return nil
	}
	if receipt != nil {
		if receipt.Status != types.ReceiptStatusSuccessful {
			return s.fail(ctx, b, fmt.Sprintf("burn %s reverted in block %s", b.TxHash, receipt.BlockNumber), res)
		}
		if raw, ok := FindBurn(receipt, b.Token, s.vault()); !ok || raw.Cmp(b.Raw) != 0 {
			// A successful burn(Raw) always logs it; say so loudly but do
			// not release the redemptions: the transaction did burn.
			s.logger().Error("burn receipt without the expected Transfer to the zero address", "burn", b.ID, "tx", b.TxHash, "want", b.Raw, "found", raw)
		}
		if err := s.Store.MarkBurned(ctx, b); err != nil {
			return fmt.Errorf("mark burned: %w", err)
		}
		res.Burned++
		s.logger().Info("burn confirmed", "burn", b.ID, "asset", b.Asset, "raw", b.Raw, "redemptions", b.Redemptions, "tx", b.TxHash, "block", receipt.BlockNumber)
		return nil
	}
	// No receipt: if the vault's nonce at a confirmed depth has passed the
	// burn's, another transaction took the nonce and this one can never
	// be mined.
	if taken, err := nonceTaken(ctx, s.Chain, s.vault(), head, s.Confirmations, tx.Nonce()); err != nil {
		return err
	} else if taken {
		return s.fail(ctx, b, fmt.Sprintf("nonce %d of burn %s was used by another transaction", tx.Nonce(), b.TxHash), res)
	}
	res.Waiting++
	return s.broadcast(ctx, b, tx, true, res)
}

// broadcast sends the stored burn; the node's refusal is logged, not
// returned: the receipt decides, and the next pass sends it again.
func (s *Burner) broadcast(ctx context.Context, b Burn, tx *types.Transaction, again bool, res *BurnerResult) error {
	if sent, err := sendStored(ctx, s.Chain, tx, s.logger(), "burn", "burn", b.ID); !sent {
		return err
	}
	res.Broadcast++
	if again {
		res.Rebroadcast++
	}
	return nil
}

// fail marks the burn failed, releasing its redemptions.
func (s *Burner) fail(ctx context.Context, b Burn, reason string, res *BurnerResult) error {
	if err := s.Store.MarkFailed(ctx, b, reason); err != nil {
		return fmt.Errorf("mark failed (%s): %w", reason, err)
	}
	res.Failed++
	s.logger().Warn("burn failed; its redemptions go to a later batch", "burn", b.ID, "asset", b.Asset, "reason", reason)
	return nil
}

func (s *Burner) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// FindBurn finds in a successful receipt the Transfer log by which token
// burned from from (to the zero address) and returns the raw amount; ok
// is false if there is none. With several, the first.
func FindBurn(receipt *types.Receipt, token, from common.Address) (raw *big.Int, ok bool) {
	if receipt == nil || receipt.Status != types.ReceiptStatusSuccessful {
		return nil, false
	}
	for _, log := range receipt.Logs {
		if log.Address != token || log.Removed || len(log.Topics) != 3 || log.Topics[0] != TransferTopic ||
			log.Topics[1] != common.BytesToHash(from.Bytes()) || log.Topics[2] != (common.Hash{}) || len(log.Data) != 32 {
			continue
		}
		return new(big.Int).SetBytes(log.Data), true
	}
	return nil, false
}
