package sqlstore

import (
	"context"
	"database/sql"
)

// WebSessionHashSize is the size of a web session's TokenHash: a SHA-256.
const WebSessionHashSize = 32

// WebSession is a browser's session after a sign-in with Ethereum. The
// bearer token the browser holds is never stored: TokenHash is its
// SHA-256, which the API computes from each request's token to find the
// session. ChainID and Address are the wallet that signed in. Times are
// Unix nanoseconds; the session is live while now < ExpiresAt and it is
// not revoked (RevokedAt 0).
type WebSession struct {
	TokenHash []byte
	Account   uint32
	ChainID   uint64
	Address   string // 0x + 40 lowercase hex digits
	CreatedAt int64
	ExpiresAt int64
	RevokedAt int64 // 0: not revoked
}

// CreateWebSession stores a new session. ErrInvalid: a TokenHash that is
// not WebSessionHashSize bytes, an ExpiresAt not after CreatedAt, chain 0
// or an address that is not lowercase 0x + 40 hex, an account that does
// not exist. ErrDuplicate: the hash is taken (by any account). RevokedAt
// is ignored.
func (db *DB) CreateWebSession(ctx context.Context, s WebSession) error {
	if err := checkTokenHash(s.TokenHash); err != nil {
		return err
	}
	if s.ExpiresAt <= s.CreatedAt {
		return invalidf("web session expires at %d, not after its creation at %d", s.ExpiresAt, s.CreatedAt)
	}
	chain, err := checkChainAddress(s.ChainID, s.Address)
	if err != nil {
		return err
	}
	_, err = db.DB.ExecContext(ctx, db.q(`INSERT INTO web_sessions
		(token_hash, account_id, chain_id, address, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`),
		s.TokenHash, int64(s.Account), chain, s.Address, s.CreatedAt, s.ExpiresAt)
	return dbErr(err, "create web session of account %d", s.Account)
}

// WebSession returns the live session whose token hashes to tokenHash as
// of now. ErrNotFound: no such session, or it was revoked, or it expired
// (ExpiresAt <= now); the three are not told apart. ErrInvalid: a hash
// that is not WebSessionHashSize bytes.
func (db *DB) WebSession(ctx context.Context, tokenHash []byte, now int64) (WebSession, error) {
	if err := checkTokenHash(tokenHash); err != nil {
		return WebSession{}, err
	}
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+webSessionSelect+
		" FROM web_sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?"), tokenHash, now)
	s, err := scanWebSession(row)
	return s, dbErr(err, "web session")
}

// RevokeWebSession signs account's session out as of now. ErrNotFound:
// the session is not a live session of account: unknown, another
// account's, expired, or revoked already (a second sign-out is refused,
// and the first RevokedAt kept). ErrInvalid: a hash that is not
// WebSessionHashSize bytes.
func (db *DB) RevokeWebSession(ctx context.Context, account uint32, tokenHash []byte, now int64) error {
	if err := checkTokenHash(tokenHash); err != nil {
		return err
	}
	res, err := db.DB.ExecContext(ctx, db.q(`UPDATE web_sessions SET revoked_at = ?
		WHERE token_hash = ? AND account_id = ? AND revoked_at IS NULL AND expires_at > ?`),
		now, tokenHash, int64(account), now)
	if err != nil {
		return dbErr(err, "revoke web session of account %d", account)
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return dbErr(err, "web session of account %d", account)
}

// DeleteExpiredWebSessions deletes the sessions expired as of now
// (ExpiresAt <= now), revoked or not, and returns how many. Revoked
// sessions are kept until they expire, as a record of the sign-out.
func (db *DB) DeleteExpiredWebSessions(ctx context.Context, now int64) (int64, error) {
	res, err := db.DB.ExecContext(ctx, db.q("DELETE FROM web_sessions WHERE expires_at <= ?"), now)
	if err != nil {
		return 0, dbErr(err, "delete expired web sessions")
	}
	n, err := res.RowsAffected()
	return n, dbErr(err, "delete expired web sessions")
}

const webSessionSelect = "token_hash, account_id, chain_id, address, created_at, expires_at, revoked_at"

func scanWebSession(r rowScanner) (WebSession, error) {
	var s WebSession
	var account, chain int64
	var revoked sql.NullInt64
	err := r.Scan(&s.TokenHash, &account, &chain, &s.Address, &s.CreatedAt, &s.ExpiresAt, &revoked)
	s.Account, s.ChainID, s.RevokedAt = uint32(account), uint64(chain), revoked.Int64
	return s, err
}

func checkTokenHash(h []byte) error {
	if len(h) != WebSessionHashSize {
		return invalidf("web session token hash of %d bytes, want %d (a SHA-256)", len(h), WebSessionHashSize)
	}
	return nil
}
