package node

import (
	"context"
	"errors"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/api"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// The faucet's defaults (DemoConfig) and its gas.
var (
	defaultFaucetPerAddress = redisstore.Limit{Rate: 1, Per: 10 * time.Minute, Burst: 1}
	defaultFaucetPerIP      = redisstore.Limit{Rate: 20, Per: time.Hour, Burst: 10}
	// faucetGas is the ether a wallet gets for gas: 1 ETH, hundreds of
	// deposits on the dev chain.
	faucetGas     = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	faucetGasText = "1"
)

// faucet is the embedded demo mode's api.Faucet. It signs with the dev
// chain's developer key only: the gas from its ether, the demo tokens'
// gifts as mints (SeedDemo made the developer key a minter of each demo
// token). The vault key, whose nonces belong to its outboxes, never signs
// here. Gifts are minted to the wallet: the tokens are its own, on chain,
// and count in the tokens' supply (a brand's liabilities show them).
type faucet struct{ n *Node }

// Limits are Config.Demo's, or the defaults.
func (f *faucet) Limits() (perAddress, perIP redisstore.Limit) {
	perAddress, perIP = f.n.cfg.Demo.FaucetPerAddress, f.n.cfg.Demo.FaucetPerIP
	if !validLimit(perAddress) {
		perAddress = defaultFaucetPerAddress
	}
	if !validLimit(perIP) {
		perIP = defaultFaucetPerIP
	}
	return perAddress, perIP
}

// validLimit reports whether l is a limit the rate limiter takes (the
// zero Limit is not: it means the default).
func validLimit(l redisstore.Limit) bool { return l.Rate > 0 && l.Per > 0 && l.Burst >= 1 }

// faucetGift is one demo token the faucet mints.
type faucetGift struct {
	symbol, amount string
	token          common.Address
	raw            *big.Int
}

// gifts are the demo tokens the developer key may mint (none before
// SeedDemo has made it a minter, or without a demo world), but for a
// coupon past its expiry (it can no longer be minted).
func (f *faucet) gifts(ctx context.Context) ([]faucetGift, error) {
	if f.n.cfg.Demo.Disabled {
		return nil, nil
	}
	st, err := f.n.loadDemo()
	if err != nil {
		return nil, err
	}
	var out []faucetGift
	for i, p := range demoPrograms {
		b := st.Brands[i]
		if !b.DevMinter || p.Gift == "" || !common.IsHexAddress(b.Token) || b.Asset == 0 {
			continue
		}
		prog, err := f.n.SQL.TokenProgram(ctx, b.Asset)
		if err != nil {
			return nil, err
		}
		if prog.ExpiresAt != 0 && time.Now().Unix() >= prog.ExpiresAt {
			continue
		}
		units, err := tokens.ParseDecimal(p.Gift, p.Scale)
		if err != nil {
			return nil, err
		}
		raw, err := tokens.FromUnits(units, p.Decimals, p.Scale)
		if err != nil {
			return nil, err
		}
		out = append(out, faucetGift{symbol: p.Symbol, amount: p.Gift, token: common.HexToAddress(b.Token), raw: raw})
	}
	return out, nil
}

// Drip sends to the gas and mints it every gift, in one batch of the
// developer key, and returns once the batch is mined. The vault and the
// developer key themselves are refused (invalid_address).
func (f *faucet) Drip(ctx context.Context, to common.Address) (api.FaucetDrip, error) {
	n := f.n
	if to == n.Vault || to == n.DevChain.DevAddress() {
		return api.FaucetDrip{}, api.Errorf("invalid_address", "%s is the exchange's own; give a wallet of yours", to.Hex())
	}
	gifts, err := f.gifts(ctx)
	if err != nil {
		return api.FaucetDrip{}, err
	}
	n.deployMu.Lock()
	defer n.deployMu.Unlock()
	batch, err := n.newDevBatch(ctx)
	if err != nil {
		return api.FaucetDrip{}, faucetChainError(err)
	}
	drip := api.FaucetDrip{ChainID: n.ChainID, RPCURL: n.DevChain.RPCURL(), Gas: faucetGasText}
	gasTx, err := batch.send(ctx, to, faucetGas, nil)
	if err != nil {
		return api.FaucetDrip{}, faucetChainError(err)
	}
	drip.GasTx = gasTx.Hash()
	for _, g := range gifts {
		tx, err := batch.send(ctx, g.token, nil, demoTokenABI.PackMint(to, g.raw))
		if err != nil {
			return api.FaucetDrip{}, faucetChainError(err)
		}
		drip.Tokens = append(drip.Tokens, api.FaucetToken{Asset: g.symbol, Token: g.token, Amount: g.amount, Tx: tx.Hash()})
	}
	if _, err := batch.mined(ctx); err != nil {
		return api.FaucetDrip{}, faucetChainError(err)
	}
	n.log.Info("faucet", "to", to, "gas", faucetGasText+" ETH", "tokens", len(drip.Tokens))
	return drip, nil
}

// faucetChainError is what the faucet's client sees of a chain failure:
// chain_unavailable (503) with the details (it is the dev chain's); a
// context's end stays as it is (the API's table answers it).
func faucetChainError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return api.Errorf("chain_unavailable", "the faucet could not send: %v", err)
}
