package api

import (
	"context"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/store/redisstore"
)

// Faucet gives a wallet gas and demo tokens on the embedded dev chain, so
// that a person with a browser wallet (or the web page's demo wallet) can
// link it, deposit, swap and withdraw. Only a node in the embedded demo
// mode has one (Deps.Faucet): without it POST /v1/demo/faucet is not
// registered and answers 404 like any unknown route.
type Faucet interface {
	// Drip sends to the gas and each demo token's gift, and returns once
	// they are mined. An address it will not give to is an *Error
	// (invalid_address); a chain it cannot reach, chain_unavailable.
	Drip(ctx context.Context, to common.Address) (FaucetDrip, error)
	// Limits are how often one wallet address and one client address may
	// be given anything (GCRA limits in Redis, the API's rate limiter).
	Limits() (perAddress, perIP redisstore.Limit)
}

// FaucetDrip is what the faucet sent to one wallet.
type FaucetDrip struct {
	ChainID uint64
	// RPCURL is the dev chain's JSON-RPC endpoint (on loopback), for the
	// wallet to send its deposits through.
	RPCURL string
	// Gas is the ether sent, a decimal in ETH; GasTx its transaction.
	Gas   string
	GasTx common.Hash
	// Tokens are the demo tokens minted to the wallet (none before the
	// demo world is seeded, or with lpx serve --no-demo).
	Tokens []FaucetToken
}

// FaucetToken is one demo token the faucet minted to a wallet.
type FaucetToken struct {
	Asset  string // the exchange's symbol
	Token  common.Address
	Amount string // a decimal at the asset's scale
	Tx     common.Hash
}

type faucetRequest struct {
	Address string `json:"address"`
}

type faucetTokenView struct {
	Asset  string `json:"asset"`
	Token  string `json:"token"`
	Amount string `json:"amount"`
	TxHash string `json:"tx_hash"`
}

type faucetView struct {
	Address   string            `json:"address"`
	ChainID   string            `json:"chain_id"`
	RPCURL    string            `json:"rpc_url"`
	Gas       string            `json:"gas"`
	GasTxHash string            `json:"gas_tx_hash"`
	Tokens    []faucetTokenView `json:"tokens"`
}

// faucet gives the wallet named in the body gas and the demo tokens, on
// the embedded dev chain only. The address is checked before anything
// else; then one wallet address and one client address may be given only
// so often (429 with Retry-After; a request refused for its rate changes
// nothing, one admitted counts even if the chain then fails).
func (s *Server) faucet(c *fiber.Ctx) error {
	f := s.deps.Faucet
	if f == nil { // not registered without one; kept safe all the same
		return Errorf("route_not_found", "no route %s %s", c.Method(), c.Path())
	}
	var req faucetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	addr, err := parseAddressField("address", req.Address)
	if err != nil {
		return err
	}
	if ch := s.deps.Chain; ch != nil && addr == ch.Vault() {
		return Errorf("invalid_address", "%s is the exchange's vault; give a wallet of yours", addr.Hex())
	}
	perAddress, perIP := f.Limits()
	if err := s.guard(c, redisstore.GuardCheck{Limits: []redisstore.KeyedLimit{
		{Key: "faucet:address:" + strings.ToLower(addr.Hex()), Limit: perAddress, Cost: 1},
		{Key: "faucet:ip:" + c.IP(), Limit: perIP, Cost: 1},
	}}); err != nil {
		return err
	}
	ctx, cancel := s.chainCtx(c)
	defer cancel()
	drip, err := f.Drip(ctx, addr)
	if err != nil {
		return err
	}
	v := faucetView{
		Address: addr.Hex(), ChainID: decID(drip.ChainID), RPCURL: drip.RPCURL,
		Gas: drip.Gas, GasTxHash: drip.GasTx.Hex(), Tokens: make([]faucetTokenView, 0, len(drip.Tokens)),
	}
	for _, t := range drip.Tokens {
		v.Tokens = append(v.Tokens, faucetTokenView{Asset: t.Asset, Token: t.Token.Hex(), Amount: t.Amount, TxHash: t.Tx.Hex()})
	}
	return c.JSON(v)
}
