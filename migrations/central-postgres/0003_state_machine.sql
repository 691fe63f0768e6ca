-- Central applies a store's events through the domain's state machine (storedesk_domain::order), so
-- its copy of each order follows the same statuses as the device's, and it keeps its answer to a
-- fulfilment order's reservation (`accepted`, `rejected`, `released`; NULL for counter orders),
-- which decides what follows a payment (ready to ship, or on hold).
-- Keep in step with central-sqlite/0003_state_machine.sql.
ALTER TABLE orders ADD COLUMN reservation TEXT;

UPDATE orders SET reservation = CASE
    WHEN holds_reservation = 1 THEN 'accepted'
    WHEN id IN (SELECT order_id FROM conflicts) THEN 'released'
    WHEN status = 'on_hold' THEN 'rejected'
    ELSE 'accepted'
END
WHERE channel = 'fulfilment';

-- Refused at placement and not paid yet: created, as on the device (it goes on hold when paid).
UPDATE orders SET status = 'created'
WHERE status = 'on_hold' AND channel = 'fulfilment'
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id);
-- Paid: ready to ship while central holds the reservation, on hold when it does not.
UPDATE orders SET status = CASE WHEN holds_reservation = 1 THEN 'ready_to_ship' ELSE 'on_hold' END
WHERE status = 'paid' AND channel = 'fulfilment';
