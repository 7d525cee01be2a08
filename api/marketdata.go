package api

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/marketdata"
)

// MarketData is the public market data the projector keeps in Redis: depth,
// recent trades, candles and tickers. *redisstore.MarketData is one.
type MarketData interface {
	Depth(ctx context.Context, market uint32, n int) (marketdata.Depth, error)
	Trades(ctx context.Context, market uint32, n int) ([]marketdata.Trade, error)
	Candles(ctx context.Context, market uint32, iv marketdata.Interval, from, to int64, limit int) ([]marketdata.Candle, error)
	Ticker(ctx context.Context, market uint32) (marketdata.Ticker, bool, error)
}

// Limits of the market data routes.
const (
	defaultDepth   = 50
	maxDepth       = 1000
	defaultTrades  = 100
	maxTrades      = 1000
	defaultCandles = 500
	maxCandles     = 1000
)

// publicAsset is an asset as GET /v1/assets answers it (the admin
// answer's fields and whether it has expired).
type publicAsset struct {
	ID        string  `json:"id"`
	Symbol    string  `json:"symbol"`
	Scale     uint8   `json:"scale"`
	Kind      string  `json:"kind"`       // token, points, coupon
	Brand     *string `json:"brand"`      // the brand's account id; null for a token
	ExpiresAt *string `json:"expires_at"` // null: never
	Expired   bool    `json:"expired"`
	Hub       bool    `json:"hub"`
	// Name is the token program's name ("ACME points"), BrandName the
	// brand account's ("Acme Corp"); null when there is none.
	Name      *string `json:"name"`
	BrandName *string `json:"brand_name"`
}

// listAssets answers every asset, with whether it has expired and whether
// swaps may route through it as the engine has them now.
func (s *Server) listAssets(c *fiber.Ctx) error {
	assets, _, err := s.allRefs(c.UserContext())
	if err != nil {
		return err
	}
	infos := make([]engine.AssetInfo, len(assets))
	if err := s.read(c, func(e *engine.Engine) {
		for i, a := range assets {
			infos[i], _ = e.Asset(a.ID)
		}
	}); err != nil {
		return err
	}
	names, err := s.assetNames(c.UserContext(), assets)
	if err != nil {
		return err
	}
	out := make([]publicAsset, len(assets))
	for i, a := range assets {
		v := publicAsset{ID: strconv.FormatUint(uint64(a.ID), 10), Symbol: a.Symbol, Kind: a.Kind.String(), Scale: a.Scale,
			Expired: infos[i].Expired, Hub: infos[i].Hub}
		if a.Brand != 0 {
			b := strconv.FormatUint(uint64(a.Brand), 10)
			v.Brand = &b
		}
		if a.ExpiresAt != 0 {
			t := rfc3339(a.ExpiresAt)
			v.ExpiresAt = &t
		}
		v.Name, v.BrandName = names[i].Name, names[i].BrandName
		out[i] = v
	}
	return c.JSON(fiber.Map{"assets": out})
}

// publicMarket is a market as GET /v1/markets answers it.
type publicMarket struct {
	ID         string `json:"id"`
	Symbol     string `json:"symbol"` // BASE-QUOTE
	Base       string `json:"base"`
	Quote      string `json:"quote"`
	PriceScale uint8  `json:"price_scale"`
	Tick       string `json:"tick"`     // a price
	Lot        string `json:"lot"`      // in base
	MinSize    string `json:"min_size"` // in base
	MakerBps   int32  `json:"maker_bps"`
	TakerBps   int32  `json:"taker_bps"`
	Status     string `json:"status"` // open, halted
}

