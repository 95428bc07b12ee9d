import { markedLayout, type Markers } from './marked.js';

/**
 * dbmate: `db/migrations/20151129054053_create_users.sql` holding `-- migrate:up` and `-- migrate:down`
 * sections; `-- migrate:up transaction:false` runs that section outside a transaction.
 */
export const DBMATE_MARKERS: Markers = {
  up: /^--\s*migrate:up\b/,
  down: /^--\s*migrate:down\b/,
  upLabel: '-- migrate:up',
  downLabel: '-- migrate:down',
  noTransaction: /\btransaction:false\b/,
};

export const dbmate = markedLayout('dbmate', '<version>_<name>.sql with "-- migrate:up" and "-- migrate:down" sections (e.g. 20151129054053_create_users.sql)', DBMATE_MARKERS);
