// The schema a peers case is deployed onto, for the dry-run mode of bench/peers.mjs.
//
// A peers case is one migration against tables it never shows ("ALTER TABLE prices ALTER price TYPE
// bigint"). To dry-run it, the throwaway database must first hold those objects. We grow that schema
// from PostgreSQL's own answers: dry-run the case, and when it fails because an object is missing
// ("relation "prices" does not exist", "column "price" of relation "prices" does not exist", an enum
// label, a constraint, a unique key a foreign key needs …), add the object and try again. Objects are
// empty (no rows): the dry-run observes locks and relfilenode changes, which do not depend on rows, and
// empty tables cannot make a case fail on data it never saw.
//
// The kind of a missing relation comes from the statement that failed (REFRESH MATERIALIZED VIEW → a
// materialized view, DROP INDEX → an index …). A column's type is `text` unless the case changes its type:
// then a plausible older type for the target (bigint ← integer, varchar(20) ← text, timestamptz ←
// timestamp). The judgement may give a case an explicit preamble of our own instead.

/** SQL identifier, quoted only when needed. */
function ident(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

function qualified(name) {
  const dot = name.indexOf('.');
  return dot > 0 ? `${ident(name.slice(0, dot))}.${ident(name.slice(dot + 1))}` : ident(name);
}

function strings(list) {
  return (list ?? []).map((node) => node.String?.sval).filter(Boolean);
}

/** Every node of a parse tree, depth first. */
function* walk(node) {
  if (Array.isArray(node)) for (const item of node) yield* walk(item);
  else if (node && typeof node === 'object') {
    yield node;
    for (const value of Object.values(node)) yield* walk(value);
  }
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'smallint', 'integer', 'bigint']);
const TEXTUAL = new Set(['text', 'varchar', 'bpchar', 'citext', 'char']);

/** A plausible type the column had before the case changes it to `target` (typeName node). */
function olderTypeFor(typeName) {
  const name = strings(typeName.names).at(-1);
  const typmod = (typeName.typmods ?? []).length > 0;
  if (NUMERIC.has(name)) return 'integer';
  if (TEXTUAL.has(name)) return typmod ? 'text' : 'varchar(255)';
  if (name === 'timestamptz') return 'timestamp';
  if (name === 'timestamp') return 'timestamptz';
  if (name === 'jsonb') return 'json';
  if (name === 'inet') return 'cidr';
  return 'text';
}

/** Column types the case implies: columns whose type it changes get an older type for the new one. */
function impliedTypes(stmts) {
  const types = new Map();
  for (const node of walk(stmts)) {
    const cmd = node.AlterTableCmd;
    // The first change tells the type before the case (a later one changes the case's own result).
    if (cmd?.subtype === 'AT_AlterColumnType' && cmd.name && cmd.def?.ColumnDef?.typeName && !types.has(cmd.name)) types.set(cmd.name, olderTypeFor(cmd.def.ColumnDef.typeName));
    // Columns in arithmetic, or compared with a number (CHECK (price > 0), price + tax): numbers.
    const expr = node.A_Expr;
    if (expr?.kind === 'AEXPR_OP') {
      const op = strings(expr.name).at(-1);
      const operands = [expr.lexpr, expr.rexpr];
      const numeric = (n) => n?.A_Const && ('ival' in n.A_Const || 'fval' in n.A_Const);
      const arithmetic = ['+', '-', '*', '/', '%'].includes(op);
      if (arithmetic || operands.some(numeric)) {
        for (const operand of operands) {
          const name = strings(operand?.ColumnRef?.fields).at(-1);
          if (name && !types.has(name)) types.set(name, 'integer');
        }
      }
    }
  }
  return types;
}

function relName(rangeVar) {
  return rangeVar.schemaname ? `${rangeVar.schemaname}.${rangeVar.relname}` : rangeVar.relname;
}

/** The relation a statement is about, and what kind of object it needs to be. */
function targetOf(stmt) {
  const [type, body] = Object.entries(stmt)[0] ?? [];
  if (!body) return undefined;
  if (type === 'RefreshMatViewStmt') return { name: relName(body.relation), kind: 'matview' };
  if (type === 'AlterTableStmt') {
    const kind = { OBJECT_MATVIEW: 'matview', OBJECT_VIEW: 'view', OBJECT_INDEX: 'index', OBJECT_SEQUENCE: 'sequence' }[body.objtype] ?? 'table';
    return { name: relName(body.relation), kind };
  }
  if (body.relation?.relname) return { name: relName(body.relation), kind: 'table' };
  return undefined;
}

