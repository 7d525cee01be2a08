package marketmaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/marketdata"
)

// Config is what a market maker quotes, where and how.
type Config struct {
	// Client is the server and the API key (scope trade) of the market
	// maker's own account.
	Client *client.Client
	// Markets are the markets to quote, BASE-QUOTE ("ACME-EUR").
	Markets []string
	// Spread is the distance between the best bid and the best ask quoted:
	// a price ("0.02") or basis points of the mid ("50bps").
	Spread string
	// Step is the distance between two levels of a side, in the same
	// forms; empty is one tick. It is rounded up to whole ticks.
	Step string
	// Size is each quote's size in the base asset ("10.00"), rounded down
	// to the market's lot.
	Size string
	// Levels is the number of quotes per side (default 1, at most
	// MaxLevels).
	Levels int
	// RequoteEvery is how often each market is requoted even when nothing
	// happened (default DefaultRequoteEvery).
	RequoteEvery time.Duration
	// Mids are fixed starting mids by market ("ACME-EUR": "1.25"), used
	// when the book does not have both sides without the market maker's
	// quotes.
	Mids map[string]string
	// Mid, if set, is asked before Mids in that case: it answers a mid for
	// the market, or false for none. It is called from Run's goroutine.
	Mid func(market string) (decimal.Decimal, bool)
	// DeadMan is the dead-man's switch's timeout (default DefaultDeadMan,
	// 1 s to 10 min): the quotes vanish this long after the market maker
	// stops refreshing it.
	DeadMan time.Duration
	// Log receives what it does (default: nothing).
	Log *slog.Logger
}

// Defaults and limits of Config.
const (
	DefaultRequoteEvery = 5 * time.Second
	DefaultDeadMan      = 5 * time.Second
	// MaxLevels keeps a requote within one batch (50 items): the cancels
	// and the places of both sides.
	MaxLevels = 12
)

const (
	callTimeout    = 5 * time.Second        // one WebSocket call or REST request
	cleanupTimeout = 10 * time.Second       // one call canceling the orders at the end
	minRequoteGap  = 100 * time.Millisecond // the book's conflation interval
	failedRequote  = time.Second            // wait after a batch failed as a whole
	poll           = 100 * time.Millisecond // housekeeping: due requotes, the switch
	doneLinger     = 2 * time.Second        // how long a gone order may still show in the book
	bookWait       = time.Second            // how long the first quotes wait for a book snapshot
	stableSession  = 30 * time.Second       // a session this long resets the backoff
	pushBufferSize = 1 << 14
)

// The waits between reconnections: doubling from minBackoff up to
// maxBackoff (a variable for tests).
var (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 15 * time.Second
)

// errPermanent marks an error reconnecting cannot cure (a wrong key, an
// unknown market, a size below the minimum): Run returns it.
var errPermanent = errors.New("marketmaker")

// width is a price distance: a price, or basis points of the mid.
type width struct {
	v   decimal.Decimal
	bps bool
}

// parseWidth reads "0.02" or "50bps".
func parseWidth(s string) (width, error) {
	t := strings.TrimSpace(s)
	num, bps := strings.CutSuffix(t, "bps")
	d, err := decimal.NewFromString(strings.TrimSpace(num))
	if err != nil || d.IsNegative() {
		return width{}, fmt.Errorf("%q is neither a price (\"0.02\") nor basis points (\"50bps\")", s)
	}
	return width{v: d, bps: bps}, nil
}

// at is the distance as a price at mid.
func (w width) at(mid decimal.Decimal) decimal.Decimal {
	if w.bps {
		return mid.Mul(w.v).Div(decimal.NewFromInt(10_000))
	}
	return w.v
}

// rules are a market's as GET /v1/markets and /v1/assets answer them.
type rules struct {
	symbol             string
	scales             marketdata.Scales // price scale, base asset scale
	tick, lot, minSize int64             // units
}

