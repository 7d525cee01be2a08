package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"reflect"
	"testing"
)

// tokenHash is the SHA-256 of a test token, as the API would store it.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func mustWebSession(t *testing.T, db *DB, s WebSession) {
	t.Helper()
	if err := db.CreateWebSession(context.Background(), s); err != nil {
		t.Fatalf("create web session: %v", err)
	}
}

// revokedAt reads a session's revoked_at directly (WebSession does not
// return revoked sessions): 0 when NULL, -1 when there is no such row.
func revokedAt(t *testing.T, db *DB, hash []byte) int64 {
	t.Helper()
	var v sql.NullInt64
	err := db.DB.QueryRowContext(context.Background(), db.q("SELECT revoked_at FROM web_sessions WHERE token_hash = ?"), hash).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return v.Int64
}

func TestWebSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		mustAccount(t, db, 2, AccountConsumer)
		s := WebSession{TokenHash: tokenHash("a"), Account: 1, ChainID: 1 << 62, Address: addrB, CreatedAt: 100, ExpiresAt: 200}
		mustWebSession(t, db, s)
		got, err := db.WebSession(ctx, tokenHash("a"), 150)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("WebSession = %+v, %v; want %+v", got, err, s)
		}

		// The hash is the key, whoever holds it.
		dup := s
		dup.Account, dup.Address = 2, addrA
		if err := db.CreateWebSession(ctx, dup); !errors.Is(err, ErrDuplicate) {
			t.Errorf("same hash again: %v, want ErrDuplicate", err)
		}
		if got, err := db.WebSession(ctx, tokenHash("a"), 150); err != nil || got.Account != 1 {
			t.Errorf("after the refused duplicate: %+v, %v", got, err)
		}
		// RevokedAt is ignored on create.
		other := WebSession{TokenHash: tokenHash("b"), Account: 2, ChainID: 5, Address: addrA, CreatedAt: 10, ExpiresAt: 20, RevokedAt: 15}
		mustWebSession(t, db, other)
		other.RevokedAt = 0
		if got, err := db.WebSession(ctx, tokenHash("b"), 19); err != nil || !reflect.DeepEqual(got, other) {
			t.Errorf("session created with RevokedAt: %+v, %v; want %+v", got, err, other)
		}

		if _, err := db.WebSession(ctx, tokenHash("nope"), 150); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown hash: %v, want ErrNotFound", err)
		}
		for _, h := range [][]byte{nil, {}, tokenHash("a")[:31], append(tokenHash("a"), 0)} {
			if _, err := db.WebSession(ctx, h, 150); !errors.Is(err, ErrInvalid) {
				t.Errorf("read with a %d-byte hash: %v, want ErrInvalid", len(h), err)
			}
			if err := db.RevokeWebSession(ctx, 1, h, 150); !errors.Is(err, ErrInvalid) {
				t.Errorf("revoke with a %d-byte hash: %v, want ErrInvalid", len(h), err)
			}
		}
	})
}

// TestWebSessionExpiry: a session is live while now < ExpiresAt, from
// any time on (CreatedAt does not bound reads), and gone from ExpiresAt.
func TestWebSessionExpiry(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		h := tokenHash("a")
		mustWebSession(t, db, WebSession{TokenHash: h, Account: 1, ChainID: 1, Address: addrA, CreatedAt: 1000, ExpiresAt: 2000})
		for now, live := range map[int64]bool{
			0: true, 999: true, 1000: true, 1999: true,
			2000: false, 2001: false, 1 << 62: false,
		} {
			_, err := db.WebSession(ctx, h, now)
			if live && err != nil {
				t.Errorf("at %d: %v, want the session", now, err)
			}
			if !live && !errors.Is(err, ErrNotFound) {
				t.Errorf("at %d: %v, want ErrNotFound (expired)", now, err)
			}
		}
		// Expiry is not revocation: the row is still there, unrevoked.
		if r := revokedAt(t, db, h); r != 0 {
			t.Errorf("expired session's revoked_at = %d, want NULL", r)
		}
		// Negative times (before 1970) work as any other.
		mustWebSession(t, db, WebSession{TokenHash: tokenHash("old"), Account: 1, ChainID: 1, Address: addrA, CreatedAt: -20, ExpiresAt: -10})
		if _, err := db.WebSession(ctx, tokenHash("old"), -11); err != nil {
			t.Errorf("at -11: %v", err)
		}
		if _, err := db.WebSession(ctx, tokenHash("old"), -10); !errors.Is(err, ErrNotFound) {
			t.Errorf("at -10: %v, want ErrNotFound", err)
		}
	})
}

func TestWebSessionsInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		good := WebSession{TokenHash: tokenHash("a"), Account: 1, ChainID: 1, Address: addrA, CreatedAt: 100, ExpiresAt: 200}
		bad := map[string]func(s *WebSession){
			"no hash":           func(s *WebSession) { s.TokenHash = nil },
			"31-byte hash":      func(s *WebSession) { s.TokenHash = s.TokenHash[:31] },
			"33-byte hash":      func(s *WebSession) { s.TokenHash = append(bytes.Clone(s.TokenHash), 1) },
			"expires at create": func(s *WebSession) { s.ExpiresAt = s.CreatedAt },
			"expires before":    func(s *WebSession) { s.ExpiresAt = s.CreatedAt - 1 },
			"chain 0":           func(s *WebSession) { s.ChainID = 0 },
			"chain 2^63":        func(s *WebSession) { s.ChainID = 1 << 63 },
			"unknown account":   func(s *WebSession) { s.Account = 99 },
			"account 0":         func(s *WebSession) { s.Account = 0 },
		}
		for name, addr := range badAddresses {
			bad["address "+name] = func(s *WebSession) { s.Address = addr }
		}
		for name, mutate := range bad {
			s := good
			mutate(&s)
			if err := db.CreateWebSession(ctx, s); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if _, err := db.WebSession(ctx, good.TokenHash, 150); !errors.Is(err, ErrNotFound) {
			t.Errorf("after the refused creates: %v, want ErrNotFound", err)
		}
		// The schema refuses what the checks above catch first.
		insert := func(hash []byte, chain int64, address string, created, expires int64) error {
			_, err := db.DB.ExecContext(ctx, db.q(`INSERT INTO web_sessions
				(token_hash, account_id, chain_id, address, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`),
				hash, 1, chain, address, created, expires)
			return mapError(err)
		}
		for name, err := range map[string]error{
			"31-byte hash":      insert(good.TokenHash[:31], 1, addrA, 1, 2),
			"chain 0":           insert(good.TokenHash, 0, addrA, 1, 2),
			"capital address":   insert(good.TokenHash, 1, badAddresses["capitals"], 1, 2),
			"expires at create": insert(good.TokenHash, 1, addrA, 2, 2),
		} {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("schema, %s: %v, want ErrInvalid", name, err)
			}
		}
		if err := insert(good.TokenHash, 1, addrA, 1, 2); err != nil {
			t.Errorf("schema, a good row: %v", err)
		}
	})
}

