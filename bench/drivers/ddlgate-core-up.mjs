// `ddlgate up` minus what the CLI adds around the core (the drift check before applying and the catalog
// fingerprint recorded after every migration): runUp from the compiled core with the CLI's defaults.
// Used only as an informational row, to show what that per-migration fingerprint costs.
// Usage: node ddlgate-core-up.mjs <lib-dir> <database-url> <migrations-dir>
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [libDir, databaseUrl, dir] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(libDir, file)).href);
const { loadParser } = await load('sql/parser.js');
const { runUp } = await load('db/up.js');
await loadParser();
const result = await runUp({
  databaseUrl,
  dir,
  schema: 'ddlgate',
  lockTimeoutMs: 5000,
  statementTimeoutMs: 15 * 60_000,
  lockWaitMs: 60_000,
  lockRetries: 3,
  environment: null,
  log: () => {},
});
process.stdout.write(`applied ${result.applied.length}\n`);
