package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// demoSteps are phrases each run of the story must print, in order.
var demoSteps = []string{
	"1. The ACME brand", "Alice has 250.00 ACME on the exchange.",
	"2. Alice has a wallet of her own", "It got 1 ETH for gas and", "100.00 ACME",
	"3. Alice deposits the 100.00 ACME", "Alice has 350.00 ACME on the exchange.",
	"4. A market maker quotes both markets", "ACME-LPX", "COFFEE-LPX",
	"5. Alice asks for a quote: 60.00 ACME", "Route ACME -> LPX -> COFFEE",
	"6. Alice swaps at that quote", "She spent 60.00 ACME and received",
	"7. The market maker's quotes move", "->",
	"8. Alice withdraws her", "the withdrawal is done",
	"9. The COFFEE brand", "Bob shows his receipt code", "Bob keeps 2.",
	"10. What the brands owe", "ACME   issued", "COFFEE issued",
	"The end.",
}

// checkStory fails t unless out tells the whole story in order.
func checkStory(t *testing.T, out string) {
	t.Helper()
	rest := out
	for _, p := range demoSteps {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Fatalf("the story lacks %q (in order); it printed:\n%s", p, out)
		}
		rest = rest[i+len(p):]
	}
}

// TestDemoInProcess runs lpx demo with no server: it starts one in a
// temporary directory, seeds the demo world and tells the whole story.
func TestDemoInProcess(t *testing.T) {
	var out, errOut bytes.Buffer
	began := time.Now()
	if code := runDemo(nil, &out, &errOut); code != 0 {
		t.Fatalf("lpx demo: exit %d\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	t.Logf("lpx demo took %v:\n%s", time.Since(began).Round(time.Millisecond), out.String())
	checkStory(t, out.String())
	if !strings.Contains(out.String(), "Seeding the demo world") || !strings.Contains(out.String(), "/v1/demo/faucet") {
		t.Fatalf("the in-process server's world is not described:\n%s", out.String())
	}
}

// TestDemoAgainstServe runs lpx serve in the embedded mode (which seeds
// the demo world, runs its market maker and says so), then lpx demo
// against it twice with the admin key serve printed: the story holds on a
// server that has seen it before.
func TestDemoAgainstServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, node.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"}, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	key := regexp.MustCompile(`LPX-KEY:\s+(\S+)\s+secret:\s+(\S+)`)
	try := regexp.MustCompile(`lpx demo --server (http://\S+)`)
	var base string
	var m []string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		m = key.FindStringSubmatch(out.String())
		if u := try.FindStringSubmatch(out.String()); u != nil && m != nil {
			base = u[1]
			break
		}
	}
	if base == "" {
		t.Fatalf("serve did not describe the demo world:\n%s", out.String())
	}
	for _, want := range []string{"Acme Corp", "Corner Coffee", "LPX House", "market ACME-LPX", "market COFFEE-LPX", "dev chain: JSON-RPC http://127.0.0.1:", "chain id 1337", base + "/v1/demo/faucet"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("serve's banner lacks %q:\n%s", want, out.String())
		}
	}
	t.Setenv("LPX_SECRET", m[2])
	// A key that is not an operator's is said so.
	admin := &client.Client{BaseURL: base, KeyID: m[1], HMACSecret: []byte(m[2])}
	var acct struct{ Key struct{ ID, Secret string } }
	if err := admin.Do(context.Background(), "POST", "/v1/admin/accounts", map[string]any{"kind": "consumer", "name": "Eve", "scopes": []string{"read"}}, &acct); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LPX_SECRET", acct.Key.Secret)
	var story, errOut bytes.Buffer
	if code := runDemo([]string{"--server", base, "--key", acct.Key.ID}, &story, &errOut); code != 1 || !strings.Contains(errOut.String(), "not an operator's") {
		t.Fatalf("with a consumer's key: exit %d, %s", code, errOut.String())
	}
	t.Setenv("LPX_SECRET", m[2])
	for run := range 2 {
		var story, errOut bytes.Buffer
		if code := runDemo([]string{"--server", base, "--key", m[1]}, &story, &errOut); code != 0 {
			t.Fatalf("run %d: lpx demo: exit %d\n%s\nstderr:\n%s", run, code, story.String(), errOut.String())
		}
		checkStory(t, story.String())
		if strings.Contains(story.String(), "Seeding") {
			t.Fatalf("run %d started a server of its own:\n%s", run, story.String())
		}
	}
}

// TestDemoRefuses: a server without the demo world, a key that is not an
// operator's, and --server without a key are each said in one line.
func TestDemoRefuses(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	user := env.NewClient(sqlstore.AccountConsumer, "Ann", sqlstore.ScopeRead)
	for _, c := range []struct {
		args []string
		env  string // LPX_SECRET
		code int
		says string
	}{
		{[]string{"--server", env.URL}, "", 2, "an API key is required"},
		{[]string{"--server", env.URL, "--key", env.Admin.KeyID}, string(env.Admin.HMACSecret), 1, "has no demo world"},
		{[]string{"--server", env.URL, "--key", user.KeyID}, string(user.HMACSecret), 1, "has no demo world"},
		{[]string{"--server", "http://127.0.0.1:1", "--key", "lpxk_x"}, "s", 1, "is http://127.0.0.1:1 an lpx server?"},
		{[]string{"extra"}, "", 2, "unexpected argument"},
	} {
		t.Setenv("LPX_SECRET", c.env)
		var out, errOut bytes.Buffer
		code := runDemo(c.args, &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.says) || strings.Count(strings.TrimSpace(errOut.String()), "\n") > 0 {
			t.Errorf("lpx demo %v: exit %d, stderr %q; want %d saying %q in one line", c.args, code, errOut.String(), c.code, c.says)
		}
	}
}
