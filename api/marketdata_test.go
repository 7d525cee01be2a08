package api_test

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestPublicMarketData: assets, markets, the book, trades, the ticker and
// candles, without credentials, with exact decimal strings.
func TestPublicMarketData(t *testing.T) {
	t.Parallel()
	te := startTradeEnv(t, apitest.Options{})
	alice, _ := te.trader("alice", map[string]int64{"ACME": 100_00})
	bob, _ := te.trader("bob", map[string]int64{"EUR": 100_00})
	pub := te.Public()

	var assets struct {
		Assets []struct {
			ID        string  `json:"id"`
			Symbol    string  `json:"symbol"`
			Scale     int     `json:"scale"`
			Kind      string  `json:"kind"`
			Brand     *string `json:"brand"`
			ExpiresAt *string `json:"expires_at"`
			Expired   bool    `json:"expired"`
			Hub       bool    `json:"hub"`
			Name      *string `json:"name"`
			BrandName *string `json:"brand_name"`
		} `json:"assets"`
	}
	// ACME has a token program; COFFEE gets one after the first answer
	// (its name is not cached missing).
	program := func(asset engine.AssetID, name, contract string) {
		if err := te.Node.SQL.CreateTokenProgram(t.Context(), sqlstore.TokenProgram{AssetID: uint32(asset), Brand: te.brand, ChainID: 1337,
			Contract: contract, Kind: sqlstore.ProgramPoints, Symbol: "X", Name: name, Decimals: 2, Scale: 2, CreatedAt: 1}); err != nil {
			t.Fatal(err)
		}
	}
	program(te.assets["ACME"], "ACME points", "0x00000000000000000000000000000000000000a1")
	brand := strconv.FormatUint(uint64(te.brand), 10)
	for i, want := range [][]string{{
		"1 EUR 2 token <null> <null> false true <null> <null>",
		"2 ACME 2 points " + brand + " <null> false false ACME points acme-brand",
		"3 COFFEE 0 points " + brand + " <null> false false <null> acme-brand",
	}, {
		"1 EUR 2 token <null> <null> false true <null> <null>",
		"2 ACME 2 points " + brand + " <null> false false ACME points acme-brand",
		"3 COFFEE 0 points " + brand + " <null> false false COFFEE cups acme-brand",
	}} {
		if i == 1 {
			program(te.assets["COFFEE"], "COFFEE cups", "0x00000000000000000000000000000000000000a2")
		}
		tradeCall(t, pub, "GET", "/v1/assets", nil, &assets)
		var got []string
		for _, a := range assets.Assets {
			got = append(got, line(a.ID, a.Symbol, a.Scale, a.Kind, str(a.Brand), str(a.ExpiresAt), a.Expired, a.Hub, str(a.Name), str(a.BrandName)))
		}
		check(t, "assets", got, want)
	}

	var markets struct {
		Markets []struct {
			ID         string `json:"id"`
			Symbol     string `json:"symbol"`
			Base       string `json:"base"`
			Quote      string `json:"quote"`
			PriceScale int    `json:"price_scale"`
			Tick       string `json:"tick"`
			Lot        string `json:"lot"`
			MinSize    string `json:"min_size"`
			MakerBps   int    `json:"maker_bps"`
			TakerBps   int    `json:"taker_bps"`
			Status     string `json:"status"`
		} `json:"markets"`
	}
	tradeCall(t, pub, "GET", "/v1/markets", nil, &markets)
	var got []string
	for _, m := range markets.Markets {
		got = append(got, line(m.ID, m.Symbol, m.Base, m.Quote, m.PriceScale, m.Tick, m.Lot, m.MinSize, m.MakerBps, m.TakerBps, m.Status))
	}
	check(t, "markets", got, []string{
		"1 ACME-EUR ACME EUR 2 0.01 1.00 1.00 10 20 open",
		"2 COFFEE-EUR COFFEE EUR 2 0.05 1 2 0 10 open",
	})

	// A book: two bids, one ask; then a trade at the ask.
	place(t, bob, limitOrder("buy", "1.00", "10.00"))
	place(t, bob, limitOrder("buy", "0.99", "5.00"))
	place(t, alice, limitOrder("sell", "1.10", "3.00"))
	type bookAns struct {
		Market string      `json:"market"`
		Seq    uint64      `json:"seq"`
		Bids   [][2]string `json:"bids"`
		Asks   [][2]string `json:"asks"`
	}
	var book bookAns
	tradeEventually(t, "the book in the market data", func() bool {
		tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/book", nil, &book)
		return len(book.Bids) == 2 && len(book.Asks) == 1
	})
	check(t, "book", line(book.Market, book.Seq > 0, book.Bids, book.Asks), "ACME-EUR true [[1.00 10.00] [0.99 5.00]] [[1.10 3.00]]")
	tradeCall(t, pub, "GET", "/v1/markets/acme-eur/book?depth=1", nil, &book)
	check(t, "book depth 1", line(book.Bids, book.Asks), "[[1.00 10.00]] [[1.10 3.00]]")
	tradeCall(t, pub, "GET", "/v1/markets/COFFEE-EUR/book", nil, &book)
	check(t, "empty book", line(book.Seq, len(book.Bids), len(book.Asks), book.Bids != nil), "0 0 0 true")

	var ticker struct {
		Market      string  `json:"market"`
		Time        *string `json:"time"`
		Last        *string `json:"last"`
		Open        *string `json:"open"`
		High        *string `json:"high"`
		Low         *string `json:"low"`
		Volume      string  `json:"volume"`
		QuoteVolume string  `json:"quote_volume"`
		Trades      int64   `json:"trades"`
	}
	tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/ticker", nil, &ticker)
	check(t, "ticker before a trade", line(str(ticker.Last), str(ticker.High), ticker.Volume, ticker.QuoteVolume, ticker.Trades),
		"<null> <null> 0.00 0.00 0")

	place(t, bob, limitOrder("buy", "1.10", "1.00"))
	var trades struct {
		Market string `json:"market"`
		Trades []struct {
			Price       string `json:"price"`
			Size        string `json:"size"`
			QuoteAmount string `json:"quote_amount"`
			Side        string `json:"side"`
			Time        string `json:"time"`
			Seq         uint64 `json:"seq"`
		} `json:"trades"`
	}
	tradeEventually(t, "the trade in the market data", func() bool {
		tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/trades", nil, &trades)
		return len(trades.Trades) == 1
	})
	tr := trades.Trades[0]
	check(t, "trade", line(tr.Price, tr.Size, tr.QuoteAmount, tr.Side, tr.Time != "", tr.Seq > 0), "1.10 1.00 1.10 buy true true")
	tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/book", nil, &book)
	check(t, "book after the trade", line(book.Asks), "[[1.10 2.00]]")

	tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/ticker", nil, &ticker)
	check(t, "ticker", line(ticker.Market, ticker.Time != nil, str(ticker.Last), str(ticker.Open), str(ticker.High), str(ticker.Low), ticker.Volume, ticker.QuoteVolume, ticker.Trades),
		"ACME-EUR true 1.10 1.10 1.10 1.10 1.00 1.10 1")
	tradeCall(t, pub, "GET", "/v1/markets/COFFEE-EUR/ticker", nil, &ticker)
	check(t, "COFFEE-EUR ticker", line(str(ticker.Last), ticker.Volume, ticker.Trades), "<null> 0 0")

	type candlesAns struct {
		Market   string `json:"market"`
		Interval string `json:"interval"`
		Candles  []struct {
			Start       string `json:"start"`
			Open        string `json:"open"`
			High        string `json:"high"`
			Low         string `json:"low"`
			Close       string `json:"close"`
			Volume      string `json:"volume"`
			QuoteVolume string `json:"quote_volume"`
			Trades      int64  `json:"trades"`
		} `json:"candles"`
	}
	var candles candlesAns
	for _, iv := range []string{"", "?interval=1m", "?interval=5m", "?interval=1h", "?interval=1d&limit=3"} {
		tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/candles"+iv, nil, &candles)
		if len(candles.Candles) != 1 {
			t.Fatalf("candles%s: %+v", iv, candles)
		}
		k := candles.Candles[0]
		check(t, "candle"+iv, line(k.Open, k.High, k.Low, k.Close, k.Volume, k.QuoteVolume, k.Trades), "1.10 1.10 1.10 1.10 1.00 1.10 1")
	}
	check(t, "interval", candles.Interval, "1d")
	now := time.Now()
	from := strconv.FormatInt(now.Add(-time.Hour).UnixMilli(), 10)
	to := url.QueryEscape(now.Add(time.Hour).UTC().Format(time.RFC3339))
	tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/candles?interval=1m&from="+from+"&to="+to, nil, &candles)
	check(t, "candles in [from, to]", len(candles.Candles), 1)
	later := strconv.FormatInt(now.Add(time.Hour).UnixMilli(), 10)
	tradeCall(t, pub, "GET", "/v1/markets/ACME-EUR/candles?from="+later+"&to="+later, nil, &candles)
	check(t, "no candles later", line(len(candles.Candles), candles.Candles != nil), "0 true")

	for _, bad := range []struct {
		path   string
		status int
		code   string
	}{
		{"/v1/markets/NOPE-EUR/book", 404, "unknown_market"},
		{"/v1/markets/NOPE/trades", 404, "unknown_market"},
		{"/v1/markets/NOPE-EUR/ticker", 404, "unknown_market"},
		{"/v1/markets/NOPE-EUR/candles", 404, "unknown_market"},
		{"/v1/markets/ACME-EUR/book?depth=0", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/book?depth=1001", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/book?depth=ten", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/trades?limit=0", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/trades?limit=1001", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/candles?interval=2m", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/candles?limit=1001", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/candles?from=yesterday", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/candles?from=-5", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/candles?to=99999999999999999", 400, "invalid_parameter"},
		{"/v1/markets/ACME-EUR/candles?from=" + later + "&to=" + from, 400, "invalid_parameter"},
	} {
		tradeFails(t, pub, "GET", bad.path, nil, bad.status, bad.code)
	}
}
