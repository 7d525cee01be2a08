package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// OrderStore is the SQL history of orders and fills. *sqlstore.DB is one.
type OrderStore interface {
	Order(ctx context.Context, id uint64) (sqlstore.OrderRow, error)
	ListOrders(ctx context.Context, account uint32, q sqlstore.OrderQuery) ([]sqlstore.OrderRow, error)
	Fills(ctx context.Context, account uint32, after *sqlstore.HistoryCursor, limit int) ([]sqlstore.Fill, error)
}

// Page sizes of the order and fill lists.
const (
	tradingPageDefault = 50
	tradingPageMax     = 100
	// clientIDScan is how many of an account's newest open orders, then
	// newest orders, the history is searched for a client order id.
	clientIDScan = sqlstore.MaxPageSize
	// maxListScans bounds the history pages one list request reads when it
	// filters rows itself (status=closed).
	maxListScans = 10
)

// Bounds of cancel-all-after's timeout.
const (
	minDeadmanTimeout = time.Second
	maxDeadmanTimeout = 10 * time.Minute
)

func errUnknownOrder() error {
	return Errorf("unknown_order", "no order of yours has this id")
}

// lookupMarket resolves market symbols for the decoders.
func (s *Server) lookupMarket(c *fiber.Ctx) marketLookup { return s.marketsIn(c.UserContext()) }

// marketsIn resolves market symbols within ctx.
func (s *Server) marketsIn(ctx context.Context) marketLookup {
	return func(symbol string) (marketRef, error) { return s.market(ctx, symbol) }
}

// marketOf resolves a market id, for the event views.
func (s *Server) marketOf(c *fiber.Ctx) func(engine.MarketID) (marketRef, bool) {
	return s.marketsByID(c.UserContext())
}

// marketsByID resolves market ids within ctx, for the event views.
func (s *Server) marketsByID(ctx context.Context) func(engine.MarketID) (marketRef, bool) {
	return func(id engine.MarketID) (marketRef, bool) {
		m, err := s.marketByID(ctx, id)
		return m, err == nil
	}
}

func callerAccount(c *fiber.Ctx) engine.AccountID { return engine.AccountID(who(c).Account) }

// orderIDParam reads the order id of the path; anything but a positive
// integer is an unknown order.
func orderIDParam(c *fiber.Ctx) (engine.OrderID, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, errUnknownOrder()
	}
	return engine.OrderID(id), nil
}

// clientIDParam reads the client order id of the path (percent-decoded).
func clientIDParam(c *fiber.Ctx) (engine.ClientOrderID, error) {
	raw, err := url.PathUnescape(c.Params("client_order_id"))
	if err != nil {
		return engine.ClientOrderID{}, errUnknownOrder()
	}
	id, ok := engine.ParseClientOrderID(raw)
	if !ok {
		return engine.ClientOrderID{}, errUnknownOrder()
	}
	return id, nil
}

// ownResting returns the caller's resting order id: an unknown id,
// another account's or a closed order is unknown_order.
func (s *Server) ownResting(c *fiber.Ctx, id engine.OrderID) (engine.OrderInfo, marketRef, error) {
	var o engine.OrderInfo
	var ok bool
	if err := s.read(c, func(e *engine.Engine) { o, ok = e.Order(id) }); err != nil {
		return o, marketRef{}, err
	}
	if !ok || o.Account != callerAccount(c) {
		return o, marketRef{}, errUnknownOrder()
	}
	m, err := s.marketByID(c.UserContext(), o.Market)
	return o, m, err
}

