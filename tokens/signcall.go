package tokens

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

// errWouldRevert marks a call that reverts in gas estimation: nothing was
// signed, so whatever it was for may safely be failed (and refunded).
var errWouldRevert = errors.New("tokens: the call would revert")

// signCall signs a contract call from key's address to to, the one way
// this package builds a transaction: the estimated gas plus
// senderGasMarginPercent, EIP-1559 fees (the node's suggested tip, a fee
// cap of tip + 2 × head's base fee), and the larger of the chain's pending
// nonce and nonceFloor (the caller's own next nonce and, for the vault,
// the nonces its outboxes have stored: the pending nonce can be stale
// right after a block, and misses a stored transaction the pool dropped).
// A call that reverts in estimation returns an error wrapping
// errWouldRevert and the decoded reason (ErrReverted, ErrNotMinter).
func signCall(ctx context.Context, chain SenderChain, key *ecdsa.PrivateKey, chainID *big.Int, head *types.Header,
	to common.Address, data []byte, nonceFloor uint64) (*types.Transaction, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	gas, err := chain.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Data: data})
	if err != nil {
		if _, reverted := ethclient.RevertErrorData(err); reverted {
			return nil, fmt.Errorf("%w: %w", errWouldRevert, revertError(err, from, to))
		}
		return nil, fmt.Errorf("estimate gas: %w", err)
	}
	gas += gas * senderGasMarginPercent / 100
	tip, err := chain.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, fmt.Errorf("gas tip: %w", err)
	}
	feeCap := new(big.Int).Set(tip)
	if head.BaseFee != nil {
		feeCap.Add(feeCap, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	}
	pending, err := chain.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("pending nonce of %s: %w", from, err)
	}
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: max(pending, nonceFloor), GasTipCap: tip, GasFeeCap: feeCap, Gas: gas,
		To: &to, Value: new(big.Int), Data: data,
	})
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return tx, nil
}
