package tokens

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// TransferTopic is topic 0 of an ERC-20 Transfer(address indexed from,
// address indexed to, uint256 value) log.
var TransferTopic = crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))

// ErrRejected is what a Crediter wraps when the exchange refuses a deposit
// for good (an expired asset, say): the watcher marks it rejected and goes
// on. Any other error from Credit stops the pass, and the next pass tries
// again.
var ErrRejected = errors.New("tokens: deposit rejected by the exchange")

// Chain is the part of an Ethereum client the watcher reads.
// *ethclient.Client and the simulated backend's Client() satisfy it.
type Chain interface {
	// HeaderByNumber returns the canonical header at number (nil: the
	// head), or an error wrapping ethereum.NotFound beyond the head.
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
}

// Program is a registered token: transfers of Contract to the vault credit
// Asset, converted from Decimals to the exchange's Scale.
type Program struct {
	Asset    uint32
	Contract common.Address
	Decimals uint8
	Scale    uint8
}

// Deposit is one Transfer log to the vault from a linked wallet, keyed by
// (ChainID, TxHash, LogIndex); Ref is DepositRef of that key. Raw is the
// on-chain amount, Units what the engine credits, Dust the rest of Raw
// below one unit (never credited).
type Deposit struct {
	ChainID   uint64
	TxHash    common.Hash
	LogIndex  uint
	Ref       [32]byte
	Account   uint32
	Asset     uint32
	Raw, Dust *big.Int
	Units     int64
	Block     uint64
	BlockHash common.Hash
}

// WatcherStore is where the watcher keeps its state (cmd/lpx/node adapts
// the SQL store).
type WatcherStore interface {
	// Programs returns the tokens registered on chainID.
	Programs(ctx context.Context, chainID uint64) ([]Program, error)
	// WalletOwner returns the account that linked addr on chainID.
	WalletOwner(ctx context.Context, chainID uint64, addr common.Address) (account uint32, ok bool, err error)
	// Cursor returns the last block the watcher finished and its hash; ok
	// is false before the first pass.
	Cursor(ctx context.Context, chainID uint64) (block uint64, hash common.Hash, ok bool, err error)
	SetCursor(ctx context.Context, chainID uint64, block uint64, hash common.Hash) error
	// RecordSeen stores deposits as seen, all or none. A deposit stored
	// already is fine: if it is seen or reorged it becomes seen at its
	// (possibly new) block; if credited or rejected it stays so.
	RecordSeen(ctx context.Context, ds []Deposit) error
	// MarkReorged marks a seen deposit as dropped by a reorg.
	MarkReorged(ctx context.Context, d Deposit) error
	// MarkRejected marks a seen deposit as one that will never be
	// credited (all dust, or refused by the exchange); one that is
	// rejected already is fine.
	MarkRejected(ctx context.Context, d Deposit) error
	// Pending returns the seen deposits on chainID in blocks after block.
	Pending(ctx context.Context, chainID uint64, after uint64) ([]Deposit, error)
}

// Crediter submits the engine's Deposit command for d (Ref d.Ref) and
// returns once it is journaled. A Ref credited already is success, with
// duplicate set. A deposit the exchange refuses for good is an error
// wrapping ErrRejected.
type Crediter interface {
	Credit(ctx context.Context, d Deposit) (seq uint64, duplicate bool, err error)
}

// Defaults of a Watcher's zero fields.
const (
	DefaultBatchBlocks = 1000
	DefaultInFlight    = 256
)

