// Fingerprints come from what a model means: formatting, comments and macro dates do not change them;
// query, kind and parents do; metadata is hashed apart.
import { strict as assert } from 'node:assert';
import { describeModels } from '../../core/plan/fingerprint';
import { memoryProject } from './helpers';

const ORDERS = `MODEL (name staging.orders, kind FULL);
SELECT id, amount FROM shop.orders WHERE status = 'paid'
`;
const REVENUE = `MODEL (name analytics.revenue, kind FULL);
SELECT sum(amount) AS revenue FROM staging.orders
`;

async function draftsOf(files: Record<string, string>) {
  const { drafts } = describeModels(await memoryProject(files), { readSeed: (file) => seeds[file] });
  return new Map(drafts.map((d) => [d.name, d]));
}
let seeds: Record<string, string> = {};

describe('plan: fingerprints', () => {
  beforeEach(() => (seeds = {}));

  it('ignores formatting, comments and keyword case', async () => {
    const a = (await draftsOf({ 'models/o.sql': ORDERS })).get('staging.orders')!;
    const b = (await draftsOf({
      'models/o.sql': `MODEL (name staging.orders, kind FULL);
-- paid orders only
select ID,
       Amount   /* in cents */
from   SHOP.Orders
where  status = 'paid'`,
    })).get('staging.orders')!;
    assert.equal(a.dataHash, b.dataHash);
    assert.equal(a.fingerprint, b.fingerprint);
  });

  it('changes with a literal, a filter or the kind', async () => {
    const base = (await draftsOf({ 'models/o.sql': ORDERS })).get('staging.orders')!;
    const literal = (await draftsOf({ 'models/o.sql': ORDERS.replace("'paid'", "'open'") })).get('staging.orders')!;
    const kind = (await draftsOf({ 'models/o.sql': ORDERS.replace('kind FULL', 'kind VIEW') })).get('staging.orders')!;
    assert.notEqual(literal.dataHash, base.dataHash);
    assert.notEqual(kind.dataHash, base.dataHash);
    assert.notEqual(kind.dataHash, literal.dataHash);
  });

  it('does not depend on the dates @start_ds and friends take at run time', async () => {
    const text = `MODEL (name a.inc, kind INCREMENTAL_BY_TIME_RANGE (time_column d));
SELECT d FROM shop.events WHERE d BETWEEN @start_ds AND @end_ds`;
    const one = (await draftsOf({ 'models/i.sql': text })).get('a.inc')!;
    const two = (await draftsOf({ 'models/i.sql': text })).get('a.inc')!;
    assert.equal(one.fingerprint, two.fingerprint);
    assert.match(JSON.stringify(one.queryTree), /1970-01-01/);
  });

  it('hashes description, owner, cron, tags and audits as metadata only', async () => {
    const base = (await draftsOf({ 'models/o.sql': ORDERS })).get('staging.orders')!;
    const meta = (await draftsOf({
      'models/o.sql': ORDERS.replace('kind FULL', "kind FULL, owner ann, description 'paid orders', cron '@hourly', tags (finance), audits (not_null(columns := [id]))"),
    })).get('staging.orders')!;
    assert.equal(meta.dataFingerprint, base.dataFingerprint);
    assert.notEqual(meta.metadataHash, base.metadataHash);
    assert.notEqual(meta.fingerprint, base.fingerprint);
    assert.equal(meta.audits.length, 1);
  });

  it("includes the parents' data fingerprints, not their metadata", async () => {
    const base = await draftsOf({ 'models/o.sql': ORDERS, 'models/r.sql': REVENUE });
    const parentChanged = await draftsOf({ 'models/o.sql': ORDERS.replace("'paid'", "'open'"), 'models/r.sql': REVENUE });
    const parentMeta = await draftsOf({ 'models/o.sql': ORDERS.replace('kind FULL', 'kind FULL, owner bob'), 'models/r.sql': REVENUE });
    const child = (m: Map<string, { dataHash: string; dataFingerprint: string }>) => m.get('analytics.revenue')!;
    assert.equal(child(parentChanged).dataHash, child(base).dataHash);
    assert.notEqual(child(parentChanged).dataFingerprint, child(base).dataFingerprint);
    assert.equal(child(parentMeta).dataFingerprint, child(base).dataFingerprint);
    assert.deepEqual(base.get('analytics.revenue')!.parents, ['staging.orders']);
  });

  it('gives two models with the same query different fingerprints (they are two tables)', async () => {
    const copy = ORDERS.replace('staging.orders', 'staging.orders_copy');
    const drafts = await draftsOf({ 'models/o.sql': ORDERS, 'models/c.sql': copy });
    const [a, b] = [drafts.get('staging.orders')!, drafts.get('staging.orders_copy')!];
    assert.equal(a.dataHash, b.dataHash);
    assert.notEqual(a.dataFingerprint, b.dataFingerprint);
    assert.notEqual(a.fingerprint, b.fingerprint);
  });

  it("covers a seed's content, not its path", async () => {
    const seed = (path: string) => `MODEL (name raw.c, kind SEED (path '${path}'));`;
    seeds = { '/virtual/project/seeds/c.csv': 'id\n1\n', '/virtual/project/seeds/d.csv': 'id\n1\n' };
    const a = (await draftsOf({ 'models/c.sql': seed('../seeds/c.csv') })).get('raw.c')!;
    const b = (await draftsOf({ 'models/c.sql': seed('../seeds/d.csv') })).get('raw.c')!;
    seeds['/virtual/project/seeds/c.csv'] = 'id\n2\n';
    const c = (await draftsOf({ 'models/c.sql': seed('../seeds/c.csv') })).get('raw.c')!;
    assert.equal(a.dataHash, b.dataHash);
    assert.notEqual(c.dataHash, a.dataHash);
  });
});
