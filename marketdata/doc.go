// Package marketdata holds the types of lpx's public market data: order
// book depth by price level, trades, candles and the 24-hour ticker, each
// stamped with the sequence number it reflects.
//
// It is a leaf of plain types that both sides of the market-data path
// share: the exchange's projector computes them from the event log and
// writes them through an interface it declares; store/redisstore keeps
// them in Redis and publishes them; the API reads them. Amounts are int64
// units of the market's scales (prices in quote units per whole base unit
// at the market's price scale, as the engine has them).
//
// It also holds what a WebSocket book stream and its clients must compute
// identically: the exact decimal form of a level (FormatUnits), the book
// checksum (Checksum: CRC-32 of the top 10 levels of each side, the rule
// in its doc), a client's LocalBook that applies updates with gap and
// checksum detection, and the server's Conflater, which merges a market's
// level changes into at most one update per interval with a continuous
// prev_seq. None of it does I/O or reads a clock: time is passed in.
package marketdata
