-- Migration: optional display name
-- A nullable column without a default is a catalog-only change: no rewrite, a brief lock.
ALTER TABLE users ADD COLUMN display_name text;
