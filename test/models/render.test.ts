import { strict as assert } from 'node:assert';
import { SluiceError } from '../../core/errors';
import { renderForAnalysis, renderQuery, type RenderContext } from '../../core/models/render';
import { describeDiagnostics, parse } from './helpers';

/** Renders `SELECT <expr>` in a minimal model and returns the rendered expression. */
function renderExpr(expr: string, context: RenderContext = {}, defs = ''): string {
  const model = parse(`MODEL (name a.b);\n${defs}SELECT ${expr}`);
  const rendered = renderQuery(model, context);
  assert.deepEqual(describeDiagnostics(rendered.diagnostics), []);
  return rendered.sql.slice('SELECT '.length);
}

const interval: RenderContext = { start: '2024-03-01', end: '2024-03-02', executionTime: '2024-03-03 06:30:00' };

describe('macro rendering: predefined variables', () => {
  const expected: Record<string, string> = {
    start_ds: "'2024-03-01'",
    start_ts: "'2024-03-01 00:00:00'",
    start_tstz: "'2024-03-01 00:00:00+00:00'",
    start_dt: "CAST('2024-03-01 00:00:00+00:00' AS TIMESTAMPTZ)",
    start_dtntz: "CAST('2024-03-01 00:00:00' AS TIMESTAMP)",
    start_date: "CAST('2024-03-01' AS DATE)",
    start_hour: '0',
    start_epoch: '1709251200.0',
    start_millis: '1709251200000',
    end_ds: "'2024-03-02'",
    end_ts: "'2024-03-02 23:59:59.999999'",
    end_tstz: "'2024-03-02 23:59:59.999999+00:00'",
    end_dt: "CAST('2024-03-02 23:59:59.999999+00:00' AS TIMESTAMPTZ)",
    end_dtntz: "CAST('2024-03-02 23:59:59.999999' AS TIMESTAMP)",
    end_date: "CAST('2024-03-02' AS DATE)",
    end_hour: '23',
    end_epoch: '1709423999.999',
    end_millis: '1709423999999',
    execution_ds: "'2024-03-03'",
    execution_ts: "'2024-03-03 06:30:00'",
    execution_tstz: "'2024-03-03 06:30:00+00:00'",
    execution_dt: "CAST('2024-03-03 06:30:00+00:00' AS TIMESTAMPTZ)",
    execution_dtntz: "CAST('2024-03-03 06:30:00' AS TIMESTAMP)",
    execution_date: "CAST('2024-03-03' AS DATE)",
    execution_hour: '6',
    execution_epoch: '1709447400.0',
    execution_millis: '1709447400000',
    latest_ds: "'2024-03-03'",
  };
  for (const [name, sql] of Object.entries(expected)) {
    it(`renders @${name} as ${sql}`, () => {
      assert.equal(renderExpr(`@${name}`, interval), sql);
    });
  }

  it('treats a timestamp end as exclusive (minus one microsecond), as SQLMesh does', () => {
    assert.equal(renderExpr('@end_ts', { start: '2024-03-01', end: '2024-03-01 12:00:00' }), "'2024-03-01 11:59:59.999999'");
    assert.equal(renderExpr('@end_ds', { end: new Date(Date.UTC(2024, 2, 2)) }), "'2024-03-01'");
  });

  it('accepts Date objects, epoch milliseconds, T separators and offsets', () => {
    assert.equal(renderExpr('@start_ts', { start: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }), "'2024-01-02 03:04:05'");
    assert.equal(renderExpr('@start_ts', { start: 1709251200000 }), "'2024-03-01 00:00:00'");
    assert.equal(renderExpr('@start_ts', { start: '2024-03-01T02:00:00+02:00' }), "'2024-03-01 00:00:00'");
    assert.equal(renderExpr('@start_ts', { start: '2024-03-01 00:00:00.5Z' }), "'2024-03-01 00:00:00.500000'");
  });

  it('defaults every date to 1970-01-01 (the whole day for the end)', () => {
    assert.equal(renderExpr('@start_ts || @end_ts || @execution_ds'), "'1970-01-01 00:00:00' || '1970-01-01 23:59:59.999999' || '1970-01-01'");
  });

  it('is case-insensitive', () => {
    assert.equal(renderExpr('@START_DS, @Start_Ds', interval), "'2024-03-01', '2024-03-01'");
  });

  it('renders @this_model quoted, and runtime variables as strings', () => {
    assert.equal(renderExpr('* FROM @this_model', { thisModel: ['sluice__analytics', 'orders__v1'] }), '* FROM "sluice__analytics"."orders__v1"');
    assert.equal(renderExpr('@runtime_stage, @gateway, @this_env, @model_kind_name'), "'evaluating', 'local', 'prod', 'VIEW'");
    assert.equal(renderExpr('@runtime_stage, @gateway', { runtimeStage: 'creating', gateway: 'ci' }), "'creating', 'ci'");
  });

  it('rejects an invalid interval with a SluiceError naming the value', () => {
    const model = parse('MODEL (name a.b); SELECT 1');
    assert.throws(() => renderQuery(model, { start: 'last tuesday' }), (err: unknown) => err instanceof SluiceError && /start 'last tuesday'/.test(err.message));
    assert.throws(() => renderQuery(model, { end: '2024-02-30' }), (err: unknown) => err instanceof SluiceError && /not a valid date/.test(err.message));
  });
});

