-- Burns: fulfilled redemptions are burned from the vault in batches, one
-- burn(total) of the token per batch, signed with the vault key. A burn
-- row is the batch: pending (created with its redemptions) -> burning (the
-- signed burn stored before broadcast) -> burned (confirmed) or failed
-- (its redemptions released for a later batch). redemption_burns maps each
-- fulfilled redemption to its batch; it lives apart from the projected
-- redemptions table, which a history rebuild empties.
CREATE TABLE burns (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id    BIGINT NOT NULL,
    total_raw   NUMERIC(78, 0) NOT NULL CHECK (total_raw > 0),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'burning', 'burned', 'failed')),
    nonce       BIGINT,
    signed_tx   BYTEA,
    tx_hash     TEXT,
    error       TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX burns_status ON burns (status, id);

CREATE TABLE redemption_burns (
    redemption_id  BIGINT PRIMARY KEY,
    burn_id        BIGINT NOT NULL REFERENCES burns (id)
);
CREATE INDEX redemption_burns_burn ON redemption_burns (burn_id);
