package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Report is what a run measured and what the loss check found.
type Report struct {
	Scenario  string    `json:"scenario"`
	Server    string    `json:"server"`
	RunID     string    `json:"run_id"`
	StartedAt time.Time `json:"started_at"`
	Settings  Settings  `json:"settings"`
	Markets   []string  `json:"markets"`
	// SetupSeconds is the setup (programs, accounts, issues, connections);
	// LoadSeconds the load itself, which the rates are over.
	SetupSeconds float64 `json:"setup_seconds"`
	LoadSeconds  float64 `json:"load_seconds"`
	// Orders are the placements acknowledged, REST and WebSocket;
	// Requests every request of the load answered (placements, amends,
	// cancels and swaps, errors included).
	Orders            int64            `json:"orders"`
	OrdersPerSecond   float64          `json:"orders_per_second"`
	Requests          int64            `json:"requests"`
	RequestsPerSecond float64          `json:"requests_per_second"`
	Operations        []OperationStats `json:"operations"`
	ErrorsByCode      map[string]int64 `json:"errors_by_code"`
	// Unanswered requests had no answer in time (or the connection
	// dropped); they are not errors by code.
	Unanswered   int64            `json:"unanswered"`
	Disconnects  int64            `json:"disconnects"`
	MarketData   *MarketDataStats `json:"market_data,omitempty"`
	Timeline     []TimelinePoint  `json:"timeline"`
	Verification Verification     `json:"verification"`
	// LostOrders and OK repeat the verification's, for a quick look.
	LostOrders int  `json:"lost_orders"`
	OK         bool `json:"ok"`
}

// Settings are the run's settings as reported.
type Settings struct {
	Consumers    int     `json:"consumers"`
	Makers       int     `json:"makers"`
	Subscribers  int     `json:"subscribers"`
	Markets      int     `json:"markets"`
	Duration     string  `json:"duration"`
	Orders       int64   `json:"orders"`
	Window       int     `json:"window"`
	MakerRate    float64 `json:"maker_rate"`
	ConsumerRate float64 `json:"consumer_rate"`
	Levels       int     `json:"levels"`
	Unconflated  bool    `json:"unconflated"`
	Timeout      string  `json:"timeout"`
	IssueAmount  string  `json:"issue_amount"`
	Seed         uint64  `json:"seed"`
}

// OperationStats is one operation's figures. Latency is of the requests
// answered with success (or, for amend and cancel, with unknown_order:
// the order had filled, Gone), in milliseconds.
type OperationStats struct {
	Operation    string           `json:"operation"`
	Count        int64            `json:"count"`
	Gone         int64            `json:"gone,omitempty"`
	Errors       int64            `json:"errors"`
	Unanswered   int64            `json:"unanswered"`
	PerSecond    float64          `json:"per_second"`
	Latency      LatencyStats     `json:"latency_ms"`
	ErrorsByCode map[string]int64 `json:"errors_by_code,omitempty"`
}

// LatencyStats are percentiles of a histogram, in milliseconds.
type LatencyStats struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

func latencyStats(h *hdrhistogram.Histogram) LatencyStats {
	if h.TotalCount() == 0 {
		return LatencyStats{}
	}
	return LatencyStats{
		P50: millis(h.ValueAtQuantile(50)), P90: millis(h.ValueAtQuantile(90)), P99: millis(h.ValueAtQuantile(99)),
		P999: millis(h.ValueAtQuantile(99.9)), Max: millis(h.Max()), Mean: h.Mean() / 1000,
	}
}

