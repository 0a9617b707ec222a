// Expands SQLMesh macro variables in a model's query: predefined time and runtime variables, @DEF
// variables, config variables, @{var} identifier templates, @'...' string templates, @VAR() and calls of
// the functions a project's macros/*.ts export (see macroApi.ts). Any other @NAME( is a macro Sluice cannot
// evaluate; it is reported where it is.
// Strings and comments are never touched: the query is tokenized and only macro tokens are replaced.

import { quoteIdent, quoteLiteral } from '../warehouse/quote';
import { describeBlueprint, type Blueprint } from './blueprints';
import { findClosingParen } from './headerParser';
import { callMacro, evaluatorHelpers, NO_MACROS, type MacroEvaluator, type ProjectMacros } from './macroApi';
import { argumentSlots, writtenArgument } from './macroArguments';
import { hasOwn } from './objects';
import { EmbeddedLineMap } from './position';
import { SQLMESH_MACRO_FUNCTIONS } from './properties';
import { SourceMap, type SourceSegment } from './sourceMap';
import { inclusiveEnd, parseTime, temporalVariables, type TimeInput, type VariableValue } from './temporal';
import { isPunct, tokenize, type Token } from './tokenizer';
import type { ModelDiagnostic, ParsedModel, Position } from './types';

/** A config variable's value (SQLMesh `variables`): scalars and lists of them. */
export type MacroValue = string | number | boolean | null | readonly MacroValue[];

export interface RenderContext {
  /** Start of the interval being processed (inclusive). Default 1970-01-01. */
  start?: TimeInput;
  /**
   * End of the interval. As in SQLMesh, a bare date means "through the end of that day"; a timestamp is an
   * exclusive end, so the rendered @end_* values are 1 microsecond earlier. Default 1970-01-01.
   */
  end?: TimeInput;
  /** When the run started (@execution_*). Default 1970-01-01, so renders are reproducible. */
  executionTime?: TimeInput;
  /** Name parts of the table @this_model stands for, e.g. ['analytics', 'orders__1234']. */
  thisModel?: readonly string[];
  /** Project-level variables, looked up case-insensitively; @DEF variables take precedence. */
  variables?: Record<string, MacroValue>;
  /** @runtime_stage; default 'evaluating'. */
  runtimeStage?: string;
  /** @gateway; default 'local'. */
  gateway?: string;
  /** @this_env; default 'prod'. */
  environment?: string;
  /** The project's macros: the functions macros/*.ts export, and the names of its Python macros (for a precise error). */
  macros?: ProjectMacros;
}

export interface RenderedQuery {
  sql: string;
  diagnostics: ModelDiagnostic[];
  sourceMap: SourceMap;
}

const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TEMPLATE_REFERENCE = /@(?:\{([\p{L}_][\p{L}\p{N}_]*)\}|([\p{L}_][\p{L}\p{N}_]*))/gu;
const KNOWN_MACRO_FUNCTIONS = new Set([...SQLMESH_MACRO_FUNCTIONS, 'VAR', 'DEF']);

export function renderQuery(parsed: ParsedModel, context: RenderContext = {}): RenderedQuery {
  const diagnostics: ModelDiagnostic[] = [];
  const env = new MacroEnvironment(parsed, context, diagnostics);
  const base = parsed.queryStart;
  const queryLines = new EmbeddedLineMap(parsed.query, base);
  const segments: SourceSegment[] = [];
  const sql = env.renderFragment(parsed.query, base.offset, queryLines, segments);
  const sourceMap = new SourceMap(segments, sql, (fileOffset) => queryLines.position(fileOffset - base.offset));
  return { sql, diagnostics, sourceMap };
}

/**
 * Renders with fixed, neutral values (all dates 1970-01-01, @this_model = the model's own name), which is
 * what dependency and lineage analysis need: the shape of the query, not a particular interval.
 */
export function renderForAnalysis(parsed: ParsedModel, overrides: RenderContext = {}): RenderedQuery {
  return renderQuery(parsed, {
    start: '1970-01-01',
    end: '1970-01-01',
    executionTime: '1970-01-01',
    thisModel: parsed.definition?.nameParts,
    runtimeStage: 'loading',
    ...overrides,
  });
}

class MacroEnvironment {
  private readonly builtins: Map<string, VariableValue>;
  private readonly variables = new Map<string, MacroValue>();
  private readonly renderedDefs = new Map<string, VariableValue>();
  private readonly renderedBlueprint = new Map<string, VariableValue>();
  private readonly renderingDefs = new Set<string>();

  private readonly macros: ProjectMacros;
  /** Built on the first call of a macros/*.ts function. */
  private evaluatorCache: MacroEvaluator | undefined;
  private readonly instants: { start: number; end: number; execution: number };

