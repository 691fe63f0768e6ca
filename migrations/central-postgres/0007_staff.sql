-- Staff, per store: central is where a syncing store's staff are managed; tills get them (with
-- PIN hashes, never PINs) through `GET /v1/staff` and check PINs offline. A lockout a till records
-- reaches central with its audit records and the store's other tills with the next staff read.
-- Keep in step with central-sqlite/0007_staff.sql.
CREATE TABLE staff (
    store_id     BIGINT NOT NULL REFERENCES stores (id),
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
    -- Argon2id, PHC string.
    pin_hash     TEXT NOT NULL,
    active       BIGINT NOT NULL DEFAULT 1,
    disabled_at  BIGINT,
    locked_until BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (store_id, code)
);
CREATE INDEX staff_by_code ON staff (code);

-- A store's staff policy, and the version of its staff list (every change moves it, so a till
-- asks again only when something changed). Limits in minor units and percent.
ALTER TABLE stores ADD COLUMN staff_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stores ADD COLUMN refund_max_minor BIGINT NOT NULL DEFAULT 50000;
ALTER TABLE stores ADD COLUMN discount_max_percent BIGINT NOT NULL DEFAULT 20;
ALTER TABLE stores ADD COLUMN lockout_minutes BIGINT NOT NULL DEFAULT 15;
ALTER TABLE stores ADD COLUMN idle_lock_minutes BIGINT NOT NULL DEFAULT 5;
-- Events without a staff code (from tills that predate staff) are accepted, as made by an unknown
-- person, until this time; NULL: until the store's first staff member is added, then 30 days.
ALTER TABLE stores ADD COLUMN unsigned_until BIGINT;

-- Who sent each event (NULL: a till that predates staff, or the program).
ALTER TABLE inbox ADD COLUMN staff TEXT;
ALTER TABLE inbox ADD COLUMN approved_by TEXT;

-- Each till's audit chain as central received it: checked on arrival, kept to be checked again.
-- A till set up again on a new machine (`device replace`) starts a new chain: its generation.
ALTER TABLE tills ADD COLUMN audit_generation BIGINT NOT NULL DEFAULT 0;
CREATE TABLE audit_records (
    till_id     BIGINT NOT NULL REFERENCES tills (id),
    generation  BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    staff       TEXT,
    approved_by TEXT,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (till_id, generation, seq)
);

-- Uploads that did not continue the chain central holds: flagged, kept for the store's admin.
CREATE TABLE audit_breaks (
    id          BIGSERIAL PRIMARY KEY,
    till_id     BIGINT NOT NULL REFERENCES tills (id),
    generation  BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    problem     TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
