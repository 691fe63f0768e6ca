-- Tills: each order carries the till of its store that took it (`T1`, `T2`, ...), so every till
-- holds the whole store's orders (those of the other tills arrive by the change feed) and lists and
-- reports can be narrowed to one till. NULL: an order of the central platform. Orders taken here
-- before tills existed were this device's, which was then its store's only till.
ALTER TABLE orders ADD COLUMN till TEXT;
UPDATE orders SET till = COALESCE((SELECT value FROM settings WHERE key = 'till'), 'T1') WHERE origin = 'device';
CREATE INDEX orders_by_till ON orders (till, created_at);
-- The feed id of the newest snapshot of the order this device knows central to hold (from its
-- own applied events' answers, or a snapshot it applied): an older snapshot is ignored.
ALTER TABLE orders ADD COLUMN central_change_id INTEGER;

-- What this till did at the counter that central refused because another till acted on the order
-- first (both refunded it): the money really handed back here, kept for the manager (and the cash
-- count once shifts exist), never counted in the store's figures, which follow central.
CREATE TABLE discrepancies (
    id           INTEGER PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    event_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    method       TEXT,
    amount_minor INTEGER NOT NULL,
    message      TEXT NOT NULL,
    at           INTEGER NOT NULL
);
