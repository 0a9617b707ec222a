import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeQuery } from '../../core/lineage/analyze';
import { tpcdsExpected } from '../fixtures/tpcds/expected';
import { type Benchmark, loadBenchmark } from './benchmark';
import { compact, sortedExpected } from './helpers';

const dir = join(__dirname, '..', 'fixtures', 'tpcds');
const names = readdirSync(join(dir, 'queries'))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.replace(/\.sql$/, ''))
  .sort();

describe('lineage: TPC-DS', () => {
  let bench: Benchmark;

  before(async () => {
    const queries = names.map((n) => readFileSync(join(dir, 'queries', `${n}.sql`), 'utf8'));
    bench = await loadBenchmark(readFileSync(join(dir, 'schema.sql'), 'utf8'), queries);
  });

  after(() => bench?.close());

  it('has at least 15 queries with an expectation each', () => {
    assert.ok(names.length >= 15);
    assert.deepEqual(Object.keys(tpcdsExpected).sort(), names);
  });

  it('DuckDB runs every query on the schema and names the columns as the analysis does', async () => {
    for (let i = 0; i < names.length; i++) {
      const result = analyzeQuery(bench.parsed[i], bench.catalog);
      assert.deepEqual(result.columns.map((c) => c.column), await bench.columnNames(i), names[i]);
    }
  });

  names.forEach((name, i) => {
    it(`${name.toUpperCase()}: every output column`, () => {
      const result = analyzeQuery(bench.parsed[i], bench.catalog);
      assert.deepEqual(result.diagnostics, []);
      assert.deepEqual(compact(result), sortedExpected(tpcdsExpected[name]));
      // Every table the query reads shows up in some column's lineage here.
      const expectedTables = new Set(
        tpcdsExpected[name].flatMap(([, s, f]) => [...s, ...f]).map((ref) => `main.${ref.split('.')[0]}`),
      );
      assert.deepEqual(result.tables, [...expectedTables].sort());
    });
  });
});
