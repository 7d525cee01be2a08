-- lpx schema, version 1 (SQLite). Amounts are integer units of the asset's
-- exchange scale (INTEGER, 64-bit); on-chain uint256 values are TEXT of
-- decimal digits (SQLite would turn a decimal column's values into floats).
-- Tables are STRICT: a value of the wrong type is refused, not converted. Times are Unix
-- nanoseconds (INTEGER), as the engine keeps them. Ids that come from the
-- engine (accounts, assets, markets, orders, withdrawals, redemptions) are
-- the engine's; an OrderID is a uint64 stored as the INTEGER with the same
-- bits.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('consumer', 'brand', 'market_maker', 'operator')),
    name        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id                TEXT PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id),
    kind              TEXT NOT NULL CHECK (kind IN ('ed25519', 'hmac')),
    public_key        BLOB,
    secret_encrypted  BLOB,
    scopes            TEXT NOT NULL,
    label             TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    revoked_at        INTEGER,
    CHECK ((kind = 'ed25519' AND public_key IS NOT NULL AND secret_encrypted IS NULL)
        OR (kind = 'hmac' AND secret_encrypted IS NOT NULL AND public_key IS NULL))
) STRICT;
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE wallets (
    chain_id     INTEGER NOT NULL,
    address      TEXT NOT NULL CHECK (length(address) = 42 AND address GLOB '0x*' AND substr(address, 3) NOT GLOB '*[^0-9a-f]*'),
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    proof        TEXT NOT NULL,
    verified_at  INTEGER NOT NULL,
    PRIMARY KEY (chain_id, address)
) STRICT;
CREATE INDEX wallets_account ON wallets (account_id);

-- Assets and markets are projected from the engine's events.
CREATE TABLE assets (
    id          INTEGER PRIMARY KEY,
    symbol      TEXT NOT NULL UNIQUE,
    scale       INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    brand_id    INTEGER,
    expires_at  INTEGER,
    hub         INTEGER NOT NULL DEFAULT 0,
    created_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE token_programs (
    asset_id          INTEGER PRIMARY KEY,
    brand_id          INTEGER NOT NULL REFERENCES accounts (id),
    chain_id          INTEGER NOT NULL,
    contract_address  TEXT NOT NULL CHECK (length(contract_address) = 42 AND contract_address GLOB '0x*' AND substr(contract_address, 3) NOT GLOB '*[^0-9a-f]*'),
    kind              TEXT NOT NULL CHECK (kind IN ('points', 'coupon')),
    symbol            TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    decimals          INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 77),
    scale             INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 18),
    expires_at        INTEGER,
    created_at        INTEGER NOT NULL,
    UNIQUE (chain_id, contract_address)
) STRICT;

CREATE TABLE markets (
    id          INTEGER PRIMARY KEY,
    base_id     INTEGER NOT NULL,
    quote_id    INTEGER NOT NULL,
    price_scale INTEGER NOT NULL,
    tick        INTEGER NOT NULL,
    lot         INTEGER NOT NULL,
    min_size    INTEGER NOT NULL,
    maker_bps   INTEGER NOT NULL,
    taker_bps   INTEGER NOT NULL,
    status      TEXT NOT NULL,
    created_seq INTEGER NOT NULL,
    updated_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE deposits (
    chain_id      INTEGER NOT NULL,
    tx_hash       TEXT NOT NULL CHECK (length(tx_hash) = 66 AND tx_hash GLOB '0x*' AND substr(tx_hash, 3) NOT GLOB '*[^0-9a-f]*'),
    log_index     INTEGER NOT NULL,
    ref           BLOB NOT NULL UNIQUE,
    account_id    INTEGER NOT NULL,
    asset_id      INTEGER NOT NULL,
    amount_raw    TEXT NOT NULL CHECK (amount_raw GLOB '[0-9]*' AND amount_raw NOT GLOB '*[^0-9]*'),
    amount        INTEGER NOT NULL,
    dust_raw      TEXT NOT NULL DEFAULT '0' CHECK (dust_raw GLOB '[0-9]*' AND dust_raw NOT GLOB '*[^0-9]*'),
    block_number  INTEGER NOT NULL,
    block_hash    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('seen', 'credited', 'rejected', 'reorged')),
    credited_seq  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX deposits_account ON deposits (account_id, created_at);

-- The withdrawals outbox: pending -> signed -> sent -> confirmed | failed.
CREATE TABLE withdrawals (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL,
    asset_id      INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    amount_raw    TEXT CHECK (amount_raw GLOB '[0-9]*' AND amount_raw NOT GLOB '*[^0-9]*'),
    chain_id      INTEGER,
    to_address    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'sent', 'confirmed', 'failed')),
    nonce         INTEGER,
    signed_tx     BLOB,
    tx_hash       TEXT,
    error         TEXT,
    held_seq      INTEGER,
    settled_seq   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX withdrawals_account ON withdrawals (account_id, id);
