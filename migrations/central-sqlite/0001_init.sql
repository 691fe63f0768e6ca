-- storedesk-central on SQLite. Times are Unix milliseconds; money is integer minor units.
-- Keep in step with central-postgres/0001_init.sql: the same tables, columns and meanings.

CREATE TABLE stores (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    currency   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Device tokens: only a SHA-256 hash is kept; the token is shown once.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    store_id   INTEGER NOT NULL REFERENCES stores (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE products (
    sku         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    active      INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Authoritative stock per store and SKU.
CREATE TABLE stock (
    store_id INTEGER NOT NULL REFERENCES stores (id),
    sku      TEXT NOT NULL REFERENCES products (sku),
    on_hand  INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    PRIMARY KEY (store_id, sku)
);

-- Orders from stores (by their events) and from the central platform (origin 'central').
CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    store_id          INTEGER NOT NULL REFERENCES stores (id),
    number            TEXT NOT NULL,
    origin            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    status            TEXT NOT NULL,
    currency          TEXT NOT NULL,
    total_minor       INTEGER NOT NULL,
    holds_reservation INTEGER NOT NULL,
    customer          TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX orders_by_store ON orders (store_id, created_at);

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL,
    qty              INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    method       TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    at           INTEGER NOT NULL
);

-- Every processed event id with its stored result: a duplicate gets the same answer.
CREATE TABLE inbox (
    event_id      TEXT PRIMARY KEY,
    store_id      INTEGER NOT NULL,
    aggregate     TEXT NOT NULL,
    aggregate_seq INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    result        TEXT,
    code          TEXT,
    message       TEXT,
    received_at   INTEGER NOT NULL
);

-- The last applied sequence number of each aggregate (order) per store.
CREATE TABLE aggregate_heads (
    store_id INTEGER NOT NULL,
    aggregate TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (store_id, aggregate)
);

-- The change feed. Ids are handed out from feed_head at commit time, so they increase in commit
-- order and a reader never skips a change that commits later with a smaller id.
CREATE TABLE changes (
    id         INTEGER PRIMARY KEY,
    store_id   INTEGER,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX changes_by_store ON changes (store_id, id);

CREATE TABLE feed_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT INTO feed_head (id, last) VALUES (1, 0);

CREATE TABLE conflicts (
    id          INTEGER PRIMARY KEY,
    store_id    INTEGER NOT NULL REFERENCES stores (id),
    order_id    TEXT NOT NULL REFERENCES orders (id),
    sku         TEXT NOT NULL,
    shortfall   INTEGER NOT NULL,
    message     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER
);

-- Running counts behind central-platform order numbers (WEB-<YYYYMMDD>-<NNNN>), per day.
CREATE TABLE order_number_days (
    day  INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
