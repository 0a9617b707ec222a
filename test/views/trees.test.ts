// What the Warehouse, Environments, Schemas and Sources views show, built from plain data without VS Code:
// schema grouping, what builds a physical table, overrides against prod, schema changes between versions,
// and the words for each.

import { strict as assert } from 'node:assert';
import { stringify } from 'yaml';
import { environmentDescription, environmentTooltip } from '../../client/views/environmentsTree';
import { changeLabel, columnDescription, sourceDescription, tableDescription as schemaTableDescription } from '../../client/views/schemaTree';
import { resourceDescription, resourceTooltip } from '../../client/views/sourceLabels';
import { childNodes, schemaDescription, schemaNodes, sqlName, tableDescription, tableTooltip, type WarehouseNode } from '../../client/views/warehouseTree';
import type { EnvironmentEntry } from '../../core/plan/types';
import type { OutlineResource, OutlineSource, ProjectInfo, SchemaChangeInfo, SourceSchemaInfo, WarehouseSchema } from '../../core/protocol';
import { diffSchemas } from '../../core/schema/diff';
import { schemaToDocument } from '../../core/schema/export';
import { parseSchemaYaml } from '../../core/schema/read';
import type { SourceSchema } from '../../core/schema/types';
import { resourceState, unknownToggles } from '../../server/sources/outline';
import { recentChanges } from '../../server/sources/schemaView';
import { overridesVsProd } from '../../core/plan/environments';
import { classifySchema, compareSchemas, physicalModel } from '../../server/warehouse/schemaGroups';

const project: ProjectInfo = { name: 'demo', dir: '/p', warehouse: '/p/warehouse.duckdb', environment: 'dev' };
const schema = (name: string, role: WarehouseSchema['role'], tables: WarehouseSchema['tables'] = []): WarehouseSchema => ({ name, role, tables });

