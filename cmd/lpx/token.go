package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
)

const tokenUsage = `Usage: lpx token SUBCOMMAND [flags]

A brand's token programs and issuance, with a brand account's key holding
the issue scope (--key and --secret, or LPX_KEY and LPX_SECRET; lpx
account create --kind brand makes one). Subcommands (each takes -h):
  deploy     have the exchange deploy a new points or coupon token for the
             brand and list it as a new asset: --name, --symbol [--kind]
             [--decimals] [--scale] [--expires]
  register   list an ERC-20 the brand deployed itself: --token, --scale
  issue      credit a customer with the brand's points or coupons, minted
             on chain: --customer, --asset, --amount, --reference [--wait]
  list       list the brand's programs with their supply on chain
`

// runToken is lpx token: 0 done, 1 failed (the server's answer or none),
// 2 bad usage.
func runToken(args []string, stdout, stderr io.Writer) int {
	return runGroup("token", tokenUsage, []verb{
		{"deploy", runTokenDeploy},
		{"register", runTokenRegister},
		{"issue", runTokenIssue},
		{"list", runTokenList},
	}, args, stdout, stderr)
}

// programAnswer is a token program as the API answers it.
type programAnswer struct {
	Asset       string  `json:"asset"`
	AssetID     string  `json:"asset_id"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Token       string  `json:"token"`
	ChainID     string  `json:"chain_id"`
	Decimals    int     `json:"decimals"`
	Scale       int     `json:"scale"`
	ExpiresAt   *string `json:"expires_at"`
	TotalSupply *string `json:"total_supply"`
}

// String is a program in one line.
func (p programAnswer) String() string {
	s := fmt.Sprintf("%s (asset %s, %s, %q): token %s on chain %s, %d decimals on chain, scale %d on the exchange",
		p.Asset, p.AssetID, p.Kind, p.Name, p.Token, p.ChainID, p.Decimals, p.Scale)
	if p.ExpiresAt != nil {
		s += ", expires " + *p.ExpiresAt
	}
	if p.TotalSupply != nil {
		s += ", supply " + *p.TotalSupply
	}
	return s
}

// chainClient is a client for the routes that wait on the chain (a
// deployment waits for its confirmations).
func chainClient(c *client.Client) *client.Client {
	c.HTTP = &http.Client{Timeout: 3 * time.Minute}
	return c
}

// runTokenDeploy is lpx token deploy.
func runTokenDeploy(args []string, stdout, stderr io.Writer) int {
	const name = "lpx token deploy"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	progName := fs.String("name", "", "the token's name: \"Acme Points\"")
	symbol := fs.String("symbol", "", "the token's and the asset's symbol: ACME")
	kind := fs.String("kind", "points", "points (never expire) or coupon (--expires)")
	decimals := fs.Int("decimals", 18, "the token's decimals on chain, 0 to 77")
	scale := fs.Int("scale", 0, "decimal places of the asset on the exchange, at most the decimals and 18")
	expires := fs.String("expires", "", "a coupon's expiry, RFC 3339 in whole seconds: 2030-12-31T23:59:59Z")
	usage := "Usage: lpx token deploy --name NAME --symbol SYM [flags]\n\nHas the exchange deploy a LoyaltyToken for the brand (the vault mints it) and list it as the brand's asset; it waits for the deployment's confirmations.\n\nFlags:\n"
	if code, ok := parseFlags(fs, args, usage, stdout, stderr); !ok {
		return code
	}
	switch {
	case *progName == "":
		return badInput(stderr, name, "--name is required")
	case *symbol == "":
		return badInput(stderr, name, "--symbol is required")
	case *kind != "points" && *kind != "coupon":
		return badInput(stderr, name, "--kind %q: want points or coupon", *kind)
	case *kind == "coupon" && *expires == "":
		return badInput(stderr, name, "a coupon needs --expires (RFC 3339: 2030-12-31T23:59:59Z)")
	case *kind == "points" && *expires != "":
		return badInput(stderr, name, "points never expire: leave out --expires (or --kind coupon)")
	}
	if *expires != "" {
		if _, err := time.Parse(time.RFC3339, *expires); err != nil {
			return badInput(stderr, name, "--expires %q: want RFC 3339, 2030-12-31T23:59:59Z", *expires)
		}
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	body := map[string]any{"name": *progName, "symbol": strings.ToUpper(*symbol), "kind": *kind, "decimals": *decimals, "scale": *scale}
	if *expires != "" {
		body["expires_at"] = *expires
	}
	var p programAnswer
	if !apiCall(context.Background(), name, &r, chainClient(c), stderr, "POST", "/v1/brand/programs", nil, body, &p) {
		return 1
	}
	fmt.Fprintln(stdout, "Deployed", p)
	fmt.Fprintf(stdout, "Issue it with: lpx token issue --asset %s --customer ACCOUNT --amount AMOUNT --reference REF\n", p.Asset)
	return 0
}

// runTokenRegister is lpx token register.
func runTokenRegister(args []string, stdout, stderr io.Writer) int {
	const name = "lpx token register"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	token := fs.String("token", "", "the ERC-20's address, 0x...")
	scale := fs.Int("scale", -1, "decimal places of the asset on the exchange, 0 to 18 (required)")
	usage := "Usage: lpx token register --token 0x... --scale N [flags]\n\nLists an ERC-20 the brand deployed itself as the brand's asset (its symbol, decimals and a coupon's expiry are read from the chain). To issue it through the exchange, grant the vault the token's MINTER_ROLE.\n\nFlags:\n"
	if code, ok := parseFlags(fs, args, usage, stdout, stderr); !ok {
		return code
	}
	switch {
	case *token == "":
		return badInput(stderr, name, "--token is required: the ERC-20's address")
	case *scale < 0:
		return badInput(stderr, name, "--scale is required: decimal places on the exchange, 0 to 18")
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	var p programAnswer
	if !apiCall(context.Background(), name, &r, chainClient(c), stderr, "POST", "/v1/brand/programs/register", nil, map[string]any{"token": *token, "scale": *scale}, &p) {
		return 1
	}
	fmt.Fprintln(stdout, "Registered", p)
	return 0
}

// issueAnswer is an issuance as the API answers it.
type issueAnswer struct {
	Reference     string `json:"reference"`
	Customer      string `json:"customer"`
	Asset         string `json:"asset"`
	Amount        string `json:"amount"`
	Status        string `json:"status"`
	TxHash        string `json:"tx_hash"`
	FailureReason string `json:"failure_reason"`
}

// final reports whether the issuance's status will not change again.
func (is issueAnswer) final() bool { return is.Status == "credited" || is.Status == "failed" }

// String is an issuance in one line.
func (is issueAnswer) String() string {
	s := fmt.Sprintf("issue %s: %s %s to account %s: %s", is.Reference, is.Amount, is.Asset, is.Customer, is.Status)
	switch {
	case is.Status == "failed":
		s += " (" + is.FailureReason + ")"
	case is.TxHash != "":
		s += " (mint " + is.TxHash + ")"
	}
	return s
}

// issuePoll is how often --wait looks at an issuance.
const issuePoll = 500 * time.Millisecond

// runTokenIssue is lpx token issue. The reference makes it idempotent:
// it is sent as the Idempotency-Key too, and running the command again
// with the same reference issues nothing more and reports the status.
func runTokenIssue(args []string, stdout, stderr io.Writer) int {
	const name = "lpx token issue"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	customer := fs.String("customer", "", "the customer's account id")
	asset := fs.String("asset", "", "the brand's asset: ACME")
	amount := fs.String("amount", "", "the amount, a decimal at the asset's scale")
	reference := fs.String("reference", "", "the brand's reference for this issue, unique per brand: letters, digits and -_.:~")
	wait := fs.Bool("wait", false, "wait until the customer is credited (or the issue failed)")
	waitFor := fs.Duration("wait-timeout", 2*time.Minute, "how long --wait waits at most")
	usage := "Usage: lpx token issue --customer ID --asset SYM --amount N --reference REF [--wait] [flags]\n\nCredits a customer with the brand's points or coupons: the vault mints the amount to itself on chain and the customer is credited once the mint is confirmed (pending, minting, credited). The same reference again issues nothing more.\n\nFlags:\n"
	if code, ok := parseFlags(fs, args, usage, stdout, stderr); !ok {
		return code
	}
	for _, f := range []struct{ flag, v string }{{"--customer", *customer}, {"--asset", *asset}, {"--amount", *amount}, {"--reference", *reference}} {
		if f.v == "" {
			return badInput(stderr, name, "%s is required (lpx token issue -h)", f.flag)
		}
	}
	if *waitFor <= 0 {
		return badInput(stderr, name, "--wait-timeout must be above zero")
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	ctx := context.Background()
	body := map[string]any{"customer": *customer, "asset": strings.ToUpper(*asset), "amount": *amount, "reference": *reference}
	var is issueAnswer
	if !apiCall(ctx, name, &r, c, stderr, "POST", "/v1/brand/issues", http.Header{"Idempotency-Key": {*reference}}, body, &is) {
		return 1
	}
	path := "/v1/brand/issues/" + url.PathEscape(*reference)
	// A repeat is answered as first stored: look at the status now.
	if !is.final() && !apiCall(ctx, name, &r, c, stderr, "GET", path, nil, nil, &is) {
		return 1
	}
	if *wait {
		for deadline := time.Now().Add(*waitFor); !is.final(); {
			if time.Now().After(deadline) {
				fmt.Fprintln(stdout, is)
				fmt.Fprintf(stderr, "%s: still %s after %s; run it again with the same reference to see its status (nothing is issued twice)\n", name, is.Status, *waitFor)
				return 1
			}
			time.Sleep(issuePoll)
			if !apiCall(ctx, name, &r, c, stderr, "GET", path, nil, nil, &is) {
				return 1
			}
		}
	}
	fmt.Fprintln(stdout, is)
	if is.Status == "failed" {
		return 1
	}
	return 0
}

// runTokenList is lpx token list.
func runTokenList(args []string, stdout, stderr io.Writer) int {
	const name = "lpx token list"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	if code, ok := parseFlags(fs, args, "Usage: lpx token list [flags]\n\nLists the brand's token programs with their total supply on chain.\n\nFlags:\n", stdout, stderr); !ok {
		return code
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	var answer struct {
		Programs []programAnswer `json:"programs"`
	}
	if !apiCall(context.Background(), name, &r, chainClient(c), stderr, "GET", "/v1/brand/programs", nil, nil, &answer) {
		return 1
	}
	if len(answer.Programs) == 0 {
		fmt.Fprintln(stdout, "No token programs yet (lpx token deploy or lpx token register makes one).")
	}
	for _, p := range answer.Programs {
		fmt.Fprintln(stdout, p)
	}
	return 0
}
