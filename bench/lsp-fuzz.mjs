// `npm run bench:lsp`: the language server under an editor's worst ten minutes. A copy of the demo project,
// plus three large generated models (25 KB and 60 KB of aggregates, 57 KB of chained CTEs), is opened in dist/server.js over stdio; then random
// edits arrive at typing speed — words, deletions, pasted 50–200 KB blocks, unbalanced parentheses,
// unterminated strings, broken MODEL headers, undo back to the original — with hover, completion,
// definition, references and CodeLens requests in between, on the edited file and on others, without waiting
// for answers (as an editor does). Typing pauses now and then; every edited file must then get diagnostics
// for its last version.
//
// Prints, and writes to bench/.out/lsp-fuzz.json: latency p50/p95/p99/max per request kind, requests over
// 1 s, requests unanswered after 10 s, error responses, diagnostics lag after the last edit (and updates that
// never came), the server's peak RSS and whether it crashed. The baseline, measured in the same run, is the
// same requests on the same files with no edits going on (the quiet server); the targets are p99 ≤ 200 ms
// for hover/completion/definition, every diagnostics update within 1 s, RSS ≤ 300 MB, 0 crashes.
//
// Options: --edits N (default 3000), --seed N, --quiet-requests N (default 300).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { random } from './engine.mjs';
import { benchDir, fail, root } from './ingest-common.mjs';

const TARGETS = { p99Ms: 200, diagnosticsMs: 1000, rssMb: 300 };
const UNANSWERED_MS = 10_000;
const TYPING_GAP_MS = 35;
const PAUSE_EVERY = 40;
const PAUSE_MS = 1500;
const MAX_FILE_CHARS = 400_000;
const FEATURE_METHODS = ['textDocument/hover', 'textDocument/completion', 'textDocument/definition'];
const ALL_METHODS = [...FEATURE_METHODS, 'textDocument/references', 'textDocument/codeLens'];

const args = parseArgs(process.argv.slice(2));
const serverPath = path.join(root, 'dist', 'server.js');
if (!fs.existsSync(serverPath)) fail('dist/server.js is missing: run npm run build');

const rand = random(args.seed);
const pick = (list) => list[Math.floor(rand() * list.length)];
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the project ----

function copyDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lsp-fuzz-'));
  fs.cpSync(path.join(root, 'examples', 'demo'), dir, {
    recursive: true,
    filter: (src) => !/[\\/]\.sluice$/.test(src) && !/\.duckdb(\.wal)?$/.test(src),
  });
  fs.writeFileSync(path.join(dir, 'models', 'marts', 'order_report.sql'), largeModel('analytics.order_report', 25_000));
  fs.writeFileSync(path.join(dir, 'models', 'marts', 'order_cube.sql'), largeModel('analytics.order_cube', 60_000));
  fs.writeFileSync(path.join(dir, 'models', 'marts', 'order_chain.sql'), chainModel('analytics.order_chain', 57_000));
  return dir;
}

/** A model reading the demo's orders_enriched with as many computed columns as fit in `size` characters. */
function largeModel(name, size) {
  const numeric = ['amount', 'order_id', 'customer_id'];
  const text = ['status', 'customer_name', 'customer_tier', 'shipping_city'];
  const lines = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line =
      i % 4 === 0
        ? `  sum(CASE WHEN status = 'placed' AND ${pick(numeric)} > ${i} THEN amount ELSE 0 END) AS placed_${i}`
        : i % 4 === 1
          ? `  count(DISTINCT ${pick(text)}) FILTER (WHERE order_date >= DATE '2024-01-01' + ${i}) AS distinct_${i}`
          : i % 4 === 2
            ? `  max(coalesce(${pick(numeric)}, 0) * ${i}) AS peak_${i} -- weighted by ${i}`
            : `  string_agg(DISTINCT upper(${pick(text)}), ', ') AS names_${i}`;
    lines.push(line);
    length += line.length + 2;
  }
  return `-- Generated: a wide report over orders.\nMODEL (\n  name ${name},\n  kind FULL,\n  grain order_date\n);\n\nSELECT\n  order_date,\n${lines.join(',\n')}\nFROM intermediate.orders_enriched\nGROUP BY order_date\n`;
}

