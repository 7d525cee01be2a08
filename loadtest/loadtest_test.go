package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

// shortConfig is a small mixed run of a couple of seconds against admin.
func shortConfig(t *testing.T, admin *client.Client) Config {
	cfg, err := ScenarioDefaults(ScenarioMixed)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Admin = admin
	cfg.Consumers, cfg.Makers, cfg.Subscribers, cfg.Window = 3, 2, 4, 2
	cfg.MakerRate, cfg.ConsumerRate = 100, 100
	cfg.Duration = 2 * time.Second
	cfg.Logf = t.Logf
	return cfg
}

// TestLoadtestShortRun runs a short mixed load against a node on the
// embedded stores and the dev chain, over loopback HTTP and WebSocket:
// every operation happens, nothing is lost, the check covers orders,
// fills, balances and conservation, and the report and chart are written
// and parse. Then it tampers with what the clients saw, one way at a
// time, and the check must fail each time, and pass again once restored.
func TestLoadtestShortRun(t *testing.T) {
	env := apitest.Start(t, apitest.Options{Chain: true})
	cfg := shortConfig(t, env.Admin)
	var progress []Progress
	cfg.OnProgress = func(p Progress) { progress = append(progress, p) }
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg)
	defer r.close()
	ctx := context.Background()
	rep, err := r.run(ctx)
	if rep != nil {
		var table bytes.Buffer
		_ = rep.WriteTable(&table)
		t.Logf("\n%s", table.String())
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}

	ops := map[string]OperationStats{}
	for _, op := range rep.Operations {
		ops[op.Operation] = op
	}
	for _, name := range []string{OpRESTPlace, OpRESTCancel, OpWSPlace, OpWSAmend, OpWSCancel, OpMDDelivery} {
		op := ops[name]
		if op.Count == 0 {
			t.Errorf("%s: none answered: %+v", name, op)
			continue
		}
		if l := op.Latency; !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
			t.Errorf("%s: latency percentiles out of order: %+v", name, l)
		}
	}
	if s := ops[OpRESTSwap]; s.Count+s.Errors == 0 {
		t.Errorf("no swap was tried")
	}
	if rep.Orders == 0 || rep.OrdersPerSecond <= 0 || len(progress) == 0 || len(rep.Timeline) == 0 {
		t.Errorf("orders %d (%.0f/s), %d progress lines, %d timeline points", rep.Orders, rep.OrdersPerSecond, len(progress), len(rep.Timeline))
	}
	if rep.MarketData == nil || rep.MarketData.BookMessages == 0 || rep.MarketData.ChangesMeasured == 0 {
		t.Errorf("market data: %+v", rep.MarketData)
	}
	v := rep.Verification
	if !rep.OK || rep.LostOrders != 0 || !v.OK || v.Disagreements != 0 {
		t.Errorf("verification: %+v", v)
	}
	if v.OrdersAcknowledged == 0 || v.OrdersAcknowledged != v.OrdersOnServer || v.FillsSeen == 0 || v.FillsOnServer == 0 {
		t.Errorf("the check looked at %d orders (%d on the server) and %d fills (%d on the server)",
			v.OrdersAcknowledged, v.OrdersOnServer, v.FillsSeen, v.FillsOnServer)
	}
	if len(v.Conservation) != 2 || !v.Conservation[0].OK || !v.Conservation[1].OK || v.Conservation[0].Issued != "5000000.00" {
		t.Errorf("conservation: %+v", v.Conservation)
	}

	// The JSON report and the SVG chart.
	dir := t.TempDir()
	writeFile := func(name string, write func(io.Writer) error) []byte {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var back struct {
		LostOrders   *int             `json:"lost_orders"`
		OK           bool             `json:"ok"`
		Operations   []OperationStats `json:"operations"`
		Timeline     []TimelinePoint  `json:"timeline"`
		Verification Verification     `json:"verification"`
	}
	if err := json.Unmarshal(writeFile("report.json", rep.WriteJSON), &back); err != nil {
		t.Fatalf("the report does not parse: %v", err)
	}
	if back.LostOrders == nil || *back.LostOrders != 0 || !back.OK || back.Verification.LostOrders != 0 ||
		len(back.Operations) != len(rep.Operations) || len(back.Timeline) != len(rep.Timeline) {
		t.Errorf("the report read back: %+v", back)
	}
	svg := writeFile("latency.svg", rep.WriteSVG)
	dec := xml.NewDecoder(bytes.NewReader(svg))
	lines, root := 0, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			if se.Name.Local == "polyline" {
				lines++
			}
		}
	}
	if root != "svg" || lines < 2*len(rep.Operations) {
		t.Errorf("the chart's root is %q with %d lines for %d operations", root, lines, len(rep.Operations))
	}

	t.Run("TheLossCheckFailsWhenTheClientsDisagree", func(t *testing.T) {
		checkTampered(t, r)
	})
}

