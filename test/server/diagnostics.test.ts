import { strict as assert } from 'node:assert';
import path from 'node:path';
import { makeProject, type TempProject } from '../helpers/project';
import { LspTestClient, type LspDiagnostic } from './lspClient';

const at = (d: LspDiagnostic) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;

describe('language server: model diagnostics while typing', function () {
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    // t is read by the model fixed below, so that once its syntax is right nothing is left to report.
    project = makeProject({ 'models/t.sql': 'MODEL (name main.t, kind VIEW);\nSELECT 1 AS a' });
    client = await LspTestClient.start({ folders: [project.dir], trusted: false });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  it('reports a SQL syntax error at the exact token, through macro expansion', async () => {
    // Line 3 holds a @DEF; line 4 is the query. @min_qty expands to a longer text before the error, so a
    // position taken from the rendered SQL without the source map would land elsewhere.
    const text = 'MODEL (name shop.big_orders, kind FULL);\n\n@DEF(min_qty, 10 + 2000000);\nSELECT id, qty FROM shop.orders WHERE qty > @min_qty ORDER qty';
    const uri = await client.open(path.join(project.dir, 'models', 'big_orders.sql'), text);
    const [d, ...rest] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.deepEqual(rest, []);
    assert.equal(d.message, 'syntax error at or near "qty"');
    const column = text.split('\n')[3].lastIndexOf('qty');
    assert.equal(at(d), `3:${column}-3:${column + 3}`);
    assert.equal(d.severity, 1);
    assert.equal(d.source, 'sluice');
  });

  it('clears the diagnostic once the error is fixed by an incremental edit', async () => {
    const file = path.join(project.dir, 'models', 'fixable.sql');
    const text = 'MODEL (name shop.fixable);\nSELECT a, FROM FROM t';
    const uri = await client.open(file, text);
    const [d] = await client.diagnostics(uri, (ds) => ds.length === 1);
    assert.equal(at(d), '1:15-1:19');
    const mark = client.mark();
    // Delete the second FROM (and its space): "SELECT a, FROM t" — a trailing comma is valid DuckDB.
    await client.edit(uri, { start: { line: 1, character: 15 }, end: { line: 1, character: 20 } }, '');
    await client.diagnostics(uri, (ds) => ds.length === 0, mark);
  });

  it('reports MODEL header errors from the model parser', async () => {
    const uri = await client.open(path.join(project.dir, 'models', 'header.sql'), 'MODEL (\n  name orders\n);\nSELECT 1');
    const [d] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.match(d.message, /needs a schema/);
    assert.equal(at(d), '1:7-1:13');
    assert.equal(d.code, 'model');
  });

  it('reports an unexpected end of input on the last token', async () => {
    const uri = await client.open(path.join(project.dir, 'models', 'cut.sql'), 'MODEL (name a.cut);\nSELECT x FROM t WHERE\n');
    const [d] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.equal(d.message, 'syntax error at end of input');
    assert.equal(at(d), '1:16-1:21');
  });

  it('reports only the macro error when a macro is not defined', async () => {
    const uri = await client.open(path.join(project.dir, 'models', 'macro.sql'), 'MODEL (name a.macro);\nSELECT @nope AS x');
    const diagnostics = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.match(diagnostics[0].message, /macro variable @nope is not defined/);
    assert.equal(at(diagnostics[0]), '1:7-1:12');
  });

  it('clears diagnostics when the file is closed', async () => {
    const uri = await client.open(path.join(project.dir, 'models', 'closing.sql'), 'MODEL (name a.closing);\nSELECT 1 FROM');
    await client.diagnostics(uri, (ds) => ds.length === 1);
    const mark = client.mark();
    await client.close(uri);
    await client.diagnostics(uri, (ds) => ds.length === 0, mark);
  });

  it('reports errors in a model of another dialect at the file position, through the translation', async () => {
    // Backticks, a date function with its arguments moved and IFF are rewritten before the error: the
    // position must still be the token the user wrote.
    const text = "MODEL (name shop.hive_orders, dialect spark);\nSELECT `id`, datediff(a, b) AS d, IFF(x, 1, 2) AS f FROM t WHERE id = = 3";
    const uri = await client.open(path.join(project.dir, 'models', 'hive_orders.sql'), text);
    const [d, ...rest] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.deepEqual(rest, []);
    assert.match(d.message, /^syntax error at or near "=" \(the spark query is read as DuckDB SQL/);
    const column = text.split('\n')[1].lastIndexOf('=');
    assert.equal(d.range.start.line, 1);
    assert.equal(d.range.start.character, column);
  });

  it('reports a construct with no DuckDB translation where it is written', async () => {
    const text = 'MODEL (\n  name shop.variant,\n  dialect snowflake\n);\nSELECT IFF(a, 1, 2) AS x,\n  payload:customer AS customer\nFROM t';
    const uri = await client.open(path.join(project.dir, 'models', 'variant.sql'), text);
    const [d] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.match(d.message, /value:path access of semi-structured data has no DuckDB translation/);
    assert.equal(d.range.start.line, 5);
    assert.equal(d.range.start.character, '  payload'.length);
    assert.equal(d.severity, 1);
  });

  it('leaves SQL files outside models/ alone', async () => {
    const outside = await client.open(path.join(project.dir, 'scratch.sql'), 'SELEC broken');
    const model = await client.open(path.join(project.dir, 'models', 'after.sql'), 'MODEL (name a.after);\nSELECT 1 FROM');
    // Both were scheduled together, the outside file first: once the model's result is in, the other's is too.
    await client.diagnostics(model, (ds) => ds.length === 1);
    const published = client.all('textDocument/publishDiagnostics').filter((p) => p.uri === outside);
    assert.deepEqual(published, []);
  });
});

describe('language server: diagnostics wait for typing to pause', function () {
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = makeProject({ 'models/t12.sql': 'MODEL (name main.t12, kind VIEW);\nSELECT 1 AS a' });
    client = await LspTestClient.start({ folders: [project.dir], trusted: true });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  it('checks only the last of several quick edits', async () => {
    const uri = await client.open(path.join(project.dir, 'models', 'typing.sql'), 'MODEL (name a.typing);\nSELECT 1 FROM');
    // Three keystrokes, well inside the pause: "t", "1", "2" appended after FROM.
    const end = (n: number) => ({ line: 1, character: 13 + n });
    await client.edit(uri, { start: end(0), end: end(0) }, ' t');
    await client.edit(uri, { start: end(2), end: end(2) }, '1');
    await client.edit(uri, { start: end(3), end: end(3) }, '2');
    const published = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    assert.equal(published.params.version, 4);
    assert.deepEqual(published.params.diagnostics, []);
    assert.equal(client.all('textDocument/publishDiagnostics').filter((p) => p.uri === uri).length, 1);
  });
});

describe('language server: a project whose model_defaults name a dialect', function () {
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = makeProject({ 'models/t.sql': 'MODEL (name main.t, kind VIEW);\nSELECT 1 AS a, 2 AS b' });
    project.write('sluice.yaml', 'name: test\nmodel_defaults:\n  dialect: spark\n');
    client = await LspTestClient.start({ folders: [project.dir], trusted: false });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  it('reads a model without its own dialect in the default one, and reports what has no translation there', async () => {
    // Valid Spark SQL that DuckDB would reject as written (* EXCEPT); then DISTRIBUTE BY, which has no translation.
    const text = 'MODEL (name main.spark_orders);\nSELECT * EXCEPT (b), "x" AS label FROM main.t\nDISTRIBUTE BY a';
    const uri = await client.open(path.join(project.dir, 'models', 'spark_orders.sql'), text);
    const diagnostics = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.range.start.character]), [[2, 0]]);
    assert.match(diagnostics[0].message, /DISTRIBUTE BY has no DuckDB translation/);
  });

  it('hovers a column inside rewritten text with the column it reads', async () => {
    // `b`, nvl and date_add are rewritten before and around the cursor; the hover must still find a.
    const text = 'MODEL (name main.spark_hover);\nSELECT `b`, nvl(a, 0) AS z, date_add(CAST(\'2024-01-01\' AS DATE), a) AS d FROM main.t';
    const uri = await client.open(path.join(project.dir, 'models', 'spark_hover.sql'), text);
    await client.diagnostics(uri, () => true);
    const line = text.split('\n')[1];
    for (const at of [line.indexOf('nvl(a') + 4, line.lastIndexOf('a)')]) {
      const hover = await client.hoverText(uri, { line: 1, character: at });
      assert.ok(hover, `no hover at ${at}`);
      assert.match(hover!.split('\n')[0], /main\.t\.a/);
    }
  });
});