describe('the views\' data', function () {
  it('classifies schemas: environments by the recorded names, model versions, bookkeeping, the rest the user\'s', () => {
    const envs = ['prod', 'dev', 'feature_x'];
    assert.deepEqual(classifySchema('analytics', envs), { role: 'user' });
    assert.deepEqual(classifySchema('analytics__dev', envs), { role: 'environment', environment: 'dev', base: 'analytics' });
    assert.deepEqual(classifySchema('staging__feature_x', envs), { role: 'environment', environment: 'feature_x', base: 'staging' });
    // A user schema that merely contains a double underscore stays the user's.
    assert.deepEqual(classifySchema('orders__items', envs), { role: 'user' });
    assert.deepEqual(classifySchema('__dev', envs), { role: 'user' });
    assert.deepEqual(classifySchema('sluice__analytics', envs), { role: 'physical', base: 'analytics' });
    assert.deepEqual(classifySchema('_sluice', envs), { role: 'system' });
    assert.equal(physicalModel('staging', 'orders__5f7ed05c42'), 'staging.orders');
    assert.equal(physicalModel('staging', 'order_items__c18ed7102e'), 'staging.order_items');
    assert.equal(physicalModel('staging', 'orders'), undefined);
    const sorted = [schema('_sluice', 'system'), schema('sluice__a', 'physical'), schema('shop', 'user'), schema('a__dev', 'environment'), schema('analytics', 'user')].sort(compareSchemas);
    assert.deepEqual(sorted.map((s) => s.name), ['analytics', 'shop', 'a__dev', 'sluice__a', '_sluice']);
  });

  it('puts user schemas first and the internal ones in one group', () => {
    const schemas = [schema('analytics', 'user'), schema('shop', 'user'), schema('analytics__dev', 'environment'), schema('sluice__analytics', 'physical'), schema('_sluice', 'system')];
    const nodes = schemaNodes(project, schemas);
    assert.deepEqual(nodes.map((n) => (n.kind === 'schema' ? n.schema.name : n.kind)), ['analytics', 'shop', 'internal']);
    const internal = nodes[2];
    assert.deepEqual(childNodes(internal).map((n) => n.kind === 'schema' && n.schema.name), ['analytics__dev', 'sluice__analytics', '_sluice']);
    // Children know their parent (the view reveals a table through it).
    assert.equal((childNodes(internal)[0] as Extract<WarehouseNode, { kind: 'schema' }>).parent, internal);
    assert.deepEqual(schemaNodes(project, [schema('shop', 'user')]).map((n) => n.kind), ['schema']);
    assert.equal(schemaDescription({ ...schema('analytics__dev', 'environment', [{ name: 'a', kind: 'view', columns: [] }]), environment: 'dev' }), '1 table · environment dev');
  });

  it('describes a table with its rows and columns, full types and origin in the tooltip', () => {
    const table = {
      name: 'issues',
      kind: 'table' as const,
      rows: 1240,
      columns: [{ name: 'id', type: 'BIGINT' }, { name: 'created_at', type: 'TIMESTAMP WITH TIME ZONE' }],
      origin: { kind: 'source' as const, source: 'github', resource: 'issues' },
    };
    assert.equal(tableDescription(table), '1,240 rows · 2 columns');
    assert.equal(tableDescription({ ...table, kind: 'view', rows: 5_000_000, rowsEstimated: true }), 'view · ~5,000,000 rows · 2 columns');
    assert.equal(tableDescription({ ...table, rows: undefined }), '2 columns');
    assert.equal(tableTooltip('github', table), 'github.issues (table)\nloaded by source github, resource issues\n1,240 rows (counted)\n\nid  BIGINT\ncreated_at  TIMESTAMP WITH TIME ZONE');
    const node = childNodes({ kind: 'schema', id: 's', project, schema: schema('github', 'user', [table]) })[0];
    assert.deepEqual(childNodes(node).map((c) => c.kind === 'column' && [c.name, c.type]), [['id', 'BIGINT'], ['created_at', 'TIMESTAMP WITH TIME ZONE']]);
  });

  it('copies names quoted only where SQL needs it', () => {
    assert.equal(sqlName('shop', 'orders__items'), 'shop.orders__items');
    assert.equal(sqlName('legacy_crm', 'Contacts'), 'legacy_crm."Contacts"');
    assert.equal(sqlName('odd "schema"', "x' y"), '"odd ""schema"""."x\' y"');
    assert.equal(sqlName('analytics', 'order'), 'analytics."order"');
  });

  it('finds the models an environment shows differently from prod', () => {
    const e = (name: string, fingerprint: string): EnvironmentEntry => ({ name, fingerprint, version: fingerprint, kind: 'FULL' });
    const prod = { snapshots: [e('a.one', '1'), e('a.two', '2'), e('a.gone', '3')] };
    const dev = { snapshots: [e('a.two', '2b'), e('a.one', '1'), e('a.new', '4')] };
    assert.deepEqual(overridesVsProd(dev, prod), [
      { model: 'a.gone', change: 'removed' },
      { model: 'a.new', change: 'added' },
      { model: 'a.two', change: 'changed' },
    ]);
    assert.deepEqual(overridesVsProd(prod, prod), []);
    assert.deepEqual(overridesVsProd(dev, undefined).map((o) => o.change), ['added', 'added', 'added']);
  });

  it('describes environments with relative times and their differences from prod', () => {
    const now = Date.parse('2024-05-10T12:00:00Z');
    const dev = { name: 'dev', updatedAt: '2024-05-10T10:00:00.000Z', models: 12, overrides: [{ model: 'a.two', change: 'changed' as const }] };
    assert.equal(environmentDescription(dev, 'dev', now), "applied 2 h ago · 1 differs from prod · 12 models · the editor's");
    assert.equal(environmentDescription({ ...dev, overrides: [] }, 'prod', now), 'applied 2 h ago · same as prod · 12 models');
    assert.equal(environmentDescription({ name: 'prod' }, 'dev', now), '');
    assert.match(environmentTooltip(dev, 'dev'), /last applied 2024-05-10 10:00 UTC[\s\S]*changed: a\.two/);
    const recorded = { ...dev, createdBy: 'ana', appliedBy: 'runner (github:bo)', expiresAt: '2024-05-17T10:00:00.000Z', expired: false };
    assert.equal(
      environmentTooltip(recorded, 'prod').split('\n').slice(1, 4).join('\n'),
      'last applied 2024-05-10 10:00 UTC by runner (github:bo)\ncreated by ana\nexpires 2024-05-17 10:00 UTC',
    );
    assert.equal(environmentDescription({ ...recorded, expired: true }, 'prod', now), 'applied 2 h ago · 1 differs from prod · 12 models · expired');
    assert.match(environmentTooltip({ ...recorded, expired: true }, 'prod'), /expired 2024-05-17 10:00 UTC \(sluice janitor removes it\)/);
  });

  it('tells the changes between two schema versions the way ingest reports them', () => {
    const before: SourceSchema = {
      name: 'shop',
      version: 1,
      tables: [{ name: 'customers', resource: 'customers', writeDisposition: 'replace', columns: [{ name: 'id', dataType: 'bigint', nullable: false }, { name: 'score', dataType: 'bigint', nullable: true }, { name: 'code', dataType: 'bigint', nullable: true }] }],
    };
    const after: SourceSchema = {
      name: 'shop',
      version: 2,
      tables: [
        {
          ...before.tables[0],
          columns: [
            { name: 'id', dataType: 'bigint', nullable: false },
            { name: 'score', dataType: 'double', nullable: true },
            { name: 'code', dataType: 'bigint', nullable: true },
            { name: 'code__v_text', dataType: 'text', nullable: true, variantOf: 'code' },
            { name: 'email', dataType: 'text', nullable: true },
          ],
        },
        { name: 'customers__tags', resource: 'customers', parent: 'customers', writeDisposition: 'replace', columns: [{ name: 'value', dataType: 'text', nullable: true }] },
      ],
    };
    assert.deepEqual(diffSchemas(before, after), [
      { kind: 'type_widened', table: 'customers', column: 'score', from: 'bigint', dataType: 'double' },
      { kind: 'variant_added', table: 'customers', column: 'code__v_text', variantOf: 'code', dataType: 'text' },
      { kind: 'column_added', table: 'customers', column: 'email', dataType: 'text' },
      { kind: 'table_added', table: 'customers__tags', resource: 'customers' },
    ]);
    assert.deepEqual(diffSchemas(after, after), []);

    // Newest version first; the oldest read only serves as the baseline. The last load's changes are marked.
    const v3: SourceSchema = { ...after, version: 3, tables: [{ ...after.tables[0], columns: [...after.tables[0].columns, { name: 'phone', dataType: 'text', nullable: true }] }, after.tables[1]] };
    const changes = recentChanges(
      [
        { version: 3, schema: v3, loadId: 'L3', at: '2024-05-10T11:00:00.000Z' },
        { version: 2, schema: after, loadId: 'L2', at: '2024-05-07T11:00:00.000Z' },
        { version: 1, schema: before, loadId: 'L1', at: '2024-05-01T11:00:00.000Z' },
      ],
      'L3',
    );
    assert.deepEqual(changes.map((c) => [c.column ?? c.table, c.version, c.lastLoad]), [
      ['phone', 3, true],
      ['score', 2, false],
      ['code__v_text', 2, false],
      ['email', 2, false],
      ['customers__tags', 2, false],
    ]);
    assert.deepEqual(recentChanges([{ version: 1, schema: before, loadId: 'L1', at: '2024-05-01T11:00:00.000Z' }], 'L1'), []);
  });

  it('reads a schema file back into the schema it was written from, and names the file when it cannot', () => {
    const schema: SourceSchema = {
      name: 'shop',
      version: 4,
      tables: [
        { name: 'orders', resource: 'orders', writeDisposition: 'merge', mergeStrategy: 'delete-insert', columns: [{ name: 'id', dataType: 'bigint', nullable: false, primaryKey: true, path: ['id'] }, { name: 'total__v_text', dataType: 'text', nullable: true, variantOf: 'total', path: ['total'] }] },
        { name: 'orders__items', resource: 'orders', parent: 'orders', path: ['items'], writeDisposition: 'merge', columns: [{ name: 'sku', dataType: 'text', nullable: true, path: ['sku'] }] },
      ],
    };
    const read = parseSchemaYaml(stringify(schemaToDocument(schema)), 'schemas/shop.schema.yaml');
    assert.equal(read.version, 4);
    assert.deepEqual(read.tables.map((t) => [t.name, t.parent, t.writeDisposition]), [['orders', undefined, 'merge'], ['orders__items', 'orders', 'merge']]);
    assert.deepEqual(read.tables[0].columns[0], { name: 'id', dataType: 'bigint', nullable: false, primaryKey: true, path: ['id'] });
    assert.equal(read.tables[0].columns[1].variantOf, 'total');
    assert.deepEqual(read.tables[1].columns[0].path, ['items[].sku']);
    assert.throws(() => parseSchemaYaml('name: shop\ntables:\n  orders: 3\n', 'schemas/shop.schema.yaml'), /schemas\/shop\.schema\.yaml: table orders has no columns mapping/);
    assert.throws(() => parseSchemaYaml('name: [', 'schemas/x.schema.yaml'), /schemas\/x\.schema\.yaml: not valid YAML/);
  });

  it('words schema changes: the last load\'s as "new", older ones by when', () => {
    const now = Date.parse('2024-05-10T12:00:00Z');
    const change = (kind: SchemaChangeInfo['kind'], extra: Partial<SchemaChangeInfo>): SchemaChangeInfo => ({ kind, table: 't', column: 'c', loadId: 'L', at: '2024-05-07T12:00:00.000Z', version: 2, lastLoad: true, ...extra });
    assert.equal(changeLabel(change('column_added', {}), now), 'new in last load');
    assert.equal(changeLabel(change('column_added', { lastLoad: false }), now), 'added 3 d ago');
    assert.equal(changeLabel(change('type_widened', { from: 'bigint', dataType: 'double' }), now), 'widened from bigint in last load');
    assert.equal(changeLabel(change('variant_added', { variantOf: 'code', lastLoad: false }), now), 'new variant of code 3 d ago');
    assert.equal(
      columnDescription({ name: 'email', dataType: 'text', nullable: true, change: change('column_added', {}) }, now),
      'text · new in last load',
    );
    assert.equal(columnDescription({ name: 'id', dataType: 'bigint', nullable: false, primaryKey: true }, now), 'bigint · pk');
    assert.equal(schemaTableDescription({ name: 'orders__items', resource: 'orders', parent: 'orders', writeDisposition: 'merge', rows: 80, columns: [] }, now), 'child of orders · merge · 80 rows');
    const source: SourceSchemaInfo = { source: 'shop', from: 'file', version: 3, tables: [{ name: 'a', resource: 'a', columns: [] }], changes: [change('column_added', {}), change('column_added', { lastLoad: false })] };
    assert.equal(sourceDescription(source), 'v3 · 1 table · 1 change in last load');
    assert.equal(sourceDescription({ ...source, changes: [] }), 'v3 · 1 table');
    assert.equal(sourceDescription({ ...source, tables: [] }), 'not loaded yet');
  });

  it('says whether sluice.yaml or the resource\'s default decides if it runs', () => {
    assert.deepEqual(resourceState(true, false), { enabled: true, setting: 'on' });
    assert.deepEqual(resourceState(false, undefined), { enabled: false, setting: 'off' });
    assert.deepEqual(resourceState(undefined, undefined), { enabled: true, setting: 'unset' });
    assert.deepEqual(resourceState(undefined, false), { enabled: false, setting: 'unset' });
    assert.deepEqual(unknownToggles({ orders: true, refunds: false, customers: true }, [{ name: 'orders' }, { name: 'customers' }]), ['refunds']);
    const source: OutlineSource = { name: 'shop', file: '/p/sources/shop.ts', resources: [], resourcesFrom: 'module' };
    const resource = (r: Partial<OutlineResource>): OutlineResource => ({ name: 'orders', enabled: true, setting: 'on', ...r });
    assert.equal(resourceDescription(resource({ lastRows: 40 })), '40 rows');
    assert.equal(resourceDescription(resource({ enabled: false, setting: 'off' })), 'off in sluice.yaml');
    assert.equal(resourceDescription(resource({ setting: 'unset', lastRows: 1 })), '1 row · not in sluice.yaml, on by default');
    assert.equal(resourceDescription(resource({ setting: 'unset', enabled: false })), 'not in sluice.yaml, off by default');
    assert.match(resourceTooltip(resource({ setting: 'unset' }), { ...source, resourcesFrom: 'text' }), /on unless the resource sets selected: false/);
  });
});
