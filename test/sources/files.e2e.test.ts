// The files() source through the real CLI: JSON Lines, JSON, CSV and Parquet files into DuckDB, and reruns
// that read only new or changed files.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { columnTypes, makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';

const source = `import { files } from 'sluice';
export default files({ name: 'lake', resources: [
  { name: 'events', glob: 'data/events/**/*.jsonl', format: 'jsonl' },
  { name: 'customers', glob: 'data/customers.json', format: 'json', primary_key: 'id' },
  { name: 'orders', glob: 'data/orders/*.csv', format: 'csv', primary_key: 'id' },
  { name: 'payments', glob: 'data/payments.parquet', format: 'parquet' },
] });
`;

async function writeParquet(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (
    SELECT * FROM (VALUES
      (1::BIGINT, 12.50::DECIMAL(10,2), TIMESTAMPTZ '2024-03-01 10:00:00.123456+00', ['a', 'b'], true),
      (2::BIGINT, NULL, NULL, []::VARCHAR[], NULL)
    ) AS t(id, amount, paid_at, tags, ok)
  ) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
}

/** Rows loaded per table, tables without rows left out. */
function loaded(tables: Record<string, { rows: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(tables).filter(([, t]) => t.rows > 0).map(([name, t]) => [name, t.rows]));
}

describe('files source (end to end)', function () {
  this.timeout(120_000);
  let project: TempProject;
  afterEach(() => project?.cleanup());

  it('reads every format into typed tables, then only new or changed files', async () => {
    project = makeProject({
      'sources/lake.ts': source,
      'data/events/2024/01.jsonl': '{"id":1,"user":{"login":"ada"},"tags":["x","y"],"at":"2024-01-01T00:00:00Z"}\n\n{"id":2,"user":null,"tags":[],"at":"2024-01-02T00:00:00Z"}\n',
      'data/customers.json': JSON.stringify([{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace', vip: true }]),
      'data/orders/a.csv': 'id,amount,day,note\n1,12.50,2024-01-01,"hello, ""world"""\n2,,2024-02-29,\n',
    });
    await writeParquet(path.join(project.dir, 'data', 'payments.parquet'));
    const first = runCliJson(['ingest', 'lake'], project.dir);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.deepEqual(first.json.tables, {
      events: { rows: 2, parts: 1 }, events__tags: { rows: 2, parts: 1 }, customers: { rows: 2, parts: 1 },
      orders: { rows: 2, parts: 1 }, payments: { rows: 2, parts: 1 },
    });
    assert.deepEqual(await columnTypes(project.warehouse, 'lake', 'orders'), {
      id: 'BIGINT', amount: 'DOUBLE', day: 'DATE', note: 'VARCHAR', _file_name: 'VARCHAR', _file_modified_at: 'TIMESTAMP WITH TIME ZONE',
    });
    assert.deepEqual(await columnTypes(project.warehouse, 'lake', 'payments'), {
      id: 'BIGINT', amount: 'DECIMAL(10,2)', paid_at: 'TIMESTAMP WITH TIME ZONE', tags: 'JSON', ok: 'BOOLEAN',
      _file_name: 'VARCHAR', _file_modified_at: 'TIMESTAMP WITH TIME ZONE',
    });
    const payments = await query<Record<string, unknown>>(
      project.warehouse,
      `SELECT id::INT AS id, amount::VARCHAR AS amount, strftime(paid_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS paid_at, tags::VARCHAR AS tags, ok, _file_name
       FROM lake.payments ORDER BY id`,
    );
    assert.deepEqual(payments, [
      { id: 1, amount: '12.50', paid_at: '2024-03-01 10:00:00.123456', tags: '["a","b"]', ok: true, _file_name: 'data/payments.parquet' },
      { id: 2, amount: null, paid_at: null, tags: '[]', ok: null, _file_name: 'data/payments.parquet' },
    ]);
    const orders = await query<Record<string, unknown>>(project.warehouse, 'SELECT id::INT AS id, note FROM lake.orders ORDER BY id');
    assert.deepEqual(orders, [{ id: 1, note: 'hello, "world"' }, { id: 2, note: null }]);
    const events = await query<Record<string, unknown>>(project.warehouse, 'SELECT id::INT AS id, user__login, _file_name FROM lake.events ORDER BY id');
    assert.deepEqual(events, [
      { id: 1, user__login: 'ada', _file_name: 'data/events/2024/01.jsonl' },
      { id: 2, user__login: null, _file_name: 'data/events/2024/01.jsonl' },
    ]);

    // Nothing changed: nothing is read.
    const second = runCliJson(['ingest', 'lake'], project.dir);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(loaded(second.json.tables), {});

    // A new events file, and an orders file rewritten (a later modification time): only those are read.
    project.write('data/events/2024/02.jsonl', '{"id":3,"user":{"login":"bob"},"tags":["z"],"at":"2024-02-01T00:00:00Z"}\n');
    project.write('data/orders/a.csv', 'id,amount,day,note\n1,13.00,2024-01-01,changed\n2,,2024-02-29,\n3,1,2024-03-01,new\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(project.dir, 'data/orders/a.csv'), later, later);
    const third = runCliJson(['ingest', 'lake'], project.dir);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(loaded(third.json.tables), { events: 1, events__tags: 1, orders: 3 });
    const [counts] = await query<{ events: number; orders: number }>(
      project.warehouse,
      'SELECT (SELECT count(*) FROM lake.events)::INT AS events, (SELECT count(*) FROM lake.orders)::INT AS orders',
    );
    assert.deepEqual(counts, { events: 3, orders: 3 }, 'events appended once, orders merged on id');
    const [changed] = await query<{ note: string }>(project.warehouse, 'SELECT note FROM lake.orders WHERE id = 1');
    assert.equal(changed.note, 'changed');
  });

  it('names the file and line of a bad JSON line', () => {
    project = makeProject({
      'sources/lake.ts': `import { files } from 'sluice';
export default files({ name: 'lake', resources: [{ name: 'events', glob: 'data/*.jsonl', format: 'jsonl' }] });
`,
      'data/a.jsonl': '{"id":1}\n{"id": 2,\n',
    });
    const run = runCli(['ingest', 'lake'], project.dir);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /data\/a\.jsonl:2: not valid JSON/);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    project.write('sources/lake.ts', `import { files } from 'sluice';
export default files({ name: 'lake', resources: [{ name: 'events', glob: 'data/*.jsonl', format: 'ndjson' }] });
`);
    assert.match(runCli(['ingest', 'lake'], project.dir).stderr, /source "lake": resources\[0\] \("events"\): format must be one of jsonl, json, csv, parquet, got "ndjson"/);
  });
});
