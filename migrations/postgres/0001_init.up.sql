-- lpx schema, version 1. Amounts are integer units of the asset's exchange
-- scale (BIGINT); on-chain uint256 values are NUMERIC(78,0). Times are Unix
-- nanoseconds (BIGINT), as the engine keeps them. Ids that come from the
-- engine (accounts, assets, markets, orders, withdrawals, redemptions) are
-- the engine's; an OrderID is a uint64 stored as the BIGINT with the same
-- bits.

CREATE TABLE accounts (
    id          BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('consumer', 'brand', 'market_maker', 'operator')),
    name        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id                TEXT PRIMARY KEY,
    account_id        BIGINT NOT NULL REFERENCES accounts (id),
    kind              TEXT NOT NULL CHECK (kind IN ('ed25519', 'hmac')),
    public_key        BYTEA,
    secret_encrypted  BYTEA,
    scopes            TEXT NOT NULL,
    label             TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    revoked_at        BIGINT,
    CHECK ((kind = 'ed25519' AND public_key IS NOT NULL AND secret_encrypted IS NULL)
        OR (kind = 'hmac' AND secret_encrypted IS NOT NULL AND public_key IS NULL))
);
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE wallets (
    chain_id     BIGINT NOT NULL,
    address      TEXT NOT NULL CHECK (address ~ '^0x[0-9a-f]{40}$'),
    account_id   BIGINT NOT NULL REFERENCES accounts (id),
    proof        TEXT NOT NULL,
    verified_at  BIGINT NOT NULL,
    PRIMARY KEY (chain_id, address)
);
CREATE INDEX wallets_account ON wallets (account_id);

-- Assets and markets are projected from the engine's events.
CREATE TABLE assets (
    id          BIGINT PRIMARY KEY,
    symbol      TEXT NOT NULL UNIQUE,
    scale       INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    brand_id    BIGINT,
    expires_at  BIGINT,
    hub         BOOLEAN NOT NULL DEFAULT FALSE,
    created_seq BIGINT NOT NULL
);

CREATE TABLE token_programs (
    asset_id          BIGINT PRIMARY KEY,
    brand_id          BIGINT NOT NULL REFERENCES accounts (id),
    chain_id          BIGINT NOT NULL,
    contract_address  TEXT NOT NULL CHECK (contract_address ~ '^0x[0-9a-f]{40}$'),
    kind              TEXT NOT NULL CHECK (kind IN ('points', 'coupon')),
    symbol            TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    decimals          INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 77),
    scale             INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 18),
    expires_at        BIGINT,
    created_at        BIGINT NOT NULL,
    UNIQUE (chain_id, contract_address)
);

CREATE TABLE markets (
    id          BIGINT PRIMARY KEY,
    base_id     BIGINT NOT NULL,
    quote_id    BIGINT NOT NULL,
    price_scale INTEGER NOT NULL,
    tick        BIGINT NOT NULL,
    lot         BIGINT NOT NULL,
    min_size    BIGINT NOT NULL,
    maker_bps   INTEGER NOT NULL,
    taker_bps   INTEGER NOT NULL,
    status      TEXT NOT NULL,
    created_seq BIGINT NOT NULL,
    updated_seq BIGINT NOT NULL
);

CREATE TABLE deposits (
    chain_id      BIGINT NOT NULL,
    tx_hash       TEXT NOT NULL CHECK (tx_hash ~ '^0x[0-9a-f]{64}$'),
    log_index     INTEGER NOT NULL,
    ref           BYTEA NOT NULL UNIQUE,
    account_id    BIGINT NOT NULL,
    asset_id      BIGINT NOT NULL,
    amount_raw    NUMERIC(78, 0) NOT NULL,
    amount        BIGINT NOT NULL,
    dust_raw      NUMERIC(78, 0) NOT NULL DEFAULT 0,
    block_number  BIGINT NOT NULL,
    block_hash    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('seen', 'credited', 'rejected', 'reorged')),
    credited_seq  BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (chain_id, tx_hash, log_index)
);
CREATE INDEX deposits_account ON deposits (account_id, created_at);

