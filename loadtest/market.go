package loadtest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/marketdata"
)

// The assets and markets a run creates: points programs of 18 decimals
// traded at scale 2, and markets of price scale 2 with a tick of 0.01 and
// a lot of 1.00 around a mid of 10.00. One lot at one tick is one quote
// unit, so every trade is a whole number of units on both sides.
const (
	assetScale    = 2
	tokenDecimals = 18
	priceScale    = 2
	tickUnits     = 1    // 0.01
	lotUnits      = 100  // 1.00
	midUnits      = 1000 // 10.00
)

// asset is an asset of the run.
type asset struct {
	Symbol string
	Scale  uint8
}

// market is a market of the run, its prices in units of 10^-PriceScale
// quote per base and sizes in base units.
type market struct {
	Symbol      string
	Base, Quote asset
	PriceScale  uint8
	Tick, Lot   int64
	Mid         int64
}

// priceAt is the price k ticks above the mid (below for k < 0).
func (m *market) priceAt(k int) int64 { return m.Mid + int64(k)*m.Tick }

// price formats a price.
func (m *market) price(p int64) string { return formatUnits(p, m.PriceScale) }

// size formats n lots.
func (m *market) size(lots int) string { return formatUnits(int64(lots)*m.Lot, m.Base.Scale) }

// scales are what a client.Book of the market needs.
func (m *market) scales() marketdata.Scales {
	return marketdata.Scales{Price: m.PriceScale, Size: m.Base.Scale}
}

// notional is the quote units of size base units at price, rounded
// down (exact for whole lots at whole ticks).
func (m *market) notional(price, size int64) int64 {
	d := decimal.New(price, -int32(m.PriceScale)).Mul(decimal.New(size, -int32(m.Base.Scale)))
	return d.Shift(int32(m.Quote.Scale)).Floor().IntPart()
}

// baseFor is how many base units quote units buy at price, rounded down.
func (m *market) baseFor(quote, price int64) int64 {
	d := decimal.New(quote, -int32(m.Quote.Scale)).Div(decimal.New(price, -int32(m.PriceScale)))
	return d.Shift(int32(m.Base.Scale)).Floor().IntPart()
}

// formatUnits writes units of 10^-scale as a decimal string ("12.50").
func formatUnits(units int64, scale uint8) string {
	return decimal.New(units, -int32(scale)).StringFixed(int32(scale))
}

// parseField reads a decimal field of an answer as units of scale.
func parseField(name, s string, scale uint8) (int64, error) {
	if s == "" {
		return 0, nil
	}
	u, err := client.ParseUnits(s, scale)
	if err != nil {
		return 0, fmt.Errorf("field %s: %w", name, err)
	}
	return u, nil
}
