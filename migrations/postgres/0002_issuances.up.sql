-- Issuances: a brand credits a customer with points the exchange mints to
-- its vault first, so that every credited unit is backed on chain. One row
-- per (brand, reference): the brand's reference makes a retried request
-- issue once. pending -> minting (the signed mint stored before broadcast)
-- -> credited (the engine issued it, after the mint's confirmations) or
-- failed.
CREATE TABLE issuances (
    brand_id      BIGINT NOT NULL,
    reference     TEXT NOT NULL CHECK (reference <> ''),
    customer_id   BIGINT NOT NULL,
    asset_id      BIGINT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    amount_raw    NUMERIC(78, 0) NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'minting', 'credited', 'failed')),
    nonce         BIGINT,
    signed_tx     BYTEA,
    tx_hash       TEXT,
    log_index     INTEGER,
    credited_seq  BIGINT,
    error         TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (brand_id, reference)
);
CREATE INDEX issuances_status ON issuances (status, created_at);
