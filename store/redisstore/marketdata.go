package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/redis/go-redis/v9"
)

// Market data errors. Compare with errors.Is.
var (
	// ErrInvalidMarketUpdate: Apply refused an update before writing
	// anything (sequence number 0, a bad level, candle or market seq).
	ErrInvalidMarketUpdate = errors.New("redisstore: invalid market data update")
	// ErrMarketDataNotPublished: the update is stored and the checkpoint
	// moved, but publishing it failed. Retrying Apply is a harmless no-op
	// that does not publish either; subscribers see the gap by PrevSeq.
	ErrMarketDataNotPublished = errors.New("redisstore: market data stored but not published")
	// ErrMarketDataCorrupt: a stored value does not decode.
	ErrMarketDataCorrupt = errors.New("redisstore: market data corrupt")
)

// MarketData keeps lpx's public market data in Redis: the projector writes
// it with Apply, the API reads it and subscribes to its changes. It is safe
// for concurrent use; Apply is meant to have one caller at a time (the
// projector), reads any number.
//
// Key layout: P is the prefix given to NewMarketData, written here with a
// space for legibility (a key is the prefix followed directly by "md:"),
// and M a market id in decimal:
//
//	P md:checkpoint          string  Seq of the last applied Update, in decimal
//	P md:markets             set     every market ever written, in decimal
//	P md:M:seq               string  the market's Seq (its last MarketUpdate's), in decimal
//	P md:M:bids, P md:M:asks zset    one member per price level, "<price>:<size>" with
//	                                 the price zero-padded to 20 digits and score 0, so
//	                                 that ZRANGEBYLEX orders levels by price exactly
//	                                 (no price ever becomes a float64 score)
//	P md:M:trades            list    the recent trades as JSON, newest first, capped
//	P md:M:candles:<iv>      zset    candles of interval iv (1m, 5m, 1h, 1d) as JSON,
//	                                 scored by Start/iv (an integer, exact in a float64:
//	                                 |Start/1m| < 2^28), so one candle per start
//	P md:M:ticker            string  the ticker as JSON
//
// and the pub/sub channel "P md:M" carries every
// MarketUpdate of market M as JSON. Pub/sub ignores database numbers, so
// the prefix is what separates two exchanges (or two tests) on one server.
//
// Apply is one Lua script, so a write is atomic: a reader never sees half
// of it, a crash never leaves half of it (Redis writes a script's effects
// to the AOF and to replicas as one MULTI/EXEC),
// and the checkpoint check is inside it, so a retry by the projector or by
// the client after a lost reply changes nothing. Depth reads the levels and
// the market's Seq in one MULTI/EXEC, so they are from one instant.
//
// Every call has a deadline (MarketDataOptions.Timeout). go-redis cuts a
// blocked socket read at the context's deadline only for a client made
// with ContextTimeoutEnabled (as JournalOptions sets); otherwise its own
// ReadTimeout applies.
type MarketData struct {
	rdb       *redis.Client
	prefix    string
	trades    int64
	retention map[marketdata.Interval]time.Duration
	timeout   time.Duration
}

// MarketDataOptions tunes a MarketData. The zero value takes the defaults.
type MarketDataOptions struct {
	// RecentTrades is how many trades Trades can return per market: older
	// ones are dropped. 1,000 if 0 or less.
	RecentTrades int
	// CandleRetention is how long candles of each interval are kept,
	// counted back from the newest candle written for that market and
	// interval (not from the wall clock, so replaying old history keeps
	// it): a candle goes once its Start is retention or more before the
	// newest's. An interval missing from the map, or with a retention of 0
	// or less, keeps its candles forever. A nil map means
	// DefaultCandleRetention().
	CandleRetention map[marketdata.Interval]time.Duration
	// Timeout bounds every call to Redis. 5 s if 0 or less.
	Timeout time.Duration
}

// DefaultCandleRetention returns the retention used when
// MarketDataOptions.CandleRetention is nil: 1m candles for 7 days (10,080
// candles per market), 5m for 30 days (8,640), 1h for 400 days (9,600),
// 1d forever (one a day). It returns a new map each time.
func DefaultCandleRetention() map[marketdata.Interval]time.Duration {
	const day = 24 * time.Hour
	return map[marketdata.Interval]time.Duration{
		marketdata.Minute:     7 * day,
		marketdata.FiveMinute: 30 * day,
		marketdata.Hour:       400 * day,
	}
}

