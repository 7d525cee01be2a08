package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// APIKeyKind is how requests made with a key are signed.
type APIKeyKind string

// The kinds of API key.
const (
	// APIKeyEd25519: the server keeps the public key.
	APIKeyEd25519 APIKeyKind = "ed25519"
	// APIKeyHMAC: the server keeps the shared secret, encrypted by the API.
	APIKeyHMAC APIKeyKind = "hmac"
)

// Scope is something an API key may do.
type Scope string

// The scopes a key can hold.
const (
	ScopeRead     Scope = "read"
	ScopeTrade    Scope = "trade"
	ScopeWithdraw Scope = "withdraw"
	ScopeIssue    Scope = "issue"
	ScopeAdmin    Scope = "admin"
)

func (s Scope) valid() bool {
	switch s {
	case ScopeRead, ScopeTrade, ScopeWithdraw, ScopeIssue, ScopeAdmin:
		return true
	}
	return false
}

// ed25519PublicKeySize is crypto/ed25519.PublicKeySize.
const ed25519PublicKeySize = 32

// maxAPIKeyIDLen bounds a key id (it travels in every request's headers).
const maxAPIKeyIDLen = 128

// APIKey is an API key's row. An Ed25519 key has PublicKey (32 bytes) and
// no SecretEncrypted; an HMAC key the other way round. Scopes are stored
// space-separated, in the order given.
type APIKey struct {
	ID              string
	Account         uint32
	Kind            APIKeyKind
	PublicKey       []byte // ed25519
	SecretEncrypted []byte // hmac: the secret as the API encrypted it
	Scopes          []Scope
	Label           string
	CreatedAt       int64
	RevokedAt       int64 // 0: not revoked
}

// HasScope reports whether the key holds scope s.
func (k APIKey) HasScope(s Scope) bool {
	for _, have := range k.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// CreateAPIKey stores a new key. ErrInvalid: an empty or over-long id, or
// one with spaces or control characters; an unknown kind; key material
// that does not fit the kind; no scopes, an unknown or repeated scope; an
// account that does not exist. ErrDuplicate: the id is taken. RevokedAt
// is ignored.
func (db *DB) CreateAPIKey(ctx context.Context, k APIKey) error {
	if err := checkAPIKeyID(k.ID); err != nil {
		return err
	}
	switch k.Kind {
	case APIKeyEd25519:
		if len(k.PublicKey) != ed25519PublicKeySize || len(k.SecretEncrypted) != 0 {
			return invalidf("an ed25519 key needs a %d-byte public key and no secret", ed25519PublicKeySize)
		}
	case APIKeyHMAC:
		if len(k.SecretEncrypted) == 0 || len(k.PublicKey) != 0 {
			return invalidf("an hmac key needs an encrypted secret and no public key")
		}
	default:
		return invalidf("api key kind %q", k.Kind)
	}
	if len(k.Scopes) == 0 {
		return invalidf("api key %q has no scopes", k.ID)
	}
	names := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		if !s.valid() {
			return invalidf("api key scope %q (want read, trade, withdraw, issue or admin)", s)
		}
		if indexScope(k.Scopes, s) != i {
			return invalidf("api key scope %q given twice", s)
		}
		names[i] = string(s)
	}
	_, err := db.DB.ExecContext(ctx, db.q(`INSERT INTO api_keys
		(id, account_id, kind, public_key, secret_encrypted, scopes, label, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		k.ID, int64(k.Account), string(k.Kind), nilIfEmpty(k.PublicKey), nilIfEmpty(k.SecretEncrypted),
		strings.Join(names, " "), k.Label, k.CreatedAt)
	return dbErr(err, "create api key %q", k.ID)
}

// APIKey returns the key with id, revoked or not (see RevokedAt), or
// ErrNotFound.
func (db *DB) APIKey(ctx context.Context, id string) (APIKey, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+apiKeySelect+" FROM api_keys WHERE id = ?"), id)
	k, err := scanAPIKey(row)
	return k, dbErr(err, "api key %q", id)
}

// ListAPIKeys returns every key of account, revoked ones included, oldest
// first.
func (db *DB) ListAPIKeys(ctx context.Context, account uint32) ([]APIKey, error) {
	list, err := queryList(ctx, db, scanAPIKey,
		"SELECT "+apiKeySelect+" FROM api_keys WHERE account_id = ? ORDER BY created_at, id", int64(account))
	return list, dbErr(err, "list api keys of account %d", account)
}

// RevokeAPIKey revokes account's key id as of now. ErrNotFound: account
// has no such key (another account's key is not found either). Revoking
// a revoked key succeeds and keeps the first RevokedAt: the call is
// idempotent, so a client retrying after a lost answer is told the key is
// gone, which it is.
func (db *DB) RevokeAPIKey(ctx context.Context, account uint32, id string, now int64) error {
	res, err := db.DB.ExecContext(ctx, db.q("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL"),
		now, id, int64(account))
	if err != nil {
		return dbErr(err, "revoke api key %q", id)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return dbErr(err, "revoke api key %q", id)
	}
	var one int
	err = db.DB.QueryRowContext(ctx, db.q("SELECT 1 FROM api_keys WHERE id = ? AND account_id = ?"), id, int64(account)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return dbErr(err, "api key %q of account %d", id, account)
	}
	return dbErr(err, "revoke api key %q", id) // nil: it was revoked already
}

const apiKeySelect = "id, account_id, kind, public_key, secret_encrypted, scopes, label, created_at, revoked_at"

func scanAPIKey(r rowScanner) (APIKey, error) {
	var k APIKey
	var account int64
	var kind, scopes string
	var revoked sql.NullInt64
	err := r.Scan(&k.ID, &account, &kind, &k.PublicKey, &k.SecretEncrypted, &scopes, &k.Label, &k.CreatedAt, &revoked)
	k.Account, k.Kind, k.RevokedAt = uint32(account), APIKeyKind(kind), revoked.Int64
	for _, s := range strings.Fields(scopes) {
		k.Scopes = append(k.Scopes, Scope(s))
	}
	return k, err
}

func checkAPIKeyID(id string) error {
	if id == "" || len(id) > maxAPIKeyIDLen {
		return invalidf("api key id must be 1 to %d bytes", maxAPIKeyIDLen)
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return invalidf("api key id %q: only printable ASCII without spaces", id)
		}
	}
	return nil
}

func indexScope(scopes []Scope, s Scope) int {
	for i, have := range scopes {
		if have == s {
			return i
		}
	}
	return -1
}

// nilIfEmpty binds an empty byte slice as NULL.
func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