/** A model of CTEs each reading the one before (`prev.*` plus eight computed columns and a self join). */
function chainModel(name, size) {
  const ctes = ['c0 AS (SELECT * FROM intermediate.orders_enriched)'];
  let length = 0;
  for (let i = 1; length < size; i++) {
    const computed = Array.from({ length: 8 }, (_, k) => `CASE WHEN c${i - 1}.amount > ${i * k} THEN coalesce(o${i}.amount, 0) + ${k} END AS x${i}_${k}`);
    const cte = `c${i} AS (\n  SELECT c${i - 1}.*,\n    ${computed.join(',\n    ')}\n  FROM c${i - 1}\n  LEFT JOIN intermediate.orders_enriched AS o${i} ON o${i}.order_id = c${i - 1}.order_id\n  WHERE c${i - 1}.status <> 'x${i}'\n)`;
    ctes.push(cte);
    length += cte.length + 2;
  }
  return `MODEL (\n  name ${name},\n  kind FULL\n);\n\nWITH ${ctes.join(',\n')}\nSELECT * FROM c${ctes.length - 1}\n`;
}

function modelFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sql')) out.push(p);
    }
  };
  walk(path.join(dir, 'models'));
  return out.sort();
}

// ---- the server ----

function startServer(dir) {
  const proc = spawn(process.execPath, [serverPath, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const connection = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const state = { proc, connection, exitCode: undefined, stderr: () => stderr, diagnostics: [] };
  proc.once('exit', (code, signal) => (state.exitCode = code ?? signal));
  connection.onNotification('textDocument/publishDiagnostics', (p) => state.diagnostics.push({ at: performance.now(), uri: p.uri, version: p.version }));
  connection.onNotification(() => undefined);
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  connection.onRequest(() => null);
  connection.listen();
  const uri = pathToFileURL(dir).href;
  state.ready = connection
    .sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'demo' }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, codeLens: { refreshSupport: true } },
        textDocument: { publishDiagnostics: { versionSupport: true } },
      },
      initializationOptions: { trusted: false },
    })
    .then(() => connection.sendNotification('initialized', {}));
  return state;
}

/** Samples the server's resident memory every 100 ms; peak() is the highest seen (or VmHWM). */
function watchMemory(pid) {
  let peak = 0;
  const read = () => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      peak = Math.max(peak, hwm);
    } catch {
      // The process is gone.
    }
  };
  const timer = setInterval(read, 100);
  return { peak: () => (read(), peak), stop: () => clearInterval(timer) };
}

// ---- documents, as the editor holds them ----

class Documents {
  constructor(connection, files) {
    this.connection = connection;
    this.docs = files.map((file) => {
      const text = fs.readFileSync(file, 'utf8');
      return { file, uri: pathToFileURL(file).href, original: text, text, version: 1, editedAt: undefined };
    });
  }

  async openAll() {
    for (const d of this.docs) {
      await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: d.uri, languageId: 'sql', version: 1, text: d.text } });
    }
  }

  /** Replaces [start, end) of the document's text (offsets) and tells the server, as an incremental change. */
  replace(doc, start, end, inserted) {
    const range = { start: positionAt(doc.text, start), end: positionAt(doc.text, end) };
    doc.text = doc.text.slice(0, start) + inserted + doc.text.slice(end);
    doc.version++;
    doc.editedAt = performance.now();
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: doc.uri, version: doc.version },
      contentChanges: [{ range, text: inserted }],
    });
  }
}

function positionAt(text, offset) {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

// ---- edits ----

const WORDS = ['amount', 'customer_id', 'sum(', ')', 'SELECT ', 'FROM ', 'intermediate.orders_enriched', ', ', 'AS x', 'WHERE ', '1', ' ', '\n', 'order_date', 'cust', "'", '--'];

function pasteBlock() {
  const size = between(50_000, 200_000);
  const lines = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = i % 7 === 0 ? `  -- pasted block line ${i}` : `  coalesce(amount, ${i}) + ${i} AS pasted_${i},`;
    lines.push(line);
    length += line.length + 1;
  }
  return '\n' + lines.join('\n') + '\n';
}

