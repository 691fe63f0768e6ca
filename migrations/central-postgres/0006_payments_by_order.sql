-- A push that names an order loads its payments: without this index every such push read the
-- whole payments table, so pushes slowed as the history grew (seen by `storedesk-dev bench storage`:
-- 100,000 orders took 20 s to apply at first and 180 s past 800,000).
CREATE INDEX payments_by_order ON payments (order_id);
