package api

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// The headers of a signed request.
const (
	HeaderKey       = "LPX-KEY"
	HeaderTimestamp = "LPX-TIMESTAMP" // Unix milliseconds
	HeaderSignature = "LPX-SIGNATURE" // base64 (standard, padded)
	// SessionCookie carries a web session's token; so does
	// "Authorization: Bearer <token>".
	SessionCookie = "lpx_session"
)

// AuthStore is what authentication and key management read and write.
type AuthStore interface {
	CreateAccount(ctx context.Context, a sqlstore.Account) error
	Account(ctx context.Context, id uint32) (sqlstore.Account, error)
	APIKey(ctx context.Context, id string) (sqlstore.APIKey, error)
	CreateAPIKey(ctx context.Context, k sqlstore.APIKey) error
	ListAPIKeys(ctx context.Context, account uint32) ([]sqlstore.APIKey, error)
	RevokeAPIKey(ctx context.Context, account uint32, id string, now int64) error
	CreateWebSession(ctx context.Context, s sqlstore.WebSession) error
	WebSession(ctx context.Context, tokenHash []byte, now int64) (sqlstore.WebSession, error)
	RevokeWebSession(ctx context.Context, account uint32, tokenHash []byte, now int64) error
	Wallet(ctx context.Context, chainID uint64, address string) (sqlstore.Wallet, error)
	CreateAccountWithWallet(ctx context.Context, a sqlstore.Account, w sqlstore.Wallet) error
}

// StringToSign is what a request's signature covers: the timestamp (Unix
// ms, as sent in LPX-TIMESTAMP), the method in capitals, the path with its
// query exactly as sent, and the body.
func StringToSign(timestamp, method, pathWithQuery string, body []byte) []byte {
	b := make([]byte, 0, len(timestamp)+len(method)+len(pathWithQuery)+len(body))
	b = append(b, timestamp...)
	b = append(b, method...)
	b = append(b, pathWithQuery...)
	return append(b, body...)
}

// principal is who is calling: an account, through a key or a session,
// and what it may do.
type principal struct {
	Account uint32
	Kind    sqlstore.AccountKind
	Scopes  []Scope
	KeyID   string // "" for a web session
	// SessionHash is the web session's token hash ("" for a key).
	SessionHash []byte
	// Session is the engine's trading session of a WebSocket connection
	// (0 elsewhere): orders placed through it belong to it.
	Session engine.SessionID
}

func (p *principal) has(s Scope) bool {
	for _, have := range p.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// who returns the authenticated caller of a private route.
func who(c *fiber.Ctx) *principal {
	p, _ := c.Locals(localPrincipal).(*principal)
	return p
}

// sessionScopes are what a web session may do, by account kind: all but
// admin (operators use keys), and issue for brands.
func sessionScopes(kind sqlstore.AccountKind) []Scope {
	switch kind {
	case sqlstore.AccountBrand:
		return []Scope{scopeRead, scopeTrade, scopeWithdraw, scopeIssue}
	case sqlstore.AccountOperator:
		return []Scope{scopeRead}
	}
	return []Scope{scopeRead, scopeTrade, scopeWithdraw}
}

// authorize returns the middleware of a route needing scope: public
// routes are rate-limited per address; private ones authenticate (a
// signed request or a session), check the scope, and pass the replay check
// and the rate limits in one Redis round trip.
func (s *Server) authorize(scope Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ip := "ip:" + c.IP()
		if scope == public {
			if err := s.guard(c, redisstore.GuardCheck{Limits: []redisstore.KeyedLimit{{Key: ip, Limit: s.cfg.IPLimit, Cost: 1}}}); err != nil {
				return err
			}
			return c.Next()
		}
		if p, ok := c.Locals(localPrincipal).(*principal); ok && p != nil {
			// A WebSocket method run in-process (wsConn.rest): the
			// connection logged on and is rate-limited already. No HTTP
			// client can set Locals.
			if !p.has(scope) {
				return Errorf("forbidden", "this credential lacks the %q scope", scope)
			}
			return c.Next()
		}
		p, check, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if !p.has(scope) {
			return Errorf("forbidden", "this credential lacks the %q scope", scope)
		}
		check.Limits = []redisstore.KeyedLimit{
			{Key: limitKey(p), Limit: s.cfg.KeyLimit, Cost: 1},
			{Key: ip, Limit: s.cfg.IPLimit, Cost: 1},
		}
		if err := s.guard(c, check); err != nil {
			return err
		}
		c.Locals(localPrincipal, p)
		return c.Next()
	}
}

