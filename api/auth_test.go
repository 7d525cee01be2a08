package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

type keyAnswer struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"`
	Scopes []string `json:"scopes"`
	Secret string   `json:"secret"`
}

// TestSignedRequests: HMAC and Ed25519 keys sign requests; missing,
// stale, replayed, forged signatures, a key without the scope and a
// revoked key are refused with the right status, and change nothing.
func TestSignedRequests(t *testing.T) {
	env := apitest.Start(t, apitest.Options{QuietClock: true})
	user := env.NewClient(sqlstore.AccountConsumer, "ann", sqlstore.ScopeRead, sqlstore.ScopeTrade)
	other := env.NewClient(sqlstore.AccountConsumer, "bob", sqlstore.ScopeRead)
	env.Do(user, "GET", "/v1/keys", nil, nil)
	before := env.StateHash()

	// An Ed25519 key the client made; the server keeps the public key.
	pub, priv := apitest.NewEd25519(t)
	var made keyAnswer
	env.Do(user, "POST", "/v1/keys", map[string]any{"kind": "ed25519", "public_key": base64.StdEncoding.EncodeToString(pub), "scopes": []string{"read"}}, &made)
	if made.Secret != "" || made.Kind != "ed25519" {
		t.Fatalf("ed25519 key answer %+v", made)
	}
	ed := &client.Client{BaseURL: env.URL, KeyID: made.ID, Ed25519: priv}
	env.Do(ed, "GET", "/v1/keys", nil, nil)
	env.Fails(ed, "POST", "/v1/keys", map[string]any{"kind": "hmac", "scopes": []string{"trade"}}, 403, "forbidden")

	// An HMAC key: its secret is answered once.
	var hm keyAnswer
	env.Do(user, "POST", "/v1/keys", map[string]any{"kind": "hmac", "scopes": []string{"read"}}, &hm)
	if hm.Secret == "" {
		t.Fatalf("hmac key answer has no secret: %+v", hm)
	}
	hc := &client.Client{BaseURL: env.URL, KeyID: hm.ID, HMACSecret: []byte(hm.Secret)}
	env.Do(hc, "GET", "/v1/keys", nil, nil)

	// Missing credentials.
	env.Fails(env.Public(), "GET", "/v1/keys", nil, 401, "unauthorized")
	// A forged signature (another secret).
	forged := &client.Client{BaseURL: env.URL, KeyID: hm.ID, HMACSecret: []byte("not the secret")}
	env.Fails(forged, "GET", "/v1/keys", nil, 401, "bad_signature")
	// A stale timestamp.
	stale := &client.Client{BaseURL: env.URL, KeyID: hm.ID, HMACSecret: []byte(hm.Secret), Now: func() time.Time { return time.Now().Add(-6 * time.Second) }}
	env.Fails(stale, "GET", "/v1/keys", nil, 401, "stale_timestamp")
	// A replayed request: the same headers twice.
	h := http.Header{}
	hc.Sign(h, "GET", "/v1/keys", nil)
	ctx := context.Background()
	if status, _, body, err := (&client.Client{BaseURL: env.URL}).Raw(ctx, "GET", "/v1/keys", h, nil); err != nil || status != 200 {
		t.Fatalf("first use of a signature: %d %s %v", status, body, err)
	}
	if status, _, body, err := (&client.Client{BaseURL: env.URL}).Raw(ctx, "GET", "/v1/keys", h, nil); err != nil || status != 401 {
		t.Fatalf("replayed signature: %d %s %v, want 401", status, body, err)
	}
	// A key without the scope.
	env.Fails(hc, "POST", "/v1/orders", map[string]any{}, 403, "forbidden")
	// A revoked key.
	env.Do(user, "DELETE", "/v1/keys/"+hm.ID, nil, nil)
	env.Fails(hc, "GET", "/v1/keys", nil, 401, "key_revoked")
	// Another account's key cannot be revoked: it is not found.
	env.Fails(other, "DELETE", "/v1/keys/"+made.ID, nil, 404, "not_found")
	env.Do(ed, "GET", "/v1/keys", nil, nil)

	if after := env.StateHash(); after != before {
		t.Fatal("refused requests changed the engine's state")
	}
}

// TestRateLimitHeaders: limits per key answer X-RateLimit-* and a 429
// with Retry-After.
func TestRateLimitHeaders(t *testing.T) {
	env := apitest.Start(t, apitest.Options{RealRedis: true, Adjust: func(c *nodeConfig) {
		c.API.KeyLimit.Rate, c.API.KeyLimit.Burst = 1, 3
	}})
	user := env.NewClient(sqlstore.AccountConsumer, "ann", sqlstore.ScopeRead)
	ctx := context.Background()
	var last http.Header
	for i := range 3 {
		status, h, body, err := user.Raw(ctx, "GET", "/v1/keys", nil, nil)
		if err != nil || status != 200 {
			t.Fatalf("request %d: %d %s %v", i, status, body, err)
		}
		last = h
	}
	if last.Get("X-RateLimit-Limit") != "3" || last.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("headers after 3 of 3: limit %q remaining %q", last.Get("X-RateLimit-Limit"), last.Get("X-RateLimit-Remaining"))
	}
	status, h, _, err := user.Raw(ctx, "GET", "/v1/keys", nil, nil)
	if err != nil || status != 429 {
		t.Fatalf("4th request: %d %v, want 429", status, err)
	}
	if s, _ := strconv.Atoi(h.Get("Retry-After")); s < 1 {
		t.Fatalf("Retry-After %q", h.Get("Retry-After"))
	}
}
