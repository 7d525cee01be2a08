package api_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	siwe "github.com/spruceid/siwe-go"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

type nonceAnswer struct {
	Nonce   string `json:"nonce"`
	Domain  string `json:"domain"`
	ChainID string `json:"chain_id"`
}

type loginAnswer struct {
	Token   string `json:"token"`
	Account string `json:"account"`
	Kind    string `json:"kind"`
	Address string `json:"address"`
}

// signIn builds an EIP-4361 message for key and signs it as personal_sign
// does (v is 27 or 28).
func signIn(t *testing.T, key *ecdsa.PrivateKey, domain, nonce string, chainID int, issued time.Time, expires *time.Time) (message, signature string) {
	t.Helper()
	opts := map[string]any{"chainId": chainID, "issuedAt": issued.UTC().Format(time.RFC3339), "statement": "Sign in to lpx"}
	if expires != nil {
		opts["expirationTime"] = expires.UTC().Format(time.RFC3339)
	}
	m, err := siwe.InitMessage(domain, crypto.PubkeyToAddress(key.PublicKey).Hex(), "https://"+domain, nonce, opts)
	if err != nil {
		t.Fatal(err)
	}
	message = m.String()
	sig, err := crypto.Sign(accounts.TextHash([]byte(message)), key)
	if err != nil {
		t.Fatal(err)
	}
	sig[64] += 27
	return message, hexutil.Encode(sig)
}

// TestSignInWithEthereum: the first sign-in of a wallet makes a consumer
// account, the next finds it; a session token authenticates until it is
// signed out; a wrong domain or chain, a reused or unknown nonce, an
// expired message and a forged signature are refused and change nothing.
func TestSignInWithEthereum(t *testing.T) {
	env := apitest.Start(t, apitest.Options{QuietClock: true})
	pub := env.Public()
	key, _ := crypto.GenerateKey()
	nonce := func() string {
		var n nonceAnswer
		env.Do(pub, "GET", "/v1/auth/nonce", nil, &n)
		if n.Domain != "localhost" || n.ChainID != "31337" || len(n.Nonce) < 8 {
			t.Fatalf("nonce answer %+v", n)
		}
		return n.Nonce
	}
	now := time.Now()

	n1 := nonce()
	msg, sig := signIn(t, key, "localhost", n1, apitest.NoChainID, now, nil)
	var first loginAnswer
	env.Do(pub, "POST", "/v1/auth/login", map[string]string{"message": msg, "signature": sig}, &first)
	if first.Kind != "consumer" || first.Token == "" || first.Account == "" {
		t.Fatalf("first sign-in %+v", first)
	}
	session := &client.Client{BaseURL: env.URL, Session: first.Token}
	env.Do(session, "GET", "/v1/keys", nil, nil)

	// The same message again: its nonce is spent.
	env.Fails(pub, "POST", "/v1/auth/login", map[string]string{"message": msg, "signature": sig}, 401, "siwe_invalid")

	before := env.StateHash()
	type attempt struct{ name, msg, sig, wantCode string }
	var bad []attempt
	add := func(name, code, m, s string) { bad = append(bad, attempt{name, m, s, code}) }
	m, s := signIn(t, key, "evil.example", nonce(), apitest.NoChainID, now, nil)
	add("wrong domain", "siwe_invalid", m, s)
	m, s = signIn(t, key, "localhost", nonce(), 5, now, nil)
	add("wrong chain", "siwe_invalid", m, s)
	m, s = signIn(t, key, "localhost", "abcdefgh12345678", apitest.NoChainID, now, nil)
	add("unknown nonce", "siwe_invalid", m, s)
	past := now.Add(-time.Minute)
	m, s = signIn(t, key, "localhost", nonce(), apitest.NoChainID, now.Add(-2*time.Minute), &past)
	add("expired message", "session_expired", m, s)
	m, s = signIn(t, key, "localhost", nonce(), apitest.NoChainID, now.Add(-time.Hour), nil)
	add("issued long ago", "siwe_invalid", m, s)
	other, _ := crypto.GenerateKey()
	m, _ = signIn(t, key, "localhost", nonce(), apitest.NoChainID, now, nil)
	_, s = signIn(t, other, "localhost", nonce(), apitest.NoChainID, now, nil)
	add("forged signature", "siwe_invalid", m, s)
	add("short signature", "siwe_invalid", m, "0x1234")
	add("not a message", "siwe_invalid", "hello", s)
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			err := pub.Do(context.Background(), "POST", "/v1/auth/login", map[string]string{"message": b.msg, "signature": b.sig}, nil)
			var ae *client.Error
			if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != b.wantCode {
				t.Fatalf("got %v, want 401 %s", err, b.wantCode)
			}
		})
	}
	if env.StateHash() != before {
		t.Fatal("refused sign-ins changed the engine's state")
	}

	// A second sign-in of the same wallet finds the same account.
	msg, sig = signIn(t, key, "localhost", nonce(), apitest.NoChainID, now, nil)
	var second loginAnswer
	env.Do(pub, "POST", "/v1/auth/login", map[string]string{"message": msg, "signature": sig}, &second)
	if second.Account != first.Account || second.Token == first.Token {
		t.Fatalf("second sign-in %+v, first %+v", second, first)
	}
	// A session cannot do what needs admin, and signs out.
	env.Fails(session, "POST", "/v1/admin/assets", map[string]any{}, 403, "forbidden")
	env.Do(session, "POST", "/v1/auth/logout", nil, nil)
	env.Fails(session, "GET", "/v1/keys", nil, 401, "session_expired")
	env.Do(&client.Client{BaseURL: env.URL, Session: second.Token}, "GET", "/v1/keys", nil, nil)
}
