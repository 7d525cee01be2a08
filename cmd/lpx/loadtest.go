package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/lpx-exchange/lpx/loadtest"
)

const loadtestUsage = `Usage: lpx loadtest [flags]

Drives an lpx server through its public API and measures it: consumers
placing and cancelling orders and swapping over REST (HMAC keys), market
makers quoting both sides over the WebSocket and moving and cancelling
their quotes, and subscribers following the books. It prints a progress
line each second and, at the end, the throughput and latency (p50, p90,
p99, p99.9, max) of each operation, measured with HDR histograms, the
market data's delivery latency, the errors by code, and a loss check:
every order acknowledged is on the server, the fills the clients saw are
the server's, each account's balance is its issues plus its fills, and
every asset is conserved. It writes the report as JSON (--report) and the
latency over time as SVG (--chart), and exits 1 if anything was lost or
disagreed.

It sets itself up through the API: a brand with points programs of the
run's own, zero-fee markets between them, and funded accounts. With
--server it needs an operator's key (--key, LPX_KEY; LPX_SECRET). Without
--server it starts a node in-process (embedded in a temporary directory,
or on --redis-url and --database-url, always with the embedded dev chain;
its Redis keys under a fresh prefix and its tables in a fresh PostgreSQL
schema, all removed afterwards unless --keep-data) and drives it over
loopback exactly as it would a remote one.

Scenarios (--scenario; every flag below overrides its part):
  ws     32 makers, 2 calls in flight each, unpaced: WebSocket orders placed and acknowledged
  rest   32 consumers, unpaced, and 4 makers keeping 8 quotes each (200 messages/s): REST orders
  md     1,000 subscribers while 4 makers change the book 200 times a second: book delivery latency
  mixed  16 consumers, 8 makers (2 in flight, 100 messages/s) and 1,000 subscribers

A server's default limits (500 messages a second per WebSocket connection,
200 requests a second per key, 50 per address) show as rate_limited
errors: raise them on the server or pace the load (--maker-rate,
--consumer-rate). The in-process node has them raised.

Each flag can also be set by the LPX_ variable named after it; prefer
LPX_SECRET to --secret.

Flags:
`

// loadtestFlags are lpx loadtest's settings.
type loadtestFlags struct {
	rem                                     remote
	scenario                                string
	duration, timeout                       time.Duration
	orders                                  int64
	consumers, makers, subscribers, markets int
	window, levels                          int
	makerRate, consumerRate                 float64
	unconflated                             bool
	issue                                   string
	seed                                    uint64
	report, chart                           string
	node                                    inProcessSettings
	logLevel                                string
	cpuProfile                              string
}

// scenarioDefault marks a flag left to the scenario.
const scenarioDefault = -1

