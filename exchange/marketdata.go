package exchange

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/marketdata"
)

// MarketDataStore keeps the public market data (store/redisstore's
// MarketData): Apply writes an update and its checkpoint atomically, and
// is a no-op for an update at or below the checkpoint.
type MarketDataStore interface {
	Checkpoint(ctx context.Context) (uint64, error)
	Apply(ctx context.Context, u *marketdata.Update) error
	Markets(ctx context.Context) ([]uint32, error)
	MarketSeq(ctx context.Context, market uint32) (uint64, error)
	Depth(ctx context.Context, market uint32, n int) (marketdata.Depth, error)
	Candles(ctx context.Context, market uint32, iv marketdata.Interval, from, to int64, limit int) ([]marketdata.Candle, error)
	Ticker(ctx context.Context, market uint32) (marketdata.Ticker, bool, error)
}

// MarketData is the market-data projection: from the events it keeps,
// per market, the depth book (EvBookLevel), recent trades, candles of
// every interval and the 24-hour ticker. Between writes it remembers the
// open candles, the last day of minute candles and the markets' last
// sequence numbers; it reloads them from the store after a restart or a
// failed write, so the store stays the truth.
type MarketData struct {
	store   MarketDataStore
	markets map[uint32]*mdMarket // nil: not loaded
	updates map[uint32]*marketdata.MarketUpdate
}

// NewMarketData returns the projection writing to store.
func NewMarketData(store MarketDataStore) *MarketData { return &MarketData{store: store} }

// tickerWindow is the 24 hours a ticker covers, in minute candles.
const tickerWindow = 24 * 60

type mdMarket struct {
	changed  []marketdata.Candle // the candles the current write changed, last values
	prevSeq  uint64
	last     int64                // the last trade's price
	open     [5]marketdata.Candle // the newest candle per interval (index Interval)
	minutes  []marketdata.Candle  // minute candles of the ticker window, oldest first
	tickerAt int64                // the minute of the last ticker written
}

// Checkpoint is the store's checkpoint.
func (p *MarketData) Checkpoint(ctx context.Context) (uint64, error) { return p.store.Checkpoint(ctx) }

// Project turns events into one update of the store.
func (p *MarketData) Project(ctx context.Context, first, last uint64, events []engine.Event) error {
	if err := p.load(ctx); err != nil {
		return err
	}
	p.updates = make(map[uint32]*marketdata.MarketUpdate)
	var now int64
	var tradeSeq uint64
	var tradeIndex uint16
	for i := range events {
		ev := &events[i]
		now = max(now, ev.Time)
		switch ev.Kind {
		case engine.EvMarketCreated:
			if _, ok := p.markets[uint32(ev.Market)]; !ok {
				p.markets[uint32(ev.Market)] = &mdMarket{}
			}
		case engine.EvBookLevel:
			u, err := p.update(ctx, uint32(ev.Market), ev.Time)
			if err != nil {
				return err
			}
			u.Levels = append(u.Levels, marketdata.LevelChange{Side: marketdata.Side(ev.Side), Price: ev.Price, Size: ev.Size})
		case engine.EvTrade:
			if ev.Seq != tradeSeq {
				tradeSeq, tradeIndex = ev.Seq, 0
			}
			u, err := p.update(ctx, uint32(ev.Market), ev.Time)
			if err != nil {
				return err
			}
			u.Trades = append(u.Trades, marketdata.Trade{Seq: ev.Seq, Index: tradeIndex, Time: ev.Time,
				Price: ev.Price, Size: ev.Size, QuoteAmount: ev.Amount, TakerSide: marketdata.Side(ev.Side)})
			tradeIndex++
			p.markets[uint32(ev.Market)].trade(ev)
		}
	}
	u := &marketdata.Update{Seq: last}
	for id, m := range p.markets {
		mu := p.updates[id]
		if mu == nil && (len(m.minutes) == 0 || minuteOf(now) == m.tickerAt) {
			continue // nothing new, and its ticker is still right
		}
		if mu == nil {
			mu = &marketdata.MarketUpdate{Market: id}
		}
		mu.Seq, mu.PrevSeq = last, m.prevSeq
		mu.Levels = lastPerLevel(mu.Levels)
		mu.Candles, m.changed = m.changed, nil
		if len(mu.Trades) > 0 || len(m.minutes) > 0 && minuteOf(now) != m.tickerAt {
			t := m.ticker(now)
			mu.Ticker = &t
		}
		u.Markets = append(u.Markets, *mu)
	}
	slices.SortFunc(u.Markets, func(a, b marketdata.MarketUpdate) int { return cmp.Compare(a.Market, b.Market) })
	if err := p.store.Apply(ctx, u); err != nil {
		p.markets = nil // reload what the store holds before the next try
		return err
	}
	for _, mu := range u.Markets {
		m := p.markets[mu.Market]
		m.prevSeq = last
		if mu.Ticker != nil {
			m.tickerAt = minuteOf(now)
		}
	}
	return nil
}

