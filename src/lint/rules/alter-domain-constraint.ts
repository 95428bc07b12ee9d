import { nameListRef, refText } from '../ast.js';
import type { Rule } from '../types.js';

export const rule: Rule = {
  id: 'alter-domain-constraint',
  severity: 'error',
  category: 'constraint',
  summary: '`ALTER DOMAIN … ADD CONSTRAINT` (without `NOT VALID`) or `ALTER DOMAIN … SET NOT NULL` on a domain existing tables use.',
  why: 'PostgreSQL checks the new constraint against every column of that domain in every table, scanning each table in full while holding a SHARE lock on it: writes to all of those tables wait for the scans.',
  safe: 'ALTER DOMAIN … ADD CONSTRAINT … NOT VALID (instant; new values are checked), then ALTER DOMAIN … VALIDATE CONSTRAINT in a later migration (takes only a SHARE UPDATE EXCLUSIVE lock on the tables). For NOT NULL, use a CHECK (VALUE IS NOT NULL) NOT VALID domain constraint.',
  bad: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0);',
  good: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;\n-- next migration:\nALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive;',
  kinds: ['AlterDomainStmt'],
  check(statement, state) {
    const alter = statement.node.AlterDomainStmt;
    if (!alter) return [];
    const addsCheck = alter.subtype === 'C' && alter.def?.Constraint && !alter.def.Constraint.skip_validation;
    const setsNotNull = alter.subtype === 'O';
    if (!addsCheck && !setsNotNull) return [];
    const ref = nameListRef(alter.typeName);
    if (!ref) return [];
    const domain = state.schema.types.get(ref);
    const uses = state.schema.domainUses(ref).filter((use) => !use.table.isNew);
    // A domain created by a pending migration is only used by what the model shows.
    if (domain?.isNew && uses.length === 0) return [];
    const what = setsNotNull ? 'SET NOT NULL' : `ADD CONSTRAINT ${alter.def.Constraint.conname ?? ''}`.trim();
    const where = uses.length > 0 ? uses.map((use) => `${refText(use.table.ref)}.${use.column}`).join(', ') : 'every column of this domain in every table';
    return [{ message: `ALTER DOMAIN ${refText(ref)} ${what} scans ${where} to check existing values, holding a lock that blocks writes`, ...(uses[0] ? { table: uses[0].table.ref } : {}) }];
  },
};