// Watcher credits ERC-20 transfers to the vault. Each Poll reads the
// Transfer(from, Vault) logs of every registered token: in blocks up to
// head-Confirmations (or the finalized block) it records and credits the deposits from linked
// wallets and moves its cursor there; in the newer, unconfirmed blocks it
// only records them, as pending.
//
// Reorgs. The cursor keeps the hash of its block. When the chain's block
// at that height has another hash (or none), the watcher rewinds the
// cursor by Confirmations+1 blocks and scans again from there; re-scanning
// is harmless because the engine credits each Ref once. A reorg that deep
// replaces blocks the watcher had taken as confirmed, whose credits stand:
// it is logged as an error for an operator. Pending deposits, in blocks
// after the cursor, are checked on every pass: one whose block's canonical
// hash is no longer the one it was seen in is marked reorged (and is seen
// again, at its new block, if its transaction was mined again).
//
// A Watcher is used by one goroutine at a time.
type Watcher struct {
	Chain    Chain
	Store    WatcherStore
	Crediter Crediter

	ChainID uint64
	Vault   common.Address
	// Confirmations is how many blocks must follow a deposit's before it
	// is credited: blocks up to head-Confirmations are confirmed. With
	// Finalized set, the chain's finalized block is the last confirmed
	// one instead (Confirmations then only sizes the rewind on a reorg).
	Confirmations uint64
	Finalized     bool
	// StartBlock is the first block scanned when there is no cursor yet
	// (the vault's deployment, say).
	StartBlock uint64
	// BatchBlocks is how many blocks one FilterLogs call spans (default
	// DefaultBatchBlocks).
	BatchBlocks uint64
	// InFlight bounds the credits awaiting the sequencer at once (default
	// DefaultInFlight); the sequencer journals concurrent ones together.
	InFlight int
	Log      *slog.Logger
}

// PollResult says what one pass did.
type PollResult struct {
	Head, Safe uint64 // the chain's head, and the last block taken as confirmed
	Rewound    bool   // the cursor's block was reorged away
	Credited   int    // deposits credited by this pass
	Duplicates int    // confirmed deposits the engine had credited already
	Rejected   int    // confirmed deposits not credited: all dust, or refused
	Unlinked   int    // transfers to the vault from wallets nobody linked
	Reorged    int    // pending deposits marked reorged
	Pending    []PendingDeposit
}

// PendingDeposit is a deposit seen in a block not yet confirmed.
type PendingDeposit struct {
	Deposit
	Confirmations uint64 // head - block + 1
}

