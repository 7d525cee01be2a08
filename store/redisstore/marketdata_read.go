package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/redis/go-redis/v9"
)

// Depth returns up to n levels of each side of a market's book (all if n
// is 0 or less), best first: bids from the highest price, asks from the
// lowest. The levels and Seq are read in one MULTI/EXEC, so they are the
// book as of Seq. A market never written has Seq 0 and no levels.
func (m *MarketData) Depth(ctx context.Context, market uint32, n int) (marketdata.Depth, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	rng := &redis.ZRangeBy{Min: "-", Max: "+"}
	if n > 0 {
		rng.Count = int64(n) // with Count 0 go-redis sends no LIMIT: every level
	}
	var seqCmd *redis.StringCmd
	var bidsCmd, asksCmd *redis.StringSliceCmd
	_, err := m.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		seqCmd = p.Get(ctx, m.marketKey(market, "seq"))
		bidsCmd = p.ZRevRangeByLex(ctx, m.sideKey(market, marketdata.Bid), rng)
		asksCmd = p.ZRangeByLex(ctx, m.sideKey(market, marketdata.Ask), rng)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) { // Nil: the market has no seq yet
		return marketdata.Depth{}, fmt.Errorf("redisstore: depth of market %d: %w", market, err)
	}
	for _, c := range []redis.Cmder{seqCmd, bidsCmd, asksCmd} {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return marketdata.Depth{}, fmt.Errorf("redisstore: depth of market %d: %w", market, err)
		}
	}
	d := marketdata.Depth{Market: market}
	if s, err := seqCmd.Result(); err == nil {
		if d.Seq, err = parseSeq(s); err != nil {
			return marketdata.Depth{}, err
		}
	}
	if d.Bids, err = parseLevels(bidsCmd.Val()); err != nil {
		return marketdata.Depth{}, err
	}
	if d.Asks, err = parseLevels(asksCmd.Val()); err != nil {
		return marketdata.Depth{}, err
	}
	return d, nil
}

// parseLevels decodes level members; never nil, so that JSON shows [].
func parseLevels(members []string) ([]marketdata.Level, error) {
	levels := make([]marketdata.Level, len(members))
	for i, s := range members {
		l, err := parseLevelMember(s)
		if err != nil {
			return nil, err
		}
		levels[i] = l
	}
	return levels, nil
}

// Markets returns every market that an update has written, in increasing
// order.
func (m *MarketData) Markets(ctx context.Context) ([]uint32, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	members, err := m.rdb.SMembers(ctx, m.marketsKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: markets: %w", err)
	}
	markets := make([]uint32, len(members))
	for i, s := range members {
		id, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: market %q", ErrMarketDataCorrupt, s)
		}
		markets[i] = uint32(id)
	}
	slices.Sort(markets)
	return markets, nil
}

// MarketSeq returns the Seq of a market's last update, 0 if none.
func (m *MarketData) MarketSeq(ctx context.Context, market uint32) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	seq, err := m.getSeq(ctx, m.marketKey(market, "seq"))
	if err != nil {
		return 0, fmt.Errorf("redisstore: seq of market %d: %w", market, err)
	}
	return seq, nil
}

// Trades returns up to n of a market's recent trades (all that are kept if
// n is 0 or less), newest first.
func (m *MarketData) Trades(ctx context.Context, market uint32, n int) ([]marketdata.Trade, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	stop := int64(n) - 1
	if n <= 0 {
		stop = -1
	}
	vals, err := m.rdb.LRange(ctx, m.marketKey(market, "trades"), 0, stop).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: trades of market %d: %w", market, err)
	}
	trades := make([]marketdata.Trade, len(vals))
	for i, v := range vals {
		if err := json.Unmarshal([]byte(v), &trades[i]); err != nil {
			return nil, fmt.Errorf("%w: trade %q: %v", ErrMarketDataCorrupt, v, err)
		}
	}
	return trades, nil
}

// Candles returns a market's candles of interval iv whose Start is in
// [from, to] (Unix nanoseconds), oldest first, at most limit of them (no
// limit if 0 or less).
func (m *MarketData) Candles(ctx context.Context, market uint32, iv marketdata.Interval, from, to int64, limit int) ([]marketdata.Candle, error) {
	d := int64(iv.Duration())
	if d == 0 {
		return nil, fmt.Errorf("redisstore: candles of market %d: unknown interval %v", market, iv)
	}
	if from > to {
		return []marketdata.Candle{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	rng := &redis.ZRangeBy{
		Min: strconv.FormatInt(ceilDiv(from, d), 10),
		Max: strconv.FormatInt(floorDiv(to, d), 10),
	}
	if limit > 0 {
		rng.Count = int64(limit)
	}
	vals, err := m.rdb.ZRangeByScore(ctx, m.candleKey(market, iv), rng).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: %v candles of market %d: %w", iv, market, err)
	}
	candles := make([]marketdata.Candle, len(vals))
	for i, v := range vals {
		if err := json.Unmarshal([]byte(v), &candles[i]); err != nil {
			return nil, fmt.Errorf("%w: candle %q: %v", ErrMarketDataCorrupt, v, err)
		}
	}
	return candles, nil
}

// Ticker returns a market's ticker, ok false if it has none yet.
func (m *MarketData) Ticker(ctx context.Context, market uint32) (t marketdata.Ticker, ok bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	v, err := m.rdb.Get(ctx, m.marketKey(market, "ticker")).Result()
	if errors.Is(err, redis.Nil) {
		return marketdata.Ticker{}, false, nil
	}
	if err != nil {
		return marketdata.Ticker{}, false, fmt.Errorf("redisstore: ticker of market %d: %w", market, err)
	}
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		return marketdata.Ticker{}, false, fmt.Errorf("%w: ticker %q: %v", ErrMarketDataCorrupt, v, err)
	}
	return t, true, nil
}