CREATE INDEX withdrawals_status ON withdrawals (status, id);
CREATE UNIQUE INDEX withdrawals_nonce ON withdrawals (chain_id, nonce) WHERE nonce IS NOT NULL;

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL,
    market_id        INTEGER NOT NULL,
    client_order_id  TEXT NOT NULL DEFAULT '',
    side             TEXT NOT NULL,
    type             TEXT NOT NULL,
    tif              TEXT NOT NULL,
    post_only        INTEGER NOT NULL,
    price            INTEGER NOT NULL,
    size             INTEGER NOT NULL,
    quote_amount     INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'filled', 'canceled', 'expired')),
    filled           INTEGER NOT NULL DEFAULT 0,
    remaining        INTEGER NOT NULL,
    fees             INTEGER NOT NULL DEFAULT 0,
    cancel_reason    TEXT NOT NULL DEFAULT '',
    created_seq      INTEGER NOT NULL,
    updated_seq      INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_account ON orders (account_id, status, id);
CREATE INDEX orders_account_age ON orders (account_id, created_seq);

CREATE TABLE trades (
    seq            INTEGER NOT NULL,
    idx            INTEGER NOT NULL,
    market_id      INTEGER NOT NULL,
    price          INTEGER NOT NULL,
    size           INTEGER NOT NULL,
    quote_amount   INTEGER NOT NULL,
    taker_side     TEXT NOT NULL,
    taker_account  INTEGER NOT NULL,
    taker_order    INTEGER NOT NULL,
    taker_fee      INTEGER NOT NULL,
    maker_account  INTEGER NOT NULL,
    maker_order    INTEGER NOT NULL,
    maker_fee      INTEGER NOT NULL,
    time           INTEGER NOT NULL,
    PRIMARY KEY (seq, idx)
) STRICT;
CREATE INDEX trades_market ON trades (market_id, seq);
CREATE INDEX trades_taker ON trades (taker_account, seq);
CREATE INDEX trades_maker ON trades (maker_account, seq);

-- One row per balance change: the balance after it, the change, why and
-- what it refers to.
CREATE TABLE ledger_entries (
    seq              INTEGER NOT NULL,
    idx              INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    asset_id         INTEGER NOT NULL,
    available        INTEGER NOT NULL,
    held             INTEGER NOT NULL,
    available_delta  INTEGER NOT NULL,
    held_delta       INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    time             INTEGER NOT NULL,
    PRIMARY KEY (seq, idx)
) STRICT;
CREATE INDEX ledger_account ON ledger_entries (account_id, asset_id, seq);

CREATE TABLE redemptions (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL,
    asset_id      INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    receipt       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'fulfilled', 'rejected')),
    created_seq   INTEGER NOT NULL,
    settled_seq   INTEGER,
    created_at    INTEGER NOT NULL,
    settled_at    INTEGER
) STRICT;
CREATE INDEX redemptions_account ON redemptions (account_id, id);
CREATE INDEX redemptions_asset ON redemptions (asset_id, status, id);

CREATE TABLE chain_cursors (
    chain_id      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    block_number  INTEGER NOT NULL,
    block_hash    TEXT NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (chain_id, name)
) STRICT;

CREATE TABLE projector_checkpoints (
    name        TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
