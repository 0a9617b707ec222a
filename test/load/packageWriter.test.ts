import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { PackageWriter, readManifest, writeManifest } from '../../core/ingest/load/packageWriter';
import { encodeCell, rowEncoder, sparseRowEncoder } from '../../core/ingest/load/csvEncode';
import { loadPackage } from '../../core/ingest/load/loader';
import type { PackageManifest, Row } from '../../core/ingest/package';
import { SluiceError } from '../../core/errors';
import { qualified } from '../../core/warehouse/quote';
import { col, table, Workspace } from './fixtures';

const NASTY_STRINGS = [
  '',
  'plain',
  'with "quotes" and ""doubled""',
  'comma, separated, value',
  'line\nbreak',
  'carriage\rreturn and\r\nCRLF',
  'back\\slash \\N \\n',
  '\\N',
  'NULL',
  'null',
  '"',
  '"",',
  '\u0001',
  'the part files\' quote character \u0001\u0001 doubled, \u0001"mixed"',
  ' leading and trailing ',
  'ünïcödé ✓ 日本語 😀 \u200b',
  'tab\there',
  'nul\u0000inside',
  'x'.repeat(3_000_000),
];

describe('PackageWriter and the CSV part format', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  it('round-trips nasty strings exactly, keeping empty string and null apart', async () => {
    const t = table('strings', [col('i', 'bigint'), col('s', 'text')]);
    const rows: Row[] = NASTY_STRINGS.map((s, i) => ({ i, s }));
    rows.push({ i: rows.length, s: null });
    const wh = await ws.warehouse();
    await ws.load(wh, { source: 'src', tables: [t], rows: { strings: rows }, partRows: 5 });
    const back = await wh.all<{ i: bigint; s: string | null }>(`SELECT i, s FROM ${qualified('src', 'strings')} ORDER BY i`);
    assert.equal(back.length, rows.length);
    back.forEach((r, i) => assert.equal(r.s, rows[i].s, `row ${i}`));
  });

  it('round-trips every cell kind: bigint, double specials, bool, timestamp, date, decimal, json, binary', async () => {
    const t = table('kinds', [
      col('id', 'bigint'),
      col('big', 'bigint'),
      col('dbl', 'double'),
      col('flag', 'bool'),
      col('ts', 'timestamp'),
      col('day', 'date'),
      col('dec', 'decimal'),
      col('doc', 'json'),
      col('bin', 'binary'),
    ]);
    const rows: Row[] = [
      { id: 1, big: 9007199254740993n, dbl: NaN, flag: true, ts: '2024-03-01T12:34:56.123456+02:00', day: '2024-02-29', dec: '12345678901234567890123456789.123456789', doc: '{"a":[1,"x,\\"y\\"\\n"],"b":null}', bin: new Uint8Array([0, 1, 254, 255]) },
      { id: 2, big: -9223372036854775808n, dbl: Infinity, flag: false, ts: '1970-01-01T00:00:00Z', day: '0001-01-01', dec: '-0.000000001', doc: '[]', bin: new Uint8Array([]) },
      { id: 3, big: 9223372036854775807n, dbl: -Infinity, flag: null, ts: null, day: null, dec: null, doc: null, bin: null },
      { id: 4, big: 42, dbl: -0, doc: '"just a string"', bin: new Uint8Array(Buffer.from('",\n\\')) },
      { id: 5, dbl: 0.1 + 0.2, doc: 'null', dec: '0' },
      { id: 6, dbl: 1.7976931348623157e308 },
      { id: 7, dbl: 5e-324 },
    ];
    const wh = await ws.warehouse();
    await ws.load(wh, { source: 'src', tables: [t], rows: { kinds: rows } });
    await wh.run(`SET TimeZone = 'UTC'`);
    const back = await wh.all<Record<string, unknown>>(
      `SELECT id, big, dbl, flag, CAST(ts AS VARCHAR) AS ts, CAST(day AS VARCHAR) AS day, CAST(dec AS VARCHAR) AS dec,
              CAST(doc AS VARCHAR) AS doc, hex(bin) AS bin, bin IS NULL AS bin_null
       FROM ${qualified('src', 'kinds')} ORDER BY id`,
    );
    assert.equal(back.length, rows.length);
    assert.equal(back[0].big, 9007199254740993n);
    assert.equal(back[1].big, -9223372036854775808n);
    assert.equal(back[2].big, 9223372036854775807n);
    assert.equal(back[3].big, 42n);
    assert.ok(Number.isNaN(back[0].dbl));
    assert.equal(back[1].dbl, Infinity);
    assert.equal(back[2].dbl, -Infinity);
    assert.ok(Object.is(back[3].dbl, -0));
    assert.equal(back[4].dbl, 0.1 + 0.2);
    assert.equal(back[5].dbl, 1.7976931348623157e308);
    assert.equal(back[6].dbl, 5e-324);
    assert.deepEqual(back.map((r) => r.flag), [true, false, null, null, null, null, null]);
    assert.equal(back[0].ts, '2024-03-01 10:34:56.123456+00');
    assert.equal(back[1].ts, '1970-01-01 00:00:00+00');
    assert.equal(back[0].day, '2024-02-29');
    assert.equal(back[1].day, '0001-01-01');
    assert.equal(back[0].dec, '12345678901234567890123456789.123456789');
    assert.equal(back[1].dec, '-0.000000001');
    assert.equal(back[4].dec, '0.000000000');
    assert.deepEqual(JSON.parse(back[0].doc as string), { a: [1, 'x,"y"\n'], b: null });
    assert.equal(back[1].doc, '[]');
    assert.equal(back[2].doc, null);
    assert.equal(back[3].doc, '"just a string"');
    assert.equal(back[4].doc, 'null', 'JSON null text is not SQL NULL');
    assert.equal(back[0].bin, '0001FEFF');
    assert.equal(back[1].bin, '', 'empty binary stays empty, not NULL');
    assert.equal(back[1].bin_null, false);
    assert.equal(back[2].bin_null, true);
    assert.equal(back[3].bin, Buffer.from('",\n\\').toString('hex').toUpperCase());
  });

  it('compiles row encoders that match field-by-field encoding, whatever the column names and value types', () => {
    const columns = ['plain', 'a"b', 'back\\slash', '"; throw new Error("injected"); "', 'line\u2028sep', 'constructor', 'toString', 'n'];
    const types = ['text', 'double', 'bigint', 'text', 'bool', 'text', 'text', 'double'] as const;
    const inherited = columns.map((c) => c in Object.prototype);
    const encode = rowEncoder(columns, [...types], inherited);
    const values: Row['x'][] = ['x "y"', 1.5, 12345678901234567890n, '', true, null, 'own', -0];
    const mismatched: Row['x'][] = [3, 'text in a double column', 7, new Uint8Array([1, 255]), false, 'own constructor', null, NaN];
    for (const cells of [values, mismatched, columns.map(() => null)]) {
      const row: Row = Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
      const expected = columns.map((c, i) => encodeCell(inherited[i] && !Object.hasOwn(row, c) ? null : row[c])).join(',') + '\n';
      assert.equal(encode(row), expected);
    }
    // A row without its own `constructor` / `toString` reads null, not the inherited function.
    assert.equal(encode({ plain: 'p' }), '\u0001p\u0001,\\N,\\N,\\N,\\N,\\N,\\N,\\N\n');
  });

  it('encodes wide sparse rows by their own keys exactly as the compiled encoder does', () => {
    const columns = ['constructor', ...Array.from({ length: 120 }, (_, i) => `c${i}`), 'toString', '__proto__'];
    const compiled = rowEncoder(columns, columns.map(() => 'text'), columns.map((c) => c in Object.prototype));
    const sparse = sparseRowEncoder(columns);
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const cells: Row['x'][] = ['t', '', 1.5, -0, 12n, true, null, new Uint8Array([0, 9]), 'q"\u0001'];
    for (let n = 0; n < 300; n++) {
      const row: Row = JSON.parse('{}');
      // Keys in random order, some absent, some null; a constant column the layout leaves out is ignored.
      for (const name of [...columns].sort(() => random() - 0.5)) {
        if (random() < 0.2) row[name] = cells[Math.floor(random() * cells.length)];
      }
      if (random() < 0.5) row._sluice_load_id = 'load';
      const { _sluice_load_id: _, ...forCompiled } = row;
      assert.equal(sparse(row), compiled(Object.assign(JSON.parse('{}'), forCompiled)), JSON.stringify(Object.keys(row)));
    }
    assert.equal(sparse({}), `${'\\N,'.repeat(columns.length - 1)}\\N\n`);
  });

  it('records constant columns once per part, and the load fills them into every row', async () => {
    const dir = path.join(ws.root, 'pkg');
    const loadId = "20261122T000000000Z-it's";
    const writer = new PackageWriter(dir, { partRows: 4, constants: { _sluice_load_id: loadId } });
    const t = table('t', [col('_sluice_load_id'), col('_sluice_id', 'bigint'), col('a')]);
    const rows = Array.from({ length: 10 }, (_, i) => ({ _sluice_load_id: loadId, _sluice_id: i + 1, a: `v${i}` }));
    // Batch by batch, as the pipeline writes, with the columns the normalizer reports.
    for (let i = 0; i < 10; i += 3) writer.write(t, rows.slice(i, i + 3), ['_sluice_load_id', '_sluice_id', 'a']);
    const tables = writer.finish();
    assert.deepEqual(tables.t.parts.map((p) => p.rows), [4, 4, 2], 'the constant column cuts no extra parts');
    for (const part of tables.t.parts) {
      assert.deepEqual(part.columns, ['_sluice_id', 'a']);
      assert.deepEqual(part.constants, { _sluice_load_id: loadId });
      assert.ok(!fs.readFileSync(path.join(dir, part.file), 'utf8').includes('2026'), 'the value is not in the file');
    }
    const manifest: PackageManifest = {
      loadId: 'constants', source: 'src', createdAt: new Date().toISOString(),
      schema: { name: 'src', version: 1, tables: [t] }, changes: [], resources: ['t'], state: {}, tables, fullRefresh: false,
    };
    const wh = await ws.warehouse();
    await loadPackage(wh, dir, manifest, new Date());
    const loaded = await wh.all<{ n: bigint; ids: bigint }>(
      `SELECT count(*) AS n, count(*) FILTER (_sluice_load_id = $1) AS ids FROM ${qualified('src', 't')}`, [loadId],
    );
    assert.deepEqual(loaded.map((r) => [Number(r.n), Number(r.ids)]), [[10, 10]]);
  });

  it('takes rows already encoded as lines: parts are cut at partRows, lines of fewer columns get NULLs in the wider part', async () => {
    const dir = path.join(ws.root, 'pkg');
    const loadId = 'lines-load';
    const writer = new PackageWriter(dir, { partRows: 3, constants: { _sluice_load_id: loadId } });
    const t = table('t', [col('_sluice_load_id'), col('_sluice_id', 'bigint'), col('a'), col('b', 'bigint')]);
    const full = { columns: ['_sluice_id', 'a', 'b'], constants: { _sluice_load_id: loadId } };
    const narrow = { columns: ['_sluice_id', 'a'], constants: { _sluice_load_id: loadId } };
    const q = (text: string) => encodeCell(text);
    writer.appendLines(t, full, [`1,${q('x')},10\n`, `2,${q('y, "quoted" \u0001')},\\N\n`]);
    // Rows go into the open part, encoded by its field order; lines of the first columns only are padded.
    writer.write(t, [{ _sluice_load_id: loadId, _sluice_id: 3, b: 30 }], ['_sluice_load_id', '_sluice_id', 'b']);
    writer.appendLines(t, full, [`4,${q('z')},40\n`]);
    writer.appendLines(t, narrow, [`5,${q('n1')}\n`, `6,${q('n2')}\n`]);
    writer.appendLines(t, full, [`7,${q('w')},70\n`]);
    const tables = writer.finish();
    assert.deepEqual(
      tables.t.parts.map((p) => [p.rows, p.columns.join(',')]),
      [[3, '_sluice_id,a,b'], [3, '_sluice_id,a,b'], [1, '_sluice_id,a,b']],
    );
    const manifest: PackageManifest = {
      loadId, source: 'src', createdAt: new Date().toISOString(),
      schema: { name: 'src', version: 1, tables: [t] }, changes: [], resources: ['t'], state: {}, tables, fullRefresh: false,
    };
    const wh = await ws.warehouse();
    await loadPackage(wh, dir, manifest, new Date());
    const back = await wh.all<{ id: bigint; a: string | null; b: bigint | null; l: string }>(
      `SELECT _sluice_id AS id, a, b, _sluice_load_id AS l FROM ${qualified('src', 't')} ORDER BY _sluice_id`,
    );
    assert.deepEqual(
      back.map((r) => [Number(r.id), r.a, r.b === null ? null : Number(r.b), r.l]),
      [
        [1, 'x', 10, loadId], [2, 'y, "quoted" \u0001', null, loadId], [3, null, 30, loadId], [4, 'z', 40, loadId],
        [5, 'n1', null, loadId], [6, 'n2', null, loadId], [7, 'w', 70, loadId],
      ],
    );
  });

  it('cuts parts at partRows while writing, before finish', () => {
    const dir = path.join(ws.root, 'pkg');
    const writer = new PackageWriter(dir, { partRows: 10 });
    const t = table('t', [col('a', 'bigint')]);
    writer.write(t, Array.from({ length: 25 }, (_, a) => ({ a })));
    const before = fs.readdirSync(dir).filter((f) => f.endsWith('.csv'));
    assert.equal(before.length, 2, 'two full parts are on disk while 5 rows are still buffered');
    const tables = writer.finish();
    assert.deepEqual(tables.t.parts.map((p) => p.rows), [10, 10, 5]);
    assert.equal(tables.t.rows, 25);
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.csv')).length, 3);
  });

  it('gives a part every column its table has; a column added later starts one new part, whatever rows lack', () => {
    const dir = path.join(ws.root, 'pkg');
    const writer = new PackageWriter(dir, { partRows: 100 });
    const t = table('t', [col('a', 'bigint'), col('b')]);
    writer.write(t, [{ a: 1 }, { b: 'x' }]);
    writer.write(t, [{ a: 2, b: null }]);
    t.columns.push(col('c', 'double'));
    // Rows without the new column still fit the open part; the first row with it opens the wider one.
    writer.write(t, [{ a: 3 }]);
    writer.write(t, [{ c: 1.5, a: 4 }, { b: 'y' }]);
    writer.write(t, [{ a: 5 }, { c: 2.5 }]);
    const { t: out } = writer.finish();
    assert.deepEqual(out.parts.map((p) => [p.columns, p.rows]), [[['a', 'b'], 4], [['a', 'b', 'c'], 4]]);
    assert.equal(fs.readFileSync(path.join(dir, out.parts[1].file), 'utf8'), '4,\\N,1.5\n\\N,\u0001y\u0001,\\N\n5,\\N,\\N\n\\N,\\N,2.5\n');
  });

  it('gives hostile table names safe, distinct part file names', () => {
    const dir = path.join(ws.root, 'pkg');
    const writer = new PackageWriter(dir);
    writer.write(table('../etc/passwd', [col('a')]), [{ a: 'x' }]);
    writer.write(table('.._etc_passwd', [col('a')]), [{ a: 'y' }]);
    const tables = writer.finish();
    const files = Object.values(tables).map((t) => t.parts[0].file);
    assert.notEqual(files[0], files[1]);
    for (const f of files) assert.match(f, /^[A-Za-z0-9_.-]+$/);
    assert.deepEqual(fs.readdirSync(dir).sort(), [...files].sort());
  });

  it('rejects a row with a column its table schema does not define', () => {
    const writer = new PackageWriter(path.join(ws.root, 'pkg'), { partRows: 1 });
    assert.throws(
      () => writer.write(table('t', [col('a')]), [{ a: 'x', stray: 'y' }]),
      (err: unknown) => err instanceof SluiceError && /table "t".*"stray"/.test(err.message),
    );
  });

  it('rejects a value that is not a Cell, naming the table and column', () => {
    const writer = new PackageWriter(path.join(ws.root, 'pkg'), { partRows: 1 });
    assert.throws(
      () => writer.write(table('t', [col('when', 'timestamp')]), [{ when: new Date() as unknown as string }]),
      (err: unknown) => err instanceof SluiceError && /table "t", column "when".*Date/.test(err.message),
    );
  });

  it('writes the manifest atomically and reads it back; a package without one is refused', () => {
    const dir = path.join(ws.root, 'pkg');
    fs.mkdirSync(dir);
    assert.throws(() => readManifest(dir), (err: unknown) => err instanceof SluiceError && /no manifest\.json/.test(err.message));
    const manifest: PackageManifest = {
      loadId: 'l1',
      source: 's',
      createdAt: '2024-01-01T00:00:00.000Z',
      schema: { name: 's', version: 3, tables: [table('t', [col('a')])] },
      changes: [{ kind: 'table_added', table: 't', resource: 't' }],
      resources: ['t'],
      state: { t: { custom: { page: 'x"y' } } },
      tables: { t: { name: 't', parts: [{ file: 't.000001.csv', columns: ['a'], rows: 1 }], rows: 1 } },
      fullRefresh: false,
    };
    writeManifest(dir, manifest);
    assert.deepEqual(readManifest(dir), JSON.parse(JSON.stringify(manifest)));
    assert.deepEqual(fs.readdirSync(dir), ['manifest.json'], 'no temp file is left behind');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"loadId": 1}');
    assert.throws(() => readManifest(dir), SluiceError);
  });

  it('refuses to write a manifest whose state JSON cannot hold', () => {
    const dir = path.join(ws.root, 'pkg');
    fs.mkdirSync(dir);
    const manifest = {
      loadId: 'l1', source: 's', createdAt: '', schema: { name: 's', version: 1, tables: [] }, changes: [],
      resources: [], tables: {}, fullRefresh: false,
      state: { r: { custom: { cursor: 10n } } },
    } as unknown as PackageManifest;
    assert.throws(() => writeManifest(dir, manifest), (err: unknown) => err instanceof SluiceError && /manifest of load l1/.test(err.message));
    assert.equal(fs.existsSync(path.join(dir, 'manifest.json')), false);
  });
});
