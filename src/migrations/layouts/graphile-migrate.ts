import { createHash } from 'node:crypto';
import path from 'node:path';
import { InputError } from '../../errors.js';
import { readSqlFile } from '../script.js';
import type { MigrationEntry } from '../types.js';
import { noticeIgnored, orderByVersion, type Layout } from './common.js';
import { dirExists, displayPath, listFiles } from './files.js';

const FILE = /^(\d{6,})(?:-([^.]*))?\.sql$/;
const PREVIOUS = '--! Previous: ';
const HASH = '--! Hash: ';

/** graphile-migrate's hash of a committed migration: sha1 over the previous hash, a newline and the body, trimmed. */
export function graphileHash(body: string, previousHash: string | null): string {
  return `sha1:${createHash('sha1')
    .update(`${`${previousHash ?? ''}\n${body}`.trim()}\n`)
    .digest('hex')}`;
}

/** `migrations/` holding `committed/`, or the `committed/` folder itself. */
export function graphileCommittedDir(dir: string): string {
  const committed = path.join(dir, 'committed');
  return dirExists(committed) ? committed : dir;
}

/**
 * graphile-migrate: `migrations/committed/000001.sql` (or `000001-message.sql`), each starting with
 * `--! Previous: <hash or ->` and `--! Hash: sha1:…` header lines and a blank line. As graphile-migrate does,
 * the chain is checked: each file names the previous file's hash, and its own hash matches its body (an
 * edited committed migration is refused, naming the file). `--! no-transaction` as the body's first line runs
 * it outside a transaction. `current.sql` (work in progress) is not a committed migration.
 */
export const graphileMigrate: Layout = {
  name: 'graphile-migrate',
  expected: 'committed/<NNNNNN>.sql with "--! Previous:" and "--! Hash:" headers (e.g. committed/000001.sql)',
  discover(dir, _files, context) {
    const committed = graphileCommittedDir(dir);
    const names = listFiles(committed).filter((name) => name.toLowerCase().endsWith('.sql'));
    noticeIgnored(context, committed, 'graphile-migrate', names.filter((name) => !FILE.test(name)), 'not committed migrations');
    let previous: { hash: string; file: string } | null = null;
    const entries: MigrationEntry[] = [];
    for (const fileName of names.filter((name) => FILE.test(name))) {
      const file = path.join(committed, fileName);
      const shown = displayPath(file);
      const text = readSqlFile(file).replace(/\r\n/g, '\n');
      const lines = text.split('\n');
      if (!lines[0]?.startsWith(PREVIOUS)) throw new InputError(`${shown}:1: no "--! Previous:" header; not a graphile-migrate committed migration`);
      if (!lines[1]?.startsWith(HASH)) throw new InputError(`${shown}:2: no "--! Hash:" header; not a graphile-migrate committed migration`);
      let blankLine = 2;
      while (blankLine < lines.length && lines[blankLine]!.startsWith('--! ')) blankLine++;
      if (lines[blankLine] !== '') throw new InputError(`${shown}:${blankLine + 1}: the headers must be followed by a blank line`);
      const rawPrevious = lines[0].slice(PREVIOUS.length).trim();
      const previousHash = rawPrevious && rawPrevious !== '-' ? rawPrevious : null;
      const hash = lines[1].slice(HASH.length).trim();
      if (previousHash !== (previous?.hash ?? null)) {
        throw new InputError(
          previous
            ? `${shown}:1: names previous hash ${previousHash ?? '-'} but ${displayPath(previous.file)} has ${previous.hash}; the committed chain is broken`
            : `${shown}:1: names a previous migration (${previousHash}) but it is the first committed migration`,
        );
      }
      const body = lines.slice(blankLine + 1).join('\n');
      const actual = graphileHash(body, previousHash);
      if (actual !== hash) throw new InputError(`${shown}:2: hash does not match the file (${actual} ≠ ${hash}); a committed migration was edited`);
      const match = FILE.exec(fileName)!;
      const bodyStart = blankLine + 2;
      const noTransaction = /^--!\s*no-transaction\b/.test(lines[blankLine + 1] ?? '');
      entries.push({
        version: match[1]!,
        name: match[2] || fileName.replace(/\.sql$/, ''),
        upPath: file,
        upSource: { path: file, section: { label: 'committed body', startLine: bodyStart, endLine: lines.length }, ...(noTransaction ? { noTransaction } : {}) },
        layout: 'graphile-migrate',
        metadata: { Hash: hash },
      });
      previous = { hash, file };
    }
    return orderByVersion(entries);
  },
};
