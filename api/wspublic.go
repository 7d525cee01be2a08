package api

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// MarketFeed is the market data's pub/sub, for the WebSocket's public
// channels. *redisstore.MarketData is one.
type MarketFeed interface {
	Depth(ctx context.Context, market uint32, n int) (marketdata.Depth, error)
	Subscribe(ctx context.Context, markets ...uint32) *redisstore.MarketDataSubscription
}

// feeds are the public channels of the markets some connection follows:
// one feed per market reads the market data's pub/sub (so every server of
// the exchange sends the same sequence), conflates the book and encodes
// each push once for all its subscribers.
type feeds struct {
	mu     sync.Mutex
	byID   map[uint32]*feed
	cancel context.CancelFunc
}

// feed is one market's public channels: book.<m> (a snapshot, then
// updates chained by prev_seq with the checksum of the top 10 levels),
// trades.<m>, ticker.<m> and candles.<m>.<interval>.
type feed struct {
	s    *Server
	m    marketRef
	sc   marketdata.Scales
	stop context.CancelFunc

	mu    sync.Mutex                  // guards conf, raw and subs; pushes are sent under it, in order
	conf  *marketdata.Conflater       // book.<m> conflated to BookInterval
	raw   *marketdata.Conflater       // book.<m> for the clients that asked for every update
	subs  map[*wsConn]map[string]bool // connection → its channels of this market
	ready chan struct{}               // closed once conf holds the book (or err)
	err   error
}

// publicChannel parses "book.ACME-EUR", "trades.ACME-EUR",
// "ticker.ACME-EUR" or "candles.ACME-EUR.1m".
func publicChannel(name string) (kind, market string, ok bool) {
	kind, rest, ok := strings.Cut(name, ".")
	if !ok {
		return "", "", false
	}
	switch kind {
	case "book", "trades", "ticker":
		return kind, rest, rest != ""
	case "candles":
		m, iv, ok := strings.Cut(rest, ".")
		if _, err := marketdata.ParseInterval(iv); !ok || err != nil || m == "" {
			return "", "", false
		}
		return kind, m, true
	}
	return "", "", false
}

// subscribePublic adds c to a public channel of a market, starting the
// market's feed if needed; a book subscription is answered with the
// snapshot first.
func (c *wsConn) subscribePublic(ctx context.Context, channel, kind, symbol string, unconflated bool) error {
	m, err := c.s.market(ctx, symbol)
	if err != nil {
		return err
	}
	channel = kind + "." + m.Symbol + strings.TrimPrefix(channel, kind+"."+symbol)
	f := c.s.feeds.get(c.s, m)
	select {
	case <-f.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	if f.err != nil {
		return f.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs[c] == nil {
		f.subs[c] = map[string]bool{}
	}
	key := channel
	if kind == "book" && unconflated {
		key = channel + rawSuffix
	}
	if kind == "book" && !f.subs[c][channel] && !f.subs[c][channel+rawSuffix] {
		conf := f.conf
		if unconflated {
			conf = f.raw
		}
		snap := conf.Snapshot()
		c.send(rawPush(channel, snap.Seq, snap.AppendJSON(nil, f.sc)))
	}
	f.subs[c][key] = true
	return nil
}

// rawSuffix marks, among a connection's channels of a feed, a book it
// follows unconflated (the pushes name the channel without it).
const rawSuffix = "#unconflated"

// unsubscribePublic removes c from a channel.
func (c *wsConn) unsubscribePublic(ctx context.Context, channel, kind, symbol string) error {
	m, err := c.s.market(ctx, symbol)
	if err != nil {
		return err
	}
	channel = kind + "." + m.Symbol + strings.TrimPrefix(channel, kind+"."+symbol)
	c.s.feeds.mu.Lock()
	f := c.s.feeds.byID[uint32(m.ID)]
	c.s.feeds.mu.Unlock()
	if f != nil {
		f.mu.Lock()
		delete(f.subs[c], channel)
		delete(f.subs[c], channel+rawSuffix)
		f.mu.Unlock()
	}
	return nil
}

// dropPublic forgets a connection that ended.
func (fs *feeds) drop(c *wsConn) {
	fs.mu.Lock()
	all := make([]*feed, 0, len(fs.byID))
	for _, f := range fs.byID {
		all = append(all, f)
	}
	fs.mu.Unlock()
	for _, f := range all {
		f.mu.Lock()
		delete(f.subs, c)
		f.mu.Unlock()
	}
}

// get returns the market's feed, started if it was not.
func (fs *feeds) get(s *Server, m marketRef) *feed {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f := fs.byID[uint32(m.ID)]; f != nil {
		return f
	}
	ctx, stop := context.WithCancel(context.Background())
	f := &feed{s: s, m: m, sc: marketdata.Scales{Price: m.PriceScale, Size: m.Base.Scale}, stop: stop,
		subs: map[*wsConn]map[string]bool{}, ready: make(chan struct{})}
	fs.byID[uint32(m.ID)] = f
	go f.run(ctx, fs)
	return f
}

// stopAll stops every feed (the server is stopping).
func (fs *feeds) stopAll() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for id, f := range fs.byID {
		f.stop()
		delete(fs.byID, id)
	}
}

// run follows the market's pub/sub: subscribed first, then the depth read,
// so no update falls between them.
func (f *feed) run(ctx context.Context, fs *feeds) {
	defer func() {
		fs.mu.Lock()
		if fs.byID[uint32(f.m.ID)] == f {
			delete(fs.byID, uint32(f.m.ID))
		}
		fs.mu.Unlock()
		f.mu.Lock()
		for c := range f.subs {
			c.close("market data for " + f.m.Symbol + " is interrupted: subscribe again")
		}
		f.mu.Unlock()
	}()
	sub := f.s.deps.MarketFeed.Subscribe(ctx, uint32(f.m.ID))
	defer sub.Close()
	if err := sub.Err(); err != nil {
		f.fail(err)
		return
	}
	depth, err := f.s.deps.MarketFeed.Depth(ctx, uint32(f.m.ID), 0)
	if err == nil {
		f.conf, err = marketdata.NewConflater(depth, f.sc, f.s.cfg.BookInterval)
	}
	if err == nil {
		f.raw, err = marketdata.NewConflater(depth, f.sc, 0)
	}
	if err != nil {
		f.fail(err)
		return
	}
	close(f.ready)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		f.mu.Lock()
		if at, ok := f.conf.Deadline(); ok {
			timer.Reset(time.Until(at))
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case now := <-timer.C:
			f.mu.Lock()
			f.sendBook(f.conf.Tick(now), false)
			f.mu.Unlock()
		case mu, open := <-sub.Updates():
			if !open {
				f.s.cfg.Log.Warn("market data subscription ended", "market", f.m.Symbol, "err", sub.Err())
				return
			}
			if err := f.update(ctx, &mu); err != nil {
				f.s.cfg.Log.Warn("market data feed stopped", "market", f.m.Symbol, "err", err)
				return
			}
		}
	}
}

