package tokens

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// ErrIssueRejected is what an IssueCrediter wraps when the exchange
// refuses an issue for a reason other than "already issued" (which it
// reports as a duplicate).
var ErrIssueRejected = errors.New("tokens: issue rejected by the exchange")

// IssuanceStatus is where an outstanding issuance stands in the issuer's
// outbox. Credited and failed issuances are done and never reach it.
type IssuanceStatus string

// The outstanding states.
const (
	// IssuancePending: accepted from the brand, nothing signed yet.
	IssuancePending IssuanceStatus = "pending"
	// IssuanceMinting: the signed mint is stored; it may or may not have
	// been broadcast (a crash in between).
	IssuanceMinting IssuanceStatus = "minting"
)

// Issuance is an outstanding issue: mint Raw of Token to the vault, then
// credit Units of Asset to Customer in the engine on Brand's behalf. Brand
// and Reference are its key. From minting on, Nonce, SignedTx and TxHash
// are set.
type Issuance struct {
	Brand     uint32
	Reference string
	Customer  uint32
	Asset     uint32
	Units     int64
	Token     common.Address
	Raw       *big.Int
	Status    IssuanceStatus
	Nonce     uint64
	SignedTx  []byte
	TxHash    common.Hash
}

// IssuerStore is the issuer's outbox, kept in the SQL database.
type IssuerStore interface {
	// Outstanding returns up to limit pending or minting issuances,
	// oldest first.
	Outstanding(ctx context.Context, limit int) ([]Issuance, error)
	// NextNonce is the highest vault nonce the node's outboxes (issuances
	// and withdrawals) signed with, plus 1 (0 if none).
	NextNonce(ctx context.Context) (uint64, error)
	// MarkMinting moves a pending issuance to minting, storing the signed
	// mint. It must refuse an issuance that is not pending: that is what
	// keeps an issuance to one mint.
	MarkMinting(ctx context.Context, is Issuance, nonce uint64, signedTx []byte, txHash common.Hash) error
	// MarkCredited moves a minting issuance to credited with the mint's
	// log index and the engine's sequence number (0: not known); one
	// credited already is success.
	MarkCredited(ctx context.Context, is Issuance, logIndex uint, seq uint64) error
	// MarkFailed moves an outstanding issuance to failed with a reason;
	// one failed already is success.
	MarkFailed(ctx context.Context, is Issuance, reason string) error
}

// IssueCrediter credits a confirmed issuance in the engine (CmdIssue). An
// issue the engine credited already is success with duplicate set, so a
// pass that stopped between crediting and marking the outbox is simply
// repeated; any other refusal wraps ErrIssueRejected.
type IssueCrediter interface {
	Credit(ctx context.Context, is Issuance) (seq uint64, duplicate bool, err error)
}

// DefaultIssuerBatch is how many outstanding issuances one pass reads at
// most by default.
const DefaultIssuerBatch = 100

// Issuer backs brands' issues on chain before the engine credits them:
// for each pending issuance it signs mint(vault, Raw) on the asset's token
// with the vault key (the brand made the vault a minter), stores the
// signed transaction, broadcasts it, and after its receipt and
// Confirmations credits the customer in the engine, like a deposit. So
// every unit credited is backed by tokens in the vault.
//
// Guarantees, as the withdrawal Sender's:
//   - At most one mint per issuance: a mint is signed only for a pending
//     issuance and stored (MarkMinting refuses one that is not pending)
//     before it is broadcast; after that only the same stored bytes are
//     broadcast again, on every pass until a receipt appears.
//   - Credited once: only after a successful receipt with Confirmations,
//     the amount read from the mint's Transfer log (FindMint) matching Raw;
//     the crediter's duplicate is success.
//   - Failed (nothing credited) when the mint reverts in gas estimation
//     (the vault is not a minter: nothing is signed), its receipt says
//     reverted, or the vault's nonce at head-Confirmations has passed the
//     mint's nonce while it has no receipt. A mint that succeeded but that
//     the engine refuses to credit (a customer that does not exist, an
//     expired coupon) is also failed, and logged as an error: those tokens
//     sit in the vault unbacked by any balance.
//   - Nonces: the vault key is shared with the Sender. A new mint takes the
//     largest of the chain's pending nonce, the outboxes' next nonce
//     (IssuerStore.NextNonce) and the issuer's own next nonce. The node
//     runs the Sender's and the Issuer's passes one after the other in one
//     goroutine, never concurrently, so two transactions are never signed
//     at once; the chain's pending nonce plus the local one would then be
//     enough while both run, and the stored nonces cover what a restart
//     loses (a stored transaction the node's pool has dropped).
//
// Poll is not safe for concurrent use, nor with the Sender's Poll.
type Issuer struct {
	Chain    SenderChain
	Store    IssuerStore
	Crediter IssueCrediter
	// Key is the vault's private key; the vault must hold each token's
	// MINTER_ROLE.
	Key     *ecdsa.PrivateKey
	ChainID *big.Int
	// Confirmations is how many blocks, counting the receipt's own, a
	// mint needs before the issue is credited (0 acts as 1).
	Confirmations uint64
	// Batch is how many outstanding issuances one pass reads at most
	// (default DefaultIssuerBatch).
	Batch int
	Log   *slog.Logger

	next uint64 // the next nonce this issuer would use; 0: none yet
}