// getBalances answers every asset the caller holds, from the engine.
func (s *Server) getBalances(c *fiber.Ctx) error {
	assets, _, err := s.allRefs(c.UserContext())
	if err != nil {
		return err
	}
	acct := callerAccount(c)
	bal := make([][2]int64, len(assets))
	if err := s.read(c, func(e *engine.Engine) {
		for i, a := range assets {
			bal[i][0], bal[i][1] = e.Balance(acct, a.ID)
		}
	}); err != nil {
		return err
	}
	type balanceView struct {
		Asset     string `json:"asset"`
		Available string `json:"available"`
		Held      string `json:"held"`
		Total     string `json:"total"`
	}
	out := []balanceView{}
	for i, a := range assets {
		avail, held := bal[i][0], bal[i][1]
		if avail == 0 && held == 0 {
			continue
		}
		out = append(out, balanceView{Asset: a.Symbol, Available: formatUnits(avail, a.Scale), Held: formatUnits(held, a.Scale),
			Total: decimalSum(avail, held, a.Scale)})
	}
	return c.JSON(fiber.Map{"balances": out})
}

// decimalSum formats a+b exactly (it may pass an int64).
func decimalSum(a, b int64, scale uint8) string {
	return decimal.New(a, -int32(scale)).Add(decimal.New(b, -int32(scale))).StringFixed(int32(scale))
}

