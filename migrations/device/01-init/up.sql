-- The device's store. Times are Unix milliseconds (UTC); money is integer minor units.

-- One row per setting: store_code, store_name, currency, time_zone, device_id.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE products (
    sku                 TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    price_minor         INTEGER NOT NULL CHECK (price_minor >= 0),
    -- Increases on every change; the catalog cache keeps only the newest version.
    version             INTEGER NOT NULL CHECK (version >= 1),
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    low_stock_threshold INTEGER CHECK (low_stock_threshold >= 0),
    updated_at          INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE stock (
    sku        TEXT PRIMARY KEY REFERENCES products (sku),
    on_hand    INTEGER NOT NULL,
    reserved   INTEGER NOT NULL CHECK (reserved >= 0),
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Ids are UUID v7 text: time-ordered, so id order is creation order and new rows append.
CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    channel     TEXT NOT NULL CHECK (channel IN ('counter', 'fulfilment')),
    status      TEXT NOT NULL CHECK (status IN ('created', 'paid', 'ready_to_ship', 'on_hold',
                                                'shipped', 'delivered', 'cancelled', 'refunded')),
    customer    TEXT,
    currency    TEXT NOT NULL,
    total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
    tracking    TEXT,
    hold_reason TEXT,
    -- 'device' (taken here) or 'central' (placed on the central platform, allocated by sync).
    origin      TEXT NOT NULL DEFAULT 'device' CHECK (origin IN ('device', 'central')),
    -- Whether this store's stock view counts a reservation for the order right now.
    reservation_held INTEGER NOT NULL DEFAULT 0 CHECK (reservation_held IN (0, 1)),
    -- Central's answer to the reservation: NULL (not asked), accepted, rejected, released.
    central_reservation TEXT CHECK (central_reservation IN ('accepted', 'rejected', 'released')),
    -- The last outbox sequence number used for this order (0: nothing announced yet).
    event_seq   INTEGER NOT NULL DEFAULT 0,
    -- Steps taken so far (1 after placement); numbers the timeline rows.
    steps       INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
-- The orders list, newest first, whole or by status or channel (each index ends in the key, id,
-- so "ORDER BY created_at DESC, id DESC LIMIT n" reads n entries); date ranges (reports too).
CREATE INDEX orders_by_created ON orders (created_at);
CREATE INDEX orders_by_status ON orders (status, created_at);
CREATE INDEX orders_by_channel ON orders (channel, created_at);

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL REFERENCES products (sku),
    -- The product's name and price when the order was taken.
    name             TEXT NOT NULL,
    qty              INTEGER NOT NULL CHECK (qty > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    restocked_qty    INTEGER NOT NULL DEFAULT 0 CHECK (restocked_qty >= 0 AND restocked_qty <= qty),
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
-- "Orders with this SKU" (the orders list's search).
CREATE INDEX order_lines_by_sku ON order_lines (sku);

-- Substring search on customers' names (the orders list's search box): a trigram index, filled as
-- orders are inserted. An order's customer never changes (a trigger below enforces it), so the
-- index never goes stale.
CREATE VIRTUAL TABLE order_customers USING fts5(customer, order_id UNINDEXED, tokenize = 'trigram');
CREATE TRIGGER orders_customer_indexed AFTER INSERT ON orders WHEN NEW.customer IS NOT NULL
BEGIN
    INSERT INTO order_customers (customer, order_id) VALUES (NEW.customer, NEW.id);
END;
CREATE TRIGGER orders_customer_fixed BEFORE UPDATE OF customer ON orders
    WHEN NEW.customer IS NOT OLD.customer
BEGIN
    SELECT RAISE(ABORT, 'an order''s customer does not change');
END;

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    kind         TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    method       TEXT NOT NULL CHECK (method IN ('cash', 'card', 'other')),
    -- Positive for a payment, negative for a refund.
    amount_minor INTEGER NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX payments_by_order ON payments (order_id);
CREATE INDEX payments_by_time ON payments (at);

CREATE TABLE order_timeline (
    order_id    TEXT NOT NULL REFERENCES orders (id),
    step        INTEGER NOT NULL,
    from_status TEXT,
    -- NULL for the placement of the order.
    event       TEXT,
    to_status   TEXT NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT,
    PRIMARY KEY (order_id, step)
) WITHOUT ROWID;
-- Cancellations by date, for reports.
CREATE INDEX order_timeline_cancellations ON order_timeline (at) WHERE to_status = 'cancelled';

-- Every change of stock, so that each number can be explained: on_hand and reserved in `stock`
-- equal the sums of this table per SKU.
CREATE TABLE stock_ledger (
    id             INTEGER PRIMARY KEY,
    sku            TEXT NOT NULL REFERENCES products (sku),
    delta_on_hand  INTEGER NOT NULL,
    delta_reserved INTEGER NOT NULL,
    reason         TEXT NOT NULL CHECK (reason IN ('sale', 'reservation', 'release', 'receipt',
                                                   'count', 'damage', 'return', 'sync')),
    order_id       TEXT REFERENCES orders (id),
    note           TEXT,
    at             INTEGER NOT NULL,
    -- Order movements name their order; adjustments and sync carry only their reason.
    CHECK ((reason IN ('sale', 'reservation', 'release', 'return')) = (order_id IS NOT NULL))
);
CREATE INDEX stock_ledger_by_sku ON stock_ledger (sku, id);

-- The transactional outbox: written in the same transaction as the change it announces.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY,
    event_id        TEXT NOT NULL,
    -- 'order:<uuid>' or 'stock:<sku>'; events of one aggregate go to central in aggregate_seq order.
    aggregate       TEXT NOT NULL,
    aggregate_seq   INTEGER NOT NULL CHECK (aggregate_seq >= 1),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    -- discarded: an operator gave up on a dead event (and the events of its aggregate after it);
    -- central never gets them, and the store's stock follows central's.
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead', 'discarded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    result          TEXT,
    -- The first change-feed id whose stock snapshots include this event (from central's answer).
    change_id       INTEGER,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    UNIQUE (aggregate, aggregate_seq)
);
-- Only what the relay and operators look for is indexed, so that appending stays cheap: unsent
-- events in order, and dead events by id (operators retry or discard those).
CREATE INDEX outbox_unsent ON outbox (status, seq) WHERE status <> 'sent';
CREATE INDEX outbox_dead_by_id ON outbox (event_id) WHERE status = 'dead';

-- Things an operator must decide: orders put on hold by central, conflicts, dead events.
CREATE TABLE attention_items (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    order_id    TEXT REFERENCES orders (id),
    message     TEXT NOT NULL,
    detail      TEXT,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX attention_open ON attention_items (created_at) WHERE resolved_at IS NULL;

-- The running count behind human order numbers, per local day (YYYYMMDD).
CREATE TABLE order_number_days (
    day  INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- Sync with central: the stored cursor, central's URL, last success and error (key/value).
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Central's stock for this store as last read from the change feed. The device's `stock` is this
-- snapshot with the device's own unacknowledged changes replayed on top.
CREATE TABLE central_stock (
    sku       TEXT PRIMARY KEY REFERENCES products (sku),
    on_hand   INTEGER NOT NULL,
    reserved  INTEGER NOT NULL,
    change_id INTEGER NOT NULL
) WITHOUT ROWID;

-- Per-minute latency rollups of central calls and local commands, so history survives restarts.
CREATE TABLE latency_rollups (
    minute   INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    count    INTEGER NOT NULL,
    errors   INTEGER NOT NULL,
    p50_us   INTEGER NOT NULL,
    p95_us   INTEGER NOT NULL,
    p99_us   INTEGER NOT NULL,
    max_us   INTEGER NOT NULL,
    PRIMARY KEY (minute, endpoint)
) WITHOUT ROWID;
