package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
)

const marketUsage = `Usage: lpx market SUBCOMMAND [flags]

Subcommands (each takes -h):
  create   open a market BASE-QUOTE: --base, --quote, --tick, --lot
           [--min-size] [--price-scale] [--maker-bps] [--taker-bps]
  halt     halt a market (--market): orders are refused, resting ones stay
  resume   open a halted market again (--market)
  fees     set a market's fees in basis points (--market, --maker-bps,
           --taker-bps), for orders placed from now on
  list     list the markets with their fees and status (no key needed)

They call the running server (--server, LPX_SERVER) with an operator's
key holding the admin scope (--key and --secret, or LPX_KEY and
LPX_SECRET).
`

// runMarket is lpx market: 0 done, 1 failed (the server's answer or
// none), 2 bad usage.
func runMarket(args []string, stdout, stderr io.Writer) int {
	return runGroup("market", marketUsage, []verb{
		{"create", runMarketCreate},
		{"halt", func(args []string, stdout, stderr io.Writer) int {
			return runMarketStatus("halt", args, stdout, stderr)
		}},
		{"resume", func(args []string, stdout, stderr io.Writer) int {
			return runMarketStatus("resume", args, stdout, stderr)
		}},
		{"fees", runMarketFees},
		{"list", runMarketList},
	}, args, stdout, stderr)
}

// marketAnswer is a market as the API answers it.
type marketAnswer struct {
	ID         string `json:"id"`
	Symbol     string `json:"symbol"`
	PriceScale int    `json:"price_scale"`
	Tick       string `json:"tick"`
	Lot        string `json:"lot"`
	MinSize    string `json:"min_size"`
	MakerBps   int    `json:"maker_bps"`
	TakerBps   int    `json:"taker_bps"`
	Status     string `json:"status"`
}

// String is a market in one line.
func (m marketAnswer) String() string {
	return fmt.Sprintf("%s (market %s): %s; tick %s at price scale %d, lot %s, min size %s; fees: maker %d bps, taker %d bps",
		m.Symbol, m.ID, m.Status, m.Tick, m.PriceScale, m.Lot, m.MinSize, m.MakerBps, m.TakerBps)
}

// runMarketCreate is lpx market create.
func runMarketCreate(args []string, stdout, stderr io.Writer) int {
	const name = "lpx market create"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	base := fs.String("base", "", "the base asset's symbol (what is bought and sold)")
	quote := fs.String("quote", "", "the quote asset's symbol (what prices are in)")
	tick := fs.String("tick", "", "the price step, a decimal: 0.01")
	lot := fs.String("lot", "", "the size step, a base amount: 1")
	minSize := fs.String("min-size", "", "the smallest order, a multiple of the lot (default one lot)")
	priceScale := fs.Int("price-scale", -1, "decimal places of prices (default: the tick's)")
	maker := fs.Int("maker-bps", 0, "the maker fee in basis points, 0 to 10000")
	taker := fs.Int("taker-bps", 0, "the taker fee in basis points, 0 to 10000")
	usage := "Usage: lpx market create --base SYM --quote SYM --tick PRICE --lot SIZE [flags]\n\nOpens the market BASE-QUOTE on the running server (an admin key).\n\nFlags:\n"
	if code, ok := parseFlags(fs, args, usage, stdout, stderr); !ok {
		return code
	}
	for _, f := range []struct{ flag, v string }{{"--base", *base}, {"--quote", *quote}, {"--tick", *tick}, {"--lot", *lot}} {
		if f.v == "" {
			return badInput(stderr, name, "%s is required (lpx market create -h)", f.flag)
		}
	}
	ps := *priceScale
	if ps < 0 {
		if _, frac, ok := strings.Cut(*tick, "."); ok {
			ps = len(frac)
		} else {
			ps = 0
		}
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	body := map[string]any{
		"base": strings.ToUpper(*base), "quote": strings.ToUpper(*quote), "price_scale": ps,
		"tick": *tick, "lot": *lot, "maker_bps": *maker, "taker_bps": *taker,
	}
	if *minSize != "" {
		body["min_size"] = *minSize
	}
	var m marketAnswer
	if !apiCall(context.Background(), name, &r, c, stderr, "POST", "/v1/admin/markets", nil, body, &m) {
		return 1
	}
	fmt.Fprintln(stdout, "Opened", m)
	return 0
}

// marketFlag declares --market.
func marketFlag(fs *flag.FlagSet) *string {
	return fs.String("market", "", "the market's symbol: ACME-EUR")
}

// runMarketStatus is lpx market halt and lpx market resume (action).
func runMarketStatus(action string, args []string, stdout, stderr io.Writer) int {
	name := "lpx market " + action
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	market := marketFlag(fs)
	usage := fmt.Sprintf("Usage: %s --market SYM [flags]\n\n", name)
	if action == "halt" {
		usage += "Halts the market: orders are refused (market_halted); resting orders stay and can be canceled.\n\nFlags:\n"
	} else {
		usage += "Opens a halted market again (not one that trades an expired coupon).\n\nFlags:\n"
	}
	if code, ok := parseFlags(fs, args, usage, stdout, stderr); !ok {
		return code
	}
	if *market == "" {
		return badInput(stderr, name, "--market is required: ACME-EUR")
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	var m marketAnswer
	path := "/v1/admin/markets/" + url.PathEscape(strings.ToUpper(*market)) + "/" + action
	if !apiCall(context.Background(), name, &r, c, stderr, "POST", path, nil, nil, &m) {
		return 1
	}
	fmt.Fprintln(stdout, m)
	return 0
}

// runMarketFees is lpx market fees.
func runMarketFees(args []string, stdout, stderr io.Writer) int {
	const name = "lpx market fees"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	market := marketFlag(fs)
	maker := fs.Int("maker-bps", -1, "the maker fee in basis points, 0 to 10000 (required)")
	taker := fs.Int("taker-bps", -1, "the taker fee in basis points, 0 to 10000 (required)")
	usage := "Usage: lpx market fees --market SYM --maker-bps N --taker-bps N [flags]\n\nSets the market's fees for orders placed from now on.\n\nFlags:\n"
	if code, ok := parseFlags(fs, args, usage, stdout, stderr); !ok {
		return code
	}
	switch {
	case *market == "":
		return badInput(stderr, name, "--market is required: ACME-EUR")
	case *maker < 0 || *taker < 0:
		return badInput(stderr, name, "--maker-bps and --taker-bps are required, 0 to 10000")
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	var m marketAnswer
	path := "/v1/admin/markets/" + url.PathEscape(strings.ToUpper(*market)) + "/fees"
	if !apiCall(context.Background(), name, &r, c, stderr, "PUT", path, nil, map[string]any{"maker_bps": *maker, "taker_bps": *taker}, &m) {
		return 1
	}
	fmt.Fprintln(stdout, m)
	return 0
}

// runMarketList is lpx market list.
func runMarketList(args []string, stdout, stderr io.Writer) int {
	const name = "lpx market list"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	if code, ok := parseFlags(fs, args, "Usage: lpx market list [flags]\n\nLists the markets (a public route: no key needed).\n\nFlags:\n", stdout, stderr); !ok {
		return code
	}
	var answer struct {
		Markets []marketAnswer `json:"markets"`
	}
	if !apiCall(context.Background(), name, &r, r.client(), stderr, "GET", "/v1/markets", nil, nil, &answer) {
		return 1
	}
	if len(answer.Markets) == 0 {
		fmt.Fprintln(stdout, "No markets yet (lpx market create opens one).")
	}
	for _, m := range answer.Markets {
		fmt.Fprintln(stdout, m)
	}
	return 0
}