func limitKey(p *principal) string {
	if p.KeyID != "" {
		return "key:" + p.KeyID
	}
	return "session:" + strconv.FormatUint(uint64(p.Account), 10)
}

// guard runs the replay check and the rate limits, and sets the
// X-RateLimit headers from the tightest limit.
func (s *Server) guard(c *fiber.Ctx, check redisstore.GuardCheck) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	res, err := s.deps.Guard.Check(ctx, check)
	if err != nil {
		return fmt.Errorf("%w: guard: %w", errStoreDown, err)
	}
	if res.Replayed {
		return Errorf("replayed", "this signature was used before; sign every request anew")
	}
	var tight *redisstore.Decision
	for i := range res.Decisions {
		d := &res.Decisions[i]
		if tight == nil || !d.Allowed && tight.Allowed || d.Allowed == tight.Allowed && d.Remaining < tight.Remaining {
			tight = d
		}
	}
	if tight == nil {
		return nil
	}
	c.Set("X-RateLimit-Limit", strconv.Itoa(tight.Limit))
	c.Set("X-RateLimit-Remaining", strconv.Itoa(tight.Remaining))
	c.Set("X-RateLimit-Reset", strconv.FormatInt(ceilSeconds(tight.ResetAfter), 10))
	if !tight.Allowed {
		c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(max(ceilSeconds(tight.RetryAfter), 1), 10))
		return Errorf("rate_limited", "too many requests; retry after %v", tight.RetryAfter.Round(time.Millisecond))
	}
	return nil
}

func ceilSeconds(d time.Duration) int64 { return int64(math.Ceil(d.Seconds())) }

// authenticate finds the caller: a signed request (LPX-KEY present) or a
// web session (a bearer token or the session cookie).
func (s *Server) authenticate(c *fiber.Ctx) (*principal, redisstore.GuardCheck, error) {
	if keyID := c.Get(HeaderKey); keyID != "" {
		return s.authenticateKey(c, keyID)
	}
	token := c.Cookies(SessionCookie)
	if h := c.Get(fiber.HeaderAuthorization); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	if token == "" {
		return nil, redisstore.GuardCheck{}, Errorf("unauthorized", "sign the request with an API key (%s, %s, %s) or send a session token", HeaderKey, HeaderTimestamp, HeaderSignature)
	}
	p, err := s.authenticateSession(c, token)
	return p, redisstore.GuardCheck{}, err
}

