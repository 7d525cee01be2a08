package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/lpx-exchange/lpx/tokens/bindings"
)

// demoWallet is a consumer's own wallet in lpx demo: a key made for the
// story and the dev chain it signs for, reached over its JSON-RPC.
type demoWallet struct {
	key     *ecdsa.PrivateKey
	addr    common.Address
	chain   *ethclient.Client
	chainID *big.Int
}

var demoTokenABI = bindings.NewLoyaltyToken()

// newDemoWallet makes a fresh key.
func newDemoWallet() (*demoWallet, error) {
	k, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	return &demoWallet{key: k, addr: crypto.PubkeyToAddress(k.PublicKey)}, nil
}

// connect dials the chain's JSON-RPC and checks it is chainID.
func (w *demoWallet) connect(ctx context.Context, rpcURL string, chainID uint64) error {
	c, err := ethclient.DialContext(ctx, rpcURL)
	if err != nil {
		return fmt.Errorf("the dev chain's JSON-RPC at %s: %w", rpcURL, err)
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		c.Close()
		return fmt.Errorf("the dev chain's JSON-RPC at %s does not answer (is the server on another machine?): %w", rpcURL, err)
	}
	if !id.IsUint64() || id.Uint64() != chainID {
		c.Close()
		return fmt.Errorf("the JSON-RPC at %s is chain %v, the exchange's is %d", rpcURL, id, chainID)
	}
	w.chain, w.chainID = c, id
	return nil
}

// close drops the JSON-RPC connection.
func (w *demoWallet) close() {
	if w.chain != nil {
		w.chain.Close()
	}
}

// personalSign signs msg as a wallet's personal_sign (EIP-191) does: 65
// bytes, v 27 or 28, in 0x hex.
func (w *demoWallet) personalSign(msg string) (string, error) {
	sig, err := crypto.Sign(accounts.TextHash([]byte(msg)), w.key)
	if err != nil {
		return "", err
	}
	sig[crypto.RecoveryIDOffset] += 27
	return hexutil.Encode(sig), nil
}

// balance reads the wallet's balance of token.
func (w *demoWallet) balance(ctx context.Context, token common.Address) (*big.Int, error) {
	out, err := w.chain.CallContract(ctx, ethereum.CallMsg{To: &token, Data: demoTokenABI.PackBalanceOf(w.addr)}, nil)
	if err != nil {
		return nil, fmt.Errorf("balanceOf at %s: %w", token, err)
	}
	return demoTokenABI.UnpackBalanceOf(out)
}

// transfer sends raw of token to `to` from the wallet and waits until it
// is mined; it returns the receipt.
func (w *demoWallet) transfer(ctx context.Context, token, to common.Address, raw *big.Int) (*types.Receipt, error) {
	data := demoTokenABI.PackTransfer(to, raw)
	gas, err := w.chain.EstimateGas(ctx, ethereum.CallMsg{From: w.addr, To: &token, Data: data})
	if err != nil {
		return nil, fmt.Errorf("estimate the transfer's gas: %w", err)
	}
	tip, err := w.chain.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, err
	}
	head, err := w.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	feeCap := new(big.Int).Set(tip)
	if head.BaseFee != nil {
		feeCap.Add(feeCap, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	}
	nonce, err := w.chain.PendingNonceAt(ctx, w.addr)
	if err != nil {
		return nil, err
	}
	tx, err := types.SignNewTx(w.key, types.LatestSignerForChainID(w.chainID), &types.DynamicFeeTx{
		ChainID: w.chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas + gas/5, To: &token, Data: data,
	})
	if err != nil {
		return nil, err
	}
	// The node's txpool moves to a new head asynchronously: right after
	// the faucet's gas was mined it may still see the wallet empty.
	for deadline := time.Now().Add(5 * time.Second); ; {
		err := w.chain.SendTransaction(ctx, tx)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "insufficient funds") || time.Now().After(deadline) {
			return nil, fmt.Errorf("send the transfer: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("send the transfer: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	for {
		r, err := w.chain.TransactionReceipt(ctx, tx.Hash())
		if err == nil && r.BlockNumber != nil {
			if r.Status != types.ReceiptStatusSuccessful {
				return r, fmt.Errorf("the transfer %s reverted", tx.Hash())
			}
			return r, nil
		}
		if err != nil && !errors.Is(err, ethereum.NotFound) && ctx.Err() != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the transfer %s: %w", tx.Hash(), ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
