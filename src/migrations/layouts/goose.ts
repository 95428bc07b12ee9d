import path from 'node:path';
import type { MigrationEntry } from '../types.js';
import { noticeIgnored, orderByVersion, type Layout } from './common.js';
import { displayPath, listFiles } from './files.js';
import { sectionedEntry, type Markers } from './marked.js';

/**
 * goose: `20240101120000_create_users.sql` (or `00001_…`) holding `-- +goose Up` and `-- +goose Down`
 * sections. `-- +goose StatementBegin/End` lines are comments to ddlgate's parser, which splits statements
 * itself (dollar quotes included); `-- +goose NO TRANSACTION` anywhere in the file runs it outside a
 * transaction. Go migrations (`00002_backfill.go`) share the version sequence: they are listed in order
 * and `up` refuses to run past them (ddlgate cannot run Go code), never skipped silently.
 */
export const GOOSE_MARKERS: Markers = {
  up: /^--\s*\+goose\s+Up\b/i,
  down: /^--\s*\+goose\s+Down\b/i,
  upLabel: '-- +goose Up',
  downLabel: '-- +goose Down',
  noTransactionLine: /^--\s*\+goose\s+NO\s+TRANSACTION\b/i,
  emptyDownIsNoOp: true,
};

export const GOOSE_FILE = /^(\d+)_(.+)\.(sql|go)$/;

export const goose: Layout = {
  name: 'goose',
  expected: '<version>_<name>.sql with "-- +goose Up" and "-- +goose Down" sections (e.g. 20240101120000_create_users.sql)',
  discover(dir, _files, context) {
    const entries: MigrationEntry[] = [];
    const ignored: string[] = [];
    for (const fileName of listFiles(dir)) {
      const match = GOOSE_FILE.exec(fileName);
      if (!match || fileName.endsWith('_test.go')) {
        if (fileName.toLowerCase().endsWith('.sql')) ignored.push(fileName);
        continue;
      }
      const [, version, name, ext] = match as unknown as [string, string, string, 'sql' | 'go'];
      const file = path.join(dir, fileName);
      if (ext === 'go') {
        entries.push({
          version,
          name,
          upPath: file,
          layout: 'goose',
          unrunnable: `${displayPath(file)} is a goose Go migration; ddlgate cannot run Go code: run it with goose, then record it with \`ddlgate adopt\``,
        });
        continue;
      }
      entries.push(sectionedEntry('goose', file, version, name, GOOSE_MARKERS));
    }
    noticeIgnored(context, dir, 'goose', ignored, 'goose reads only <version>_<name>.sql');
    const ordered = orderByVersion(entries);
    const go = ordered.filter((entry) => entry.unrunnable);
    if (go.length && context) context.notice(`${go.length} goose Go migration${go.length === 1 ? '' : 's'} listed but not runnable by ddlgate: ${go.map((entry) => path.basename(entry.upPath)).join(', ')}`);
    return ordered;
  },
};