func (f *feed) fail(err error) {
	f.err = errors.Join(errStoreDown, err)
	close(f.ready)
}

// update takes one MarketUpdate: trades, ticker and candles go out at once,
// the book through the conflater (resynced from the depth after a gap).
func (f *feed) update(ctx context.Context, mu *marketdata.MarketUpdate) error {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, conf := range []*marketdata.Conflater{f.raw, f.conf} {
		u, err := conf.Add(now, mu)
		if errors.Is(err, marketdata.ErrGap) {
			depth, derr := f.s.deps.MarketFeed.Depth(ctx, uint32(f.m.ID), 0)
			if derr != nil {
				return derr
			}
			u, err = conf.Resync(now, depth)
		}
		if err != nil {
			return err
		}
		f.sendBook(u, conf == f.raw)
	}
	sym := f.m.Symbol
	for _, t := range mu.Trades {
		f.broadcast("trades."+sym, encodePush("trades."+sym, t.Seq, fiber.Map{
			"price": formatUnits(t.Price, f.m.PriceScale), "size": formatUnits(t.Size, f.m.Base.Scale),
			"quote_amount": formatUnits(t.QuoteAmount, f.m.Quote.Scale), "side": t.TakerSide.String(), "time": rfc3339(t.Time),
		}))
	}
	if t := mu.Ticker; t != nil {
		f.broadcast("ticker."+sym, encodePush("ticker."+sym, mu.Seq, tickerData(f.m, *t)))
	}
	for _, c := range mu.Candles {
		ch := "candles." + sym + "." + c.Interval.String()
		f.broadcast(ch, encodePush(ch, mu.Seq, candleData(f.m, c)))
	}
	return nil
}

// sendBook sends a book update (nil: nothing to send), encoded once, to
// the followers of the conflated or the unconflated book.
func (f *feed) sendBook(u *marketdata.BookUpdate, unconflated bool) {
	if u == nil {
		return
	}
	ch := "book." + f.m.Symbol
	key := ch
	if unconflated {
		key += rawSuffix
	}
	f.broadcast(key, rawPush(ch, u.Seq, u.AppendJSON(nil, f.sc)))
}

// broadcast queues msg on every connection following channel; f.mu is held.
func (f *feed) broadcast(channel string, msg []byte) {
	for c, chans := range f.subs {
		if chans[channel] {
			c.send(msg)
		}
	}
}

// rawPush is {"channel":..,"seq":..,"data":<data>} around JSON already
// encoded.
func rawPush(channel string, seq uint64, data []byte) []byte {
	b := make([]byte, 0, len(data)+len(channel)+48)
	b = append(b, `{"channel":"`...)
	b = append(b, channel...)
	b = append(b, `","seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"data":`...)
	b = append(b, data...)
	return append(b, '}')
}

func tickerData(m marketRef, t marketdata.Ticker) fiber.Map {
	return fiber.Map{
		"last": formatUnits(t.Last, m.PriceScale), "open": formatUnits(t.Open, m.PriceScale),
		"high": formatUnits(t.High, m.PriceScale), "low": formatUnits(t.Low, m.PriceScale),
		"volume": formatUnits(t.Volume, m.Base.Scale), "quote_volume": formatUnits(t.QuoteVolume, m.Quote.Scale),
		"trades": t.Trades, "time": rfc3339(t.Time),
	}
}

func candleData(m marketRef, c marketdata.Candle) fiber.Map {
	return fiber.Map{
		"interval": c.Interval.String(), "start": rfc3339(c.Start),
		"open": formatUnits(c.Open, m.PriceScale), "high": formatUnits(c.High, m.PriceScale),
		"low": formatUnits(c.Low, m.PriceScale), "close": formatUnits(c.Close, m.PriceScale),
		"volume": formatUnits(c.Volume, m.Base.Scale), "quote_volume": formatUnits(c.QuoteVolume, m.Quote.Scale),
		"trades": c.Trades,
	}
}
