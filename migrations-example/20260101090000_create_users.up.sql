-- Migration: create the users table
-- Purpose: accounts for sign-in; email is unique case-insensitively.
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- An index on a table created in this same migration locks no live data.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
