-- Migration: validate the order status check (step 2 of 2)
-- VALIDATE scans existing rows under SHARE UPDATE EXCLUSIVE: reads and writes continue meanwhile.
ALTER TABLE orders VALIDATE CONSTRAINT orders_status_check;
