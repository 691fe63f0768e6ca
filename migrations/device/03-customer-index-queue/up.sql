-- Customers reach the trigram index in batches. FTS5 writes a new index segment for every
-- transaction that touches it: indexing each order's customer as the order was placed added about
-- six pages to every placement's WAL write (a quarter of the saga's cost under synchronous=FULL).
-- Placements now queue the customer here, and the 64th queued order moves the whole queue into the
-- index as one segment. The orders list's search looks in both.
CREATE TABLE order_customers_queue (
    order_id TEXT PRIMARY KEY,
    customer TEXT NOT NULL
) WITHOUT ROWID;

DROP TRIGGER orders_customer_indexed;

CREATE TRIGGER orders_customer_queued AFTER INSERT ON orders WHEN NEW.customer IS NOT NULL
BEGIN
    INSERT INTO order_customers_queue (order_id, customer) VALUES (NEW.id, NEW.customer);
END;

CREATE TRIGGER order_customers_queue_flushed AFTER INSERT ON order_customers_queue
    WHEN (SELECT COUNT(*) FROM order_customers_queue) >= 64
BEGIN
    INSERT INTO order_customers (customer, order_id)
        SELECT customer, order_id FROM order_customers_queue;
    DELETE FROM order_customers_queue;
END;
