-- This till's last adjustment number of each SKU as central holds it (the snapshot's `heads`): a
-- till set up again on a new machine numbers its next adjustment after it, never reusing one.
ALTER TABLE central_stock ADD COLUMN till_seq INTEGER NOT NULL DEFAULT 0;