/** What kind a relation named in a failing statement must be (DROP INDEX x → index …). */
function kindOf(stmt, name) {
  const [type, body] = Object.entries(stmt)[0] ?? [];
  const target = targetOf(stmt);
  if (target && target.name === name) return target.kind;
  if (type === 'DropStmt' || type === 'RenameStmt' || type === 'ReindexStmt' || type === 'ClusterStmt') {
    const objtype = body.removeType ?? body.renameType ?? body.kind ?? '';
    if (/MATVIEW/.test(objtype)) return 'matview';
    if (/VIEW/.test(objtype)) return 'view';
    if (/INDEX/.test(objtype)) return 'index';
    if (/SEQUENCE/.test(objtype)) return 'sequence';
  }
  return 'table';
}

/** Names of the relations a node creates. */
function createdBy(node) {
  return [node.CreateStmt?.relation?.relname, node.IndexStmt?.idxname, node.ViewStmt?.view?.relname, node.CreateTableAsStmt?.into?.rel?.relname, node.CreateSeqStmt?.sequence?.relname].filter(Boolean);
}

export class Preamble {
  constructor(stmts) {
    this.stmts = stmts;
    this.types = impliedTypes(stmts);
    this.schemas = new Set();
    /** name → { kind, columns: Map(name → type), constraints: Set, uniques: [[cols]] } */
    this.relations = new Map();
    this.enums = new Map();
    this.domains = new Set();
    this.domainConstraints = new Map();
    /** table → columns the case sets NOT NULL: a constraint it validates first is their CHECK (col IS NOT NULL). */
    this.setNotNull = new Map();
    const created = new Set();
    for (const { stmt } of stmts) {
      for (const node of walk(stmt)) {
        const alter = node.AlterTableStmt;
        for (const cmd of alter?.relation ? (alter.cmds ?? []) : []) {
          if (cmd.AlterTableCmd?.subtype === 'AT_SetNotNull') {
            const table = relName(alter.relation);
            this.setNotNull.set(table, [...(this.setNotNull.get(table) ?? []), cmd.AlterTableCmd.name]);
          }
        }
        for (const name of createdBy(node)) created.add(name);
        // DROP … IF EXISTS of something the case has not created yet is judged as if production has it:
        // our schema does.
        const drop = node.DropStmt;
        const kind = { OBJECT_TABLE: 'table', OBJECT_INDEX: 'index', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'matview', OBJECT_SEQUENCE: 'sequence' }[drop?.removeType];
        if (drop?.missing_ok && kind) {
          for (const object of drop.objects ?? []) {
            const name = strings(object.List?.items).join('.');
            if (name && !created.has(name.split('.').at(-1))) this.relation(name, kind);
          }
        }
      }
    }
  }

  relation(name, kind = 'table') {
    let rel = this.relations.get(name);
    if (!rel) {
      rel = { kind, columns: new Map(), constraints: new Set(), uniques: [] };
      this.relations.set(name, rel);
      if (name.includes('.')) this.schemas.add(name.slice(0, name.indexOf('.')));
    }
    return rel;
  }

  column(table, column, type) {
    const rel = this.relation(table);
    if (!rel.columns.has(column)) rel.columns.set(column, type ?? this.types.get(column) ?? 'text');
    return rel;
  }

