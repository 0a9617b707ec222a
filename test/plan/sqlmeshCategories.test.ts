// Change categories on SQLMesh's own test and documentation cases: each case is applied to prod, changed,
// and planned again, with SQLMesh's rules (the default) and with `strict` where Sluice is stricter.
import { strict as assert } from 'node:assert';
import { categorizeQueryChange, queryShape } from '../../core/plan/categorize';
import { normalizeAst } from '../../core/plan/normalize';
import type { CategorizeMode } from '../../core/plan/categorize';
import type { Plan } from '../../core/plan/types';
import { parseSql } from '../../core/sql/duckdbParser';
import { computePlan } from '../../core/plan/plan';
import { afterApply, applyEnv, emptyState, makeProject, memoryProject, planFor, type TempProject } from './helpers';

const categories = (plan: Plan) => plan.changes.map((c) => [c.model, c.change, c.category]);

/** Applies `before` to prod, writes `after`, and plans dev with each set of rules. */
async function planChange(before: Record<string, string>, after: Record<string, string>): Promise<Record<CategorizeMode, Plan>> {
  const project: TempProject = makeProject(before);
  try {
    await applyEnv(project, 'prod');
    for (const [file, text] of Object.entries(after)) project.write(file, text);
    return { sqlmesh: await planFor(project, 'dev'), strict: await planFor(project, 'dev', { categorize: 'strict' }) };
  } finally {
    project.cleanup();
  }
}

async function queryCategory(before: string, after: string, mode: CategorizeMode = 'sqlmesh'): Promise<string> {
  const [a, b] = [await parseSql(before), await parseSql(after)];
  return categorizeQueryChange(queryShape(normalizeAst(a.query)), normalizeAst(b.query), undefined, mode).category;
}

const CTE = `MODEL (name mart.orders, kind FULL);
WITH o AS (SELECT i AS id, i * 10 AS amount FROM range(1, 5) AS t(i))
SELECT id, amount FROM o
`;
const READER = `MODEL (name mart.big, kind FULL);
SELECT id FROM mart.orders WHERE amount > 10
`;

