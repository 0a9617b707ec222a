import { strict as assert } from 'node:assert';
import { discoverAudits, inlineAudits, parseAuditFile } from '../../core/quality/auditFile';
import { resolveAudits } from '../../core/quality/resolveAudits';
import { runAudits } from '../../core/quality/runAudits';
import type { SqlAuditSpec } from '../../core/quality/types';
import { Warehouse } from '../../core/warehouse/connection';
import { describeDiagnostics, model, tempProject } from './helpers';

const at = (text: string) => describeDiagnostics(parseAuditFile(text, 'audits/a.sql').diagnostics);

describe('quality: audit files', () => {
  it('reads several audits with their properties, defaults and @DEFs', () => {
    const parsed = parseAuditFile(
      [
        '-- amounts',
        'AUDIT (',
        '  name Assert_Positive,',
        '  blocking false,',
        '  dialect duckdb,',
        '  defaults (threshold = 0, column := amount),',
        ');',
        '@DEF(limit_rows, 10);',
        'SELECT * FROM @this_model WHERE @column < @threshold;',
        '',
        "AUDIT (name 'no_future', skip true);",
        'SELECT * FROM @this_model WHERE ds > @end_ds',
      ].join('\n'),
      'audits/a.sql',
    );
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.audits.length, 2);
    const [positive, future] = parsed.audits;
    assert.equal(positive.name, 'assert_positive');
    assert.equal(positive.blocking, false);
    assert.equal(positive.dialect, 'duckdb');
    assert.deepEqual(positive.defaults, { threshold: '0', column: 'amount' });
    assert.deepEqual(positive.defs, { limit_rows: '10' });
    assert.equal(positive.query, 'SELECT * FROM @this_model WHERE @column < @threshold');
    assert.deepEqual([positive.queryStart.line, positive.queryStart.column], [9, 1]);
    assert.deepEqual([positive.start.line, positive.start.column], [2, 1]);
    assert.equal(future.name, 'no_future');
    assert.equal(future.skip, true);
    assert.equal(future.blocking, true);
  });

  it('reports header problems at their line and column', () => {
    assert.deepEqual(at('AUDIT (blocking false);\nSELECT 1'), ['audits/a.sql:1:1 error the AUDIT block has no name; add e.g. name assert_positive_amount']);
    assert.deepEqual(at('AUDIT (name a,\n  blocking maybe);\nSELECT 1'), ['audits/a.sql:2:12 error blocking must be true or false, found maybe']);
    assert.deepEqual(at('AUDIT (name a, colour red);\nSELECT 1'), [
      'audits/a.sql:1:16 error unknown audit property \'colour\' (known: name, dialect, blocking, skip, standalone, defaults, ...)',
    ]);
    assert.deepEqual(at('AUDIT (name a;\nSELECT 1'), ['audits/a.sql:1:7 error the "(" of the AUDIT block is never closed']);
    assert.deepEqual(at('AUDIT (name a);'), ['audits/a.sql:1:1 error audit a has no query; add a SELECT returning the rows that break the rule']);
    assert.deepEqual(at('AUDIT (name a);\nDELETE FROM t'), ['audits/a.sql:2:1 error audit a: expected a SELECT query, found "DELETE"']);
    assert.deepEqual(at('SELECT 1;\nAUDIT (name a);\nSELECT 2'), ['audits/a.sql:1:1 error an audit file starts with AUDIT (name ..., ...); found "SELECT"']);
    assert.deepEqual(at('AUDIT (name a, defaults 5);\nSELECT 1'), ['audits/a.sql:1:25 error defaults must be written as (name = value, ...)']);
    assert.deepEqual(at("AUDIT (name a);\nSELECT 'oops"), ['audits/a.sql:2:8 error unterminated string literal']);
  });

  it('reports a name defined twice in one file on the second definition', () => {
    assert.deepEqual(at('AUDIT (name a);\nSELECT 1;\n\nAUDIT (name A);\nSELECT 2'), [
      'audits/a.sql:4:1 error audit a is defined twice in this file (first on line 1)',
    ]);
  });

  it('inline audits keep their positions in the model file', () => {
    const parsed = model('MODEL (name s.t);\nSELECT 1 AS id;\n\nAUDIT (name inline_check, bad_key 1);\nSELECT * FROM @this_model WHERE id < 0;\n', 'models/t.sql');
    const inline = inlineAudits(parsed);
    assert.deepEqual(inline.audits.map((a) => [a.name, a.inline, a.queryStart.line]), [['inline_check', true, 5]]);
    assert.deepEqual(describeDiagnostics(inline.diagnostics), [
      "models/t.sql:4:27 error unknown audit property 'bad_key' (known: name, dialect, blocking, skip, standalone, defaults, ...)",
    ]);
  });

  it('discovers audits/**/*.sql and reports a name defined in two files', async () => {
    const project = tempProject({
      'audits/a.sql': 'AUDIT (name shared);\nSELECT 1',
      'audits/nested/b.sql': 'AUDIT (name shared);\nSELECT 2;\nAUDIT (name other);\nSELECT 3',
      'audits/.hidden/c.sql': 'not sql at all',
    });
    try {
      const files = await discoverAudits(project.dir);
      assert.deepEqual(files.map((f) => f.audits.map((a) => a.name)), [['shared'], ['other']]);
      const messages = files.flatMap((f) => describeDiagnostics(f.diagnostics));
      assert.equal(messages.length, 1);
      assert.match(messages[0], /nested\/b\.sql:1:1 error audit shared is also defined in .*audits\/a\.sql:1:1/);
    } finally {
      project.cleanup();
    }
  });
});