// quote is one order the market maker wants resting.
type quote struct {
	buy   bool
	price int64 // units of the price scale
	size  int64 // units of the base asset's scale
}

// best is the best bid and ask of others (0: none).
type best struct{ bid, ask int64 }

// maxUnits bounds prices (and spreads) computed from a mid, maxStep the
// step between levels: a quote's price stays far inside int64.
var (
	maxUnits = decimal.NewFromInt(math.MaxInt64 / 4)
	maxStep  = decimal.NewFromInt(math.MaxInt64 / 64)
)

// plan is the quotes wanted around mid (a price): levels bids from
// mid − spread/2 rounded down to the tick and asks from mid + spread/2
// rounded up, step apart (rounded up to ticks, at least one), kept off the
// others' best prices so that none would trade. Bids at or below zero are
// left out, as is everything if the mid is out of range.
func plan(r rules, mid decimal.Decimal, spread, step width, size int64, levels int, others best) []quote {
	unit := decimal.New(1, int32(r.scales.Price))
	midU := mid.Mul(unit)
	if !midU.IsPositive() || midU.GreaterThan(maxUnits) {
		return nil
	}
	tick := decimal.NewFromInt(r.tick)
	half := spread.at(mid).Mul(unit).Div(decimal.NewFromInt(2))
	if half.GreaterThan(maxUnits) {
		return nil
	}
	bid := floorTo(midU.Sub(half), tick)
	ask := ceilTo(midU.Add(half), tick)
	if ask <= bid {
		ask = bid + r.tick
	}
	stepU := max(ceilTo(decimal.Min(step.at(mid).Mul(unit), maxStep), tick), r.tick)
	if others.ask > 0 && bid >= others.ask {
		bid = others.ask - r.tick
	}
	if others.bid > 0 && ask <= others.bid {
		ask = others.bid + r.tick
	}
	qs := make([]quote, 0, 2*levels)
	for i := range int64(levels) {
		if b := bid - i*stepU; b > 0 {
			qs = append(qs, quote{buy: true, price: b, size: size})
		}
		if a := ask + i*stepU; a > 0 && a < math.MaxInt64/2 {
			qs = append(qs, quote{buy: false, price: a, size: size})
		}
	}
	return qs
}

// floorTo is d rounded down to a multiple of step, as an integer.
func floorTo(d, step decimal.Decimal) int64 {
	q, rem := d.QuoRem(step, 0)
	if rem.IsNegative() {
		q = q.Sub(decimal.NewFromInt(1))
	}
	return q.Mul(step).IntPart()
}

// ceilTo is d rounded up to a multiple of step, as an integer.
func ceilTo(d, step decimal.Decimal) int64 {
	q, rem := d.QuoRem(step, 0)
	if rem.IsPositive() {
		q = q.Add(decimal.NewFromInt(1))
	}
	return q.Mul(step).IntPart()
}

// formatUnits writes units of scale as the API's decimal string.
func formatUnits(units int64, scale uint8) string {
	return decimal.New(units, -int32(scale)).StringFixed(int32(scale))
}

// ownOrder is one of the market maker's resting orders, or one that is
// gone but may still show in the book the market maker follows.
type ownOrder struct {
	buy         bool
	price       int64
	remaining   int64
	acceptedSeq uint64 // the seq that placed it; 0 while unknown
	done        bool   // canceled, filled or expired
	doneSeq     uint64 // the seq that ended it; 0 while unknown
	doneAt      time.Time
}

// inBook reports whether the order is part of a book at seq: placed at
// or before it (or not known to be placed after it) and not ended by
// then. An order that ended at a seq still unknown counts for a while:
// counting an own order too long only hides others' liquidity at its
// price, counting it too short would take the market maker's quotes for
// others'.
func (o *ownOrder) inBook(seq uint64, now time.Time) bool {
	if o.acceptedSeq != 0 && o.acceptedSeq > seq {
		return false
	}
	if !o.done {
		return true
	}
	if o.doneSeq != 0 {
		return o.doneSeq > seq
	}
	return now.Sub(o.doneAt) < doneLinger
}

