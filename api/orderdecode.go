package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/lpx-exchange/lpx/engine"
)

// The decoders of trading requests are pure: bytes and a way to resolve
// symbols in, an engine command or an *Error (always a 4xx) out. The
// handlers call them and the fuzz targets run them without a server.

// marketLookup resolves a market symbol (unknown_market when there is none).
type marketLookup func(symbol string) (marketRef, error)

// assetLookup resolves an asset symbol (unknown_asset when there is none).
type assetLookup func(symbol string) (assetRef, error)

// orderRequest is the body of POST /v1/orders and a batch's place item.
// Amounts and prices are decimal strings; expires_at is RFC 3339.
type orderRequest struct {
	Market        string `json:"market"`
	Side          string `json:"side"` // buy, sell
	Type          string `json:"type"` // limit, market
	Price         string `json:"price"`
	Size          string `json:"size"`
	QuoteAmount   string `json:"quote_amount"`
	TimeInForce   string `json:"time_in_force"` // gtc, ioc, fok, gtd
	ExpiresAt     string `json:"expires_at"`
	PostOnly      bool   `json:"post_only"`
	STP           string `json:"stp"` // cancel_taker, cancel_maker, cancel_both
	ClientOrderID string `json:"client_order_id"`
}

// decodeOrder reads a placement: a CmdPlaceOrder without its Account, or
// the 4xx that refuses it. now is the clock a GTD expiry must be after.
func decodeOrder(body []byte, markets marketLookup, now time.Time) (engine.Command, error) {
	var req orderRequest
	if err := decodeStrict(body, &req); err != nil {
		return engine.Command{}, err
	}
	return req.command(markets, now)
}

// command checks every field of a placement against its market's rules,
// as the engine would (but for balances, the book and duplicate client
// order ids, which only the engine knows).
func (r *orderRequest) command(markets marketLookup, now time.Time) (engine.Command, error) {
	fail := func(err error) (engine.Command, error) { return engine.Command{}, err }
	if r.Market == "" {
		return fail(errMissing("market"))
	}
	m, err := markets(r.Market)
	if err != nil {
		return fail(err)
	}
	cmd := engine.Command{Kind: engine.CmdPlaceOrder, Market: m.ID, PostOnly: r.PostOnly}
	switch r.Side {
	case "buy":
		cmd.Side = engine.Buy
	case "sell":
		cmd.Side = engine.Sell
	case "":
		return fail(errMissing("side"))
	default:
		return fail(Errorf("invalid_side", "field \"side\" must be \"buy\" or \"sell\", not %q", clip(r.Side)))
	}
	switch r.Type {
	case "limit":
		cmd.Type = engine.Limit
	case "market":
		cmd.Type = engine.Market
	case "":
		return fail(errMissing("type"))
	default:
		return fail(Errorf("invalid_order_type", "field \"type\" must be \"limit\" or \"market\", not %q", clip(r.Type)))
	}
	switch r.TimeInForce {
	case "":
		cmd.TIF = engine.GTC
		if cmd.Type == engine.Market {
			cmd.TIF = engine.IOC
		}
	case "gtc":
		cmd.TIF = engine.GTC
	case "ioc":
		cmd.TIF = engine.IOC
	case "fok":
		cmd.TIF = engine.FOK
	case "gtd":
		cmd.TIF = engine.GTD
	default:
		return fail(Errorf("invalid_time_in_force", "field \"time_in_force\" must be \"gtc\", \"ioc\", \"fok\" or \"gtd\", not %q", clip(r.TimeInForce)))
	}
	switch {
	case cmd.Type == engine.Market && (cmd.TIF == engine.GTC || cmd.TIF == engine.GTD):
		return fail(Errorf("invalid_time_in_force", "a market order is ioc or fok; it never rests"))
	case cmd.PostOnly && (cmd.TIF == engine.IOC || cmd.TIF == engine.FOK):
		return fail(Errorf("invalid_time_in_force", "a post-only order rests: its time_in_force is gtc or gtd"))
	case cmd.TIF == engine.FOK && r.QuoteAmount != "":
		return fail(Errorf("invalid_time_in_force", "a market buy by quote_amount cannot be fok"))
	}
	switch r.STP {
	case "", "cancel_taker":
		cmd.STP = engine.CancelTaker
	case "cancel_maker":
		cmd.STP = engine.CancelMaker
	case "cancel_both":
		cmd.STP = engine.CancelBoth
	default:
		return fail(Errorf("invalid_self_trade_prevention", "field \"stp\" must be \"cancel_taker\", \"cancel_maker\" or \"cancel_both\", not %q", clip(r.STP)))
	}
	if r.ClientOrderID != "" {
		id, ok := engine.ParseClientOrderID(r.ClientOrderID)
		if !ok {
			return fail(errClientOrderID(r.ClientOrderID))
		}
		cmd.ClientOrderID = id
	}
	if cmd.TIF == engine.GTD {
		if r.ExpiresAt == "" {
			return fail(Errorf("missing_field", "field \"expires_at\" is required for a gtd order"))
		}
		t, err := time.Parse(time.RFC3339Nano, r.ExpiresAt)
		switch {
		case err != nil:
			return fail(Errorf("invalid_expiry", "field \"expires_at\" must be an RFC 3339 time such as \"2030-01-02T15:04:05Z\", not %q", clip(r.ExpiresAt)))
		case !t.After(now) || t.After(time.Unix(0, 1<<63-1)):
			return fail(Errorf("invalid_expiry", "field \"expires_at\" must be in the future (and before 2262): %s", r.ExpiresAt))
		}
		cmd.ExpiresAt = t.UnixNano()
	} else if r.ExpiresAt != "" {
		return fail(Errorf("invalid_expiry", "only a gtd order has expires_at"))
	}
	if cmd.Type == engine.Limit {
		if cmd.Price, err = parsePositive("price", r.Price, m.PriceScale); err != nil {
			return fail(err)
		}
		if cmd.Price%m.Tick != 0 {
			return fail(Errorf("price_off_tick", "price %s is not a multiple of the tick %s", r.Price, formatUnits(m.Tick, m.PriceScale)))
		}
	} else if r.Price != "" {
		return fail(Errorf("invalid_price", "a market order has no price"))
	}
	if r.QuoteAmount != "" {
		switch {
		case cmd.Type != engine.Market || cmd.Side != engine.Buy:
			return fail(Errorf("invalid_amount", "only a market buy spends a quote_amount"))
		case r.Size != "":
			return fail(Errorf("invalid_size", "give size or quote_amount, not both"))
		}
		if cmd.QuoteAmount, err = parsePositive("quote_amount", r.QuoteAmount, m.Quote.Scale); err != nil {
			return fail(err)
		}
		return cmd, nil
	}
	if cmd.Size, err = parsePositive("size", r.Size, m.Base.Scale); err != nil {
		return fail(err)
	}
	if err := checkSize(m, cmd.Size, r.Size); err != nil {
		return fail(err)
	}
	return cmd, nil
}

