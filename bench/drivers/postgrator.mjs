// postgrator 8 has no CLI of its own (postgrator-cli is a separate package): this is the minimal script
// its README prescribes. Usage: node postgrator.mjs <database-url> <migrations-dir>
import path from 'node:path';
import pg from 'pg';
import Postgrator from 'postgrator';

const [url, dir] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const postgrator = new Postgrator({
    migrationPattern: path.join(path.resolve(dir), '*'),
    driver: 'pg',
    database: new URL(url).pathname.slice(1),
    schemaTable: 'schemaversion',
    execQuery: (query) => client.query(query),
  });
  const applied = await postgrator.migrate();
  process.stdout.write(`postgrator: applied ${applied.length} migrations\n`);
} finally {
  await client.end();
}