// Run polls every interval until ctx ends, logging failed passes.
func (w *Watcher) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.Poll(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("deposit watcher pass failed", "chain", w.ChainID, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Poll makes one pass; see Watcher. An error leaves the cursor after the
// last batch of blocks fully credited.
func (w *Watcher) Poll(ctx context.Context) (PollResult, error) {
	var res PollResult
	head, err := w.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("tokens: head: %w", err)
	}
	res.Head = head.Number.Uint64()
	switch {
	case w.Finalized:
		fin, err := w.Chain.HeaderByNumber(ctx, big.NewInt(rpc.FinalizedBlockNumber.Int64()))
		if err != nil {
			return res, fmt.Errorf("tokens: finalized block: %w", err)
		}
		res.Safe = min(fin.Number.Uint64(), res.Head)
	case res.Head >= w.Confirmations:
		res.Safe = res.Head - w.Confirmations
	}

	// next is the first block not yet finished.
	next := w.StartBlock
	cursor, hash, ok, err := w.Store.Cursor(ctx, w.ChainID)
	if err != nil {
		return res, err
	}
	if ok {
		canonical, found, err := w.blockHash(ctx, cursor)
		if err != nil {
			return res, err
		}
		if !found || canonical != hash {
			res.Rewound = true
			// Back by Confirmations+1, and not beyond the head's safe
			// block when the chain got shorter.
			to := min(cursor-min(cursor, w.Confirmations+1), res.Safe)
			w.log().Error("deposit watcher: the cursor's block was reorged; rewinding",
				"chain", w.ChainID, "block", cursor, "stored", hash, "canonical", canonical, "to", to)
			toHash, found, err := w.blockHash(ctx, to)
			if err != nil {
				return res, err
			}
			if !found {
				return res, fmt.Errorf("tokens: block %d vanished during the pass", to)
			}
			if err := w.Store.SetCursor(ctx, w.ChainID, to, toHash); err != nil {
				return res, err
			}
			cursor = to
		}
		next = cursor + 1
	}

	if err := w.dropReorged(ctx, next, &res); err != nil {
		return res, err
	}
	programs, err := w.Store.Programs(ctx, w.ChainID)
	if err != nil {
		return res, err
	}
	byContract := make(map[common.Address]Program, len(programs))
	contracts := make([]common.Address, 0, len(programs))
	for _, p := range programs {
		byContract[p.Contract] = p
		contracts = append(contracts, p.Contract)
	}
	owners := map[common.Address]uint32{} // this pass's wallet lookups; 0: unlinked

	batch := w.BatchBlocks
	if batch == 0 {
		batch = DefaultBatchBlocks
	}
	for from := next; from <= res.Safe; from += batch {
		to := min(from+batch-1, res.Safe)
		if len(contracts) > 0 {
			ds, err := w.deposits(ctx, from, to, contracts, byContract, owners, &res)
			if err != nil {
				return res, err
			}
			if err := w.credit(ctx, ds, &res); err != nil {
				return res, err
			}
		}
		toHash, found, err := w.blockHash(ctx, to)
		if err != nil {
			return res, err
		}
		if !found { // the chain shrank under us: the next pass rewinds
			return res, fmt.Errorf("tokens: block %d vanished during the pass", to)
		}
		if err := w.Store.SetCursor(ctx, w.ChainID, to, toHash); err != nil {
			return res, err
		}
	}

	// The unconfirmed blocks: record, do not credit.
	unconfirmed := max(next, res.Safe+1)
	if unconfirmed <= res.Head && len(contracts) > 0 {
		ds, err := w.deposits(ctx, unconfirmed, res.Head, contracts, byContract, owners, &res)
		if err != nil {
			return res, err
		}
		if err := w.Store.RecordSeen(ctx, ds); err != nil {
			return res, err
		}
	}
	pending, err := w.Store.Pending(ctx, w.ChainID, res.Safe)
	if err != nil {
		return res, err
	}
	for _, d := range pending {
		var n uint64
		if d.Block <= res.Head {
			n = res.Head - d.Block + 1
		}
		res.Pending = append(res.Pending, PendingDeposit{Deposit: d, Confirmations: n})
	}
	return res, nil
}

// dropReorged marks reorged the pending deposits, in blocks from next on,
// whose block is no longer canonical.
func (w *Watcher) dropReorged(ctx context.Context, next uint64, res *PollResult) error {
	if next == 0 {
		next = 1 // Pending takes the block after which to look
	}
	pending, err := w.Store.Pending(ctx, w.ChainID, next-1)
	if err != nil {
		return err
	}
	type canon struct {
		hash  common.Hash
		found bool
	}
	hashes := map[uint64]canon{}
	for _, d := range pending {
		c, seen := hashes[d.Block]
		if !seen {
			h, found, err := w.blockHash(ctx, d.Block)
			if err != nil {
				return err
			}
			c = canon{h, found}
			hashes[d.Block] = c
		}
		if c.found && c.hash == d.BlockHash {
			continue
		}
		if err := w.Store.MarkReorged(ctx, d); err != nil {
			return err
		}
		res.Reorged++
		w.log().Warn("deposit watcher: pending deposit reorged", "chain", w.ChainID,
			"tx", d.TxHash, "log", d.LogIndex, "block", d.Block, "account", d.Account, "asset", d.Asset)
	}
	return nil
}

// deposits reads the Transfer logs to the vault in [from, to] and returns
// those from linked wallets.
func (w *Watcher) deposits(ctx context.Context, from, to uint64, contracts []common.Address,
	byContract map[common.Address]Program, owners map[common.Address]uint32, res *PollResult,
) ([]Deposit, error) {
	logs, err := w.Chain.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from),
		ToBlock:   new(big.Int).SetUint64(to),
		Addresses: contracts,
		Topics:    [][]common.Hash{{TransferTopic}, nil, {common.BytesToHash(w.Vault[:])}},
	})
	if err != nil {
		return nil, fmt.Errorf("tokens: logs of blocks %d-%d: %w", from, to, err)
	}
	ds := make([]Deposit, 0, len(logs))
	for i := range logs {
		l := &logs[i]
		p, known := byContract[l.Address]
		if l.Removed || !known {
			continue
		}
		if len(l.Topics) != 3 || len(l.Data) != 32 {
			w.log().Warn("deposit watcher: malformed Transfer log", "chain", w.ChainID, "tx", l.TxHash, "log", l.Index)
			continue
		}
		sender := common.BytesToAddress(l.Topics[1][12:])
		if sender == (common.Address{}) {
			// A mint to the vault: an issue, which the issuer credits,
			// never a deposit.
			continue
		}
		account, looked := owners[sender]
		if !looked {
			a, ok, err := w.Store.WalletOwner(ctx, w.ChainID, sender)
			if err != nil {
				return nil, err
			}
			if !ok {
				a = 0
			}
			account, owners[sender] = a, a
		}
		if account == 0 {
			res.Unlinked++
			w.log().Info("deposit watcher: transfer to the vault from an unlinked wallet", "chain", w.ChainID,
				"from", sender, "tx", l.TxHash, "log", l.Index, "block", l.BlockNumber)
			continue
		}
		raw := new(big.Int).SetBytes(l.Data)
		units, dust, err := ToUnits(raw, p.Decimals, p.Scale)
		if err != nil {
			// Too large for the engine (or a bad program): not credited,
			// never recorded; an operator must look.
			w.log().Error("deposit watcher: amount not convertible", "chain", w.ChainID,
				"tx", l.TxHash, "log", l.Index, "raw", raw, "err", err)
			continue
		}
		ds = append(ds, Deposit{
			ChainID: w.ChainID, TxHash: l.TxHash, LogIndex: l.Index,
			Ref:     DepositRef(w.ChainID, l.TxHash, l.Index),
			Account: account, Asset: p.Asset,
			Raw: raw, Dust: dust, Units: units,
			Block: l.BlockNumber, BlockHash: l.BlockHash,
		})
	}
	return ds, nil
}

