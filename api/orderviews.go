package api

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// orderView is an order as every order route answers it. Sizes are in
// the base asset, price in the market's price scale, quote_amount and fees
// in the quote asset (fee_asset).
type orderView struct {
	ID            string `json:"id"`
	ClientOrderID string `json:"client_order_id,omitempty"`
	Market        string `json:"market"`
	Side          string `json:"side"`          // buy, sell
	Type          string `json:"type"`          // limit, market
	TimeInForce   string `json:"time_in_force"` // gtc, ioc, fok, gtd
	PostOnly      bool   `json:"post_only"`
	// STP is known while the order rests and in the answers of place and
	// amend; the history does not keep it.
	STP         string `json:"stp,omitempty"`
	Price       string `json:"price,omitempty"`        // limit orders
	Size        string `json:"size,omitempty"`         // absent for a market buy by quote_amount
	QuoteAmount string `json:"quote_amount,omitempty"` // a market buy's budget
	ExpiresAt   string `json:"expires_at,omitempty"`   // gtd
	// Status is open, filled, canceled or expired.
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason,omitempty"`
	Filled       string `json:"filled"`
	Remaining    string `json:"remaining"`
	Fees         string `json:"fees"`
	FeeAsset     string `json:"fee_asset"`
	CreatedAt    string `json:"created_at,omitempty"`
	UpdatedAt    string `json:"updated_at,omitempty"`
}

// placedView answers a placement: the order as its events left it, with
// what it traded on the way in.
type placedView struct {
	orderView
	// FilledQuote is the quote traded (fees excluded); AveragePrice is
	// FilledQuote per filled base, rounded half up to the price scale, and
	// null when nothing filled.
	FilledQuote  string     `json:"filled_quote"`
	AveragePrice *string    `json:"average_price"`
	Fills        []fillView `json:"fills"`
}

// amendedView answers an amendment: the order after it, whether it lost
// its place in the queue, and the fills of a new price that crossed.
type amendedView struct {
	orderView
	Requeued bool       `json:"requeued"`
	Fills    []fillView `json:"fills"`
}

// canceledView answers a cancel: what the cancel event says.
type canceledView struct {
	ID            string `json:"id"`
	ClientOrderID string `json:"client_order_id,omitempty"`
	Market        string `json:"market"`
	Side          string `json:"side"`
	Status        string `json:"status"`        // canceled
	CancelReason  string `json:"cancel_reason"` // requested
	Remaining     string `json:"remaining"`     // what was left, in base
}

// fillView is one trade from the side of one of its orders.
type fillView struct {
	Market      string `json:"market"`
	OrderID     string `json:"order_id,omitempty"` // absent for a swap's leg
	Side        string `json:"side"`               // this account's: buy, sell
	Liquidity   string `json:"liquidity"`          // maker, taker
	Price       string `json:"price"`
	Size        string `json:"size"`
	QuoteAmount string `json:"quote_amount"`
	Fee         string `json:"fee"`
	FeeAsset    string `json:"fee_asset"`
	Time        string `json:"time"`
}

func idString(id uint64) string { return strconv.FormatUint(id, 10) }

// placedOrder builds the answer to a placement from the events of the
// command (or of its batch item: item is 1-based, 0 outside batches).
// ok is false if they hold no accepted order.
func placedOrder(m marketRef, evs []engine.Event, item uint16) (v placedView, ok bool) {
	var id engine.OrderID
	var size, filled, notional, fees int64
	v.Fills = []fillView{}
	for i := range evs {
		ev := &evs[i]
		if ev.Item != item {
			continue
		}
		switch {
		case ev.Kind == engine.EvOrderAccepted && id == 0:
			id, ok, size = ev.Order, true, ev.Size
			v.orderView = orderView{
				ID: idString(uint64(id)), ClientOrderID: ev.ClientOrderID.String(), Market: m.Symbol,
				Side: ev.Side.String(), Type: ev.Type.String(), TimeInForce: ev.TIF.String(), PostOnly: ev.PostOnly,
				STP: ev.STP.String(), Status: "open", FeeAsset: m.Quote.Symbol, CreatedAt: rfc3339(ev.Time), UpdatedAt: rfc3339(ev.Time),
			}
			if ev.Type == engine.Limit {
				v.Price = formatUnits(ev.Price, m.PriceScale)
			}
			if ev.Size != 0 {
				v.Size = formatUnits(ev.Size, m.Base.Scale)
			}
			if ev.Amount != 0 {
				v.QuoteAmount = formatUnits(ev.Amount, m.Quote.Scale)
			}
			if ev.ExpiresAt != 0 {
				v.ExpiresAt = rfc3339(ev.ExpiresAt)
			}
		case id == 0 || ev.Order != id:
		case ev.Kind == engine.EvTrade:
			filled += ev.Size
			notional += ev.Amount
			fees += ev.Fee
			v.Fills = append(v.Fills, takerFill(m, ev))
			v.UpdatedAt = rfc3339(ev.Time)
		case ev.Kind == engine.EvOrderDone:
			v.Status, v.UpdatedAt = "filled", rfc3339(ev.Time)
		case ev.Kind == engine.EvOrderCanceled:
			v.Status, v.CancelReason, v.UpdatedAt = "canceled", ev.Reason.String(), rfc3339(ev.Time)
			v.Remaining = formatUnits(ev.Remaining, m.Base.Scale)
		case ev.Kind == engine.EvOrderExpired:
			v.Status, v.UpdatedAt = "expired", rfc3339(ev.Time)
			v.Remaining = formatUnits(ev.Remaining, m.Base.Scale)
		}
	}
	switch v.Status {
	case "open":
		v.Remaining = formatUnits(size-filled, m.Base.Scale)
	case "filled":
		v.Remaining = formatUnits(0, m.Base.Scale)
	}
	v.Filled = formatUnits(filled, m.Base.Scale)
	v.Fees = formatUnits(fees, m.Quote.Scale)
	v.FilledQuote = formatUnits(notional, m.Quote.Scale)
	v.AveragePrice = averagePrice(m, notional, filled)
	return v, ok
}

