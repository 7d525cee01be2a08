package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// Scope names what a route needs a credential to hold. Public routes need
// none; scopeSession routes need a signed-in caller of any scope (key
// management checks the scopes granted itself).
type Scope = sqlstore.Scope

// The scopes, as keys hold them.
const (
	public        Scope = ""
	scopeRead           = sqlstore.ScopeRead
	scopeTrade          = sqlstore.ScopeTrade
	scopeWithdraw       = sqlstore.ScopeWithdraw
	scopeIssue          = sqlstore.ScopeIssue
	scopeAdmin          = sqlstore.ScopeAdmin
)

// route is one line of the API: who may call it and what answers.
type route struct {
	Method  string
	Path    string // Fiber's syntax: /v1/orders/:id
	Scope   Scope
	Handler func(*Server, *fiber.Ctx) error
	// Idempotent routes honour the Idempotency-Key header.
	Idempotent bool
}

// routes is every route of the API under /v1, with the scope it needs:
// the one place to audit who may do what. An account only ever sees and
// changes its own orders, balances, keys, wallets, withdrawals and
// redemptions: another account's id is answered 404, like an unknown one.
var routes = []route{
	// Public market data.
	{"GET", "/v1/time", public, (*Server).getTime, false},
	{"GET", "/v1/info", public, (*Server).getInfo, false},
	{"GET", "/v1/assets", public, (*Server).listAssets, false},
	{"GET", "/v1/markets", public, (*Server).listMarkets, false},
	{"GET", "/v1/markets/:market/book", public, (*Server).getBook, false},
	{"GET", "/v1/markets/:market/trades", public, (*Server).getTrades, false},
	{"GET", "/v1/markets/:market/ticker", public, (*Server).getTicker, false},
	{"GET", "/v1/markets/:market/candles", public, (*Server).getCandles, false},
	{"GET", "/v1/quote", public, (*Server).getQuote, false},

	// The WebSocket API: a connection logs on with a key (session.logon).
	{"GET", "/v1/ws", public, (*Server).websocket, false},

	// Sign-in with Ethereum: a nonce, then a session for a signed message.
	{"GET", "/v1/auth/nonce", public, (*Server).getSIWENonce, false},
	{"POST", "/v1/auth/login", public, (*Server).login, false},
	{"POST", "/v1/auth/logout", scopeRead, (*Server).logout, false},

	// An account's own money and orders.
	{"GET", "/v1/balances", scopeRead, (*Server).getBalances, false},
	{"POST", "/v1/orders", scopeTrade, (*Server).placeOrder, false},
	{"GET", "/v1/orders", scopeRead, (*Server).listOrders, false},
	{"DELETE", "/v1/orders", scopeTrade, (*Server).cancelAll, false},
	{"POST", "/v1/orders/batch", scopeTrade, (*Server).batchOrders, false},
	{"POST", "/v1/orders/cancel-all-after", scopeTrade, (*Server).cancelAllAfter, false},
	{"GET", "/v1/orders/by-client-id/:client_order_id", scopeRead, (*Server).getOrderByClientID, false},
	{"DELETE", "/v1/orders/by-client-id/:client_order_id", scopeTrade, (*Server).cancelOrderByClientID, false},
	{"GET", "/v1/orders/:id", scopeRead, (*Server).getOrder, false},
	{"PATCH", "/v1/orders/:id", scopeTrade, (*Server).amendOrder, false},
	{"DELETE", "/v1/orders/:id", scopeTrade, (*Server).cancelOrder, false},
	{"GET", "/v1/fills", scopeRead, (*Server).listFills, false},
	{"POST", "/v1/swaps", scopeTrade, (*Server).swap, true},

	// Deposits, withdrawals and wallets.
	{"GET", "/v1/deposit-address", scopeRead, (*Server).getDepositAddress, false},
	{"GET", "/v1/deposits", scopeRead, (*Server).listDeposits, false},
	{"POST", "/v1/withdrawals", scopeWithdraw, (*Server).requestWithdrawal, true},
	{"GET", "/v1/withdrawals", scopeRead, (*Server).listWithdrawals, false},
	{"GET", "/v1/withdrawals/:id", scopeRead, (*Server).getWithdrawal, false},
	{"POST", "/v1/wallets/challenge", scopeRead, (*Server).walletChallenge, false},
	{"POST", "/v1/wallets", scopeWithdraw, (*Server).linkWallet, false},
	{"GET", "/v1/wallets", scopeRead, (*Server).listWallets, false},
	{"DELETE", "/v1/wallets/:address", scopeWithdraw, (*Server).unlinkWallet, false},

	// Redemptions with the brand.
	{"POST", "/v1/redemptions", scopeTrade, (*Server).redeem, true},
	{"GET", "/v1/redemptions", scopeRead, (*Server).listRedemptions, false},

	// API keys: creating or revoking a key needs every scope the key holds.
	{"POST", "/v1/keys", scopeRead, (*Server).createKey, false},
	{"GET", "/v1/keys", scopeRead, (*Server).listKeys, false},
	{"DELETE", "/v1/keys/:id", scopeRead, (*Server).revokeKey, false},

	// Brands: token programs, issuance, redemptions, liabilities.
	{"POST", "/v1/brand/programs", scopeIssue, (*Server).createProgram, false},
	{"POST", "/v1/brand/programs/register", scopeIssue, (*Server).registerProgram, false},
	{"GET", "/v1/brand/programs", scopeIssue, (*Server).listPrograms, false},
	{"POST", "/v1/brand/issues", scopeIssue, (*Server).issue, true},
	{"GET", "/v1/brand/issues/:reference", scopeIssue, (*Server).getIssue, false},
	{"GET", "/v1/brand/redemptions", scopeIssue, (*Server).listBrandRedemptions, false},
	{"POST", "/v1/brand/redemptions/:id/fulfil", scopeIssue, (*Server).fulfilRedemption, false},
	{"POST", "/v1/brand/redemptions/:id/reject", scopeIssue, (*Server).rejectRedemption, false},
	{"GET", "/v1/brand/liabilities", scopeIssue, (*Server).getLiabilities, false},
	{"GET", "/v1/brand/liabilities/history", scopeIssue, (*Server).getLiabilitiesHistory, false},

	// Operators.
	{"POST", "/v1/admin/accounts", scopeAdmin, (*Server).createAccount, false},
	{"POST", "/v1/admin/accounts/:id/keys", scopeAdmin, (*Server).createAccountKey, false},
	{"POST", "/v1/admin/assets", scopeAdmin, (*Server).createAsset, false},
	{"POST", "/v1/admin/markets", scopeAdmin, (*Server).createMarket, false},
	{"PUT", "/v1/admin/markets/:market/fees", scopeAdmin, (*Server).setFees, false},
	{"POST", "/v1/admin/markets/:market/halt", scopeAdmin, (*Server).haltMarket, false},
	{"POST", "/v1/admin/markets/:market/resume", scopeAdmin, (*Server).resumeMarket, false},
	{"POST", "/v1/admin/snapshot", scopeAdmin, (*Server).takeSnapshot, false},
}

