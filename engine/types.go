package engine

import (
	"encoding/binary"
	"strings"
)

// AccountID names an account. The engine assigns them densely from 1 on
// CreateAccount; FeeAccount exists from the start.
type AccountID uint32

// FeeAccount receives every trading fee.
const FeeAccount AccountID = 1

// AssetID names an asset; assigned densely from 1 by CreateAsset.
type AssetID uint32

// MarketID names a market; assigned densely from 1 by CreateMarket.
type MarketID uint32

// OrderID names an order. The engine assigns it: the low 32 bits are the
// order's slot and the high 32 bits the slot's generation, so an order is
// found in O(1) without a map and an id is never reused.
type OrderID uint64

// WithdrawalID is the caller's key for a withdrawal; each is accepted once.
type WithdrawalID uint64

// RedemptionID names a redemption; the engine assigns them from 1.
type RedemptionID uint64

// SessionID names a trading session (a market maker's connection); the
// engine assigns them from 1 on OpenSession and never reuses one.
type SessionID uint64

// SessionMode says what closing a session does to the orders of its
// account. There is no default: a session is opened with one of the three.
type SessionMode uint8

const (
	// SessionKeep: orders placed in the session survive it.
	SessionKeep SessionMode = iota + 1
	// SessionCancelOwn: closing the session cancels the orders placed in
	// it that still rest.
	SessionCancelOwn
	// SessionCancelAll: closing the session cancels every resting order of
	// its account, whatever session (or none) they were placed in.
	SessionCancelAll
)

func (m SessionMode) String() string {
	switch m {
	case SessionKeep:
		return "keep"
	case SessionCancelOwn:
		return "cancel_own"
	case SessionCancelAll:
		return "cancel_all"
	}
	return "mode?"
}

func (m SessionMode) valid() bool { return m >= SessionKeep && m <= SessionCancelAll }

// AssetKind says what an asset is: a plain token (a hub currency such as
// EUR), or a brand's points or coupons.
type AssetKind uint8

const (
	Token AssetKind = iota
	Points
	Coupon
)

func (k AssetKind) String() string {
	switch k {
	case Token:
		return "token"
	case Points:
		return "points"
	case Coupon:
		return "coupon"
	}
	return "kind?"
}

// Ref is an external reference (a deposit's chain, tx hash and log index,
// digested by the caller to 32 bytes). Each deposit Ref is credited once.
type Ref [32]byte

// ClientOrderID is a client's own name for an order: up to 36 printable ASCII
// bytes (a UUID fits), zero padded. The zero value means none.
type ClientOrderID [36]byte

// ParseClientOrderID checks s (1 to 36 bytes of printable ASCII, no spaces).
func ParseClientOrderID(s string) (ClientOrderID, bool) {
	var id ClientOrderID
	if len(s) == 0 || len(s) > len(id) {
		return id, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return id, false
		}
	}
	copy(id[:], s)
	return id, true
}

// valid reports whether c is zero or what ParseClientOrderID returns.
func (c *ClientOrderID) valid() bool {
	if c[0] == 0 { // fast path: no id, all padding
		return binary.LittleEndian.Uint64(c[0:])|binary.LittleEndian.Uint64(c[8:])|
			binary.LittleEndian.Uint64(c[16:])|binary.LittleEndian.Uint64(c[24:])|
			uint64(binary.LittleEndian.Uint32(c[32:])) == 0
	}
	n := paddedLen(c[:])
	if n < 0 {
		return false
	}
	for _, b := range c[:n] {
		if b <= ' ' || b > '~' {
			return false
		}
	}
	return true
}

func (c ClientOrderID) String() string { return strings.TrimRight(string(c[:]), "\x00") }

// IsZero reports whether no client order id is set.
func (c ClientOrderID) IsZero() bool { return c == ClientOrderID{} }

// set reports whether a validated client order id is present: a valid id
// is either all zero or starts with a non-zero byte.
func (c *ClientOrderID) set() bool { return c[0] != 0 }

// Symbol is an asset's ticker: 1 to 16 bytes of A-Z, 0-9, '.' or '_',
// zero padded.
type Symbol [16]byte

