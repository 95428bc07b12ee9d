import { funcBaseName, functionCallsIn } from '../ast.js';
import type { Rule, RuleHit } from '../types.js';

/** Functions whose effect is outside the transaction: a rolled-back dry-run cannot undo it. */
const IRREVERSIBLE: Record<string, string> = {
  dblink_exec: 'runs SQL in another session that commits on its own',
  dblink: 'runs SQL in another session that commits on its own',
  pg_terminate_backend: 'terminates other sessions',
  pg_cancel_backend: 'cancels other sessions\' queries',
  setval: 'moves a sequence (sequences are never rolled back)',
  lo_export: 'writes a file on the database server',
  pg_file_write: 'writes a file on the database server',
  pg_reload_conf: 'reloads the server configuration',
  pg_switch_wal: 'switches the WAL file',
  pg_create_logical_replication_slot: 'creates a replication slot',
  pg_create_physical_replication_slot: 'creates a replication slot',
  pg_drop_replication_slot: 'drops a replication slot',
};

/** Statement kinds that run COPY or call functions at migration time (DDL defaults are checked by other rules). */
const CAN_CALL = new Set(['SelectStmt', 'CallStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'CopyStmt', 'CreateTableAsStmt', 'ExecuteStmt']);

export const rule: Rule = {
  id: 'dry-run-irreversible',
  severity: 'error',
  category: 'transaction',
  summary: 'Statements whose effect a rolled-back dry-run cannot undo (`COPY … PROGRAM`, `COPY … TO` a file, `dblink_exec`, `pg_terminate_backend`, `setval`, `lo_export`, …).',
  why: 'ddlgate dry-runs every migration in a transaction that is rolled back, often against production. These statements act outside the transaction (another session, the server\'s file system, a sequence, other connections), so the "dry" run has real, permanent effects; the real run then does it a second time. pg_notify is fine: notifications are sent only on commit.',
  safe: 'Keep such operations out of migrations (run them by hand or from a job), or make them idempotent and mark the migration so its effect is expected twice; use nextval/setval only on sequences the migration creates.',
  bad: "COPY users TO PROGRAM 'gzip > /tmp/users.gz';",
  good: '-- export data with a job outside the migrations',
  kinds: [...CAN_CALL],
  check(statement) {
    const node = statement.node;
    if (!CAN_CALL.has(statement.kind)) return [];
    const hits: RuleHit[] = [];
    if (node.CopyStmt && (node.CopyStmt.is_program || (!node.CopyStmt.is_from && node.CopyStmt.filename))) {
      hits.push({ message: `COPY ${node.CopyStmt.is_program ? '… PROGRAM runs a shell command on the database server' : '… TO a file writes on the database server'}: the dry-run's rollback cannot undo it` });
    }
    for (const call of functionCallsIn(node)) {
      const name = funcBaseName(call);
      const effect = IRREVERSIBLE[name];
      if (effect) hits.push({ message: `${name}() ${effect}: the dry-run's rollback cannot undo it`, ...(name === 'setval' ? { severity: 'warning' as const } : {}) });
    }
    return hits;
  },
};
