package loadtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

// TestLoadtestUnansweredRequests puts a proxy between the clients and the
// node that forwards every fifth consumer placement or swap and then
// drops the connection instead of answering: the server did it, the
// client cannot know. The run counts those requests unanswered, the
// check finds out from the server what became of them (the orders by
// their client order ids, the swaps by asking again with their
// Idempotency-Key), and nothing is reported lost or unexpected.
func TestLoadtestUnansweredRequests(t *testing.T) {
	env := apitest.Start(t, apitest.Options{Chain: true})
	target, err := url.Parse(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	var requests, dropped atomic.Int64
	var droppedKeys sync.Map // a swap's Idempotency-Key is dropped once: its repeat is answered
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		consumerOrder := req.URL.Path == "/v1/orders" && bytes.Contains(body, []byte(`-c`))
		drop := req.Method == "POST" && (consumerOrder || req.URL.Path == "/v1/swaps") && requests.Add(1)%5 == 0
		if key := req.Header.Get("Idempotency-Key"); drop && key != "" {
			if _, again := droppedKeys.LoadOrStore(key, true); again {
				drop = false
			}
		}
		if !drop {
			forward.ServeHTTP(w, req)
			return
		}
		forward.ServeHTTP(httptest.NewRecorder(), req) // done, and its answer lost
		dropped.Add(1)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer proxy.Close()

	admin := &client.Client{BaseURL: proxy.URL, KeyID: env.Admin.KeyID, HMACSecret: env.Admin.HMACSecret, HTTP: env.Admin.HTTP}
	cfg := shortConfig(t, admin)
	cfg.Consumers, cfg.Makers, cfg.Subscribers = 3, 1, 0
	r := newRun(cfg)
	defer r.close()
	rep, err := r.run(context.Background())
	if rep != nil {
		var table bytes.Buffer
		_ = rep.WriteTable(&table)
		t.Logf("%d requests dropped after they were done\n%s", dropped.Load(), table.String())
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	v := rep.Verification
	if dropped.Load() == 0 || rep.Unanswered == 0 || v.UnansweredPlacements == 0 {
		t.Fatalf("nothing went unanswered: %d dropped, %d unanswered, %d placements", dropped.Load(), rep.Unanswered, v.UnansweredPlacements)
	}
	if v.UnansweredApplied != v.UnansweredPlacements || v.UncertainOrders < v.UnansweredApplied {
		t.Errorf("of %d placements without an answer, %d found on the server (all were done), %d orders uncertain",
			v.UnansweredPlacements, v.UnansweredApplied, v.UncertainOrders)
	}
	if !rep.OK || v.LostOrders != 0 || v.UnexpectedOrders != 0 || v.Disagreements != 0 {
		t.Errorf("the check: %+v", v)
	}
}
