// The warehouse oracle must be able to fail: a warehouse loaded from realistic records passes it, and a
// copy with one injected difference (a changed, lost, moved, duplicated or invented leaf or row) fails it
// naming the item and the field.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { canonical, checkWarehouse, describeReport, instantMicros, type OracleReport } from './oracle';
import { makeProject, type TempProject } from './project';
import { expectedItems, loadDatasets, type DatasetSpec } from './realisticProject';

const datasets: DatasetSpec[] = [
  { resource: 'issues', generator: 'githubIssues', count: 200, seed: 31 },
  { resource: 'switches', generator: 'typeSwitches', count: 60, seed: 32 },
];
const expected = expectedItems(datasets);

describe('warehouse oracle', function () {
  this.timeout(60_000);
  let project: TempProject;
  let copies = 0;

  before(async () => {
    project = makeProject({});
    await loadDatasets(project, 'real', datasets, 50);
  });
  after(() => project?.cleanup());

  /** Runs the statements on a copy of the loaded warehouse and checks the copy. */
  async function mutated(...statements: string[]): Promise<OracleReport> {
    const copy = path.join(project.dir, `copy-${++copies}.duckdb`);
    fs.copyFileSync(project.warehouse, copy);
    const instance = await DuckDBInstance.create(copy);
    const connection = await instance.connect();
    try {
      for (const sql of statements) await connection.run(sql);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    return checkWarehouse(copy, 'real', expected, { noNumericVariants: false, limit: 50 });
  }

  const one = (report: OracleReport) => describeReport(report);

  it('passes the warehouse as loaded', async () => {
    const report = await checkWarehouse(project.warehouse, 'real', expected, { noNumericVariants: false });
    assert.equal(describeReport(report), '');
    assert.deepEqual(report.items, { issues: 200, switches: 60 });
  });

  it('finds a changed text cell, naming the item and field', async () => {
    const report = await mutated(`UPDATE real.issues SET title = title || '!' WHERE "number" = 17`);
    assert.match(one(report), /^- item 16, title: expected ".*", the warehouse has ".*!" \(text in title\)$/);
  });

  it('finds a timestamp one microsecond off and a value set to NULL', async () => {
    const report = await mutated(
      `UPDATE real.issues SET created_at = created_at + INTERVAL 1 MICROSECOND WHERE "number" = 5`,
      `UPDATE real.issues SET user__login = NULL WHERE "number" = 9`,
    );
    assert.match(one(report), /item 4, created_at: expected "[^"]+", the warehouse has \d+ \(timestamp in created_at\)/);
    assert.match(one(report), /item 8, user\.login: lost: the input has "[^"]+", the warehouse nothing/);
  });

  it('finds a list element lost, and one moved to another item', async () => {
    const [lost, moved] = firstTwoWithLabels();
    const report = await mutated(
      `DELETE FROM real.issues__labels WHERE _sluice_list_idx = 0 AND _sluice_parent_id = (SELECT _sluice_id FROM real.issues WHERE "number" = ${lost})`,
      `UPDATE real.issues__labels SET _sluice_parent_id = (SELECT _sluice_id FROM real.issues WHERE "number" = 1)
       WHERE _sluice_list_idx = 0 AND _sluice_parent_id = (SELECT _sluice_id FROM real.issues WHERE "number" = ${moved})`,
    );
    const text = one(report);
    assert.match(text, new RegExp(`item ${lost - 1}, labels\\[\\d\\]: table issues__labels has _sluice_list_idx \\d where position \\d was due`));
    assert.match(text, new RegExp(`item ${moved - 1}, labels`));
  });

  it('finds a leaf held twice (a variant beside its base column) and an invented root row', async () => {
    const report = await mutated(
      `UPDATE real.switches SET title__v_bigint = 7 WHERE id = 0`,
      `INSERT INTO real.issues (_sluice_load_id, _sluice_id, id) VALUES ('forged', 999999999, 1)`,
    );
    const text = one(report);
    assert.match(text, /item 0, title: duplicated: two values, from column title and from column switches\.title__v_bigint/);
    assert.match(text, /table issues has 201 root rows for 200 input items/);
  });

  it('finds orphan child rows and a column whose type differs from the stored schema', async () => {
    const report = await mutated(
      `INSERT INTO real.issues__labels (_sluice_id, _sluice_parent_id, _sluice_list_idx, "name") VALUES (999999998, 123456789, 0, 'ghost')`,
      `ALTER TABLE real.issues ALTER COLUMN comments TYPE DOUBLE`,
    );
    const text = one(report);
    assert.match(text, /table issues__labels: 1 row\(s\) hang from no row of issues/);
    assert.match(text, /column issues\.comments is bigint in the stored schema but DOUBLE in the warehouse/);
  });

  it('reads null, absent, undefined, {} and [] alike, scalar list elements as { value }, and instants by their offset', () => {
    assert.deepEqual(canonical({ a: null, b: undefined, c: {}, d: [], e: { f: null, g: [] } }), undefined);
    assert.deepEqual(canonical({ d: [1, null, [], { x: null }, [2]] }), { d: [{ value: 1 }, {}, {}, {}, { value: [{ value: 2 }] }] });
    assert.equal(instantMicros('2024-03-01T10:00:00-05:00'), instantMicros('2024-03-01T15:00:00Z'));
    assert.equal(instantMicros('2024-03-01T10:00:00'), instantMicros('2024-03-01T10:00:00.000Z'));
    assert.equal(instantMicros('2024-03-01'), instantMicros(new Date('2024-03-01T00:00:00Z')));
    assert.equal(instantMicros('2024-03-01T10:00:00.000001Z')! - instantMicros('2024-03-01T10:00:00Z')!, 1n);
    assert.equal(instantMicros('2023-02-29'), undefined);
  });

  /** Numbers of two issues with at least two labels each (other than issue 1). */
  function firstTwoWithLabels(): [number, number] {
    const found = expected.issues
      .filter((item) => item.number !== 1 && Array.isArray(item.labels) && item.labels.length >= 2)
      .map((item) => item.number as number);
    assert.ok(found.length >= 2);
    return [found[0], found[1]];
  }
});
