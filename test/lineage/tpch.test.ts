import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeQuery } from '../../core/lineage/analyze';
import { tpchExpected, tpchTables } from '../fixtures/tpch/expected';
import { compact, sortedExpected } from './helpers';
import { type Benchmark, loadBenchmark } from './benchmark';

const dir = join(__dirname, '..', 'fixtures', 'tpch');
const names = readdirSync(join(dir, 'queries'))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.replace(/\.sql$/, ''))
  .sort();

describe('lineage: TPC-H', () => {
  let bench: Benchmark;

  before(async () => {
    bench = await loadBenchmark(readFileSync(join(dir, 'schema.sql'), 'utf8'), names.map((n) => readFileSync(join(dir, 'queries', `${n}.sql`), 'utf8')));
  });

  after(() => bench?.close());

  it('has all 22 queries with an expectation each', () => {
    assert.equal(names.length, 22);
    assert.deepEqual(Object.keys(tpchExpected).sort(), names);
  });

  it('DuckDB runs every query on the schema and names the columns as the analysis does', async () => {
    for (let i = 0; i < names.length; i++) {
      const actual = await bench.columnNames(i);
      const result = analyzeQuery(bench.parsed[i], bench.catalog);
      assert.deepEqual(result.columns.map((c) => c.column), actual, names[i]);
    }
  });

  names.forEach((name, i) => {
    it(`${name.toUpperCase()}: every output column`, () => {
      const result = analyzeQuery(bench.parsed[i], bench.catalog);
      assert.deepEqual(result.diagnostics, []);
      assert.deepEqual(compact(result), sortedExpected(tpchExpected[name]));
      assert.deepEqual(result.tables, tpchTables[name].map((t) => `main.${t}`));
    });
  });
});
