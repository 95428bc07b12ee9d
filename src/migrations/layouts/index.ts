import { InputError } from '../../errors.js';
import type { LayoutName } from '../types.js';
import type { Layout } from './common.js';
import { dbmate } from './dbmate.js';
import { diesel } from './diesel.js';
import { drizzle } from './drizzle.js';
import { flat } from './flat.js';
import { flyway } from './flyway.js';
import { golangMigrate } from './golang-migrate.js';
import { goose } from './goose.js';
import { graphileMigrate } from './graphile-migrate.js';
import { hasura } from './hasura.js';
import { native } from './native.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { popx } from './popx.js';
import { prisma } from './prisma.js';
import { sequential } from './sequential-rollback-comments.js';
import { sqitch } from './sqitch.js';
import { sqlMigrate } from './sql-migrate.js';
import { supabase } from './supabase.js';

export const LAYOUTS: Record<LayoutName, Layout> = {
  native,
  sequential,
  flat,
  drizzle,
  dbmate,
  'node-pg-migrate': nodePgMigrate,
  'golang-migrate': golangMigrate,
  flyway,
  goose,
  'sql-migrate': sqlMigrate,
  diesel,
  prisma,
  supabase,
  sqitch,
  popx,
  'graphile-migrate': graphileMigrate,
  hasura,
};

export const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[];

const ALIASES: Record<string, LayoutName> = {
  'sequential-rollback-comments': 'sequential',
  golang: 'golang-migrate',
  'drizzle-kit': 'drizzle',
  pgmigrate: 'node-pg-migrate',
  'rubenv-sql-migrate': 'sql-migrate',
  ory: 'popx',
  graphile: 'graphile-migrate',
};

/** A --layout value → layout name ("auto" → undefined: detect from the files). */
export function parseLayoutName(value: string | undefined): LayoutName | undefined {
  if (value === undefined || value === 'auto') return undefined;
  const name = (LAYOUT_NAMES as string[]).includes(value) ? (value as LayoutName) : ALIASES[value];
  if (!name) throw new InputError(`--layout: "${value}" is not a known layout (auto, ${LAYOUT_NAMES.join(', ')})`);
  return name;
}
