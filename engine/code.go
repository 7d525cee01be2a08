package engine

// Code is a rejection's stable machine code. Its String is the snake_case
// name that the API returns; values are never renumbered (they are
// journaled), new codes go at the end.
type Code uint8

const (
	OK Code = iota
	CodeInvalidCommand
	CodeStaleSequence
	CodeUnknownAccount
	CodeUnknownAsset
	CodeUnknownMarket
	CodeUnknownOrder
	CodeUnknownWithdrawal
	CodeDuplicateAsset
	CodeDuplicateMarket
	CodeDuplicateDeposit
	CodeDuplicateWithdrawal
	CodeDuplicateClientOrderID
	CodeInvalidScale
	CodeInvalidTick
	CodeInvalidLot
	CodeInvalidMinSize
	CodeTickLotNotIntegral
	CodeInvalidFee
	CodeInvalidStatus
	CodeInvalidAmount
	CodeInsufficientBalance
	CodeInvalidSide
	CodeInvalidOrderType
	CodeInvalidTimeInForce
	CodeInvalidSelfTradePrevention
	CodeInvalidPrice
	CodePriceOffTick
	CodeInvalidSize
	CodeSizeOffLot
	CodeSizeBelowMinimum
	CodeInvalidExpiry
	CodePostOnlyWouldCross
	CodeFOKUnfillable
	CodeMarketHalted
	CodeAmountOverflow
	CodeBatchTooLarge
	CodeNothingToAmend
	CodeAssetExpired
	CodeNoRoute
	CodeInsufficientLiquidity
	CodeSwapBelowMinimum
	CodeNotBrand
	CodeDuplicateIssue
	CodeNotRedeemable
	CodeUnknownRedemption
	CodeInvalidAssetKind
	CodeUnknownSession
	CodeInvalidSessionMode
	CodeTooManySessions
	codeEnd
)

var codeNames = [...]string{
	OK:                             "ok",
	CodeInvalidCommand:             "invalid_command",
	CodeStaleSequence:              "stale_sequence",
	CodeUnknownAccount:             "unknown_account",
	CodeUnknownAsset:               "unknown_asset",
	CodeUnknownMarket:              "unknown_market",
	CodeUnknownOrder:               "unknown_order",
	CodeUnknownWithdrawal:          "unknown_withdrawal",
	CodeDuplicateAsset:             "duplicate_asset",
	CodeDuplicateMarket:            "duplicate_market",
	CodeDuplicateDeposit:           "duplicate_deposit",
	CodeDuplicateWithdrawal:        "duplicate_withdrawal",
	CodeDuplicateClientOrderID:     "duplicate_client_order_id",
	CodeInvalidScale:               "invalid_scale",
	CodeInvalidTick:                "invalid_tick",
	CodeInvalidLot:                 "invalid_lot",
	CodeInvalidMinSize:             "invalid_min_size",
	CodeTickLotNotIntegral:         "tick_lot_not_integral",
	CodeInvalidFee:                 "invalid_fee",
	CodeInvalidStatus:              "invalid_status",
	CodeInvalidAmount:              "invalid_amount",
	CodeInsufficientBalance:        "insufficient_balance",
	CodeInvalidSide:                "invalid_side",
	CodeInvalidOrderType:           "invalid_order_type",
	CodeInvalidTimeInForce:         "invalid_time_in_force",
	CodeInvalidSelfTradePrevention: "invalid_self_trade_prevention",
	CodeInvalidPrice:               "invalid_price",
	CodePriceOffTick:               "price_off_tick",
	CodeInvalidSize:                "invalid_size",
	CodeSizeOffLot:                 "size_off_lot",
	CodeSizeBelowMinimum:           "size_below_minimum",
	CodeInvalidExpiry:              "invalid_expiry",
	CodePostOnlyWouldCross:         "post_only_would_cross",
	CodeFOKUnfillable:              "fok_unfillable",
	CodeMarketHalted:               "market_halted",
	CodeAmountOverflow:             "amount_overflow",
	CodeBatchTooLarge:              "batch_too_large",
	CodeNothingToAmend:             "nothing_to_amend",
	CodeAssetExpired:               "asset_expired",
	CodeNoRoute:                    "no_route",
	CodeInsufficientLiquidity:      "insufficient_liquidity",
	CodeSwapBelowMinimum:           "swap_below_minimum",
	CodeNotBrand:                   "not_brand",
	CodeDuplicateIssue:             "duplicate_issue",
	CodeNotRedeemable:              "not_redeemable",
	CodeUnknownRedemption:          "unknown_redemption",
	CodeInvalidAssetKind:           "invalid_asset_kind",
	CodeUnknownSession:             "unknown_session",
	CodeInvalidSessionMode:         "invalid_session_mode",
	CodeTooManySessions:            "too_many_sessions",
}

func (c Code) String() string {
	if c < codeEnd {
		return codeNames[c]
	}
	return "code?"
}

// Codes lists every rejection code but OK, for tables that must cover them all.
func Codes() []Code {
	cs := make([]Code, 0, codeEnd-1)
	for c := CodeInvalidCommand; c < codeEnd; c++ {
		cs = append(cs, c)
	}
	return cs
}