// MarketDataSubscription receives the MarketUpdates that Apply publishes
// for some markets. Its goroutine runs until Close, or until the context
// given to Subscribe is done.
type MarketDataSubscription struct {
	ps       *redis.PubSub // nil if subscribing failed
	updates  chan marketdata.MarketUpdate
	err      error
	stop     chan struct{} // closed by Close
	stopOnce sync.Once
	finished chan struct{} // closed when the goroutine has ended
}

// mdSubscriptionBuffer is how many updates a subscription holds for a slow
// reader (go-redis holds as many more).
const mdSubscriptionBuffer = 100

// Subscribe subscribes to the updates of the given markets, or of every
// market if none is given. When it returns, the subscription is in place
// on the server: every update published after that is delivered (it has
// waited for the server's confirmation). If subscribing failed, Err says
// why and Updates is closed.
//
// Delivery is at most once, like Redis pub/sub: updates are missed while
// the connection is down (go-redis reconnects and subscribes again) or if
// the reader lags by minutes (go-redis drops a message it cannot hand over
// for a minute). A reader notices by PrevSeq, and re-reads Depth.
func (m *MarketData) Subscribe(ctx context.Context, markets ...uint32) *MarketDataSubscription {
	s := &MarketDataSubscription{
		updates:  make(chan marketdata.MarketUpdate, mdSubscriptionBuffer),
		stop:     make(chan struct{}),
		finished: make(chan struct{}),
	}
	var ps *redis.PubSub
	if len(markets) == 0 {
		ps = m.rdb.PSubscribe(ctx, escapeGlob(m.prefix+"md:")+"*")
	} else {
		channels := make([]string, 0, len(markets))
		seen := make(map[uint32]bool, len(markets))
		for _, mk := range markets {
			if !seen[mk] {
				seen[mk] = true
				channels = append(channels, m.channel(mk))
			}
		}
		ps = m.rdb.Subscribe(ctx, channels...)
	}
	// Redis confirms each channel of a SUBSCRIBE, all when it runs the
	// command; the first confirmation thus means every channel is in place.
	rctx, cancel := context.WithTimeout(ctx, m.timeout)
	msg, err := ps.Receive(rctx)
	cancel()
	if err == nil {
		switch msg := msg.(type) {
		case *redis.Subscription:
		default:
			err = fmt.Errorf("unexpected reply %v", msg)
		}
	}
	if err != nil {
		ps.Close()
		s.err = fmt.Errorf("redisstore: market data subscribe: %w", err)
		close(s.updates)
		close(s.finished)
		return s
	}
	s.ps = ps
	go s.run(ctx, ps.Channel())
	return s
}

// run decodes messages and hands them to the reader until stopped.
func (s *MarketDataSubscription) run(ctx context.Context, msgs <-chan *redis.Message) {
	defer close(s.finished)
	defer close(s.updates)
	defer func() {
		s.ps.Close()
		for range msgs { // let go-redis's goroutine end if it is handing one over
		}
	}()
	for {
		select {
		case <-s.stop:
			return
		case <-ctx.Done():
			return
		case msg, ok := <-msgs:
			if !ok {
				return
			}
			var u marketdata.MarketUpdate
			if json.Unmarshal([]byte(msg.Payload), &u) != nil {
				continue // not ours: only Apply publishes here
			}
			select {
			case s.updates <- u:
			case <-s.stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}
}

// Updates returns the channel of decoded updates, in the order they were
// published. It is closed when the subscription ends.
func (s *MarketDataSubscription) Updates() <-chan marketdata.MarketUpdate { return s.updates }

// Err returns why subscribing failed, nil if it succeeded.
func (s *MarketDataSubscription) Err() error { return s.err }

// Close ends the subscription and waits for its goroutine to end. Updates
// is closed after it. Calling it again does nothing.
func (s *MarketDataSubscription) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.finished
	return nil
}

// escapeGlob quotes the characters that Redis patterns give a meaning.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
