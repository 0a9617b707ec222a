import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SluiceError } from '../../core/errors';
import {
  listExternalModelFiles, mergeExternalModels, parseExternalModels, readExternalModels, writeExternalModels,
  type ExternalModelInput,
} from '../../core/models/externalModels';
import { describeDiagnostics } from './helpers';

describe('external_models.yaml: reading', () => {
  it('reads SQLMesh entries with description, gateway and extra keys', () => {
    const text = `- name: external_db.external_table
  description: An external table
  columns:
    column_a: int
    column_b: text
- name: external_db.gateway_specific
  gateway: test
  dialect: duckdb
  audits:
    - name: not_null
      columns: "[column_e]"
  columns:
    column_e: int
`;
    const file = parseExternalModels(text, 'external_models.yaml');
    assert.deepEqual(file.diagnostics, []);
    assert.equal(file.entries.length, 2);
    const [first, second] = file.entries;
    assert.deepEqual(
      { name: first.name, description: first.description, columns: first.columns, managed: first.managed, extra: first.extra },
      { name: 'external_db.external_table', description: 'An external table', columns: { column_a: 'int', column_b: 'text' }, managed: false, extra: {} },
    );
    assert.deepEqual(first.start, { offset: 2, line: 1, column: 3 });
    assert.equal(second.gateway, 'test');
    assert.deepEqual(second.extra, { dialect: 'duckdb', audits: [{ name: 'not_null', columns: '[column_e]' }] });
    assert.equal(second.start.line, 6);
  });

  it('reports YAML syntax errors with their line and column', () => {
    const file = parseExternalModels('- name: a.b\n  columns:\n    x: int\n  bad: [unclosed\n', 'e.yaml');
    assert.equal(file.entries.length, 0);
    assert.ok(file.diagnostics.length > 0);
    assert.equal(file.diagnostics[0].severity, 'error');
    assert.ok(file.diagnostics[0].start.line >= 4, describeDiagnostics(file.diagnostics).join('\n'));
  });

  it('reports entries that are not SQLMesh external models, each at its place', () => {
    const text = `- name: ok.table
  columns:
    a: int
- just a string
- columns:
    a: int
- name: bad.columns
  columns: [a, b]
- name: ok.table
  columns:
    b: int
- name: no.columns
- name: odd.key
  colour: blue
  columns:
    a: int
- name: bad.type
  columns:
    a:
`;
    const file = parseExternalModels(text, 'e.yaml');
    assert.deepEqual(describeDiagnostics(file.diagnostics), [
      '4:3 error entry 2 must be a mapping with name and columns',
      '5:3 error entry 3 has no name',
      '8:12 error entry 4: columns must be a mapping of column name to type',
      '9:3 error external model ok.table is listed twice (first as entry 1)',
      '12:3 warning external model no.columns has no columns',
      '14:3 warning entry 7: unknown key \'colour\'',
      '19:7 error entry 8: column a needs a type such as INT or TEXT',
    ]);
    assert.deepEqual(file.entries.map((e) => e.name), ['ok.table', 'no.columns', 'odd.key']);
  });

  it('rejects a file that is not a list', () => {
    const file = parseExternalModels('name: a.b\ncolumns: {}\n', 'e.yaml');
    assert.deepEqual(describeDiagnostics(file.diagnostics), ['1:1 error external models must be a list of tables: - name: schema.table']);
  });

  it('treats an empty or missing file as no entries', async () => {
    assert.deepEqual(parseExternalModels('', 'e.yaml').entries, []);
    assert.deepEqual(await readExternalModels(path.join(os.tmpdir(), 'sluice-does-not-exist', 'external_models.yaml')), {
      file: path.join(os.tmpdir(), 'sluice-does-not-exist', 'external_models.yaml'),
      entries: [],
      diagnostics: [],
    });
  });
});

