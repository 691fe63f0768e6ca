-- Orders and the stock ledger filtered by staff (`order list --staff`, the Orders screen's person
-- filter): the orders a person took a step in or approved, without scanning the timeline.
CREATE INDEX order_timeline_by_actor ON order_timeline (actor, order_id);
CREATE INDEX order_timeline_by_approver ON order_timeline (approved_by, order_id) WHERE approved_by IS NOT NULL;
