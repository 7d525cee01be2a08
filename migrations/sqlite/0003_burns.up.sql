-- Burns: fulfilled redemptions are burned from the vault in batches, one
-- burn(total) of the token per batch, signed with the vault key. A burn
-- row is the batch: pending (created with its redemptions) -> burning (the
-- signed burn stored before broadcast) -> burned (confirmed) or failed
-- (its redemptions released for a later batch). redemption_burns maps each
-- fulfilled redemption to its batch; it lives apart from the projected
-- redemptions table, which a history rebuild empties.
CREATE TABLE burns (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL,
    total_raw   TEXT NOT NULL CHECK (total_raw GLOB '[0-9]*' AND total_raw NOT GLOB '*[^0-9]*' AND total_raw NOT GLOB '0*'),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'burning', 'burned', 'failed')),
    nonce       INTEGER,
    signed_tx   BLOB,
    tx_hash     TEXT,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX burns_status ON burns (status, id);

CREATE TABLE redemption_burns (
    redemption_id  INTEGER PRIMARY KEY,
    burn_id        INTEGER NOT NULL REFERENCES burns (id)
) STRICT;
CREATE INDEX redemption_burns_burn ON redemption_burns (burn_id);
