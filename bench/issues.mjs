// Deterministic records shaped like GitHub issues, shared by both sides of the ingest benchmark:
// the Sluice source yields them, and the same records are written to NDJSON for DuckDB's read_json.

const STATES = ['open', 'closed'];
const ASSOCIATIONS = ['OWNER', 'MEMBER', 'CONTRIBUTOR', 'NONE'];
const AREAS = ['parser', 'planner', 'storage', 'cli', 'docs', 'network', 'ui', 'build'];
const BASE_MS = Date.UTC(2023, 0, 1);

/** Record i (0-based): about ten scalar fields, a nested `user` object and a `labels` list of two objects. */
export function issue(i) {
  const n = i + 1;
  const created = BASE_MS + n * 61_000;
  const area = AREAS[n % AREAS.length];
  return {
    id: 2_000_000_000 + n,
    number: n,
    title: `Crash in ${area} when input ${n} is empty`,
    state: STATES[n % 7 === 0 ? 1 : 0],
    locked: n % 13 === 0,
    comments: n % 31,
    score: (n % 1000) / 8,
    author_association: ASSOCIATIONS[n % ASSOCIATIONS.length],
    created_at: new Date(created).toISOString(),
    updated_at: new Date(created + (n % 5000) * 1000).toISOString(),
    body: `Steps: run "${area} --check" on file_${n}.txt, then retry; expected exit 0, got ${n % 3}.`,
    user: {
      login: `user${n % 9973}`,
      id: 100_000 + (n % 9973),
      type: n % 50 === 0 ? 'Bot' : 'User',
      site_admin: n % 1000 === 0,
    },
    labels: [
      { id: 1, name: 'bug', color: 'd73a4a', default: true },
      { id: 10 + (n % AREAS.length), name: `area: ${area}`, color: 'c5def5', default: false },
    ],
  };
}

/** Labels per record: the child table holds exactly this many rows per record. */
export const LABELS_PER_ISSUE = 2;