// demoRoutes exist only in the embedded demo mode, with a faucet
// (Deps.Faucet): without one they are not registered and answer 404 like
// any unknown route.
var demoRoutes = []route{
	{"POST", "/v1/demo/faucet", public, (*Server).faucet, false},
}

// opsRoutes are outside /v1: health, readiness, metrics and the API's
// description. All public.
var opsRoutes = []route{
	{"GET", "/healthz", public, (*Server).healthz, false},
	{"GET", "/readyz", public, (*Server).readyz, false},
	{"GET", "/metrics", public, (*Server).metrics, false},
	{"GET", "/openapi.yaml", public, (*Server).openAPI, false},
}

// webRoutes serve the web page's embedded files (package api/web):
// index.html at "/", the others at their paths, 404 for the rest. They are
// not API routes: not in the OpenAPI document (a test checks they stay
// out), no credentials, no rate limit. Registered after every API route,
// so they never shadow one.
var webRoutes = []route{
	{"GET", "/", public, (*Server).webFile, false},
	{"HEAD", "/", public, (*Server).webFile, false},
	{"GET", "/*", public, (*Server).webFile, false},
	{"HEAD", "/*", public, (*Server).webFile, false},
}

// register installs every route behind its checks: public routes are
// rate-limited per client address; the others authenticate, check the
// scope, and rate-limit per credential and address in the same Redis
// round trip as the replay check.
func (s *Server) register() {
	for _, r := range opsRoutes {
		h := r.Handler
		s.app.Add(r.Method, r.Path, func(c *fiber.Ctx) error { return h(s, c) })
	}
	all := routes
	if s.deps.Faucet != nil {
		all = append(append([]route(nil), routes...), demoRoutes...)
	}
	for _, r := range all {
		h := r.Handler
		handler := func(c *fiber.Ctx) error { return h(s, c) }
		if r.Idempotent {
			handler = s.idempotent(handler)
		}
		s.app.Add(r.Method, r.Path, s.authorize(r.Scope), handler)
	}
	for _, r := range webRoutes {
		h := r.Handler
		s.app.Add(r.Method, r.Path, func(c *fiber.Ctx) error { return h(s, c) })
	}
	s.app.Use(func(c *fiber.Ctx) error {
		return Errorf("route_not_found", "no route %s %s", c.Method(), c.Path())
	})
}
