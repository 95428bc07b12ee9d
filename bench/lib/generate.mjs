// Generated workloads: one large migration for lint, many small ones for apply and dry-run, written in each
// tool's own file layout so every tool runs exactly the same SQL.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `n` statements in the shapes real migrations have, cycling through safe and risky forms, so the linters
 * parse varied DDL and both report findings (a file of one repeated statement would flatter caching).
 * Half the statements change tables the file does not create (`orders_N`): ddlgate's schema model judges
 * changes to a table created earlier in the same migration as harmless, so only those draw its findings.
 */
export function largeMigration(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const t = i % 10 < 5 || i % 10 === 8 ? `t${Math.floor(i / 10)}` : `orders_${Math.floor(i / 10)}`;
    switch (i % 10) {
      case 0: lines.push(`CREATE TABLE ${t} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`); break;
      case 1: lines.push(`ALTER TABLE ${t} ADD COLUMN note text;`); break;
      case 2: lines.push(`CREATE INDEX ${t}_created_at_idx ON ${t} (created_at);`); break;
      case 3: lines.push(`ALTER TABLE ${t} ADD CONSTRAINT ${t}_name_check CHECK (length(name) < 200) NOT VALID;`); break;
      case 4: lines.push(`ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_name_check;`); break;
      case 5: lines.push(`ALTER TABLE ${t} ALTER COLUMN note SET NOT NULL;`); break;
      case 6: lines.push(`UPDATE ${t} SET note = 'n/a' WHERE note IS NULL AND id < ${i};`); break;
      case 7: lines.push(`ALTER TABLE ${t} ADD COLUMN score integer DEFAULT 0;`); break;
      case 8: lines.push(`COMMENT ON TABLE ${t} IS 'generated table ${i}';`); break;
      default: lines.push(`ALTER TABLE ${t} ALTER COLUMN name TYPE varchar(${100 + (i % 50)});`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `n` small migrations, each a new table, a column and an index: three statements, the typical size of one
 * change. The index is named m_NNNN_created_at_idx so apply.mjs can count what was applied.
 */
export function smallMigrations(n) {
  const migrations = [];
  for (let seq = 1; seq <= n; seq++) {
    const t = `m_${String(seq).padStart(4, '0')}`;
    migrations.push({
      seq,
      name: `create_${t}`,
      up: [
        `CREATE TABLE ${t} (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());`,
        `ALTER TABLE ${t} ADD COLUMN note text;`,
        `CREATE INDEX ${t}_created_at_idx ON ${t} (created_at);`,
      ].join('\n'),
      down: `DROP TABLE ${t};`,
    });
  }
  return migrations;
}

const pad = (seq) => String(seq).padStart(4, '0');

/** Each tool's file naming; the SQL inside is the same bytes for all. */
const LAYOUTS = {
  // Plain files, applied by psqlScript's BEGIN / \i / COMMIT.
  psql: (m) => [[`${pad(m.seq)}_${m.name}.sql`, `${m.up}\n`]],
  // ddlgate's native layout: NNNN_name.up.sql with its .down.sql.
  ddlgate: (m) => [[`${pad(m.seq)}_${m.name}.up.sql`, `${m.up}\n`], [`${pad(m.seq)}_${m.name}.down.sql`, `${m.down}\n`]],
  // node-pg-migrate's SQL migrations: one file, sections marked by comments.
  'node-pg-migrate': (m) => [[`${pad(m.seq)}_${m.name}.sql`, `-- Up Migration\n${m.up}\n\n-- Down Migration\n${m.down}\n`]],
  // postgrator: <version>.do.<name>.sql and <version>.undo.<name>.sql.
  postgrator: (m) => [[`${pad(m.seq)}.do.${m.name}.sql`, `${m.up}\n`], [`${pad(m.seq)}.undo.${m.name}.sql`, `${m.down}\n`]],
};

/** Writes the migrations in each tool's layout under dir/<tool>/; returns { tool: directory }. */
export function writeLayouts(dir, migrations, tools = Object.keys(LAYOUTS)) {
  const dirs = {};
  for (const tool of tools) {
    if (!LAYOUTS[tool]) throw new Error(`no layout for "${tool}"`);
    const toolDir = path.join(dir, tool);
    mkdirSync(toolDir, { recursive: true });
    for (const m of migrations) for (const [file, text] of LAYOUTS[tool](m)) writeFileSync(path.join(toolDir, file), text);
    dirs[tool] = toolDir;
  }
  return dirs;
}

/** The psql floor: one session, each file in its own transaction (what a careful shell script does). */
export function psqlScript(dir, migrations) {
  return migrations.map((m) => `BEGIN;\n\\i ${path.join(dir, `${pad(m.seq)}_${m.name}.sql`)}\nCOMMIT;\n`).join('');
}