// NewMarketData returns the market data stored under prefix (which ends
// in a separator such as ':', since keys are prefix+"md:...").
func NewMarketData(rdb *redis.Client, prefix string, opts MarketDataOptions) *MarketData {
	m := &MarketData{rdb: rdb, prefix: prefix, trades: int64(opts.RecentTrades), timeout: opts.Timeout}
	if m.trades <= 0 {
		m.trades = 1000
	}
	if m.timeout <= 0 {
		m.timeout = 5 * time.Second
	}
	retention := opts.CandleRetention
	if retention == nil {
		retention = DefaultCandleRetention()
	}
	m.retention = make(map[marketdata.Interval]time.Duration, len(retention))
	for iv, d := range retention { // a copy: the caller's map may change
		if d > 0 {
			m.retention[iv] = d
		}
	}
	return m
}

func (m *MarketData) checkpointKey() string { return m.prefix + "md:checkpoint" }
func (m *MarketData) marketsKey() string    { return m.prefix + "md:markets" }

// marketKey is the key of one part of a market's data ("seq", "bids", ...).
func (m *MarketData) marketKey(market uint32, part string) string {
	return m.prefix + "md:" + strconv.FormatUint(uint64(market), 10) + ":" + part
}

func (m *MarketData) sideKey(market uint32, side marketdata.Side) string {
	if side == marketdata.Bid {
		return m.marketKey(market, "bids")
	}
	return m.marketKey(market, "asks")
}

func (m *MarketData) candleKey(market uint32, iv marketdata.Interval) string {
	return m.marketKey(market, "candles:"+iv.String())
}

// channel is the pub/sub channel of a market's updates.
func (m *MarketData) channel(market uint32) string {
	return m.prefix + "md:" + strconv.FormatUint(uint64(market), 10)
}

// levelPrice is a price as stored in a level member: 20 digits, so that
// the byte order of members is the numeric order of positive prices.
func levelPrice(price int64) string { return fmt.Sprintf("%020d", price) }

// levelMember is a level as stored in a side's sorted set.
func levelMember(price, size int64) string {
	return levelPrice(price) + ":" + strconv.FormatInt(size, 10)
}

// parseLevelMember decodes a level member.
func parseLevelMember(s string) (marketdata.Level, error) {
	if len(s) < 22 || s[20] != ':' {
		return marketdata.Level{}, fmt.Errorf("%w: level %q", ErrMarketDataCorrupt, s)
	}
	price, errP := strconv.ParseInt(s[:20], 10, 64)
	size, errS := strconv.ParseInt(s[21:], 10, 64)
	if errP != nil || errS != nil || price <= 0 || size <= 0 {
		return marketdata.Level{}, fmt.Errorf("%w: level %q", ErrMarketDataCorrupt, s)
	}
	return marketdata.Level{Price: price, Size: size}, nil
}

// floorDiv and ceilDiv divide rounding down and up (d > 0), without
// overflow.
func floorDiv(a, d int64) int64 {
	q := a / d
	if a%d != 0 && a < 0 {
		q--
	}
	return q
}

func ceilDiv(a, d int64) int64 {
	q := a / d
	if a%d != 0 && a > 0 {
		q++
	}
	return q
}

// candleScore is a candle's score in its sorted set: its index in whole
// intervals since the epoch.
func candleScore(iv marketdata.Interval, start int64) int64 {
	return floorDiv(start, int64(iv.Duration()))
}

// mdApplyScript applies one Update if it is newer than the checkpoint, and
// returns 1, or returns 0 and does nothing. KEYS[1] is the checkpoint;
// ARGV[1] the update's Seq (decimal without leading zeros, compared as
// such: Lua numbers are float64); ARGV[2..] the writes, each as: n, the
// command name, the index in KEYS of its key, and n-2 more arguments.
// Everything was checked in Go, so no write fails halfway (only a key of
// the wrong type, which nothing but a foreign writer makes, could).
var mdApplyScript = redis.NewScript(`
local seq, cp = ARGV[1], redis.call('GET', KEYS[1])
if cp and (#cp > #seq or (#cp == #seq and cp >= seq)) then
  return 0
end
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local cmd = {ARGV[i + 1], KEYS[tonumber(ARGV[i + 2])]}
  for j = 3, n do
    cmd[j] = ARGV[i + j]
  end
  redis.call(unpack(cmd))
  i = i + n + 1
end
redis.call('SET', KEYS[1], seq)
return 1
`)

