// Hostile input through the real CLI: odd keys, odd values, odd shapes, odd names, failing generators,
// broken config and secrets. Each case either loads exactly what it should, or fails with one clear line
// and leaves the warehouse exactly as it was (plus a failed row in _sluice.loads).
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { qualified, quoteIdent } from '../../core/warehouse/quote';
import { makeProject, runCli, runCliJson, type CliRun, type TempProject } from '../helpers/project';

type Json = Record<string, any>;

/** Runs queries on a DuckDB file opened read-only once; rows come back JSON-friendly. */
async function withDb<T>(file: string, fn: (sql: (text: string, params?: string[]) => Promise<Json[]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return await fn(async (text, params) => (await connection.runAndReadAll(text, params)).getRowObjectsJson() as Json[]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const sql = (project: TempProject, text: string, params?: string[]) => withDb(project.warehouse, (q) => q(text, params));

/** Everything a load can change, except the log of load attempts, which is returned separately. */
async function snapshot(project: TempProject): Promise<{ data: Json; loads: Json[] }> {
  const yamlDir = path.join(project.dir, 'schemas');
  const yaml = fs.existsSync(yamlDir) ? fs.readdirSync(yamlDir).map((f) => [f, fs.readFileSync(path.join(yamlDir, f), 'utf8')]) : [];
  if (!fs.existsSync(project.warehouse)) return { data: { yaml }, loads: [] };
  return withDb(project.warehouse, async (q) => {
    const columns = await q(
      `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position`,
    );
    const rows: Json = {};
    const tables = [...new Set(columns.filter((c) => c.table_schema !== '_sluice').map((c) => `${c.table_schema}\u0000${c.table_name}`))];
    for (const key of tables) {
      const [schema, table] = key.split('\u0000');
      rows[key] = await q(`SELECT * FROM ${qualified(schema, table)} ORDER BY ALL`);
    }
    const state = await q(`SELECT source, resource, CAST(state AS VARCHAR) AS state, load_id FROM _sluice.state ORDER BY ALL`);
    const schemas = await q(`SELECT source, version, CAST("schema" AS VARCHAR) AS "schema", load_id FROM _sluice.schemas ORDER BY ALL`);
    const loads = await q(`SELECT load_id, status, error FROM _sluice.loads ORDER BY started_at, load_id`);
    return { data: { columns, rows, state, schemas, yaml }, loads };
  });
}

/** Exit 1, `--json` status failed with an error matching every pattern, and stderr exactly one `sluice:` line. */
function assertCleanFailure(run: CliRun & { json: Json }, source: string, ...patterns: RegExp[]): void {
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.json.status, 'failed');
  for (const pattern of patterns) assert.match(run.json.error, pattern);
  assert.equal(run.stderr, `sluice: ingest of ${source} failed: ${run.json.error}\n`);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}

/** Runs a load that must fail, and checks that it left no trace but its failed row in _sluice.loads. */
async function failsWithoutTrace(
  project: TempProject,
  env: NodeJS.ProcessEnv,
  ...patterns: RegExp[]
): Promise<CliRun & { json: Json }> {
  const before = await snapshot(project);
  const run = runCliJson(['ingest', 'h'], project.dir, env);
  assertCleanFailure(run, 'h', ...patterns);
  const after = await snapshot(project);
  assert.deepEqual(after.data, before.data, 'the failed load changed the warehouse');
  assert.deepEqual(after.loads.slice(0, -1), before.loads);
  assert.deepEqual(after.loads.at(-1), { load_id: run.json.load_id, status: 'failed', error: run.json.error });
  const packages = path.join(project.dir, '.sluice', 'packages', 'h');
  assert.deepEqual(fs.existsSync(packages) ? fs.readdirSync(packages) : [], [], 'a load package was left behind');
  return run;
}

function loadsCleanly(project: TempProject, env: NodeJS.ProcessEnv = {}, args: string[] = ['h']): CliRun & { json: Json } {
  const run = runCliJson(['ingest', ...args], project.dir, env);
  assert.equal(run.code, 0, run.stderr || JSON.stringify(run.json));
  assert.equal(run.json.status, 'loaded');
  return run;
}

async function columnsOf(project: TempProject, schema: string, table: string): Promise<Record<string, string>> {
  const rows = await sql(
    project,
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

/** The stored schema as `sluice schema --json` prints it. */
function schemaDocument(project: TempProject, source: string): Json {
  const run = runCliJson(['schema', source], project.dir);
  assert.equal(run.code, 0, run.stderr);
  return run.json;
}

/** Column name and type of each field path of a table (`sluice schema --json`). */
function fieldsOf(project: TempProject, source: string, table: string): Record<string, { name: string; data_type: string }> {
  const columns = schemaDocument(project, source).tables[table].columns as Record<string, { field?: string; data_type: string }>;
  return Object.fromEntries(
    Object.entries(columns).filter(([, c]) => c.field !== undefined).map(([name, c]) => [c.field!, { name, data_type: c.data_type }]),
  );
}

/** Every file under dir (recursively), as paths relative to it. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

const deepObject = `function deep(n: number): any { let v: any = { leaf: 'bottom' }; for (let i = 1; i < n; i++) v = { k: v }; return v; }`;

const secret = 'tok-5ecret-VALUE-123';

/**
 * Source "h" for the cases that must be refused: resource "events" yields three ordinary items, then,
 * when HOSTILE names a case, that case's items (or throw). Item 3 is always the hostile one.
 */
const refusalSource = `${deepObject}
const cases: Record<string, (ctx: any) => Iterable<unknown>> = {
  'case-collision': function* () { yield { id: 9, Name: 'upper', name: 'lower' }; },
  'nfd-key': function* () { yield { id: 9, ['cafe\\u0301']: 'nfd' }; },
  'newline-key': function* () { yield { id: 9, 'a\\nb': 1, a_b: 2 }; },
  'system-key': function* () { yield { id: 9, _sluice_id: 'forged' }; },
  'surrogate-key': function* () { yield { id: 9, meta: { ['k\\ud800']: 1 } }; },
  'surrogate-value': function* () { yield { id: 9, tags: ['ok', 'half an emoji \\ud83d'] }; },
  'invalid-date': function* () { yield { id: 9, meta: { when: new Date('not a date') } }; },
  'cycle-object': function* () { const a: any = { id: 9, child: { x: 1 } }; a.child.back = a; yield a; },
  'cycle-list': function* () { const a: any = { id: 9, list: [{ x: 1 }] }; a.list[0].back = a.list; yield a; },
  'too-deep': function* () { yield { id: 9, d: deep(50000) }; },
  number: function* () { yield 42; },
  string: function* () { yield 'str'; },
  null: function* () { yield null; },
  instance: function* () { yield new (class Client { token = 'x'; call() { return 1; } })(); },
  'throw-string': function* () { throw 'first line\\nsecond line'; },
  'throw-plain': function* () { throw { status: 503, message: 'Service Unavailable' }; },
  'throw-null-prototype': function* () { throw Object.create(null); },
  'secret-state': function* (ctx) { ctx.state.session = { auth: ['Bearer ' + ctx.secrets.TOKEN] }; yield { id: 9 }; },
};
export default { name: 'h', resources: [{ name: 'events', *rows(ctx: any) {
  for (let i = 0; i < 3; i++) yield { id: i, note: 'fine ' + i, ['caf\\u00e9']: 'nfc' };
  if (process.env.HOSTILE) yield* cases[process.env.HOSTILE](ctx);
} }] };`;

describe('hostile input (end to end)', function () {
  this.timeout(60_000);
  let project: TempProject;
  afterEach(() => project?.cleanup());

  describe('refused input leaves the warehouse as it was', () => {
    // One warehouse for all cases: each refused load must leave it exactly as the first load made it.
    let shared: TempProject;
    before(() => {
      shared = makeProject({ 'sluice.yaml': 'name: t\nsources:\n  h:\n    secrets: [TOKEN]\n', 'sources/h.ts': refusalSource });
      loadsCleanly(shared, { TOKEN: secret });
    });
    after(() => shared?.cleanup());
    const refuse = (hostile: string, ...patterns: RegExp[]) => failsWithoutTrace(shared, { HOSTILE: hostile, TOKEN: secret }, ...patterns);

    it('keys that differ only in case (Name, name) collide, naming both keys', async () => {
      await refuse('case-collision', /^resource 'events': field 'name' and field 'Name' both map to column 'name' of table 'events'/);
    });

    it('NFC and NFD spellings of one key collide across loads, the error showing how they differ', async () => {
      await refuse('nfd-key', /^resource 'events': field 'cafe\\u0301' and field 'caf\\u00e9' both map to column 'café'/);
    });

    it('a colliding key with a line break keeps the error on one line, the break escaped', async () => {
      await refuse('newline-key', /^resource 'events': field 'a_b' and field 'a\\nb' both map to column 'a_b'/);
    });

    it('_sluice_id in the data is refused rather than clobbering the system column', async () => {
      await refuse('system-key', /^resource 'events': field '_sluice_id' maps to column '_sluice_id' in table 'events', but names starting with _sluice_ are reserved/);
    });

    it('a key with a lone surrogate is refused naming its path and the item', async () => {
      await refuse('surrogate-key', /^resource 'events': field 'meta\.k\\ud800' in item 3 has a key with a lone UTF-16 surrogate/);
    });

    it('a string with a lone surrogate is refused naming the field and the item', async () => {
      await refuse('surrogate-value', /^resource 'events': field 'tags\[1\]' in item 3 is a string with a lone UTF-16 surrogate.*toWellFormed/);
    });

    it('an invalid Date is refused naming the field and the item', async () => {
      await refuse('invalid-date', /^resource 'events': field 'meta\.when' in item 3 is an invalid Date$/);
    });

    it('a cyclic object is refused naming the path back to its parent', async () => {
      await refuse('cycle-object', /^resource 'events': field 'child\.back' in item 3 refers back to one of its parents \(cyclic object\)$/);
    });

    it('a cycle through a list is refused naming the path back to its parent', async () => {
      await refuse('cycle-list', /^resource 'events': field 'list\[0\]\.back' in item 3 refers back to one of its parents \(cyclic object\)$/);
    });

    it('50,000 levels of nesting fail cleanly, never a crash', async () => {
      await refuse('too-deep', /^resource 'events': item 3 is nested too deeply to normalize; lower maxNesting or flatten the item in the source$/);
    });

    it('items that are not plain objects (number, string, null, class instance) are refused naming the resource and index', async () => {
      const shown: Record<string, string> = { number: 'number 42', string: 'string "str"', null: 'null', instance: 'Client' };
      for (const [hostile, got] of Object.entries(shown)) {
        await refuse(hostile, new RegExp(`^resource "events": item 3 is not a plain object \\(got ${got}\\)$`));
      }
    });

    it('thrown non-errors (a multi-line string, a plain object, a null-prototype object) fail on one line naming the resource', async () => {
      await refuse('throw-string', /^resource "events" failed after 3 items: first line$/);
      await refuse('throw-plain', /^resource "events" failed after 3 items: Service Unavailable$/);
      await refuse('throw-null-prototype', /^resource "events" failed after 3 items: object$/);
    });

    it('a secret kept in ctx.state is refused, naming the state path and the secret but not its value', async () => {
      const run = await refuse('secret-state', /^resource "events": ctx\.state\.session\.auth\[0\] holds the value of secret TOKEN; /);
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
    });
  });

  describe('keys', () => {
    it('quotes, SQL comments, dots, backslashes, control characters, unicode, emoji, RTL and "" become their normalized columns, emoji-only keys distinct ones', async () => {
      const item = {
        'q"uote': 'v1', "apo'strophe": 'v2', 'semi;colon': 'v3', 'dash--dash': 'v4', 'com/* c */ment': 'v5',
        'do.t': 'v6', 'back\\slash': 'v7', 'new\nline': 'v8', 'ta\tb': 'v9', 'cafe\u0301': 'v10',
        '😀 smile': 'v11', 'שלום': 'v12', '': 'v13', 'x"; DROP TABLE h.events; --': 'v14', 'Größe': 'v15',
        meta: { _sluice_id: 'v16' }, '🎉': 'v17', '🚀🚀': 'v18', '!!!': 'v19',
      };
      project = makeProject({ 'sources/h.ts': `export default { name: 'h', resources: [{ name: 'events', rows: () => [${JSON.stringify(item)}] }] };` });
      loadsCleanly(project);
      const expected: Record<string, string> = {
        q_uote: 'v1', apo_strophe: 'v2', semi_colon: 'v3', dash_dash: 'v4', com_c_ment: 'v5',
        do_t: 'v6', back_slash: 'v7', new_line: 'v8', ta_b: 'v9',
        'caf\u00e9': 'v10', // NFD key, NFC column name
        _smile: 'v11', 'שלום': 'v12', _empty: 'v13', x_drop_table_h_events: 'v14', 'größe': 'v15',
        meta___sluice_id: 'v16', // only a whole column name starting with _sluice_ is reserved
        _key_6146299c: 'v17', _key_6708b29c: 'v18', _key_e84c538e: 'v19', // nothing left but a hash of the key
      };
      const columns = await columnsOf(project, 'h', 'events');
      assert.deepEqual(Object.keys(columns).sort(), ['_sluice_id', '_sluice_load_id', ...Object.keys(expected)].sort());
      const rows = await sql(project, 'SELECT * EXCLUDE (_sluice_id, _sluice_load_id) FROM h.events');
      assert.deepEqual(rows, [expected]);
    });

    it('a field named constructor is a column like any other, present or absent', async () => {
      project = makeProject({
        'sources/h.ts': `export default { name: 'h', resources: [
          { name: 'teams', rows: () => [{ id: 1, constructor: 'McLaren' }, { id: 2 }, { id: 3, toString: 'x', valueOf: 'y' }] },
          { name: 'keyed', primaryKey: 'constructor', rows: () => [{ constructor: 'a' }, { other: 1 }] },
        ] };`,
      });
      loadsCleanly(project, {}, ['h', '--resources', 'teams']);
      const rows = await sql(project, 'SELECT id, "constructor", to_string, value_of FROM h.teams ORDER BY id');
      assert.deepEqual(rows, [
        { id: '1', constructor: 'McLaren', to_string: null, value_of: null },
        { id: '2', constructor: null, to_string: null, value_of: null },
        { id: '3', constructor: null, to_string: 'x', value_of: 'y' },
      ]);
      const run = runCliJson(['ingest', 'h', '--resources', 'keyed'], project.dir);
      assertCleanFailure(run, 'h', /^resource 'keyed': item 1 has no value for field 'constructor' \(column 'constructor'\), but it is part of the primary key$/);
    });
  });

  describe('names', () => {
    it('SQL-injection-looking source, resource and table names are quoted, never executed', async () => {
      const source = 'a"; DROP SCHEMA victim CASCADE; --';
      project = makeProject({
        'sources/victim.ts': `export default { name: 'victim', resources: [{ name: 'y', rows: () => [{ keep: 1 }] }] };`,
        'sources/inj.ts': `export default { name: ${JSON.stringify(source)}, resources: [
          { name: 'x"; DROP TABLE victim.y; --', rows: () => [{ v: "1'); DELETE FROM victim.y; --" }] },
          { name: 'r2', table: "t'; DELETE FROM _sluice.loads; --", rows: () => [{ w: 2 }] },
        ] };`,
      });
      loadsCleanly(project, {}, ['victim']);
      const run = loadsCleanly(project, {}, ['inj']);
      assert.deepEqual(run.json.tables, { x_drop_table_victim_y: { rows: 1, parts: 1 }, t_delete_from_sluice_loads: { rows: 1, parts: 1 } });

      assert.deepEqual(await sql(project, 'SELECT keep FROM victim.y'), [{ keep: '1' }]);
      const tables = await sql(project, `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema <> '_sluice' ORDER BY ALL`);
      assert.deepEqual(tables, [
        { table_schema: source, table_name: 't_delete_from_sluice_loads' },
        { table_schema: source, table_name: 'x_drop_table_victim_y' },
        { table_schema: 'victim', table_name: 'y' },
      ]);
      assert.deepEqual(await sql(project, `SELECT v FROM ${qualified(source, 'x_drop_table_victim_y')}`), [{ v: "1'); DELETE FROM victim.y; --" }]);
      assert.deepEqual(await sql(project, 'SELECT source, status FROM _sluice.loads ORDER BY started_at'), [
        { source: 'victim', status: 'loaded' },
        { source, status: 'loaded' },
      ]);
      assert.deepEqual(await sql(project, 'SELECT resource FROM _sluice.state WHERE source = $1 ORDER BY resource', [source]), [
        { resource: 'r2' },
        { resource: 'x"; DROP TABLE victim.y; --' },
      ]);
      assert.deepEqual(Object.keys(schemaDocument(project, source).tables).sort(), ['t_delete_from_sluice_loads', 'x_drop_table_victim_y']);
      assert.ok(fs.existsSync(path.join(project.dir, 'schemas', `${source}.schema.yaml`)));
    });

    it('a source named in unicode gets a schema, a schema file and load records of that name', async () => {
      project = makeProject({ 'sources/données.ts': `export default { name: 'données', resources: [{ name: 'élèves', rows: () => [{ nom: 'Zoé' }] }] };` });
      const run = loadsCleanly(project, {}, ['données']);
      assert.equal(run.json.source, 'données');
      assert.deepEqual(await sql(project, 'SELECT nom FROM "données"."élèves"'), [{ nom: 'Zoé' }]);
      assert.deepEqual(Object.keys(schemaDocument(project, 'données').tables), ['élèves']);
      assert.ok(fs.existsSync(path.join(project.dir, 'schemas', 'données.schema.yaml')));
      const loads = runCliJson(['loads', '--source', 'données'], project.dir);
      assert.deepEqual(loads.json.loads.map((l: Json) => [l.source, l.status]), [['données', 'loaded']]);
    });

    it('a source name that is a path or the system schema is refused before anything runs', async () => {
      project = makeProject({
        'sources/esc.ts': `export default { name: '../escape', resources: [{ name: 'r', rows: () => [{ a: 1 }] }] };`,
        'sources/sys.ts': `export default { name: '_SLUICE', resources: [{ name: 'loads', rows: () => [{ a: 1 }] }] };`,
      });
      const escape = runCliJson(['ingest', 'esc'], project.dir);
      assertCleanFailure(escape, 'esc', /^sources\/esc\.ts: the source name "\.\.\/escape" contains a path separator/);
      assert.equal(escape.json.load_id, null);
      const system = runCliJson(['ingest', 'sys'], project.dir);
      assertCleanFailure(system, 'sys', /^sources\/sys\.ts: the source name "_SLUICE" is reserved for Sluice's own tables$/);
      assert.ok(!fs.existsSync(project.warehouse), 'nothing may run before the source is valid');
      assert.ok(!fs.existsSync(path.join(project.dir, 'escape.schema.yaml')));
    });
  });

  describe('values', () => {
    it('NUL, 1 MB strings, SQL-looking text, CSV metacharacters, "" and RTL text round-trip exactly', async () => {
      const values = {
        nul: 'a\u0000b', sql: "'); DROP TABLE h.events; --", marker: '\\N', quote: '"', csv: 'a,b\r\nc\nd',
        empty: '', rtl: 'שלום 😀 مرحبا', bidi: 'abc\u202edef',
      };
      project = makeProject({
        'sources/h.ts': `const shared = { v: 1 };
          export default { name: 'h', resources: [{ name: 'events', rows: () => [{
            ...${JSON.stringify(values)},
            big: 'x'.repeat(1 << 20) + 'end',
            // A class instance nested in an item is read like an object: its fields, not its methods.
            point: new (class Point { constructor(public x = 1, public y = 2) {} norm() { return 0; } })(),
            // The same object twice side by side is no cycle.
            a: shared, b: shared,
          }] }] };`,
      });
      loadsCleanly(project);
      const [row] = await sql(project, `SELECT * EXCLUDE (_sluice_id, _sluice_load_id, big), big = repeat('x', 1048576) || 'end' AS big_ok FROM h.events`);
      assert.deepEqual(row, { ...values, point__x: '1', point__y: '2', a__v: '1', b__v: '1', big_ok: true });
    });

    it('numbers at the edges keep their values: -0, 1e308, 5e-324, NaN, ±Infinity, beyond 2^53', async () => {
      project = makeProject({
        'sources/h.ts': `export default { name: 'h', resources: [{ name: 'events', rows: () => [
          { id: 1, d: 1.5, negz: -0, huge: 1e308, tiny: 5e-324, nan: NaN, pinf: Infinity, ninf: -Infinity, safe: Number.MAX_SAFE_INTEGER, beyond: 2 ** 53 + 2 },
          { id: 2, d: -0 },
        ] }] };`,
      });
      loadsCleanly(project);
      const types = await columnsOf(project, 'h', 'events');
      assert.deepEqual(
        [types.d, types.negz, types.huge, types.tiny, types.nan, types.pinf, types.ninf, types.safe, types.beyond],
        ['DOUBLE', 'BIGINT', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'BIGINT', 'DOUBLE'],
      );
      const rows = await sql(
        project,
        `SELECT id, d, signbit(d) AS d_negative, negz, huge, tiny, isnan(nan) AS nan, pinf = 'inf'::DOUBLE AS pinf,
                ninf = '-inf'::DOUBLE AS ninf, safe, beyond FROM h.events ORDER BY id`,
      );
      assert.deepEqual(rows, [
        { id: '1', d: 1.5, d_negative: false, negz: '0', huge: 1e308, tiny: 5e-324, nan: true, pinf: true, ninf: true, safe: '9007199254740991', beyond: 2 ** 53 + 2 },
        { id: '2', d: -0, d_negative: true, negz: null, huge: null, tiny: null, nan: null, pinf: null, ninf: null, safe: null, beyond: null },
      ]);
    });

    it('BigInts beyond int64 keep every digit (decimal, then text)', async () => {
      project = makeProject({
        'sources/h.ts': `export default { name: 'h', resources: [{ name: 'events', rows: () => [
          { max: 2n ** 63n - 1n, min: -(2n ** 63n), over: 2n ** 63n, under: -(2n ** 63n) - 1n, huge: 10n ** 40n + 7n },
        ] }] };`,
      });
      loadsCleanly(project);
      const types = await columnsOf(project, 'h', 'events');
      assert.deepEqual([types.max, types.min, types.over, types.under, types.huge], ['BIGINT', 'BIGINT', 'DECIMAL(38,9)', 'DECIMAL(38,9)', 'VARCHAR']);
      const [row] = await sql(project, 'SELECT max::VARCHAR AS max, min::VARCHAR AS min, over::VARCHAR AS over, under::VARCHAR AS under, huge FROM h.events');
      assert.deepEqual(row, {
        max: '9223372036854775807',
        min: '-9223372036854775808',
        over: '9223372036854775808.000000000',
        under: '-9223372036854775809.000000000',
        huge: '10000000000000000000000000000000000000007',
      });
    });

    it('Dates at the ends of time, beyond year 9999 and before year 0 keep their instant', async () => {
      const instants = [8.64e15, -8.64e15, 0, Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1)];
      project = makeProject({
        'sources/h.ts': `export default { name: 'h', resources: [{ name: 'events', rows: () =>
          ${JSON.stringify(instants)}.map((ms, id) => ({ id, when: new Date(ms) })) }] };`,
      });
      loadsCleanly(project);
      const rows = await sql(project, 'SELECT id, epoch_ms("when") AS ms FROM h.events ORDER BY id');
      assert.deepEqual(rows, instants.map((ms, id) => ({ id: String(id), ms: String(ms) })));
    });

    it('Buffers, typed arrays and nested arrays of arrays load as blobs and linked child tables', async () => {
      project = makeProject({
        'sources/h.ts': `export default { name: 'h', resources: [{ name: 'events', rows: () => [{
          id: 1, buf: Buffer.from([0, 1, 2, 255]), u8: new Uint8Array([9, 8]), f32: new Float32Array([1]), none: Buffer.alloc(0),
          matrix: [[1, 2], [3, [4, 5]]],
        }] }] };`,
      });
      const run = loadsCleanly(project);
      assert.deepEqual(Object.keys(run.json.tables).sort(), ['events', 'events__matrix', 'events__matrix__value', 'events__matrix__value__value']);
      const [blobs] = await sql(project, 'SELECT hex(buf) AS buf, hex(u8) AS u8, hex(f32) AS f32, octet_length(none) AS none FROM h.events');
      assert.deepEqual(blobs, { buf: '000102FF', u8: '0908', f32: '0000803F', none: '0' });
      const cells = await sql(
        project,
        `SELECT m._sluice_list_idx AS i, v._sluice_list_idx AS j, v.value AS v, w._sluice_list_idx AS k, w.value AS w
         FROM h.events e JOIN h.events__matrix m ON m._sluice_parent_id = e._sluice_id
         JOIN h.events__matrix__value v ON v._sluice_parent_id = m._sluice_id
         LEFT JOIN h.events__matrix__value__value w ON w._sluice_parent_id = v._sluice_id
         ORDER BY i, j, k`,
      );
      assert.deepEqual(cells, [
        { i: '0', j: '0', v: '1', k: null, w: null },
        { i: '0', j: '1', v: '2', k: null, w: null },
        { i: '1', j: '0', v: '3', k: null, w: null },
        { i: '1', j: '1', v: null, k: '0', w: '4' },
        { i: '1', j: '1', v: null, k: '1', w: '5' },
      ]);
    });
  });

  describe('shapes', () => {
    it('an item with 10,000 fields loads as 10,000 columns when maxColumns allows them', async () => {
      project = makeProject({
        'sources/h.ts': `const item: Record<string, number> = {};
          for (let i = 0; i < 10000; i++) item['c' + i] = i;
          export default { name: 'h', resources: [{ name: 'events', maxColumns: 20000, rows: () => [item, { ...item, c9999: -1 }] }] };`,
      });
      // Not --json: its list of 10,000 schema changes is more than the test harness buffers.
      const run = runCli(['ingest', 'h'], project.dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /\+ table events \(10,000 columns\)/);
      const [count] = await sql(project, `SELECT count(*)::INT AS n FROM information_schema.columns WHERE table_schema = 'h' AND table_name = 'events'`);
      assert.equal(count.n, 10_002);
      assert.deepEqual(await sql(project, 'SELECT c0, c5000, c9999 FROM h.events ORDER BY c9999'), [
        { c0: '0', c5000: '5000', c9999: '-1' },
        { c0: '0', c5000: '5000', c9999: '9999' },
      ]);
    });

    it('past the default limit of 500 columns, further fields go to the JSON column _sluice_overflow, with a notice', async () => {
      project = makeProject({
        'sources/h.ts': `const item: Record<string, unknown> = { id: 1 };
          for (let i = 0; i < 600; i++) item['c' + i] = i;
          item.meta = JSON.parse('{"deep":{"x":"y"},"__proto__":"p"}');
          export default { name: 'h', resources: [{ name: 'events', rows: () => [item, { id: 2, c599: 'text', c0: 5 }] }] };`,
      });
      const run = runCli(['ingest', 'h'], project.dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /table 'events' reached its limit of 500 columns: field 'c497' and further new fields are stored in its JSON column _sluice_overflow; raise maxColumns on resource 'events'/);
      const [count] = await sql(project, `SELECT count(*)::INT AS n FROM information_schema.columns WHERE table_schema = 'h' AND table_name = 'events'`);
      assert.equal(count.n, 501);
      const rows = await sql(project, `SELECT id, c0, c496, _sluice_overflow AS o FROM h.events ORDER BY id`);
      const first = JSON.parse(rows[0].o as string);
      assert.equal(Object.keys(first).length, 600 - 497 + 1);
      assert.equal(first.c497, 497);
      assert.equal(first.c599, 599);
      assert.deepEqual(first.meta, JSON.parse('{"deep":{"x":"y"},"__proto__":"p"}'));
      assert.deepEqual({ ...rows[0], o: undefined }, { id: '1', c0: '0', c496: '496', o: undefined });
      assert.deepEqual(rows[1], { id: '2', c0: '5', c496: null, o: '{"c599":"text"}' });
    });

    it('100 levels of nested objects flatten into one column at the default maxNesting', async () => {
      project = makeProject({ 'sources/h.ts': `${deepObject}\nexport default { name: 'h', resources: [{ name: 'events', rows: () => [{ id: 1, d: deep(100) }] }] };` });
      loadsCleanly(project);
      const column = fieldsOf(project, 'h', 'events')[['d', ...Array(99).fill('k'), 'leaf'].join('.')];
      assert.equal(column?.data_type, 'text');
      assert.match(column.name, /^d__k__k__k.*_[0-9a-f]{8}$/);
      assert.ok(column.name.length <= 63);
      assert.deepEqual(await sql(project, `SELECT ${quoteIdent(column.name)} AS leaf FROM h.events`), [{ leaf: 'bottom' }]);
    });

    it('100 levels of nested lists become a chain of 100 linked child tables', async () => {
      project = makeProject({
        'sources/h.ts': `function deepList(n: number): any { let v: any = [1]; for (let i = 1; i < n; i++) v = [v]; return v; }
          export default { name: 'h', resources: [{ name: 'events', rows: () => [{ id: 1, d: deepList(100) }] }] };`,
      });
      loadsCleanly(project);
      const tables = schemaDocument(project, 'h').tables as Record<string, { parent?: string; columns: Record<string, unknown> }>;
      assert.equal(Object.keys(tables).length, 101);
      const withValues = Object.keys(tables).filter((t) => 'value' in tables[t].columns);
      assert.equal(withValues.length, 1);
      const chain = [withValues[0]];
      while (tables[chain[0]].parent) chain.unshift(tables[chain[0]].parent!);
      assert.equal(chain.length, 101);
      assert.equal(chain[0], 'events');
      // Each level's single row hangs from the row above it.
      let joins = '';
      for (let i = 1; i < chain.length; i++) joins += ` JOIN ${qualified('h', chain[i])} t${i} ON t${i}._sluice_parent_id = t${i - 1}._sluice_id`;
      assert.deepEqual(await sql(project, `SELECT t100.value FROM h.events t0${joins}`), [{ value: '1' }]);
    });

    it('1,000 levels of nesting load as a column, or as JSON under a lower maxNesting', async () => {
      project = makeProject({
        'sources/h.ts': `${deepObject}
          export default { name: 'h', resources: [
            { name: 'flat', rows: () => [{ id: 1, d: deep(1000) }] },
            { name: 'capped', maxNesting: 2, rows: () => [{ id: 1, d: deep(1000) }] },
          ] };`,
      });
      loadsCleanly(project);
      const flat = fieldsOf(project, 'h', 'flat')[['d', ...Array(999).fill('k'), 'leaf'].join('.')];
      assert.equal(flat?.data_type, 'text');
      assert.deepEqual(await sql(project, `SELECT ${quoteIdent(flat.name)} AS leaf FROM h.flat`), [{ leaf: 'bottom' }]);
      assert.equal((await columnsOf(project, 'h', 'capped')).d__k__k, 'JSON');
      const [json] = await sql(project, 'SELECT CAST(d__k__k AS VARCHAR) AS text FROM h.capped');
      assert.equal(json.text, '{"k":'.repeat(997) + '{"leaf":"bottom"}' + '}'.repeat(997));
    });
  });

  describe('failing sources', () => {
    it('a merge resource that throws halfway through its second run keeps the first run; a rerun converges', async () => {
      project = makeProject({
        'sources/h.ts': `const run = Number(process.env.RUN ?? '1');
          export default { name: 'h', resources: [{ name: 'orders', primaryKey: 'id', writeDisposition: 'merge',
            incremental: { cursor: 'updated', initialValue: 0 },
            *rows(ctx: any) {
              ctx.state.run = run;
              // Run 1: orders 1..6000. Later runs: all of them updated, and 6001..8000 new.
              const last = run === 1 ? 6000 : 8000;
              for (let id = 1; id <= last; id++) {
                if (run === 2 && id === 7000) throw new Error('API returned 503 on page 70');
                yield { id, updated: run === 1 ? id : 10000 + id, status: run === 1 ? 'placed' : 'shipped', tags: ['t' + id, 'run' + run] };
              }
            },
          }] };`,
      });
      loadsCleanly(project, { RUN: '1' });
      // More than one batch of items was normalized and staged before the throw.
      await failsWithoutTrace(project, { RUN: '2' }, /^resource "orders" failed after 6999 items: API returned 503 on page 70 \(at sources\/h\.ts:\d+:\d+\)$/);
      const [first] = await sql(project, `SELECT count(*)::INT AS n, count(*) FILTER (status = 'placed')::INT AS placed FROM h.orders`);
      assert.deepEqual(first, { n: 6000, placed: 6000 });

      loadsCleanly(project, { RUN: '3' });
      const [after] = await sql(
        project,
        `SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS ids, count(*) FILTER (status = 'shipped')::INT AS shipped,
                (SELECT count(*)::INT FROM h.orders__tags) AS tags,
                (SELECT count(*)::INT FROM h.orders__tags t WHERE NOT EXISTS (SELECT 1 FROM h.orders o WHERE o._sluice_id = t._sluice_parent_id)) AS orphans
         FROM h.orders`,
      );
      assert.deepEqual(after, { n: 8000, ids: 8000, shipped: 8000, tags: 16000, orphans: 0 });
      const [state] = await sql(project, `SELECT CAST(state AS VARCHAR) AS state FROM _sluice.state WHERE source = 'h'`);
      const parsed = JSON.parse(state.state);
      assert.equal(parsed.incremental.lastValue, 18000);
      assert.deepEqual(parsed.custom, { run: 3 });
    });
  });

  describe('project files', () => {
    it('a broken sluice.yaml fails with sluice.yaml:line:col, also answering --json with one object', () => {
      project = makeProject({
        'sluice.yaml': 'name: t\nsources:\n  h:\n    resources: {events: true\n',
        'sources/h.ts': refusalSource,
      });
      const json = runCliJson(['ingest', 'h'], project.dir);
      assertCleanFailure(json, 'h', /sluice\.yaml:5:1: Flow map in block collection must be sufficiently indented and end with a \}/);
      assert.equal(json.json.load_id, null);
      const text = runCli(['ingest', 'h'], project.dir);
      assert.equal(text.code, 1);
      assert.equal(text.stdout, '');
      assert.equal(text.stderr, `sluice: ${json.json.error}\n`);
      assert.ok(!fs.existsSync(project.warehouse));
    });

    it('.env with CRLF line ends, export, quotes, comments, "=" in values and empty values gives the expected secrets', async () => {
      project = makeProject({
        'sluice.yaml': 'name: t\nsources:\n  h:\n    secrets: [TOKEN, MISSING]\n',
        '.env': 'export TOKEN="quoted # kept"\r\n# a comment\r\n\r\nPLAIN=plain value   # trailing comment\r\nEQUALS=a=b=c\r\nEMPTY=\r\nSINGLE=\'single $NOT_EXPANDED\'\r\n',
        'sources/h.ts': `export default { name: 'h', resources: [{ name: 'env', rows: (ctx: any) => [{
          token: ctx.secrets.TOKEN, plain: ctx.secrets.PLAIN, equals: ctx.secrets.EQUALS, empty: ctx.secrets.EMPTY,
          single: ctx.secrets.SINGLE, missing: ctx.secrets.MISSING === undefined, names: Object.keys(ctx.secrets).sort().join(','),
        }] }] };`,
      });
      loadsCleanly(project);
      const [row] = await sql(project, 'SELECT token, plain, equals, empty, single, missing, names FROM h.env');
      assert.deepEqual(row, {
        token: 'quoted # kept', plain: 'plain value', equals: 'a=b=c', empty: '', single: 'single $NOT_EXPANDED', missing: true,
        names: 'EMPTY,EQUALS,MISSING,PLAIN,SINGLE,TOKEN',
      });
    });

    it('a schemas/ folder that cannot be written is a warning: the committed load stays loaded', async () => {
      project = makeProject({ 'sources/h.ts': refusalSource, schemas: 'a file where the schemas folder should be\n' });
      const run = runCliJson(['ingest', 'h'], project.dir);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.json.status, 'loaded');
      assert.match(run.stderr, /^warning: the load was committed, but Sluice could not write schemas\/ for load \S+: /);
      assert.deepEqual(await sql(project, 'SELECT load_id, status FROM _sluice.loads'), [{ load_id: run.json.load_id, status: 'loaded' }]);
      assert.deepEqual(await sql(project, 'SELECT count(*)::INT AS n FROM h.events'), [{ n: 3 }]);
    });
  });

  describe('secrets', () => {
    it('a secret the source logs, prints or throws never shows in output, project files or _sluice tables', async () => {
      project = makeProject({
        'sluice.yaml': 'name: t\nsources:\n  h:\n    secrets: [TOKEN]\n',
        '.env': `TOKEN=${secret}\n`,
        'sources/h.ts': `export default { name: 'h', resources: [{ name: 'events', *rows(ctx: any) {
          const token = ctx.secrets.TOKEN;
          ctx.log.info('calling the API with ' + token);
          ctx.log.warn({ headers: { authorization: 'Bearer ' + token } });
          console.log('console.log ' + token);
          console.error('console.error ' + token);
          ctx.state.calls = 1;
          yield { id: 1, authorized: token.length > 0 };
          if (process.env.FAIL) throw new Error('401 Unauthorized for token ' + token);
        } }] };`,
      });
      const text = runCli(['ingest', 'h'], project.dir);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stderr, /\[events\] calling the API with \*\*\*\n/);
      assert.match(text.stderr, /authorization: 'Bearer \*\*\*'/);
      assert.match(text.stderr, /console\.log \*\*\*\n/);
      assert.match(text.stderr, /console\.error \*\*\*\n/);
      // With --json, stdout stays exactly one JSON object whatever the source prints.
      const json = loadsCleanly(project);
      const failed = runCliJson(['ingest', 'h'], project.dir, { FAIL: '1' });
      assert.equal(failed.json.status, 'failed');
      assert.match(failed.json.error, /^resource "events" failed after 1 item: 401 Unauthorized for token \*\*\* \(at sources\/h\.ts:\d+:\d+\)$/);
      for (const run of [text, json, failed]) {
        assert.ok(!run.stdout.includes(secret), run.stdout);
        assert.ok(!run.stderr.includes(secret), run.stderr);
      }
      const { data, loads } = await snapshot(project);
      assert.deepEqual(loads.map((l) => l.status), ['loaded', 'loaded', 'failed']);
      assert.ok(!JSON.stringify({ data, loads }).includes(secret));
      const leaks = filesUnder(project.dir)
        .filter((f) => f !== '.env' && !f.startsWith('sources') && !f.startsWith('warehouse.duckdb'))
        .filter((f) => fs.readFileSync(path.join(project.dir, f)).includes(secret));
      assert.deepEqual(leaks, []);

      // A module's top level sees the environment: what it throws is masked too (.env keys are secrets of every source).
      project.write('sources/top.ts', `throw new Error('module top level saw ' + process.env.TOKEN);\nexport default {};\n`);
      const top = runCliJson(['ingest', 'top'], project.dir, { TOKEN: secret });
      assertCleanFailure(top, 'top', /^sources\/top\.ts:1:\d+: error while loading the source: module top level saw \*\*\*$/);
    });

    it('a secret value quoted by a contract violation is masked in the error and in _sluice.loads', async () => {
      project = makeProject({
        'sluice.yaml': 'name: t\nsources:\n  h:\n    secrets: [TOKEN]\n    contract: freeze\n',
        'sources/h.ts': `export default { name: 'h', resources: [{ name: 'events', rows: (ctx: any) =>
          process.env.RUN === '2' ? [{ id: 2, auth: 'Bearer ' + ctx.secrets.TOKEN }] : [{ id: 1 }] }] };`,
      });
      loadsCleanly(project, { TOKEN: secret });
      const run = await failsWithoutTrace(
        project,
        { TOKEN: secret, RUN: '2' },
        /^resource 'events': new column 'auth' in table 'events' at field 'auth' \(value "Bearer \*\*\*"\) is not allowed/,
      );
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
    });
  });
});
