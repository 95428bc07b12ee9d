-- Migration: restrict order status values (step 1 of 2)
-- NOT VALID skips the full-table scan under the ACCESS EXCLUSIVE lock: only new rows are checked.
-- The next migration validates existing rows in its own transaction.
ALTER TABLE orders
  ADD CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')) NOT VALID;