// mdMaxArgs bounds the arguments of one scripted command, well below what
// Lua's unpack takes (about 8,000 in Redis).
const mdMaxArgs = 256

// mdWrites collects the commands of mdApplyScript.
type mdWrites struct {
	keys  []string       // KEYS: keys[0] is the checkpoint
	index map[string]int // key -> its 1-based index in KEYS
	args  []any          // ARGV: the update's Seq, then the commands
}

func (w *mdWrites) add(name, key string, args ...any) {
	i, ok := w.index[key]
	if !ok {
		w.keys = append(w.keys, key)
		i = len(w.keys)
		w.index[key] = i
	}
	w.args = append(w.args, len(args)+2, name, i)
	w.args = append(w.args, args...)
}

// Checkpoint returns the Seq of the last applied Update, 0 if none.
func (m *MarketData) Checkpoint(ctx context.Context) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	seq, err := m.getSeq(ctx, m.checkpointKey())
	if err != nil {
		return 0, fmt.Errorf("redisstore: market data checkpoint: %w", err)
	}
	return seq, nil
}

// getSeq reads a decimal sequence number, 0 if the key is missing.
func (m *MarketData) getSeq(ctx context.Context, key string) (uint64, error) {
	s, err := m.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return parseSeq(s)
}

func parseSeq(s string) (uint64, error) {
	seq, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: sequence number %q", ErrMarketDataCorrupt, s)
	}
	return seq, nil
}

// Apply writes every MarketUpdate of u and moves the checkpoint to u.Seq,
// all at once, then publishes each MarketUpdate on its market's channel.
// If u.Seq is not above the checkpoint, it does nothing and returns nil:
// the projector retries after a lost reply, and the retry must not append
// its trades twice.
//
// Per market it sets the changed levels (size 0 removes a level), the
// market's Seq, adds the market to Markets, prepends the trades (given oldest first) to the recent
// trades, overwrites candles by (interval, start) and drops those past
// retention, and sets the ticker unless nil.
//
// u is checked in full first; ErrInvalidMarketUpdate means nothing was
// written. It is refused for Seq 0, a market twice, a MarketUpdate whose
// Seq is 0 or above u.Seq or whose PrevSeq is not below its Seq, a level
// with an unknown side, a price not above 0 or a negative size, and a
// candle with an unknown interval or a Start not on the interval.
//
// Publishing is best effort after the commit: pub/sub delivers at most
// once, to subscribers connected at the time. A failure to publish returns
// ErrMarketDataNotPublished, with the update stored. A subscriber that sees
// a MarketUpdate whose PrevSeq is not the Seq of the last one it saw has
// missed one and re-reads Depth (and what else it shows).
func (m *MarketData) Apply(ctx context.Context, u *marketdata.Update) error {
	w, msgs, err := m.plan(u)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	applied, err := mdApplyScript.Run(ctx, m.rdb, w.keys, w.args...).Int()
	if err != nil {
		return fmt.Errorf("redisstore: market data apply %d: %w", u.Seq, err)
	}
	if applied == 0 {
		return nil
	}
	_, err = m.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, mu := range u.Markets {
			p.Publish(ctx, m.channel(mu.Market), msgs[i])
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: update %d: %v", ErrMarketDataNotPublished, u.Seq, err)
	}
	return nil
}

// plan checks u and turns it into the script's keys and arguments and the
// messages to publish, one per market.
func (m *MarketData) plan(u *marketdata.Update) (*mdWrites, [][]byte, error) {
	if u == nil || u.Seq == 0 {
		return nil, nil, fmt.Errorf("%w: sequence number 0", ErrInvalidMarketUpdate)
	}
	seq := strconv.FormatUint(u.Seq, 10)
	w := &mdWrites{keys: []string{m.checkpointKey()}, index: map[string]int{m.checkpointKey(): 1}, args: []any{seq}}
	msgs := make([][]byte, len(u.Markets))
	seen := make(map[uint32]bool, len(u.Markets))
	for i := range u.Markets {
		mu := &u.Markets[i]
		if err := m.checkMarketUpdate(u.Seq, mu, seen); err != nil {
			return nil, nil, err
		}
		if err := m.planMarket(w, mu); err != nil {
			return nil, nil, err
		}
		msg, err := json.Marshal(mu)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: market %d: %v", ErrInvalidMarketUpdate, mu.Market, err)
		}
		msgs[i] = msg
	}
	return w, msgs, nil
}