  constructor(
    private readonly parsed: ParsedModel,
    private readonly context: RenderContext,
    private readonly diagnostics: ModelDiagnostic[],
  ) {
    this.macros = context.macros ?? NO_MACROS;
    const start = parseTime(context.start ?? '1970-01-01', 'start');
    const end = parseTime(context.end ?? '1970-01-01', 'end');
    const execution = parseTime(context.executionTime ?? '1970-01-01', 'execution time');
    this.instants = { start: start.micros, end: inclusiveEnd(end), execution: execution.micros };
    this.builtins = temporalVariables(this.instants.start, this.instants.end, this.instants.execution);
    const text = (value: string): VariableValue => ({ sql: quoteLiteral(value), text: value });
    this.builtins.set('runtime_stage', text(context.runtimeStage ?? 'evaluating'));
    this.builtins.set('gateway', text(context.gateway ?? 'local'));
    this.builtins.set('this_env', text(context.environment ?? 'prod'));
    if (parsed.definition) this.builtins.set('model_kind_name', text(parsed.definition.kind.name));
    if (context.thisModel && context.thisModel.length > 0) {
      const table = context.thisModel.map(quoteIdent).join('.');
      this.builtins.set('this_model', { sql: table, text: table });
    }
    for (const [key, value] of Object.entries(context.variables ?? {})) this.variables.set(key.toLowerCase(), value);
  }

  private report(message: string, start: Position, end: Position, severity: 'error' | 'warning' = 'error'): void {
    this.diagnostics.push({ file: this.parsed.file, message, start, end, severity });
  }

  /**
   * A variable's value: @DEF first, then predefined variables, then the model's blueprint, then project
   * variables (SQLMesh's order: its locals, blueprint variables, config variables).
   */
  lookup(name: string): VariableValue | undefined {
    const key = name.toLowerCase();
    if (hasOwn(this.parsed.defs, key)) return this.defValue(key);
    const builtin = this.builtins.get(key);
    if (builtin) return builtin;
    const blueprint = this.blueprintValue(key);
    if (blueprint) return blueprint;
    if (this.variables.has(key)) return toVariableValue(this.variables.get(key)!);
    return undefined;
  }

  /** A blueprint variable: its SQL as written in the blueprint, rendered there (so problems point at it). */
  private blueprintValue(key: string): VariableValue | undefined {
    const variables = this.parsed.blueprint?.variables;
    if (!variables || !hasOwn(variables, key)) return undefined;
    const cached = this.renderedBlueprint.get(key);
    if (cached) return cached;
    const variable = variables[key];
    const sql = this.renderFragment(variable.raw, variable.start.offset, new EmbeddedLineMap(variable.raw, variable.start));
    const value: VariableValue = { sql, text: variable.text };
    this.renderedBlueprint.set(key, value);
    return value;
  }

  private defValue(key: string): VariableValue | undefined {
    const cached = this.renderedDefs.get(key);
    if (cached) return cached;
    const raw = this.parsed.defs[key];
    const location = this.parsed.defLocations[key];
    const lines = new EmbeddedLineMap(raw, location?.start ?? this.parsed.queryStart);
    if (this.renderingDefs.has(key)) {
      this.report(`macro variable @${key} is defined in terms of itself`, lines.position(0), lines.position(raw.length));
      return undefined;
    }
    this.renderingDefs.add(key);
    const sql = this.renderFragment(raw, location?.start.offset ?? 0, lines);
    this.renderingDefs.delete(key);
    // Inside identifier/string templates a lone name or string contributes its bare text, as in SQLMesh.
    const { tokens } = tokenize(raw);
    const single = tokens.length === 1 ? tokens[0] : undefined;
    const bare = single && !single.templated && !single.macroString && (single.type === 'string' || single.type === 'ident' || single.type === 'qident');
    const value: VariableValue = { sql, text: bare ? single.value : sql };
    this.renderedDefs.set(key, value);
    return value;
  }

  /** Substitutes @name / @{name} inside identifier or string text; returns the names it could not resolve. */
  private template(text: string): { result: string; unknown: string[] } {
    const unknown: string[] = [];
    const result = text.replace(TEMPLATE_REFERENCE, (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = this.lookup(name);
      if (!value) {
        unknown.push(name);
        return whole;
      }
      return value.text;
    });
    return { result, unknown };
  }

