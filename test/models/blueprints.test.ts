// Blueprints read from the MODEL block or returned by a macro, and how their variables render.
import { strict as assert } from 'node:assert';
import type { MacroDefinition, ProjectMacros } from '../../core/models/macroApi';
import { parseModelBlueprints } from '../../core/models/parse';
import { renderForAnalysis } from '../../core/models/render';
import { describeDiagnostics } from './helpers';

function macros(fns: Record<string, (...args: any[]) => unknown>): ProjectMacros {
  const functions = new Map<string, MacroDefinition>(Object.entries(fns).map(([name, fn]) => [name, { name, file: 'macros/blueprints.ts', fn }]));
  return { functions, python: new Map() };
}

/** Name and rendered query of each model the text makes, or the problems of each. */
function expand(text: string, options: { macros?: ProjectMacros; variables?: Record<string, string> } = {}): string[] {
  return parseModelBlueprints(text, 'models/t.sql', { macros: options.macros }).map((model) => {
    const rendered = renderForAnalysis(model, { variables: options.variables, macros: options.macros });
    const problems = describeDiagnostics([...model.diagnostics, ...rendered.diagnostics]);
    return problems.length > 0 ? problems.join('; ') : `${model.definition?.name}: ${rendered.sql}`;
  });
}

describe('blueprints', () => {
  it('makes one model per mapping; @DEF and predefined variables win over a blueprint variable, which wins over a project variable', () => {
    const text = [
      'MODEL (name @{shop}_raw."order list", blueprints ((shop := north, n := 1, start_ds := x), (shop := "South Side", n := @base + 1)));',
      '@DEF(kept, 7);',
      "SELECT @n AS n, @kept AS kept, @shop AS shop_col, @'@{shop}' AS label, @BLUEPRINT_VAR('missing', 0) AS d, @base AS base, @start_ds AS s",
    ].join('\n');
    assert.deepEqual(expand(text, { variables: { shop: 'ignored', base: '10', kept: 'ignored' } }), [
      `north_raw."order list": SELECT 1 AS n, 7 AS kept, north AS shop_col, 'north' AS label, 0 AS d, '10' AS base, '1970-01-01' AS s`,
      `"South Side_raw"."order list": SELECT '10' + 1 AS n, 7 AS kept, "South Side" AS shop_col, 'South Side' AS label, 0 AS d, '10' AS base, '1970-01-01' AS s`,
    ]);
  });

  it('reads blueprints a macro returns, as one list or as several mappings', () => {
    const fns = macros({
      list: (_e: unknown, ...names: string[]) => `(${names.map((n) => `(s := ${n})`).join(', ')})`,
      items: () => ['(s := a)', '(s := b)'],
      broken: () => 'not a list',
      fails: () => {
        throw new Error('no regions configured');
      },
    });
    const model = (call: string) => `MODEL (name @s.t, blueprints ${call});\nSELECT 1 AS x`;
    assert.deepEqual(expand(model('@LIST(x, y)'), { macros: fns }), ['x.t: SELECT 1 AS x', 'y.t: SELECT 1 AS x']);
    assert.deepEqual(expand(model('@items()'), { macros: fns }), ['a.t: SELECT 1 AS x', 'b.t: SELECT 1 AS x']);
    assert.deepEqual(expand(model('@broken()'), { macros: fns }), [
      '1:30 error @BROKEN returned blueprints Sluice cannot read: each blueprint must be a mapping like (customer := acme, region := eu), found not a list',
    ]);
    assert.deepEqual(expand(model('@fails()'), { macros: fns }), ['1:30 error @FAILS (macros/blueprints.ts) failed: no regions configured']);
    assert.deepEqual(expand(model('@items()')), ['1:30 error blueprints from @ITEMS: no file in macros/ exports a function named items; write one in macros/*.ts, or list the blueprints in the MODEL block']);
  });

  it('a file without blueprints is one model, as before', () => {
    assert.deepEqual(expand('MODEL (name a.b);\nSELECT 1 AS x'), ['a.b: SELECT 1 AS x']);
  });
});
