/**
 * The fix as SQL for findings whose safe form is a rewrite of the same statement (CONCURRENTLY,
 * NOT VALID). Pure and conservative: the statement text is only changed where its shape is the plain
 * one the rule describes; anything else gets no SQL fix (the rule's hint and docs still apply).
 * `sameStatement` fixes can be offered as a GitHub suggestion on the statement's lines.
 */

export interface SqlFix {
  /** The statement as it should be written. */
  sql: string;
  /** What else the fix needs (a directive, a follow-up migration), as an SQL comment line or two. */
  note?: string;
}

const NO_TRANSACTION = '-- and put -- ddlgate:no-transaction at the top of the file';

/** Removes a trailing `;` and whitespace, remembering whether there was one. */
function body(sql: string): { text: string; semicolon: string } {
  const match = /;\s*$/.exec(sql);
  return { text: sql.replace(/;?\s*$/, ''), semicolon: match ? ';' : '' };
}

export function fixFor(rule: string, statement: string): SqlFix | undefined {
  const { text, semicolon } = body(statement);
  if (text.includes('\0')) return undefined;
  switch (rule) {
    case 'create-index-not-concurrently': {
      const match = /^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)(\s+)(?!CONCURRENTLY\b)/i.exec(text);
      if (!match) return undefined;
      return { sql: `${match[1]} CONCURRENTLY${match[2]}${text.slice(match[0].length)}${semicolon}`, note: NO_TRANSACTION };
    }
    case 'drop-index-not-concurrently': {
      const match = /^(\s*DROP\s+INDEX)(\s+)(?!CONCURRENTLY\b)/i.exec(text);
      if (!match || /\bCASCADE\s*$/i.test(text)) return undefined;
      return { sql: `${match[1]} CONCURRENTLY${match[2]}${text.slice(match[0].length)}${semicolon}`, note: NO_TRANSACTION };
    }
    case 'reindex-not-concurrently': {
      const match = /^(\s*REINDEX\s+(?:INDEX|TABLE))(\s+)(?!CONCURRENTLY\b)/i.exec(text);
      if (!match) return undefined;
      return { sql: `${match[1]} CONCURRENTLY${match[2]}${text.slice(match[0].length)}${semicolon}`, note: NO_TRANSACTION };
    }
    case 'foreign-key-without-not-valid':
    case 'check-without-not-valid': {
      // One ADD CONSTRAINT, named, at the end of the statement: append NOT VALID and validate later.
      const match = /^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?(\S+)\s+ADD\s+CONSTRAINT\s+("[^"]+"|\w+)\s+(?:FOREIGN\s+KEY|CHECK)\b/i.exec(text);
      if (!match || /\bNOT\s+VALID\s*$/i.test(text) || /,\s*ADD\b/i.test(text)) return undefined;
      return { sql: `${text} NOT VALID${semicolon}`, note: `-- then, in a later migration: ALTER TABLE ${match[1]} VALIDATE CONSTRAINT ${match[2]};` };
    }
    case 'detach-partition-not-concurrently': {
      if (!/\bDETACH\s+PARTITION\s+\S+\s*$/i.test(text)) return undefined;
      return { sql: `${text} CONCURRENTLY${semicolon}`, note: NO_TRANSACTION };
    }
    default:
      return undefined;
  }
}
