-- Years of history. The newest feed entry of each thing (a product's SKU, a store's stock of a SKU,
-- an order, a conflict): a new device reads these instead of the whole log (the bootstrap), and
-- compaction removes the entries they supersede. store_id 0 stands for global (product) entries.
CREATE TABLE feed_latest (
    store_id  INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    change_id INTEGER NOT NULL,
    PRIMARY KEY (store_id, kind, subject)
);
CREATE INDEX feed_latest_by_change ON feed_latest (store_id, change_id);
INSERT INTO feed_latest (store_id, kind, subject, change_id)
SELECT COALESCE(store_id, 0), kind,
       CASE kind WHEN 'product' THEN json_extract(payload, '$.sku')
                 WHEN 'stock' THEN json_extract(payload, '$.sku')
                 WHEN 'conflict' THEN CAST(json_extract(payload, '$.conflict_id') AS TEXT)
                 ELSE json_extract(payload, '$.order_id') END AS subject,
       MAX(id)
FROM changes GROUP BY 1, 2, 3;

-- The highest feed id compaction removed: a device reading from below it is told to bootstrap.
CREATE TABLE feed_floor (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    floor INTEGER NOT NULL
);
INSERT INTO feed_floor (id, floor) VALUES (1, 0);

-- Inbox rows (stored answers) are trimmed after a window; the sequence heads stay forever, and
-- trimmed_seq says up to which event of the aggregate the answers are gone: a replay at or below it
-- was applied long ago and is a duplicate.
ALTER TABLE till_heads ADD COLUMN trimmed_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX inbox_by_received ON inbox (received_at);