describe('external_models.yaml: writing and merging', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-external-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('round-trips: what it writes reads back as the same entries, marked managed, sorted', async () => {
    const file = path.join(dir, 'external_models.yaml');
    const entries: ExternalModelInput[] = [
      { name: 'raw.orders', columns: { id: 'BIGINT', total: 'DECIMAL(38, 9)', 'odd: name': 'TEXT' }, description: 'From the shop' },
      { name: 'raw.customers', columns: { id: 'BIGINT', tags: 'VARCHAR[]' }, gateway: 'local' },
    ];
    await writeExternalModels(file, entries);
    const read = await readExternalModels(file);
    assert.deepEqual(read.diagnostics, []);
    assert.deepEqual(
      read.entries.map(({ name, columns, description, gateway, managed }) => ({ name, columns, description, gateway, managed })),
      [
        { name: 'raw.customers', columns: { id: 'BIGINT', tags: 'VARCHAR[]' }, description: undefined, gateway: 'local', managed: true },
        { name: 'raw.orders', columns: { id: 'BIGINT', total: 'DECIMAL(38, 9)', 'odd: name': 'TEXT' }, description: 'From the shop', gateway: undefined, managed: true },
      ],
    );
    // Writing the same entries again changes nothing.
    const before = await fs.readFile(file, 'utf8');
    await writeExternalModels(file, entries);
    assert.equal(await fs.readFile(file, 'utf8'), before);
  });

  it('keeps hand-written entries exactly, updates managed ones, adds new ones in name order', () => {
    const existing = `# External tables for this project.

- name: raw.zebra   # written by hand
  columns: {id: int, stripes: int}
# sluice:managed (written by Sluice; delete this line to maintain the entry by hand)
- name: raw.events
  columns:
    id: BIGINT
- name: raw.apples
  description: kept as is
  columns:
    id: int
`;
    const { text, skipped } = mergeExternalModels(existing, [
      { name: 'raw.events', columns: { id: 'BIGINT', kind: 'TEXT' } },
      { name: 'raw.middle', columns: { x: 'DOUBLE' } },
    ], 'external_models.yaml');
    assert.deepEqual(skipped, []);
    assert.equal(text, `# External tables for this project.

- name: raw.apples
  description: kept as is
  columns:
    id: int
# sluice:managed (written by Sluice; delete this line to maintain the entry by hand)
- name: raw.events
  columns:
    id: BIGINT
    kind: TEXT
# sluice:managed (written by Sluice; delete this line to maintain the entry by hand)
- name: raw.middle
  columns:
    x: DOUBLE
- name: raw.zebra # written by hand
  columns: { id: int, stripes: int }
`);
  });

  it('writes entries in block style into a file that holds an empty flow list', () => {
    const { text } = mergeExternalModels('[]\n', [{ name: 'raw.a', columns: { x: 'INT' } }], 'e.yaml');
    assert.equal(text, '# sluice:managed (written by Sluice; delete this line to maintain the entry by hand)\n- name: raw.a\n  columns:\n    x: INT\n');
  });

  it('never overwrites a hand-written entry of the same name and gateway, and says so', () => {
    const existing = '- name: raw.orders\n  columns:\n    id: int\n';
    const { text, skipped } = mergeExternalModels(existing, [{ name: 'RAW.ORDERS', columns: { id: 'BIGINT' } }, { name: 'raw.orders', gateway: 'ci', columns: { id: 'BIGINT' } }], 'e.yaml');
    assert.deepEqual(skipped, ['RAW.ORDERS']);
    const entries = parseExternalModels(text, 'e.yaml').entries;
    assert.deepEqual(entries.map((e) => [e.name, e.gateway, e.columns.id, e.managed]), [['raw.orders', undefined, 'int', false], ['raw.orders', 'ci', 'BIGINT', true]]);
  });

  it('keeps managed entries it was not given unless asked to remove them', () => {
    const existing = mergeExternalModels(undefined, [{ name: 'raw.a', columns: { x: 'INT' } }, { name: 'raw.b', columns: { y: 'INT' } }], 'e.yaml').text;
    const kept = mergeExternalModels(existing, [{ name: 'raw.b', columns: { y: 'BIGINT' } }], 'e.yaml').text;
    assert.deepEqual(parseExternalModels(kept, 'e.yaml').entries.map((e) => [e.name, Object.values(e.columns)[0]]), [['raw.a', 'INT'], ['raw.b', 'BIGINT']]);
    const pruned = mergeExternalModels(existing, [{ name: 'raw.b', columns: { y: 'BIGINT' } }], 'e.yaml', { removeMissing: true }).text;
    assert.deepEqual(parseExternalModels(pruned, 'e.yaml').entries.map((e) => e.name), ['raw.b']);
  });

  it('hands an entry over to the user when the marker line is deleted', () => {
    const written = mergeExternalModels(undefined, [{ name: 'raw.a', columns: { x: 'INT' } }], 'e.yaml').text;
    const edited = written.split('\n').filter((l) => !l.startsWith('# sluice:managed')).join('\n').replace('x: INT', 'x: INTEGER');
    const { text, skipped } = mergeExternalModels(edited, [{ name: 'raw.a', columns: { x: 'BIGINT' } }], 'e.yaml');
    assert.deepEqual(skipped, ['raw.a']);
    assert.equal(parseExternalModels(text, 'e.yaml').entries[0].columns.x, 'INTEGER');
  });

  it('refuses to rewrite a file it cannot parse, naming the place', async () => {
    const file = path.join(dir, 'external_models.yaml');
    await fs.writeFile(file, '- name: a.b\n  columns: [unclosed\n');
    await assert.rejects(writeExternalModels(file, [{ name: 'raw.x', columns: {} }]), (err: unknown) => err instanceof SluiceError && /external_models\.yaml:\d+:\d+: /.test(err.message));
    assert.equal(await fs.readFile(file, 'utf8'), '- name: a.b\n  columns: [unclosed\n');
    assert.throws(() => mergeExternalModels('a: 1\n', [], 'e.yaml'), /not a list of external models/);
  });

  it('lists the project external model files in load order', async () => {
    await fs.writeFile(path.join(dir, 'schema.yaml'), '[]');
    await fs.mkdir(path.join(dir, 'external_models'));
    await fs.writeFile(path.join(dir, 'external_models', 'b.yaml'), '[]');
    await fs.writeFile(path.join(dir, 'external_models', 'a.yml'), '[]');
    await fs.writeFile(path.join(dir, 'external_models', 'notes.txt'), '');
    assert.deepEqual((await listExternalModelFiles(dir)).map((f) => path.relative(dir, f).split(path.sep).join('/')), [
      'schema.yaml', 'external_models/a.yml', 'external_models/b.yaml',
    ]);
    await fs.writeFile(path.join(dir, 'external_models.yaml'), '[]');
    assert.equal(path.basename((await listExternalModelFiles(dir))[0]), 'external_models.yaml');
  });
});
