package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/lpx-exchange/lpx/cmd/lpx/marketmaker"
)

const marketmakerUsage = `Usage: lpx marketmaker [flags]

Quotes bids and asks on markets of a running lpx server over its
WebSocket API, as the account of an API key (HMAC-SHA256, scope trade):
--levels quotes of --size per side, --spread apart around a mid (the
book's without its own quotes when the book has both sides, else the
--mid given), requoted when an order fills, when the book moves and every
--requote-every. Its dead-man's switch (--deadman) cancels the quotes if
it dies; SIGINT or SIGTERM cancels them and stops it.

It cancels every order of the account in its markets when it starts and
stops: give it an account of its own.

Each flag can also be set by the LPX_ variable named after it; prefer
LPX_SECRET to --secret (a command line is visible to other users).

Example:
  LPX_SECRET=... lpx marketmaker --server http://127.0.0.1:8080 --key lpxk_... \
    --markets ACME-EUR,COFFEE-EUR --mid ACME-EUR=1.25 --mid COFFEE-EUR=0.50 \
    --spread 0.02 --size 10

Flags:
`

// midsFlag is --mid MARKET=PRICE, repeated or comma-separated.
type midsFlag map[string]string

func (m midsFlag) String() string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (m midsFlag) Set(s string) error {
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		market, price, ok := strings.Cut(pair, "=")
		if !ok || market == "" || price == "" {
			return fmt.Errorf("%q is not MARKET=PRICE", pair)
		}
		m[strings.ToUpper(strings.TrimSpace(market))] = strings.TrimSpace(price)
	}
	return nil
}

// parseMarketMaker reads lpx marketmaker's flags (and LPX_ variables)
// into a config; ok false with the exit code when it should not run.
func parseMarketMaker(args []string, stdout, stderr io.Writer) (cfg marketmaker.Config, code int, ok bool) {
	fs := flag.NewFlagSet("lpx marketmaker", flag.ContinueOnError)
	var rem remote
	var markets, level string
	mids := midsFlag{}
	rem.declare(fs)
	fs.StringVar(&markets, "markets", "", "markets to quote, comma-separated: ACME-EUR,COFFEE-EUR")
	fs.Var(mids, "mid", "a market's starting mid, MARKET=PRICE, repeated or comma-separated")
	fs.StringVar(&cfg.Spread, "spread", "100bps", "best ask minus best bid: a price (0.02) or basis points of the mid (50bps)")
	fs.StringVar(&cfg.Step, "step", "", "distance between levels of a side, in the same forms; empty: one tick")
	fs.StringVar(&cfg.Size, "size", "1", "each quote's size in the base asset, rounded down to the lot")
	fs.IntVar(&cfg.Levels, "levels", 1, fmt.Sprintf("quotes per side, 1 to %d", marketmaker.MaxLevels))
	fs.DurationVar(&cfg.RequoteEvery, "requote-every", marketmaker.DefaultRequoteEvery, "requote each market at least this often")
	fs.DurationVar(&cfg.DeadMan, "deadman", marketmaker.DefaultDeadMan, "the dead-man's switch's timeout, 1s to 10m")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	if code, ok := parseFlags(fs, args, marketmakerUsage, stdout, stderr); !ok {
		return cfg, code, false
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--key", rem.Key}, {"--secret", rem.Secret}, {"--markets", markets}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(stderr, "lpx marketmaker: %s required (lpx marketmaker -h for help)\n", strings.Join(missing, " and "))
		return cfg, 2, false
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		fmt.Fprintf(stderr, "lpx marketmaker: --log-level %q: %v\n", level, err)
		return cfg, 2, false
	}
	for _, m := range strings.Split(markets, ",") {
		if m = strings.TrimSpace(m); m != "" {
			cfg.Markets = append(cfg.Markets, strings.ToUpper(m))
		}
	}
	cfg.Mids = mids
	cfg.Client = rem.client()
	cfg.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	return cfg, 0, true
}

// runMarketMaker is lpx marketmaker; it returns the exit code.
func runMarketMaker(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseMarketMaker(args, stdout, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := marketmaker.Run(ctx, cfg); err != nil {
		fmt.Fprintln(stderr, "lpx marketmaker:", err)
		return 1
	}
	return 0
}
