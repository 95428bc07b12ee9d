/**
 * A local stand-in for the GitHub REST API, just the endpoints the action uses: issue comments
 * (list/create/update/delete), pull request files, reviews and review comments, GET /user,
 * GraphQL's `viewer`, GET an environment (its protection rules). Pagination works as GitHub's does (page,
 * per_page, Link header with rel="next"/"last"); `maxPerPage` forces small pages so tests exercise it.
 * Every request is recorded in `requests`.
 *
 * Tokens act as GitHub's do: an installation token (GITHUB_TOKEN, a GitHub App's) gets 403 from
 * GET /user and writes as `<slug>[bot]` (GraphQL's viewer names the Bot without the suffix); a
 * personal token may call GET /user and writes as its user. `faults` makes the next matching requests
 * fail the way GitHub fails (a 5xx, a secondary rate limit with retry-after).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface FakeFile {
  filename: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: any;
  authorization?: string;
}

/** Who a token is: an installation (GITHUB_TOKEN: slug github-actions; an App: its slug) or a user (PAT). */
export type TokenIdentity = { kind: 'installation'; slug: string } | { kind: 'user'; login: string };

export interface Fault {
  method: string;
  /** Matched against the request path. */
  path: RegExp;
  status: number;
  message?: string;
  headers?: Record<string, string>;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface FakeReview {
  id: number;
  body: string;
  commit_id: string;
  user: { login: string; type: string };
  state: string;
}

export interface FakeReviewComment {
  id: number;
  pull_request_review_id: number;
  path: string;
  line: number;
  start_line: number | null;
  body: string;
  user: { login: string; type: string };
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  /** Login of the token's identity; GET /user answers 403 (as for GITHUB_TOKEN) unless `userEndpoint` is true. */
  tokenLogin?: string;
  userEndpoint?: boolean;
  maxPerPage?: number;
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** issue number → comments */
  readonly comments = new Map<number, FakeComment[]>();
  /** pull number → files */
  readonly files = new Map<number, FakeFile[]>();
  /** environment name → its protection_rules as GitHub returns them; a missing name answers 404. */
  readonly environments = new Map<string, Array<Record<string, unknown>>>();
  /** When set, GET environment answers this status (e.g. 403 without `actions: read`). */
  environmentStatus?: number;
  /** token (without "token "/"Bearer ") → identity; unknown tokens act as GITHUB_TOKEN unless `userEndpoint`. */
  readonly tokens = new Map<string, TokenIdentity>();
  readonly faults: Fault[] = [];
  readonly reviews = new Map<number, FakeReview[]>();
  readonly reviewComments = new Map<number, FakeReviewComment[]>();
  owner: string;
  repo: string;
  tokenLogin: string;
  userEndpoint: boolean;
  maxPerPage: number;
  private server?: Server;
  private nextId = 1000;
  url = '';