// report assembles the report of the run.
func (r *run) report(v Verification) *Report {
	load := (r.ended - r.began).Seconds()
	rep := &Report{
		Scenario: r.cfg.Scenario, Server: r.cfg.Admin.BaseURL, RunID: r.id, StartedAt: r.epoch.UTC(),
		Settings: Settings{
			Consumers: r.cfg.Consumers, Makers: r.cfg.Makers, Subscribers: r.cfg.Subscribers, Markets: r.cfg.Markets,
			Duration: r.cfg.Duration.String(), Orders: r.cfg.Orders, Window: r.cfg.Window, MakerRate: r.cfg.MakerRate,
			ConsumerRate: r.cfg.ConsumerRate, Levels: r.cfg.Levels, Unconflated: r.cfg.Unconflated, Timeout: r.cfg.Timeout.String(),
			IssueAmount: r.cfg.IssueAmount, Seed: r.cfg.Seed,
		},
		SetupSeconds: r.setupTime.Seconds(), LoadSeconds: load, ErrorsByCode: map[string]int64{},
		Disconnects: r.disconnects, MarketData: r.md, Verification: v, LostOrders: v.LostOrders, OK: v.OK,
	}
	for _, m := range r.markets {
		rep.Markets = append(rep.Markets, m.Symbol)
	}
	for _, op := range operations {
		s := r.rec.ops[op]
		s.mu.Lock()
		st := OperationStats{Operation: op, Count: s.ok, Gone: s.gone, Errors: s.errs, Unanswered: s.unanswered, Latency: latencyStats(s.total)}
		if len(s.codes) > 0 {
			st.ErrorsByCode = map[string]int64{}
			for code, n := range s.codes {
				st.ErrorsByCode[code] = n
				rep.ErrorsByCode[code] += n
			}
		}
		s.mu.Unlock()
		if st.Count+st.Gone+st.Errors+st.Unanswered == 0 {
			continue
		}
		if load > 0 && op != OpMDDelivery {
			st.PerSecond = float64(st.Count+st.Gone) / load
		}
		if op != OpMDDelivery {
			rep.Unanswered += st.Unanswered
			rep.Requests += st.Count + st.Gone + st.Errors
		}
		if op == OpRESTPlace || op == OpWSPlace {
			rep.Orders += st.Count
		}
		rep.Operations = append(rep.Operations, st)
	}
	if load > 0 {
		rep.OrdersPerSecond = float64(rep.Orders) / load
		rep.RequestsPerSecond = float64(rep.Requests) / load
	}
	r.rec.mu.Lock()
	rep.Timeline = append([]TimelinePoint{}, r.rec.timeline...)
	r.rec.mu.Unlock()
	sort.SliceStable(rep.Timeline, func(i, j int) bool { return rep.Timeline[i].Second < rep.Timeline[j].Second })
	return rep
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// String is the progress line.
func (p Progress) String() string {
	s := fmt.Sprintf("%4ds  orders %6d/s  requests %6d/s  errors %d/s (%d in all, %d unanswered)  orders p50 %.2fms p99 %.2fms",
		int(p.Elapsed.Seconds()), p.Orders, p.Operations, p.Errors, p.TotalErrors, p.Unanswered, p.P50, p.P99)
	if p.BookMessages > 0 {
		s += fmt.Sprintf("  book pushes %d/s", p.BookMessages)
	}
	return s
}

// WriteTable writes the report as text: the operations' throughput and
// latency, the errors, the market data, and the loss check.
func (rep *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "lpx load test %s (%s) against %s: %d consumers, %d makers, %d subscribers, %d market%s; load %.1fs after %.1fs of setup\n\n",
		rep.RunID, rep.Scenario, rep.Server, rep.Settings.Consumers, rep.Settings.Makers, rep.Settings.Subscribers,
		rep.Settings.Markets, plural(rep.Settings.Markets), rep.LoadSeconds, rep.SetupSeconds)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tcount\tper s\terrors\tunanswered\tp50 ms\tp90 ms\tp99 ms\tp99.9 ms\tmax ms\t")
	for _, op := range rep.Operations {
		perSecond := fmt.Sprintf("%.0f", op.PerSecond)
		if op.Operation == OpMDDelivery {
			perSecond = "-"
		}
		count := fmt.Sprint(op.Count)
		if op.Gone > 0 {
			count = fmt.Sprintf("%d+%d filled", op.Count, op.Gone)
		}
		l := op.Latency
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", op.Operation, count, perSecond, op.Errors, op.Unanswered,
			l.P50, l.P90, l.P99, l.P999, l.Max)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\norders acknowledged: %d (%.0f/s); requests answered: %d (%.0f/s)\n", rep.Orders, rep.OrdersPerSecond, rep.Requests, rep.RequestsPerSecond)
	if len(rep.ErrorsByCode) > 0 {
		codes := make([]string, 0, len(rep.ErrorsByCode))
		for c := range rep.ErrorsByCode {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s %d", c, rep.ErrorsByCode[c])
		}
		fmt.Fprintf(&b, "errors by code: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "unanswered requests: %d; WebSocket connections lost during the run: %d\n", rep.Unanswered, rep.Disconnects)
	if md := rep.MarketData; md != nil {
		conflation := "conflated"
		if md.Unconflated {
			conflation = "unconflated"
		}
		fmt.Fprintf(&b, "market data: %d subscribers (%s books), %d book pushes (%.0f/s), %d resyncs, %d unreadable, %d disconnects; delivery of %d book changes to every subscriber: p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d missing\n",
			md.Subscribers, conflation, md.BookMessages, md.BookMessagesPerSecond, md.Resyncs, md.PushErrors, md.Disconnects,
			md.ChangesMeasured, md.Delivery.P50, md.Delivery.P99, md.Delivery.Max, md.Missing)
	}
	v := rep.Verification
	verdict := "OK, nothing lost"
	if !v.OK {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "\nloss check: %s\n", verdict)
	fmt.Fprintf(&b, "  orders: %d acknowledged, %d on the server; lost %d, unexpected %d, still open %d, disagreeing %d; %d placements unanswered (%d applied), %d orders uncertain\n",
		v.OrdersAcknowledged, v.OrdersOnServer, v.LostOrders, v.UnexpectedOrders, v.OpenOrders, v.OrderMismatches,
		v.UnansweredPlacements, v.UnansweredApplied, v.UncertainOrders)
	fmt.Fprintf(&b, "  fills: %d on the server, %d seen one by one by the clients, %d checked by sums (swaps' legs, consumers' resting orders); lost %d, unexpected %d; swap mismatches %d\n",
		v.FillsOnServer, v.FillsSeen, v.FillsBySum, v.LostFills, v.UnexpectedFills, v.SwapMismatches)
	fmt.Fprintf(&b, "  balances of %d accounts: %d mismatches\n", v.Accounts, v.BalanceMismatches)
	for _, c := range v.Conservation {
		ok := "conserved"
		if !c.OK {
			ok = "NOT conserved"
		}
		fmt.Fprintf(&b, "  %s %s: issued %s (server %s), held %s (server %s)\n", c.Asset, ok, c.Issued, c.IssuedOnServer, c.Held, c.HeldOnServer)
	}
	for _, p := range v.Problems {
		fmt.Fprintf(&b, "  ! %s\n", p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
