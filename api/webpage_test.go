package api_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/lpx-exchange/lpx/api/web"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

// webGet sends a request for path to env without credentials.
func webGet(t *testing.T, env *apitest.Env, method, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'"

// TestWebPage: the page is served at /, every embedded file at its path
// with its type (modules as text/javascript), index.html uncached, the
// Content-Security-Policy on each; an unchanged file revalidates to 304;
// other paths, /v1 ones included, are 404 route_not_found, never the page.
func TestWebPage(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	resp, body := webGet(t, env, "GET", "/", nil)
	index, _ := fs.ReadFile(web.Static(), "index.html")
	if resp.StatusCode != 200 || string(body) != string(index) {
		t.Fatalf("GET /: %d, %d bytes", resp.StatusCode, len(body))
	}
	for h, want := range map[string]string{
		"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
		"Content-Security-Policy": pageCSP, "X-Content-Type-Options": "nosniff",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("GET / %s: %q, want %q", h, got, want)
		}
	}
	etag := resp.Header.Get("ETag")
	if r, b := webGet(t, env, "GET", "/", http.Header{"If-None-Match": {etag}}); r.StatusCode != 304 || len(b) != 0 {
		t.Errorf("GET / If-None-Match: %d, %d bytes; want 304", r.StatusCode, len(b))
	}
	if r, b := webGet(t, env, "HEAD", "/", nil); r.StatusCode != 200 || len(b) != 0 || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD /: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	// Every embedded file, whatever the page's authors put there.
	n := 0
	_ = fs.WalkDir(web.Static(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		want, _ := fs.ReadFile(web.Static(), name)
		r, b := webGet(t, env, "GET", "/"+name, nil)
		if r.StatusCode != 200 || string(b) != string(want) || r.Header.Get("Content-Type") != web.ContentType(name) ||
			r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("Content-Security-Policy") != pageCSP {
			t.Errorf("GET /%s: %d %q %q, %d bytes", name, r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"), len(b))
		}
		if strings.HasSuffix(name, ".mjs") && r.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("/%s is %q", name, r.Header.Get("Content-Type"))
		}
		return nil
	})
	if n < 2 {
		t.Fatalf("%d embedded files; index.html and favicon.ico at least", n)
	}
	// Text is gzipped for a client that takes it (Go's client asks and
	// unzips by itself unless the request names encodings).
	big, ok := web.Lookup("/index.html")
	if !ok {
		t.Fatal("no index.html")
	}
	for _, ae := range []string{"gzip", "gzip, deflate, br", "identity", "gzip;q=0", ""} {
		h := http.Header{}
		if ae != "" {
			h.Set("Accept-Encoding", ae)
		}
		r, b := webGet(t, env, "GET", "/", h)
		want, wantEnc := big.Body, ""
		if big.Gzip != nil && strings.HasPrefix(ae, "gzip") && ae != "gzip;q=0" {
			want, wantEnc = big.Gzip, "gzip"
		}
		if ae == "" && big.Gzip != nil {
			want = big.Body // unzipped by the client
		}
		if r.StatusCode != 200 || string(b) != string(want) || (ae != "" && r.Header.Get("Content-Encoding") != wantEnc) {
			t.Errorf("Accept-Encoding %q: %d, encoding %q, %d bytes; want %q, %d bytes", ae, r.StatusCode, r.Header.Get("Content-Encoding"), len(b), wantEnc, len(want))
		}
	}
	if r, _ := webGet(t, env, "GET", "/favicon.ico", nil); r.Header.Get("Content-Type") != "image/x-icon" {
		t.Errorf("favicon.ico is %q", r.Header.Get("Content-Type"))
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/swap"}, {"GET", "/nope.html"}, {"GET", "/v1/nope"}, {"GET", "/v1"}, {"GET", "/v1/index.html"},
		{"GET", "/../go.mod"}, {"GET", "/%2e%2e/go.mod"}, {"GET", "/web.go"}, {"GET", "/static/index.html"},
		{"POST", "/"}, {"DELETE", "/index.html"},
	} {
		r, b := webGet(t, env, c.method, c.path, nil)
		var e struct{ Error struct{ Code string } }
		if r.StatusCode != 404 || json.Unmarshal(b, &e) != nil || e.Error.Code != "route_not_found" {
			t.Errorf("%s %s: %d %s, want 404 route_not_found", c.method, c.path, r.StatusCode, b)
		}
	}
	// The API is untouched.
	if r, _ := webGet(t, env, "GET", "/v1/time", nil); r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET /v1/time: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// infoAnswer is GET /v1/info's answer.
type infoAnswer struct {
	ChainID               string  `json:"chain_id"`
	Vault                 *string `json:"vault"`
	ConfirmationsRequired *uint64 `json:"confirmations_required"`
	Domain                string  `json:"domain"`
	URI                   string  `json:"uri"`
	Demo                  *struct {
		Faucet  string `json:"faucet"`
		RPCURL  string `json:"rpc_url"`
		ChainID string `json:"chain_id"`
	} `json:"demo"`
}

// TestInfoWithoutChain: a node without a chain tells its sign-in chain,
// domain and URI, no vault and no demo (TestFaucet checks the demo mode).
func TestInfoWithoutChain(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	_, body := webGet(t, env, "GET", "/v1/info", nil)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"chain_id", "vault", "confirmations_required", "domain", "uri", "demo"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in %s", k, body)
		}
	}
	var info infoAnswer
	env.Do(env.Public(), "GET", "/v1/info", nil, &info)
	if info.ChainID != "31337" || info.Vault != nil || info.ConfirmationsRequired != nil || info.Domain != "localhost" ||
		info.URI != env.URL || info.Demo != nil {
		t.Fatalf("info %s", body)
	}
}
