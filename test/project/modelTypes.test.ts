// Types of computed model columns from DuckDB's binder: the pure mapping from what DuckDB described to
// the types shown, the scratch binding itself (quoted names, type text that is never pasted), and whole
// projects, where upstream types feed downstream models and unknown types stay unknown.

import { strict as assert } from 'node:assert';
import { boundColumnTypes, bindModelTypes } from '../../core/dag/modelTypes';
import { ModelProject } from '../../core/dag/project';
import { withScratchConnection } from '../../core/sql/duckdbParser';
import { describeQuery, displayType, isPlainType } from '../../core/sql/typeBinder';
import type { TempProject } from '../helpers/project';
import { chainModels, modelProject } from './helpers';

const lineage = (...sources: string[][]) =>
  sources.map((cols, i) => ({ column: `c${i}`, sources: cols.map((c) => ({ table: c.split('.').slice(0, 2).join('.'), column: c.split('.')[2] })), filters: [] }));

describe('column types from the DuckDB binder', function () {
  this.timeout(30_000);

  describe('mapping what DuckDB described', () => {
    it('shows DuckDB types, with short names for the time zone types', () => {
      assert.equal(displayType('DECIMAL(38,2)'), 'DECIMAL(38,2)');
      assert.equal(displayType('TIMESTAMP WITH TIME ZONE'), 'TIMESTAMPTZ');
      assert.equal(displayType('TIMESTAMP WITH TIME ZONE[]'), 'TIMESTAMPTZ[]');
      assert.equal(displayType('TIME WITH TIME ZONE'), 'TIMETZ');
      assert.equal(displayType('STRUCT("a" INTEGER)'), 'STRUCT("a" INTEGER)');
    });

    it('leaves unknown the outputs that read a column without a type, and everything when the columns differ', () => {
      const described = {
        columns: [
          { name: 'revenue', type: 'DECIMAL(38,2)' },
          { name: 'n', type: 'BIGINT' },
          { name: 'guess', type: 'INTEGER' },
        ],
        untyped: new Set(['s.t.mystery']),
      };
      assert.deepEqual(boundColumnTypes(described, lineage(['s.t.amount'], [], ['s.t.amount', 's.t.mystery'])), ['DECIMAL(38,2)', 'BIGINT', undefined]);
      assert.deepEqual(boundColumnTypes(described, lineage(['s.t.amount'], [])), []);
    });

    it('writes only plain type text into SQL', () => {
      for (const t of ['BIGINT', 'DECIMAL(12, 2)', 'VARCHAR[]', 'INTEGER[3]', 'TIMESTAMP WITH TIME ZONE', 'double precision']) assert.ok(isPlainType(t), t);
      for (const t of ['STRUCT(a INT)', 'INT) AS x, (SELECT 1', 'INT; DROP TABLE x', 'INT -- x', 'VARCHAR /* x */', '"INT"', '']) assert.ok(!isPlainType(t), t);
    });
  });

  describe('binding in the scratch catalog', () => {
    it('binds a query over stand-in tables with quoted names, and leaves nothing behind', async () => {
      const described = await describeQuery('SELECT "we""ird", sum(amount) AS revenue, count(*) AS n, avg(amount) AS mean FROM "Odd Schema".orders GROUP BY ALL', [
        { schema: 'odd schema', table: 'orders', columns: [{ name: 'we"ird', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(12, 2)' }] },
      ]);
      assert.deepEqual(described?.columns, [
        { name: 'we"ird', type: 'VARCHAR' },
        { name: 'revenue', type: 'DECIMAL(38,2)' },
        { name: 'n', type: 'BIGINT' },
        { name: 'mean', type: 'DOUBLE' },
      ]);
      const left = await withScratchConnection(async (c) => (await c.runAndReadAll("SELECT count(*) FROM duckdb_tables() UNION ALL SELECT count(*) FROM duckdb_views() WHERE NOT internal UNION ALL SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'odd schema'")).getRows());
      assert.deepEqual(left.map((r) => Number(r[0])), [0, 0, 0]);
    });

    it('never pastes type text that is not plain: such a column stands in without a type', async () => {
      const described = await describeQuery('SELECT a, b FROM s.t', [
        { schema: 's', table: 't', columns: [{ name: 'a', type: "INTEGER) AS a, (SELECT 'x'" }, { name: 'b', type: 'NOT_A_TYPE' }] },
      ]);
      assert.deepEqual([...described!.untyped].sort(), ['s.t.a', 's.t.b']);
    });

    it('gives up on queries that do not bind, such as ones reading files', async () => {
      assert.equal(await describeQuery("SELECT * FROM read_csv('/etc/hostname')", []), undefined);
      assert.equal(await describeQuery('SELECT nope FROM s.t', [{ schema: 's', table: 't', columns: [{ name: 'a', type: 'INTEGER' }] }]), undefined);
    });
  });

  describe('in a project', () => {
    let project: TempProject | undefined;
    afterEach(() => {
      project?.cleanup();
      project = undefined;
    });

    it('types computed columns after the analysis, upstream models first, and only once per analysis', async () => {
      project = modelProject({
        ...chainModels,
        'models/marts/weekly.sql': `MODEL (name analytics.weekly, kind FULL);
SELECT date_trunc('week', order_date) AS week, sum(revenue) AS revenue, max(orders) AS orders FROM analytics.daily_revenue GROUP BY 1
`,
      });
      const models = await ModelProject.load(project.dir);
      // The analysis alone knows pass-through types only.
      assert.deepEqual(models.model('analytics.daily_revenue')!.columns.map((c) => c.type), ['DATE', undefined, undefined]);
      const gained = await bindModelTypes(models);
      assert.deepEqual(gained, ['analytics.daily_revenue', 'analytics.weekly']);
      assert.deepEqual(models.model('analytics.daily_revenue')!.columns.map((c) => c.type), ['DATE', 'DOUBLE', 'BIGINT']);
      // date_trunc of a DATE is a TIMESTAMP in DuckDB.
      assert.deepEqual(models.table('analytics.weekly')!.columns!.map((c) => c.type), ['TIMESTAMP', 'DOUBLE', 'BIGINT']);
      assert.deepEqual(await bindModelTypes(models), []);

      // An edit analyses the model again: its bound types go, and come back with the next binding.
      const file = `${project.dir}/models/marts/daily_revenue.sql`;
      await models.update(file, chainModels['models/marts/daily_revenue.sql'].replace('count(*) AS orders', 'count(*) > 1 AS orders'));
      assert.equal(models.model('analytics.daily_revenue')!.columns[2].type, undefined);
      await bindModelTypes(models);
      assert.deepEqual(models.model('analytics.daily_revenue')!.columns.map((c) => c.type), ['DATE', 'DOUBLE', 'BOOLEAN']);
      assert.equal(models.model('analytics.weekly')!.columns[2].type, 'BOOLEAN');
    });

    it('leaves a column unknown when it reads a column of unknown type, and ignores types for an older analysis', async () => {
      project = modelProject({
        'external_models.yaml': '- name: ext.things\n  columns:\n    id: BIGINT\n    payload: STRUCT(a INT)\n',
        'models/a.sql': 'MODEL (name a.counts, kind FULL);\nSELECT id + 1 AS next_id, coalesce(payload, payload) AS p, count(*) OVER () AS n FROM ext.things\n',
      });
      const models = await ModelProject.load(project.dir);
      const stamp = models.analysisStamp('a.counts')!;
      await bindModelTypes(models);
      assert.deepEqual(models.model('a.counts')!.columns.map((c) => c.type), ['BIGINT', undefined, 'BIGINT']);
      await models.update(`${project.dir}/models/a.sql`, 'MODEL (name a.counts, kind FULL);\nSELECT id FROM ext.things\n');
      assert.equal(models.addColumnTypes('a.counts', stamp, ['VARCHAR']), false);
      assert.equal(models.model('a.counts')!.columns[0].type, 'BIGINT');
    });
  });
});
