package main

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

// cmdResult is what one run of a subcommand printed and returned.
type cmdResult struct {
	code           int
	stdout, stderr string
}

// runCmd runs a subcommand's run function with args.
func runCmd(run func([]string, io.Writer, io.Writer) int, args ...string) cmdResult {
	var stdout, stderr strings.Builder
	code := run(args, &stdout, &stderr)
	return cmdResult{code, stdout.String(), stderr.String()}
}

// want fails the test unless r has the exit code and its output (stdout
// for 0, else stderr) contains every part.
func (r cmdResult) want(t *testing.T, what string, code int, parts ...string) {
	t.Helper()
	out := r.stdout
	if code != 0 {
		out = r.stderr
	}
	ok := r.code == code
	for _, p := range parts {
		ok = ok && strings.Contains(out, p)
	}
	if !ok {
		t.Errorf("%s: exit %d (want %d) containing %q\nstdout: %s\nstderr: %s", what, r.code, code, parts, r.stdout, r.stderr)
	}
}

// keyArgs are the flags that make a subcommand call env as c.
func keyArgs(env *apitest.Env, c *client.Client) []string {
	return []string{"--server", env.URL, "--key", c.KeyID, "--secret", string(c.HMACSecret)}
}

// newKey is the key lpx account create printed.
var newKey = regexp.MustCompile(`LPX_KEY=(\S+)\n\s*LPX_SECRET=(\S+)`)

// createAccount runs lpx account create as the operator and returns a
// client with the key it printed.
func createAccount(t *testing.T, env *apitest.Env, args ...string) (*client.Client, string) {
	t.Helper()
	r := runCmd(runAccount, append(append([]string{"create"}, keyArgs(env, env.Admin)...), args...)...)
	m := newKey.FindStringSubmatch(r.stdout)
	id := regexp.MustCompile(`account (\d+),`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil || id == nil {
		t.Fatalf("account create %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	return &client.Client{BaseURL: env.URL, KeyID: m[1], HMACSecret: []byte(m[2]), HTTP: env.HTTP}, id[1]
}

// TestAccountCreate: lpx account create makes accounts of every kind
// with the kind's scopes (or those asked for, or no key) and prints the
// key once with how to use it; the key works. Bad input exits 2 before
// calling the server, the server's refusals exit 1 with their code.
func TestAccountCreate(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	brand, _ := createAccount(t, env, "--kind", "brand", "--name", "Acme Coffee")
	var keys struct {
		Keys []struct{ Scopes []string } `json:"keys"`
	}
	env.Do(brand, "GET", "/v1/keys", nil, &keys)
	if len(keys.Keys) != 1 || strings.Join(keys.Keys[0].Scopes, ",") != "read,trade,issue" {
		t.Fatalf("the brand's key: %+v", keys)
	}
	admin := keyArgs(env, env.Admin)
	create := func(args ...string) cmdResult {
		return runCmd(runAccount, append(append([]string{"create"}, admin...), args...)...)
	}
	create("--kind", "market-maker").want(t, "a market maker", 0, `Made market-maker account`, `"market-maker"`, "scopes read, trade", "LPX_SECRET=", "export LPX_KEY=")
	create("--kind", "consumer", "--name", "Tess", "--scopes", "read").want(t, "scopes asked for", 0, `"Tess"`, "scopes read)")
	create("--kind", "operator", "--scopes", "none").want(t, "no key", 0, "Made operator account", "no API key")

	for _, c := range []struct {
		what string
		args []string
		want string
	}{
		{"no kind", nil, "--kind is required"},
		{"an unknown kind", []string{"--kind", "robot"}, `--kind "robot"`},
		{"an unknown scope", []string{"--kind", "consumer", "--scopes", "read,fly"}, `"fly" is not a scope`},
		{"an argument", []string{"--kind", "consumer", "extra"}, `unexpected argument "extra"`},
	} {
		create(c.args...).want(t, c.what, 2, c.want)
	}
	runCmd(runAccount, "create", "--server", env.URL, "--kind", "brand").want(t, "no key", 2, "an API key is required")
	runCmd(runAccount).want(t, "no subcommand", 2, "which?")
	runCmd(runAccount, "delete").want(t, "an unknown subcommand", 2, `unknown subcommand "delete"`)
	runCmd(runAccount, "-h").want(t, "help", 0, "market-maker   read, trade")
	runCmd(runAccount, append([]string{"create"}, keyArgs(env, brand)...)...).want(t, "no kind, with a brand's key", 2, "--kind is required")
	runCmd(runAccount, append(append([]string{"create"}, keyArgs(env, brand)...), "--kind", "brand")...).want(t, "a brand's key", 1, "forbidden", "(HTTP 403)")
	runCmd(runAccount, "create", "--server", env.URL, "--key", env.Admin.KeyID, "--secret", "wrong", "--kind", "brand").want(t, "a wrong secret", 1, "(HTTP 401)", "LPX_SECRET")
	runCmd(runAccount, "create", "--server", "http://127.0.0.1:1", "--key", "k", "--secret", "s", "--kind", "brand").want(t, "no server", 1, "cannot reach the server at http://127.0.0.1:1", "LPX_SERVER")
}
