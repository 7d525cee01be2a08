// Package loadtest drives a running lpx server through its public API, as
// any client would, and measures it: consumers placing and cancelling
// orders and swapping over REST (HMAC keys), market makers quoting both
// sides over the WebSocket API and amending and cancelling their quotes,
// and market-data subscribers following the books. It is what
// `lpx loadtest` runs.
//
// What it owns:
//
//   - The setup, through the API only, so that it works against any
//     server: with an operator's admin key it creates a brand, which
//     deploys two or more points programs with symbols of the run's own,
//     a zero-fee market between each base and the quote, and consumer and
//     market-maker accounts with trade keys, and issues to each of them
//     (the credit lands once the mint is confirmed on chain).
//   - The load, for a duration or a number of orders, with one progress
//     line a second, and the measures: an HDR histogram per operation
//     (rest.order.place, rest.order.cancel, rest.swap, ws.order.place,
//     ws.order.amend, ws.order.cancel, md.book.delivery), errors by API
//     code, requests left unanswered counted apart, latency over time.
//   - The loss check, after the load has stopped and the server has
//     settled (Verification): every order a client saw acknowledged is
//     known to the server, in a final state whose filled size agrees with
//     what the client knows; the fills each client saw (REST and WebSocket
//     answers, the makers' private fills stream, the swaps' legs) are the
//     server's GET /v1/fills, no more and no less; each account's balance
//     is what was issued to it plus the effects of its fills, nothing
//     held; and each asset is conserved: the run's accounts hold exactly
//     what was issued, as the brand's liabilities say too. Zero fees make
//     all of it exact, in integer units.
//   - The report: a text table, a JSON document (WriteJSON) and an SVG
//     chart of latency over time (WriteSVG), written by hand.
//
// How it measures: a request's latency runs from just before it is sent
// to its answer, in microseconds, for answered successes (and for amends
// and cancels refused with unknown_order because the order had filled).
// Workers are closed loops, each with its requests in flight (one per
// consumer, Window per maker connection), optionally paced: a slow server
// makes them send less rather than queue, so the figures are service
// times under that concurrency, not the latency of an open arrival
// schedule. A book change's delivery runs from its answer at the maker to
// each subscriber's first push at its seq or later (see delivery.go).
//
// Guarantees: Run returns an error wrapping ErrVerification when anything
// was lost or disagreed, with the report that says what. A request with no
// answer (a timeout, a dropped connection) is never counted as lost: the
// check asks the server what became of it (client order ids for orders,
// the Idempotency-Key for swaps) and counts it as unanswered.
//
// What it must never do: reach around the API (it imports only the API's
// Go client), use floats for money (latency statistics only), or trade
// on markets other than the ones it created.
package loadtest