// IssuerResult says what one pass did.
type IssuerResult struct {
	Head        uint64
	Signed      int // mints signed and stored
	Broadcast   int // broadcasts the node accepted (first ones and repeats)
	Rebroadcast int // of which repeats of a stored mint
	Waiting     int // minting, no receipt yet or not enough confirmations
	Credited    int
	Failed      int
}

// Poll makes one pass over the outstanding issuances: the minting ones
// first (so that the nonces they hold are known), then the pending ones,
// each oldest first. A failure with one issuance is logged and the pass
// goes on; Poll returns all such errors joined.
func (s *Issuer) Poll(ctx context.Context) (IssuerResult, error) {
	var res IssuerResult
	if s.ChainID == nil || s.ChainID.Sign() <= 0 {
		return res, fmt.Errorf("tokens: issuer: bad chain id %v", s.ChainID)
	}
	if s.Key == nil {
		return res, errors.New("tokens: issuer: no vault key")
	}
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultIssuerBatch
	}
	list, err := s.Store.Outstanding(ctx, batch)
	if err != nil {
		return res, fmt.Errorf("tokens: issuer: outstanding issuances: %w", err)
	}
	if len(list) == 0 {
		return res, nil
	}
	sort.SliceStable(list, func(i, j int) bool {
		return list[i].Status == IssuanceMinting && list[j].Status != IssuanceMinting
	})
	head, err := s.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("tokens: issuer: head: %w", err)
	}
	res.Head = head.Number.Uint64()
	var errs []error
	for _, is := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var err error
		switch is.Status {
		case IssuancePending:
			err = s.sign(ctx, head, is, &res)
		case IssuanceMinting:
			err = s.follow(ctx, head, is, &res)
		default:
			err = fmt.Errorf("unknown status %q", is.Status)
		}
		if err != nil {
			err = fmt.Errorf("tokens: issuer: issuance %d/%q: %w", is.Brand, is.Reference, err)
			s.logger().Error("issuance not processed", "brand", is.Brand, "reference", is.Reference, "status", is.Status, "err", err)
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// vault is the address of Key.
func (s *Issuer) vault() common.Address { return crypto.PubkeyToAddress(s.Key.PublicKey) }

// sign signs, stores and broadcasts the mint of a pending issuance.
func (s *Issuer) sign(ctx context.Context, head *types.Header, is Issuance, res *IssuerResult) error {
	if is.Token == (common.Address{}) {
		return s.fail(ctx, is, "the asset has no token contract on this chain", res)
	}
	if err := checkRaw(is.Raw); err != nil {
		return s.fail(ctx, is, err.Error(), res)
	}
	floor, err := s.Store.NextNonce(ctx)
	if err != nil {
		return fmt.Errorf("next nonce: %w", err)
	}
	tx, err := signCall(ctx, s.Chain, s.Key, s.ChainID, head, is.Token, programTokenABI.PackMint(s.vault(), is.Raw), max(floor, s.next))
	if errors.Is(err, errWouldRevert) {
		// The mint reverts now (the vault is not a minter, the supply
		// would overflow): nothing is signed, nothing is credited.
		return s.fail(ctx, is, "mint reverts in gas estimation: "+err.Error(), res)
	}
	if err != nil {
		return err
	}
	nonce := tx.Nonce()
	signed, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	// Persist before broadcasting: a mint the outbox does not know of
	// could be mined and then signed again.
	if err := s.Store.MarkMinting(ctx, is, nonce, signed, tx.Hash()); err != nil {
		return fmt.Errorf("store signed mint: %w", err)
	}
	s.next = nonce + 1
	res.Signed++
	s.logger().Info("issuance mint signed", "brand", is.Brand, "reference", is.Reference, "nonce", nonce, "tx", tx.Hash())
	return s.broadcast(ctx, is, tx, false, res)
}

// follow looks for a minting issuance's receipt and credits it, or
// broadcasts the stored mint again.
func (s *Issuer) follow(ctx context.Context, head *types.Header, is Issuance, res *IssuerResult) error {
	tx, receipt, waiting, err := followStored(ctx, s.Chain, "mint", is.SignedTx, is.TxHash, head, s.Confirmations)
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
			return s.fail(ctx, is, fmt.Sprintf("mint %s reverted in block %s", is.TxHash, receipt.BlockNumber), res)
		}
		logIndex, raw, ok := FindMint(receipt, is.Token, s.vault())
		if !ok || raw.Cmp(is.Raw) != 0 {
			return s.fail(ctx, is, fmt.Sprintf("mint %s has no Transfer of %s to the vault (found %v)", is.TxHash, is.Raw, raw), res)
		}
		seq, dup, err := s.Crediter.Credit(ctx, is)
		if errors.Is(err, ErrIssueRejected) {
			s.logger().Error("minted to the vault but the engine refused the issue: the tokens are unbacked by any balance",
				"brand", is.Brand, "reference", is.Reference, "tx", is.TxHash, "err", err)
			return s.fail(ctx, is, "the engine refused the issue: "+err.Error(), res)
		}
		if err != nil {
			return fmt.Errorf("credit in the engine: %w", err)
		}
		if dup {
			seq = 0
		}
		if err := s.Store.MarkCredited(ctx, is, logIndex, seq); err != nil {
			return fmt.Errorf("mark credited: %w", err)
		}
		res.Credited++
		s.logger().Info("issuance credited", "brand", is.Brand, "reference", is.Reference, "customer", is.Customer,
			"asset", is.Asset, "units", is.Units, "tx", is.TxHash, "block", receipt.BlockNumber)
		return nil
	}

	// No receipt. If the vault's nonce at a confirmed depth has passed the
	// mint's, another transaction took the nonce: this mint can never be
	// mined, so nothing will be credited.
	if taken, err := nonceTaken(ctx, s.Chain, s.vault(), head, s.Confirmations, tx.Nonce()); err != nil {
		return err
	} else if taken {
		return s.fail(ctx, is, fmt.Sprintf("nonce %d of mint %s was used by another transaction", tx.Nonce(), is.TxHash), res)
	}
	res.Waiting++
	return s.broadcast(ctx, is, tx, true, res)
}

