package api

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/engine"
)

// legView is one market a swap crosses. Side sell: the leg sells the
// market's base for its quote; buy: it buys the base with the quote. In is
// in the leg's input asset, Out in its output asset (fees deducted), Fee
// in the market's quote asset.
type legView struct {
	Market   string `json:"market"`
	Side     string `json:"side"`
	In       string `json:"in"`
	Out      string `json:"out"`
	Fee      string `json:"fee"`
	FeeAsset string `json:"fee_asset"`
}

// quoteView answers GET /v1/quote.
type quoteView struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Amount    string `json:"amount"`     // offered, in from
	AmountIn  string `json:"amount_in"`  // would be spent, in from
	AmountOut string `json:"amount_out"` // would be received, in to
	Unspent   string `json:"unspent"`    // of amount, would stay, in from
	// HubLeft is what the second leg could not spend, in the hub asset,
	// credited to the account; absent on a direct route.
	HubLeft      string    `json:"hub_left,omitempty"`
	AveragePrice string    `json:"average_price"` // from per to
	BestOut      string    `json:"best_out"`      // at each leg's best price, in to
	ImpactBps    int64     `json:"price_impact_bps"`
	Route        []string  `json:"route"` // [from, hub, to] or [from, to]
	Legs         []legView `json:"legs"`
}

// swapView answers POST /v1/swaps.
type swapView struct {
	From         string    `json:"from"`
	To           string    `json:"to"`
	Spent        string    `json:"spent"`    // in from
	Received     string    `json:"received"` // in to
	Unspent      string    `json:"unspent"`  // of amount, in from
	HubLeft      string    `json:"hub_left,omitempty"`
	AveragePrice string    `json:"average_price"` // from per to
	Route        []string  `json:"route"`
	Legs         []legView `json:"legs"`
}

// lookupAsset resolves asset symbols for the decoders.
func (s *Server) lookupAsset(c *fiber.Ctx) assetLookup {
	return func(symbol string) (assetRef, error) { return s.asset(c.UserContext(), symbol) }
}

// swapPrice is in units of from per out units of to, in whole assets,
// rounded half up to 12 decimals, trailing zeros trimmed.
func swapPrice(from, to assetRef, in, out int64) string {
	if out <= 0 {
		return "0"
	}
	return decimal.New(in, -int32(from.Scale)).DivRound(decimal.New(out, -int32(to.Scale)), 12).String()
}

// getQuote simulates a swap of ?amount= of ?from= into ?to= for anyone (no
// account's orders are excluded) and answers the best route.
func (s *Server) getQuote(c *fiber.Ctx) error {
	req := swapRequest{From: c.Query("from"), To: c.Query("to"), Amount: c.Query("amount")}
	for _, p := range []struct{ name, v string }{{"from", req.From}, {"to", req.To}, {"amount", req.Amount}} {
		if p.v == "" {
			return Errorf("missing_parameter", "query parameter %q is required", p.name)
		}
	}
	cmd, err := swapCommand(req, s.lookupAsset(c))
	if err != nil {
		return err
	}
	var q engine.Quote
	var code engine.Code
	if err := s.read(c, func(e *engine.Engine) { q, code = e.Quote(0, cmd.Asset, cmd.ToAsset, cmd.Amount) }); err != nil {
		return err
	}
	if code != engine.OK {
		return Errorf(code.String(), "no quote: %s", code)
	}
	from, to, hub, err := s.swapAssets(c, q.From, q.To, q.Hub)
	if err != nil {
		return err
	}
	v := quoteView{
		From: from.Symbol, To: to.Symbol, Amount: formatUnits(cmd.Amount, from.Scale),
		AmountIn: formatUnits(q.AmountIn, from.Scale), AmountOut: formatUnits(q.AmountOut, to.Scale),
		Unspent: formatUnits(q.Unspent, from.Scale), AveragePrice: swapPrice(from, to, q.AmountIn, q.AmountOut),
		BestOut: formatUnits(q.BestOut, to.Scale), ImpactBps: q.ImpactBps, Route: swapRoute(from, to, hub),
	}
	if q.Hub != 0 {
		v.HubLeft = formatUnits(q.HubLeft, hub.Scale)
	}
	for i := range q.NumLegs {
		leg := q.Legs[i]
		m, err := s.marketByID(c.UserContext(), leg.Market)
		if err != nil {
			return err
		}
		v.Legs = append(v.Legs, viewLeg(m, leg.Side, leg.In, leg.Out, leg.Fee))
	}
	return c.JSON(v)
}

