// Package engine is lpx's matching engine: a pure, deterministic state
// machine. Commands go in, events come out:
//
//	e := engine.New()
//	out = e.Apply(&cmd, out[:0])
//
// The engine does no I/O, starts no goroutine, reads no clock and no
// randomness. The same commands in the same order give the same events and
// the same StateHash, byte for byte. Durability is the caller's job: persist
// a command (journal it) before you act on its events.
//
// # Numbers
//
// Amounts are int64 units of an asset's scale (10^-Scale of one token). A
// market's prices are int64 price units, 10^-PriceScale quote per one whole
// base token, and are multiples of its Tick; sizes are base units and
// multiples of its Lot. CreateMarket refuses a tick and lot whose product (the
// notional of one lot at one tick) is not a whole number of quote units, so
// the notional of any order, price x size, is an exact integer:
//
//	notional = (price / Tick) * (size / Lot) * notionalPerTickLot
//
// computed with overflow checks; an order whose notional (buys: plus its
// maximum fee) would overflow int64 is rejected amount_overflow, whatever its
// side. An asset's lifetime deposits never exceed MaxInt64 units (a deposit
// past that is rejected amount_overflow), so neither its supply nor any
// balance can overflow.
//
// # Time
//
// Every command carries a time; the engine's clock is the largest time seen.
// Before validating a command, the engine expires every GTD order whose
// ExpiresAt is at or before that clock (EvOrderExpired, in ExpiresAt then
// OrderID order), with the command's Seq, even when the command is then
// rejected; coupon expiries and due dead-man switches (below) follow, and
// the EvBalance events of all of them close this phase. A command whose Seq is not above
// the last one is rejected stale_sequence before anything else, and changes
// nothing at all.
//
// # Orders
//
// Limit orders rest with GTC or GTD (until ExpiresAt, which must be later
// than the clock); IOC fills what it can and cancels the rest; FOK fills
// completely or is rejected fok_unfillable, cancelling no maker. Post-only
// (GTC or GTD only) is rejected post_only_would_cross if its price reaches
// the opposite best. Market orders (IOC or FOK) fill at any price, by base
// Size or, for buys, by QuoteAmount: spend at most that much quote, fees
// included, in whole lots (IOC only). A market order is simulated first and rejected
// insufficient_balance if the account cannot pay for what it would fill; a
// market order by quote amount ends with EvOrderDone (Size bought, Amount
// spent) unless self-trade prevention stopped it.
//
// Matching is price-time priority; a trade's price is the maker's; a taker
// never trades worse than its limit. After every command the book is not
// crossed. Self-trade prevention (CancelTaker by default, CancelMaker,
// CancelBoth) means an account never trades with itself; FOK and market
// simulations count only liquidity the taker may actually take under its
// mode (liquidity behind an own order does not count for CancelTaker and
// CancelBoth; own orders are skipped for CancelMaker).
//
// A placement's events: EvOrderAccepted; then for each fill EvTrade and, if
// the maker is now filled, its EvOrderDone (a maker cancelled by self-trade
// prevention gets EvOrderCanceled where it is met); then for the taker
// EvOrderDone if it filled completely, EvOrderCanceled (Remaining, Reason
// unfilled or self_trade) if a remainder does not rest, nothing if it rests;
// then the EvBalance events.
//
// Amend changes a resting order's price and/or total size (filled part
// included, so the new size must exceed what has filled). A size decrease at
// the same price keeps the order's place; a new price or a larger size sends
// it to the back of its (new) level, and a new price that crosses the book
// trades as a taker first (post-only orders are rejected instead), under its
// self-trade prevention mode (with CancelTaker, meeting an own order cancels
// the amended order). Its EvOrderAmended comes before those trades and shows
// the remainder before trading.
//
// Client order ids are unique per account among resting orders. Cancel finds
// an order by OrderID or, when Order is 0, by ClientOrderID; another
// account's order is unknown_order. Cancel-all cancels the account's orders
// (in one market, or all) in increasing OrderID, which is a fixed order but
// not placement order (ids reuse freed slots). A halted market accepts
// cancels only (and its GTD orders still expire). Every account, the fee
// account included, may trade. There is one market per pair of assets: A/B
// and B/A are the same pair.
//
// # Fees and holds
//
// Fees are basis points of notional, charged in the quote asset: the buyer
// pays notional plus fee, the seller receives notional minus fee, the fee
// account receives both fees. An order's rates are fixed when it is placed.
// Fees are cumulative per order so that splitting cannot dodge rounding:
// after each fill, the fee charged to the order so far is
//
//	ceil( sum over its fills of (notional_i * bps_i) / 10000 )
//
// where bps_i is the order's taker rate for fills it took as the incoming
// order and its maker rate for fills while resting; each fill charges the
// increase.
//
// A resting order holds exactly what it can still spend: a sell holds its
// remaining size in base; a buy holds, in quote, its remaining notional at
// its limit plus the fee still chargeable if that remainder fills as maker:
//
//	hold = N + ceil((feeNum + N*makerBps) / 10000) - feeCharged
//
// with N the remaining notional at the limit price and feeNum the running sum
// of notional_i*bps_i. Placing a limit buy requires available quote of at
// least notional + ceil(notional * max(makerBps, takerBps) / 10000) at its
// limit; a limit sell requires its size in base. An amend that keeps its
// place (a smaller size at the same price) only releases funds; one that
// loses it requires the same as a placement of its new remainder (for a
// buy, N + ceil((feeNum + N*max(makerBps, takerBps)) / 10000) -
// feeCharged), out of available plus the order's current hold. A withdrawal
// holds its amount until completed (gone) or failed (refunded).
//
// Every balance change is reported by EvBalance events with the new
// available and held amounts: one per balance that differs from its value at
// the start of the phase, where the phases are the pre-command expiries, the
// command itself, and, in a batch, each item; sorted by account then asset.
// Before them in each phase, EvBookLevel events report every price level
// whose total resting size differs from its value at the start of the
// phase (size 0: the level is gone), sorted by market, side (buy first) and
// price, so that a depth book can be kept from the events alone.
//
// # Dead-man switch
//
// CancelAllAfter (cancel_all_after) arms an account's dead-man switch for
// one market, or for every market (Market 0; a separate switch from the
// per-market ones), with a deadline ExpiresAt later than the clock. Arming
// again replaces the deadline of the same account and Market; ExpiresAt 0
// disarms it (armed or not). It is rejected unknown_account,
// unknown_market (Market not 0 and unknown), or invalid_expiry (a deadline
// at or before the clock), in that order. It reports EvDeadmanSet with
// the switch's new deadline (0: disarmed). A market maker re-arms it
// regularly; if it stops, its orders go.
//
// At the first command whose clock reaches a switch's deadline (before it
// is validated, after the GTD and coupon expiries, with its Seq), the
// switch fires: the account's resting orders in its market, or in every
// market, are cancelled in OrderID order (EvOrderCanceled, Reason deadman,
// halted markets included) with their holds released, then EvDeadmanSet
// with ExpiresAt 0 and Reason deadman reports the switch disarmed. Several
// switches due at once fire in deadline, then account, then market order.
//
// # Sessions
//
// Trading sessions make cancel-on-disconnect hold through crashes. A
// market maker's connection opens one (OpenSession: Account and a
// SessionMode), and the engine assigns the next SessionID (1, 2, ...; never
// reused) and reports it in EvSessionOpened. It is rejected unknown_account,
// invalid_session_mode (not SessionKeep, SessionCancelOwn or
// SessionCancelAll: there is no default) or too_many_sessions (the account
// has MaxSessionsPerAccount, 64, open), in that order. A placement (or a
// batch's place item) names its session in Session (0: none); a session
// that is not open or is another account's is unknown_session, checked
// right after unknown_account. The order's EvOrderAccepted and OrderInfo
// carry it; amends keep it.
//
// CloseSession (Account, Session) is rejected unknown_account, then
// unknown_session (not open, or not the account's). It forgets the session
// and cancels, in OrderID order (EvOrderCanceled, Reason disconnect, halted
// markets included, holds released as by a cancel): for SessionCancelOwn
// the orders placed in it that still rest, for SessionCancelAll every
// resting order of the account (in any session or none), for SessionKeep
// nothing; then EvSessionClosed (with the mode). An order of a closed keep
// session lives on as an ordinary order; it keeps the session id as
// history (OrderInfo.Session), in no session. Closing costs O(k log k) for
// the k resting orders of the session (each open session links its
// orders), or the account's for cancel_all, never a scan of the book.
//
// Open sessions are state, in snapshots: after a restart the exchange
// closes every session that Sessions lists, since no connection survives
// it.
//
// # Swaps
//
// A consumer swaps up to Amount of one asset (from) into another (to),
// receiving at least MinReceive, without thinking in order books. The engine
// considers the direct market between the two, whichever is its base, and
// every two-hop route through a hub asset (CreateAsset's Hub, or SetHub)
// with open markets from->hub and hub->to; routes through halted markets or
// expired assets are not considered. Each leg is a market order by the
// account, with the market's taker fee: a leg that spends the market's base
// sells whole lots of it (a remainder smaller than a lot stays unspent); a
// leg that spends the quote buys by quote amount (fees included); like a
// market buy by quote amount, a leg is not held to the market's minimum
// size, and a maker it fills completely gets its EvOrderDone. The second
// leg spends exactly what the first received; what it cannot spend (less
// than one more lot) stays with the account as HubLeft. A sell leg fills
// when all its lots trade; a buy leg fills when it stops because its budget
// cannot pay for one more lot at the next price, or is spent to zero, not
// because the book ran out. Self-trade prevention is CancelTaker: a leg stops
// at the account's own order and then does not fill.
//
// The engine simulates every route and takes the one whose every leg fills
// with the most out (AmountOut > 0); ties go to the direct route, then to
// the hub with the lower id. It is rejected, changing nothing, with
// insufficient_balance when the account has less than Amount available
// (checked before routing), no_route when no route exists,
// insufficient_liquidity when none fills, and swap_below_minimum when the
// best gives less than MinReceive.
// Otherwise the legs execute exactly as simulated (they are on different
// markets): their EvTrade events (with Order 0), then one EvSwapped with the
// totals, then the balances. Quote runs the same simulation without
// executing and adds BestOut (the output at each leg's best price with no
// depth limit) and the price impact against it, in basis points rounded up.
//
// # Brands
//
// An asset is a plain Token (a currency such as EUR, no brand) or a brand's
// Points or Coupon, with a Brand account; a coupon may have an ExpiresAt.
// The brand issues its asset to a customer (Issue: newly minted units,
// credited once per brand and Ref, duplicate_issue otherwise; another
// account is not_brand). A customer redeems points or coupons (Redeem): the
// amount leaves their available balance at once and becomes a pending
// redemption with an engine-assigned RedemptionID (1, 2, ...) and a Receipt
// code, a fixed permutation of the id xored with the first 40 bits of the
// command's Ref (the API's random bytes, so that receipts cannot be
// guessed; with a zero Ref each is unique); the brand fulfils it (the
// units are redeemed for good) or rejects
// it (they go back to the customer). ReportSupply records the token's
// on-chain supply, and Liabilities reports, per asset, what was issued,
// deposited and withdrawn, what customers and the brand hold, what is
// redeemed (pending and fulfilled) and what expired.
//
// At the first command whose clock reaches a coupon's ExpiresAt (before it
// is validated, after the GTD expiries, with its Seq; several coupons in
// asset id order), the coupon expires: its markets, in market id order,
// are halted (EvMarketStatus for each that was open) and their resting
// orders cancelled, market by market in OrderID order (EvOrderCanceled,
// Reason asset_expired), with their holds released; then every account's
// available balance of the coupon, the fee account's included, is removed
// as breakage
// (EvAssetExpired with the total, then one EvBalance per account in account
// order). From then on orders, swaps, issues, redemptions, deposits and
// withdrawals of it are refused asset_expired, and its markets cannot
// reopen. Pending withdrawals and redemptions keep their amounts: one later
// completed or fulfilled counts as usual, one that fails or is rejected
// refunds to breakage, not to a balance.
//
// Conservation, per asset: the sum of all balances (available + held, the
// fee account included) equals deposits + issued - completed withdrawals -
// redeemed (pending and fulfilled) - expired. Lifetime deposits plus
// issuance never exceed MaxInt64 units.
//
// # Rejections
//
// Every command is fully validated before it changes anything. A rejected
// command produces one EvRejected with a Code and changes no state beyond the
// time-driven expiries: it leaves the engine exactly as a CmdTick with the
// same Seq and Time would (every command advances the clock and the last
// sequence number). In a batch each item succeeds or fails on its own.
//
// # Snapshots
//
// AppendSnapshot encodes the whole state canonically, armed dead-man
// switches and trading sessions included; Restore decodes it to an
// identical engine (continuing from it gives the same events as never
// having stopped) and rejects corrupt or truncated input with an error,
// never a panic. StateHash is the SHA-256 of the canonical encoding. A
// state without an armed switch is encoded exactly as before switches
// existed (format version 1), so older snapshots still load; one with
// switches is version 2. Once a session has been opened (the last session
// id is state, as are the open sessions and each order's session) the
// encoding is version 3; a state that never had one is encoded as before.
//
// # Invariants
//
// CheckInvariants verifies, expensively, what must hold after every command:
// books sorted and not crossed, FIFO within each level, level totals, every
// hold equal to what its resting orders and pending withdrawals need, no
// negative balance, conservation of every asset (above), pending
// redemptions matching their records, expired coupons with no available
// balance and their markets halted and empty, every armed dead-man
// switch on a known account and market with its deadline still ahead, and
// every open session on a known account, within the bound, its order list
// naming exactly its resting orders (any other resting order's session,
// if any, is one that has closed).
// Tests call it after every command.
package engine