  constructor(options: FakeGitHubOptions = {}) {
    this.owner = options.owner ?? 'acme';
    this.repo = options.repo ?? 'shop';
    this.tokenLogin = options.tokenLogin ?? 'github-actions[bot]';
    this.userEndpoint = options.userEndpoint ?? false;
    this.maxPerPage = options.maxPerPage ?? 100;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        try {
          this.handle(req, res, raw);
        } catch (error) {
          this.send(res, 500, { message: String(error) });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Adds a comment as if someone (or some bot) had written it. */
  addComment(issue: number, login: string, body: string): FakeComment {
    const id = this.nextId++;
    const now = new Date().toISOString();
    const comment: FakeComment = { id, body, user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' }, html_url: `https://github.com/${this.owner}/${this.repo}/pull/${issue}#issuecomment-${id}`, created_at: now, updated_at: now };
    this.commentsOf(issue).push(comment);
    return comment;
  }

  commentsOf(issue: number): FakeComment[] {
    if (!this.comments.has(issue)) this.comments.set(issue, []);
    return this.comments.get(issue)!;
  }

  /** Requests that changed something (POST/PATCH/PUT/DELETE; GraphQL queries are reads). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.path !== '/graphql');
  }

  /** The login a request's token writes as (REST form: bots end in [bot]). */
  private identityOf(req: IncomingMessage): { login: string; type: 'Bot' | 'User'; installation: boolean } {
    const token = (req.headers.authorization ?? '').replace(/^(token|bearer)\s+/i, '');
    const known = this.tokens.get(token);
    if (known?.kind === 'installation') return { login: `${known.slug}[bot]`, type: 'Bot', installation: true };
    if (known?.kind === 'user') return { login: known.login, type: 'User', installation: false };
    return { login: this.tokenLogin, type: this.tokenLogin.endsWith('[bot]') ? 'Bot' : 'User', installation: !this.userEndpoint };
  }

  private fault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.method === method && f.path.test(path) && (f.times ?? 1) > 0);
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams.entries());
    const body = raw ? JSON.parse(raw) : undefined;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, ...(body !== undefined ? { body } : {}), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const repoPrefix = `/repos/${this.owner}/${this.repo}`;
    const path = url.pathname;
    let match: RegExpExecArray | null;
    const fault = this.fault(req.method ?? 'GET', path);
    if (fault) return this.send(res, fault.status, { message: fault.message ?? 'Server Error', documentation_url: 'https://docs.github.com/rest' }, fault.headers ?? {});
    const me = this.identityOf(req);

    if (req.method === 'GET' && path === '/user') {
      if (me.installation) return this.send(res, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user' });
      return this.send(res, 200, { login: me.login, id: 1, type: me.type });
    }
    if (req.method === 'POST' && path === '/graphql') {
      if (typeof body?.query !== 'string') return this.send(res, 400, { message: 'Problems parsing JSON' });
      if (!/\bviewer\b/.test(body.query)) return this.send(res, 200, { data: null, errors: [{ type: 'NOT_SUPPORTED', message: 'only viewer is supported by the fake' }] });
      // GraphQL names a Bot without the "[bot]" suffix the REST API adds.
      return this.send(res, 200, { data: { viewer: { login: me.login.replace(/\[bot\]$/, ''), __typename: me.type } } });
    }
    if (!path.startsWith(`${repoPrefix}/`)) return this.send(res, 404, { message: 'Not Found' });
    const rest = path.slice(repoPrefix.length);

    if ((match = /^\/environments\/([^/]+)$/.exec(rest)) && req.method === 'GET') {
      if (this.environmentStatus) return this.send(res, this.environmentStatus, { message: 'Resource not accessible by integration' });
      const name = decodeURIComponent(match[1]!);
      const rules = this.environments.get(name);
      if (!rules) return this.send(res, 404, { message: 'Not Found' });
      return this.send(res, 200, { id: 1, name, protection_rules: rules, deployment_branch_policy: null });
    }
    if ((match = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(match[1]);
      if (req.method === 'GET') return this.sendPage(res, url, this.commentsOf(issue));
      if (req.method === 'POST') {
        if (typeof body?.body !== 'string') return this.send(res, 422, { message: 'body is required' });
        if (body.body.length > 65536) return this.send(res, 422, { message: 'Body is too long (maximum is 65536 characters)' });
        return this.send(res, 201, this.addComment(issue, me.login, body.body));
      }
    }
    if ((match = /^\/issues\/comments\/(\d+)$/.exec(rest)) && req.method === 'PATCH') {
      const id = Number(match[1]);
      const comment = [...this.comments.values()].flat().find((c) => c.id === id);
      if (!comment) return this.send(res, 404, { message: 'Not Found' });
      if (comment.user.login !== me.login) return this.send(res, 403, { message: 'Resource not accessible by integration' });
      if (typeof body?.body !== 'string' || body.body.length > 65536) return this.send(res, 422, { message: 'invalid body' });
      comment.body = body.body;
      comment.updated_at = new Date().toISOString();
      return this.send(res, 200, comment);
    }
    if ((match = /^\/issues\/comments\/(\d+)$/.exec(rest)) && req.method === 'DELETE') {
      const id = Number(match[1]);
      for (const list of this.comments.values()) {
        const index = list.findIndex((c) => c.id === id);
        if (index < 0) continue;
        if (list[index]!.user.login !== me.login) return this.send(res, 403, { message: 'Resource not accessible by integration' });
        list.splice(index, 1);
        res.writeHead(204).end();
        return;
      }
      return this.send(res, 404, { message: 'Not Found' });
    }
    if ((match = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const pull = Number(match[1]);
      const reviews = this.reviews.get(pull) ?? [];
      this.reviews.set(pull, reviews);
      if (req.method === 'GET') return this.sendPage(res, url, reviews);
      if (req.method === 'POST') {
        if (!['COMMENT', 'APPROVE', 'REQUEST_CHANGES'].includes(body?.event) || typeof body?.commit_id !== 'string') return this.send(res, 422, { message: 'Unprocessable Entity' });
        const review: FakeReview = { id: this.nextId++, body: body.body ?? '', commit_id: body.commit_id, user: { login: me.login, type: me.type }, state: 'COMMENTED' };
        const comments = (this.reviewComments.get(pull) ?? []) as FakeReviewComment[];
        for (const c of body.comments ?? []) {
          if (typeof c.path !== 'string' || typeof c.line !== 'number' || typeof c.body !== 'string' || (c.start_line !== undefined && !(c.start_line < c.line))) return this.send(res, 422, { message: 'Unprocessable Entity: pull_request_review_thread.line must be part of the diff' });
        }
        for (const c of body.comments ?? []) comments.push({ id: this.nextId++, pull_request_review_id: review.id, path: c.path, line: c.line, start_line: c.start_line ?? null, body: c.body, user: review.user });
        this.reviewComments.set(pull, comments);
        reviews.push(review);
        return this.send(res, 200, review);
      }
    }
    if ((match = /^\/pulls\/(\d+)\/comments$/.exec(rest)) && req.method === 'GET') return this.sendPage(res, url, this.reviewComments.get(Number(match[1])) ?? []);
    if ((match = /^\/pulls\/comments\/(\d+)$/.exec(rest)) && req.method === 'DELETE') {
      const id = Number(match[1]);
      for (const list of this.reviewComments.values()) {
        const index = list.findIndex((c) => c.id === id);
        if (index < 0) continue;
        if (list[index]!.user.login !== me.login) return this.send(res, 403, { message: 'Resource not accessible by integration' });
        list.splice(index, 1);
        res.writeHead(204).end();
        return;
      }
      return this.send(res, 404, { message: 'Not Found' });
    }
    if ((match = /^\/pulls\/(\d+)\/files$/.exec(rest)) && req.method === 'GET') {
      const files = (this.files.get(Number(match[1])) ?? []).map((f) => ({ sha: '0'.repeat(40), additions: 1, deletions: 0, changes: 1, ...f }));
      return this.sendPage(res, url, files);
    }
    return this.send(res, 404, { message: 'Not Found' });
  }

  private sendPage(res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), this.maxPerPage);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const links: string[] = [];
    const pageUrl = (n: number) => {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(n));
      next.searchParams.set('per_page', String(perPage));
      return next.toString();
    };
    if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(page - 1)}>; rel="prev"`);
    this.send(res, 200, items.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
  }

  private send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(data));
  }
}
