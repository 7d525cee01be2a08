-- Issuances: a brand credits a customer with points the exchange mints to
-- its vault first, so that every credited unit is backed on chain. One row
-- per (brand, reference): the brand's reference makes a retried request
-- issue once. pending -> minting (the signed mint stored before broadcast)
-- -> credited (the engine issued it, after the mint's confirmations) or
-- failed.
CREATE TABLE issuances (
    brand_id      INTEGER NOT NULL,
    reference     TEXT NOT NULL CHECK (reference <> ''),
    customer_id   INTEGER NOT NULL,
    asset_id      INTEGER NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    amount_raw    TEXT NOT NULL CHECK (amount_raw GLOB '[0-9]*' AND amount_raw NOT GLOB '*[^0-9]*'),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'minting', 'credited', 'failed')),
    nonce         INTEGER,
    signed_tx     BLOB,
    tx_hash       TEXT,
    log_index     INTEGER,
    credited_seq  INTEGER,
    error         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (brand_id, reference)
) STRICT;
CREATE INDEX issuances_status ON issuances (status, created_at);