func swapRoute(from, to, hub assetRef) []string {
	if hub.ID == 0 {
		return []string{from.Symbol, to.Symbol}
	}
	return []string{from.Symbol, hub.Symbol, to.Symbol}
}

func viewLeg(m marketRef, side engine.Side, in, out, fee int64) legView {
	inScale, outScale := m.Base.Scale, m.Quote.Scale
	if side == engine.Buy {
		inScale, outScale = m.Quote.Scale, m.Base.Scale
	}
	return legView{
		Market: m.Symbol, Side: side.String(), In: formatUnits(in, inScale), Out: formatUnits(out, outScale),
		Fee: formatUnits(fee, m.Quote.Scale), FeeAsset: m.Quote.Symbol,
	}
}

// swapAssets resolves a swap's assets (hub 0: the zero assetRef).
func (s *Server) swapAssets(c *fiber.Ctx, fromID, toID, hubID engine.AssetID) (from, to, hub assetRef, err error) {
	if from, err = s.assetByID(c.UserContext(), fromID); err != nil {
		return
	}
	if to, err = s.assetByID(c.UserContext(), toID); err != nil {
		return
	}
	if hubID != 0 {
		hub, err = s.assetByID(c.UserContext(), hubID)
	}
	return
}

// swap exchanges up to amount of from for at least min_receive of to over
// the best route, all or nothing, and answers what it did.
func (s *Server) swap(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	cmd, err := decodeSwap(body, s.lookupAsset(c))
	if err != nil {
		return err
	}
	cmd.Account = callerAccount(c)
	evs, err := s.submit(c, cmd)
	if err != nil {
		return err
	}
	var done *engine.Event
	for i := range evs {
		if evs[i].Kind == engine.EvSwapped && evs[i].Item == 0 && evs[i].Account == cmd.Account {
			done = &evs[i]
		}
	}
	if done == nil {
		return fmt.Errorf("api: swap: no swapped event among %d events", len(evs))
	}
	from, to, hub, err := s.swapAssets(c, done.Asset, done.ToAsset, done.HubAsset)
	if err != nil {
		return err
	}
	v := swapView{
		From: from.Symbol, To: to.Symbol, Spent: formatUnits(done.Amount, from.Scale), Received: formatUnits(done.AmountOut, to.Scale),
		Unspent: formatUnits(done.Remaining, from.Scale), AveragePrice: swapPrice(from, to, done.Amount, done.AmountOut),
		Route: swapRoute(from, to, hub), Legs: []legView{},
	}
	if hub.ID != 0 {
		v.HubLeft = formatUnits(done.HubLeft, hub.Scale)
	}
	// The legs' trades (Order 0, the account the taker) come before it,
	// one market after the other.
	type leg struct {
		market            engine.MarketID
		side              engine.Side
		size, amount, fee int64
	}
	var legs []leg
	for i := range evs {
		ev := &evs[i]
		if ev.Kind != engine.EvTrade || ev.Item != 0 || ev.Order != 0 || ev.Account != cmd.Account {
			continue
		}
		if len(legs) == 0 || legs[len(legs)-1].market != ev.Market {
			legs = append(legs, leg{market: ev.Market, side: ev.Side})
		}
		l := &legs[len(legs)-1]
		l.size += ev.Size
		l.amount += ev.Amount
		l.fee += ev.Fee
	}
	for _, l := range legs {
		m, err := s.marketByID(c.UserContext(), l.market)
		if err != nil {
			return err
		}
		in, out := l.size, l.amount-l.fee // a sell: base in, quote out
		if l.side == engine.Buy {
			in, out = l.amount+l.fee, l.size
		}
		v.Legs = append(v.Legs, viewLeg(m, l.side, in, out, l.fee))
	}
	return c.JSON(v)
}
