import { markedLayout, type Markers } from './marked.js';

/**
 * node-pg-migrate SQL migrations: `migrations/1700000000000_create-users.sql` with `-- Up Migration` and
 * `-- Down Migration` sections (the markers are matched as node-pg-migrate itself does: case-insensitive,
 * any dashes or spaces after `--`).
 */
export const NODE_PG_MIGRATE_MARKERS: Markers = {
  up: /^\s*--[\s-]*up\s+migration/i,
  down: /^\s*--[\s-]*down\s+migration/i,
  upLabel: '-- Up Migration',
  downLabel: '-- Down Migration',
};

export const nodePgMigrate = markedLayout('node-pg-migrate', '<timestamp>_<name>.sql with "-- Up Migration" and "-- Down Migration" sections (e.g. 1700000000000_create-users.sql)', NODE_PG_MIGRATE_MARKERS);