// checkTampered changes what the clients of a finished run saw, one thing
// at a time, and expects the check to catch each.
func checkTampered(t *testing.T, r *run) {
	ctx := context.Background()
	consumer, maker := r.consumers[0], r.makers[0]
	mk := r.markets[0]
	var known *orderSeen
	for _, o := range consumer.orders {
		if o.Known && !o.Uncertain {
			known = o
			break
		}
	}
	if known == nil || len(maker.streamFills) == 0 {
		t.Fatalf("nothing to tamper with: known order %v, %d maker fills", known, len(maker.streamFills))
	}
	cases := []struct {
		name    string
		tamper  func() (restore func())
		counter func(v Verification) int
	}{
		{"an acknowledged order the server never had", func() func() {
			consumer.orders["999999999999"] = &orderSeen{ID: "999999999999", Market: mk.Symbol, Side: "buy", Price: mk.Mid, Size: mk.Lot}
			return func() { delete(consumer.orders, "999999999999") }
		}, func(v Verification) int { return v.LostOrders }},
		{"an order the client knows filled otherwise", func() func() {
			known.Filled += mk.Lot
			return func() { known.Filled -= mk.Lot }
		}, func(v Verification) int { return v.OrderMismatches }},
		{"a fill the maker's channel never delivered", func() func() {
			saved := maker.streamFills
			maker.streamFills = append([]fill(nil), saved[1:]...)
			return func() { maker.streamFills = saved }
		}, func(v Verification) int { return v.UnexpectedFills }},
		{"a fill in an answer the server does not have", func() func() {
			saved := consumer.answerFills
			consumer.answerFills = append(append([]fill(nil), saved...), fill{Market: mk.Symbol, OrderID: known.ID, Side: known.Side,
				Liquidity: "taker", Price: mk.price(mk.Mid), Size: mk.size(1), QuoteAmount: "10.00", Fee: "0.00"})
			return func() { consumer.answerFills = saved }
		}, func(v Verification) int { return v.LostFills }},
		{"an issue recorded one unit off", func() func() {
			consumer.Issued[r.quote.Symbol]++
			return func() { consumer.Issued[r.quote.Symbol]-- }
		}, func(v Verification) int { return min(v.BalanceMismatches, v.ConservationViolations) }},
	}
	for _, c := range cases {
		restore := c.tamper()
		v := r.verify(ctx, nil)
		restore()
		if v.OK || c.counter(v) == 0 || len(v.Problems) == 0 {
			t.Errorf("%s: the check did not catch it: %+v", c.name, v)
			continue
		}
		t.Logf("%s: %s", c.name, v.summary())
		if rep := r.report(v); rep.OK || (c.counter(v) > 0 && !strings.Contains(v.summary(), "first:")) {
			t.Errorf("%s: the report says ok %v", c.name, rep.OK)
		}
	}
	if v := r.verify(ctx, nil); !v.OK {
		t.Fatalf("restored, the check still fails: %+v", v.Problems)
	}
}
