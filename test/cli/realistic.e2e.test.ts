// Realistic data through the real ingest pipeline (a project directory, a sources/*.ts module, a DuckDB
// file): records shaped like GitHub, Stripe and Shopify responses, every pair of value kinds, sparse wide
// records and random item streams. After each load the warehouse is read back and rebuilt into items that
// must equal the input (test/helpers/oracle: every leaf, once), and the load must have staged few part
// files: item shape (which keys an item has, integral or fractional numbers) must not cut parts.
import { strict as assert } from 'node:assert';
import { GENERATORS, prng, type Item } from '../fixtures/realistic.mjs';
import { checkWarehouse, describeReport } from '../helpers/oracle';
import { partBoundViolations } from '../helpers/partBound';
import { makeProject, type TempProject } from '../helpers/project';
import { expectedItems, loadDatasets, type DatasetSpec, type LoadRun } from '../helpers/realisticProject';

/** Small parts, so that the bound on their number is tight enough to matter. */
const PART_ROWS = 250;
const SOURCE = 'real';

/** Loads the datasets and checks the warehouse against `expected` (default: the datasets' own items) and the part bound. */
async function loadAndCheck(
  project: TempProject,
  datasets: DatasetSpec[],
  options: { partRows?: number; expected?: Record<string, Iterable<unknown>> } = {},
): Promise<LoadRun> {
  const partRows = options.partRows ?? PART_ROWS;
  const run = await loadDatasets(project, SOURCE, datasets, partRows);
  const report = await checkWarehouse(project.warehouse, SOURCE, options.expected ?? expectedItems(datasets));
  const parts = partBoundViolations(run.result, partRows, run.before, run.after);
  const failures = [describeReport(report), ...parts.map((p) => `- ${p}`)].filter((t) => t !== '');
  assert.ok(failures.length === 0, `load of ${datasets.map((d) => d.resource).join(', ')}:\n${failures.join('\n')}`);
  return run;
}

const items = (d: DatasetSpec): Item[] => [...GENERATORS[d.generator](d.count, d.seed, d.options as never)];

/** The keys the items' `field` objects have between them. */
function metadataKeys(list: Item[], field = 'metadata'): Set<string> {
  return new Set(list.flatMap((item) => Object.keys((item[field] as Record<string, unknown> | undefined) ?? {})));
}

/** The keys under `field` that have a (non-variant) column in the stored schema after a load. */
function storedKeys(run: LoadRun, table: string, field: string): Set<string> {
  const columns = run.after.tables.find((t) => t.name === table)!.columns;
  return new Set(columns.filter((c) => c.path?.[0] === field && c.path.length === 2 && !c.variantOf).map((c) => c.path![1]));
}