// placeOrder places an order and answers it as its events left it (201).
func (s *Server) placeOrder(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	cmd, err := decodeOrder(body, s.lookupMarket(c), s.cfg.Now())
	if err != nil {
		return err
	}
	cmd.Account, cmd.Session = callerAccount(c), who(c).Session
	evs, err := s.submit(c, cmd)
	if err != nil {
		return err
	}
	m, err := s.marketByID(c.UserContext(), cmd.Market)
	if err != nil {
		return err
	}
	v, ok := placedOrder(m, evs, 0)
	if !ok {
		return fmt.Errorf("api: place order: no accepted order among %d events", len(evs))
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

// getOrder answers one of the caller's orders: from the engine while it
// rests, else from the history.
func (s *Server) getOrder(c *fiber.Ctx) error {
	id, err := orderIDParam(c)
	if err != nil {
		return err
	}
	var o engine.OrderInfo
	var resting bool
	if err := s.read(c, func(e *engine.Engine) { o, resting = e.Order(id) }); err != nil {
		return err
	}
	if resting {
		return s.answerResting(c, o)
	}
	return s.answerHistory(c, uint64(id))
}

// answerResting answers a resting order, with its times from the history
// once it has it.
func (s *Server) answerResting(c *fiber.Ctx, o engine.OrderInfo) error {
	if o.Account != callerAccount(c) {
		return errUnknownOrder()
	}
	m, err := s.marketByID(c.UserContext(), o.Market)
	if err != nil {
		return err
	}
	v := restingOrder(m, o)
	ctx, cancel := s.ctx(c)
	defer cancel()
	row, err := s.deps.Store.Order(ctx, uint64(o.ID))
	switch {
	case err == nil:
		v.CreatedAt, v.UpdatedAt = rfc3339(row.CreatedAt), rfc3339(row.UpdatedAt)
	case !errors.Is(err, sqlstore.ErrNotFound):
		return err
	}
	return c.JSON(v)
}

// answerHistory answers an order that no longer rests, from the history.
func (s *Server) answerHistory(c *fiber.Ctx, id uint64) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	row, err := s.deps.Store.Order(ctx, id)
	if errors.Is(err, sqlstore.ErrNotFound) || err == nil && row.Account != who(c).Account {
		return errUnknownOrder()
	}
	if err != nil {
		return err
	}
	m, err := s.marketByID(c.UserContext(), engine.MarketID(row.Market))
	if err != nil {
		return err
	}
	return c.JSON(historyOrder(m, row))
}

// getOrderByClientID answers the caller's order with a client order id:
// its open order with it if there is one, else its newest order with it
// among its latest clientIDScan. The history says which order has the id
// (so this may miss an order placed a few milliseconds ago); the engine
// says how an open one stands now.
func (s *Server) getOrderByClientID(c *fiber.Ctx) error {
	cid, err := clientIDParam(c)
	if err != nil {
		return err
	}
	acct := who(c).Account
	var o engine.OrderInfo
	var resting bool
	if err := s.read(c, func(e *engine.Engine) { o, resting = e.OrderByClientID(engine.AccountID(acct), cid) }); err != nil {
		return err
	}
	if resting {
		return s.answerResting(c, o)
	}
	want := cid.String()
	ctx, cancel := s.ctx(c)
	defer cancel()
	for _, status := range []string{"open", ""} {
		rows, err := s.deps.Store.ListOrders(ctx, acct, sqlstore.OrderQuery{Status: status, Limit: clientIDScan})
		if err != nil {
			return err
		}
		for _, row := range rows {
			if row.ClientOrderID != want {
				continue
			}
			if row.Status == "open" {
				var o engine.OrderInfo
				var resting bool
				if err := s.read(c, func(e *engine.Engine) { o, resting = e.Order(engine.OrderID(row.ID)) }); err != nil {
					return err
				}
				if resting && o.Account == engine.AccountID(acct) {
					return s.answerResting(c, o)
				}
			}
			m, err := s.marketByID(c.UserContext(), engine.MarketID(row.Market))
			if err != nil {
				return err
			}
			return c.JSON(historyOrder(m, row))
		}
	}
	return errUnknownOrder()
}

// listOrders answers a page of the caller's orders from the history,
// newest first: ?status=open|closed|all (default all; also filled,
// canceled or expired), ?market=, ?limit= (1..100, default 50) and
// ?cursor= (the next_cursor of the previous page). A page may hold fewer
// than limit orders when closed ones are sparse; next_cursor is null at
// the end.
func (s *Server) listOrders(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", tradingPageDefault, 1, tradingPageMax)
	if err != nil {
		return err
	}
	q := sqlstore.OrderQuery{Limit: limit + 1}
	keep := func(sqlstore.OrderRow) bool { return true }
	switch st := c.Query("status", "all"); st {
	case "all":
	case "open", "filled", "canceled", "expired":
		q.Status = st
	case "closed":
		keep = func(o sqlstore.OrderRow) bool { return o.Status != "open" }
	default:
		return Errorf("invalid_parameter", "query parameter \"status\" must be open, closed, all, filled, canceled or expired, not %q", clip(st))
	}
	if sym := c.Query("market"); sym != "" {
		m, err := s.market(c.UserContext(), sym)
		if err != nil {
			return err
		}
		q.Market = uint32(m.ID)
	}
	if cur := c.Query("cursor"); cur != "" {
		v, err := decodeCursor(cur, "orders", 1)
		if err != nil {
			return err
		}
		q.After = v[0]
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	acct := who(c).Account
	out := []orderView{}
	var last uint64 // where the next page starts after
	more := false
	for scans := 1; ; scans++ {
		rows, err := s.deps.Store.ListOrders(ctx, acct, q)
		if errors.Is(err, sqlstore.ErrNotFound) {
			return errCursor()
		}
		if err != nil {
			return err
		}
		for _, row := range rows {
			if !keep(row) {
				q.After = row.ID
				continue
			}
			if len(out) == limit {
				more = true
				break
			}
			m, err := s.marketByID(c.UserContext(), engine.MarketID(row.Market))
			if err != nil {
				return err
			}
			out = append(out, historyOrder(m, row))
			q.After, last = row.ID, row.ID
		}
		if more || len(rows) < q.Limit {
			break
		}
		if scans == maxListScans {
			more, last = true, q.After
			break
		}
	}
	var next *string
	if more {
		cur := encodeCursor("orders", last)
		next = &cur
	}
	return c.JSON(fiber.Map{"orders": out, "next_cursor": next})
}

// listFills answers a page of the caller's fills from the history, newest
// first: ?limit= (1..100, default 50) and ?cursor=.
func (s *Server) listFills(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", tradingPageDefault, 1, tradingPageMax)
	if err != nil {
		return err
	}
	var after *sqlstore.HistoryCursor
	if cur := c.Query("cursor"); cur != "" {
		v, err := decodeCursor(cur, "fills", 2)
		if err != nil {
			return err
		}
		if v[1] > 1<<32-1 {
			return errCursor()
		}
		after = &sqlstore.HistoryCursor{Seq: v[0], Idx: uint32(v[1])}
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	fills, err := s.deps.Store.Fills(ctx, who(c).Account, after, limit+1)
	if err != nil {
		return err
	}
	var next *string
	if len(fills) > limit {
		fills = fills[:limit]
		last := fills[limit-1]
		cur := encodeCursor("fills", last.Seq, uint64(last.Idx))
		next = &cur
	}
	out := make([]fillView, len(fills))
	for i, f := range fills {
		m, err := s.marketByID(c.UserContext(), engine.MarketID(f.Market))
		if err != nil {
			return err
		}
		out[i] = historyFill(m, f)
	}
	return c.JSON(fiber.Map{"fills": out, "next_cursor": next})
}

// A cursor is opaque to clients: base64url of the list's kind, a colon
// and numbers separated by dots (the form of the other lists' cursors).
func encodeCursor(kind string, vals ...uint64) string {
	b := append([]byte(kind), ':')
	for i, v := range vals {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, v, 10)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor of kind holding n numbers.
func decodeCursor(s string, kind string, n int) ([]uint64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 128 {
		return nil, errCursor()
	}
	payload, ok := strings.CutPrefix(string(raw), kind+":")
	parts := strings.Split(payload, ".")
	if !ok || len(parts) != n {
		return nil, errCursor()
	}
	vals := make([]uint64, n)
	for i, p := range parts {
		if vals[i], err = strconv.ParseUint(p, 10, 64); err != nil {
			return nil, errCursor()
		}
	}
	return vals, nil
}

func errCursor() error {
	return Errorf("invalid_cursor", "query parameter \"cursor\" is not a next_cursor this list answered")
}

// amendOrder changes the price or size of one of the caller's resting
// orders and answers the order after it.
func (s *Server) amendOrder(c *fiber.Ctx) error {
	id, err := orderIDParam(c)
	if err != nil {
		return err
	}
	var req amendRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, m, err := s.ownResting(c, id)
	if err != nil {
		return err
	}
	price, size, err := req.command(m)
	if err != nil {
		return err
	}
	evs, err := s.submit(c, engine.Command{Kind: engine.CmdAmendOrder, Account: callerAccount(c), Order: id, Price: price, Size: size})
	if err != nil {
		return err
	}
	return c.JSON(amendedOrder(m, o, evs))
}

// amendedOrder builds the answer to an amendment of o from its events.
func amendedOrder(m marketRef, o engine.OrderInfo, evs []engine.Event) amendedView {
	v := amendedView{orderView: restingOrder(m, o), Fills: []fillView{}}
	size, remaining, fees, traded := o.Size, o.Remaining, o.FeeCharged, int64(0)
	for i := range evs {
		ev := &evs[i]
		if ev.Item != 0 || ev.Order != o.ID {
			continue
		}
		switch ev.Kind {
		case engine.EvOrderAmended:
			v.Requeued = ev.Requeued
			v.Price = formatUnits(ev.Price, m.PriceScale)
			size, remaining = ev.Size, ev.Remaining
			v.UpdatedAt = rfc3339(ev.Time)
		case engine.EvTrade:
			remaining -= ev.Size
			traded += ev.Size
			fees += ev.Fee
			v.Fills = append(v.Fills, takerFill(m, ev))
		case engine.EvOrderDone:
			v.Status, remaining = "filled", 0
		case engine.EvOrderCanceled:
			v.Status, v.CancelReason, remaining = "canceled", ev.Reason.String(), ev.Remaining
		case engine.EvOrderExpired:
			v.Status, remaining = "expired", ev.Remaining
		}
	}
	v.Size = formatUnits(size, m.Base.Scale)
	v.Remaining = formatUnits(remaining, m.Base.Scale)
	v.Fees = formatUnits(fees, m.Quote.Scale)
	v.Filled = formatUnits(o.Size-o.Remaining+traded, m.Base.Scale)
	return v
}

// cancelOrder cancels one of the caller's resting orders.
func (s *Server) cancelOrder(c *fiber.Ctx) error {
	id, err := orderIDParam(c)
	if err != nil {
		return err
	}
	o, _, err := s.ownResting(c, id)
	if err != nil {
		return err
	}
	evs, err := s.submit(c, engine.Command{Kind: engine.CmdCancelOrder, Account: callerAccount(c), Order: id})
	if err != nil {
		return err
	}
	for _, v := range canceledOrders(s.marketOf(c), evs, 0) {
		if v.ID == idString(uint64(id)) {
			v.ClientOrderID = o.ClientOrderID.String()
			return c.JSON(v)
		}
	}
	return errUnknownOrder() // it left the book between the look and the cancel
}

// cancelOrderByClientID cancels the caller's resting order with a client
// order id (the engine finds it by the id).
func (s *Server) cancelOrderByClientID(c *fiber.Ctx) error {
	cid, err := clientIDParam(c)
	if err != nil {
		return err
	}
	// Only a resting order of the caller's is canceled: an unknown client
	// order id is answered without journaling anything.
	var o engine.OrderInfo
	var resting bool
	if err := s.read(c, func(e *engine.Engine) { o, resting = e.OrderByClientID(callerAccount(c), cid) }); err != nil {
		return err
	}
	if !resting {
		return Errorf("unknown_order", "no open order with client order id %q", cid.String())
	}
	evs, err := s.submit(c, engine.Command{Kind: engine.CmdCancelOrder, Account: callerAccount(c), Order: o.ID})
	if err != nil {
		return err
	}
	canceled := canceledOrders(s.marketOf(c), evs, 0)
	if len(canceled) != 1 {
		return fmt.Errorf("api: cancel by client order id: %d cancels among %d events", len(canceled), len(evs))
	}
	canceled[0].ClientOrderID = cid.String()
	return c.JSON(canceled[0])
}

// cancelAll cancels every resting order of the caller, in ?market= only
// if given.
func (s *Server) cancelAll(c *fiber.Ctx) error {
	cmd := engine.Command{Kind: engine.CmdCancelAll, Account: callerAccount(c)}
	if sym := c.Query("market"); sym != "" {
		m, err := s.market(c.UserContext(), sym)
		if err != nil {
			return err
		}
		cmd.Market = m.ID
	}
	evs, err := s.submit(c, cmd)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"canceled": canceledOrders(s.marketOf(c), evs, 0)})
}

// batchResult is one item's answer in a batch: the status it would have
// had alone, and its order or its error.
type batchResult struct {
	Action string `json:"action"`
	Status int    `json:"status"`
	// Order is a placedView for a place, a canceledView for a cancel.
	Order any        `json:"order,omitempty"`
	Error *errorView `json:"error,omitempty"`
}

type errorView struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func itemError(action string, err error) batchResult {
	e, ok := errorOf(err)
	if !ok {
		e = &Error{Status: fiber.StatusInternalServerError, Code: "internal", Message: "internal error"}
	}
	return batchResult{Action: action, Status: e.Status, Error: &errorView{Code: e.Code, Message: e.Message}}
}

// batchOrders applies up to engine.MaxBatchItems places and cancels in
// order, in one command: each item succeeds or fails on its own. Items the
// API refuses are answered with their error and not submitted.
func (s *Server) batchOrders(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	entries, err := decodeBatch(body, s.lookupMarket(c), s.cfg.Now())
	if err != nil {
		return err
	}
	results := make([]batchResult, len(entries))
	batch := engine.Command{Kind: engine.CmdBatch, Account: callerAccount(c)}
	submitted := make([]int, 0, len(entries)) // batch item (0-based) -> entry
	for i, en := range entries {
		if en.Err != nil {
			results[i] = itemError(en.Action, en.Err)
			continue
		}
		if en.Cmd.Kind == engine.CmdPlaceOrder {
			en.Cmd.Session = who(c).Session // the WebSocket session placing it, if any
		}
		batch.Batch = append(batch.Batch, en.Cmd)
		submitted = append(submitted, i)
	}
	if len(batch.Batch) == 0 {
		return c.JSON(fiber.Map{"results": results})
	}
	evs, err := s.submit(c, batch)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Kind == engine.EvRejected && ev.Item == 0 {
			return engineError(ev.Code, engine.CmdBatch)
		}
	}
	markets := s.marketOf(c)
	for j, i := range submitted {
		item := uint16(j + 1)
		en := entries[i]
		results[i] = s.batchItemResult(en, evs, item, markets)
	}
	return c.JSON(fiber.Map{"results": results})
}

func (s *Server) batchItemResult(en batchEntry, evs []engine.Event, item uint16, markets func(engine.MarketID) (marketRef, bool)) batchResult {
	for _, ev := range evs {
		if ev.Item == item && ev.Kind == engine.EvRejected {
			return itemError(en.Action, engineError(ev.Code, en.Cmd.Kind))
		}
	}
	switch en.Cmd.Kind {
	case engine.CmdPlaceOrder:
		m, ok := markets(en.Cmd.Market)
		if v, placed := placedOrder(m, evs, item); ok && placed {
			return batchResult{Action: en.Action, Status: fiber.StatusCreated, Order: v}
		}
	case engine.CmdCancelOrder:
		if canceled := canceledOrders(markets, evs, item); len(canceled) == 1 {
			if !en.Cmd.ClientOrderID.IsZero() {
				canceled[0].ClientOrderID = en.Cmd.ClientOrderID.String()
			}
			return batchResult{Action: en.Action, Status: fiber.StatusOK, Order: canceled[0]}
		}
	}
	return itemError(en.Action, fmt.Errorf("api: batch item %d: no outcome among the events", item))
}

// cancelAllAfterRequest is the body of POST /v1/orders/cancel-all-after.
type cancelAllAfterRequest struct {
	TimeoutMS *int64 `json:"timeout_ms"`
	Market    string `json:"market"`
}

// cancelAllAfter arms (or with timeout_ms 0 disarms) the caller's dead-man
// switch for one market or all: unless armed again in time, the engine
// cancels the caller's resting orders there when the timeout has passed.
func (s *Server) cancelAllAfter(c *fiber.Ctx) error {
	var req cancelAllAfterRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.TimeoutMS == nil {
		return errMissing("timeout_ms")
	}
	timeout := time.Duration(*req.TimeoutMS) * time.Millisecond
	if *req.TimeoutMS != 0 && (*req.TimeoutMS < minDeadmanTimeout.Milliseconds() || *req.TimeoutMS > maxDeadmanTimeout.Milliseconds()) {
		return Errorf("invalid_timeout", "field \"timeout_ms\" must be 0 (disarm) or from %d to %d, not %d",
			minDeadmanTimeout.Milliseconds(), maxDeadmanTimeout.Milliseconds(), *req.TimeoutMS)
	}
	cmd := engine.Command{Kind: engine.CmdCancelAllAfter, Account: callerAccount(c)}
	market := ""
	if req.Market != "" {
		m, err := s.market(c.UserContext(), req.Market)
		if err != nil {
			return err
		}
		cmd.Market, market = m.ID, m.Symbol
	}
	if timeout > 0 {
		cmd.ExpiresAt = s.cfg.Now().Add(timeout).UnixNano()
	}
	evs, err := s.submit(c, cmd)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Kind == engine.EvDeadmanSet && ev.Item == 0 && ev.Reason == 0 && ev.Account == cmd.Account && ev.Market == cmd.Market {
			v := fiber.Map{"market": nullable(market), "armed": ev.ExpiresAt != 0, "timeout_ms": *req.TimeoutMS, "expires_at": nil}
			if ev.ExpiresAt != 0 {
				v["expires_at"] = rfc3339(ev.ExpiresAt)
			}
			return c.JSON(v)
		}
	}
	return fmt.Errorf("api: cancel all after: no switch set among %d events", len(evs))
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
