package engine

// CommandKind says what a Command does and which of its fields it reads.
type CommandKind uint8

const (
	// CmdTick carries only Seq and Time: it lets time-driven rules (GTD
	// expiry) fire on a quiet market.
	CmdTick CommandKind = iota + 1
	// CmdCreateAccount creates the next account id.
	CmdCreateAccount
	// CmdCreateAsset: Symbol, Scale, AssetKind; Brand (an account, required for
	// points and coupons, none for tokens); ExpiresAt (coupons only,
	// optional); Hub (the asset may carry two-hop swaps).
	CmdCreateAsset
	// CmdCreateMarket: Base, Quote, PriceScale, Tick, Lot, MinSize, MakerBps,
	// TakerBps. Tick is in price units (10^-PriceScale quote per base unit),
	// Lot and MinSize in base units. A new market is open.
	CmdCreateMarket
	// CmdSetMarketStatus: Market, Status.
	CmdSetMarketStatus
	// CmdSetFees: Market, MakerBps, TakerBps. Applies to orders placed later.
	CmdSetFees
	// CmdDeposit: Account, Asset, Amount, Ref (credited once per Ref).
	CmdDeposit
	// CmdWithdraw: Account, Asset, Amount, Withdrawal (a new id). Moves
	// available into a hold.
	CmdWithdraw
	// CmdCompleteWithdrawal: Withdrawal. Removes the hold: the funds left.
	CmdCompleteWithdrawal
	// CmdFailWithdrawal: Withdrawal. Returns the hold to available.
	CmdFailWithdrawal
	// CmdPlaceOrder: Account, Market, Side, Type, TIF, PostOnly, STP, Price
	// (limit only), Size (or QuoteAmount for a market buy), ExpiresAt (GTD
	// only), ClientOrderID (optional).
	CmdPlaceOrder
	// CmdAmendOrder: Account, Order or ClientOrderID, Price (0 keeps it),
	// Size (the new total size, filled part included; 0 keeps it). Reducing
	// the size keeps the order's place in the queue; a new price or a larger
	// size sends it to the back, and a new price that crosses trades.
	CmdAmendOrder
	// CmdCancelOrder: Account, Order or (when Order is 0) ClientOrderID.
	CmdCancelOrder
	// CmdCancelAll: Account, Market (0 means every market).
	CmdCancelAll
	// CmdBatch: Account, Batch (places and cancels, applied in order, each
	// with its own result; the items' Account is the batch's).
	CmdBatch
	// CmdSetHub: Asset, Hub. Whether swaps may route two hops through it.
	CmdSetHub
	// CmdSwap: Account, Asset (from), ToAsset, Amount (the most to spend),
	// MinReceive. All or nothing over the best route.
	CmdSwap
	// CmdIssue: Account (the asset's brand), Asset, To (the customer), Amount,
	// Ref (the brand's reference; each is credited once per brand).
	CmdIssue
	// CmdRedeem: Account (the customer), Asset, Amount, Ref (random
	// bytes of the caller's, salting the receipt code: see Receipt).
	// Debits the customer and records a pending redemption with a receipt
	// code.
	CmdRedeem
	// CmdFulfilRedemption: Account (the brand), Redemption.
	CmdFulfilRedemption
	// CmdRejectRedemption: Account (the brand), Redemption. Refunds the
	// customer (or, for an expired coupon, the brand's breakage).
	CmdRejectRedemption
	// CmdReportSupply: Asset, Amount (the token's on-chain supply in units, as
	// the chain adapter last read it).
	CmdReportSupply
	// CmdCancelAllAfter arms an account's dead-man switch: Account, Market
	// (0 means every market), ExpiresAt (the deadline, Unix nanoseconds,
	// later than the clock; 0 disarms). At the first command whose time
	// reaches the deadline, the account's resting orders in that market (or
	// all markets) are cancelled. Arming again replaces the deadline of the
	// same account and Market.
	CmdCancelAllAfter
	// CmdOpenSession opens a trading session (a connection): Account,
	// SessionMode. The engine assigns the next SessionID and reports it in
	// EvSessionOpened. Orders placed with that Session are the session's.
	CmdOpenSession
	// CmdCloseSession closes one: Account (the session's own), Session.
	// Per its mode it cancels the session's resting orders, or all the
	// account's, or none (EvOrderCanceled, Reason disconnect), then
	// reports EvSessionClosed.
	CmdCloseSession
	cmdKindEnd
)

var commandKindNames = [...]string{
	CmdTick:               "tick",
	CmdCreateAccount:      "create_account",
	CmdCreateAsset:        "create_asset",
	CmdCreateMarket:       "create_market",
	CmdSetMarketStatus:    "set_market_status",
	CmdSetFees:            "set_fees",
	CmdDeposit:            "deposit",
	CmdWithdraw:           "withdraw",
	CmdCompleteWithdrawal: "complete_withdrawal",
	CmdFailWithdrawal:     "fail_withdrawal",
	CmdPlaceOrder:         "place_order",
	CmdAmendOrder:         "amend_order",
	CmdCancelOrder:        "cancel_order",
	CmdCancelAll:          "cancel_all",
	CmdBatch:              "batch",
	CmdSetHub:             "set_hub",
	CmdSwap:               "swap",
	CmdIssue:              "issue",
	CmdRedeem:             "redeem",
	CmdFulfilRedemption:   "fulfil_redemption",
	CmdRejectRedemption:   "reject_redemption",
	CmdReportSupply:       "report_supply",
	CmdCancelAllAfter:     "cancel_all_after",
	CmdOpenSession:        "open_session",
	CmdCloseSession:       "close_session",
}

func (k CommandKind) String() string {
	if k > 0 && k < cmdKindEnd {
		return commandKindNames[k]
	}
	return "command?"
}

// Command is one instruction to the engine. It is flat: Kind says which
// fields are read (see each CommandKind), the rest are ignored. Seq and Time
// are stamped by the caller (the sequencer); Seq must increase.
type Command struct {
	Kind CommandKind
	Seq  uint64
	Time int64 // Unix nanoseconds; the engine never lets time go backwards

	Account AccountID
	Asset   AssetID
	Market  MarketID
	Order   OrderID

	Side          Side
	Type          OrderType
	TIF           TimeInForce
	PostOnly      bool
	STP           SelfTradePrevention
	ClientOrderID ClientOrderID
	Price         int64 // price units: 10^-PriceScale quote per whole base
	Size          int64 // base units
	QuoteAmount   int64 // quote units, market buys by amount
	ExpiresAt     int64 // GTD, cancel-all-after: Unix nanoseconds

	Amount     int64 // deposit, withdraw, swap (most to spend), issue, redeem, report supply
	Ref        Ref
	Withdrawal WithdrawalID
	Redemption RedemptionID
	ToAsset    AssetID   // swap
	MinReceive int64     // swap
	To         AccountID // issue: the customer credited

	Symbol     Symbol
	Scale      uint8
	AssetKind  AssetKind // create asset
	Brand      AccountID
	Hub        bool
	Base       AssetID
	Quote      AssetID
	PriceScale uint8
	Tick       int64
	Lot        int64
	MinSize    int64
	MakerBps   int32
	TakerBps   int32
	Status     MarketStatus

	Batch []Command

	// Session is the trading session a placement belongs to (CmdPlaceOrder
	// and a batch's place items; 0: none), or the one CmdCloseSession
	// closes. A batch's own Session is ignored: each item carries its own.
	Session     SessionID
	SessionMode SessionMode // open session
}
