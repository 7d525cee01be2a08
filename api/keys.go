package api

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/lpx-exchange/lpx/store/sqlstore"
)

type createKeyRequest struct {
	Kind      string   `json:"kind"`       // "ed25519" or "hmac"
	PublicKey string   `json:"public_key"` // ed25519: base64 of the 32-byte public key
	Scopes    []string `json:"scopes"`
	Label     string   `json:"label"`
}

type keyView struct {
	ID        string   `json:"id"`
	Account   string   `json:"account"`
	Kind      string   `json:"kind"`
	Scopes    []string `json:"scopes"`
	Label     string   `json:"label"`
	CreatedAt string   `json:"created_at"`
	RevokedAt string   `json:"revoked_at,omitempty"`
	// Secret is an HMAC key's secret, in the answer that created it only.
	Secret string `json:"secret,omitempty"`
}

func viewKey(k sqlstore.APIKey) keyView {
	v := keyView{ID: k.ID, Account: strconv.FormatUint(uint64(k.Account), 10), Kind: string(k.Kind), Label: k.Label, CreatedAt: rfc3339(k.CreatedAt)}
	for _, s := range k.Scopes {
		v.Scopes = append(v.Scopes, string(s))
	}
	if k.RevokedAt != 0 {
		v.RevokedAt = rfc3339(k.RevokedAt)
	}
	return v
}

// rfc3339 writes Unix nanoseconds as an RFC 3339 time in UTC, with
// milliseconds.
func rfc3339(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// createKey makes an API key for the caller's account holding at most the
// caller's scopes. An Ed25519 key brings its public key (the client keeps
// the private key); an HMAC key's secret is made here, answered once and
// stored encrypted.
func (s *Server) createKey(c *fiber.Ctx) error {
	p := who(c)
	var req createKeyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	scopes, err := s.grantable(p, req.Scopes)
	if err != nil {
		return err
	}
	id, err := newKeyID()
	if err != nil {
		return err
	}
	k := sqlstore.APIKey{ID: id, Account: p.Account, Kind: sqlstore.APIKeyKind(req.Kind), Scopes: scopes, Label: req.Label, CreatedAt: s.cfg.Now().UnixNano()}
	switch k.Kind {
	case sqlstore.APIKeyEd25519:
		pub, err := base64.StdEncoding.DecodeString(req.PublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return Errorf("invalid_public_key", "public_key must be the base64 of a %d-byte Ed25519 public key", ed25519.PublicKeySize)
		}
		k.PublicKey = pub
	case sqlstore.APIKeyHMAC:
		if req.PublicKey != "" {
			return Errorf("invalid_public_key", "an HMAC key has no public key; its secret is made by the server")
		}
		if len(req.Label) > 100 {
			return Errorf("invalid_label", "label is longer than 100 bytes")
		}
		ctx, cancel := s.ctx(c)
		defer cancel()
		id, secret, err := s.IssueHMACKey(ctx, p.Account, scopes, req.Label)
		if err != nil {
			return err
		}
		k, err := s.deps.Store.APIKey(ctx, id)
		if err != nil {
			return err
		}
		v := viewKey(k)
		v.Secret = secret
		return c.Status(fiber.StatusCreated).JSON(v)
	default:
		return errInvalid("kind", strconv.Quote(req.Kind), `"ed25519" or "hmac"`)
	}
	if len(req.Label) > 100 {
		return Errorf("invalid_label", "label is longer than 100 bytes")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.deps.Store.CreateAPIKey(ctx, k); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewKey(k))
}

// grantable checks that the caller holds every scope asked for.
func (s *Server) grantable(p *principal, asked []string) ([]Scope, error) {
	if len(asked) == 0 {
		return nil, errMissing("scopes")
	}
	seen := map[Scope]bool{}
	var scopes []Scope
	for _, a := range asked {
		sc := Scope(a)
		switch sc {
		case scopeRead, scopeTrade, scopeWithdraw, scopeIssue, scopeAdmin:
		default:
			return nil, errInvalid("scope", strconv.Quote(a), "read, trade, withdraw, issue, admin")
		}
		if seen[sc] {
			return nil, Errorf("invalid_scope", "scope %q is given twice", a)
		}
		seen[sc] = true
		if !p.has(sc) {
			return nil, Errorf("forbidden", "a key cannot be given the %q scope its creator lacks", a)
		}
		scopes = append(scopes, sc)
	}
	return scopes, nil
}

func newKeyID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "lpxk_" + hex.EncodeToString(b[:]), nil
}

// listKeys answers the caller's keys, revoked ones included, without
// secrets.
func (s *Server) listKeys(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	keys, err := s.deps.Store.ListAPIKeys(ctx, who(c).Account)
	if err != nil {
		return err
	}
	out := make([]keyView, 0, len(keys))
	for _, k := range keys {
		out = append(out, viewKey(k))
	}
	return c.JSON(fiber.Map{"keys": out})
}

// revokeKey revokes one of the caller's keys; the caller must hold every
// scope the key holds. Another account's key is a 404.
func (s *Server) revokeKey(c *fiber.Ctx) error {
	p := who(c)
	id := c.Params("id")
	ctx, cancel := s.ctx(c)
	defer cancel()
	k, err := s.deps.Store.APIKey(ctx, id)
	if errors.Is(err, sqlstore.ErrInvalid) || err == nil && k.Account != p.Account {
		err = sqlstore.ErrNotFound
	}
	if err != nil {
		return err
	}
	for _, sc := range k.Scopes {
		if !p.has(sc) {
			return Errorf("forbidden", "revoking a key with the %q scope needs that scope", sc)
		}
	}
	if err := s.deps.Store.RevokeAPIKey(ctx, p.Account, k.ID, s.cfg.Now().UnixNano()); err != nil {
		return err
	}
	s.keys.forget(k.ID)
	return c.SendStatus(fiber.StatusNoContent)
}