describe('macro rendering: @DEF, variables and templates', () => {
  it('substitutes @DEF values as written: numbers, strings, names and expressions', () => {
    const defs = "@DEF(size, 10);\n@DEF(label, 'big');\n@DEF(tbl, raw.orders);\n@DEF(cond, amount > 5 AND NOT refunded);\n";
    assert.equal(renderExpr('@label AS l FROM @tbl WHERE n > @size AND @cond', {}, defs), "'big' AS l FROM raw.orders WHERE n > 10 AND amount > 5 AND NOT refunded");
  });

  it('expands macros inside @DEF values, including other @DEFs and predefined variables', () => {
    const defs = '@DEF(base, 2);\n@DEF(twice, @base * 2);\n@DEF(since, @start_ds);\n';
    assert.equal(renderExpr('@twice, @since', { start: '2024-05-06' }, defs), "2 * 2, '2024-05-06'");
  });

  it('lets @DEF win over predefined and project variables', () => {
    assert.equal(renderExpr('@start_ds, @region', { variables: { region: 'eu' } }, "@DEF(start_ds, '2000-01-01');\n@DEF(region, 'us');\n"), "'2000-01-01', 'us'");
  });

  it('renders project variables of every type, case-insensitively', () => {
    const variables = { Str_Var: "it's", int_var: 3, float_var: 2.5, bool_var: true, null_var: null, list_var: [1, 'a'] };
    assert.equal(renderExpr('@str_var, @INT_VAR, @float_var, @bool_var, @null_var, @list_var', { variables }), "'it''s', 3, 2.5, TRUE, NULL, (1, 'a')");
  });

  it('renders @VAR with a value, with a default, and as NULL when missing', () => {
    const context = { variables: { limit: 5 } };
    assert.equal(renderExpr("@VAR('limit'), @VAR('missing', 0), @var('missing')", context), '5, 0, NULL');
  });

  it('renders @{var} as an identifier, quoting it only when needed', () => {
    const defs = "@DEF(col, 'amount');\n@DEF(tbl, foo.bar);\n@DEF(plain, orders);\n";
    assert.equal(renderExpr('@{col} FROM @{tbl}, @{plain}', {}, defs), 'amount FROM "foo.bar", orders');
  });

  it('fills identifier templates: prefix_@{var}, @{var}_suffix and several pieces', () => {
    const defs = "@DEF(env, 'dev');\n@DEF(n, 2);\n";
    assert.equal(renderExpr('total_@{env} FROM @{env}_db.orders_@{n}, raw_@env', {}, defs), 'total_dev FROM dev_db.orders_2, raw_dev');
  });

  it('fills quoted identifier templates and @\'...\' string templates', () => {
    const defs = "@DEF(env, 'dev');\n";
    assert.equal(renderExpr(`"col @{env}", @'schema_@{env}_x', "user@example"`, {}, defs), `"col dev", 'schema_dev_x', "user@example"`);
  });

  it('never replaces inside strings, comments or dollar-quoted strings', () => {
    const query = "'@start_ds', E'it\\'s @end_ds', $$ @size $$, $t$@size$t$ -- @start_ds\n/* @size /* nested @size */ */ , @size";
    assert.equal(renderExpr(query, interval, '@DEF(size, 10);\n'), query.replace(/, @size$/, ', 10'));
  });

  it('leaves a lone @ (DuckDB absolute value operator) alone', () => {
    assert.equal(renderExpr('@ -5'), '@ -5');
  });
});