describe('realistic data through the ingest pipeline (end to end)', function () {
  this.timeout(60_000);
  let project: TempProject;
  beforeEach(() => {
    project = makeProject({});
  });
  afterEach(() => project?.cleanup());

  it('GitHub issues: nullable and optional fields, often-empty lists, +1/-1 reactions, integral and fractional scores', async () => {
    const run = await loadAndCheck(project, [{ resource: 'issues', generator: 'githubIssues', count: 3000, seed: 1 }]);
    assert.deepEqual(Object.keys(run.result.tables).sort(), ['issues', 'issues__assignees', 'issues__labels']);
    const columns = new Map(run.after.tables.find((t) => t.name === 'issues')!.columns.map((c) => [c.name, c.dataType]));
    assert.equal(columns.get('score'), 'double', 'score starts integral and must widen to double');
    assert.equal(columns.get('closed_at'), 'timestamp');
    assert.ok(columns.has('reactions__plus_1') && columns.has('reactions__minus_1'));
    assert.ok(!columns.has('performed_via_github_app'), 'a field that is only ever null makes no column');
  });

  it('Stripe charges whose free-form metadata gains a new key every 10 charges (300 keys)', async () => {
    const charges: DatasetSpec = { resource: 'charges', generator: 'stripeCharges', count: 3000, seed: 2, options: { newKeyEvery: 10, metadataKeys: 300 } };
    const run = await loadAndCheck(project, [charges]);
    const stored = storedKeys(run, 'charges', 'metadata');
    assert.deepEqual(stored, metadataKeys(items(charges)));
    assert.ok(stored.size >= 290, `${stored.size} metadata keys`);
  });

  it('Shopify orders: line items with tax lines, properties and optional discount allocations; prices as strings or numbers', async () => {
    const run = await loadAndCheck(project, [{ resource: 'orders', generator: 'shopifyOrders', count: 2000, seed: 3 }]);
    for (const table of ['orders__line_items', 'orders__line_items__tax_lines', 'orders__line_items__properties', 'orders__line_items__discount_allocations']) {
      assert.ok(run.result.tables[table]?.rows > 0, `${table} has rows`);
    }
  });

  it('every pair of string, integer, fraction, boolean, object, list and null meets in one field, at the root, nested and in list elements', async () => {
    const run = await loadAndCheck(project, [{ resource: 'switches', generator: 'typeSwitches', count: 1000, seed: 4 }]);
    const root = new Map(run.after.tables.find((t) => t.name === 'switches')!.columns.map((c) => [c.name, c]));
    assert.equal(root.get('title__v_bigint')?.variantOf, 'title', "'Bug' then 404");
    assert.equal(root.get('answer__v_bool')?.variantOf, 'answer', "'yes' then true");
    assert.equal(root.get('amount')?.dataType, 'double', '10 then 10.5 widens');
    assert.equal(root.get('seen_at__v_text')?.variantOf, 'seen_at', 'a timestamp column meets a plain string');
    assert.equal(root.get('due__v_text')?.variantOf, 'due', 'a date column meets a plain string');
  });

  it('sparse wide records: 400 possible keys, a few per record, at the root, in a nested object and in list elements', async () => {
    await loadAndCheck(project, [{ resource: 'wide', generator: 'sparseWide', count: 2000, seed: 5, options: { keys: 400 } }]);
  });

  it('a second load of changed data (new keys, fractional story points, more metadata keys) holds both loads', async () => {
    const first: DatasetSpec[] = [
      { resource: 'issues', generator: 'githubIssues', count: 2000, seed: 6 },
      { resource: 'charges', generator: 'stripeCharges', count: 2000, seed: 7, options: { newKeyEvery: 20 } },
    ];
    const second: DatasetSpec[] = [
      { resource: 'issues', generator: 'githubIssues', count: 2000, seed: 8, options: { startNumber: 2001, stateReason: true, subIssues: true, fractionalEstimates: true } },
      { resource: 'charges', generator: 'stripeCharges', count: 2000, seed: 9, options: { newKeyEvery: 10 } },
    ];
    const one = await loadAndCheck(project, first);
    assert.equal(one.after.tables.find((t) => t.name === 'issues')!.columns.find((c) => c.name === 'estimate')?.dataType, 'bigint');
    const expected = { issues: [...items(first[0]), ...items(second[0])], charges: [...items(first[1]), ...items(second[1])] };
    const two = await loadAndCheck(project, second, { expected });
    const added = two.result.schema_changes.filter((c) => c.kind === 'column_added').map((c) => `${c.table}.${c.column}`);
    for (const column of ['issues.state_reason', 'issues.sub_issues_summary__total']) assert.ok(added.includes(column), `${column} is added`);
    const [before, after] = [metadataKeys(items(first[1])), metadataKeys(items(second[1]))];
    const fresh = [...after].filter((k) => !before.has(k));
    assert.ok(fresh.length > 50, `${fresh.length} metadata keys are new in the second load`);
    assert.equal(added.filter((c) => c.startsWith('charges.metadata__')).length, fresh.length, 'one column per new metadata key');
    assert.deepEqual(storedKeys(two, 'charges', 'metadata'), new Set([...before, ...after]));
    assert.equal(two.after.tables.find((t) => t.name === 'issues')!.columns.find((c) => c.name === 'estimate')?.dataType, 'double', 'estimate widens');
  });

  it('random item streams: for each seed the warehouse holds exactly the input and the part bound holds', async function () {
    this.timeout(120_000);
    const seeds = (process.env.SLUICE_PROPERTY_SEEDS ?? '101,102,103,104,105,106').split(',').map(Number);
    for (const seed of seeds) {
      // Part size, depth and key pool vary with the seed too.
      const r = prng(seed);
      const partRows = r.pick([7, 20, 50, 120]);
      const options = { maxDepth: r.int(1, 3), keys: r.int(4, 10) };
      const attempt = makeProject({});
      try {
        await loadAndCheck(attempt, [{ resource: 'items', generator: 'randomItems', count: 300, seed, options }], { partRows });
      } catch (err) {
        throw new Error(`seed ${seed} (partRows ${partRows}, ${JSON.stringify(options)}): ${(err as Error).message}`);
      } finally {
        attempt.cleanup();
      }
    }
  });

  it('keys that normalize to nothing (emoji, punctuation) get distinct names that the next load keeps', async () => {
    const datasets: DatasetSpec[] = [{ resource: 'odd', generator: 'randomItems', count: 300, seed: 12, options: { oddKeys: true } }];
    const first = await loadAndCheck(project, datasets);
    const names = first.after.tables.find((t) => t.name === 'odd')!.columns.filter((c) => !c.variantOf && c.path?.length === 1 && ['🎉', '!!!', '🚀🚀'].includes(c.path[0]));
    assert.equal(new Set(names.map((c) => c.name)).size, 3);
    const again = await loadAndCheck(project, datasets, { expected: { odd: [...items(datasets[0]), ...items(datasets[0])] } });
    assert.deepEqual(again.result.schema_changes, [], 'the same keys map to the same columns');
  });
});
