package api

import (
	"github.com/gofiber/fiber/v2"
)

// DemoInfo is the embedded demo mode's dev chain, as GET /v1/info tells
// a client (the web page's demo wallet) to use it.
type DemoInfo struct {
	// RPCURL is the dev chain's JSON-RPC for wallets (http://127.0.0.1:8545).
	RPCURL  string
	ChainID uint64
}

// infoView is GET /v1/info's answer: what a client needs before anything
// else. ChainID is the chain sign-in messages must name (the exchange's
// chain); Vault and ConfirmationsRequired are null without a chain.
type infoView struct {
	ChainID               string    `json:"chain_id"`
	Vault                 *string   `json:"vault"`
	ConfirmationsRequired *uint64   `json:"confirmations_required"`
	Domain                string    `json:"domain"`
	URI                   string    `json:"uri"`
	Demo                  *demoView `json:"demo"`
}

type demoView struct {
	Faucet  string `json:"faucet"`
	RPCURL  string `json:"rpc_url"`
	ChainID string `json:"chain_id"`
}

// getInfo answers what a client needs to start: the chain and its vault
// (where deposits go), what a sign-in with Ethereum message must name,
// and, in the embedded demo mode only, the faucet and the dev chain's
// JSON-RPC (demo is null elsewhere).
func (s *Server) getInfo(c *fiber.Ctx) error {
	v := infoView{ChainID: decID(s.cfg.ChainID), Domain: s.cfg.Domain, URI: s.cfg.URI}
	if ch := s.deps.Chain; ch != nil {
		vault, n := ch.Vault().Hex(), ch.Confirmations()
		v.Vault, v.ConfirmationsRequired = &vault, &n
	}
	if d := s.cfg.Demo; d != nil && s.deps.Faucet != nil {
		v.Demo = &demoView{Faucet: "/v1/demo/faucet", RPCURL: d.RPCURL, ChainID: decID(d.ChainID)}
	}
	return c.JSON(v)
}