  /**
   * Adds what a failed statement says is missing. Returns a short description of the repair, or undefined
   * when the error is not about a missing object (a genuine failure of the case, or one we cannot repair).
   */
  repair(error, failedSql, parse) {
    let stmt;
    try {
      stmt = parse(failedSql).stmts[0]?.stmt ?? {};
    } catch {
      stmt = {};
    }
    const target = targetOf(stmt);
    let m;
    if ((m = /column "([^"]+)" referenced in foreign key constraint does not exist/.exec(error)) && target) {
      // The referenced side when the column is one of the key's referenced columns, else the table altered.
      const fk = [...walk(stmt)].map((n) => n.Constraint).find((c) => c?.contype === 'CONSTR_FOREIGN' && strings(c.pk_attrs).includes(m[1]) && !strings(c.fk_attrs).includes(m[1]));
      const table = fk ? relName(fk.pktable) : target.name;
      if (this.relations.get(table)?.columns.has(m[1])) return undefined;
      this.column(table, m[1], 'integer');
      return `column ${table}.${m[1]}`;
    }
    if ((m = /column ([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*) does not exist/.exec(error)) && this.relations.has(m[1])) {
      if (this.relations.get(m[1]).columns.has(m[2])) return undefined;
      this.column(m[1], m[2]);
      return `column ${m[1]}.${m[2]}`;
    }
    if ((m = /index "([^"]+)" (?:for table "([^"]+)" does not exist|does not belong to table "([^"]+)")/.exec(error))) {
      const table = m[2] ?? m[3];
      const index = this.relations.get(m[1]);
      if (index?.table === table) return undefined;
      this.relation(table);
      this.relations.set(m[1], { kind: 'index', table, columns: new Map(), constraints: new Set(), uniques: [] });
      return `index ${m[1]} on ${table}`;
    }
    if ((m = /invalid input value for enum ([^:]+): "([^"]+)"/.exec(error)) && this.enums.has(m[1])) {
      if (this.enums.get(m[1]).has(m[2])) return undefined;
      this.enums.get(m[1]).add(m[2]);
      return `enum label ${m[1]}.${m[2]}`;
    }
    if ((m = /constraint "([^"]+)" of domain "([^"]+)" does not exist/.exec(error))) {
      const constraints = this.domainConstraints.get(m[2]) ?? new Set();
      if (constraints.has(m[1])) return undefined;
      constraints.add(m[1]);
      this.domainConstraints.set(m[2], constraints);
      this.domains.add(m[2]);
      return `constraint ${m[1]} on domain ${m[2]}`;
    }
    if ((m = /operator does not exist: (\S+) \S+ integer/.exec(error)) && /Domain/.test(Object.keys(stmt)[0] ?? '')) {
      // A domain compared with numbers (CHECK (VALUE > 0)) is a number.
      const numeric = this.numericDomains ?? (this.numericDomains = new Set());
      const name = m[1] === 'text' ? strings(stmt.AlterDomainStmt?.typeName).join('.') : m[1];
      if (!name || numeric.has(name)) return undefined;
      numeric.add(name);
      this.enums.delete(name);
      this.domains.add(name);
      return `domain ${name} over integer`;
    }
    if ((m = /ALTER action DETACH PARTITION.* cannot be performed on relation "([^"]+)"/.exec(error))) {
      const partition = [...walk(stmt)].map((n) => n.PartitionCmd).find(Boolean)?.name;
      const rel = this.relations.get(m[1]);
      if (!rel || rel.kind === 'partitioned' || !partition) return undefined;
      rel.kind = 'partitioned';
      rel.partition = relName(partition);
      return `${m[1]} partitioned, with partition ${rel.partition}`;
    }
    if ((m = /constraint "([^"]+)" of relation "([^"]+)" does not exist/.exec(error))) {
      const rel = this.relation(m[2]);
      if (rel.constraints.has(m[1])) return undefined;
      rel.constraints.add(m[1]);
      return `constraint ${m[1]} on ${m[2]}`;
    }
    if ((m = /column "([^"]+)" of relation "([^"]+)" does not exist/.exec(error))) {
      if (this.relations.get(m[2])?.columns.has(m[1])) return undefined;
      this.column(m[2], m[1]);
      return `column ${m[2]}.${m[1]}`;
    }
    if ((m = /column "([^"]+)" (?:named in key )?does not exist/.exec(error)) && target) {
      const name = m[1].includes('.') ? m[1].slice(m[1].lastIndexOf('.') + 1) : m[1];
      const table = m[1].includes('.') ? m[1].slice(0, m[1].lastIndexOf('.')) : target.name;
      if (this.relations.get(table)?.columns.has(name)) return undefined;
      this.relation(table, target.kind === 'index' ? 'table' : target.kind).columns.set(name, this.types.get(name) ?? 'text');
      return `column ${table}.${name}`;
    }
    if ((m = /(?:relation|table|index|sequence|view|materialized view) "([^"]+)" does not exist/.exec(error))) {
      if (this.relations.has(m[1])) return undefined;
      this.relation(m[1], kindOf(stmt, m[1]));
      return `${this.relations.get(m[1]).kind} ${m[1]}`;
    }
    if ((m = /"([^"]+)" is not an? (table|view|materialized view|index|sequence)/.exec(error)) && this.relations.has(m[1])) {
      const kind = { table: 'table', view: 'view', 'materialized view': 'matview', index: 'index', sequence: 'sequence' }[m[2]];
      if (this.relations.get(m[1]).kind === kind) return undefined;
      this.relations.get(m[1]).kind = kind;
      return `${m[1]} as a ${m[2]}`;
    }
    if ((m = /there is no unique constraint matching given keys for referenced table "([^"]+)"/.exec(error))) {
      const fk = [...walk(stmt)].map((n) => n.Constraint).find((c) => c?.contype === 'CONSTR_FOREIGN' && c.pktable?.relname === m[1].split('.').at(-1));
      const cols = strings(fk?.pk_attrs);
      const rel = this.relation(m[1]);
      const key = cols.length ? cols : ['id'];
      if (rel.uniques.some((u) => u.join() === key.join())) return undefined;
      for (const col of key) if (!rel.columns.has(col)) rel.columns.set(col, 'integer');
      rel.uniques.push(key);
      return `unique key ${m[1]}(${key.join(', ')})`;
    }
    if ((m = /Key columns "([^"]+)" (?:of the referencing table )?and "([^"]+)" (?:of the referenced table )?are of incompatible types: ([^.]+?) and ([^.]+?)\./.exec(error))) {
      // The referenced column is ours: give it the referencing column's type.
      for (const rel of this.relations.values()) if (rel.columns.has(m[2])) rel.columns.set(m[2], m[3]);
      for (const rel of this.relations.values()) if (rel.columns.has(m[1]) && rel.columns.get(m[1]) === m[4]) rel.columns.set(m[1], m[4]);
      return `${m[2]} as ${m[3]}`;
    }
    if ((m = /"([^"]+)" is not an existing enum label/.exec(error))) {
      const type = [...walk(stmt)].map((n) => n.AlterEnumStmt).find(Boolean);
      const name = strings(type?.typeName).join('.');
      if (!name) return undefined;
      const labels = this.enums.get(name) ?? new Set();
      if (labels.has(m[1])) return undefined;
      labels.add(m[1]);
      this.enums.set(name, labels);
      return `enum label ${name}.${m[1]}`;
    }
    if ((m = /type "([^"]+)" does not exist/.exec(error))) {
      if (this.enums.has(m[1]) || this.domains.has(m[1])) return undefined;
      if (Object.keys(stmt)[0] === 'AlterDomainStmt') this.domains.add(m[1]);
      else this.enums.set(m[1], new Set(['a']));
      return `type ${m[1]}`;
    }
    if ((m = /(?:type "([^"]+)"|(\S+)) is not a domain/.exec(error)) && this.enums.has((m[1] ??= m[2]))) {
      this.enums.delete(m[1]);
      this.domains.add(m[1]);
      return `domain ${m[1]}`;
    }
    if ((m = /schema "([^"]+)" does not exist/.exec(error))) {
      if (this.schemas.has(m[1])) return undefined;
      this.schemas.add(m[1]);
      return `schema ${m[1]}`;
    }
    return undefined;
  }

  /** A constraint the case validates before SET NOT NULL is that column's NOT NULL check (its name usually says so). */
  checkFor(table, constraint) {
    const columns = this.setNotNull.get(table) ?? [];
    const column = columns.find((c) => constraint.includes(c)) ?? columns[0];
    if (!column) return 'true';
    if (!this.relations.get(table).columns.has(column)) this.relations.get(table).columns.set(column, this.types.get(column) ?? 'text');
    return `${ident(column)} IS NOT NULL`;
  }

  sql() {
    const out = [];
    for (const schema of this.schemas) if (schema !== 'public') out.push(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)};`);
    for (const [name, labels] of this.enums) out.push(`CREATE TYPE ${qualified(name)} AS ENUM (${[...labels].map((l) => `'${l.replaceAll("'", "''")}'`).join(', ')});`);
    for (const name of this.domains) {
      out.push(`CREATE DOMAIN ${qualified(name)} AS ${this.numericDomains?.has(name) ? 'integer' : 'text'};`);
      for (const constraint of this.domainConstraints.get(name) ?? []) out.push(`ALTER DOMAIN ${qualified(name)} ADD CONSTRAINT ${ident(constraint)} CHECK (VALUE IS NOT NULL) NOT VALID;`);
      // A domain the case alters is judged as used by a table (ALTER DOMAIN then checks that table).
      out.push(`CREATE TABLE ${ident(`preamble_uses_${name.split('.').at(-1)}`)} (c ${qualified(name)});`);
    }
    const indexes = [];
    const tableIndexes = [];
    const checks = new Map([...this.relations].map(([name, rel]) => [name, [...rel.constraints].map((c) => [c, this.checkFor(name, c)])]));
    for (const [name, rel] of this.relations) {
      const cols = [...rel.columns].map(([col, type]) => `${ident(col)} ${type}`);
      if (rel.kind === 'partitioned') {
        out.push(`CREATE TABLE ${qualified(name)} (preamble_key integer${cols.length ? `, ${cols.join(', ')}` : ''}) PARTITION BY LIST (preamble_key);`);
        out.push(`CREATE TABLE ${qualified(rel.partition)} PARTITION OF ${qualified(name)} FOR VALUES IN (1);`);
      } else if (rel.kind === 'table') {
        out.push(`CREATE TABLE ${qualified(name)} (${cols.join(', ')});`);
        for (const key of rel.uniques) out.push(`ALTER TABLE ${qualified(name)} ADD UNIQUE (${key.map(ident).join(', ')});`);
        for (const [constraint, check] of checks.get(name)) {
          // A *_pkey the case drops or swaps was the table's primary key (its column NOT NULL).
          const first = [...rel.columns.keys()][0];
          if (/_pkey$/.test(constraint) && first) out.push(`ALTER TABLE ${qualified(name)} ADD CONSTRAINT ${ident(constraint)} PRIMARY KEY (${ident(first)});`);
          else out.push(`ALTER TABLE ${qualified(name)} ADD CONSTRAINT ${ident(constraint)} CHECK (${check}) NOT VALID;`);
        }
      } else if (rel.kind === 'matview' || rel.kind === 'view') {
        const select = ['1 AS preamble_id', ...[...rel.columns].map(([col, type]) => `NULL::${type} AS ${ident(col)}`)].join(', ');
        out.push(`CREATE ${rel.kind === 'matview' ? 'MATERIALIZED VIEW' : 'VIEW'} ${qualified(name)} AS SELECT ${select};`);
        // REFRESH … CONCURRENTLY needs a unique index on the materialized view.
        if (rel.kind === 'matview') out.push(`CREATE UNIQUE INDEX ON ${qualified(name)} (preamble_id);`);
      } else if (rel.kind === 'sequence') out.push(`CREATE SEQUENCE ${qualified(name)};`);
      else if (rel.kind === 'index' && rel.table) tableIndexes.push([name, rel.table]);
      else if (rel.kind === 'index') indexes.push(name);
    }
    // An index the case names with its table (CLUSTER ON, ADD … USING INDEX): unique, on a NOT NULL key.
    for (const [name, table] of tableIndexes) {
      out.push(`ALTER TABLE ${qualified(table)} ADD COLUMN IF NOT EXISTS preamble_key integer NOT NULL;`);
      out.push(`CREATE UNIQUE INDEX ${ident(name.split('.').at(-1))} ON ${qualified(table)} (preamble_key);`);
    }
    // Indexes live on a helper table of their own schema.
    const schemaOf = (name) => (name.includes('.') ? name.slice(0, name.indexOf('.')) : undefined);
    for (const schema of new Set(indexes.map(schemaOf))) out.push(`CREATE TABLE ${schema ? `${ident(schema)}.` : ''}preamble_indexed (c text);`);
    for (const name of indexes) {
      const schema = schemaOf(name);
      out.push(`CREATE INDEX ${ident(schema ? name.slice(schema.length + 1) : name)} ON ${schema ? `${ident(schema)}.` : ''}preamble_indexed (c);`);
    }
    return out.join('\n');
  }
}
