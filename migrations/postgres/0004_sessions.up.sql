-- Web sessions: a sign-in with Ethereum gives the browser a bearer token;
-- only its SHA-256 is kept (token_hash), so a copy of the table signs no
-- one in. A session belongs to the account that signed in with the wallet
-- (chain_id, address) and is live until expires_at (Unix nanoseconds,
-- exclusive) unless revoked_at says it was signed out earlier. Expired
-- rows are deleted by a periodic sweep, on expires_at.
CREATE TABLE web_sessions (
    token_hash  BYTEA PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    chain_id    BIGINT NOT NULL CHECK (chain_id > 0),
    address     TEXT NOT NULL CHECK (address ~ '^0x[0-9a-f]{40}$'),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_account ON web_sessions (account_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
