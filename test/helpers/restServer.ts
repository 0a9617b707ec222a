// A GitHub-like HTTP API served from the test process (node:http), for the declarative REST source:
// one endpoint per paginator, each auth scheme, and endpoints that misbehave (429, 500, loops, 404).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const TOKEN = 'ghp_s3cretTokenValue42';
export const API_KEY = 'key-9f8e7d6c5b';
export const BASIC = { user: 'ci-bot', password: 'pa55-w0rd!' };
export const OAUTH = { id: 'client-1', secret: 'oauth-client-secret-77', token: 'issued-access-token-abc' };

export interface Issue {
  number: number;
  title: string;
  state: string;
  updated_at: string;
  labels?: { name: string }[];
  assignee: { login: string } | null;
  milestone?: string | number;
}

export interface Comment {
  id: number;
  body: string;
  updated_at: string;
  user: { login: string };
}

export interface ApiServer {
  url: string;
  /** Every request received: method, path with query, and its Authorization header. */
  requests: { method: string; url: string; auth?: string; at: number }[];
  issues: Issue[];
  comments: Map<number, Comment[]>;
  close(): Promise<void>;
}

export async function startApiServer(): Promise<ApiServer> {
  const issues: Issue[] = [
    { number: 1, title: 'Crash on start', state: 'open', updated_at: '2024-03-01T10:00:00Z', labels: [{ name: 'bug' }], assignee: { login: 'ana' } },
    { number: 2, title: 'Docs typo', state: 'closed', updated_at: '2024-03-02T10:00:00Z', assignee: null, milestone: 'v1' },
    { number: 3, title: 'Slow query', state: 'open', updated_at: '2024-03-03T10:00:00Z', labels: [], assignee: null, milestone: 3 },
    { number: 4, title: 'Add export', state: 'open', updated_at: '2024-03-04T10:00:00Z', labels: [{ name: 'feature' }, { name: 'ux' }], assignee: { login: 'bo' } },
    { number: 5, title: 'Login fails', state: 'open', updated_at: '2024-03-05T10:00:00Z', assignee: null },
    { number: 6, title: 'Old thing', state: 'closed', updated_at: '2023-12-31T23:59:59Z', assignee: null },
    { number: 7, title: 'Dark mode', state: 'open', updated_at: '2024-03-06T10:00:00Z', assignee: { login: 'ana' } },
  ];
  const comments = new Map<number, Comment[]>([
    [1, [1, 2, 3].map((i) => ({ id: 100 + i, body: `comment ${i} on 1`, updated_at: `2024-03-01T1${i}:00:00Z`, user: { login: 'ana' } }))],
    [3, [{ id: 301, body: 'same here', updated_at: '2024-03-03T11:00:00Z', user: { login: 'cy' } }]],
    [4, [{ id: 401, body: '+1', updated_at: '2024-03-04T11:00:00Z', user: { login: 'dee' } }]],
  ]);
  const requests: ApiServer['requests'] = [];
  let flaky = 0;
  let slow = 0;
  const users = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, login: `user${i + 1}`, site_admin: i === 0 }));
  const events = Array.from({ length: 5 }, (_, i) => ({ id: `e${i + 1}`, type: i % 2 ? 'PushEvent' : 'IssuesEvent', payload: i % 2 ? { size: i } : { action: 'opened' } }));
  const stargazers = Array.from({ length: 7 }, (_, i) => ({ login: `fan${i + 1}`, starred_at: `2024-01-0${i + 1}T00:00:00Z` }));
  const releases = Array.from({ length: 5 }, (_, i) => ({ id: 900 + i, tag: `v0.${i}`, draft: i === 4 }));

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? 'GET', url: url.pathname + url.search, auth: req.headers.authorization, at: Date.now() });
    const base = `http://${req.headers.host}`;
    const q = url.searchParams;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const denied = () => send(401, { message: 'Bad credentials' });
    const p = url.pathname;

    if (p === '/oauth/token' && req.method === 'POST') {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        const form = new URLSearchParams(text);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== OAUTH.id || form.get('client_secret') !== OAUTH.secret) return denied();
        send(200, { access_token: OAUTH.token, token_type: 'bearer', expires_in: 3600 });
      });
      return;
    }
    // The GitHub-like repo API: bearer auth, Link headers.
    if (p.startsWith('/repos/acme/app/')) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return denied();
      if (p === '/repos/acme/app/issues') {
        const perPage = Number(q.get('per_page') ?? 30);
        const page = Number(q.get('page') ?? 1);
        const since = q.get('since');
        const matching = issues.filter((i) => !since || i.updated_at >= since).sort((a, b) => a.number - b.number);
        const pages = Math.max(1, Math.ceil(matching.length / perPage));
        const links: string[] = [];
        const link = (n: number, rel: string) => {
          const next = new URL(url.pathname + url.search, base);
          next.searchParams.set('page', String(n));
          links.push(`<${next.href}>; rel="${rel}"`);
        };
        if (page < pages) link(page + 1, 'next');
        link(pages, 'last');
        return send(200, matching.slice((page - 1) * perPage, page * perPage), { Link: links.join(', ') });
      }
      const m = /^\/repos\/acme\/app\/issues\/(\d+)\/comments$/.exec(p);
      if (m) {
        const since = q.get('since');
        const all = (comments.get(Number(m[1])) ?? []).filter((c) => !since || c.updated_at >= since);
        const offset = Number(q.get('from') ?? 0);
        const next = offset + 2 < all.length ? `${base}${p}?from=${offset + 2}${since ? `&since=${encodeURIComponent(since)}` : ''}` : null;
        return send(200, { data: all.slice(offset, offset + 2), next });
      }
      if (p === '/repos/acme/app/labels') return send(200, [{ name: 'bug', color: 'f00' }, { name: 'feature', color: '0f0', description: 'new' }]);
      if (p === '/repos/acme/app/missing') return send(404, { message: 'Not Found', documentation_url: 'https://docs.example/rest' });
      return send(404, { message: 'Not Found' });
    }
    // The catalog API: api key in the query, one paginator per endpoint.
    if (p.startsWith('/catalog/')) {
      if (q.get('api_key') !== API_KEY) return denied();
      const offset = Number(q.get('offset') ?? 0);
      const limit = Number(q.get('limit') ?? 100);
      if (p === '/catalog/users') {
        // Like some APIs, links in the data echo the caller's key.
        const page = users.slice(offset, offset + limit).map((u) => ({ ...u, avatar_url: `${base}/avatars/${u.id}?api_key=${API_KEY}` }));
        return send(200, { total: users.length, items: page });
      }
      if (p === '/catalog/events') return send(200, { events: events.slice(offset, offset + limit) });
      if (p === '/catalog/stargazers') {
        const page = Number(q.get('p') ?? 1);
        return send(200, { meta: { pages: Math.ceil(stargazers.length / 3) }, data: stargazers.slice((page - 1) * 3, page * 3) });
      }
      if (p === '/catalog/releases') {
        const at = Number(q.get('cursor') ?? 0);
        return send(200, { releases: releases.slice(at, at + 2), meta: { next_cursor: at + 2 < releases.length ? String(at + 2) : null } });
      }
      if (p === '/catalog/flaky') {
        flaky++;
        if (flaky === 1) return send(429, { message: 'slow down' }, { 'Retry-After': '1' });
        if (flaky === 2) return send(500, 'upstream exploded');
        return send(200, [{ id: 1, ok: true }, { id: 2, ok: false, note: 'third try' }]);
      }
      if (p === '/catalog/slow') {
        // The first answer comes too late for the client's timeout; the retry is answered at once.
        const delay = ++slow === 1 ? 3000 : 0;
        setTimeout(() => { if (!res.destroyed) send(200, [{ id: slow }]); }, delay);
        return;
      }
      if (p === '/catalog/loop') {
        // Page 2 links to itself: a next-link loop.
        const page = q.get('page') ?? '1';
        return send(200, { data: [{ id: Number(page) * 10 }], next: `${base}${p}?page=2&api_key=${API_KEY}` });
      }
      if (p === '/catalog/repeat') return send(200, { data: [{ id: 1 }, { id: 2 }] }); // ignores page: a repeated page
      if (p === '/catalog/history') {
        const since = q.get('since') ?? '';
        const until = q.get('until') ?? '9999';
        const rows = ['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01'].map((d, i) => ({ id: i + 1, day: d }));
        return send(200, rows.filter((r) => r.day >= since && r.day <= until));
      }
      return send(404, { message: 'Not Found' });
    }
    if (p === '/basic/me') {
      const expected = `Basic ${Buffer.from(`${BASIC.user}:${BASIC.password}`).toString('base64')}`;
      return req.headers.authorization === expected ? send(200, { login: BASIC.user, plan: { name: 'pro' } }) : denied();
    }
    if (p === '/oauth-api/orgs') {
      return req.headers.authorization === `Bearer ${OAUTH.token}` ? send(200, { data: [{ id: 'o1' }, { id: 'o2' }] }) : denied();
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issues,
    comments,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
