package api_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestOpsRoutes: health, readiness, the metrics (requests per route,
// batches, journal latency, queue depth) and the OpenAPI document.
func TestOpsRoutes(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	pub := env.Public()
	ctx := context.Background()
	for _, path := range []string{"/healthz", "/readyz", "/openapi.yaml", "/v1/time"} {
		if status, _, body, err := pub.Raw(ctx, "GET", path, nil, nil); err != nil || status != 200 {
			t.Fatalf("GET %s: %d %s %v", path, status, body, err)
		}
	}
	env.Fails(pub, "GET", "/v1/no/such/route", nil, 404, "route_not_found")
	_, _, metrics, err := pub.Raw(ctx, "GET", "/metrics", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`lpx_http_requests_total{method="GET",route="/v1/time",status="200"} 1`,
		`lpx_http_request_duration_seconds_bucket{method="GET",route="/healthz"`,
		"lpx_sequencer_batch_commands_count",
		"lpx_journal_append_seconds_count",
		"lpx_sequencer_queue_depth 0",
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestRedisDown: with Redis gone, requests answer 503 unavailable and
// nothing is applied; when it is back the server serves again by itself.
func TestRedisDown(t *testing.T) {
	r := servicetest.StartRedis(t)
	env := apitest.Start(t, apitest.Options{Adjust: func(c *nodeConfig) { c.RedisURL = r.URL() }})
	user := env.NewClient(sqlstore.AccountConsumer, "ann", sqlstore.ScopeRead)
	env.Do(user, "GET", "/v1/keys", nil, nil)
	r.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := user.Do(ctx, "GET", "/v1/keys", nil, nil)
	var ae *client.Error
	if !errors.As(err, &ae) || ae.Status != 503 || ae.Code != "unavailable" || ae.RetryAfter == 0 {
		t.Fatalf("with Redis down: %v, want 503 unavailable with Retry-After", err)
	}
	if status, _, _, err := env.Public().Raw(ctx, "GET", "/readyz", nil, nil); err != nil || status != 503 {
		t.Fatalf("/readyz with Redis down: %d %v", status, err)
	}
	r.Start()
	for {
		err := user.Do(ctx, "GET", "/v1/keys", nil, nil)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the server did not recover after Redis came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Commands are journaled again.
	env.NewClient(sqlstore.AccountConsumer, "bob", sqlstore.ScopeRead)
}
