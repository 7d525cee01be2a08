package marketdata

import (
	"fmt"
	"time"
)

// Side is a side of the book. The values are the engine's (Buy 1, Sell 2).
type Side uint8

const (
	Bid Side = 1 // buy orders
	Ask Side = 2 // sell orders
)

func (s Side) String() string {
	switch s {
	case Bid:
		return "bid"
	case Ask:
		return "ask"
	}
	return fmt.Sprintf("side(%d)", uint8(s))
}

// Level is one price level: the total size resting at a price.
type Level struct {
	Price int64 `json:"price"`
	Size  int64 `json:"size"`
}

// Depth is a consistent picture of one market's book as of Seq: levels
// best first on each side.
type Depth struct {
	Market uint32  `json:"market"`
	Seq    uint64  `json:"seq"`
	Bids   []Level `json:"bids"`
	Asks   []Level `json:"asks"`
}

// LevelChange sets a level's total size; size 0 removes the level.
type LevelChange struct {
	Side  Side  `json:"side"`
	Price int64 `json:"price"`
	Size  int64 `json:"size"`
}

// Trade is one fill on a market's book. Seq is the command that made it
// and Index its position among that command's trades (from 0); together
// they identify the trade. Time is Unix nanoseconds.
type Trade struct {
	Seq         uint64 `json:"seq"`
	Index       uint16 `json:"index"`
	Time        int64  `json:"time"`
	Price       int64  `json:"price"`
	Size        int64  `json:"size"`
	QuoteAmount int64  `json:"quote_amount"`
	TakerSide   Side   `json:"taker_side"`
}

// Interval is a candle's length.
type Interval uint8

const (
	Minute     Interval = iota + 1 // 1m
	FiveMinute                     // 5m
	Hour                           // 1h
	Day                            // 1d
)

// Intervals lists every candle interval, shortest first.
var Intervals = []Interval{Minute, FiveMinute, Hour, Day}

var intervalNames = [...]string{Minute: "1m", FiveMinute: "5m", Hour: "1h", Day: "1d"}

var intervalDurations = [...]time.Duration{Minute: time.Minute, FiveMinute: 5 * time.Minute, Hour: time.Hour, Day: 24 * time.Hour}

func (iv Interval) String() string {
	if iv >= Minute && iv <= Day {
		return intervalNames[iv]
	}
	return fmt.Sprintf("interval(%d)", uint8(iv))
}

// Duration is the interval's length.
func (iv Interval) Duration() time.Duration {
	if iv >= Minute && iv <= Day {
		return intervalDurations[iv]
	}
	return 0
}

// Start returns the start (Unix nanoseconds, UTC) of the interval holding t.
func (iv Interval) Start(t int64) int64 {
	d := int64(iv.Duration())
	s := t - t%d
	if t < 0 && t%d != 0 {
		s -= d
	}
	return s
}

// ParseInterval parses "1m", "5m", "1h" or "1d".
func ParseInterval(s string) (Interval, error) {
	for _, iv := range Intervals {
		if intervalNames[iv] == s {
			return iv, nil
		}
	}
	return 0, fmt.Errorf("marketdata: unknown interval %q (want 1m, 5m, 1h or 1d)", s)
}

func (iv Interval) MarshalText() ([]byte, error) {
	if iv.Duration() == 0 {
		return nil, fmt.Errorf("marketdata: unknown interval %d", uint8(iv))
	}
	return []byte(iv.String()), nil
}

func (iv *Interval) UnmarshalText(b []byte) error {
	v, err := ParseInterval(string(b))
	*iv = v
	return err
}

// Candle is the trades of one interval: Start (Unix nanoseconds) is a
// multiple of the interval. Volume is in base units, QuoteVolume in quote
// units.
type Candle struct {
	Interval    Interval `json:"interval"`
	Start       int64    `json:"start"`
	Open        int64    `json:"open"`
	High        int64    `json:"high"`
	Low         int64    `json:"low"`
	Close       int64    `json:"close"`
	Volume      int64    `json:"volume"`
	QuoteVolume int64    `json:"quote_volume"`
	Trades      int64    `json:"trades"`
}

// Ticker summarises the 24 hours up to Time (Unix nanoseconds), counted in
// whole minutes: the minute that holds Time and the 1,439 before it. Last
// is the last trade's price ever (0 before the first trade); Open, High
// and Low are over the window (0 when it had no trade).
type Ticker struct {
	Time        int64 `json:"time"`
	Last        int64 `json:"last"`
	Open        int64 `json:"open"`
	High        int64 `json:"high"`
	Low         int64 `json:"low"`
	Volume      int64 `json:"volume"`
	QuoteVolume int64 `json:"quote_volume"`
	Trades      int64 `json:"trades"`
}

// MarketUpdate is what one projector write changed in one market. Seq is
// the write's sequence number and PrevSeq that of the market's previous
// update (0 for its first), so that a subscriber sees a gap: updates of
// one market chain by PrevSeq.
type MarketUpdate struct {
	Market  uint32        `json:"market"`
	Seq     uint64        `json:"seq"`
	PrevSeq uint64        `json:"prev_seq"`
	Levels  []LevelChange `json:"levels,omitempty"`
	Trades  []Trade       `json:"trades,omitempty"`
	Candles []Candle      `json:"candles,omitempty"` // the candles' new values
	Ticker  *Ticker       `json:"ticker,omitempty"`  // nil: unchanged
}

// Update is one projector write: the markets that the events up to Seq
// changed since the previous write.
type Update struct {
	Seq     uint64         `json:"seq"`
	Markets []MarketUpdate `json:"markets"`
}