// authenticateKey checks a signed request: a fresh timestamp, a live key,
// a valid signature; the replay check is the guard's.
func (s *Server) authenticateKey(c *fiber.Ctx, keyID string) (*principal, redisstore.GuardCheck, error) {
	none := redisstore.GuardCheck{}
	ts, sig := c.Get(HeaderTimestamp), c.Get(HeaderSignature)
	if ts == "" || sig == "" {
		return nil, none, Errorf("unauthorized", "a signed request needs %s and %s", HeaderTimestamp, HeaderSignature)
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, none, Errorf("unauthorized", "%s must be Unix milliseconds", HeaderTimestamp)
	}
	if skew := s.cfg.Now().Sub(time.UnixMilli(ms)); skew > s.cfg.SignatureWindow || skew < -s.cfg.SignatureWindow {
		return nil, none, Errorf("stale_timestamp", "the timestamp is %v from the server's clock; at most %v is accepted", skew.Round(time.Millisecond), s.cfg.SignatureWindow)
	}
	rawSig, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(rawSig) == 0 || len(rawSig) > 128 {
		return nil, none, Errorf("bad_signature", "%s must be a base64 signature", HeaderSignature)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	k, err := s.keys.get(ctx, s, keyID)
	if errors.Is(err, sqlstore.ErrNotFound) || errors.Is(err, sqlstore.ErrInvalid) {
		return nil, none, Errorf("unauthorized", "unknown API key")
	}
	if err != nil {
		return nil, none, err
	}
	if k.row.RevokedAt != 0 {
		return nil, none, Errorf("key_revoked", "this API key was revoked")
	}
	// The request line's target as sent: the decoded path would not match
	// a signature over an escaped one.
	msg := StringToSign(ts, c.Method(), string(c.Request().Header.RequestURI()), c.Body())
	if !k.verify(msg, rawSig) {
		return nil, none, Errorf("bad_signature", "the signature does not match the request")
	}
	p := &principal{Account: k.row.Account, Kind: k.kind, Scopes: k.row.Scopes, KeyID: k.row.ID}
	// The nonce is the signature: a replay repeats it exactly. It is kept
	// for twice the window, longer than any timestamp stays acceptable.
	nonce := sha256.Sum256(rawSig)
	return p, redisstore.GuardCheck{
		NonceScope: k.row.ID,
		Nonce:      base64.RawURLEncoding.EncodeToString(nonce[:]),
		NonceTTL:   2 * s.cfg.SignatureWindow,
	}, nil
}

// liveKey is an API key ready to verify: its row, its account's kind and
// its verification key (the Ed25519 public key or the decrypted secret).
type liveKey struct {
	row     sqlstore.APIKey
	kind    sqlstore.AccountKind
	secret  []byte
	fetched time.Time
}

func (k *liveKey) verify(msg, sig []byte) bool {
	switch k.row.Kind {
	case sqlstore.APIKeyEd25519:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.row.PublicKey, msg, sig)
	case sqlstore.APIKeyHMAC:
		m := hmac.New(sha256.New, k.secret)
		m.Write(msg)
		return hmac.Equal(m.Sum(nil), sig)
	}
	return false
}

// keyCacheTTL is how long a key read from the database is trusted before
// it is read again: a key revoked through another server stops working
// within it (through this one, at once).
const keyCacheTTL = 5 * time.Second

// keyCache keeps live keys in memory so that a signed request costs no
// database read.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]*liveKey
}

func newKeyCache() *keyCache { return &keyCache{keys: make(map[string]*liveKey)} }

func (kc *keyCache) get(ctx context.Context, s *Server, id string) (*liveKey, error) {
	now := s.cfg.Now()
	kc.mu.Lock()
	k, ok := kc.keys[id]
	kc.mu.Unlock()
	if ok && now.Sub(k.fetched) < keyCacheTTL {
		return k, nil
	}
	row, err := s.deps.Store.APIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	acct, err := s.deps.Store.Account(ctx, row.Account)
	if err != nil {
		return nil, err
	}
	k = &liveKey{row: row, kind: acct.Kind, fetched: now}
	if row.Kind == sqlstore.APIKeyHMAC {
		if k.secret, err = s.decryptSecret(row.SecretEncrypted, row.ID); err != nil {
			return nil, fmt.Errorf("api: key %s: %w", row.ID, err)
		}
	}
	kc.mu.Lock()
	if len(kc.keys) > 100_000 { // bounded: forget everything rather than grow
		clear(kc.keys)
	}
	kc.keys[row.ID] = k // the row's string: id may live in Fiber's reused buffer
	kc.mu.Unlock()
	return k, nil
}

func (kc *keyCache) forget(id string) {
	kc.mu.Lock()
	delete(kc.keys, id)
	kc.mu.Unlock()
}

// encryptSecret seals an HMAC secret under the key encryption key with
// AES-256-GCM, bound to the key's id: nonce || ciphertext.
func (s *Server) encryptSecret(secret []byte, keyID string) ([]byte, error) {
	aead, err := s.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, secret, []byte(keyID)), nil
}

func (s *Server) decryptSecret(sealed []byte, keyID string) ([]byte, error) {
	aead, err := s.aead()
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("sealed secret too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(keyID))
}

func (s *Server) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.cfg.KeyEncryptionKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
