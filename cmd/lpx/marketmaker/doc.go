// Package marketmaker is a minimal market maker and the runnable example
// of the Go client (api/client): `lpx marketmaker` runs it against a
// server, and the demo world runs it in-process to keep its books alive.
//
// Run connects over the WebSocket API, logs on, follows each market's
// book (book.<market>, a verified local copy that resubscribes when it
// finds itself wrong) and its account's orders and fills, and keeps
// Config.Levels bids and asks of Config.Size around a mid:
//
//   - the mid is the book's, (best bid + best ask) / 2, when the book has
//     both sides without counting the market maker's own quotes; else
//     Config.Mid's answer; else the fixed Config.Mids price. A market with
//     none of them is not quoted until its book has both sides.
//   - the best bid is mid − spread/2 rounded down to the tick, the best ask
//     mid + spread/2 rounded up (at least one tick apart); further levels
//     are Config.Step (default one tick, rounded up to ticks) further out.
//     A bid is kept below the best ask of the others and an ask above
//     their best bid, and quotes are post-only: it never takes liquidity.
//   - sizes are Config.Size rounded down to the market's lot, and refused
//     at the start if that is below the market's minimum size.
//
// It requotes a market when one of its orders there fills (or vanishes
// without it asking, as by the dead-man's switch), when the book moves so
// that the quotes it wants change, and every Config.RequoteEvery. A
// requote is one order.batch: cancels of the quotes it no longer wants,
// then places of the ones it misses (quotes that stay keep their place in
// the queue).
//
// Safety: it arms each market's dead-man's switch (cancel_all_after with
// Config.DeadMan) and refreshes it while it runs, so its quotes vanish
// within that time if it dies or hangs; a server also cancels a market
// maker key's orders when its connection drops. After a (re)connection
// it cancels all the account's orders in its markets before quoting, so
// it starts from a known state; it reconnects with exponential backoff,
// also after a batch whose outcome it could not learn. Run returns early
// only for what reconnecting cannot cure (a bad Config, an unknown
// market, a size below the minimum, a refused key).
// When its context ends it cancels its orders (over the WebSocket, else
// over REST), disarms the switches and returns.
//
// The account is meant to be the market maker's own: it cancels every
// order of the account in its markets. Money is never a float: prices and
// sizes are integer units of the market's scales, computed with
// shopspring/decimal.
package marketmaker
