/** Every rule, in the order docs/rules.md lists them. One rule per file; the file name is the rule id. */
import type { Rule } from '../types.js';
import { rule as syntax } from './syntax.js';
import { rule as emptyMigration } from './empty-migration.js';
import { rule as transactionControl } from './transaction-control.js';
import { rule as concurrentlyInTransaction } from './concurrently-in-transaction.js';
import { rule as enumValueInTransaction } from './enum-value-in-transaction.js';
import { rule as createIndexNotConcurrently } from './create-index-not-concurrently.js';
import { rule as dropIndexNotConcurrently } from './drop-index-not-concurrently.js';
import { rule as reindexNotConcurrently } from './reindex-not-concurrently.js';
import { rule as foreignKeyWithoutNotValid } from './foreign-key-without-not-valid.js';
import { rule as checkWithoutNotValid } from './check-without-not-valid.js';
import { rule as validateInSameTransaction } from './validate-in-same-transaction.js';
import { rule as uniqueConstraintWithoutIndex } from './unique-constraint-without-index.js';
import { rule as exclusionConstraint } from './exclusion-constraint.js';
import { rule as setNotNull } from './set-not-null.js';
import { rule as addColumnNotNullWithoutDefault } from './add-column-not-null-without-default.js';
import { rule as addColumnVolatileDefault } from './add-column-volatile-default.js';
import { rule as addColumnStoredGenerated } from './add-column-stored-generated.js';
import { rule as changeColumnType } from './change-column-type.js';
import { rule as dropNotNull } from './drop-not-null.js';
import { rule as preferJsonb } from './prefer-jsonb.js';
import { rule as dropTable } from './drop-table.js';
import { rule as dropColumn } from './drop-column.js';
import { rule as dropSchema } from './drop-schema.js';
import { rule as truncate } from './truncate.js';
import { rule as renameTable } from './rename-table.js';
import { rule as renameColumn } from './rename-column.js';
import { rule as renameSchema } from './rename-schema.js';
import { rule as renameEnumValue } from './rename-enum-value.js';
import { rule as deleteWithoutWhere } from './delete-without-where.js';
import { rule as updateWithoutWhere } from './update-without-where.js';
import { rule as vacuumFull } from './vacuum-full.js';
import { rule as cluster } from './cluster.js';
import { rule as lockTable } from './lock-table.js';
import { rule as setTablespace } from './set-tablespace.js';
import { rule as detachPartitionNotConcurrently } from './detach-partition-not-concurrently.js';
import { rule as refreshMaterializedView } from './refresh-materialized-view.js';
import { rule as statementsAfterAccessExclusive } from './statements-after-access-exclusive.js';
import { rule as dropView } from './drop-view.js';
import { rule as dropDatabase } from './drop-database.js';
import { rule as setLoggedUnlogged } from './set-logged-unlogged.js';
import { rule as validateWithStrongerLock } from './validate-with-stronger-lock.js';
import { rule as alterDomainConstraint } from './alter-domain-constraint.js';
import { rule as primaryKeyNullableColumns } from './primary-key-nullable-columns.js';
import { rule as dryRunIrreversible } from './dry-run-irreversible.js';
import { rule as duplicateColumn } from './duplicate-column.js';
import { rule as statementFails } from './statement-fails.js';
import { rule as dryRunObserved } from './dry-run-observed.js';
import { rule as invalidIgnore } from './invalid-ignore.js';
import { rule as unusedIgnore } from './unused-ignore.js';

export const RULES: readonly Rule[] = [
  syntax,
  emptyMigration,
  duplicateColumn,
  statementFails,
  transactionControl,
  concurrentlyInTransaction,
  enumValueInTransaction,
  dryRunIrreversible,
  createIndexNotConcurrently,
  dropIndexNotConcurrently,
  reindexNotConcurrently,
  foreignKeyWithoutNotValid,
  checkWithoutNotValid,
  validateInSameTransaction,
  validateWithStrongerLock,
  alterDomainConstraint,
  uniqueConstraintWithoutIndex,
  exclusionConstraint,
  primaryKeyNullableColumns,
  setNotNull,
  addColumnNotNullWithoutDefault,
  addColumnVolatileDefault,
  addColumnStoredGenerated,
  changeColumnType,
  dropNotNull,
  preferJsonb,
  dropTable,
  dropView,
  dropDatabase,
  dropColumn,
  dropSchema,
  truncate,
  renameTable,
  renameColumn,
  renameSchema,
  renameEnumValue,
  deleteWithoutWhere,
  updateWithoutWhere,
  vacuumFull,
  cluster,
  lockTable,
  setTablespace,
  setLoggedUnlogged,
  detachPartitionNotConcurrently,
  refreshMaterializedView,
  statementsAfterAccessExclusive,
  dryRunObserved,
  invalidIgnore,
  unusedIgnore,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.id, rule]));
