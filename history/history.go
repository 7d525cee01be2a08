package history

// Batch is one projector write: every row the events of the commands
// First to Seq produce, to be stored with Seq as the new checkpoint in one
// transaction. First must be the checkpoint + 1: a store refuses a batch
// that would skip commands, and writes nothing for one it already holds
// (Seq at or below the checkpoint). Within each slice, rows are in event
// order.
type Batch struct {
	First, Seq uint64

	Assets            []Asset
	Markets           []Market
	MarketUpdates     []MarketUpdate
	Orders            []Order
	OrderUpdates      []OrderUpdate
	Trades            []Trade
	Ledger            []LedgerEntry
	Deposits          []DepositCredit
	Withdrawals       []WithdrawalEvent
	Redemptions       []Redemption
	RedemptionUpdates []RedemptionUpdate
}

// Len is the number of rows in the batch.
func (b *Batch) Len() int {
	return len(b.Assets) + len(b.Markets) + len(b.MarketUpdates) + len(b.Orders) + len(b.OrderUpdates) +
		len(b.Trades) + len(b.Ledger) + len(b.Deposits) + len(b.Withdrawals) + len(b.Redemptions) + len(b.RedemptionUpdates)
}

// Asset is a created asset. Kind is "token", "points" or "coupon".
type Asset struct {
	ID        uint32
	Symbol    string
	Scale     uint8
	Kind      string
	BrandID   uint32 // 0: none
	ExpiresAt int64  // 0: never
	Hub       bool
	Seq       uint64
}

// Market is a created market. Status is "open" or "halted".
type Market struct {
	ID                 uint32
	Base, Quote        uint32
	PriceScale         uint8
	Tick, Lot, MinSize int64
	MakerBps, TakerBps int32
	Status             string
	Seq                uint64
}

// MarketUpdate changes a market's status (Status non-empty) or fees
// (Fees true).
type MarketUpdate struct {
	ID                 uint32
	Status             string
	Fees               bool
	MakerBps, TakerBps int32
	Seq                uint64
}

// Order is an accepted order. Side is "buy" or "sell", Type "limit" or
// "market", TIF "gtc", "ioc", "fok" or "gtd".
type Order struct {
	ID            uint64
	Account       uint32
	Market        uint32
	ClientOrderID string
	Side          string
	Type          string
	TIF           string
	PostOnly      bool
	Price         int64 // 0 for a market order
	Size          int64 // 0 for a market buy by quote amount
	QuoteAmount   int64 // a market buy's budget
	ExpiresAt     int64
	Remaining     int64
	Seq           uint64
	Time          int64
}

// OrderUpdate changes an order: fills add to its filled size and fees
// and, unless HasRemaining sets it, take FilledDelta off its remaining
// size; Status (when not empty: "filled", "canceled", "expired") ends it;
// Amended sets its price, size and remaining. One update per order per
// batch, with the last Seq and Time that touched it.
type OrderUpdate struct {
	ID           uint64
	FilledDelta  int64
	FeesDelta    int64
	Remaining    int64 // the new remaining size, when HasRemaining
	HasRemaining bool
	Status       string
	CancelReason string
	Amended      bool
	Price, Size  int64 // when Amended
	Seq          uint64
	Time         int64
}

// Trade is one fill. TakerOrder is 0 for a swap's leg. Idx numbers the
// trades of one command from 0.
type Trade struct {
	Seq          uint64
	Idx          uint32
	Market       uint32
	Price        int64
	Size         int64
	QuoteAmount  int64
	TakerSide    string
	TakerAccount uint32
	TakerOrder   uint64
	TakerFee     int64
	MakerAccount uint32
	MakerOrder   uint64
	MakerFee     int64
	Time         int64
}

// LedgerEntry is one balance change: the balance after it, the change,
// why (Reason: "deposit", "trade", "order", "cancel", "expiry", "amend",
// "withdrawal", "withdrawal_refund", "issue", "redemption",
// "redemption_refund", "breakage", "swap") and what it refers to
// (Reference: "order:<id>", "deposit:<ref hex>", "withdrawal:<id>",
// "redemption:<id>", "issue:<ref hex>", or "").
type LedgerEntry struct {
	Seq            uint64
	Idx            uint32 // the entry's position among the command's entries
	Account        uint32
	Asset          uint32
	Available      int64
	Held           int64
	AvailableDelta int64
	HeldDelta      int64
	Reason         string
	Reference      string
	Time           int64
}

// DepositCredit records that the engine credited a deposit, found by its
// reference (the chain watcher stored the deposit under it).
type DepositCredit struct {
	Ref     [32]byte
	Account uint32
	Asset   uint32
	Amount  int64
	Seq     uint64
	Time    int64
}

// WithdrawalEvent is a withdrawal held ("held"), completed ("completed")
// or failed and refunded ("failed") by the engine.
type WithdrawalEvent struct {
	ID      uint64
	Kind    string
	Account uint32
	Asset   uint32
	Amount  int64
	Seq     uint64
	Time    int64
}

// Redemption is a created redemption (status pending).
type Redemption struct {
	ID      uint64
	Account uint32
	Asset   uint32
	Amount  int64
	Receipt string
	Seq     uint64
	Time    int64
}

// RedemptionUpdate settles a redemption: Status "fulfilled" or "rejected".
type RedemptionUpdate struct {
	ID     uint64
	Status string
	Seq    uint64
	Time   int64
}