/** One random edit to doc; returns its kind. */
function randomEdit(docs, doc) {
  const at = Math.floor(rand() * (doc.text.length + 1));
  const roll = rand();
  if (doc.text.length > MAX_FILE_CHARS || roll < 0.04) {
    docs.replace(doc, 0, doc.text.length, doc.original);
    return 'undo';
  }
  if (roll < 0.05) {
    docs.replace(doc, at, at, pasteBlock());
    return 'paste';
  }
  if (roll < 0.1) {
    docs.replace(doc, at, at, pick(['(', '((', ')', '(SELECT ']));
    return 'paren';
  }
  if (roll < 0.14) {
    docs.replace(doc, at, at, pick(["'unterminated", '"unterminated', "'"]));
    return 'string';
  }
  if (roll < 0.17) {
    const header = doc.text.indexOf('MODEL (');
    if (header >= 0) {
      const cut = header + between(0, 40);
      docs.replace(doc, cut, Math.min(doc.text.length, cut + between(1, 12)), pick(['', ',', 'kind', ';', '(']));
      return 'header';
    }
  }
  if (roll < 0.3) {
    docs.replace(doc, at, Math.min(doc.text.length, at + between(1, 30)), '');
    return 'delete';
  }
  docs.replace(doc, at, at, pick(WORDS));
  return 'type';
}

// ---- requests ----

class Requests {
  constructor(connection) {
    this.connection = connection;
    this.samples = new Map(ALL_METHODS.map((m) => [m, []]));
    this.errors = [];
    this.pending = new Set();
  }

  /** Sends a request at a random position of doc without waiting; its latency is recorded when it answers. */
  fire(doc, method) {
    const offset = Math.floor(rand() * (doc.text.length + 1));
    const params = { textDocument: { uri: doc.uri } };
    if (method !== 'textDocument/codeLens') params.position = positionAt(doc.text, offset);
    if (method === 'textDocument/references') params.context = { includeDeclaration: true };
    const started = performance.now();
    const entry = { method, started };
    this.pending.add(entry);
    return this.connection.sendRequest(method, params).then(
      () => {
        this.pending.delete(entry);
        this.samples.get(method).push(performance.now() - started);
      },
      (err) => {
        this.pending.delete(entry);
        this.samples.get(method).push(performance.now() - started);
        this.errors.push(`${method}: ${err?.message ?? err}`);
      },
    );
  }

  unansweredAfter(ms) {
    const now = performance.now();
    return [...this.pending].filter((p) => now - p.started > ms).length;
  }
}

// ---- run ----

async function main() {
  const dir = copyDemo();
  const server = startServer(dir);
  const memory = watchMemory(server.proc.pid);
  try {
    await server.ready;
    const docs = new Documents(server.connection, modelFiles(dir));
    await docs.openAll();
    await waitForDiagnostics(server, docs, 30_000);

    console.log(`quiet: ${args.quietRequests} requests on ${docs.docs.length} model files, no edits`);
    const quiet = new Requests(server.connection);
    for (let i = 0; i < args.quietRequests; i++) await quiet.fire(pick(docs.docs), pick(ALL_METHODS));

    console.log(`fuzz: ${args.edits} edits (seed ${args.seed})`);
    const fuzz = new Requests(server.connection);
    const kinds = {};
    /** The last version of each file edited in a burst, when typing paused: each must get diagnostics. */
    const awaited = [];
    let current = pick(docs.docs);
    let edited = new Set();
    const started = performance.now();
    for (let i = 1; i <= args.edits; i++) {
      if (rand() < 0.1) current = pick(docs.docs);
      const kind = randomEdit(docs, current);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      edited.add(current);
      if (rand() < 0.6) void fuzz.fire(rand() < 0.5 ? current : pick(docs.docs), pick(ALL_METHODS));
      if (server.exitCode !== undefined) break;
      if (i % PAUSE_EVERY === 0) {
        for (const doc of edited) awaited.push({ uri: doc.uri, version: doc.version, editedAt: doc.editedAt });
        edited = new Set();
        await sleep(PAUSE_MS);
        if (i % (PAUSE_EVERY * 10) === 0) console.log(`  ${i} edits, ${Math.round((performance.now() - started) / 1000)} s`);
      } else await sleep(TYPING_GAP_MS);
    }
    for (const doc of edited) awaited.push({ uri: doc.uri, version: doc.version, editedAt: doc.editedAt });
    // Diagnostics that were only late, not lost, count as late; those that never came, as never.
    await sleep(UNANSWERED_MS);
    const lags = [];
    let never = 0;
    for (const wait of awaited) {
      const lag = diagnosticsLag(server, wait);
      if (lag === undefined) never++;
      else lags.push(lag);
    }
    const unanswered = fuzz.unansweredAfter(UNANSWERED_MS);
    const rssMb = memory.peak() / (1 << 20);
    const crashed = server.exitCode !== undefined;
    report({ quiet, fuzz, kinds, lags, never, unanswered, rssMb, crashed, files: docs.docs.length, stderr: server.stderr() });
  } finally {
    memory.stop();
    server.connection.dispose();
    server.proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until every open document has had diagnostics published at least once. */
async function waitForDiagnostics(server, docs, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const seen = new Set(server.diagnostics.map((d) => d.uri));
    if (docs.docs.every((d) => seen.has(d.uri))) return;
    await sleep(50);
  }
  // Files without problems need not get any; go on.
}

/** Time from an edit to the first diagnostics for the version it made, or undefined if none came. */
function diagnosticsLag(server, { uri, version, editedAt }) {
  const hit = server.diagnostics.find((d) => d.uri === uri && d.version === version);
  return hit ? hit.at - editedAt : undefined;
}

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples) {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.length ? Math.max(...samples) : null,
    over1s: samples.filter((s) => s > 1000).length,
  };
}