func (m *MarketData) checkMarketUpdate(seq uint64, mu *marketdata.MarketUpdate, seen map[uint32]bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: update %d, market %d: %s", ErrInvalidMarketUpdate, seq, mu.Market, fmt.Sprintf(format, args...))
	}
	switch {
	case seen[mu.Market]:
		return bad("market listed twice")
	case mu.Seq == 0 || mu.Seq > seq:
		return bad("market seq %d", mu.Seq)
	case mu.PrevSeq >= mu.Seq:
		return bad("prev seq %d not below seq %d", mu.PrevSeq, mu.Seq)
	}
	seen[mu.Market] = true
	for _, l := range mu.Levels {
		if (l.Side != marketdata.Bid && l.Side != marketdata.Ask) || l.Price <= 0 || l.Size < 0 {
			return bad("level %v %d size %d", l.Side, l.Price, l.Size)
		}
	}
	for _, c := range mu.Candles {
		if c.Interval.Duration() == 0 || c.Interval.Start(c.Start) != c.Start {
			return bad("candle %v at %d", c.Interval, c.Start)
		}
	}
	return nil
}

// planMarket adds one market's writes.
func (m *MarketData) planMarket(w *mdWrites, mu *marketdata.MarketUpdate) error {
	for _, l := range mu.Levels {
		key, p := m.sideKey(mu.Market, l.Side), levelPrice(l.Price)
		// Whatever the old size, the member starts with "<price>:"; ';'
		// follows ':', so this lex range is exactly that price's member.
		w.add("ZREMRANGEBYLEX", key, "["+p+":", "("+p+";")
		if l.Size > 0 {
			w.add("ZADD", key, 0, levelMember(l.Price, l.Size))
		}
	}
	w.add("SET", m.marketKey(mu.Market, "seq"), strconv.FormatUint(mu.Seq, 10))
	w.add("SADD", m.marketsKey(), strconv.FormatUint(uint64(mu.Market), 10))

	if len(mu.Trades) > 0 {
		key := m.marketKey(mu.Market, "trades")
		var batch []any
		for i, t := range mu.Trades {
			b, err := json.Marshal(t)
			if err != nil {
				return fmt.Errorf("%w: market %d trade: %v", ErrInvalidMarketUpdate, mu.Market, err)
			}
			batch = append(batch, b)
			if len(batch) == mdMaxArgs || i == len(mu.Trades)-1 {
				w.add("LPUSH", key, batch...) // oldest first in, so newest ends up first
				batch = batch[:0]
			}
		}
		w.add("LTRIM", key, 0, m.trades-1)
	}

	newest := map[marketdata.Interval]int64{}
	for _, c := range mu.Candles {
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("%w: market %d candle: %v", ErrInvalidMarketUpdate, mu.Market, err)
		}
		key, score := m.candleKey(mu.Market, c.Interval), candleScore(c.Interval, c.Start)
		w.add("ZREMRANGEBYSCORE", key, score, score)
		w.add("ZADD", key, score, b)
		if n, ok := newest[c.Interval]; !ok || c.Start > n {
			newest[c.Interval] = c.Start
		}
	}
	for _, iv := range marketdata.Intervals { // in a fixed order
		start, ok := newest[iv]
		keep := m.retention[iv]
		if !ok || keep <= 0 || start < math.MinInt64+int64(keep) {
			continue
		}
		// Drop every candle with Start <= start-keep.
		w.add("ZREMRANGEBYSCORE", m.candleKey(mu.Market, iv), "-inf", candleScore(iv, start-int64(keep)))
	}

	if mu.Ticker != nil {
		b, err := json.Marshal(mu.Ticker)
		if err != nil {
			return fmt.Errorf("%w: market %d ticker: %v", ErrInvalidMarketUpdate, mu.Market, err)
		}
		w.add("SET", m.marketKey(mu.Market, "ticker"), b)
	}
	return nil
}
