-- Migration: index orders by creation time for the dashboard
-- CONCURRENTLY builds the index without blocking writes; ddlgate runs this file outside a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);
