// Exports of a whole query result on a real DuckDB file: CSV as `sluice query --csv` writes it (NULL an empty
// field, empty text "", quotes, commas and newlines quoted, lists and structs as JSON), JSON as an array of
// row objects (NULL null, nested values kept), Parquet through DuckDB's COPY and read back; a result larger
// than many pages streams through whole.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportQueryResult } from '../../core/query/export';
import { QueryError } from '../../core/query/queryError';
import { Warehouse } from '../../core/warehouse/connection';

describe('query exports', function () {
  this.timeout(120_000);
  let dir: string;
  let wh: Warehouse;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-export-'));
    wh = await Warehouse.open(path.join(dir, 'warehouse.duckdb'));
    await wh.run('CREATE SCHEMA shop');
    // Notes: NULL, empty, a quote, a comma, a newline; a customer that is sometimes missing; nested values.
    await wh.run(`CREATE TABLE shop.orders AS SELECT * FROM (VALUES
      (1, 101, 'gift', [1, 2], {'city': 'Oslo', 'zip': NULL::VARCHAR}, 12.50::DECIMAL(12,2)),
      (2, NULL, '', [], {'city': 'Bergen', 'zip': '5003'}, 0.10::DECIMAL(12,2)),
      (3, 102, NULL, NULL, NULL, NULL),
      (4, 103, 'say "hi", then
leave', [3], {'city': 'Tromsø', 'zip': NULL}, 99.99::DECIMAL(12,2))
    ) t(id, customer_id, note, item_ids, address, amount)`);
  });

  after(() => {
    wh.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ORDERS = 'SELECT * FROM shop.orders ORDER BY id';

  it('writes CSV with NULL apart from empty text and every special character quoted', async () => {
    const file = path.join(dir, 'orders.csv');
    assert.equal(await exportQueryResult(wh, ORDERS, 'csv', file), 4);
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      'id,customer_id,note,item_ids,address,amount\r\n' +
        '1,101,gift,"[1,2]","{""city"":""Oslo"",""zip"":null}",12.5\r\n' +
        '2,,"",[],"{""city"":""Bergen"",""zip"":""5003""}",0.1\r\n' +
        '3,102,,,,\r\n' +
        '4,103,"say ""hi"", then\nleave",[3],"{""city"":""Tromsø"",""zip"":null}",99.99\r\n',
    );
  });

  it('writes JSON as an array of row objects, NULL as null and nested values kept', async () => {
    const file = path.join(dir, 'orders.json');
    assert.equal(await exportQueryResult(wh, ORDERS, 'json', file), 4);
    const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
    assert.equal(rows.length, 4);
    assert.deepEqual(rows[1], { id: 2, customer_id: null, note: '', item_ids: [], address: { city: 'Bergen', zip: '5003' }, amount: 0.1 });
    assert.deepEqual(rows[2], { id: 3, customer_id: 102, note: null, item_ids: null, address: null, amount: null });
    assert.equal(rows[3].note, 'say "hi", then\nleave');
    // An empty result is an empty array, not nothing.
    assert.equal(await exportQueryResult(wh, 'SELECT * FROM shop.orders WHERE id < 0', 'json', file), 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), []);
  });

  it('writes Parquet through DuckDB, which reads the same rows and types back', async () => {
    const file = path.join(dir, "it's orders.parquet");
    assert.equal(await exportQueryResult(wh, `${ORDERS};`, 'parquet', file), 4);
    const back = await wh.json<{ id: number; customer_id: number | null; note: string | null; t: string }>(
      'SELECT id, customer_id, note, typeof(address) AS t FROM read_parquet($1) ORDER BY id',
      [file],
    );
    assert.deepEqual(back.map((r) => r.customer_id), [101, null, 102, 103]);
    assert.deepEqual(back.map((r) => r.note), ['gift', '', null, 'say "hi", then\nleave']);
    assert.match(back[0].t, /^STRUCT\(/);
  });

  it('streams a result of many pages whole', async () => {
    const file = path.join(dir, 'range.csv');
    assert.equal(await exportQueryResult(wh, 'SELECT range AS n, range % 3 = 0 AS third FROM range(250000)', 'csv', file), 250_000);
    const lines = fs.readFileSync(file, 'utf8').split('\r\n');
    assert.equal(lines[0], 'n,third');
    assert.equal(lines[1], '0,true');
    assert.equal(lines[250_000], '249999,true');
    assert.equal(lines.length, 250_002);
  });

  it('fails with the query error, not a stack trace', async () => {
    await assert.rejects(exportQueryResult(wh, 'SELECT nope FROM shop.orders', 'csv', path.join(dir, 'x.csv')), (err: unknown) => err instanceof QueryError && /nope/.test(err.message));
    await assert.rejects(exportQueryResult(wh, 'SELECT nope FROM shop.orders', 'parquet', path.join(dir, 'x.parquet')), (err: unknown) => err instanceof QueryError && /nope/.test(err.message));
  });
});
