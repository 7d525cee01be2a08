package node

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The demo market maker's quotes: 3 levels a side of 25 base tokens, 2%
// between the best bid and ask, 1% between levels, around a mid that
// jumps to each trade's price and drifts back to the starting mid in
// demoMidReturn.
const (
	demoSpread       = "200bps"
	demoStep         = "100bps"
	demoSize         = "25"
	demoLevels       = 3
	demoRequoteEvery = 10 * time.Second
	demoDeadMan      = 10 * time.Second
	demoMidReturn    = 5 * time.Minute
)

// ErrNoListener: the demo market maker reaches the node through its own
// API, which does not listen (Config.Listen is empty).
var ErrNoListener = errors.New("node: the API does not listen (Config.Listen is empty)")

// BaseURL is the node's API as a client on this machine reaches it
// (http://127.0.0.1:port when it listens on every address), "" when it
// does not listen.
func (n *Node) BaseURL() string {
	if n.Addr == nil {
		return ""
	}
	host, port, err := net.SplitHostPort(n.Addr.String())
	if err != nil {
		return "http://" + n.Addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// DemoQuoting is how the demo market maker quotes the demo world's
// markets: the fields of marketmaker.Config of the same names, with the
// server and the market maker's key (cmd/lpx runs it with
// marketmaker.Run, over the node's own API; this package does not import
// the market maker, whose tests run a node).
type DemoQuoting struct {
	BaseURL, KeyID, Secret string
	Markets                []string
	Spread, Step, Size     string
	Levels                 int
	RequoteEvery, DeadMan  time.Duration
	// Mids are the starting mids; Mid is each market's last trade's price,
	// drawn back to its starting mid as it ages (or the starting mid
	// before any trade): a swap that takes the quotes moves them.
	Mids map[string]string
	Mid  func(market string) (decimal.Decimal, bool)
}

// DemoQuoting is how the demo market maker quotes w's markets on this
// node. Run must be running and the API listening; a restart quotes
// again with the same key (the quotes of the last run were cancelled
// when its WebSocket session closed).
func (n *Node) DemoQuoting(w *DemoWorld) (DemoQuoting, error) {
	base := n.BaseURL()
	if base == "" {
		return DemoQuoting{}, ErrNoListener
	}
	q := DemoQuoting{
		BaseURL: base, KeyID: w.mmKey.KeyID, Secret: w.mmKey.Secret,
		Spread: demoSpread, Step: demoStep, Size: demoSize, Levels: demoLevels,
		RequoteEvery: demoRequoteEvery, DeadMan: demoDeadMan,
		Mids: map[string]string{}, Mid: n.demoMid(w),
	}
	for _, m := range w.Markets {
		q.Markets = append(q.Markets, m.Symbol)
		q.Mids[m.Symbol] = m.Mid
	}
	return q, nil
}

// demoMid is the market maker's Config.Mid: the market's last trade (from
// the market data in Redis), drawn back to the starting mid as it ages
// (revertedMid), or the starting mid before any trade.
func (n *Node) demoMid(w *DemoWorld) func(string) (decimal.Decimal, bool) {
	byName := map[string]DemoMarket{}
	for _, m := range w.Markets {
		byName[m.Symbol] = m
	}
	return func(symbol string) (decimal.Decimal, bool) {
		m, ok := byName[strings.ToUpper(symbol)]
		if !ok {
			return decimal.Decimal{}, false
		}
		start, err := decimal.NewFromString(m.Mid)
		if err != nil {
			return decimal.Decimal{}, false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		trades, err := n.MarketData.Trades(ctx, m.ID, 1)
		if err != nil || len(trades) == 0 {
			return start, true
		}
		return revertedMid(start, decimal.New(trades[0].Price, -int32(m.PriceScale)), time.Since(time.Unix(0, trades[0].Time))), true
	}
}

// revertedMid is the last trade's price drawn back to start as it ages:
// last at once, start after demoMidReturn, on a straight line between.
func revertedMid(start, last decimal.Decimal, age time.Duration) decimal.Decimal {
	age = min(max(age, 0), demoMidReturn)
	moved := last.Sub(start).Mul(decimal.NewFromInt(int64(demoMidReturn - age)))
	return start.Add(moved.Div(decimal.NewFromInt(int64(demoMidReturn))))
}
