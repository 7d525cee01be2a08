package node

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/lpx-exchange/lpx/tokens"
	"github.com/lpx-exchange/lpx/tokens/bindings"
)

// The dev chain's developer key signs the demo world's deployments, its
// minter grants and the faucet's gifts: never the vault key, whose nonces
// belong to its outboxes (withdrawals, issues, burns). Every transaction
// of the developer key is signed and waited for under Node.deployMu, as
// apiChain.CreateProgram's are, so each batch starts from a settled nonce.

var (
	demoTokenABI   = bindings.NewLoyaltyToken()
	demoFactoryABI = bindings.NewTokenFactory()
	// minterRole is LoyaltyToken.MINTER_ROLE.
	minterRole = crypto.Keccak256Hash([]byte("MINTER_ROLE"))
)

// devBatch signs transactions of the developer key with consecutive
// nonces. Hold n.deployMu from newDevBatch until the batch is mined.
type devBatch struct {
	n     *Node
	nonce uint64
	tip   *big.Int
	cap   *big.Int
	txs   []*types.Transaction
}

// newDevBatch starts a batch at the developer key's next nonce: the larger
// of its pending and its latest nonce (the pool's pending nonce can lag a
// block just mined).
func (n *Node) newDevBatch(ctx context.Context) (*devBatch, error) {
	dev := n.DevChain.DevAddress()
	pending, err := n.Chain.PendingNonceAt(ctx, dev)
	if err != nil {
		return nil, fmt.Errorf("node: dev key nonce: %w", err)
	}
	latest, err := n.Chain.NonceAt(ctx, dev, nil)
	if err != nil {
		return nil, fmt.Errorf("node: dev key nonce: %w", err)
	}
	tip, err := n.Chain.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, fmt.Errorf("node: gas tip: %w", err)
	}
	head, err := n.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("node: head: %w", err)
	}
	feeCap := new(big.Int).Set(tip)
	if head.BaseFee != nil {
		feeCap.Add(feeCap, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	}
	return &devBatch{n: n, nonce: max(pending, latest), tip: tip, cap: feeCap}, nil
}

// send signs and broadcasts a transaction of value wei (nil: none) and
// data to to, with its estimated gas plus a fifth. A call that would
// revert is refused before anything is sent.
func (b *devBatch) send(ctx context.Context, to common.Address, value *big.Int, data []byte) (*types.Transaction, error) {
	n := b.n
	if value == nil {
		value = new(big.Int)
	}
	gas, err := n.Chain.EstimateGas(ctx, ethereum.CallMsg{From: n.DevChain.DevAddress(), To: &to, Value: value, Data: data})
	if err != nil {
		return nil, fmt.Errorf("node: estimate gas of a call to %s: %w", to, err)
	}
	chainID := new(big.Int).SetUint64(n.ChainID)
	tx, err := types.SignNewTx(n.DevChain.DevKey(), types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: b.nonce, GasTipCap: b.tip, GasFeeCap: b.cap, Gas: gas + gas/5,
		To: &to, Value: value, Data: data,
	})
	if err != nil {
		return nil, fmt.Errorf("node: sign: %w", err)
	}
	if err := n.Chain.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("node: send %s (nonce %d): %w", tx.Hash(), tx.Nonce(), err)
	}
	b.nonce++
	b.txs = append(b.txs, tx)
	return tx, nil
}

// mined waits until every transaction of the batch is in a block and
// returns their receipts in order; a reverted one is an error wrapping
// tokens.ErrReverted.
func (b *devBatch) mined(ctx context.Context) ([]*types.Receipt, error) {
	out := make([]*types.Receipt, len(b.txs))
	for i, tx := range b.txs {
		r, err := b.n.receipt(ctx, tx.Hash())
		if err != nil {
			return out, err
		}
		if r.Status != types.ReceiptStatusSuccessful {
			return out, fmt.Errorf("%w: %s", tokens.ErrReverted, tx.Hash())
		}
		out[i] = r
	}
	return out, nil
}

// receipt waits for the receipt of hash, asking every 200 ms until ctx
// ends.
func (n *Node) receipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	for {
		r, err := n.Chain.TransactionReceipt(ctx, hash)
		if err == nil && r.BlockNumber != nil {
			return r, nil
		}
		if err != nil && !errors.Is(err, ethereum.NotFound) {
			// "transaction indexing is in progress": ask again.
			n.log.Debug("waiting for a receipt", "tx", hash, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("node: waiting for %s: %w", hash, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// isMinter reports whether who holds token's MINTER_ROLE.
func (n *Node) isMinter(ctx context.Context, token, who common.Address) (bool, error) {
	out, err := n.Chain.CallContract(ctx, ethereum.CallMsg{To: &token, Data: demoTokenABI.PackHasRole(minterRole, who)}, nil)
	if err != nil {
		return false, fmt.Errorf("node: hasRole of %s: %w", token, err)
	}
	return demoTokenABI.UnpackHasRole(out)
}

// tokenBalance reads who's balance of token.
func (n *Node) tokenBalance(ctx context.Context, token, who common.Address) (*big.Int, error) {
	out, err := n.Chain.CallContract(ctx, ethereum.CallMsg{To: &token, Data: demoTokenABI.PackBalanceOf(who)}, nil)
	if err != nil {
		return nil, fmt.Errorf("node: balanceOf at %s: %w", token, err)
	}
	return demoTokenABI.UnpackBalanceOf(out)
}