describe('quality: resolving a model\'s audits', () => {
  const files = [
    parseAuditFile(
      [
        'AUDIT (name does_not_exceed, defaults (threshold = 100));',
        'SELECT * FROM @this_model WHERE @column > @threshold;',
        'AUDIT (name soft, blocking false);',
        'SELECT * FROM @this_model WHERE price IS NULL;',
        'AUDIT (name skipped, skip true);',
        'SELECT * FROM @this_model;',
        'AUDIT (name lonely, standalone true);',
        'SELECT 1;',
      ].join('\n'),
      'audits/checks.sql',
    ),
  ];

  it('unknown audits and bad arguments are errors at the reference in the model file', () => {
    const parsed = model(
      'MODEL (\n  name s.items,\n  audits (\n    not_nul(columns := (id)),\n    not_null(colums := (id)),\n    accepted_range(column := price),\n    kl_divergence(column := a, target_column := b, threshold := 1),\n    lonely\n  )\n);\nSELECT 1 AS id',
      'models/items.sql',
    );
    const resolved = resolveAudits(parsed, files);
    assert.deepEqual(resolved.audits, []);
    assert.deepEqual(describeDiagnostics(resolved.diagnostics), [
      'models/items.sql:4:5 error s.items: audit not_nul is not defined: it is not a built-in audit and no audits/*.sql file has AUDIT (name not_nul)',
      'models/items.sql:5:24 error s.items: not_null has no argument \'colums\'; it takes columns, condition, blocking',
      'models/items.sql:5:5 error s.items: not_null needs the argument columns := (a, b)',
      'models/items.sql:6:5 error s.items: accepted_range needs at least one of min_v, max_v',
      'models/items.sql:7:5 error s.items: the built-in audit kl_divergence is not supported by Sluice yet',
      'models/items.sql:8:5 error s.items: audit lonely is a standalone audit (standalone true) and cannot be attached to a model',
    ]);
  });

  it('SQL audits get their parameters from the model, then from defaults', () => {
    const parsed = model('MODEL (name s.items, audits (does_not_exceed(column := price), does_not_exceed(column := id, threshold := 2), soft, soft(blocking := true), skipped));\nSELECT 1');
    const resolved = resolveAudits(parsed, files);
    assert.deepEqual(resolved.diagnostics, []);
    assert.deepEqual(resolved.audits.map((a) => [a.label, a.blocking]), [
      ['does_not_exceed(column := price)', true],
      ['does_not_exceed(column := id, threshold := 2)', true],
      ['soft', false],
      ['soft(blocking := true)', true],
    ]);
    const first = resolved.audits[0] as SqlAuditSpec;
    assert.deepEqual(first.variables, { threshold: '100', column: 'price' });
  });

  it('a user audit named like a built-in wins over the built-in', () => {
    const override = parseAuditFile('AUDIT (name not_null);\nSELECT * FROM @this_model WHERE FALSE', 'audits/override.sql');
    const resolved = resolveAudits(model('MODEL (name s.items, audits (not_null));\nSELECT 1'), [override]);
    assert.deepEqual(resolved.diagnostics, []);
    assert.equal(resolved.audits[0].source, 'sql');
  });

  it('a parameter the model does not pass is reported at the macro in the audit file', () => {
    const resolved = resolveAudits(model('MODEL (name s.items, audits (does_not_exceed));\nSELECT 1', 'models/items.sql'), files);
    assert.deepEqual(describeDiagnostics(resolved.diagnostics), [
      'audits/checks.sql:2:33 error macro variable @column is not defined (define it with @DEF(column, ...) or in the project variables) (audit does_not_exceed of model s.items)',
    ]);
  });

  it('an inline audit runs when the audits property names it, and only then', () => {
    const text = 'SELECT 1 AS id;\nAUDIT (name positive_ids);\nSELECT * FROM @this_model WHERE id <= 0;\nAUDIT (name unused);\nSELECT * FROM @this_model WHERE id > @threshold;\n';
    const named = resolveAudits(model(`MODEL (name s.items, audits (positive_ids));\n${text}`, 'models/items.sql'), []);
    assert.deepEqual(named.audits.map((a) => a.name), ['positive_ids']);
    // The unnamed one is not rendered either: its undefined @threshold blocks nothing.
    assert.deepEqual(describeDiagnostics(named.diagnostics), [
      'models/items.sql:5:1 warning inline audit unused is not in the audits property of s.items, so it does not run; add it there, e.g. audits (unused)',
    ]);
    const none = resolveAudits(model(`MODEL (name s.items);\n${text}`, 'models/items.sql'), []);
    assert.deepEqual(none.audits, []);
    assert.equal(none.diagnostics.filter((d) => d.severity === 'error').length, 0);
  });

  it('runs SQL audits with @this_model and parameters substituted', async () => {
    const wh = await Warehouse.open(':memory:');
    try {
      await wh.run('CREATE SCHEMA s; CREATE TABLE s.items AS SELECT * FROM (VALUES (1, 50.0), (2, 150.0), (3, NULL)) AS t(id, price)');
      const parsed = model('MODEL (name s.items, audits (does_not_exceed(column := price), does_not_exceed(column := price, threshold := 200), soft));\nSELECT 1');
      const results = await runAudits(wh, { schema: 's', table: 'items' }, resolveAudits(parsed, files).audits);
      assert.deepEqual(results.map((r) => [r.passed, r.violations, r.blocking]), [[false, 1, true], [true, 0, true], [false, 1, false]]);
      assert.deepEqual(results[0].sample, [{ id: 2, price: '150.0' }]);
      assert.equal(results[0].sql, 'SELECT * FROM "s"."items" WHERE price > 100');
    } finally {
      wh.close();
    }
  });
});
