import type { Layout } from './common.js';
import { HASURA_RULES, readFolders } from './folders.js';

export const hasura: Layout = {
  name: 'hasura',
  expected: '<timestamp>_<name>/up.sql with an optional down.sql (e.g. 1620000000000_create_users/up.sql)',
  discover: (dir, _files, context) => readFolders(dir, HASURA_RULES, context),
};
