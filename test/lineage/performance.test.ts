import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeQuery } from '../../core/lineage/analyze';
import type { ParsedSql } from '../../core/sql/duckdbParser';
import { SourceText } from '../../core/sql/diagnostic';
import { parseMany } from '../../core/sql/duckdbParser';
import { type Benchmark, loadBenchmark } from './benchmark';

describe('lineage performance and robustness', () => {
  let bench: Benchmark;
  let queries: string[];

  before(async () => {
    const dir = join(__dirname, '..', 'fixtures', 'tpcds');
    queries = readdirSync(join(dir, 'queries'))
      .sort()
      .map((f) => readFileSync(join(dir, 'queries', f), 'utf8'));
    bench = await loadBenchmark(readFileSync(join(dir, 'schema.sql'), 'utf8'), []);
  });

  after(() => bench?.close());

  // Timing is measured by `npm run bench:lineage`, never asserted here.
  it('parses and analyses 1,000 benchmark-sized models in one batch', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => queries[i % queries.length]);
    const parsed = await parseMany(texts);
    let columns = 0;
    for (const p of parsed) columns += analyzeQuery(p, bench.catalog).columns.length;
    assert.equal(parsed.length, 1000);
    assert.ok(columns > 3000);
  });

  it('is pure: analysing the same parse twice gives equal results', async () => {
    const [parsed] = await parseMany([queries[0]]);
    assert.deepEqual(analyzeQuery(parsed, bench.catalog), analyzeQuery(parsed, bench.catalog));
  });

  it('a syntax tree of unknown shape never throws; it comes back as a diagnostic or is walked', () => {
    const source = new SourceText('SELECT 1');
    const weird: ParsedSql = {
      sql: 'SELECT 1',
      source,
      statements: [],
      diagnostics: [],
      query: {
        type: 'SELECT_NODE',
        select_list: [
          { class: 'SOMETHING_NEW', type: 'NEW', alias: 'x', payload: [{ class: 'COLUMN_REF', type: 'COLUMN_REF', column_names: ['ss_quantity'] }] },
          { class: 'COMPARISON', type: 'COMPARE_EQUAL' },
          { class: 'COLUMN_REF', type: 'COLUMN_REF' },
        ],
        from_table: { type: 'BASE_TABLE', table_name: 'store_sales' },
      },
    };
    const result = analyzeQuery(weird, bench.catalog);
    assert.deepEqual(result.columns[0], {
      column: 'x',
      sources: [{ table: 'main.store_sales', column: 'ss_quantity' }],
      filters: [],
    });
    assert.equal(result.columns.length, 3);
  });
});