describe('macro rendering: problems are reported at their place', () => {
  it('reports an undefined variable at its position and keeps the text', () => {
    const model = parse('MODEL (name a.b);\nSELECT a\nFROM t WHERE b = @nope');
    const rendered = renderQuery(model);
    assert.deepEqual(describeDiagnostics(rendered.diagnostics), ['3:18 error macro variable @nope is not defined (define it with @DEF(nope, ...) or in the project variables)']);
    assert.equal(rendered.sql, 'SELECT a\nFROM t WHERE b = @nope');
  });

  it('does not mistake object internals for @DEF variables', () => {
    const model = parse('MODEL (name a.b);\nSELECT @constructor');
    assert.match(describeDiagnostics(renderQuery(model).diagnostics)[0], /^2:8 error macro variable @constructor is not defined/);
    assert.match(describeDiagnostics(renderQuery(parse('MODEL (name a.b);\nSELECT * FROM @this_model')).diagnostics)[0], /^2:15 error @this_model has no value here/);
  });

  it('reports unsupported macro functions at their name', () => {
    const model = parse("MODEL (name a.b);\nSELECT\n  @EACH([a, b], x -> x + 1),\n  @IF(true, 1, 2),\n  @STAR(t)\nFROM t");
    const rendered = renderQuery(model);
    assert.deepEqual(describeDiagnostics(rendered.diagnostics).map((d) => d.split(': ')[0]), [
      '3:3 error unsupported macro @EACH',
      '4:3 error unsupported macro @IF',
      '5:3 error unsupported macro @STAR',
    ]);
  });

  it('reports a problem inside a @DEF value at the @DEF, once', () => {
    const model = parse('MODEL (name a.b);\n@DEF(x, @missing + 1);\nSELECT @x, @x');
    assert.deepEqual(describeDiagnostics(renderQuery(model).diagnostics), ['2:9 error macro variable @missing is not defined (define it with @DEF(missing, ...) or in the project variables)']);
  });

  it('reports a @DEF that refers to itself', () => {
    const model = parse('MODEL (name a.b);\n@DEF(x, @x + 1);\nSELECT @x');
    assert.match(describeDiagnostics(renderQuery(model).diagnostics)[0], /^2:9 error macro variable @x is defined in terms of itself/);
  });

  it('reports an unknown name in an unquoted identifier template', () => {
    const model = parse('MODEL (name a.b);\nSELECT x FROM db_@{target}');
    assert.match(describeDiagnostics(renderQuery(model).diagnostics)[0], /^2:15 error macro variable @target is not defined/);
  });
});

describe('macro rendering: source map', () => {
  const text = 'MODEL (name a.b);\n@DEF(threshold, 100);\n\nSELECT id,\n  @start_ds AS since\nFROM raw.orders\nWHERE amount > @threshold AND bogus';

  it('maps offsets after expansions back to the file', () => {
    const model = parse(text);
    const { sql, sourceMap } = renderQuery(model, { start: '2024-01-01' });
    const at = (needle: string) => sourceMap.toFilePosition(sql.indexOf(needle));
    assert.deepEqual(at('FROM raw'), { offset: text.indexOf('FROM raw'), line: 6, column: 1 });
    assert.deepEqual(at('bogus'), { offset: text.indexOf('bogus'), line: 7, column: 31 });
    assert.deepEqual(at('AS since'), { offset: text.indexOf('AS since'), line: 5, column: 13 });
  });

  it('maps any offset inside an expansion to the macro reference', () => {
    const model = parse(text);
    const { sql, sourceMap } = renderQuery(model, { start: '2024-01-01' });
    const inside = sql.indexOf("'2024-01-01'") + 5;
    assert.deepEqual(sourceMap.toFilePosition(inside), { offset: text.indexOf('@start_ds'), line: 5, column: 3 });
    assert.deepEqual(sourceMap.toFilePosition(sql.indexOf('100')), { offset: text.indexOf('@threshold'), line: 7, column: 16 });
  });

  it('maps rendered line/column (as DuckDB reports them) to the file', () => {
    const model = parse(text);
    const { sql, sourceMap } = renderQuery(model, { start: '2024-01-01' });
    const lines = sql.split('\n');
    const line = lines.findIndex((l) => l.includes('bogus')) + 1;
    const column = lines[line - 1].indexOf('bogus') + 1;
    assert.deepEqual(sourceMap.toFilePositionFromLineColumn(line, column), { offset: text.indexOf('bogus'), line: 7, column: 31 });
  });

  it('maps the end of the rendered query to the end of the query in the file', () => {
    const model = parse(text);
    const { sql, sourceMap } = renderQuery(model);
    assert.equal(sourceMap.toFileOffset(sql.length), text.length);
  });
});

describe('render for analysis', () => {
  it('uses neutral dates and the model name for @this_model', () => {
    const model = parse('MODEL (name Analytics.Orders);\nSELECT * FROM @this_model WHERE ds BETWEEN @start_ds AND @end_ds AND @runtime_stage = \'loading\'');
    const { sql, diagnostics } = renderForAnalysis(model);
    assert.deepEqual(diagnostics, []);
    assert.equal(sql, `SELECT * FROM "Analytics"."Orders" WHERE ds BETWEEN '1970-01-01' AND '1970-01-01' AND 'loading' = 'loading'`);
  });

  it('takes overrides such as project variables', () => {
    const model = parse('MODEL (name a.b);\nSELECT @region');
    assert.equal(renderForAnalysis(model, { variables: { region: 'eu' } }).sql, "SELECT 'eu'");
  });
});
