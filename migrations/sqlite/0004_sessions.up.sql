-- Web sessions: a sign-in with Ethereum gives the browser a bearer token;
-- only its SHA-256 is kept (token_hash), so a copy of the table signs no
-- one in. A session belongs to the account that signed in with the wallet
-- (chain_id, address) and is live until expires_at (Unix nanoseconds,
-- exclusive) unless revoked_at says it was signed out earlier. Expired
-- rows are deleted by a periodic sweep, on expires_at.
CREATE TABLE web_sessions (
    token_hash  BLOB NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    chain_id    INTEGER NOT NULL CHECK (chain_id > 0),
    address     TEXT NOT NULL CHECK (length(address) = 42 AND address GLOB '0x*' AND substr(address, 3) NOT GLOB '*[^0-9a-f]*'),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    CHECK (expires_at > created_at)
) STRICT;
CREATE INDEX web_sessions_account ON web_sessions (account_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