-- The withdrawals outbox: pending -> signed -> sent -> confirmed | failed.
CREATE TABLE withdrawals (
    id            BIGINT PRIMARY KEY,
    account_id    BIGINT NOT NULL,
    asset_id      BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    amount_raw    NUMERIC(78, 0),
    chain_id      BIGINT,
    to_address    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'sent', 'confirmed', 'failed')),
    nonce         BIGINT,
    signed_tx     BYTEA,
    tx_hash       TEXT,
    error         TEXT,
    held_seq      BIGINT,
    settled_seq   BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX withdrawals_account ON withdrawals (account_id, id);
CREATE INDEX withdrawals_status ON withdrawals (status, id);
CREATE UNIQUE INDEX withdrawals_nonce ON withdrawals (chain_id, nonce) WHERE nonce IS NOT NULL;

CREATE TABLE orders (
    id               BIGINT PRIMARY KEY,
    account_id       BIGINT NOT NULL,
    market_id        BIGINT NOT NULL,
    client_order_id  TEXT NOT NULL DEFAULT '',
    side             TEXT NOT NULL,
    type             TEXT NOT NULL,
    tif              TEXT NOT NULL,
    post_only        BOOLEAN NOT NULL,
    price            BIGINT NOT NULL,
    size             BIGINT NOT NULL,
    quote_amount     BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'filled', 'canceled', 'expired')),
    filled           BIGINT NOT NULL DEFAULT 0,
    remaining        BIGINT NOT NULL,
    fees             BIGINT NOT NULL DEFAULT 0,
    cancel_reason    TEXT NOT NULL DEFAULT '',
    created_seq      BIGINT NOT NULL,
    updated_seq      BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
) WITH (fillfactor = 70); -- room for fills to update rows in place
CREATE INDEX orders_account ON orders (account_id, status, id);
CREATE INDEX orders_account_age ON orders (account_id, created_seq);

CREATE TABLE trades (
    seq            BIGINT NOT NULL,
    idx            INTEGER NOT NULL,
    market_id      BIGINT NOT NULL,
    price          BIGINT NOT NULL,
    size           BIGINT NOT NULL,
    quote_amount   BIGINT NOT NULL,
    taker_side     TEXT NOT NULL,
    taker_account  BIGINT NOT NULL,
    taker_order    BIGINT NOT NULL,
    taker_fee      BIGINT NOT NULL,
    maker_account  BIGINT NOT NULL,
    maker_order    BIGINT NOT NULL,
    maker_fee      BIGINT NOT NULL,
    time           BIGINT NOT NULL,
    PRIMARY KEY (seq, idx)
);
CREATE INDEX trades_market ON trades (market_id, seq);
CREATE INDEX trades_taker ON trades (taker_account, seq);
CREATE INDEX trades_maker ON trades (maker_account, seq);

-- One row per balance change: the balance after it, the change, why and
-- what it refers to.
CREATE TABLE ledger_entries (
    seq              BIGINT NOT NULL,
    idx              INTEGER NOT NULL,
    account_id       BIGINT NOT NULL,
    asset_id         BIGINT NOT NULL,
    available        BIGINT NOT NULL,
    held             BIGINT NOT NULL,
    available_delta  BIGINT NOT NULL,
    held_delta       BIGINT NOT NULL,
    reason           TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    time             BIGINT NOT NULL,
    PRIMARY KEY (seq, idx)
);
CREATE INDEX ledger_account ON ledger_entries (account_id, asset_id, seq);

CREATE TABLE redemptions (
    id            BIGINT PRIMARY KEY,
    account_id    BIGINT NOT NULL,
    asset_id      BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    receipt       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'fulfilled', 'rejected')),
    created_seq   BIGINT NOT NULL,
    settled_seq   BIGINT,
    created_at    BIGINT NOT NULL,
    settled_at    BIGINT
);
CREATE INDEX redemptions_account ON redemptions (account_id, id);
CREATE INDEX redemptions_asset ON redemptions (asset_id, status, id);

CREATE TABLE chain_cursors (
    chain_id      BIGINT NOT NULL,
    name          TEXT NOT NULL,
    block_number  BIGINT NOT NULL,
    block_hash    TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (chain_id, name)
);

CREATE TABLE projector_checkpoints (
    name        TEXT PRIMARY KEY,
    seq         BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
