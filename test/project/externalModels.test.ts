// The ingest → transform bridge: after a load, external_models.yaml gets an entry per loaded table, with
// DuckDB types; entries written by hand are never touched.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { refreshExternalModels } from '../../core/dag/externalBridge';
import { ModelProject } from '../../core/dag/project';
import { readExternalModels } from '../../core/models/externalModels';
import type { SourceSchema } from '../../core/schema/types';
import { makeProject, type TempProject } from '../helpers/project';
import { col, errorsOf, shopSchema } from './helpers';

const handWritten = `# Tables maintained elsewhere.

- name: raw.fx_rates
  description: written by a person
  columns:
    currency: VARCHAR
    rate: DOUBLE
- name: shop.customers
  columns:
    id: INT
    name: TEXT
`;

describe('external models bridge', function () {
  this.timeout(20_000);
  let project: TempProject;
  afterEach(() => project.cleanup());

  it('writes one managed entry per loaded table, with DuckDB types, and keeps hand-written entries as they are', async () => {
    project = makeProject({ 'external_models.yaml': handWritten });
    const file = path.join(project.dir, 'external_models.yaml');
    const result = await refreshExternalModels(project.dir, shopSchema);
    assert.equal(result.file, file);
    assert.deepEqual(result.skipped, ['shop.customers']);

    const read = await readExternalModels(file);
    assert.deepEqual(read.diagnostics, []);
    const byName = Object.fromEntries(read.entries.map((e) => [e.name, e]));
    assert.deepEqual(Object.keys(byName), ['raw.fx_rates', 'shop.customers', 'shop.orders']);
    assert.equal(byName['shop.orders'].managed, true);
    assert.deepEqual(byName['shop.orders'].columns, {
      _sluice_id: 'VARCHAR',
      id: 'BIGINT',
      customer_id: 'BIGINT',
      status: 'VARCHAR',
      amount: 'DOUBLE',
      customer__name: 'VARCHAR',
      created_at: 'TIMESTAMPTZ',
    });
    assert.equal(byName['shop.customers'].managed, false);
    assert.deepEqual(byName['shop.customers'].columns, { id: 'INT', name: 'TEXT' });
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith('# Tables maintained elsewhere.'));
    assert.ok(text.includes('description: written by a person'));
  });

  it('refreshes its own entries after a schema change and leaves other sources\' entries alone', async () => {
    project = makeProject({});
    const github: SourceSchema = {
      name: 'github',
      version: 1,
      tables: [{ name: 'issues', resource: 'issues', writeDisposition: 'append', columns: [col('id', 'bigint')] }],
    };
    await refreshExternalModels(project.dir, github);
    await refreshExternalModels(project.dir, shopSchema);
    const grown: SourceSchema = {
      ...github,
      version: 2,
      tables: [{ ...github.tables[0], columns: [col('id', 'bigint'), col('user__login', 'text', ['user', 'login'])] }],
    };
    await refreshExternalModels(project.dir, grown);
    const read = await readExternalModels(path.join(project.dir, 'external_models.yaml'));
    assert.deepEqual(read.entries.map((e) => e.name), ['github.issues', 'shop.customers', 'shop.orders']);
    assert.deepEqual(read.entries[0].columns, { id: 'BIGINT', user__login: 'VARCHAR' });
    assert.ok(read.entries.every((e) => e.managed));
  });

  it('refuses to overwrite an external models file it cannot parse', async () => {
    project = makeProject({ 'external_models.yaml': '- name: raw.x\n  columns: [unclosed\n' });
    await assert.rejects(refreshExternalModels(project.dir, shopSchema), /external_models\.yaml:\d+:\d+: .*fix it before Sluice updates the file/);
    assert.equal(fs.readFileSync(path.join(project.dir, 'external_models.yaml'), 'utf8'), '- name: raw.x\n  columns: [unclosed\n');
  });

  it('lets models read what the bridge wrote, even before the source schema files exist', async () => {
    project = makeProject({
      'models/m.sql': 'MODEL (name staging.orders);\nSELECT id, amount FROM shop.orders\n',
    });
    const before = await ModelProject.load(project.dir);
    assert.equal(errorsOf(before.diagnostics(), project.dir).length, 1);
    await refreshExternalModels(project.dir, shopSchema);
    await before.reloadInputs();
    assert.deepEqual(errorsOf(before.diagnostics(), project.dir), []);
    assert.equal(before.table('shop.orders')?.kind, 'external');
    assert.deepEqual(before.model('staging.orders')?.columns, [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'DOUBLE' }]);
  });
});
