package loadtest

import (
	"context"
	"time"
)

// placer sends a placement, over REST or the WebSocket.
type placer func(ctx context.Context, req orderRequest, ans *placedAnswer) error

// restPlacer places with POST /v1/orders.
func restPlacer(a *account) placer {
	return func(ctx context.Context, req orderRequest, ans *placedAnswer) error {
		return a.Client.Do(ctx, "POST", "/v1/orders", req, ans)
	}
}

// placeOrder places a limit order of lots at price for a, measured as op,
// and records what the answer said. It returns the order if it was
// acknowledged, and when the answer came on the run's clock.
func (r *run) placeOrder(a *account, op string, place placer, mk *market, side string, price int64, lots int, tif, cid string) (*orderSeen, time.Duration) {
	if !r.takePlacement() {
		return nil, 0
	}
	req := orderRequest{Market: mk.Symbol, Side: side, Type: "limit", Price: mk.price(price), Size: mk.size(lots), TimeInForce: tif, ClientOrderID: cid}
	o := &orderSeen{ClientID: cid, Market: mk.Symbol, Side: side, Price: price, Size: int64(lots) * mk.Lot}
	ctx, cancel := r.call()
	defer cancel()
	began := time.Now()
	var ans placedAnswer
	err := place(ctx, req, &ans)
	answered := r.clock()
	if r.rec.done(op, began, err) != outcomeOK {
		if mayHaveApplied(err) {
			a.mayHavePlaced(o)
		}
		return nil, answered
	}
	o.ID, o.Open = ans.ID, ans.Status == "open"
	if !o.Open {
		filled, perr := parseField("filled", ans.Filled, mk.Base.Scale)
		o.Filled, o.Known = filled, perr == nil
	}
	a.placed(o, ans.Fills)
	return o, answered
}

// noteCancel records the outcome of a cancel of o, measured as op.
func (r *run) noteCancel(a *account, op string, began time.Time, err error, o *orderSeen, ans canceledAnswer) {
	switch r.rec.done(op, began, err, "unknown_order") {
	case outcomeOK:
		mk := r.bySymbol[o.Market]
		if remaining, perr := parseField("remaining", ans.Remaining, mk.Base.Scale); perr == nil {
			a.canceled(o.ID, remaining)
		} else {
			a.unsure(o.ID)
		}
	case outcomeGone:
		a.gone(o.ID)
	default:
		if mayHaveApplied(err) {
			a.unsure(o.ID)
		}
	}
}

// cancelAll cancels every order of a with call, retried until answered,
// and records the answer: the orders it lists left the book with what
// they had left, and those a believed open but not listed had filled. If
// an attempt went unanswered, an earlier one may have cancelled what the
// answer does not list: those orders become uncertain instead.
func (r *run) cancelAll(ctx context.Context, a *account, call func(context.Context, *canceledAllAnswer) error) error {
	var all canceledAllAnswer
	unanswered := false
	err := withRetries(ctx, r.cfg.Timeout, true, func(ctx context.Context) error {
		all = canceledAllAnswer{}
		err := call(ctx, &all)
		if err != nil && mayHaveApplied(err) {
			unanswered = true
		}
		return err
	})
	if err != nil {
		for _, o := range a.openOrders() {
			a.unsure(o.ID)
		}
		return err
	}
	listed := map[string]bool{}
	for _, c := range all.Canceled {
		mk := r.bySymbol[c.Market]
		if mk == nil {
			continue // another market's: not the run's order
		}
		listed[c.ID] = true
		if remaining, perr := parseField("remaining", c.Remaining, mk.Base.Scale); perr == nil {
			a.canceled(c.ID, remaining)
		} else {
			a.unsure(c.ID)
		}
	}
	for _, o := range a.openOrders() {
		switch {
		case listed[o.ID]:
		case unanswered:
			a.unsure(o.ID)
		default:
			a.gone(o.ID)
		}
	}
	return nil
}

// barrierOrder places a buy of one lot at one tick, which nothing of the
// run reaches, outside the measures; the settling cancels it and waits
// for the cancel to show.
func (r *run) barrierOrder(ctx context.Context, a *account, mk *market, cid string, place placer) (*orderSeen, error) {
	req := orderRequest{Market: mk.Symbol, Side: "buy", Type: "limit", Price: mk.price(mk.Tick), Size: mk.size(1), TimeInForce: "gtc", ClientOrderID: cid}
	var ans placedAnswer
	if err := withRetries(ctx, r.cfg.Timeout, false, func(ctx context.Context) error { return place(ctx, req, &ans) }); err != nil {
		return nil, err
	}
	o := &orderSeen{ID: ans.ID, ClientID: cid, Market: mk.Symbol, Side: "buy", Price: mk.Tick, Size: mk.Lot, Open: ans.Status == "open"}
	if !o.Open {
		o.Filled, _ = parseField("filled", ans.Filled, mk.Base.Scale)
		o.Known = true
	}
	a.placed(o, ans.Fills)
	return o, nil
}
