-- Staff: who may sign in at this till. A stand-alone store's staff are made here; a till of a
-- store that syncs gets them from central's feed (from_central = 1). The PIN only as its Argon2id
-- PHC string (storedesk-protocol::pin).
CREATE TABLE staff (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
    pin_hash   TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    from_central INTEGER NOT NULL DEFAULT 0 CHECK (from_central IN (0, 1)),
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Wrong PINs in a row per person at this till, and until when the person is locked out.
CREATE TABLE staff_sign_in (
    code         TEXT PRIMARY KEY REFERENCES staff (code),
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until INTEGER
) WITHOUT ROWID;

-- The audit trail: every state change, sign-in, approval, refusal and setting change, appended,
-- each record holding the SHA-256 of the one before (a hash chain per till; storedesk audit verify).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    staff       TEXT,
    approved_by TEXT,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_by_staff ON audit_log (staff, seq);

-- Who approved a step taken above the signed-in person's role (the actor is who took it).
ALTER TABLE order_timeline ADD COLUMN approved_by TEXT;
-- Who moved the stock and took or gave back the money (NULL: before staff, or the program).
ALTER TABLE stock_ledger ADD COLUMN staff TEXT;
ALTER TABLE payments ADD COLUMN staff TEXT;
-- Who made the event, sent with it to central, which checks that person may.
ALTER TABLE outbox ADD COLUMN staff TEXT;
ALTER TABLE outbox ADD COLUMN approved_by TEXT;
