-- Central's order statuses become the domain's (storedesk_domain::OrderStatus): an order placed at a
-- store and reserved here is `created` (it was `placed`), one whose reservation central refused is
-- `on_hold` (it was `rejected`), and an order of the central platform sent to its store is
-- `ready_to_ship` (it was `allocated`).
UPDATE orders SET status = 'created' WHERE status = 'placed';
UPDATE orders SET status = 'on_hold' WHERE status = 'rejected';
UPDATE orders SET status = 'ready_to_ship' WHERE status = 'allocated';
