// SQLMesh blueprints: a MODEL block with `blueprints (...)` is a template for several models, one per
// mapping of variables. The model name must use those variables (`name @customer.orders`, or
// `@{customer}_raw.orders`), and the query may (`@field`, `@{field}`, `@BLUEPRINT_VAR('field')`). A value
// is SQL, as written in the mapping: `customer := acme` stands for the identifier acme, `'acme'` for a string.

import { HeaderParser, type HeaderValue, type Report } from './headerParser';
import { callMacro, evaluatorHelpers, NO_MACROS, type MacroEvaluator, type ProjectMacros } from './macroApi';
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

/** Where offsets of the text being read are in the file. */
interface Positions {
  position(offset: number): Position;
}

/**
 * The blueprints a `blueprints` property gives: the list written in the MODEL block, or the one a macro of
 * the project's macros/*.ts returns (`blueprints @gen_blueprints()`, as SQLMesh's Python macros do).
 */
export function modelBlueprints(ctx: ValueContext & { lines: Positions }, value: HeaderValue, macros: ProjectMacros = NO_MACROS): Blueprint[] {
  if (value.type !== 'call' && value.type !== 'macro') return readBlueprints(ctx, value);
  const name = value.type === 'macro' ? value.name : value.name.slice(1);
  if (value.type === 'call' && !value.name.startsWith('@')) return readBlueprints(ctx, value);
  const macro = `@${name.toUpperCase()}`;
  const definition = macros.functions.get(name.toLowerCase());
  if (!definition) {
    const python = macros.python.get(name.toLowerCase());
    const why = python !== undefined
      ? `${macro} is a Python macro (defined in ${python}), and Sluice cannot run Python macros: write it as macros/${name.toLowerCase()}.ts, or list the blueprints in the MODEL block`
      : macros.unavailable !== undefined
        ? `${macro} cannot be evaluated: ${macros.unavailable}`
        : `blueprints from ${macro}: no file in macros/ exports a function named ${name.toLowerCase()}; write one in macros/*.ts, or list the blueprints in the MODEL block`;
    ctx.report(why, value.start, value.end);
    return [];
  }
  const args = value.type === 'call' ? value.args.map((arg) => rawText(ctx, arg)) : [];
  const result = callMacro(definition, blueprintEvaluator(), args);
  if ('error' in result) {
    ctx.report(result.error, value.start, value.end);
    return [];
  }
  // What the macro returned is read as if written in place of the call; every position is the call's.
  const returned = generatedValue(result.sql);
  if (!returned) {
    ctx.report(`${macro} returned ${result.sql}, which is not a list of blueprints like ((customer := acme), (customer := globex))`, value.start, value.end);
    return [];
  }
  const at = ctx.lines.position(value.start);
  const report: Report = (message) => ctx.report(`${macro} returned blueprints Sluice cannot read: ${message}`, value.start, value.end);
  return readBlueprints({ text: returned.text, tokens: returned.tokens, report, lines: { position: () => at } }, returned.value);
}

/** The evaluator a blueprints macro gets: the model is not named yet, the query not being rendered. */
function blueprintEvaluator(): MacroEvaluator {
  const epoch = new Date(0);
  return Object.freeze({
    model: '',
    dialect: 'duckdb',
    environment: 'prod',
    gateway: 'local',
    runtimeStage: 'loading',
    start: epoch,
    end: epoch,
    executionTime: epoch,
    variable: () => undefined,
    ...evaluatorHelpers,
  });
}

/**
 * A macro's returned SQL as a property value: one list as is, several comma-separated items as the list
 * of them (as SQLMesh wraps a macro's several results into one tuple).
 */
function generatedValue(sql: string): { text: string; tokens: ReturnType<typeof tokenize>['tokens']; value: HeaderValue } | undefined {
  const first = readValue(sql);
  if (first && (first.value.type === 'tuple' || first.value.type === 'array')) return first;
  const wrapped = readValue(`(${sql})`);
  return wrapped && wrapped.value.type === 'tuple' ? wrapped : undefined;
}

function readValue(text: string): { text: string; tokens: ReturnType<typeof tokenize>['tokens']; value: HeaderValue } | undefined {
  const source = `blueprints ${text}`;
  const { tokens, errors } = tokenize(source);
  if (errors.length > 0) return undefined;
  let problems = 0;
  const parser = new HeaderParser(tokens, () => problems++);
  const properties = parser.parseProperties(tokens.length, new Set(['blueprints']), false);
  if (problems > 0 || properties.length !== 1 || !properties[0].value) return undefined;
  return { text: source, tokens, value: properties[0].value };
}

/**
 * The blueprints of a `blueprints` property value. As in SQLMesh, the value is a list of mappings, each a
 * parenthesised list of `name := value` (a lone `name := value` is a mapping of one variable):
 * `((customer := acme, region := eu), (customer := globex, region := us))`. Problems are reported and
 * the mapping in question is left out.
 */
function readBlueprints(ctx: ValueContext & { lines: Positions }, value: HeaderValue): Blueprint[] {
  const { report, lines } = ctx;
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

function variableOf(ctx: ValueContext, value: HeaderValue, lines: Positions): BlueprintVariable {
  const raw = rawText(ctx, value);
  let text = raw;
  if (value.type === 'string') text = value.value;
  else if (value.type === 'name' && value.parts.length === 1 && !value.templated) text = value.parts[0].value;
  return { raw, text, start: lines.position(value.start), end: lines.position(value.end) };
}

const TEMPLATE_REFERENCE = /@(?:\{([\p{L}_][\p{L}\p{N}_]*)\}|([\p{L}_][\p{L}\p{N}_]*))/gu;

/**
 * The model name a blueprint gives: in each part of the name as written, `@var` and `@{var}` replaced by
 * the variables' text (so a part may become any identifier, `"South Side"` included). Problems are
 * reported at the name; undefined then.
 */
export function blueprintName(
  written: string,
  blueprint: Blueprint,
  at: { start: number; end: number },
  report: Report,
): { text: string; parts: string[] } | undefined {
  const missing: string[] = [];
  const fill = (text: string): string =>
    text.replace(TEMPLATE_REFERENCE, (whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare ?? '').toLowerCase();
      if (!hasOwn(blueprint.variables, name)) {
        missing.push(name);
        return whole;
      }
      return blueprint.variables[name].text;
    });
  const { tokens, errors } = tokenize(written);
  const parts: string[] = [];
  let wellFormed = errors.length === 0 && tokens.length % 2 === 1;
  tokens.forEach((t, i) => {
    if (i % 2 === 1) wellFormed &&= t.type === 'punct' && t.text === '.';
    else if (t.type === 'macro') parts.push(fill(`@${t.value}`));
    else if (t.type === 'ident' || t.type === 'qident') parts.push(t.templated || t.type === 'qident' ? fill(t.value) : t.value);
    else wellFormed = false;
  });
  if (missing.length > 0) {
    const names = [...new Set(missing)].map((n) => `@${n}`).join(', ');
    report(`the model name uses ${names}, which ${describeBlueprint(blueprint)} does not set`, at.start, at.end);
    return undefined;
  }
  const text = parts.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`)).join('.');
  if (!wellFormed || parts.some((p) => p === '') || parts.length < 2 || parts.length > 3) {
    report(`${describeBlueprint(blueprint)} makes the model name ${text}, which is not a name like schema.table`, at.start, at.end);
    return undefined;
  }
  return { text, parts };
}