function report({ quiet, fuzz, kinds, lags, never, unanswered, rssMb, crashed, files, stderr }) {
  const ms = (v) => (v === null ? 'n/a' : `${Math.round(v)}`);
  const rows = [];
  const result = { files, edits: kinds, methods: {}, targets: TARGETS };
  for (const method of ALL_METHODS) {
    const q = summary(quiet.samples.get(method));
    const f = summary(fuzz.samples.get(method));
    result.methods[method] = { quiet: q, fuzz: f };
    rows.push([method.replace('textDocument/', ''), f.count, ms(f.p50), ms(f.p95), ms(f.p99), ms(f.max), f.over1s, ms(q.p99)]);
  }
  const featureFuzz = FEATURE_METHODS.flatMap((m) => fuzz.samples.get(m));
  const featureQuiet = FEATURE_METHODS.flatMap((m) => quiet.samples.get(m));
  const p99 = percentile(featureFuzz, 99);
  const quietP99 = percentile(featureQuiet, 99);
  const lag = summary(lags);
  const late = lags.filter((l) => l > TARGETS.diagnosticsMs).length;
  Object.assign(result, {
    featureP99Ms: p99,
    quietFeatureP99Ms: quietP99,
    ratioToTarget: p99 / TARGETS.p99Ms,
    ratioToQuiet: quietP99 ? p99 / quietP99 : null,
    errorResponses: fuzz.errors.length,
    unansweredAfter10s: unanswered,
    diagnostics: { updates: lags.length, p50: lag.p50, p99: lag.p99, max: lag.max, over1s: late, never },
    peakRssMb: rssMb,
    crashed,
  });

  console.log('\nrequest       count   p50   p95   p99   max  >1s  quiet p99 (ms)');
  for (const r of rows) console.log(`${r[0].padEnd(12)}${String(r[1]).padStart(7)}${r.slice(2, 6).map((v) => String(v).padStart(6)).join('')}${String(r[6]).padStart(5)}${String(r[7]).padStart(11)}`);
  console.log(`\nedits: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  console.log(`hover/completion/definition p99: ${ms(p99)} ms — ${(p99 / TARGETS.p99Ms).toFixed(2)}× the ${TARGETS.p99Ms} ms target, ${quietP99 ? (p99 / quietP99).toFixed(1) : 'n/a'}× the quiet server (${ms(quietP99)} ms)`);
  console.log(`error responses: ${fuzz.errors.length}${fuzz.errors.length ? ` (first: ${fuzz.errors[0]})` : ''}; unanswered after 10 s: ${unanswered}`);
  console.log(`diagnostics after the last edit: ${lags.length} updates, p50 ${ms(lag.p50)} ms, p99 ${ms(lag.p99)} ms, max ${ms(lag.max)} ms, ${late} over 1 s, ${never} never came`);
  console.log(`server peak RSS: ${rssMb.toFixed(0)} MB (target ≤ ${TARGETS.rssMb} MB); crashed: ${crashed ? 'yes' : 'no'}`);
  if (crashed) console.log(stderr.slice(-2000));
  fs.mkdirSync(path.join(benchDir, '.out'), { recursive: true });
  fs.writeFileSync(path.join(benchDir, '.out', 'lsp-fuzz.json'), JSON.stringify(result, null, 2));
}

function parseArgs(argv) {
  const out = { edits: 3000, seed: 7, quietRequests: 300 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--edits') (out.edits = Number(value)), i++;
    else if (flag === '--seed') (out.seed = Number(value)), i++;
    else if (flag === '--quiet-requests') (out.quietRequests = Number(value)), i++;
    else fail(`unknown option ${flag}`);
  }
  return out;
}

await main();
