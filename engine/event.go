package engine

// EventKind says what happened and which Event fields are set.
type EventKind uint8

const (
	// EvRejected: Cmd, Code, and the command's own Account, Market, Order,
	// ClientOrderID and Session, echoed as given (a batch item's Account is
	// the batch's). Nothing changed.
	EvRejected EventKind = iota + 1
	// EvAccountCreated: Account.
	EvAccountCreated
	// EvAssetCreated: Asset, Symbol, Scale, AssetKind, Brand, ExpiresAt, Hub.
	EvAssetCreated
	// EvMarketCreated: Market, Base, Quote, PriceScale, Tick, Lot, MinSize,
	// MakerBps, TakerBps, Status.
	EvMarketCreated
	// EvMarketStatus: Market, Status.
	EvMarketStatus
	// EvFeesSet: Market, MakerBps, TakerBps.
	EvFeesSet
	// EvDeposited: Account, Asset, Amount, Ref.
	EvDeposited
	// EvWithdrawalHeld: Account, Asset, Amount, Withdrawal.
	EvWithdrawalHeld
	// EvWithdrawalCompleted: Account, Asset, Amount, Withdrawal.
	EvWithdrawalCompleted
	// EvWithdrawalFailed: Account, Asset, Amount, Withdrawal (refunded).
	EvWithdrawalFailed
	// EvOrderAccepted: Account, Market, Order, ClientOrderID, Side, Type, TIF,
	// PostOnly, STP, Price, Size, Amount (a market buy's quote amount),
	// ExpiresAt, MakerBps, TakerBps, Session (0: none).
	EvOrderAccepted
	// EvOrderAmended: Account, Market, Order, Side, Price, Size (new total),
	// Remaining, Requeued (lost its place in the queue).
	EvOrderAmended
	// EvTrade: Market, Price, Size, Amount (notional in quote units), Side
	// (the taker's), Account/Order/Fee (taker), MakerAccount/MakerOrder/
	// MakerFee. Fees are in the quote asset.
	EvTrade
	// EvOrderDone: Account, Market, Order, Side, Size: the order filled completely.
	EvOrderDone
	// EvOrderCanceled: Account, Market, Order, Side, Remaining, Reason.
	EvOrderCanceled
	// EvOrderExpired: Account, Market, Order, Side, Remaining (GTD expiry).
	EvOrderExpired
	// EvBalance: Account, Asset, Available, Held after the command (or batch
	// item). One per changed balance, in account then asset order, after the
	// events that changed it.
	EvBalance
	// EvHubSet: Asset, Hub.
	EvHubSet
	// EvSwapped: Account, Asset (from), ToAsset, Amount (spent), Remaining
	// (left unspent of what was offered), AmountOut, Hub (0 for a direct
	// route), HubLeft (hub units the second leg could not spend, credited to
	// the account). The legs' EvTrade events (Order 0) come before it.
	EvSwapped
	// EvIssued: Account (the brand), To, Asset, Amount, Ref.
	EvIssued
	// EvRedemptionCreated: Account (the customer), Asset, Amount, Redemption,
	// Receipt.
	EvRedemptionCreated
	// EvRedemptionFulfilled and EvRedemptionRejected: Account (the customer),
	// Asset, Amount, Redemption, Receipt; a rejection's Amount went back to
	// the customer, or to breakage (Expired) if the coupon has expired.
	EvRedemptionFulfilled
	EvRedemptionRejected
	// EvAssetExpired: Asset, Amount (the available balances removed as
	// breakage). Its markets' halts and orders' cancels come before it, the
	// balance changes after it.
	EvAssetExpired
	// EvSupplyReported: Asset, Amount.
	EvSupplyReported
	// EvBookLevel: Market, Side, Price, Size: a price level's new total
	// resting size (0: the level is gone). One per level whose total
	// changed, in market, side (buy first) and price order, after the
	// events that changed it and before the EvBalance events of the same
	// command (or batch item), so that a market-data feed can keep a
	// depth book from events alone.
	EvBookLevel
	// EvDeadmanSet: Account, Market (0: every market), ExpiresAt (the
	// deadline; 0: disarmed). A CmdCancelAllAfter reports the switch as it
	// set it; a switch that fires reports itself disarmed (ExpiresAt 0) with
	// Reason deadman, after the EvOrderCanceled events of its orders.
	EvDeadmanSet
	// EvSessionOpened: Account, Session (the id the engine assigned),
	// SessionMode.
	EvSessionOpened
	// EvSessionClosed: Account, Session, SessionMode. The EvOrderCanceled
	// events (Reason disconnect) of the orders its closing cancelled come
	// before it.
	EvSessionClosed
	evKindEnd
)

