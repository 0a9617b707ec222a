// Regenerates examples/demo/data/*.json: a GitHub-like issues export, deterministic (seeded PRNG).
// Run: node scripts/make-demo-data.mjs
import fs from 'node:fs';
import path from 'node:path';

let seed = 20240101;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const users = ['octocat', 'hubot', 'mona', 'defunkt', 'mojombo', 'pjhyett', 'wycats', 'ezmobius', 'ivey', 'evanphx']
  .map((login, i) => ({ login, id: 1000 + i, type: i === 1 ? 'Bot' : 'User', site_admin: i === 0 }));
const labels = [
  { id: 1, name: 'bug', color: 'd73a4a', default: true },
  { id: 2, name: 'enhancement', color: 'a2eeef', default: true },
  { id: 3, name: 'good first issue', color: '7057ff', default: true },
  { id: 4, name: 'performance', color: 'fbca04', default: false },
  { id: 5, name: 'docs', color: '0075ca', default: false },
];
const words = ['crash', 'schema', 'merge', 'timeout', 'parser', 'lineage', 'cursor', 'upsert', 'export', 'unicode'];

const issues = [];
const comments = [];
const base = Date.UTC(2024, 0, 1);
for (let n = 1; n <= 240; n++) {
  const created = base + Math.floor(rand() * 300) * 86400000 + Math.floor(rand() * 86400000);
  const updated = created + Math.floor(rand() * 20) * 3600000;
  const closed = rand() < 0.55;
  const issueLabels = labels.filter(() => rand() < 0.3);
  const assignees = users.filter(() => rand() < 0.12);
  const commentCount = Math.floor(rand() * 4);
  issues.push({
    id: 5_000_000 + n,
    number: n,
    title: `${pick(words)} ${pick(words)} fails on ${pick(['large', 'empty', 'nested', 'old'])} input`,
    state: closed ? 'closed' : 'open',
    locked: rand() < 0.05,
    user: pick(users),
    labels: issueLabels,
    assignees,
    milestone: rand() < 0.3 ? { id: 70 + (n % 3), title: `v0.${n % 3 + 1}`, due_on: `2024-${String((n % 9) + 1).padStart(2, '0')}-28` } : null,
    comments: commentCount,
    created_at: new Date(created).toISOString().replace('.000', ''),
    updated_at: new Date(updated).toISOString().replace('.000', ''),
    closed_at: closed ? new Date(updated).toISOString().replace('.000', '') : null,
    author_association: pick(['OWNER', 'MEMBER', 'CONTRIBUTOR', 'NONE']),
    body: rand() < 0.1 ? null : `Steps to reproduce:\n1. run \`sluice ingest\`\n2. see "${pick(words)}" error`,
    reactions: { total_count: Math.floor(rand() * 10), '+1': Math.floor(rand() * 5), '-1': 0, heart: Math.floor(rand() * 3) },
    ...(rand() < 0.2 ? { pull_request: { url: `https://api.github.com/repos/acme/widgets/pulls/${n}`, merged_at: null } } : {}),
  });
  for (let c = 0; c < commentCount; c++) {
    comments.push({
      id: 9_000_000 + n * 10 + c,
      issue_number: n,
      user: pick(users),
      body: pick(['+1', 'Same here.', 'Fixed in main.', 'Can you share the schema?']),
      created_at: new Date(updated + c * 60000).toISOString().replace('.000', ''),
    });
  }
}
const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'examples', 'demo', 'data');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'github_issues.json'), JSON.stringify(issues, null, 1) + '\n');
fs.writeFileSync(path.join(dir, 'github_comments.json'), JSON.stringify(comments, null, 1) + '\n');
console.log(`wrote ${issues.length} issues, ${comments.length} comments`);
