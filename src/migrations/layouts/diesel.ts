import type { Layout } from './common.js';
import { DIESEL_RULES, readFolders } from './folders.js';

export const diesel: Layout = {
  name: 'diesel',
  expected: '<version>_<name>/up.sql with an optional down.sql (e.g. 2019-02-26-002946_create_user/up.sql)',
  discover: (dir, _files, context) => readFolders(dir, DIESEL_RULES, context),
};