// checkSize checks a size (in base units) against the market's lot and
// minimum, as the engine does.
func checkSize(m marketRef, size int64, given string) error {
	switch {
	case size%m.Lot != 0:
		return Errorf("size_off_lot", "size %s is not a multiple of the lot %s", given, formatUnits(m.Lot, m.Base.Scale))
	case size < m.MinSize:
		return Errorf("size_below_minimum", "size %s is below the minimum %s", given, formatUnits(m.MinSize, m.Base.Scale))
	}
	return nil
}

func errClientOrderID(s string) error {
	return Errorf("invalid_client_order_id", "field \"client_order_id\" must be 1 to 36 printable ASCII characters without spaces, not %q", clip(s))
}

// amendRequest is the body of PATCH /v1/orders/:id: a new price, a new
// total size (filled part included), or both.
type amendRequest struct {
	Price string `json:"price"`
	Size  string `json:"size"`
}

// command checks an amendment of an order of m.
func (r *amendRequest) command(m marketRef) (price, size int64, err error) {
	if r.Price == "" && r.Size == "" {
		return 0, 0, Errorf("missing_field", "give a new price, a new size or both")
	}
	if r.Price != "" {
		if price, err = parsePositive("price", r.Price, m.PriceScale); err != nil {
			return 0, 0, err
		}
		if price%m.Tick != 0 {
			return 0, 0, Errorf("price_off_tick", "price %s is not a multiple of the tick %s", r.Price, formatUnits(m.Tick, m.PriceScale))
		}
	}
	if r.Size != "" {
		if size, err = parsePositive("size", r.Size, m.Base.Scale); err != nil {
			return 0, 0, err
		}
		if err := checkSize(m, size, r.Size); err != nil {
			return 0, 0, err
		}
	}
	return price, size, nil
}

// batchRequest is the body of POST /v1/orders/batch.
type batchRequest struct {
	Orders []json.RawMessage `json:"orders"`
}

// batchItemRequest is one item: a placement (action "place" and the
// fields of orderRequest) or a cancel (action "cancel" and id or
// client_order_id).
type batchItemRequest struct {
	Action string `json:"action"`
	ID     string `json:"id"`
	orderRequest
}