// credit records confirmed deposits and credits them, InFlight at a time.
func (w *Watcher) credit(ctx context.Context, ds []Deposit, res *PollResult) error {
	if len(ds) == 0 {
		return nil
	}
	if err := w.Store.RecordSeen(ctx, ds); err != nil {
		return err
	}
	inFlight := w.InFlight
	if inFlight <= 0 {
		inFlight = DefaultInFlight
	}
	var (
		mu       sync.Mutex
		firstErr error
		rejected []Deposit
		wg       sync.WaitGroup
		slots    = make(chan struct{}, inFlight)
	)
	for _, d := range ds {
		if d.Units == 0 {
			rejected = append(rejected, d)
			w.log().Info("deposit watcher: deposit below one unit, not credited", "chain", w.ChainID,
				"tx", d.TxHash, "log", d.LogIndex, "dust", d.Dust)
			continue
		}
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			_, dup, err := w.Crediter.Credit(ctx, d)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrRejected):
				rejected = append(rejected, d)
				w.log().Warn("deposit watcher: deposit rejected", "chain", w.ChainID, "tx", d.TxHash, "log", d.LogIndex, "err", err)
			case err != nil:
				if firstErr == nil {
					firstErr = fmt.Errorf("tokens: credit %s/%d: %w", d.TxHash, d.LogIndex, err)
				}
			case dup:
				res.Duplicates++
			default:
				res.Credited++
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for _, d := range rejected {
		if err := w.Store.MarkRejected(ctx, d); err != nil {
			return err
		}
		res.Rejected++
	}
	return nil
}

// blockHash returns the canonical hash of block n; found is false beyond
// the head.
func (w *Watcher) blockHash(ctx context.Context, n uint64) (hash common.Hash, found bool, err error) {
	h, err := w.Chain.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
	if errors.Is(err, ethereum.NotFound) {
		return common.Hash{}, false, nil
	}
	if err != nil {
		return common.Hash{}, false, fmt.Errorf("tokens: header %d: %w", n, err)
	}
	return h.Hash(), true, nil
}

func (w *Watcher) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}