// broadcast sends the stored mint. The node's refusal is logged, not
// returned: the receipt decides, and the next pass sends it again.
func (s *Issuer) broadcast(ctx context.Context, is Issuance, tx *types.Transaction, again bool, res *IssuerResult) error {
	if sent, err := sendStored(ctx, s.Chain, tx, s.logger(), "issuance mint", "brand", is.Brand, "reference", is.Reference); !sent {
		return err
	}
	res.Broadcast++
	if again {
		res.Rebroadcast++
	}
	return nil
}

// fail marks the issuance failed; nothing was credited.
func (s *Issuer) fail(ctx context.Context, is Issuance, reason string, res *IssuerResult) error {
	if err := s.Store.MarkFailed(ctx, is, reason); err != nil {
		return fmt.Errorf("mark failed (%s): %w", reason, err)
	}
	res.Failed++
	s.logger().Warn("issuance failed", "brand", is.Brand, "reference", is.Reference, "reason", reason)
	return nil
}

func (s *Issuer) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// SupplyReporter tells the engine each registered token's on-chain supply,
// for the brands' liabilities: TotalSupply, converted with ToUnits (the
// dust below one unit is not reported), is reported when it differs from
// the last value this reporter reported for the asset (after a restart,
// once again for each).
//
// Poll is not safe for concurrent use.
type SupplyReporter struct {
	Chain TokenReader
	// Programs lists the registered tokens on the chain.
	Programs func(ctx context.Context) ([]Program, error)
	// Report submits the supply of asset, in units (the node's
	// CmdReportSupply).
	Report func(ctx context.Context, asset uint32, units int64) error
	Log    *slog.Logger

	last map[uint32]int64
}

// Poll reads every program's supply and reports the changed ones,
// returning how many it reported. A failure with one program is logged
// and the pass goes on; Poll returns all such errors joined.
func (r *SupplyReporter) Poll(ctx context.Context) (int, error) {
	programs, err := r.Programs(ctx)
	if err != nil {
		return 0, fmt.Errorf("tokens: supply: programs: %w", err)
	}
	if r.last == nil {
		r.last = map[uint32]int64{}
	}
	reported := 0
	var errs []error
	for _, p := range programs {
		if err := ctx.Err(); err != nil {
			return reported, err
		}
		err := r.report(ctx, p)
		switch {
		case errors.Is(err, errSupplyUnchanged):
		case err != nil:
			err = fmt.Errorf("tokens: supply of asset %d (%s): %w", p.Asset, p.Contract, err)
			r.logger().Error("supply not reported", "asset", p.Asset, "err", err)
			errs = append(errs, err)
		default:
			reported++
		}
	}
	return reported, errors.Join(errs...)
}

var errSupplyUnchanged = errors.New("unchanged")

func (r *SupplyReporter) report(ctx context.Context, p Program) error {
	supply, err := TotalSupply(ctx, r.Chain, p.Contract)
	if err != nil {
		return err
	}
	units, _, err := ToUnits(supply, p.Decimals, p.Scale)
	if err != nil {
		return err
	}
	if last, ok := r.last[p.Asset]; ok && last == units {
		return errSupplyUnchanged
	}
	if err := r.Report(ctx, p.Asset, units); err != nil {
		return err
	}
	r.last[p.Asset] = units
	return nil
}

func (r *SupplyReporter) logger() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}
