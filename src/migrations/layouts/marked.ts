import path from 'node:path';
import { InputError } from '../../errors.js';
import { readSqlFile } from '../script.js';
import type { LayoutName, MigrationEntry, SqlSource } from '../types.js';
import { hasSql, notThisLayout, orderByVersion, PREFIXED_SQL, type Layout } from './common.js';
import { displayPath } from './files.js';

/** The marker lines of a file with up and down sections in one file (dbmate, node-pg-migrate). */
export interface Markers {
  up: RegExp;
  down: RegExp;
  upLabel: string;
  downLabel: string;
  /** The tool's "no transaction" option on a marker line, e.g. dbmate's `transaction:false`. */
  noTransaction?: RegExp;
  /** A line anywhere in the file that turns the transaction off for both sections (goose `-- +goose NO TRANSACTION`). */
  noTransactionLine?: RegExp;
  /**
   * The tool runs a down section without SQL as a no-op that succeeds (goose, sql-migrate: rollback goes
   * through it), so a present but empty down section is a no-op down, not "no down".
   */
  emptyDownIsNoOp?: boolean;
}

export function findMarker(lines: string[], marker: RegExp): number | undefined {
  const index = lines.findIndex((line) => marker.test(line.replace(/\r$/, '')));
  return index < 0 ? undefined : index + 1;
}

/** Reads one file of a sectioned layout: up = lines after the up marker up to the down marker; down = the rest. */
export function sectionedEntry(layout: LayoutName, file: string, version: string, name: string, markers: Markers): MigrationEntry {
  const lines = readSqlFile(file).split('\n');
  const shown = displayPath(file);
  const upLine = findMarker(lines, markers.up);
  if (!upLine) throw new InputError(`${shown}: no "${markers.upLabel}" line; every ${layout} migration needs one`);
  const downLine = findMarker(lines, markers.down);
  if (downLine !== undefined && downLine < upLine) throw new InputError(`${shown}:${downLine}: "${markers.downLabel}" comes before "${markers.upLabel}" (line ${upLine})`);
  if (hasSql(lines.slice(0, upLine - 1))) throw new InputError(`${shown}:1: SQL before the "${markers.upLabel}" line would be ignored by ${layout}; move it into a section`);
  const upEnd = downLine !== undefined ? downLine - 1 : lines.length;
  const wholeFile = markers.noTransactionLine ? findMarker(lines, markers.noTransactionLine) !== undefined : false;
  const option = (line: number) => wholeFile || Boolean(markers.noTransaction?.test(lines[line - 1]!));
  const upSource: SqlSource = {
    path: file,
    section: { label: markers.upLabel, startLine: upLine + 1, endLine: upEnd },
    ...(option(upLine) ? { noTransaction: true } : {}),
  };
  // dbmate's and node-pg-migrate's templates leave the down section empty: there it means "no down".
  const downHasSql = downLine !== undefined && hasSql(lines.slice(downLine));
  const downSource: SqlSource | undefined =
    downLine !== undefined && (downHasSql || markers.emptyDownIsNoOp)
      ? {
          path: file,
          section: { label: markers.downLabel, startLine: downLine + 1, endLine: lines.length },
          ...(option(downLine) ? { noTransaction: true } : {}),
          ...(downHasSql ? {} : { noOpWhenEmpty: true }),
        }
      : undefined;
  return { version, name, upPath: file, upSource, ...(downSource ? { downSource } : {}), layout };
}

export function markedLayout(name: LayoutName, expected: string, markers: Markers): Layout {
  const layout: Layout = {
    name,
    expected,
    discover(dir, files) {
      return orderByVersion(
        files.map((fileName) => {
          const match = PREFIXED_SQL.exec(fileName);
          if (!match) throw notThisLayout(dir, fileName, layout);
          return sectionedEntry(name, path.join(dir, fileName), match[1]!, match[2]!, markers);
        }),
      );
    },
  };
  return layout;
}
