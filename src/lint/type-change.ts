/**
 * Whether `ALTER COLUMN … TYPE` rewrites the table, following PostgreSQL's own rules
 * (ATColumnChangeRequiresRewrite): a binary-coercible cast (varchar → text, cidr → inet, text → citext)
 * or a typmod change that the type's support function declares safe (varchar(n) → varchar(m ≥ n),
 * numeric(p,s) → numeric(p2 ≥ p, s), timestamp/time/interval precision increases, any of them → unbounded)
 * keeps the data file; timestamp ↔ timestamptz keeps it from PostgreSQL 12 when the session TimeZone is UTC.
 * Everything else rewrites the table and every index on it.
 */
import { typeText, type ColumnType } from './schema.js';

export interface TypeChangeVerdict {
  rewrite: boolean;
  /** Why, in a few words, for the message. */
  reason: string;
}

/** Casts PostgreSQL registers as binary-coercible (castmethod 'b'), source → targets. */
const BINARY_COERCIBLE: Record<string, string[]> = {
  varchar: ['text', 'citext'],
  text: ['varchar', 'citext'],
  citext: ['text', 'varchar'],
  cidr: ['inet'],
  bpchar: [],
  int4: ['oid', 'regclass', 'regproc', 'regtype'],
  oid: ['int4'],
  xml: ['text', 'varchar'],
};

/** Types whose typmod is a length or precision that may grow without a rewrite. */
const GROWABLE = new Set(['varchar', 'varbit', 'timestamp', 'timestamptz', 'time', 'timetz', 'interval']);
const PRECISION_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz', 'interval']);

export function typeChangeVerdict(from: ColumnType, to: ColumnType, options: { pgVersion: number; timezone?: string | undefined }): TypeChangeVerdict {
  const change = `${typeText(from)} → ${typeText(to)}`;
  if (from.array !== to.array) return { rewrite: true, reason: `${change} converts every value` };
  if (from.name === to.name) {
    if (sameMods(from, to)) return { rewrite: false, reason: `the column already is ${typeText(to)}` };
    if (from.name === 'numeric') {
      if (to.typmods.length === 0) return { rewrite: false, reason: `${change} drops the precision limit (no rewrite)` };
      if (from.typmods.length === 0) return { rewrite: true, reason: `${change} adds a precision limit` };
      const [p1, s1 = 0] = from.typmods;
      const [p2, s2 = 0] = to.typmods;
      if (s1 === s2 && p2! >= p1!) return { rewrite: false, reason: `${change} only raises the precision (no rewrite)` };
      return { rewrite: true, reason: s1 !== s2 ? `${change} changes the scale` : `${change} lowers the precision` };
    }
    if (GROWABLE.has(from.name)) {
      const max = PRECISION_TYPES.has(from.name) ? 6 : Infinity;
      const old = from.typmods[0] ?? max;
      const next = to.typmods[0] ?? max;
      if (to.typmods.length === 0 || next >= old) return { rewrite: false, reason: `${change} only raises the ${PRECISION_TYPES.has(from.name) ? 'precision' : 'length limit'} (no rewrite)` };
      return { rewrite: true, reason: `${change} lowers the ${PRECISION_TYPES.has(from.name) ? 'precision' : 'length limit'}` };
    }
    return { rewrite: true, reason: `${change} changes the type modifier` };
  }
  if ((from.name === 'timestamp' && to.name === 'timestamptz') || (from.name === 'timestamptz' && to.name === 'timestamp')) {
    const utc = options.timezone !== undefined && /^(utc|etc\/utc|gmt|etc\/gmt|z|zulu|universal|etc\/universal|\+?0+(:00)?)$/i.test(options.timezone.trim());
    const precisionOk = (to.typmods[0] ?? 6) >= (from.typmods[0] ?? 6);
    if (utc && options.pgVersion >= 12 && precisionOk) return { rewrite: false, reason: `${change} under TimeZone UTC keeps the stored values (PostgreSQL 12+, no rewrite)` };
    return {
      rewrite: true,
      reason: utc ? `${change} rewrites before PostgreSQL 12` : `${change} rewrites unless the session TimeZone is UTC (set it with SET LOCAL timezone = 'UTC' in the migration, PostgreSQL 12+)`,
    };
  }
  if (BINARY_COERCIBLE[from.name]?.includes(to.name)) {
    if (to.name === 'varchar' && to.typmods.length > 0 && from.name !== 'varchar') return { rewrite: true, reason: `${change} checks and truncates every value` };
    if (to.name === 'varchar' && to.typmods.length > 0 && from.name === 'varchar' && (from.typmods[0] ?? Infinity) > to.typmods[0]!) return { rewrite: true, reason: `${change} lowers the length limit` };
    return { rewrite: false, reason: `${change} is binary-coercible (no rewrite)` };
  }
  return { rewrite: true, reason: `${change} converts every value` };
}

function sameMods(a: ColumnType, b: ColumnType): boolean {
  if (PRECISION_TYPES.has(a.name)) return (a.typmods[0] ?? 6) === (b.typmods[0] ?? 6);
  return a.typmods.length === b.typmods.length && a.typmods.every((mod, i) => mod === b.typmods[i]);
}

/** Targets to which a change is often free: with an unknown current type, a warning rather than a block. */
export function oftenFreeTarget(to: ColumnType): boolean {
  return !to.array && (to.name === 'text' || to.name === 'citext' || (to.name === 'varchar' && to.typmods.length === 0));
}