// Seed writes the depth of every market in eng as of seq (for a store
// that holds nothing while the event log no longer begins at 1).
func (p *MarketData) Seed(ctx context.Context, seq uint64, eng *engine.Engine) error {
	p.markets = nil
	u := &marketdata.Update{Seq: seq}
	var levels []engine.Level
	for id := engine.MarketID(1); ; id++ {
		if _, ok := eng.Market(id); !ok {
			break
		}
		have, err := p.store.Depth(ctx, uint32(id), 0)
		if err != nil {
			return err
		}
		mu := marketdata.MarketUpdate{Market: uint32(id), Seq: seq, PrevSeq: have.Seq}
		for _, side := range []engine.Side{engine.Buy, engine.Sell} {
			held := have.Asks
			if side == engine.Buy {
				held = have.Bids
			}
			stale := map[int64]bool{}
			for _, lv := range held {
				stale[lv.Price] = true
			}
			levels = eng.Depth(id, side, 0, levels[:0])
			for _, lv := range levels {
				delete(stale, lv.Price)
				mu.Levels = append(mu.Levels, marketdata.LevelChange{Side: marketdata.Side(side), Price: lv.Price, Size: lv.Size})
			}
			for price := range stale {
				mu.Levels = append(mu.Levels, marketdata.LevelChange{Side: marketdata.Side(side), Price: price})
			}
		}
		u.Markets = append(u.Markets, mu)
	}
	return p.store.Apply(ctx, u)
}

// load reads, once, which markets the store knows.
func (p *MarketData) load(ctx context.Context) error {
	if p.markets != nil {
		return nil
	}
	ids, err := p.store.Markets(ctx)
	if err != nil {
		return fmt.Errorf("market data: markets: %w", err)
	}
	markets := make(map[uint32]*mdMarket, len(ids))
	for _, id := range ids {
		markets[id] = nil // loaded on first use
	}
	p.markets = markets
	for _, id := range ids {
		if _, err := p.market(ctx, id, 0); err != nil {
			p.markets = nil
			return err
		}
	}
	return nil
}

// market returns a market's state, loading it from the store on first
// use; now (Unix ns, 0 for the store's own ticker time) places the ticker
// window.
func (p *MarketData) market(ctx context.Context, id uint32, now int64) (*mdMarket, error) {
	if m := p.markets[id]; m != nil {
		return m, nil
	}
	m := &mdMarket{}
	var err error
	if m.prevSeq, err = p.store.MarketSeq(ctx, id); err != nil {
		return nil, fmt.Errorf("market data: market %d: %w", id, err)
	}
	t, ok, err := p.store.Ticker(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("market data: market %d ticker: %w", id, err)
	}
	if ok {
		m.last, m.tickerAt = t.Last, minuteOf(t.Time)
		now = max(now, t.Time)
	}
	if now != 0 {
		from := minuteOf(now) - (tickerWindow-1)*int64(time.Minute)
		if m.minutes, err = p.store.Candles(ctx, id, marketdata.Minute, from, math.MaxInt64, 0); err != nil {
			return nil, fmt.Errorf("market data: market %d candles: %w", id, err)
		}
		for _, iv := range marketdata.Intervals {
			cs, err := p.store.Candles(ctx, id, iv, iv.Start(now), math.MaxInt64, 1)
			if err != nil {
				return nil, fmt.Errorf("market data: market %d candles: %w", id, err)
			}
			if len(cs) > 0 {
				m.open[iv] = cs[0]
			}
		}
	}
	p.markets[id] = m
	return m, nil
}