// batchEntry is one decoded item: its command, or why it is refused.
type batchEntry struct {
	Action string
	Cmd    engine.Command
	Err    error
}

// decodeBatch reads a batch. An error refuses the whole batch (malformed
// JSON, no items, too many); an item that is refused on its own carries
// its error in its entry and is not submitted.
func decodeBatch(body []byte, markets marketLookup, now time.Time) ([]batchEntry, error) {
	var req batchRequest
	if err := decodeStrict(body, &req); err != nil {
		return nil, err
	}
	switch {
	case len(req.Orders) == 0:
		return nil, errMissing("orders")
	case len(req.Orders) > engine.MaxBatchItems:
		return nil, Errorf("batch_too_large", "a batch holds at most %d items, not %d", engine.MaxBatchItems, len(req.Orders))
	}
	entries := make([]batchEntry, len(req.Orders))
	for i, raw := range req.Orders {
		var item batchItemRequest
		if err := decodeStrict(raw, &item); err != nil {
			entries[i] = batchEntry{Err: err}
			continue
		}
		entries[i].Action = item.Action
		entries[i].Cmd, entries[i].Err = item.command(markets, now)
	}
	return entries, nil
}

func (r *batchItemRequest) command(markets marketLookup, now time.Time) (engine.Command, error) {
	switch r.Action {
	case "place":
		if r.ID != "" {
			return engine.Command{}, Errorf("invalid_request", "a place item has no id")
		}
		return r.orderRequest.command(markets, now)
	case "cancel":
		o := r.orderRequest
		if o.Market != "" || o.Side != "" || o.Type != "" || o.Price != "" || o.Size != "" || o.QuoteAmount != "" ||
			o.TimeInForce != "" || o.ExpiresAt != "" || o.PostOnly || o.STP != "" {
			return engine.Command{}, Errorf("invalid_request", "a cancel item has only id or client_order_id")
		}
		cmd := engine.Command{Kind: engine.CmdCancelOrder}
		switch {
		case r.ID != "" && o.ClientOrderID != "":
			return engine.Command{}, Errorf("invalid_request", "a cancel item has id or client_order_id, not both")
		case r.ID != "":
			id, err := strconv.ParseUint(r.ID, 10, 64)
			if err != nil || id == 0 {
				return engine.Command{}, errUnknownOrder()
			}
			cmd.Order = engine.OrderID(id)
		case o.ClientOrderID != "":
			id, ok := engine.ParseClientOrderID(o.ClientOrderID)
			if !ok {
				return engine.Command{}, errClientOrderID(o.ClientOrderID)
			}
			cmd.ClientOrderID = id
		default:
			return engine.Command{}, Errorf("missing_field", "a cancel item needs id or client_order_id")
		}
		return cmd, nil
	case "":
		return engine.Command{}, errMissing("action")
	}
	return engine.Command{}, Errorf("invalid_action", "field \"action\" must be \"place\" or \"cancel\", not %q", clip(r.Action))
}

// swapRequest is the body of POST /v1/swaps.
type swapRequest struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Amount     string `json:"amount"`      // the most to spend, in from
	MinReceive string `json:"min_receive"` // optional, in to
}

// decodeSwap reads a swap: a CmdSwap without its Account, or the 4xx that
// refuses it.
func decodeSwap(body []byte, assets assetLookup) (engine.Command, error) {
	var req swapRequest
	if err := decodeStrict(body, &req); err != nil {
		return engine.Command{}, err
	}
	return swapCommand(req, assets)
}

// swapCommand checks a swap (or, with no min_receive, a quote).
func swapCommand(r swapRequest, assets assetLookup) (engine.Command, error) {
	fail := func(err error) (engine.Command, error) { return engine.Command{}, err }
	switch {
	case r.From == "":
		return fail(errMissing("from"))
	case r.To == "":
		return fail(errMissing("to"))
	}
	from, err := assets(r.From)
	if err != nil {
		return fail(err)
	}
	to, err := assets(r.To)
	if err != nil {
		return fail(err)
	}
	if from.ID == to.ID {
		return fail(Errorf("same_asset", "from and to are the same asset"))
	}
	cmd := engine.Command{Kind: engine.CmdSwap, Asset: from.ID, ToAsset: to.ID}
	if cmd.Amount, err = parsePositive("amount", r.Amount, from.Scale); err != nil {
		return fail(err)
	}
	if r.MinReceive != "" {
		if cmd.MinReceive, err = parseUnits("min_receive", r.MinReceive, to.Scale); err != nil {
			return fail(err)
		}
	}
	return cmd, nil
}
