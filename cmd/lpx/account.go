package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

const accountUsage = `Usage: lpx account create --kind KIND [--name NAME] [--scopes S,S,...] [flags]

Makes an account on the running server and an HMAC-SHA256 API key for
it, and prints the key's secret this once (the server keeps it
encrypted and cannot show it again). It needs an operator's key with the
admin scope (--key and --secret, or LPX_KEY and LPX_SECRET), which can
grant only the scopes it holds itself.

Kinds, and the scopes their key gets unless --scopes says otherwise
(--scopes none: no key):
  consumer       read, trade, withdraw
  brand          read, trade, issue
  market-maker   read, trade
  operator       read, trade, withdraw, issue, admin

Scopes: read, trade, withdraw, issue, admin.
`

// accountKinds maps a --kind to the API's kind and the default scopes.
var accountKinds = map[string]struct {
	api    string
	scopes []string
}{
	"consumer":     {"consumer", []string{"read", "trade", "withdraw"}},
	"brand":        {"brand", []string{"read", "trade", "issue"}},
	"market-maker": {"market_maker", []string{"read", "trade"}},
	"operator":     {"operator", []string{"read", "trade", "withdraw", "issue", "admin"}},
}

// allScopes are the scopes a key may hold.
var allScopes = []string{"read", "trade", "withdraw", "issue", "admin"}

// runAccount is lpx account: 0 done, 1 failed (the server's answer or
// none), 2 bad usage.
func runAccount(args []string, stdout, stderr io.Writer) int {
	return runGroup("account", accountUsage+"\nlpx account create -h lists the flags.\n",
		[]verb{{"create", runAccountCreate}}, args, stdout, stderr)
}

// accountAnswer is POST /v1/admin/accounts' answer.
type accountAnswer struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
	Key  *struct {
		ID     string   `json:"id"`
		Scopes []string `json:"scopes"`
		Secret string   `json:"secret"`
	} `json:"key"`
}

// runAccountCreate is lpx account create.
func runAccountCreate(args []string, stdout, stderr io.Writer) int {
	const name = "lpx account create"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var r remote
	r.declare(fs)
	kind := fs.String("kind", "", "consumer, brand, market-maker or operator")
	acctName := fs.String("name", "", "the account's name, printable text up to 100 bytes (default: the kind)")
	scopes := fs.String("scopes", "", "the key's scopes, comma-separated, or none (default: the kind's)")
	if code, ok := parseFlags(fs, args, accountUsage+"\nFlags:\n", stdout, stderr); !ok {
		return code
	}
	k, ok := accountKinds[strings.ReplaceAll(*kind, "_", "-")]
	switch {
	case *kind == "":
		return badInput(stderr, name, "--kind is required: consumer, brand, market-maker or operator")
	case !ok:
		return badInput(stderr, name, "--kind %q: want consumer, brand, market-maker or operator", *kind)
	}
	want := k.scopes
	switch s := strings.TrimSpace(*scopes); s {
	case "":
	case "none":
		want = nil
	default:
		want = nil
		for _, sc := range splitList(s) {
			if !slices.Contains(allScopes, sc) {
				return badInput(stderr, name, "--scopes: %q is not a scope (read, trade, withdraw, issue, admin)", sc)
			}
			if !slices.Contains(want, sc) {
				want = append(want, sc)
			}
		}
		if len(want) == 0 {
			return badInput(stderr, name, "--scopes names no scope (none: no key)")
		}
	}
	if *acctName == "" {
		*acctName = strings.ReplaceAll(*kind, "_", "-")
	}
	c, ok := keyed(name, &r, stderr)
	if !ok {
		return 2
	}
	body := map[string]any{"kind": k.api, "name": *acctName}
	if len(want) > 0 {
		body["scopes"] = want
	}
	var a accountAnswer
	if !apiCall(context.Background(), name, &r, c, stderr, "POST", "/v1/admin/accounts", nil, body, &a) {
		return 1
	}
	fmt.Fprintf(stdout, "Made %s account %s, %q.\n", strings.ReplaceAll(a.Kind, "_", "-"), a.ID, a.Name)
	if a.Key == nil {
		fmt.Fprintln(stdout, "It has no API key (--scopes none).")
		return 0
	}
	fmt.Fprintf(stdout, "Its API key (HMAC-SHA256; scopes %s). The secret is shown this once: keep it now.\n", strings.Join(a.Key.Scopes, ", "))
	fmt.Fprintf(stdout, "  LPX_KEY=%s\n  LPX_SECRET=%s\n", a.Key.ID, a.Key.Secret)
	fmt.Fprintf(stdout, "Use it with: export LPX_KEY=%s LPX_SECRET=<the secret>, then lpx commands sign with it (or pass --key and --secret).\n", a.Key.ID)
	return 0
}