// market is one market's state in a session.
type market struct {
	rules
	size      int64 // units, on the lot
	book      client.Book
	own       map[string]*ownOrder // by order id
	target    []quote              // what the last requote aimed at
	due       bool                 // a requote is wanted
	notBefore time.Time            // no requote before then
	armedAt   time.Time            // the dead-man's switch was last armed
	noMid     bool                 // said that there is no mid
}

// othersBest is the best bid and ask of the book without the market
// maker's own orders in it.
func (m *market) othersBest(now time.Time) best {
	if !m.book.Ready() {
		return best{}
	}
	seq := m.book.Seq()
	ownBids, ownAsks := map[int64]int64{}, map[int64]int64{}
	for _, o := range m.own {
		if o.inBook(seq, now) {
			if o.buy {
				ownBids[o.price] += o.remaining
			} else {
				ownAsks[o.price] += o.remaining
			}
		}
	}
	d := m.book.Depth(0)
	var b best
	for _, l := range d.Bids {
		if l.Size > ownBids[l.Price] {
			b.bid = l.Price
			break
		}
	}
	for _, l := range d.Asks {
		if l.Size > ownAsks[l.Price] {
			b.ask = l.Price
			break
		}
	}
	return b
}

// prune forgets gone orders the book no longer shows.
func (m *market) prune(now time.Time) {
	seq := m.book.Seq()
	for id, o := range m.own {
		if o.done && ((o.doneSeq != 0 && o.doneSeq <= seq) || now.Sub(o.doneAt) >= doneLinger) {
			delete(m.own, id)
		}
	}
}

// maker is a running market maker.
type maker struct {
	cfg          Config
	log          *slog.Logger
	spread, step width
	mids         map[string]decimal.Decimal
	symbols      []string
	placing      bool // it sent a batch since its orders were last all canceled
	cleaned      bool // its orders were canceled at the end
}

// Run quotes cfg.Markets until ctx ends, then cancels its orders and
// returns nil (or why it could not cancel them: the dead-man's switch
// then does within cfg.DeadMan). It reconnects after a dropped
// connection; it returns early only for what reconnecting cannot cure: a
// wrong configuration, an unknown market, a refused key.
func Run(ctx context.Context, cfg Config) error {
	mm, err := newMaker(cfg)
	if err != nil {
		return err
	}
	backoff := minBackoff
	for {
		started := time.Now()
		err := mm.session(ctx)
		if ctx.Err() != nil {
			return mm.stop()
		}
		if errors.Is(err, errPermanent) {
			return errors.Join(err, mm.stop())
		}
		if time.Since(started) > stableSession {
			backoff = minBackoff
		}
		mm.log.Warn("market maker: no connection; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return mm.stop()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func newMaker(cfg Config) (*maker, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", errPermanent, fmt.Sprintf(format, a...))
	}
	if cfg.Client == nil || cfg.Client.KeyID == "" {
		return nil, bad("Config.Client with an API key is required")
	}
	if len(cfg.Markets) == 0 {
		return nil, bad("no markets to quote")
	}
	mm := &maker{cfg: cfg, log: cfg.Log, mids: map[string]decimal.Decimal{}}
	if mm.log == nil {
		mm.log = slog.New(slog.DiscardHandler)
	}
	seen := map[string]bool{}
	for _, s := range cfg.Markets {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "" || seen[s] {
			return nil, bad("market %q is empty or named twice", s)
		}
		seen[s] = true
		mm.symbols = append(mm.symbols, s)
	}
	var err error
	if mm.spread, err = parseWidth(cfg.Spread); err != nil {
		return nil, bad("spread: %v", err)
	}
	if cfg.Step != "" {
		if mm.step, err = parseWidth(cfg.Step); err != nil {
			return nil, bad("step: %v", err)
		}
	}
	if size, err := decimal.NewFromString(cfg.Size); err != nil || !size.IsPositive() {
		return nil, bad("size %q is not a positive decimal", cfg.Size)
	}
	switch {
	case mm.cfg.Levels == 0:
		mm.cfg.Levels = 1
	case mm.cfg.Levels < 0 || mm.cfg.Levels > MaxLevels:
		return nil, bad("levels must be from 1 to %d, not %d", MaxLevels, mm.cfg.Levels)
	}
	if mm.cfg.RequoteEvery <= 0 {
		mm.cfg.RequoteEvery = DefaultRequoteEvery
	}
	switch {
	case mm.cfg.DeadMan == 0:
		mm.cfg.DeadMan = DefaultDeadMan
	case mm.cfg.DeadMan < time.Second || mm.cfg.DeadMan > 10*time.Minute:
		return nil, bad("the dead-man's switch's timeout must be from 1s to 10m, not %v", mm.cfg.DeadMan)
	}
	for sym, s := range cfg.Mids {
		sym = strings.ToUpper(sym)
		if !seen[sym] {
			return nil, bad("a mid for %s, which is not among the markets", sym)
		}
		d, err := decimal.NewFromString(s)
		if err != nil || !d.IsPositive() {
			return nil, bad("the mid of %s, %q, is not a positive decimal", sym, s)
		}
		mm.mids[sym] = d
	}
	return mm, nil
}