// listMarkets answers every market with its current fees and status.
func (s *Server) listMarkets(c *fiber.Ctx) error {
	_, markets, err := s.allRefs(c.UserContext())
	if err != nil {
		return err
	}
	infos := make([]engine.MarketInfo, len(markets))
	if err := s.read(c, func(e *engine.Engine) {
		for i, m := range markets {
			infos[i], _ = e.Market(m.ID)
		}
	}); err != nil {
		return err
	}
	out := make([]publicMarket, len(markets))
	for i, m := range markets {
		out[i] = publicMarket{
			ID: strconv.FormatUint(uint64(m.ID), 10), Symbol: m.Symbol, Base: m.Base.Symbol, Quote: m.Quote.Symbol, PriceScale: m.PriceScale,
			Tick: formatUnits(m.Tick, m.PriceScale), Lot: formatUnits(m.Lot, m.Base.Scale), MinSize: formatUnits(m.MinSize, m.Base.Scale),
			MakerBps: infos[i].MakerBps, TakerBps: infos[i].TakerBps, Status: infos[i].Status.String(),
		}
	}
	return c.JSON(fiber.Map{"markets": out})
}

// getBook answers the top ?depth= levels (1..1000, default 50) of each side
// of a market's book from the market data, as of the seq it reflects:
// bids from the highest price, asks from the lowest, each level a
// [price, size] pair of decimal strings.
func (s *Server) getBook(c *fiber.Ctx) error {
	m, err := s.market(c.UserContext(), c.Params("market"))
	if err != nil {
		return err
	}
	depth, err := queryInt(c, "depth", defaultDepth, 1, maxDepth)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	d, err := s.deps.MarketData.Depth(ctx, uint32(m.ID), depth)
	if err != nil {
		return err
	}
	levels := func(ls []marketdata.Level) [][2]string {
		out := make([][2]string, len(ls))
		for i, l := range ls {
			out[i] = [2]string{formatUnits(l.Price, m.PriceScale), formatUnits(l.Size, m.Base.Scale)}
		}
		return out
	}
	return c.JSON(fiber.Map{"market": m.Symbol, "seq": d.Seq, "bids": levels(d.Bids), "asks": levels(d.Asks)})
}

type tradeView struct {
	Price       string `json:"price"`
	Size        string `json:"size"`
	QuoteAmount string `json:"quote_amount"`
	Side        string `json:"side"` // the taker's: buy or sell
	Time        string `json:"time"`
	Seq         uint64 `json:"seq"`
}

// getTrades answers a market's ?limit= (1..1000, default 100) most recent
// trades, newest first.
func (s *Server) getTrades(c *fiber.Ctx) error {
	m, err := s.market(c.UserContext(), c.Params("market"))
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", defaultTrades, 1, maxTrades)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	trades, err := s.deps.MarketData.Trades(ctx, uint32(m.ID), limit)
	if err != nil {
		return err
	}
	out := make([]tradeView, len(trades))
	for i, t := range trades {
		side := "buy"
		if t.TakerSide == marketdata.Ask {
			side = "sell"
		}
		out[i] = tradeView{
			Price: formatUnits(t.Price, m.PriceScale), Size: formatUnits(t.Size, m.Base.Scale),
			QuoteAmount: formatUnits(t.QuoteAmount, m.Quote.Scale), Side: side, Time: rfc3339(t.Time), Seq: t.Seq,
		}
	}
	return c.JSON(fiber.Map{"market": m.Symbol, "trades": out})
}

type tickerView struct {
	Market string `json:"market"`
	// Time is the end of the 24 hours summarised; null before any trade.
	Time *string `json:"time"`
	// Last is the last trade's price ever; Open, High and Low are over the
	// window. Each is null when there is none.
	Last        *string `json:"last"`
	Open        *string `json:"open"`
	High        *string `json:"high"`
	Low         *string `json:"low"`
	Volume      string  `json:"volume"`       // base
	QuoteVolume string  `json:"quote_volume"` // quote
	Trades      int64   `json:"trades"`
}

