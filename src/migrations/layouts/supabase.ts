import path from 'node:path';
import { noticeIgnored, orderByVersion, type Layout } from './common.js';

const NAME = /^(\d+)_(.*)\.sql$/;

/**
 * supabase CLI: `supabase/migrations/<timestamp>_<name>.sql`, each run in its own transaction. Files whose
 * names do not match (`local_…sql`, `seed.sql`) are skipped, as `supabase migration up` skips them.
 */
export const supabase: Layout = {
  name: 'supabase',
  expected: '<timestamp>_<name>.sql (e.g. 20240103173626_init.sql)',
  discover(dir, files, context) {
    const ignored = files.filter((fileName) => !NAME.test(fileName));
    noticeIgnored(context, dir, 'supabase', ignored, 'the supabase CLI skips names that are not <timestamp>_<name>.sql');
    return orderByVersion(
      files.flatMap((fileName) => {
        const match = NAME.exec(fileName);
        if (!match) return [];
        const file = path.join(dir, fileName);
        return [{ version: match[1]!, name: match[2]!, upPath: file, upSource: { path: file }, layout: 'supabase' as const }];
      }),
    );
  },
};