func TestRevokeWebSession(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		mustAccount(t, db, 2, AccountConsumer)
		a, b := tokenHash("a"), tokenHash("b")
		mustWebSession(t, db, WebSession{TokenHash: a, Account: 1, ChainID: 1, Address: addrA, CreatedAt: 100, ExpiresAt: 200})
		mustWebSession(t, db, WebSession{TokenHash: b, Account: 1, ChainID: 1, Address: addrA, CreatedAt: 100, ExpiresAt: 200})

		// Another account cannot sign account 1 out, and is told nothing
		// more than for an unknown session.
		if err := db.RevokeWebSession(ctx, 2, a, 150); !errors.Is(err, ErrNotFound) {
			t.Errorf("another account's session: %v, want ErrNotFound", err)
		}
		if _, err := db.WebSession(ctx, a, 150); err != nil {
			t.Errorf("after another account's revoke: %v, want the session live", err)
		}
		if err := db.RevokeWebSession(ctx, 1, tokenHash("nope"), 150); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown session: %v, want ErrNotFound", err)
		}

		if err := db.RevokeWebSession(ctx, 1, a, 150); err != nil {
			t.Fatal(err)
		}
		if _, err := db.WebSession(ctx, a, 150); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoked session: %v, want ErrNotFound", err)
		}
		if _, err := db.WebSession(ctx, a, 110); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoked session read at a time before the revocation: %v, want ErrNotFound", err)
		}
		if r := revokedAt(t, db, a); r != 150 {
			t.Errorf("revoked_at = %d, want 150", r)
		}
		if err := db.RevokeWebSession(ctx, 1, a, 160); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoking twice: %v, want ErrNotFound", err)
		}
		if r := revokedAt(t, db, a); r != 150 {
			t.Errorf("revoked_at after a second revoke = %d, want 150 (the first)", r)
		}
		// The other session of the same account is untouched.
		if _, err := db.WebSession(ctx, b, 150); err != nil {
			t.Errorf("the account's other session: %v", err)
		}
		// An expired session is not live: nothing to revoke, at the
		// boundary too.
		if err := db.RevokeWebSession(ctx, 1, b, 200); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke at expiry: %v, want ErrNotFound", err)
		}
		if r := revokedAt(t, db, b); r != 0 {
			t.Errorf("expired session's revoked_at = %d after a refused revoke, want NULL", r)
		}
		if err := db.RevokeWebSession(ctx, 1, b, 199); err != nil {
			t.Errorf("revoke just before expiry: %v", err)
		}
	})
}

func TestDeleteExpiredWebSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAccount(t, db, 1, AccountConsumer)
		mustAccount(t, db, 2, AccountConsumer)
		expiries := map[string]int64{"e100": 100, "e199": 199, "e200": 200, "e201": 201, "e300": 300}
		for token, exp := range expiries {
			mustWebSession(t, db, WebSession{TokenHash: tokenHash(token), Account: uint32(exp%2) + 1, ChainID: 1, Address: addrA, CreatedAt: 50, ExpiresAt: exp})
		}
		// A revoked session goes when it expires, not before.
		if err := db.RevokeWebSession(ctx, 2, tokenHash("e201"), 150); err != nil { // odd expiries are account 2's
			t.Fatal(err)
		}

		if n, err := db.DeleteExpiredWebSessions(ctx, 50); err != nil || n != 0 {
			t.Errorf("delete at 50: %d, %v; want 0", n, err)
		}
		// Expired at 200: ExpiresAt <= 200, the boundary included.
		if n, err := db.DeleteExpiredWebSessions(ctx, 200); err != nil || n != 3 {
			t.Errorf("delete at 200: %d, %v; want 3", n, err)
		}
		for token, exp := range expiries {
			r := revokedAt(t, db, tokenHash(token))
			if gone := r == -1; gone != (exp <= 200) {
				t.Errorf("%s after delete at 200: gone %v, want %v", token, gone, exp <= 200)
			}
		}
		if r := revokedAt(t, db, tokenHash("e201")); r != 150 {
			t.Errorf("revoked, unexpired session: revoked_at %d, want 150 (kept)", r)
		}
		if _, err := db.WebSession(ctx, tokenHash("e300"), 200); err != nil {
			t.Errorf("live session after the sweep: %v", err)
		}
		if n, err := db.DeleteExpiredWebSessions(ctx, 200); err != nil || n != 0 {
			t.Errorf("delete at 200 again: %d, %v; want 0", n, err)
		}
		if n, err := db.DeleteExpiredWebSessions(ctx, 1<<62); err != nil || n != 2 {
			t.Errorf("delete at 2^62: %d, %v; want 2", n, err)
		}
		// A deleted session's hash may be used again.
		mustWebSession(t, db, WebSession{TokenHash: tokenHash("e100"), Account: 2, ChainID: 1, Address: addrB, CreatedAt: 1, ExpiresAt: 2})
	})
}
