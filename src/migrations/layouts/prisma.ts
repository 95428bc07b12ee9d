import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import type { Layout } from './common.js';
import { displayPath, fileExists } from './files.js';
import { PRISMA_RULES, readFolders } from './folders.js';

export const PRISMA_LOCK = 'migration_lock.toml';

/**
 * prisma migrate: `<timestamp>_<name>/migration.sql` beside `migration_lock.toml`. The lock file names the
 * provider the migrations were written for; one for another database is refused.
 */
export const prisma: Layout = {
  name: 'prisma',
  expected: '<timestamp>_<name>/migration.sql (e.g. 20230404095503_init/migration.sql)',
  discover(dir, _files, context) {
    const lock = path.join(dir, PRISMA_LOCK);
    if (fileExists(lock)) {
      const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(readFileSync(lock, 'utf8'))?.[1];
      if (provider && provider !== 'postgresql' && provider !== 'postgres') {
        throw new InputError(`${displayPath(lock)}: provider "${provider}"; these migrations are for another database, not PostgreSQL`);
      }
    }
    return readFolders(dir, PRISMA_RULES, context);
  },
};
