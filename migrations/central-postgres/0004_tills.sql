-- Tills: each device of a store is a till with a short code `T<number>` that central assigns
-- (numbers are never reused in a store). A till has any number of tokens (a join mints one) and is
-- claimed by the first installation that asks who it is, so two machines cannot sell as one till.
-- Keep in step with central-sqlite/0004_tills.sql.
CREATE TABLE tills (
    id           BIGSERIAL PRIMARY KEY,
    store_id     BIGINT NOT NULL REFERENCES stores (id),
    number       BIGINT NOT NULL CHECK (number >= 1),
    name         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    -- The installation (the device's own id) that claimed the till; NULL until one did.
    installation TEXT,
    UNIQUE (store_id, number)
);

-- One-time join codes: only a SHA-256 hash is kept, the code is shown once and expires.
CREATE TABLE join_codes (
    code_hash  TEXT PRIMARY KEY,
    till_id    BIGINT NOT NULL REFERENCES tills (id),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Every existing token becomes a till of its store, T1, T2, ... in the order they were issued.
INSERT INTO tills (store_id, number, name, created_at, revoked_at)
SELECT store_id, ROW_NUMBER() OVER (PARTITION BY store_id ORDER BY id), '', created_at, revoked_at
FROM tokens;
UPDATE tills SET name = 'T' || number;
ALTER TABLE tokens ADD COLUMN till_id BIGINT REFERENCES tills (id);
UPDATE tokens SET till_id = (
    SELECT t.id FROM tills t WHERE t.store_id = tokens.store_id
      AND t.number = (SELECT COUNT(*) FROM tokens o WHERE o.store_id = tokens.store_id AND o.id <= tokens.id)
);

-- Sequences are kept per till and aggregate: two tills' events on the same SKU or order never
-- collide. What was applied before belonged to the store's first till.
CREATE TABLE till_heads (
    till_id   BIGINT NOT NULL REFERENCES tills (id),
    aggregate TEXT NOT NULL,
    last_seq  BIGINT NOT NULL,
    PRIMARY KEY (till_id, aggregate)
);
INSERT INTO till_heads (till_id, aggregate, last_seq)
SELECT t.id, h.aggregate, h.last_seq FROM aggregate_heads h
JOIN tills t ON t.store_id = h.store_id AND t.number = 1;
DROP TABLE aggregate_heads;

-- The till that took an order (NULL for the central platform's orders and for orders pushed before
-- tills existed). A human number is unique in its store among orders that carry a till.
ALTER TABLE orders ADD COLUMN till_id BIGINT REFERENCES tills (id);
ALTER TABLE inbox ADD COLUMN till_id BIGINT;
CREATE UNIQUE INDEX orders_number_in_store ON orders (store_id, number) WHERE till_id IS NOT NULL;
CREATE INDEX orders_by_number ON orders (store_id, number);
