-- storedesk-central on PostgreSQL. Times are Unix milliseconds; money is integer minor units.
-- Keep in step with central-sqlite/0001_init.sql: the same tables, columns and meanings.

CREATE TABLE stores (
    id         BIGSERIAL PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    currency   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Device tokens: only a SHA-256 hash is kept; the token is shown once.
CREATE TABLE tokens (
    id         BIGSERIAL PRIMARY KEY,
    store_id   BIGINT NOT NULL REFERENCES stores (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE products (
    sku         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    price_minor BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    active      BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Authoritative stock per store and SKU.
CREATE TABLE stock (
    store_id BIGINT NOT NULL REFERENCES stores (id),
    sku      TEXT NOT NULL REFERENCES products (sku),
    on_hand  BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    PRIMARY KEY (store_id, sku)
);

-- Orders from stores (by their events) and from the central platform (origin 'central').
CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    store_id          BIGINT NOT NULL REFERENCES stores (id),
    number            TEXT NOT NULL,
    origin            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    status            TEXT NOT NULL,
    currency          TEXT NOT NULL,
    total_minor       BIGINT NOT NULL,
    holds_reservation BIGINT NOT NULL,
    customer          TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX orders_by_store ON orders (store_id, created_at);

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line_no          BIGINT NOT NULL,
    sku              TEXT NOT NULL,
    qty              BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE payments (
    id           BIGSERIAL PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    method       TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    at           BIGINT NOT NULL
);

-- Every processed event id with its stored result: a duplicate gets the same answer.
CREATE TABLE inbox (
    event_id      TEXT PRIMARY KEY,
    store_id      BIGINT NOT NULL,
    aggregate     TEXT NOT NULL,
    aggregate_seq BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    result        TEXT,
    code          TEXT,
    message       TEXT,
    received_at   BIGINT NOT NULL
);

-- The last applied sequence number of each aggregate (order) per store.
CREATE TABLE aggregate_heads (
    store_id BIGINT NOT NULL,
    aggregate TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (store_id, aggregate)
);

-- The change feed. Ids are handed out from feed_head at commit time, so they increase in commit
-- order and a reader never skips a change that commits later with a smaller id.
CREATE TABLE changes (
    id         BIGINT PRIMARY KEY,
    store_id   BIGINT,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX changes_by_store ON changes (store_id, id);

CREATE TABLE feed_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO feed_head (id, last) VALUES (1, 0);

CREATE TABLE conflicts (
    id          BIGSERIAL PRIMARY KEY,
    store_id    BIGINT NOT NULL REFERENCES stores (id),
    order_id    TEXT NOT NULL REFERENCES orders (id),
    sku         TEXT NOT NULL,
    shortfall   BIGINT NOT NULL,
    message     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT
);

-- Running counts behind central-platform order numbers (WEB-<YYYYMMDD>-<NNNN>), per day.
CREATE TABLE order_number_days (
    day  BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
