// Package apitest runs a whole lpx node with its REST API on a loopback
// port for tests, on the real services (servicetest), and hands out
// signed clients: the end-to-end tests of the API use the same node
// builder as lpx serve.
package apitest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api"
	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// Options choose the node's parts. The zero value: the embedded Redis with
// the file journal, SQLite in a temporary directory, no chain.
type Options struct {
	RealRedis bool // the test Redis (a prefix of the test's own)
	Postgres  bool // a PostgreSQL schema of the test's own
	Chain     bool // the embedded dev chain (a real in-process EVM)
	// QuietClock: no tick is journaled on a quiet exchange (ticks move the
	// engine's clock, and so its StateHash), for tests that compare hashes.
	QuietClock bool
	// Adjust, if set, changes the node's config before it opens.
	Adjust func(*node.Config)
}

// NoChainID is the chain id of a node started without a chain.
const NoChainID = 31337

// Env is a running node and what a test needs around it.
type Env struct {
	T    testing.TB
	Node *node.Node
	URL  string // http://127.0.0.1:port
	// Admin is an operator with every scope, signing with HMAC.
	Admin *client.Client
	HTTP  *http.Client
	stop  func()
}

// Start opens and runs a node for t, stopped when t ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	var kek [32]byte
	_, _ = rand.Read(kek[:])
	cfg := node.Config{
		DataDir:          t.TempDir(),
		NoChain:          !o.Chain,
		Listen:           "127.0.0.1:0",
		KeyEncryptionKey: hex.EncodeToString(kek[:]),
		API: api.Config{
			// The chain id sign-in messages name when there is no chain
			// (with one, the node uses its chain's).
			ChainID: NoChainID,
			// The host sign-in and wallet-link messages name (lpx serve's
			// default is the listen address, which changes per test).
			Domain: "localhost",
			// Tests make many requests from one address: generous limits
			// unless a test sets its own.
			KeyLimit: redisstore.Limit{Rate: 100_000, Per: time.Second, Burst: 100_000},
			IPLimit:  redisstore.Limit{Rate: 100_000, Per: time.Second, Burst: 100_000},
		},
	}
	if o.RealRedis {
		_, prefix := servicetest.Redis(t, nil)
		cfg.RedisURL, cfg.KeyPrefix = servicetest.RedisURL(), prefix
	}
	if o.Postgres {
		cfg.DatabaseURL = servicetest.Postgres(t)
	}
	if o.QuietClock {
		cfg.Exchange.TickEvery = time.Hour
	}
	if o.Adjust != nil {
		o.Adjust(&cfg)
	}
	n, err := node.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("node.Open: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	e := &Env{T: t, Node: n, URL: "http://" + n.Addr.String(), HTTP: &http.Client{Timeout: 30 * time.Second}}
	stopped := false
	e.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("node Run: %v", err)
		}
		if err := n.Close(); err != nil {
			t.Errorf("node Close: %v", err)
		}
	}
	t.Cleanup(e.stop)
	e.Admin = e.NewClient(sqlstore.AccountOperator, "operator", sqlstore.ScopeRead, sqlstore.ScopeTrade, sqlstore.ScopeWithdraw, sqlstore.ScopeIssue, sqlstore.ScopeAdmin)
	return e
}

// Stop stops the node (Start's cleanup does it too).
func (e *Env) Stop() { e.stop() }

// Public is a client without credentials.
func (e *Env) Public() *client.Client { return &client.Client{BaseURL: e.URL, HTTP: e.HTTP} }

// NewClient makes an account of kind and an HMAC key with scopes for it.
func (e *Env) NewClient(kind sqlstore.AccountKind, name string, scopes ...sqlstore.Scope) *client.Client {
	e.T.Helper()
	c, _ := e.NewAccount(kind, name, scopes...)
	return c
}

// NewAccount is NewClient that also returns the account id.
func (e *Env) NewAccount(kind sqlstore.AccountKind, name string, scopes ...sqlstore.Scope) (*client.Client, uint32) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := e.Node.API.CreateAccount(ctx, kind, name)
	if err != nil {
		e.T.Fatalf("create %s account: %v", kind, err)
	}
	return e.KeyFor(id, scopes...), id
}

// KeyFor makes another HMAC key with scopes for account id.
func (e *Env) KeyFor(id uint32, scopes ...sqlstore.Scope) *client.Client {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	keyID, secret, err := e.Node.API.IssueHMACKey(ctx, id, scopes, "test")
	if err != nil {
		e.T.Fatalf("key for account %d: %v", id, err)
	}
	return &client.Client{BaseURL: e.URL, KeyID: keyID, HMACSecret: []byte(secret), HTTP: e.HTTP}
}

// NewEd25519 returns a fresh Ed25519 key pair for a client to register.
func NewEd25519(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// Submit journals a command directly (test setup: deposits without a
// chain, for instance) and fails the test if the engine refuses it.
func (e *Env) Submit(cmd engine.Command) []engine.Event {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := e.Node.Submit(ctx, cmd)
	if err != nil {
		e.T.Fatalf("%s: %v", cmd.Kind, err)
	}
	for _, ev := range res.Events {
		if ev.Kind == engine.EvRejected {
			e.T.Fatalf("%s rejected: %s", cmd.Kind, ev.Code)
		}
	}
	return res.Events
}

// StateHash is the engine's state hash now.
func (e *Env) StateHash() [32]byte {
	e.T.Helper()
	var h [32]byte
	if err := e.Node.Sequencer.Read(context.Background(), func(eng *engine.Engine) { h = eng.StateHash() }); err != nil {
		e.T.Fatalf("read state hash: %v", err)
	}
	return h
}

// Do calls c and fails the test on an error answer.
func (e *Env) Do(c *client.Client, method, path string, body, out any) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Do(ctx, method, path, body, out); err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
}

// Fails calls c and fails the test unless the answer is the error code
// with status.
func (e *Env) Fails(c *client.Client, method, path string, body any, status int, code string) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := c.Do(ctx, method, path, body, nil)
	var ae *client.Error
	if !errors.As(err, &ae) || ae.Status != status || ae.Code != code {
		e.T.Fatalf("%s %s: got %v, want %d %s", method, path, err, status, code)
	}
}