  /**
   * Renders `text` (which starts at file offset `fileBase`; `lines` gives file positions of its offsets).
   * When `segments` is given, records how the output maps back to the file.
   */
  renderFragment(text: string, fileBase: number, lines: EmbeddedLineMap, segments?: SourceSegment[]): string {
    const { tokens } = tokenize(text);
    let out = '';
    let cursor = 0;
    const copyTo = (relative: number): void => {
      if (relative <= cursor) return;
      const piece = text.slice(cursor, relative);
      if (segments) {
        const last = segments[segments.length - 1];
        if (last && last.kind === 'copy' && last.outEnd === out.length && last.fileEnd === fileBase + cursor) {
          last.outEnd += piece.length;
          last.fileEnd += piece.length;
        } else {
          segments.push({ outStart: out.length, outEnd: out.length + piece.length, fileStart: fileBase + cursor, fileEnd: fileBase + relative, kind: 'copy' });
        }
      }
      out += piece;
      cursor = relative;
    };
    const replace = (token: { start: number; end: number }, replacement: string): void => {
      copyTo(token.start);
      segments?.push({ outStart: out.length, outEnd: out.length + replacement.length, fileStart: fileBase + token.start, fileEnd: fileBase + token.end, kind: 'macro' });
      out += replacement;
      cursor = token.end;
    };
    const at = (t: { start: number; end: number }): [Position, Position] => [lines.position(t.start), lines.position(t.end)];

    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.type === 'macro') {
        const next = tokens[i + 1];
        const isCall = isPunct(next, '(') && (next.start === t.end || KNOWN_MACRO_FUNCTIONS.has(t.value.toUpperCase()));
        if (isCall) {
          const close = findClosingParen(tokens, i + 1);
          const end = close < 0 ? tokens.length - 1 : close;
          const upper = t.value.toUpperCase();
          if (upper === 'VAR' || upper === 'BLUEPRINT_VAR') {
            const value = this.varCall(upper, tokens, i + 1, close, text, lines);
            if (value !== undefined) replace({ start: t.start, end: tokens[end].end }, value);
          } else {
            const value = this.functionCall(tokens, i, close, text, lines);
            if (value !== undefined) replace({ start: t.start, end: tokens[end].end }, value);
          }
          i = end;
          continue;
        }
        const value = this.lookup(t.value);
        if (value) replace(t, value.sql);
        else this.report(undefinedMessage(t.value, this.parsed.blueprint), ...at(t));
        continue;
      }
      if ((t.type === 'ident' || t.type === 'qident') && t.templated) {
        const { result, unknown } = this.template(t.value);
        // Unquoted identifiers must resolve; quoted ones may legitimately contain @ (SQLMesh leaves those).
        if (t.type === 'ident') for (const name of unknown) this.report(undefinedMessage(name, this.parsed.blueprint), ...at(t));
        if (result !== t.value) {
          replace(t, t.type === 'qident' || !SAFE_IDENTIFIER.test(result) ? quoteIdent(result) : result);
        }
        continue;
      }
      if (t.type === 'string' && t.macroString) {
        replace(t, quoteLiteral(this.template(t.value).result));
      }
    }
    copyTo(text.length);
    return out;
  }

  /**
   * @NAME(arg, ...) of a function macros/*.ts export: each argument rendered, then the function's result.
   * Returns undefined (with the problem reported at the name) when it cannot be evaluated.
   */
  private functionCall(tokens: Token[], nameIndex: number, close: number, text: string, lines: EmbeddedLineMap): string | undefined {
    const name = tokens[nameIndex];
    const problem = (message: string): undefined => {
      this.report(message, lines.position(name.start), lines.position(name.end));
      return undefined;
    };
    const definition = this.macros.functions.get(name.value.toLowerCase());
    if (!definition) return problem(unsupportedMacroMessage(name.value, this.macros));
    if (close < 0) return problem(`@${name.value.toUpperCase()}( has no closing parenthesis`);
    const reported = this.diagnostics.length;
    const written = argumentRanges(tokens, nameIndex + 1, close).map(([start, end]) => writtenArgument(text, start, end));
    const order = argumentSlots(definition.fn, written);
    if ('error' in order) {
      const arg = written[order.at];
      this.report(`@${name.value.toUpperCase()} (${definition.file}): ${order.error}`, lines.position(arg.from), lines.position(arg.end));
      return undefined;
    }
    const rendered = written.map(({ start, end }) => {
      const arg = text.slice(start, end);
      return this.renderFragment(arg, 0, new EmbeddedLineMap(arg, lines.position(start)));
    });
    // An argument that could not be rendered is already reported; calling with it would only add noise.
    if (this.diagnostics.length > reported) return undefined;
    // Keyword arguments go to their parameters; a parameter not given gets undefined (its default applies).
    const args: (string | undefined)[] = new Array(Math.max(0, ...order.slots.map((slot) => slot + 1))).fill(undefined);
    order.slots.forEach((slot, i) => (args[slot] = rendered[i]));
    const result = callMacro(definition, this.evaluator(), args);
    return 'sql' in result ? result.sql : problem(result.error);
  }

  private evaluator(): MacroEvaluator {
    if (this.evaluatorCache) return this.evaluatorCache;
    const definition = this.parsed.definition;
    const date = (micros: number): Date => new Date(Math.floor(micros / 1000));
    this.evaluatorCache = Object.freeze({
      model: definition?.nameParts.join('.') ?? '',
      dialect: definition?.dialect ?? 'duckdb',
      environment: this.context.environment ?? 'prod',
      gateway: this.context.gateway ?? 'local',
      runtimeStage: this.context.runtimeStage ?? 'evaluating',
      start: date(this.instants.start),
      end: date(this.instants.end),
      executionTime: date(this.instants.execution),
      variable: (name: string) => this.lookup(String(name))?.sql,
      ...evaluatorHelpers,
    });
    return this.evaluatorCache;
  }

  /**
   * @VAR('name'[, default]): a project variable, else the default, else NULL (as SQLMesh).
   * @BLUEPRINT_VAR('name'[, default]) is the same for the model's blueprint variables.
   */
  private varCall(macro: 'VAR' | 'BLUEPRINT_VAR', tokens: Token[], open: number, close: number, text: string, lines: EmbeddedLineMap): string | undefined {
    const nameToken = tokens[open + 1];
    if (close < 0 || nameToken === undefined || open + 1 >= close || nameToken.type !== 'string') {
      const t = nameToken ?? tokens[open];
      this.report(`@${macro} needs the variable name in single quotes: @${macro}('name') or @${macro}('name', default)`, lines.position(t.start), lines.position(t.end));
      return undefined;
    }
    const key = nameToken.value.toLowerCase();
    if (macro === 'BLUEPRINT_VAR') {
      const value = this.blueprintValue(key);
      if (value) return value.sql;
    } else if (this.variables.has(key)) return toVariableValue(this.variables.get(key)!).sql;
    const comma = tokens[open + 2];
    if (isPunct(comma, ',') && open + 3 < close) {
      const start = tokens[open + 3].start;
      const end = tokens[close - 1].end;
      return this.renderFragment(text.slice(start, end), 0, new EmbeddedLineMap(text.slice(start, end), lines.position(start)));
    }
    return 'NULL';
  }
}