// call is one WebSocket call with a timeout.
func call(ctx context.Context, w *client.WS, method string, params, out any) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return w.Call(ctx, method, params, out)
}

// loadMarkets reads the rules of the configured markets.
func (mm *maker) loadMarkets(ctx context.Context) (map[string]*market, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var ms struct {
		Markets []struct {
			Symbol, Base, Tick, Lot string
			PriceScale              uint8  `json:"price_scale"`
			MinSize                 string `json:"min_size"`
		}
	}
	if err := mm.cfg.Client.Do(ctx, "GET", "/v1/markets", nil, &ms); err != nil {
		return nil, fmt.Errorf("GET /v1/markets: %w", err)
	}
	var as struct {
		Assets []struct {
			Symbol string
			Scale  uint8
		}
	}
	if err := mm.cfg.Client.Do(ctx, "GET", "/v1/assets", nil, &as); err != nil {
		return nil, fmt.Errorf("GET /v1/assets: %w", err)
	}
	scales := map[string]uint8{}
	for _, a := range as.Assets {
		scales[a.Symbol] = a.Scale
	}
	size, _ := decimal.NewFromString(mm.cfg.Size)
	out := map[string]*market{}
	for _, sym := range mm.symbols {
		for _, info := range ms.Markets {
			if info.Symbol != sym {
				continue
			}
			baseScale, ok := scales[info.Base]
			if !ok {
				return nil, fmt.Errorf("market %s: no asset %s among GET /v1/assets", sym, info.Base)
			}
			r := rules{symbol: sym, scales: marketdata.Scales{Price: info.PriceScale, Size: baseScale}}
			var err error
			if r.tick, err = client.ParseUnits(info.Tick, info.PriceScale); err != nil || r.tick <= 0 {
				return nil, fmt.Errorf("market %s: tick %q: %v", sym, info.Tick, err)
			}
			if r.lot, err = client.ParseUnits(info.Lot, baseScale); err != nil || r.lot <= 0 {
				return nil, fmt.Errorf("market %s: lot %q: %v", sym, info.Lot, err)
			}
			if r.minSize, err = client.ParseUnits(info.MinSize, baseScale); err != nil {
				return nil, fmt.Errorf("market %s: min size %q: %v", sym, info.MinSize, err)
			}
			units := size.Shift(int32(baseScale)).Floor()
			if units.GreaterThan(maxUnits) {
				return nil, fmt.Errorf("%w: size %s is too large for %s", errPermanent, mm.cfg.Size, sym)
			}
			lots := units.IntPart() / r.lot
			m := &market{rules: r, size: lots * r.lot, own: map[string]*ownOrder{}, book: client.Book{Scales: r.scales}, due: true}
			if m.size <= 0 || m.size < r.minSize {
				return nil, fmt.Errorf("%w: size %s rounded down to the lot of %s (%s) is %s, below its minimum size %s", errPermanent,
					mm.cfg.Size, sym, info.Lot, formatUnits(m.size, baseScale), info.MinSize)
			}
			out[sym] = m
		}
		if out[sym] == nil {
			return nil, fmt.Errorf("%w: no market %s on %s", errPermanent, sym, mm.cfg.Client.BaseURL)
		}
	}
	return out, nil
}