describe('plan: categories agree with SQLMesh', function () {
  this.timeout(60_000);

  it('a column added both to a CTE and to the outer SELECT is non-breaking (strict: breaking)', async () => {
    const plans = await planChange({ 'models/orders.sql': CTE, 'models/big.sql': READER }, {
      'models/orders.sql': CTE.replace('i * 10 AS amount', 'i * 10 AS amount, i % 2 AS parity').replace('SELECT id, amount FROM o', 'SELECT id, amount, parity FROM o'),
    });
    assert.deepEqual(categories(plans.sqlmesh), [['mart.orders', 'directly_modified', 'non_breaking'], ['mart.big', 'indirectly_modified', 'non_breaking']]);
    assert.equal(plans.sqlmesh.models.find((m) => m.record.name === 'mart.big')!.action, 'reuse');
    assert.deepEqual(plans.sqlmesh.changes[0].columns.added, ['parity']);
    assert.deepEqual(categories(plans.strict), [['mart.orders', 'directly_modified', 'breaking'], ['mart.big', 'indirectly_modified', 'breaking']]);
  });

  it('a column added only inside a CTE is non-breaking (strict: breaking)', async () => {
    const plans = await planChange({ 'models/orders.sql': CTE }, { 'models/orders.sql': CTE.replace('i * 10 AS amount', 'i * 10 AS amount, i % 2 AS parity') });
    assert.deepEqual(categories(plans.sqlmesh), [['mart.orders', 'directly_modified', 'non_breaking']]);
    assert.match(plans.sqlmesh.changes[0].reason, /inside CTE o/);
    assert.deepEqual(categories(plans.strict), [['mart.orders', 'directly_modified', 'breaking']]);
  });

  it('a CTE change that is more than added columns stays breaking, as does a new column reaching SELECT DISTINCT *', async () => {
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT a FROM x', 'WITH x AS (SELECT a FROM t WHERE a > 0) SELECT a FROM x'), 'breaking');
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT a FROM x', 'WITH x AS (SELECT a + 1 AS a FROM t) SELECT a FROM x'), 'breaking');
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT a FROM x', 'WITH x AS (SELECT DISTINCT a FROM t) SELECT a FROM x'), 'breaking');
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT DISTINCT * FROM x', 'WITH x AS (SELECT a, b FROM t) SELECT DISTINCT * FROM x'), 'breaking');
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT a FROM x', 'WITH x AS (SELECT a FROM t), y AS (SELECT 1 AS b) SELECT a FROM x'), 'breaking');
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT a FROM x', 'WITH x AS (SELECT a FROM t) SELECT a FROM x WHERE a > 1'), 'breaking');
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT * FROM x', 'WITH x AS (SELECT a, b FROM t) SELECT * FROM x'), 'non_breaking');
    assert.equal(await queryCategory('WITH x AS (SELECT a FROM t) SELECT * FROM x', 'WITH x AS (SELECT a, b FROM t) SELECT * FROM x', 'strict'), 'breaking');
  });

  it('a batch_size change is metadata: the table is kept', async () => {
    const model = (size: number) => `MODEL (name mart.events, kind INCREMENTAL_BY_TIME_RANGE (time_column day, batch_size ${size}), start '2024-01-01', end '2024-01-03', cron '@daily');
SELECT DATE '2024-01-01' + i::INT AS day, i AS n FROM range(0, 3) AS t(i) WHERE day BETWEEN @start_ds AND @end_ds
`;
    const plans = await planChange({ 'models/events.sql': model(1) }, { 'models/events.sql': model(2) });
    assert.deepEqual(categories(plans.sqlmesh), [['mart.events', 'metadata', 'metadata']]);
    assert.deepEqual(plans.sqlmesh.models.map((m) => m.action), ['reuse']);
    assert.deepEqual(plans.sqlmesh.backfill, []);
    assert.deepEqual(categories(plans.strict), [['mart.events', 'metadata', 'metadata']]);
  });

  it('INCREMENTAL_BY_TIME_RANGE to INCREMENTAL_BY_UNIQUE_KEY over the same query is non-breaking (strict: breaking)', async () => {
    const query = `SELECT DATE '2024-01-01' + i::INT AS day, i AS id FROM range(0, 3) AS t(i)\n`;
    const plans = await planChange(
      { 'models/events.sql': `MODEL (name mart.events, kind INCREMENTAL_BY_TIME_RANGE (time_column day), start '2024-01-01', end '2024-01-03', cron '@daily');\n${query}`, 'models/reader.sql': 'MODEL (name mart.reader, kind FULL);\nSELECT id FROM mart.events\n' },
      { 'models/events.sql': `MODEL (name mart.events, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key id), start '2024-01-01', end '2024-01-03', cron '@daily');\n${query}` },
    );
    assert.deepEqual(categories(plans.sqlmesh), [['mart.events', 'directly_modified', 'non_breaking'], ['mart.reader', 'indirectly_modified', 'non_breaking']]);
    assert.match(plans.sqlmesh.changes[0].reason, /INCREMENTAL_BY_TIME_RANGE → INCREMENTAL_BY_UNIQUE_KEY/);
    assert.deepEqual(categories(plans.strict), [['mart.events', 'directly_modified', 'breaking'], ['mart.reader', 'indirectly_modified', 'breaking']]);
  });

  it('a column added to a seed CSV with the existing values unchanged is non-breaking (strict: breaking); a changed value is breaking', async () => {
    const seed = `MODEL (name raw.prices, kind SEED (path '../seeds/prices.csv'));\n`;
    const reader = 'MODEL (name mart.prices, kind FULL);\nSELECT sku, price FROM raw.prices\n';
    const before = { 'seeds/prices.csv': 'sku,price\nA,1.5\nB,2.5\n', 'models/prices.sql': seed, 'models/reader.sql': reader };
    const added = await planChange(before, { 'seeds/prices.csv': 'sku,price,currency\nA,1.5,EUR\nB,2.5,USD\n' });
    assert.deepEqual(categories(added.sqlmesh), [['raw.prices', 'directly_modified', 'non_breaking'], ['mart.prices', 'indirectly_modified', 'non_breaking']]);
    assert.deepEqual(added.sqlmesh.changes[0].columns.added, ['currency']);
    assert.deepEqual(categories(added.strict), [['raw.prices', 'directly_modified', 'breaking'], ['mart.prices', 'indirectly_modified', 'breaking']]);
    const changed = await planChange(before, { 'seeds/prices.csv': 'sku,price,currency\nA,1.5,EUR\nB,3,USD\n' });
    assert.deepEqual(categories(changed.sqlmesh)[0], ['raw.prices', 'directly_modified', 'breaking']);
  });

  it('a materialized-view child of a non-breaking parent is indirectly breaking and rebuilt', async () => {
    const parent = 'MODEL (name mart.orders, kind FULL);\nSELECT i AS id, i * 10 AS amount FROM range(1, 5) AS t(i)\n';
    const plans = await planChange(
      { 'models/orders.sql': parent, 'models/mat.sql': 'MODEL (name mart.totals, kind VIEW (materialized true));\nSELECT sum(amount) AS total FROM mart.orders\n', 'models/plain.sql': 'MODEL (name mart.plain, kind FULL);\nSELECT id FROM mart.orders\n' },
      { 'models/orders.sql': parent.replace('i * 10 AS amount', 'i * 10 AS amount, 1 AS one') },
    );
    const byModel = new Map(plans.sqlmesh.changes.map((c) => [c.model, c]));
    assert.deepEqual([byModel.get('mart.orders')!.category, byModel.get('mart.totals')!.category, byModel.get('mart.plain')!.category], ['non_breaking', 'breaking', 'non_breaking']);
    assert.equal(byModel.get('mart.totals')!.change, 'indirectly_modified');
    assert.equal(byModel.get('mart.totals')!.rebuild, true);
    assert.equal(byModel.get('mart.plain')!.rebuild, false);
  });

  it('a version whose data hash an older Sluice computed with batch_size is not rebuilt when nothing changed', async () => {
    const files = {
      'models/events.sql': `MODEL (name mart.events, kind INCREMENTAL_BY_TIME_RANGE (time_column day, batch_size 2), start '2024-01-01', cron '@daily');
SELECT DATE '2024-01-01' + i::INT AS day FROM range(0, 3) AS t(i) WHERE day BETWEEN @start_ds AND @end_ds
`,
      'models/reader.sql': 'MODEL (name mart.reader, kind FULL);\nSELECT day FROM mart.events\n',
    };
    const now = Date.parse('2024-01-05T00:00:00Z');
    const first = computePlan(emptyState(), await memoryProject(files), 'prod', { now });
    // As stored by the older Sluice: another data hash (and fingerprints) for the same definition.
    for (const m of first.models) {
      if (m.record.name !== 'mart.events') continue;
      Object.assign(m.record, { dataHash: 'older', dataFingerprint: 'older-fp', fingerprint: 'older-id' });
    }
    const again = computePlan(afterApply(emptyState(), first), await memoryProject(files), 'prod', { now });
    assert.deepEqual(again.models.map((m) => [m.record.name, m.action]), [['mart.events', 'reuse'], ['mart.reader', 'reuse']]);
    assert.deepEqual(again.changes.find((c) => c.model === 'mart.events')?.category, 'metadata');
    assert.deepEqual(again.backfill, []);
  });
});