// parseLoadtest reads lpx loadtest's flags (and LPX_ variables) into a
// config; ok false with the exit code when it should not run.
func parseLoadtest(args []string, stdout, stderr io.Writer) (f loadtestFlags, cfg loadtest.Config, code int, ok bool) {
	fs := flag.NewFlagSet("lpx loadtest", flag.ContinueOnError)
	f.rem.declare(fs)
	// No default server: without one, a node runs in-process.
	server := fs.Lookup("server")
	server.DefValue, server.Usage = "", "the running server's base URL; empty: start a node in-process"
	_ = server.Value.Set("")
	fs.StringVar(&f.scenario, "scenario", loadtest.ScenarioMixed, "what to run: "+strings.Join(loadtest.Scenarios, ", "))
	fs.DurationVar(&f.duration, "duration", 0, "how long the load runs (0: 10s, or until --orders)")
	fs.Int64Var(&f.orders, "orders", 0, "stop once this many orders were placed (0: no limit)")
	fs.IntVar(&f.consumers, "consumers", scenarioDefault, "REST consumers (-1: the scenario's)")
	fs.IntVar(&f.makers, "makers", scenarioDefault, "WebSocket market makers (-1: the scenario's)")
	fs.IntVar(&f.subscribers, "subscribers", scenarioDefault, "market-data subscribers, one book each (-1: the scenario's)")
	fs.IntVar(&f.markets, "markets", 1, "markets to create and trade")
	fs.IntVar(&f.window, "window", scenarioDefault, "calls each maker keeps in flight (-1: the scenario's)")
	fs.Float64Var(&f.makerRate, "maker-rate", scenarioDefault, "messages a second per maker connection, 0 unpaced (-1: the scenario's)")
	fs.Float64Var(&f.consumerRate, "consumer-rate", scenarioDefault, "requests a second per consumer, 0 unpaced (-1: the scenario's)")
	fs.IntVar(&f.levels, "levels", 10, "ticks either side of the mid the makers quote")
	fs.BoolVar(&f.unconflated, "unconflated", false, "subscribe to every book update, not one per interval")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "a request without an answer by then counts as unanswered")
	fs.StringVar(&f.issue, "issue", "1000000", "what each account is issued of each asset")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the workers' choices")
	fs.StringVar(&f.report, "report", "loadtest-report.json", "where to write the JSON report (empty: nowhere)")
	fs.StringVar(&f.chart, "chart", "loadtest-latency.svg", "where to write the SVG chart of latency over time (empty: nowhere)")
	f.node.declare(fs)
	fs.StringVar(&f.logLevel, "log-level", "error", "the in-process node's log level: debug, info, warn or error")
	fs.StringVar(&f.cpuProfile, "cpu-profile", "", "write a CPU profile of this process (the load, and the in-process node) to this file")
	if code, ok := parseFlags(fs, args, loadtestUsage, stdout, stderr); !ok {
		return f, cfg, code, false
	}
	bad := func(format string, args ...any) (loadtestFlags, loadtest.Config, int, bool) {
		fmt.Fprintf(stderr, "lpx loadtest: "+format+" (lpx loadtest -h for help)\n", args...)
		return f, cfg, 2, false
	}
	cfg, err := loadtest.ScenarioDefaults(f.scenario)
	if err != nil {
		return bad("--scenario %q: one of %s", f.scenario, strings.Join(loadtest.Scenarios, ", "))
	}
	override := func(dst *int, v int) {
		if v != scenarioDefault {
			*dst = v
		}
	}
	override(&cfg.Consumers, f.consumers)
	override(&cfg.Makers, f.makers)
	override(&cfg.Subscribers, f.subscribers)
	override(&cfg.Window, f.window)
	if f.makerRate != scenarioDefault {
		cfg.MakerRate = f.makerRate
	}
	if f.consumerRate != scenarioDefault {
		cfg.ConsumerRate = f.consumerRate
	}
	switch {
	case f.duration > 0:
		cfg.Duration = f.duration
	case f.duration < 0:
		return bad("--duration must not be negative")
	case f.orders > 0:
		cfg.Duration = 0 // until the orders are placed
	}
	cfg.Orders, cfg.Markets, cfg.Levels, cfg.Unconflated = f.orders, f.markets, f.levels, f.unconflated
	cfg.Timeout, cfg.IssueAmount, cfg.Seed = f.timeout, f.issue, f.seed
	if f.rem.Server != "" {
		if err := f.rem.needKey(); err != nil {
			return bad("with --server, %v", err)
		}
		cfg.Admin = f.rem.client()
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.logLevel)); err != nil {
		return bad("--log-level %q: %v", f.logLevel, err)
	}
	return f, cfg, 0, true
}

// runLoadtest is lpx loadtest; it returns the exit code.
func runLoadtest(args []string, stdout, stderr io.Writer) int {
	f, cfg, code, ok := parseLoadtest(args, stdout, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.cpuProfile != "" {
		stopProfile, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "lpx loadtest:", err)
			return 1
		}
		defer stopProfile()
	}
	cfg.Logf = func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	cfg.OnProgress = func(p loadtest.Progress) { fmt.Fprintln(stdout, p) }
	if cfg.Admin == nil {
		var lvl slog.Level
		_ = lvl.UnmarshalText([]byte(f.logLevel))
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
		n, err := startInProcess(ctx, f.node, log, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "lpx loadtest:", err)
			return 1
		}
		defer func() {
			if err := n.stop(); err != nil {
				fmt.Fprintln(stderr, "lpx loadtest: stopping the in-process node:", err)
			}
		}()
		cfg.Admin = n.admin
	}
	fmt.Fprintf(stdout, "lpx loadtest: scenario %s against %s\n", cfg.Scenario, cfg.Admin.BaseURL)
	rep, err := loadtest.Run(ctx, cfg)
	if rep != nil {
		fmt.Fprintln(stdout)
		_ = rep.WriteTable(stdout)
		if werr := writeLoadtestFiles(rep, f.report, f.chart, stdout); werr != nil {
			fmt.Fprintln(stderr, "lpx loadtest:", werr)
			if err == nil {
				return 1
			}
		}
	}
	if err != nil {
		if errors.Is(err, loadtest.ErrVerification) {
			fmt.Fprintln(stderr, "lpx loadtest: something was lost or disagreed:", err)
		} else {
			fmt.Fprintln(stderr, "lpx loadtest:", err)
		}
		return 1
	}
	return 0
}

// startCPUProfile profiles the process into path until the returned
// function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeLoadtestFiles writes the JSON report and the SVG chart where asked.
func writeLoadtestFiles(rep *loadtest.Report, reportPath, chartPath string, stdout io.Writer) error {
	write := func(path string, f func(io.Writer) error) error {
		if path == "" {
			return nil
		}
		file, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := f(file); err != nil {
			file.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		return file.Close()
	}
	if err := write(reportPath, rep.WriteJSON); err != nil {
		return err
	}
	if err := write(chartPath, rep.WriteSVG); err != nil {
		return err
	}
	var wrote []string
	for _, p := range []string{reportPath, chartPath} {
		if p != "" {
			wrote = append(wrote, p)
		}
	}
	if len(wrote) > 0 {
		fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join(wrote, " and "))
	}
	return nil
}
