// The demo's helpdesk API: a small local HTTP server that the declarative REST source
// examples/demo/sources/helpdesk.ts reads (bearer token, page-numbered tickets, messages per ticket).
// Run as a child process by scripts/demo.mjs; prints "listening <url>" once it accepts requests.
import http from 'node:http';

const TOKEN = process.env.HELPDESK_TOKEN ?? 'demo-helpdesk-token';
const PAGE_SIZE = 3;

const agents = [
  { id: 1, name: 'Ana Ruiz', team: 'billing' },
  { id: 2, name: 'Bo Chen', team: 'support', on_call: true },
];
const tickets = [
  ['Refund for order 1004', 'open', 'high', 1, ['billing']],
  ['Cannot log in', 'solved', 'normal', 2, []],
  ['Invoice address wrong', 'open', 'low', 1, ['billing', 'invoice']],
  ['App crashes on export', 'pending', 'urgent', 2, null],
  ['Change plan', 'solved', 'normal', null, ['sales']],
  ['Shipping delayed', 'open', 'high', 2, ['shipping']],
  ['Duplicate charge', 'open', 'urgent', 1, ['billing']],
].map(([subject, status, priority, assignee, tags], i) => ({
  id: 5001 + i,
  subject,
  status,
  priority,
  assignee_id: assignee,
  ...(tags === null ? {} : { tags }),
  created_at: `2024-03-0${1 + i}T08:30:00Z`,
  updated_at: `2024-03-${String(10 + i).padStart(2, '0')}T16:00:00Z`,
}));
const messages = new Map(
  tickets.map((t, i) => [
    t.id,
    Array.from({ length: i % 3 }, (_, j) => ({
      id: t.id * 10 + j,
      author: j === 0 ? 'customer' : 'agent',
      body: j === 0 ? `About: ${t.subject}` : 'Looking into it.',
      sent_at: `2024-03-${String(10 + i).padStart(2, '0')}T1${j}:00:00Z`,
    })),
  ]),
);

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: 'invalid token' });
  if (url.pathname === '/api/agents') return send(200, { agents });
  if (url.pathname === '/api/tickets') {
    const since = url.searchParams.get('updated_since') ?? '';
    const page = Number(url.searchParams.get('page') ?? 1);
    const matching = tickets.filter((t) => t.updated_at >= since);
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    return send(200, { tickets: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), meta: { page, total_pages: pages } });
  }
  const m = /^\/api\/tickets\/(\d+)\/messages$/.exec(url.pathname);
  if (m && messages.has(Number(m[1]))) return send(200, { messages: messages.get(Number(m[1])) });
  send(404, { error: 'not found' });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening http://127.0.0.1:${server.address().port}/api/\n`));
process.on('SIGTERM', () => process.exit(0));
// Ends with the demo, however the demo ends: its end of the stdin pipe closes.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
