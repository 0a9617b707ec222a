import { strict as assert } from 'node:assert';
import { errors, parse, warnings } from './helpers';

describe('model file: statements after the MODEL block', () => {
  it('reads @DEF variables case-insensitively, with the location of each value', () => {
    const text = "MODEL (name a.b);\n@DEF(Size, 10);\n@def(label, 'big ones');\nSELECT 1";
    const model = parse(text);
    assert.deepEqual(errors(model), []);
    assert.deepEqual(model.defs, { size: '10', label: "'big ones'" });
    assert.deepEqual(model.defLocations.size.start, { offset: text.indexOf('10'), line: 2, column: 12 });
    assert.deepEqual(model.defLocations.label.end, { offset: text.indexOf("');") + 1, line: 3, column: 23 });
    assert.equal(model.query, 'SELECT 1');
  });

  it('lets a later @DEF of the same name win', () => {
    assert.deepEqual(parse('MODEL (name a.b); @DEF(x, 1); @DEF(X, 2); SELECT @x').defs, { x: '2' });
  });

  it('keeps a multi-token @DEF value as written', () => {
    const model = parse('MODEL (name a.b);\n@DEF(filter_expr, a > 1 AND b IN (1, 2));\nSELECT 1');
    assert.equal(model.defs.filter_expr, 'a > 1 AND b IN (1, 2)');
  });

  it('warns that @DEF macro functions (lambdas) are not supported and does not define them', () => {
    const model = parse('MODEL (name a.b);\n@DEF(double, x -> x * 2);\nSELECT 1');
    assert.deepEqual(model.defs, {});
    assert.match(warnings(model)[0], /^2:1 warning @DEF\(double, \.\.\. -> \.\.\.\) defines a macro function/);
  });

  it('takes the query text without its semicolon or leading comments, and its start position', () => {
    const text = 'MODEL (name a.b);\n\n-- the query\n  WITH x AS (SELECT 1 AS a)\n  SELECT a FROM x -- done\n;\n';
    const model = parse(text);
    assert.equal(model.query, 'WITH x AS (SELECT 1 AS a)\n  SELECT a FROM x');
    assert.deepEqual(model.queryStart, { offset: text.indexOf('WITH'), line: 4, column: 3 });
  });

  it('recognises FROM-first, VALUES and parenthesised set operations as queries', () => {
    assert.equal(parse('MODEL (name a.b); FROM t SELECT a').query, 'FROM t SELECT a');
    assert.equal(parse('MODEL (name a.b); VALUES (1), (2)').query, 'VALUES (1), (2)');
    assert.equal(parse('MODEL (name a.b); (SELECT 1) UNION ALL (SELECT 2)').query, '(SELECT 1) UNION ALL (SELECT 2)');
  });

  it('keeps pre- and post-statements with their places, without warnings (they run around the query)', () => {
    const model = parse(`MODEL (name sushi.customers, kind FULL);

CREATE SCHEMA IF NOT EXISTS raw;
SET threads = 2;

SELECT 1 AS customer_id;

@assert_has_columns(sushi.customers, {customer_id: 'int'})`);
    assert.deepEqual(errors(model), []);
    assert.deepEqual(model.statements.map((s) => [s.role, s.text, s.start.line]), [
      ['pre', 'CREATE SCHEMA IF NOT EXISTS raw', 3],
      ['pre', 'SET threads = 2', 4],
      ['post', "@assert_has_columns(sushi.customers, {customer_id: 'int'})", 8],
    ]);
    assert.equal(model.query, 'SELECT 1 AS customer_id');
    assert.deepEqual(warnings(model), []);
  });

  it('keeps inline AUDIT blocks apart from the query (a seed model with audits has no query)', () => {
    const model = parse(`MODEL (
  name sushi.waiter_names,
  kind SEED (path '../seeds/waiter_names.csv'),
  audits (assert_positive_id)
);

AUDIT (
  name assert_positive_id,
);
SELECT * FROM @this_model WHERE id < 0;`);
    assert.deepEqual(errors(model), []);
    assert.equal(model.query, '');
    assert.equal(model.statements.length, 1);
    assert.equal(model.statements[0].role, 'audit');
    assert.match(model.statements[0].text, /^AUDIT \(\n {2}name assert_positive_id,\n\);\nSELECT \* FROM @this_model WHERE id < 0$/);
  });

  it('keeps each statement of an ON_VIRTUAL_UPDATE block, with its line', () => {
    const model = parse(`MODEL (name a.b);
SELECT 1 AS x;
ON_VIRTUAL_UPDATE_BEGIN;
GRANT SELECT ON VIEW @this_model TO ROLE role_name;
COMMENT ON VIEW @this_model IS 'x';
ON_VIRTUAL_UPDATE_END;`);
    assert.deepEqual(errors(model), []);
    assert.deepEqual(warnings(model), []);
    assert.deepEqual(model.statements.map((s) => [s.role, s.text, s.start.line]), [
      ['virtual_update', 'GRANT SELECT ON VIEW @this_model TO ROLE role_name', 4],
      ['virtual_update', "COMMENT ON VIEW @this_model IS 'x'", 5],
    ]);
  });

  it('reports an ON_VIRTUAL_UPDATE_BEGIN without its end', () => {
    const model = parse('MODEL (name a.b);\nSELECT 1 AS x;\nON_VIRTUAL_UPDATE_BEGIN;\nSELECT 2;');
    assert.match(errors(model)[0], /^3:1 error ON_VIRTUAL_UPDATE_BEGIN has no ON_VIRTUAL_UPDATE_END/);
  });

  it('reports Jinja blocks as unsupported at their start', () => {
    const model = parse('MODEL (name a.b);\nJINJA_QUERY_BEGIN;\nSELECT {{ x }};\nJINJA_END;');
    assert.equal(errors(model).length, 1);
    assert.match(errors(model)[0], /^2:1 error Jinja blocks are not supported/);
  });

  it('treats a lone macro call as the query, as SQLMesh does', () => {
    const model = parse('MODEL (name a.b);\n@UNION(\'all\', x, y)');
    assert.equal(model.query, "@UNION('all', x, y)");
  });
});
