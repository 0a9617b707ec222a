// SQLMesh blueprints: a MODEL block with `blueprints (...)` is a template for several models, one per
// mapping of variables. The model name must use those variables (`name @customer.orders`, or
// `@{customer}_raw.orders`), and the query may (`@field`, `@{field}`, `@BLUEPRINT_VAR('field')`). A value
// is SQL, as written in the mapping: `customer := acme` stands for the identifier acme, `'acme'` for a string.

import type { HeaderValue, Report } from './headerParser';
import type { LineMap } from './position';
import { hasOwn, setOwn } from './objects';
import { tokenize } from './tokenizer';
import type { Position } from './types';
import { rawText, type ValueContext } from './values';

export interface BlueprintVariable {
  /** The value as written (SQL). */
  raw: string;
  /** What the value contributes inside a name or string template: a lone name or string without its quotes. */
  text: string;
  start: Position;
  end: Position;
}

export interface Blueprint {
  /** 0-based position in the blueprints list. */
  index: number;
  /** Lower-cased variable name → value. */
  variables: Record<string, BlueprintVariable>;
  /** Where the blueprint's mapping is written. */
  start: Position;
  end: Position;
}

/** `blueprint 2 (line 7)`: how messages name a blueprint. */
export function describeBlueprint(blueprint: Blueprint): string {
  return `blueprint ${blueprint.index + 1} (line ${blueprint.start.line})`;
}

/**
 * The blueprints of a `blueprints` property value. As in SQLMesh, the value is a list of mappings, each a
 * parenthesised list of `name := value` (a lone `name := value` is a mapping of one variable):
 * `((customer := acme, region := eu), (customer := globex, region := us))`. Problems are reported and
 * the mapping in question is left out.
 */
export function readBlueprints(ctx: ValueContext & { lines: LineMap }, value: HeaderValue): Blueprint[] {
  const { report, lines } = ctx;
  if (value.type === 'call' || value.type === 'macro') {
    report(
      `blueprints made by a macro (${rawText(ctx, value)}) are not supported by Sluice yet: list them in the MODEL block, e.g. blueprints ((customer := acme), (customer := globex))`,
      value.start,
      value.end,
    );
    return [];
  }
  if (value.type !== 'tuple' && value.type !== 'array') {
    report(`blueprints must be a list of mappings like ((customer := acme), (customer := globex)), found ${rawText(ctx, value)}`, value.start, value.end);
    return [];
  }
  const out: Blueprint[] = [];
  for (const item of value.items) {
    const assigns = item.type === 'assign' ? [item] : item.type === 'tuple' || item.type === 'array' ? item.items : undefined;
    if (!assigns || assigns.length === 0) {
      report(`each blueprint must be a mapping like (customer := acme, region := eu), found ${rawText(ctx, item)}`, item.start, item.end);
      continue;
    }
    const variables: Record<string, BlueprintVariable> = {};
    let ok = true;
    for (const assign of assigns) {
      if (assign.type !== 'assign' || assign.key.type !== 'name' || assign.key.parts.length !== 1 || assign.key.templated) {
        report(`a blueprint variable is written name := value, found ${rawText(ctx, assign)}`, assign.start, assign.end);
        ok = false;
        continue;
      }
      const name = assign.key.parts[0].value.toLowerCase();
      if (hasOwn(variables, name)) {
        report(`blueprint variable '${name}' is set twice in the same blueprint`, assign.key.start, assign.key.end);
        ok = false;
        continue;
      }
      setOwn(variables, name, variableOf(ctx, assign.value, lines));
    }
    if (ok) out.push({ index: out.length, variables, start: lines.position(item.start), end: lines.position(item.end) });
  }
  if (out.length === 0 && value.items.length === 0) report('blueprints is an empty list: give at least one mapping', value.start, value.end);
  return out;
}

function variableOf(ctx: ValueContext, value: HeaderValue, lines: LineMap): BlueprintVariable {
  const raw = rawText(ctx, value);
  let text = raw;
  if (value.type === 'string') text = value.value;
  else if (value.type === 'name' && value.parts.length === 1 && !value.templated) text = value.parts[0].value;
  return { raw, text, start: lines.position(value.start), end: lines.position(value.end) };
}

const TEMPLATE_REFERENCE = /@(?:\{([\p{L}_][\p{L}\p{N}_]*)\}|([\p{L}_][\p{L}\p{N}_]*))/gu;

/**
 * The model name a blueprint gives: `@var` and `@{var}` in the name as written replaced by the variables'
 * text, then read as [catalog.]schema.table. Problems are reported at the name; undefined then.
 */
export function blueprintName(
  written: string,
  blueprint: Blueprint,
  at: { start: number; end: number },
  report: Report,
): { text: string; parts: string[] } | undefined {
  const missing: string[] = [];
  const text = written.replace(TEMPLATE_REFERENCE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare ?? '').toLowerCase();
    const variable = hasOwn(blueprint.variables, name) ? blueprint.variables[name] : undefined;
    if (!variable) {
      missing.push(name);
      return whole;
    }
    return variable.text;
  });
  if (missing.length > 0) {
    const names = [...new Set(missing)].map((n) => `@${n}`).join(', ');
    report(`the model name uses ${names}, which ${describeBlueprint(blueprint)} does not set`, at.start, at.end);
    return undefined;
  }
  const parts = nameParts(text);
  if (!parts) {
    report(`${describeBlueprint(blueprint)} makes the model name ${text}, which is not a name like schema.table`, at.start, at.end);
    return undefined;
  }
  return { text, parts };
}

/** `a.b.c`, `"a b".c` → its parts; undefined for anything else. */
function nameParts(text: string): string[] | undefined {
  const { tokens, errors } = tokenize(text);
  if (errors.length > 0 || tokens.length === 0) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (i % 2 === 1) {
      if (t.type !== 'punct' || t.text !== '.') return undefined;
      continue;
    }
    if ((t.type !== 'ident' && t.type !== 'qident') || t.templated) return undefined;
    parts.push(t.value);
  }
  return tokens.length % 2 === 1 ? parts : undefined;
}
