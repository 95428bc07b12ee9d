import path from 'node:path';
import { InputError } from '../../errors.js';
import { readSqlFile } from '../script.js';
import type { MigrationEntry } from '../types.js';
import { hasSql, type ReadContext, type Layout } from './common.js';
import { displayPath, fileExists, listSubdirs } from './files.js';

export const SQITCH_PLAN = 'sqitch.plan';

interface PlanChange {
  name: string;
  line: number;
  requires: string[];
}

interface Plan {
  project: string;
  file: string;
  changes: PlanChange[];
  /** `@tag` lines, each with the number of changes planned before it. */
  tags: Array<{ name: string; after: number }>;
}

/**
 * Reads `sqitch.plan`: `%pragma=value` lines, `@tag` lines, and change lines
 * `name [dependencies] 2013-09-04T13:54:01Z Planner <email> # note`. Comments start with `#`.
 */
export function readSqitchPlan(dir: string): Plan {
  const file = path.join(dir, SQITCH_PLAN);
  const lines = readSqlFile(file).split('\n');
  let project = path.basename(path.resolve(dir));
  const changes: PlanChange[] = [];
  const tags: Plan['tags'] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    if (line.startsWith('%')) {
      const pragma = /^%\s*project\s*=\s*(\S+)/.exec(line);
      if (pragma) project = pragma[1]!;
      return;
    }
    if (line.startsWith('@')) {
      tags.push({ name: line.split(/\s+/)[0]!.slice(1), after: changes.length });
      return;
    }
    const match = /^[+-]?([^\s[]+)\s*(?:\[([^\]]*)\])?/.exec(line);
    if (!match) throw new InputError(`${displayPath(file)}:${index + 1}: cannot read this plan line`);
    changes.push({ name: match[1]!, line: index + 1, requires: (match[2] ?? '').split(/\s+/).filter((dep) => dep && !dep.startsWith('!')) });
  });
  return { project, file, changes, tags };
}

/**
 * The script file name of the change at `index`. A reworked change's earlier versions live in
 * `<name>@<tag>.sql`, the tag being one of those between this version and the next (sqitch's rework
 * tags): sqitch takes the first of them whose deploy file exists; the latest version is `<name>.sql`.
 */
function scriptName(dir: string, plan: Plan, index: number): string {
  const change = plan.changes[index]!;
  const next = plan.changes.findIndex((later, at) => at > index && later.name === change.name);
  if (next < 0) return `${change.name}.sql`;
  const candidates = plan.tags.filter((tag) => tag.after > index && tag.after <= next).map((tag) => `${change.name}@${tag.name}.sql`);
  return candidates.find((name) => fileExists(path.join(dir, 'deploy', name))) ?? candidates[0] ?? `${change.name}.sql`;
}

function planEntries(dir: string, plan: Plan, first: number, context: ReadContext | undefined, otherProjects: Map<string, Plan>): MigrationEntry[] {
  const entries: MigrationEntry[] = [];
  const deployed = new Set<string>();
  plan.changes.forEach((change, index) => {
    for (const dependency of change.requires) {
      const [project, name] = dependency.includes(':') ? (dependency.split(':', 2) as [string, string]) : [plan.project, dependency];
      const bare = name.replace(/@.*$/, '');
      if (project === plan.project) {
        if (!deployed.has(bare)) throw new InputError(`${displayPath(plan.file)}:${change.line}: "${change.name}" requires "${dependency}", which is not planned before it`);
      } else if (!otherProjects.get(project)?.changes.some((other) => other.name === bare)) {
        context?.notice(`${displayPath(plan.file)}:${change.line}: "${change.name}" requires ${dependency} from sqitch project "${project}", which is not in this directory; deploy it first`);
      }
    }
    const base = scriptName(dir, plan, index);
    const deploy = path.join(dir, 'deploy', base);
    if (!fileExists(deploy)) throw new InputError(`${displayPath(plan.file)}:${change.line}: change "${change.name}" has no deploy script ${displayPath(deploy)}`);
    const revert = path.join(dir, 'revert', base);
    const hasRevert = fileExists(revert) && hasSql(readSqlFile(revert).split('\n'));
    entries.push({
      version: String(first + entries.length),
      name: change.name,
      upPath: deploy,
      upSource: { path: deploy },
      ...(hasRevert ? { downPath: revert, downSource: { path: revert } } : {}),
      layout: 'sqitch',
    });
    deployed.add(change.name);
  });
  return entries;
}

/**
 * sqitch: the order is `sqitch.plan`'s, the SQL is `deploy/<change>.sql` (down: `revert/<change>.sql`;
 * `verify/` scripts are sqitch's own checks). Versions are the plan positions 1, 2, 3 … — sqitch itself
 * identifies changes by name and plan, not by a number. A dependency inside the plan must be planned
 * earlier. A dependency on another sqitch project (`oss_chef:users`) is met by a sub-folder holding that
 * project's plan: it is deployed first, as its own project would be.
 */
export const sqitch: Layout = {
  name: 'sqitch',
  expected: 'sqitch.plan with deploy/<change>.sql scripts',
  discover(dir, _files, context) {
    const plan = readSqitchPlan(dir);
    const foreign = new Set(plan.changes.flatMap((change) => change.requires.filter((dep) => dep.includes(':')).map((dep) => dep.split(':')[0]!)));
    const others = new Map<string, { dir: string; plan: Plan }>();
    for (const sub of listSubdirs(dir)) {
      const subDir = path.join(dir, sub);
      if (!fileExists(path.join(subDir, SQITCH_PLAN))) continue;
      const subPlan = readSqitchPlan(subDir);
      if (foreign.has(subPlan.project) && subPlan.project !== plan.project) others.set(subPlan.project, { dir: subDir, plan: subPlan });
    }
    const entries: MigrationEntry[] = [];
    const otherPlans = new Map([...others].map(([name, other]) => [name, other.plan]));
    for (const other of others.values()) {
      context?.notice(`sqitch project "${other.plan.project}" (${displayPath(other.dir)}) is deployed first: ${plan.project} requires its changes`);
      entries.push(...planEntries(other.dir, other.plan, entries.length + 1, context, new Map()));
    }
    entries.push(...planEntries(dir, plan, entries.length + 1, context, otherPlans));
    return entries;
  },
};