var eventKindNames = [...]string{
	EvRejected:            "rejected",
	EvAccountCreated:      "account_created",
	EvAssetCreated:        "asset_created",
	EvMarketCreated:       "market_created",
	EvMarketStatus:        "market_status",
	EvFeesSet:             "fees_set",
	EvDeposited:           "deposited",
	EvWithdrawalHeld:      "withdrawal_held",
	EvWithdrawalCompleted: "withdrawal_completed",
	EvWithdrawalFailed:    "withdrawal_failed",
	EvOrderAccepted:       "accepted",
	EvOrderAmended:        "amended",
	EvTrade:               "trade",
	EvOrderDone:           "done",
	EvOrderCanceled:       "canceled",
	EvOrderExpired:        "expired",
	EvBalance:             "balance",
	EvHubSet:              "hub_set",
	EvSwapped:             "swapped",
	EvIssued:              "issued",
	EvRedemptionCreated:   "redemption_created",
	EvRedemptionFulfilled: "redemption_fulfilled",
	EvRedemptionRejected:  "redemption_rejected",
	EvAssetExpired:        "asset_expired",
	EvSupplyReported:      "supply_reported",
	EvBookLevel:           "book_level",
	EvDeadmanSet:          "deadman_set",
	EvSessionOpened:       "session_opened",
	EvSessionClosed:       "session_closed",
}

func (k EventKind) String() string {
	if k > 0 && k < evKindEnd {
		return eventKindNames[k]
	}
	return "event?"
}

// Event is one state change (or one rejection). It is flat and holds no
// pointers, so a caller-owned []Event buffer is reused without allocation.
// Every event carries the Seq of the command that caused it, the engine's
// clock when it was applied as Time (the larger of the command's Time and
// the latest seen), and Item, the 1-based position within a batch (0
// outside batches).
type Event struct {
	Seq  uint64
	Time int64
	Item uint16

	Kind     EventKind
	Cmd      CommandKind // rejected: the command refused
	Code     Code        // rejected: why
	Reason   CancelReason
	Side     Side
	Type     OrderType
	TIF      TimeInForce
	PostOnly bool
	STP      SelfTradePrevention
	Requeued bool
	Status   MarketStatus

	Scale        uint8
	PriceScale   uint8
	AssetKind    AssetKind
	Hub          bool
	Account      AccountID
	MakerAccount AccountID
	To           AccountID
	Brand        AccountID
	ToAsset      AssetID
	HubAsset     AssetID
	Asset        AssetID
	Market       MarketID
	Base         AssetID
	Quote        AssetID
	MakerBps     int32
	TakerBps     int32

	Order      OrderID
	MakerOrder OrderID
	Price      int64
	Size       int64
	Remaining  int64
	Amount     int64
	Fee        int64
	MakerFee   int64
	ExpiresAt  int64
	Available  int64
	Held       int64
	Withdrawal WithdrawalID
	Redemption RedemptionID
	Receipt    Receipt
	AmountOut  int64
	HubLeft    int64
	Tick       int64
	Lot        int64
	MinSize    int64

	ClientOrderID ClientOrderID
	Ref           Ref
	Symbol        Symbol

	Session     SessionID
	SessionMode SessionMode
}