// getTicker answers a market's last 24 hours.
func (s *Server) getTicker(c *fiber.Ctx) error {
	m, err := s.market(c.UserContext(), c.Params("market"))
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	t, ok, err := s.deps.MarketData.Ticker(ctx, uint32(m.ID))
	if err != nil {
		return err
	}
	price := func(p int64) *string {
		if p == 0 {
			return nil
		}
		v := formatUnits(p, m.PriceScale)
		return &v
	}
	v := tickerView{
		Market: m.Symbol, Last: price(t.Last), Open: price(t.Open), High: price(t.High), Low: price(t.Low),
		Volume: formatUnits(t.Volume, m.Base.Scale), QuoteVolume: formatUnits(t.QuoteVolume, m.Quote.Scale), Trades: t.Trades,
	}
	if ok {
		ts := rfc3339(t.Time)
		v.Time = &ts
	}
	return c.JSON(v)
}

type candleView struct {
	Start       string `json:"start"`
	Open        string `json:"open"`
	High        string `json:"high"`
	Low         string `json:"low"`
	Close       string `json:"close"`
	Volume      string `json:"volume"`
	QuoteVolume string `json:"quote_volume"`
	Trades      int64  `json:"trades"`
}

// getCandles answers a market's candles of ?interval= (1m, 5m, 1h or 1d;
// default 1m) whose start is within [?from=, ?to=], oldest first, at most
// ?limit= (1..1000, default 500) of them. from and to are RFC 3339 times
// or Unix milliseconds; to defaults to now and from to limit-1 intervals
// before to (the newest candles). Intervals without trades have no candle.
func (s *Server) getCandles(c *fiber.Ctx) error {
	m, err := s.market(c.UserContext(), c.Params("market"))
	if err != nil {
		return err
	}
	iv := marketdata.Minute
	if q := c.Query("interval"); q != "" {
		if iv, err = marketdata.ParseInterval(q); err != nil {
			return Errorf("invalid_parameter", "query parameter \"interval\" must be 1m, 5m, 1h or 1d, not %q", clip(q))
		}
	}
	limit, err := queryInt(c, "limit", defaultCandles, 1, maxCandles)
	if err != nil {
		return err
	}
	to, err := queryTime(c, "to", s.cfg.Now().UnixNano())
	if err != nil {
		return err
	}
	d := int64(iv.Duration())
	from, err := queryTime(c, "from", max(iv.Start(to)-int64(limit-1)*d, 0))
	if err != nil {
		return err
	}
	if from > to {
		return Errorf("invalid_parameter", "query parameter \"from\" is after \"to\"")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	candles, err := s.deps.MarketData.Candles(ctx, uint32(m.ID), iv, from, to, limit)
	if err != nil {
		return err
	}
	out := make([]candleView, len(candles))
	for i, k := range candles {
		out[i] = candleView{
			Start: rfc3339(k.Start), Open: formatUnits(k.Open, m.PriceScale), High: formatUnits(k.High, m.PriceScale),
			Low: formatUnits(k.Low, m.PriceScale), Close: formatUnits(k.Close, m.PriceScale),
			Volume: formatUnits(k.Volume, m.Base.Scale), QuoteVolume: formatUnits(k.QuoteVolume, m.Quote.Scale), Trades: k.Trades,
		}
	}
	return c.JSON(fiber.Map{"market": m.Symbol, "interval": iv.String(), "candles": out})
}

// maxUnixMilli is the last millisecond whose nanoseconds fit an int64
// (in 2262).
const maxUnixMilli = (1<<63 - 1) / int64(time.Millisecond)

// queryTime reads an optional time query parameter, RFC 3339 or Unix
// milliseconds, as Unix nanoseconds; absent, it is def.
func queryTime(c *fiber.Ctx, name string, def int64) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	bad := Errorf("invalid_parameter", "query parameter %q must be an RFC 3339 time or Unix milliseconds, not %q", name, clip(v))
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		if ms < 0 || ms > maxUnixMilli {
			return 0, bad
		}
		return ms * int64(time.Millisecond), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Before(time.Unix(0, 0)) || t.After(time.Unix(0, 1<<63-1)) {
		return 0, bad
	}
	return t.UnixNano(), nil
}
