-- Migration: restrict order status values
-- NOT VALID skips the full-table scan under lock; VALIDATE then checks existing rows
-- with a SHARE UPDATE EXCLUSIVE lock that lets reads and writes continue.
ALTER TABLE orders
  ADD CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT orders_status_check;