// permanentCodes are answers reconnecting does not change: a key that is
// wrong, revoked or lacks the trade scope.
var permanentCodes = map[string]bool{"unauthorized": true, "bad_signature": true, "key_revoked": true, "forbidden": true}

// failed wraps the error of a call, as permanent if its code is.
func failed(what string, err error) error {
	var ae *client.Error
	if errors.As(err, &ae) && permanentCodes[ae.Code] {
		return fmt.Errorf("%w: %s: %v", errPermanent, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// session is one connection: it quotes until the connection drops or ctx
// ends (then it cancels the orders itself while it can).
func (mm *maker) session(ctx context.Context) (err error) {
	markets, err := mm.loadMarkets(ctx)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, callTimeout)
	w, err := mm.cfg.Client.DialWS(dctx, pushBufferSize)
	cancel()
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer func() {
		go drain(w) // Close waits for the reader, which may wait to hand a push over
		w.Close()
	}()
	var logon struct{ Account string }
	lctx, cancel := context.WithTimeout(ctx, callTimeout)
	err = w.Logon(lctx, &logon)
	cancel()
	if err != nil {
		return failed("logon", err)
	}
	defer func() {
		if ctx.Err() == nil {
			return
		}
		go drain(w) // nothing reads the pushes any more
		if err := mm.cancelOver(w); err != nil {
			mm.log.Warn("market maker: canceling over the WebSocket failed; trying REST", "err", err)
			return
		}
		mm.cleaned = true
	}()
	channels := []string{"orders", "fills"}
	for _, sym := range mm.symbols {
		channels = append(channels, "book."+sym)
	}
	if err := call(ctx, w, "subscribe", map[string]any{"channels": channels}, nil); err != nil {
		return failed("subscribe", err)
	}
	// A clean slate: whatever the account left resting in these markets
	// (a previous run, a connection that dropped) goes.
	for _, sym := range mm.symbols {
		if err := call(ctx, w, "order.cancel_all", map[string]any{"market": sym}, nil); err != nil {
			return failed("cancel all in "+sym, err)
		}
	}
	mm.cleaned, mm.placing = false, false
	mm.log.Info("market maker: logged on", "server", mm.cfg.Client.BaseURL, "account", logon.Account, "markets", strings.Join(mm.symbols, ","))
	started := time.Now()
	requoteTicker := time.NewTicker(mm.cfg.RequoteEvery)
	defer requoteTicker.Stop()
	pollTicker := time.NewTicker(poll)
	defer pollTicker.Stop()
	for {
		if err := mm.housekeeping(ctx, w, markets, started); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case p, ok := <-w.Pushes():
			if !ok {
				return fmt.Errorf("connection: %w", w.Err())
			}
			if err := mm.handle(ctx, w, markets, p); err != nil {
				return err
			}
			// Take what else arrived before acting on it.
		drain:
			for range 1000 {
				select {
				case p, ok := <-w.Pushes():
					if !ok {
						return fmt.Errorf("connection: %w", w.Err())
					}
					if err := mm.handle(ctx, w, markets, p); err != nil {
						return err
					}
				default:
					break drain
				}
			}
		case <-requoteTicker.C:
			for _, m := range markets {
				m.due = true
			}
		case <-pollTicker.C:
		}
	}
}

// drain reads a connection's pushes until it ends.
func drain(w *client.WS) {
	for range w.Pushes() {
	}
}

// housekeeping arms the dead-man's switches that need it and runs the
// requotes that are due.
func (mm *maker) housekeeping(ctx context.Context, w *client.WS, markets map[string]*market, started time.Time) error {
	now := time.Now()
	for _, sym := range mm.symbols {
		m := markets[sym]
		if now.Sub(m.armedAt) >= mm.cfg.DeadMan/3 {
			if err := mm.arm(ctx, w, m); err != nil {
				return err
			}
		}
		if !m.due || now.Before(m.notBefore) || (!m.book.Ready() && now.Sub(started) < bookWait) {
			continue
		}
		if err := mm.requote(ctx, w, m); err != nil {
			return err
		}
	}
	return nil
}

// arm (re)arms a market's dead-man's switch.
func (mm *maker) arm(ctx context.Context, w *client.WS, m *market) error {
	err := call(ctx, w, "cancel_all_after", map[string]any{"timeout_ms": mm.cfg.DeadMan.Milliseconds(), "market": m.symbol}, nil)
	var ae *client.Error
	if errors.As(err, &ae) {
		mm.log.Warn("market maker: arming the dead-man's switch failed", "market", m.symbol, "err", err)
		m.armedAt = time.Now().Add(-mm.cfg.DeadMan/3 + time.Second) // again in a second
		return nil
	}
	if err != nil {
		return fmt.Errorf("cancel_all_after: %w", err)
	}
	m.armedAt = time.Now()
	return nil
}

// push payloads of the private channels.
type orderPush struct {
	Event, ID, Market, Side, Price, Remaining string
}

type fillPush struct {
	Market    string
	OrderID   string `json:"order_id"`
	Side      string
	Liquidity string
	Price     string
	Size      string
}

// handle takes one push.
func (mm *maker) handle(ctx context.Context, w *client.WS, markets map[string]*market, p client.Push) error {
	now := time.Now()
	switch {
	case strings.HasPrefix(p.Channel, "book."):
		m := markets[strings.TrimPrefix(p.Channel, "book.")]
		if m == nil {
			return nil
		}
		if err := m.book.Apply(p); err != nil {
			if !errors.Is(err, client.ErrResync) {
				return err
			}
			mm.log.Info("market maker: the local book was wrong; resubscribing", "market", m.symbol, "err", err)
			rctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			if err := w.Resubscribe(rctx, p.Channel); err != nil {
				return fmt.Errorf("resubscribe %s: %w", p.Channel, err)
			}
			return nil
		}
		m.prune(now)
		// The book moved: requote if that changes the quotes wanted.
		if !m.due {
			if mid, ok := mm.mid(m, now); ok {
				want := plan(m.rules, mid, mm.spread, mm.step, m.size, mm.cfg.Levels, m.othersBest(now))
				if !sameQuotes(want, m.target) {
					m.due = true
				}
			}
		}
	case p.Channel == "orders":
		var u orderPush
		if err := json.Unmarshal(p.Data, &u); err != nil {
			return fmt.Errorf("orders push: %w", err)
		}
		m := markets[u.Market]
		if m == nil {
			return nil
		}
		o := m.own[u.ID]
		if o == nil {
			return nil // not placed by this session
		}
		switch u.Event {
		case "accepted":
			o.acceptedSeq = p.Seq
		case "amended":
			if price, err := client.ParseUnits(u.Price, m.scales.Price); err == nil {
				o.price = price
			}
			if rem, err := client.ParseUnits(u.Remaining, m.scales.Size); err == nil {
				o.remaining = rem
			}
		case "done", "canceled", "expired":
			if !o.done {
				// Filled, or canceled without this market maker asking
				// (its dead-man's switch, an operator): requote.
				o.done, o.doneAt, m.due = true, now, true
				if u.Event != "done" {
					mm.log.Info("market maker: a quote was "+u.Event, "market", m.symbol, "order", u.ID)
				}
			}
			o.doneSeq = p.Seq
		}
	case p.Channel == "fills":
		var f fillPush
		if err := json.Unmarshal(p.Data, &f); err != nil {
			return fmt.Errorf("fills push: %w", err)
		}
		m := markets[f.Market]
		if m == nil {
			return nil
		}
		if o := m.own[f.OrderID]; o != nil {
			if size, err := client.ParseUnits(f.Size, m.scales.Size); err == nil {
				o.remaining = max(o.remaining-size, 0)
			}
		}
		m.due = true
		mm.log.Info("market maker: filled", "market", m.symbol, "side", f.Side, "price", f.Price, "size", f.Size, "order", f.OrderID)
	}
	return nil
}

// mid is the market's reference price: the book's mid without the market
// maker's quotes, else Config.Mid's, else Config.Mids'.
func (mm *maker) mid(m *market, now time.Time) (decimal.Decimal, bool) {
	if b := m.othersBest(now); b.bid > 0 && b.ask > 0 {
		return decimal.New(b.bid+b.ask, -int32(m.scales.Price)).Div(decimal.NewFromInt(2)), true
	}
	if mm.cfg.Mid != nil {
		if d, ok := mm.cfg.Mid(m.symbol); ok && d.IsPositive() {
			return d, true
		}
	}
	d, ok := mm.mids[m.symbol]
	return d, ok
}

func sameQuotes(a, b []quote) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// batchAnswer is order.batch's answer.
type batchAnswer struct {
	Results []struct {
		Action string
		Status int
		Order  struct {
			ID        string
			Status    string
			Remaining string
		}
		Error *struct{ Code, Message string }
	}
}

// requote brings a market's resting quotes to the ones wanted now: one
// batch cancels those it no longer wants and places those it misses.
func (mm *maker) requote(ctx context.Context, w *client.WS, m *market) error {
	now := time.Now()
	m.due = false
	m.notBefore = now.Add(minRequoteGap)
	m.prune(now)
	mid, ok := mm.mid(m, now)
	if !ok {
		if !m.noMid {
			mm.log.Warn("market maker: no mid (the book lacks a side and none is configured); not quoting", "market", m.symbol)
			m.noMid = true
		}
		return nil
	}
	m.noMid = false
	want := plan(m.rules, mid, mm.spread, mm.step, m.size, mm.cfg.Levels, m.othersBest(now))
	m.target = want

	// Keep the resting orders that are quotes wanted (their queue place),
	// cancel the others, place what is missing.
	var items []map[string]any
	var cancels []string
	missing := append([]quote(nil), want...)
	for id, o := range m.own {
		if o.done {
			continue
		}
		kept := false
		for i, q := range missing {
			if q.buy == o.buy && q.price == o.price && q.size == o.remaining {
				missing = append(missing[:i], missing[i+1:]...)
				kept = true
				break
			}
		}
		if !kept {
			items = append(items, map[string]any{"action": "cancel", "id": id})
			cancels = append(cancels, id)
		}
	}
	for _, q := range missing {
		side := "sell"
		if q.buy {
			side = "buy"
		}
		items = append(items, map[string]any{
			"action": "place", "market": m.symbol, "side": side, "type": "limit", "post_only": true,
			"price": formatUnits(q.price, m.scales.Price), "size": formatUnits(q.size, m.scales.Size),
		})
	}
	if len(items) == 0 {
		return nil
	}
	if now.Sub(m.armedAt) >= time.Second {
		if err := mm.arm(ctx, w, m); err != nil {
			return err
		}
	}
	var ans batchAnswer
	mm.placing = true
	err := call(ctx, w, "order.batch", map[string]any{"orders": items}, &ans)
	var ae *client.Error
	if errors.As(err, &ae) && (ae.Code == "timeout" || ae.Code == "outcome_unknown") {
		// The batch may have been applied: reconnecting starts over from
		// a clean slate rather than quote beside orders it does not know.
		return fmt.Errorf("order.batch: %w", err)
	}
	if errors.As(err, &ae) {
		mm.log.Warn("market maker: a requote failed", "market", m.symbol, "err", err)
		m.due, m.notBefore = true, now.Add(failedRequote)
		return nil
	}
	if err != nil {
		return fmt.Errorf("order.batch: %w", err)
	}
	if len(ans.Results) != len(items) {
		return fmt.Errorf("order.batch: %d results for %d items", len(ans.Results), len(items))
	}
	done := time.Now()
	placed, failed := 0, 0
	for i, r := range ans.Results {
		if i < len(cancels) {
			if r.Error == nil || r.Error.Code == "unknown_order" {
				if o := m.own[cancels[i]]; o != nil && !o.done {
					o.done, o.doneAt = true, done
				}
			} else {
				failed++
				mm.log.Warn("market maker: a cancel failed", "market", m.symbol, "order", cancels[i], "code", r.Error.Code, "message", r.Error.Message)
			}
			continue
		}
		q := missing[i-len(cancels)]
		if r.Error != nil {
			failed++
			mm.log.Warn("market maker: a quote was refused", "market", m.symbol, "buy", q.buy,
				"price", formatUnits(q.price, m.scales.Price), "code", r.Error.Code, "message", r.Error.Message)
			continue
		}
		if r.Order.Status != "open" || r.Order.ID == "" {
			continue // post-only: it never trades, but it may be canceled at once
		}
		rem, err := client.ParseUnits(r.Order.Remaining, m.scales.Size)
		if err != nil {
			rem = q.size
		}
		m.own[r.Order.ID] = &ownOrder{buy: q.buy, price: q.price, remaining: rem}
		placed++
	}
	mm.log.Debug("market maker: requoted", "market", m.symbol, "mid", mid.String(), "canceled", len(cancels), "placed", placed, "failed", failed)
	return nil
}

// cancelOver cancels the orders in the markets and disarms their
// switches over the WebSocket, patiently: it runs once, at the end. A
// switch that stays armed only cancels orders that are gone already (a
// later run arms it anew before it quotes).
func (mm *maker) cancelOver(w *client.WS) error {
	for _, sym := range mm.symbols {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		err := w.Call(ctx, "order.cancel_all", map[string]any{"market": sym}, nil)
		cancel()
		if err != nil {
			return fmt.Errorf("cancel all in %s: %w", sym, err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), cleanupTimeout)
		if err := w.Call(ctx, "cancel_all_after", map[string]any{"timeout_ms": 0, "market": sym}, nil); err != nil {
			mm.log.Warn("market maker: disarming the dead-man's switch failed", "market", sym, "err", err)
		}
		cancel()
	}
	mm.log.Info("market maker: stopped; its orders are canceled", "markets", strings.Join(mm.symbols, ","))
	return nil
}

// stop makes sure the orders are gone at the end: over REST when the
// WebSocket could not do it.
func (mm *maker) stop() error {
	if mm.cleaned || !mm.placing {
		return nil
	}
	for _, sym := range mm.symbols {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		err := mm.cfg.Client.Do(ctx, "DELETE", "/v1/orders?market="+url.QueryEscape(sym), nil, nil)
		cancel()
		if err != nil {
			return fmt.Errorf("marketmaker: canceling the orders in %s: %w (the dead-man's switch cancels them within %v)", sym, err, mm.cfg.DeadMan)
		}
		ctx, cancel = context.WithTimeout(context.Background(), cleanupTimeout)
		if err := mm.cfg.Client.Do(ctx, "POST", "/v1/orders/cancel-all-after", map[string]any{"timeout_ms": 0, "market": sym}, nil); err != nil {
			mm.log.Warn("market maker: disarming the dead-man's switch failed", "market", sym, "err", err)
		}
		cancel()
	}
	mm.cleaned = true
	mm.log.Info("market maker: stopped; its orders are canceled", "markets", strings.Join(mm.symbols, ","))
	return nil
}