// update returns the pending update of a market, loading the market.
func (p *MarketData) update(ctx context.Context, id uint32, now int64) (*marketdata.MarketUpdate, error) {
	if u := p.updates[id]; u != nil {
		return u, nil
	}
	if _, err := p.market(ctx, id, now); err != nil {
		return nil, err
	}
	u := &marketdata.MarketUpdate{Market: id}
	p.updates[id] = u
	return u, nil
}

// trade adds a trade to the open candles and the ticker window.
func (m *mdMarket) trade(ev *engine.Event) {
	m.last = ev.Price
	for _, iv := range marketdata.Intervals {
		c := &m.open[iv]
		if start := iv.Start(ev.Time); c.Start != start || c.Interval != iv {
			*c = marketdata.Candle{Interval: iv, Start: start, Open: ev.Price, High: ev.Price, Low: ev.Price}
		}
		c.High, c.Low, c.Close = max(c.High, ev.Price), min(c.Low, ev.Price), ev.Price
		c.Volume = addCapped(c.Volume, ev.Size)
		c.QuoteVolume = addCapped(c.QuoteVolume, ev.Amount)
		c.Trades++
		m.noteChanged(*c)
	}
	if n := len(m.minutes); n > 0 && m.minutes[n-1].Start == m.open[marketdata.Minute].Start {
		m.minutes[n-1] = m.open[marketdata.Minute]
	} else {
		m.minutes = append(m.minutes, m.open[marketdata.Minute])
	}
}

// noteChanged records a candle's new value for the current write.
func (m *mdMarket) noteChanged(c marketdata.Candle) {
	// The open candle of each interval is the last of its interval in the
	// list, if it is there.
	for i := len(m.changed) - 1; i >= 0; i-- {
		if m.changed[i].Interval == c.Interval {
			if m.changed[i].Start == c.Start {
				m.changed[i] = c
				return
			}
			break
		}
	}
	m.changed = append(m.changed, c)
}

// ticker sums the minute candles of the 24 hours up to now.
func (m *mdMarket) ticker(now int64) marketdata.Ticker {
	from := minuteOf(now) - (tickerWindow-1)*int64(time.Minute)
	i := 0
	for i < len(m.minutes) && m.minutes[i].Start < from {
		i++
	}
	m.minutes = m.minutes[i:]
	t := marketdata.Ticker{Time: now, Last: m.last}
	for j, c := range m.minutes {
		if j == 0 {
			t.Open, t.High, t.Low = c.Open, c.High, c.Low
		}
		t.High, t.Low = max(t.High, c.High), min(t.Low, c.Low)
		t.Volume = addCapped(t.Volume, c.Volume)
		t.QuoteVolume = addCapped(t.QuoteVolume, c.QuoteVolume)
		t.Trades += c.Trades
	}
	return t
}

func minuteOf(t int64) int64 { return marketdata.Minute.Start(t) }

// addCapped adds volumes, stopping at MaxInt64 rather than wrapping: a day's
// volume that large is reported as MaxInt64.
func addCapped(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// lastPerLevel keeps, for each level changed several times in one write,
// only its last value, in the order of the last changes.
func lastPerLevel(ls []marketdata.LevelChange) []marketdata.LevelChange {
	if len(ls) < 2 {
		return ls
	}
	type key struct {
		side  marketdata.Side
		price int64
	}
	seen := make(map[key]bool, len(ls))
	out := make([]marketdata.LevelChange, 0, len(ls))
	for i := len(ls) - 1; i >= 0; i-- {
		k := key{ls[i].Side, ls[i].Price}
		if !seen[k] {
			seen[k] = true
			out = append(out, ls[i])
		}
	}
	slices.Reverse(out)
	return out
}
