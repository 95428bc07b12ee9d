-- Our own fixture: the table the strong_migrations change-column cases alter, as we assume it exists in
-- production before the case runs (written by us from the cases' column names; not copied from anywhere).
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  name varchar,
  city varchar,
  country varchar(20),
  description text,
  code citext,
  credit_score numeric(10,5),
  deleted_at timestamp,
  some_column varchar,
  order_id bigint
);