/** Token ranges [start, end) of a call's comma-separated arguments (between the parentheses at open and close). */
function argumentRanges(tokens: Token[], open: number, close: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let first = open + 1;
  for (let i = open + 1; i <= close; i++) {
    const t = tokens[i];
    if (i < close && t.type === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    else if (i < close && t.type === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--;
    else if (i === close || (depth === 0 && isPunct(t, ','))) {
      if (i > first) out.push([tokens[first].start, tokens[i - 1].end]);
      else if (i < close || out.length > 0) out.push([t.start, t.start]);
      first = i + 1;
    }
  }
  return out;
}

function unsupportedMacroMessage(name: string, macros: ProjectMacros): string {
  const macro = `@${name.toUpperCase()}`;
  const pythonFile = macros.python.get(name.toLowerCase());
  if (pythonFile !== undefined) {
    return `${macro} is a Python macro (defined in ${pythonFile}), and Sluice cannot run Python macros: write it as macros/${name.toLowerCase()}.ts exporting function ${name.toLowerCase()} (see "Macros in TypeScript" in docs/models.md)`;
  }
  if (macros.unavailable !== undefined) return `${macro} cannot be evaluated: ${macros.unavailable}`;
  return `unsupported macro ${macro}: no file in macros/ exports a function named ${name.toLowerCase()} (Sluice evaluates macro variables, @DEF, @VAR and the functions macros/*.ts export)`;
}

function undefinedMessage(name: string, blueprint?: Blueprint): string {
  if (name.toLowerCase() === 'this_model') return '@this_model has no value here: the table the model is built into is not known';
  if (blueprint) return `macro variable @${name} is not defined: ${describeBlueprint(blueprint)} does not set it, nor does @DEF or the project variables`;
  return `macro variable @${name} is not defined (define it with @DEF(${name}, ...) or in the project variables)`;
}

function toVariableValue(value: MacroValue): VariableValue {
  if (value === null) return { sql: 'NULL', text: 'NULL' };
  if (typeof value === 'string') return { sql: quoteLiteral(value), text: value };
  if (typeof value === 'number') return { sql: String(value), text: String(value) };
  if (typeof value === 'boolean') return { sql: value ? 'TRUE' : 'FALSE', text: value ? 'TRUE' : 'FALSE' };
  const sql = `(${value.map((v) => toVariableValue(v).sql).join(', ')})`;
  return { sql, text: sql };
}