// ParseSymbol checks s and returns it as a Symbol.
func ParseSymbol(s string) (Symbol, bool) {
	var sym Symbol
	if len(s) == 0 || len(s) > len(sym) {
		return sym, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return sym, false
		}
	}
	copy(sym[:], s)
	return sym, true
}

// valid reports whether s is what ParseSymbol returns for some string.
func (s Symbol) valid() bool {
	n := paddedLen(s[:])
	if n <= 0 {
		return false
	}
	for _, c := range s[:n] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// paddedLen returns the length of the text in a zero-padded field, or -1 if
// a non-zero byte follows the padding.
func paddedLen(b []byte) int {
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	for _, c := range b[n:] {
		if c != 0 {
			return -1
		}
	}
	return n
}

func (s Symbol) String() string { return strings.TrimRight(string(s[:]), "\x00") }

// Side is buy or sell.
type Side uint8

const (
	Buy Side = iota + 1
	Sell
)

func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return "side?"
}

// OrderType is limit or market.
type OrderType uint8

const (
	Limit OrderType = iota + 1
	// Market takes liquidity at any price: by base Size, or (buys only) by
	// QuoteAmount, spending at most that much quote, fees included.
	Market
)

func (t OrderType) String() string {
	switch t {
	case Limit:
		return "limit"
	case Market:
		return "market"
	}
	return "type?"
}

// TimeInForce says how long an order may rest.
type TimeInForce uint8

const (
	GTC TimeInForce = iota + 1 // good till cancelled
	IOC                        // immediate or cancel: fill what it can now, cancel the rest
	FOK                        // fill or kill: fill all now or reject
	GTD                        // good till date: rests until ExpiresAt
)

func (t TimeInForce) String() string {
	switch t {
	case GTC:
		return "gtc"
	case IOC:
		return "ioc"
	case FOK:
		return "fok"
	case GTD:
		return "gtd"
	}
	return "tif?"
}

// SelfTradePrevention says what happens when an order would trade with a
// resting order of the same account. Self trades never happen.
type SelfTradePrevention uint8

const (
	// CancelTaker (the default) cancels the rest of the incoming order.
	CancelTaker SelfTradePrevention = iota
	// CancelMaker cancels the resting order and goes on matching.
	CancelMaker
	// CancelBoth cancels both.
	CancelBoth
)

func (s SelfTradePrevention) String() string {
	switch s {
	case CancelTaker:
		return "cancel_taker"
	case CancelMaker:
		return "cancel_maker"
	case CancelBoth:
		return "cancel_both"
	}
	return "stp?"
}

// MarketStatus is open or halted. A halted market accepts cancels only.
type MarketStatus uint8

const (
	Open MarketStatus = iota + 1
	Halted
)

func (s MarketStatus) String() string {
	switch s {
	case Open:
		return "open"
	case Halted:
		return "halted"
	}
	return "status?"
}

// CancelReason says why an order left the book without filling.
type CancelReason uint8

const (
	ReasonRequested    CancelReason = iota + 1 // cancel or cancel-all by its owner
	ReasonUnfilled                             // IOC or market order remainder
	ReasonSelfTrade                            // self-trade prevention
	ReasonExpired                              // GTD expiry reached
	ReasonAssetExpired                         // a coupon of its market expired
	ReasonDeadman                              // its account's dead-man switch fired (cancel-all-after)
	ReasonDisconnect                           // its session closed (cancel on disconnect)
)

func (r CancelReason) String() string {
	switch r {
	case ReasonRequested:
		return "requested"
	case ReasonUnfilled:
		return "unfilled"
	case ReasonSelfTrade:
		return "self_trade"
	case ReasonExpired:
		return "expired"
	case ReasonAssetExpired:
		return "asset_expired"
	case ReasonDeadman:
		return "deadman"
	case ReasonDisconnect:
		return "disconnect"
	}
	return "reason?"
}

// Limits.
const (
	MaxScale      = 18     // decimal places of an asset or a price
	MaxFeeBps     = 10_000 // 100%
	MaxBatchItems = 50
	// MaxSessionsPerAccount bounds an account's open sessions, so that
	// sessions never closed (a client that opens one per connection and
	// relies on the exchange to close them) cannot grow the state
	// without bound.
	MaxSessionsPerAccount = 64
	bpsDenom              = 10_000
)