// averagePrice is notional quote units per filled base units at the
// market's price scale, rounded half up; nil when nothing filled.
func averagePrice(m marketRef, notional, filled int64) *string {
	if filled <= 0 {
		return nil
	}
	p := decimal.New(notional, -int32(m.Quote.Scale)).DivRound(decimal.New(filled, -int32(m.Base.Scale)), int32(m.PriceScale))
	s := p.StringFixed(int32(m.PriceScale))
	return &s
}

// takerFill is the taker's fill of a trade event.
func takerFill(m marketRef, ev *engine.Event) fillView {
	f := fillView{
		Market: m.Symbol, Side: ev.Side.String(), Liquidity: "taker",
		Price: formatUnits(ev.Price, m.PriceScale), Size: formatUnits(ev.Size, m.Base.Scale),
		QuoteAmount: formatUnits(ev.Amount, m.Quote.Scale), Fee: formatUnits(ev.Fee, m.Quote.Scale),
		FeeAsset: m.Quote.Symbol, Time: rfc3339(ev.Time),
	}
	if ev.Order != 0 {
		f.OrderID = idString(uint64(ev.Order))
	}
	return f
}

// restingOrder is an order on the book, as the engine has it.
func restingOrder(m marketRef, o engine.OrderInfo) orderView {
	v := orderView{
		ID: idString(uint64(o.ID)), ClientOrderID: o.ClientOrderID.String(), Market: m.Symbol,
		Side: o.Side.String(), Type: engine.Limit.String(), TimeInForce: o.TIF.String(), PostOnly: o.PostOnly,
		STP: o.STP.String(), Price: formatUnits(o.Price, m.PriceScale), Size: formatUnits(o.Size, m.Base.Scale),
		Status: "open", Filled: formatUnits(o.Size-o.Remaining, m.Base.Scale), Remaining: formatUnits(o.Remaining, m.Base.Scale),
		Fees: formatUnits(o.FeeCharged, m.Quote.Scale), FeeAsset: m.Quote.Symbol,
	}
	if o.ExpiresAt != 0 {
		v.ExpiresAt = rfc3339(o.ExpiresAt)
	}
	return v
}

// historyOrder is an order as the SQL history has it.
func historyOrder(m marketRef, o sqlstore.OrderRow) orderView {
	v := orderView{
		ID: idString(o.ID), ClientOrderID: o.ClientOrderID, Market: m.Symbol, Side: o.Side, Type: o.Type,
		TimeInForce: o.TIF, PostOnly: o.PostOnly, Status: o.Status, CancelReason: o.CancelReason,
		Filled: formatUnits(o.Filled, m.Base.Scale), Remaining: formatUnits(o.Remaining, m.Base.Scale),
		Fees: formatUnits(o.Fees, m.Quote.Scale), FeeAsset: m.Quote.Symbol,
		CreatedAt: rfc3339(o.CreatedAt), UpdatedAt: rfc3339(o.UpdatedAt),
	}
	if o.Price != 0 {
		v.Price = formatUnits(o.Price, m.PriceScale)
	}
	if o.Size != 0 {
		v.Size = formatUnits(o.Size, m.Base.Scale)
	}
	if o.QuoteAmount != 0 {
		v.QuoteAmount = formatUnits(o.QuoteAmount, m.Quote.Scale)
	}
	if o.ExpiresAt != 0 {
		v.ExpiresAt = rfc3339(o.ExpiresAt)
	}
	return v
}

// historyFill is a fill as the SQL history has it.
func historyFill(m marketRef, f sqlstore.Fill) fillView {
	v := fillView{
		Market: m.Symbol, Side: f.Side, Liquidity: "taker",
		Price: formatUnits(f.Price, m.PriceScale), Size: formatUnits(f.Size, m.Base.Scale),
		QuoteAmount: formatUnits(f.QuoteAmount, m.Quote.Scale), Fee: formatUnits(f.Fee, m.Quote.Scale),
		FeeAsset: m.Quote.Symbol, Time: rfc3339(f.Time),
	}
	if f.Maker {
		v.Liquidity = "maker"
	}
	if f.Order != 0 {
		v.OrderID = idString(f.Order)
	}
	return v
}

// canceledOrders are the cancels by their owner (reason requested) among
// the events of one command or batch item.
func canceledOrders(m func(engine.MarketID) (marketRef, bool), evs []engine.Event, item uint16) []canceledView {
	out := []canceledView{}
	for i := range evs {
		ev := &evs[i]
		if ev.Item != item || ev.Kind != engine.EvOrderCanceled || ev.Reason != engine.ReasonRequested {
			continue
		}
		mk, ok := m(ev.Market)
		if !ok {
			continue
		}
		out = append(out, canceledView{
			ID: idString(uint64(ev.Order)), Market: mk.Symbol, Side: ev.Side.String(), Status: "canceled",
			CancelReason: ev.Reason.String(), Remaining: formatUnits(ev.Remaining, mk.Base.Scale),
		})
	}
	return out
}
