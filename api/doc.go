// Package api is lpx's HTTP face: the REST API under /v1 on Fiber, for
// consumers (through the web page and apps), brands, market makers and
// operators, with /healthz, /readyz, /metrics and /openapi.yaml beside it.
//
// A tour:
//   - routes.go is the one table of every route with the scope it needs
//     (read, trade, withdraw, issue, admin, or none for public data): the
//     place to audit who may do what. The OpenAPI document
//     (openapi.yaml, served at /openapi.yaml) is checked against it.
//   - auth.go authenticates a request: an API key's signature (Ed25519 or
//     HMAC-SHA256 over timestamp + method + path with query + body, in
//     LPX-KEY, LPX-TIMESTAMP, LPX-SIGNATURE) or a web session from sign-in
//     with Ethereum (siwe.go). The replay check and every rate limit of a
//     request are one Redis round trip (Guard).
//   - errors.go is the one table from errors (the engine's codes, the
//     sequencer's, the stores') to HTTP statuses and stable snake_case
//     codes: {"error":{"code":"insufficient_balance","message":"..."}}.
//     Anything unknown is a 500 "internal" with a request id, logged in full
//     and never leaked.
//   - decode.go reads request bodies strictly (unknown fields, wrong types
//     and trailing data are 400s) and amounts and prices as decimal
//     strings, exactly (shopspring/decimal at the edge, integer units
//     inside); JSON never carries a number for money.
//   - The handlers are thin: they check, then submit a command to the
//     sequencer (Exchange) or read a store.
//
// What a 2xx means: a command the API submitted was journaled before the
// answer (see package exchange), so it survives any crash. Reads of
// history (orders, fills, ledger) come from the SQL projection and may lag
// the engine by the milliseconds the projector takes; balances, quotes and
// open orders are read from the engine itself.
//
// The API never changes anything for a request it refuses: every check
// happens before the command is submitted, and the engine validates again
// before it mutates.
package api
