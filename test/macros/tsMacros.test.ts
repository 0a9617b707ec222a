// TypeScript macros (macros/*.ts) on real project directories: loaded like sources, called at render time
// with their arguments' SQL, the returned SQL analysed (lineage, types) and errors reported at the call.
import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import { loadProjectMacros } from '../../core/models/loadMacros';
import { parseModelFile } from '../../core/models/parse';
import { renderQuery } from '../../core/models/render';
import type { TempProject } from '../helpers/project';
import { errorsOf, modelProject } from '../project/helpers';
import { macroProjectFiles, REPORT_SQL } from './fixture';

describe('TypeScript macros (macros/*.ts)', function () {
  this.timeout(60_000);
  let project: TempProject | undefined;
  afterEach(() => {
    project?.cleanup();
    project = undefined;
  });

  async function render(files: Record<string, string>, sql: string, context: Parameters<typeof renderQuery>[1] = {}) {
    project = modelProject(files);
    const macros = await loadProjectMacros(project.dir);
    return renderQuery(parseModelFile(sql, 'models/m.sql'), { ...context, macros });
  }

  it('calls the exported functions by name, case-insensitively, with the arguments as SQL text', async () => {
    const rendered = await render(macroProjectFiles, REPORT_SQL, { environment: 'dev' });
    assert.deepEqual(rendered.diagnostics, []);
    assert.equal(rendered.sql.trim(), `SELECT
  id,
  regexp_replace(email, '[^@.]', '#', 'g') AS masked_email,
  (spend * 2) + 1 AS spend_score,
  'shop.customer_report@dev' AS built_by
FROM shop.customers`);
  });

  it('expands macro variables and nested calls in arguments, and gives the evaluator the interval and variables', async () => {
    const files = {
      ...macroProjectFiles,
      'macros/window.ts': `export function between_interval(e, column) {
  return \`\${column} BETWEEN \${e.variable('start_ds')} AND \${e.variable('end_ds')} /* \${e.start.toISOString()} \${e.runtimeStage} \${e.dialect} */\`;
}
export const not_a_macro = 42;
`,
    };
    const sql = "MODEL (name a.b);\n@DEF(base, 10);\nSELECT @ADD_ONE(@ADD_ONE(@base)) AS x FROM t WHERE @BETWEEN_INTERVAL(d)";
    const rendered = await render(files, sql, { start: '2024-03-01', end: '2024-03-02' });
    assert.deepEqual(rendered.diagnostics, []);
    assert.equal(
      rendered.sql,
      "SELECT ((10) + 1) + 1 AS x FROM t WHERE d BETWEEN '2024-03-01' AND '2024-03-02' /* 2024-03-01T00:00:00.000Z evaluating duckdb */",
    );
  });

  it('keyword arguments (name := value) go to the parameters of that name; a skipped one keeps its default', async () => {
    const files = {
      ...macroProjectFiles,
      'macros/pad.ts': `export function pad(e, column, width = '10', fill = ", ") {
  return \`lpad(\${column}, \${width}, \${fill})\`;
}
export const arrow = (e, first, second) => \`\${first} - \${second}\`;
`,
    };
    const sql = "MODEL (name a.b);\nSELECT @MASK(email, mask := '#') AS a, @MASK(column := email) AS b, @PAD(name, fill := '0') AS c, @ARROW(second := 1, first := 2) AS d FROM t";
    const rendered = await render(files, sql);
    assert.deepEqual(rendered.diagnostics, []);
    assert.equal(
      rendered.sql,
      "SELECT regexp_replace(email, '[^@.]', '#', 'g') AS a, regexp_replace(email, '[^@.]', '*', 'g') AS b, lpad(name, 10, '0') AS c, 2 - 1 AS d FROM t",
    );
  });

  it('reports a keyword no parameter has, one given twice, and a positional argument after a keyword, at the argument', async () => {
    const sql = "MODEL (name a.b);\nSELECT\n  @MASK(email, colour := '#'),\n  @MASK(email, column := name),\n  @MASK(mask := '#', email)\nFROM t";
    const rendered = await render(macroProjectFiles, sql);
    assert.deepEqual(
      rendered.diagnostics.map((d) => [d.start.line, d.start.column, d.message]),
      [
        [3, 16, '@MASK (macros/utils.ts): no parameter named colour (its parameters: column, mask)'],
        [4, 16, '@MASK (macros/utils.ts): column is given twice'],
        [5, 22, '@MASK (macros/utils.ts): a positional argument cannot follow a keyword argument'],
      ],
    );
  });

  it('reports at the call: a throw (with the macro file line, no stack), a bad return value, an unknown name', async () => {
    const files = {
      ...macroProjectFiles,
      'macros/bad.ts': 'export function nothing() {}\nexport async function later() { return "1"; }\nexport function obj() { return { a: 1 }; }\n',
    };
    const sql = "MODEL (name a.b);\nSELECT\n  @MASK(email, 'ab'),\n  @NOTHING(),\n  @LATER(),\n  @OBJ(),\n  @NOPE(1)\nFROM t";
    const rendered = await render(files, sql);
    const messages = rendered.diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.message}`);
    assert.equal(messages.length, 5, messages.join('\n'));
    assert.match(messages[0], /^3:3 @MASK \(macros\/utils\.ts:12:11\) failed: the mask must be one character in quotes, got 'ab'$/);
    assert.equal(messages[1], '4:3 @NOTHING (macros/bad.ts) returned undefined: return SQL text, a number, a boolean, null or an array of those');
    assert.match(messages[2], /^5:3 @LATER \(macros\/bad\.ts\) returned a Promise: .* not from an async function$/);
    assert.equal(messages[3], '6:3 @OBJ (macros/bad.ts) returned object: return SQL text, a number, a boolean, null or an array of those');
    assert.match(messages[4], /^7:3 unsupported macro @NOPE: no file in macros\/ exports a function named nope/);
    assert.ok(messages.every((m) => !/\bat .*:\d+:\d+\)?$/m.test(m) && !m.includes('\n')), 'no stack trace');
  });

  it('a macro file that does not compile, or two files exporting one name, make the calls say why', async () => {
    const broken = await render({ 'macros/utils.ts': 'export function add_one(e, x) { return x +; }\n' }, 'MODEL (name a.b);\nSELECT @ADD_ONE(1)');
    assert.deepEqual(broken.diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.message}`), [
      '2:8 @ADD_ONE cannot be evaluated: macros/utils.ts:1:43: Unexpected ";"',
    ]);
    project?.cleanup();
    const twice = await render(
      { 'macros/a.ts': 'export const add_one = (e, x) => `${x} + 1`;\n', 'macros/b.js': 'exports.ADD_ONE = (e, x) => `${x} + 2`;\nexports.two = () => 2;\n' },
      'MODEL (name a.b);\nSELECT @ADD_ONE(1), @TWO()',
    );
    assert.deepEqual(twice.diagnostics.map((d) => d.message), [
      '@ADD_ONE cannot be evaluated: macros/a.ts and macros/b.js both export add_one, and macro names ignore case; rename one',
    ]);
  });

  it('a Python macro call is told to become macros/<name>.ts', async () => {
    const rendered = await render({ 'macros/utils.py': 'from sqlmesh import macro\n\n@macro()\ndef mask(evaluator, column):\n    return column\n' }, 'MODEL (name a.b);\nSELECT @MASK(x)');
    assert.deepEqual(rendered.diagnostics.map((d) => d.message), [
      '@MASK is a Python macro (defined in macros/utils.py), and Sluice cannot run Python macros: write it as macros/mask.ts exporting function mask (see "Macros in TypeScript" in docs/models.md)',
    ]);
  });

  it('not run when the caller says so: every call gets the reason', async () => {
    project = modelProject(macroProjectFiles);
    const macros = await loadProjectMacros(project.dir, { run: false, notRunReason: 'the workspace is not trusted' });
    assert.equal(macros.functions.size, 0);
    const rendered = renderQuery(parseModelFile(REPORT_SQL, 'models/m.sql'), { macros });
    assert.deepEqual(rendered.diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.message}`), [
      '5:3 @MASK cannot be evaluated: the workspace is not trusted',
      '6:3 @ADD_ONE cannot be evaluated: the workspace is not trusted',
      '7:3 @MODEL_LABEL cannot be evaluated: the workspace is not trusted',
    ]);
  });

  it('the project analyses the rendered query: column lineage through the calls, SQL errors at the call', async () => {
    project = modelProject({
      ...macroProjectFiles,
      'models/broken.sql': 'MODEL (name shop.broken, kind FULL);\nSELECT\n  id,\n  @MASK(email) AS e,\n  @ADD_ONE(spend FROM) AS s\nFROM shop.customers\n',
    });
    const models = await ModelProject.load(project.dir);
    assert.equal(models.columnLineage('shop.customer_report', 'masked_email')?.sources.join(), 'shop.customers.email');
    assert.equal(models.columnLineage('shop.customer_report', 'spend_score')?.sources.join(), 'shop.customers.spend');
    assert.deepEqual(models.columnLineage('shop.customer_report', 'built_by')?.sources, []);
    assert.deepEqual(models.model('shop.customer_report')!.columns.map((c) => c.name), ['id', 'masked_email', 'spend_score', 'built_by']);
    const errors = errorsOf(models.diagnostics(), project.dir);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /^models\/broken\.sql:5:3: error: .*syntax error/);
  });
});
