/**
 * Drift from the snapshot: production's schema fingerprint against the schema the migrations before the
 * pull request produce on the throwaway database. The snapshot keeps one short hash per schema object,
 * so a difference is located (which object, added, missing or changed) without publishing definitions.
 * Pure: takes the throwaway's catalog description as data.
 */
import { createHash } from 'node:crypto';
// fingerprintOf is pure (a hash of the description); db/catalog.ts owns the canonical form `up` records.
import { fingerprintOf } from '../db/catalog.js';
import { objectKey, type Snapshot } from './snapshot.js';

/** object key → attribute → value, as src/db/catalog.ts describes a schema. */
export type CatalogDescription = Record<string, Record<string, string | null>>;

/** One short hash per object of a catalog description (what a snapshot stores in schema.objects). */
export function objectHashes(catalog: CatalogDescription): Record<string, string> {
  const objects: Record<string, string> = {};
  for (const [object, attributes] of Object.entries(catalog)) {
    const canonical = JSON.stringify(Object.keys(attributes).sort().map((a) => [a, attributes[a]]));
    objects[object] = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
  }
  return objects;
}

export interface SnapshotDrift {
  drifted: boolean;
  productionFingerprint: string;
  migrationsFingerprint: string;
  /** Objects that differ; a redacted snapshot's production-only objects are shown by their hash. */
  differences: Array<{ object: string; change: 'changed in production' | 'only in production' | 'missing in production' }>;
  notes: string[];
}

/**
 * Compares the snapshot with the schema the migrations produce (`catalog`, read on the throwaway
 * database after the migrations before the PR). `throwawayMajor` notes a comparison across majors,
 * where pg_get_*def output may differ in form only.
 */
export function compareWithSnapshot(snapshot: Snapshot, catalog: CatalogDescription, throwawayMajor: number, redactKey?: string): SnapshotDrift {
  const migrationsFingerprint = fingerprintOf(catalog);
  const drift: SnapshotDrift = { drifted: migrationsFingerprint !== snapshot.schema.fingerprint, productionFingerprint: snapshot.schema.fingerprint, migrationsFingerprint, differences: [], notes: [] };
  if (!drift.drifted) return drift;
  const redact = snapshot.redacted ? { ...(redactKey ? { key: redactKey } : {}) } : undefined;
  const ours = objectHashes(catalog);
  const seen = new Set<string>();
  for (const [object, hash] of Object.entries(ours)) {
    const key = objectKey(object, redact);
    seen.add(key);
    const theirs = snapshot.schema.objects[key];
    if (theirs === undefined) drift.differences.push({ object, change: 'missing in production' });
    else if (theirs !== hash) drift.differences.push({ object, change: 'changed in production' });
  }
  for (const key of Object.keys(snapshot.schema.objects)) if (!seen.has(key)) drift.differences.push({ object: key, change: 'only in production' });
  drift.differences.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
  if (snapshot.server.major !== throwawayMajor) drift.notes.push(`production runs PostgreSQL ${snapshot.server.major}, the check ${throwawayMajor}: some differences may be formatting only`);
  return drift;
}

/** One line per difference, for the report. */
export function describeSnapshotDrift(drift: SnapshotDrift): string[] {
  if (!drift.drifted) return [];
  return [
    `Production has drifted: its schema (snapshot) differs from what the migrations before this pull request produce (${drift.differences.length} object(s)).`,
    ...drift.differences.slice(0, 50).map((d) => `${d.object}: ${d.change}`),
    ...(drift.differences.length > 50 ? [`… and ${drift.differences.length - 50} more`] : []),
    ...drift.notes,
  ];
}
