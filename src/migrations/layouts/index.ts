import { InputError } from '../../errors.js';
import type { LayoutName } from '../types.js';
import type { Layout } from './common.js';
import { dbmate } from './dbmate.js';
import { drizzle } from './drizzle.js';
import { flat } from './flat.js';
import { flyway } from './flyway.js';
import { golangMigrate } from './golang-migrate.js';
import { native } from './native.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { sequential } from './sequential-rollback-comments.js';

export const LAYOUTS: Record<LayoutName, Layout> = {
  native,
  sequential,
  flat,
  drizzle,
  dbmate,
  'node-pg-migrate': nodePgMigrate,
  'golang-migrate': golangMigrate,
  flyway,
};

export const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[];

const ALIASES: Record<string, LayoutName> = {
  'sequential-rollback-comments': 'sequential',
  golang: 'golang-migrate',
  'drizzle-kit': 'drizzle',
  pgmigrate: 'node-pg-migrate',
};

/** A --layout value → layout name ("auto" → undefined: detect from the files). */
export function parseLayoutName(value: string | undefined): LayoutName | undefined {
  if (value === undefined || value === 'auto') return undefined;
  const name = (LAYOUT_NAMES as string[]).includes(value) ? (value as LayoutName) : ALIASES[value];
  if (!name) throw new InputError(`--layout: "${value}" is not a known layout (auto, ${LAYOUT_NAMES.join(', ')})`);
  return name;
}
