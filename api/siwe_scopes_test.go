package api_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

type wsLogonAnswer struct {
	Account            string   `json:"account"`
	Key                string   `json:"key"`
	Scopes             []string `json:"scopes"`
	Session            string   `json:"session"`
	CancelOnDisconnect string   `json:"cancel_on_disconnect"`
}

// rawWSLogon dials /v1/ws with header, sends a session.logon with params
// and returns the answer's raw JSON (or the dial's error).
func rawWSLogon(t *testing.T, env *apitest.Env, header http.Header, params string) (string, error) {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.DialContext(t.Context(), "ws"+strings.TrimPrefix(env.URL, "http")+"/v1/ws", header)
	if err != nil {
		if resp != nil {
			return "", errors.New(err.Error() + ": " + resp.Status)
		}
		return "", err
	}
	defer conn.Close()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"id":1,"method":"session.logon","params":`+params+`}`)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(string(msg), `{"id":1`) {
			return string(msg), nil
		}
	}
}

// siweSession signs in with the wallet of key and returns the answer.
func siweSession(t *testing.T, env *apitest.Env, key *ecdsa.PrivateKey) loginAnswer {
	t.Helper()
	var n nonceAnswer
	env.Do(env.Public(), "GET", "/v1/auth/nonce", nil, &n)
	msg, sig := signIn(t, key, "localhost", n.Nonce, int(env.Node.ChainID), time.Now(), nil)
	var a loginAnswer
	env.Do(env.Public(), "POST", "/v1/auth/login", map[string]string{"message": msg, "signature": sig}, &a)
	return a
}

// TestSIWEScopesAndWebSocket, on the dev chain: a brand manager whose
// wallet is linked to a brand account signs in with Ethereum and gets a
// session with the brand's scopes (read, trade, withdraw, issue: the
// console's routes answer); a consumer's first sign-in gets the consumer
// scopes (no issue); neither gets admin. Both sessions log on to
// /v1/ws: with the token in session.logon, with the session cookie or a
// Bearer header on the upgrade (the cookie from another origin is
// refused); bad tokens, a signed-out session and mixed credentials are
// refused with their codes; signing out closes the session's connections.
func TestSIWEScopesAndWebSocket(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Chain: true})
	brand, brandID := fundsAccount(t, env, "brand", "Acme Corp", "read", "withdraw", "issue")
	brandKey, _ := fundsNewKey(t)
	challenge, sig := linkWallet(t, env, brand, brandKey)
	env.Do(brand, "POST", "/v1/wallets", map[string]any{"message": challenge.Message, "signature": sig}, nil)

	b := siweSession(t, env, brandKey)
	if b.Kind != "brand" || b.Account != strconv.FormatUint(uint64(brandID), 10) {
		t.Fatalf("the brand manager's sign-in %+v, want brand account %d", b, brandID)
	}
	bs := &client.Client{BaseURL: env.URL, Session: b.Token, HTTP: env.HTTP}
	for _, path := range []string{"/v1/brand/liabilities", "/v1/brand/programs", "/v1/brand/redemptions", "/v1/balances", "/v1/wallets"} {
		env.Do(bs, "GET", path, nil, nil)
	}
	env.Fails(bs, "POST", "/v1/admin/assets", map[string]any{"symbol": "X", "scale": 0, "kind": "token"}, 403, "forbidden")

	consumerKey, _ := fundsNewKey(t)
	c := siweSession(t, env, consumerKey)
	if c.Kind != "consumer" || c.Account == b.Account {
		t.Fatalf("a new wallet's sign-in %+v", c)
	}
	cs := &client.Client{BaseURL: env.URL, Session: c.Token, HTTP: env.HTTP}
	env.Do(cs, "GET", "/v1/balances", nil, nil)
	env.Fails(cs, "GET", "/v1/brand/liabilities", nil, 403, "forbidden")

	// WebSocket: the token in session.logon.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for _, s := range []struct {
		c      *client.Client
		who    loginAnswer
		scopes []string
	}{{bs, b, []string{"read", "trade", "withdraw", "issue"}}, {cs, c, []string{"read", "trade", "withdraw"}}} {
		w, err := s.c.DialWS(ctx, 64)
		if err != nil {
			t.Fatal(err)
		}
		var on wsLogonAnswer
		if err := w.Logon(ctx, &on); err != nil {
			t.Fatalf("logon with a session token: %v", err)
		}
		if on.Account != s.who.Account || on.Key != "" || !slices.Equal(on.Scopes, s.scopes) || on.Session == "" || on.CancelOnDisconnect != "off" {
			t.Errorf("logon %+v, want account %s scopes %v", on, s.who.Account, s.scopes)
		}
		if err := w.Call(ctx, "subscribe", map[string]any{"channels": []string{"orders", "fills", "balances"}}, nil); err != nil {
			t.Errorf("subscribe: %v", err)
		}
		var again *client.Error
		if err := w.Logon(ctx, nil); !errors.As(err, &again) || again.Code != "already_logged_on" {
			t.Errorf("a second logon: %v", err)
		}
		_ = w.Close()
	}

	// The session on the upgrade request: the cookie from the page's own
	// origin, or a Bearer header; no params needed.
	for name, h := range map[string]http.Header{
		"cookie": {"Cookie": {"lpx_session=" + c.Token}, "Origin": {env.URL}},
		"bearer": {"Authorization": {"Bearer " + c.Token}},
	} {
		answer, err := rawWSLogon(t, env, h, `{}`)
		if err != nil || !strings.Contains(answer, `"account":"`+c.Account+`"`) {
			t.Errorf("%s: %s %v", name, answer, err)
		}
	}
	if _, err := rawWSLogon(t, env, http.Header{"Cookie": {"lpx_session=" + c.Token}, "Origin": {"http://evil.example"}}, `{}`); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("the cookie from another origin: %v, want a 403 handshake", err)
	}

	// Refusals.
	for _, r := range []struct{ params, code string }{
		{`{"token":"lpxs_unknown"}`, "session_expired"},
		{`{"token":"nope"}`, "unauthorized"},
		{`{"token":"` + c.Token + `","key":"lpxk_x"}`, "invalid_request"},
		{`{"token":"` + c.Token + `","timestamp":"1","signature":"AA=="}`, "invalid_request"},
		{`{"token":"` + c.Token + `","cancel_on_disconnect":"never"}`, "invalid_cancel_on_disconnect"},
		{`{}`, "unauthorized"},
	} {
		answer, err := rawWSLogon(t, env, nil, r.params)
		if err != nil || !strings.Contains(answer, `"code":"`+r.code+`"`) {
			t.Errorf("logon %s: %s %v, want %s", r.params, answer, err, r.code)
		}
	}
	// Signing out closes the connections logged on with the session.
	open, err := cs.DialWS(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if err := open.Logon(ctx, nil); err != nil {
		t.Fatal(err)
	}
	env.Do(cs, "POST", "/v1/auth/logout", nil, nil)
	select {
	case <-open.Done():
		if err := open.Err(); err == nil || !strings.Contains(err.Error(), "signed out") {
			t.Errorf("the connection ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the connection of a signed-out session is still open")
	}
	if answer, _ := rawWSLogon(t, env, nil, `{"token":"`+c.Token+`"}`); !strings.Contains(answer, `"code":"session_expired"`) {
		t.Errorf("a signed-out session: %s", answer)
	}
}
