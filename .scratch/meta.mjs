import { loadParser } from '/work/wt/faults/lib/sql/parser.js';
import { parseSqlStatements } from '/work/wt/faults/lib/sql/statements.js';
await loadParser();
for (const sql of ["INSERT INTO t VALUES ('a\n\\not a command\nb');\nSELEC 1;", "\\i other.sql\nSELECT 1;", "SELECT 1;\n  \\set x 1\n", "SELECT $$\n\\x\n$$;\nSELEC 2;", "SELECT E'it\\'s\n\\q';\nSELEC 3;"]) {
  try { parseSqlStatements(sql); console.log('ok'); } catch (e) { console.log(e.message); }
}
