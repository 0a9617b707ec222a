// TypeScript/JavaScript macros: functions a project's macros/*.ts files export, called from a model as
// @NAME(arg, ...). Rendering calls the function with an evaluator and the SQL text of each argument, and
// puts what it returns (SQL text, or a number, boolean or null as a literal) where the call was; DuckDB then
// parses the whole query, so an error in the returned SQL is reported at the call. Loading the files is
// loadMacros.ts's job; this module only calls a function already loaded.

import { describeThrown, describeType } from '../ingest/extract/describe';
import { quoteIdent, quoteLiteral } from '../warehouse/quote';
import { tokenize } from './tokenizer';

/** What a macro function gets as its first argument (the `evaluator` of a SQLMesh Python macro). */
export interface MacroEvaluator {
  /** The model's name as its MODEL block gives it, e.g. "analytics.orders"; "" when it has none. */
  readonly model: string;
  /** The model's SQL dialect: "duckdb" unless the model or model_defaults name another. */
  readonly dialect: string;
  /** @this_env: the environment being built ("prod" by default). */
  readonly environment: string;
  /** @gateway ("local" by default). */
  readonly gateway: string;
  /** @runtime_stage: "loading" while Sluice analyses the project, "evaluating" when the query runs. */
  readonly runtimeStage: string;
  /** Start of the interval being rendered: the instant @start_ts stands for. */
  readonly start: Date;
  /** End of the interval, inclusive: the instant @end_ts stands for (to the millisecond). */
  readonly end: Date;
  /** When the run started: @execution_ts. */
  readonly executionTime: Date;
  /** The SQL a macro variable renders to (start_ds → '2024-01-01'; @DEF and project variables too); undefined when it has none. */
  variable(name: string): string | undefined;
  /** A quoted identifier; several parts are joined with dots: ident('raw', 'orders') → "raw"."orders". */
  ident(...parts: string[]): string;
  /** A SQL literal: literal("it's") → 'it''s', literal(42) → 42, literal(true) → TRUE, literal(null) → NULL. */
  literal(value: string | number | boolean | null): string;
  /** The text of an argument that is one string literal ("'x'" → "x"); undefined for any other argument. */
  stringValue(arg: string): string | undefined;
}

/** A macro: the evaluator, then each argument of the call as SQL text (macros inside already expanded). */
export type MacroFunction = (evaluator: MacroEvaluator, ...args: string[]) => unknown;

export interface MacroDefinition {
  /** The export's name as written in the file. */
  name: string;
  /** The file exporting it, relative to the project: "macros/utils.ts". */
  file: string;
  fn: MacroFunction;
  /** "macros/utils.ts:12:5" for an error the function threw, when its stack says. */
  locate?: (err: unknown) => string | undefined;
}

/** What rendering needs to know about a project's macros. */
export interface ProjectMacros {
  /** Lower-cased name → the function macros/*.ts export under it. */
  functions: ReadonlyMap<string, MacroDefinition>;
  /** Lower-cased name → the macros/**\/*.py file defining a Python macro of that name (which Sluice cannot run). */
  python: ReadonlyMap<string, string>;
  /**
   * Why the project's macro files were not run (an untrusted workspace, a file that fails to load): a call
   * of a name no loaded file exports gets this reason instead of "unsupported macro".
   */
  unavailable?: string;
}

export const NO_MACROS: ProjectMacros = { functions: new Map(), python: new Map() };

/** The SQL a call's result stands for, or the error to report at the call. Never throws. */
export function callMacro(definition: MacroDefinition, evaluator: MacroEvaluator, args: readonly (string | undefined)[]): { sql: string } | { error: string } {
  const macro = `@${definition.name.toUpperCase()}`;
  let result: unknown;
  try {
    // A parameter skipped by keyword arguments is undefined, so the function's default for it applies.
    result = definition.fn(evaluator, ...(args as string[]));
  } catch (err) {
    const at = safeLocate(definition, err);
    return { error: `${macro} (${at ?? definition.file}) failed: ${describeThrown(err)}` };
  }
  if (isPromiseLike(result)) {
    return { error: `${macro} (${definition.file}) returned a Promise: macros run while the query is rendered and must return their SQL directly, not from an async function` };
  }
  const sql = resultSql(result);
  if (sql === undefined) {
    return { error: `${macro} (${definition.file}) returned ${describeType(result)}: return SQL text, a number, a boolean, null or an array of those` };
  }
  if (sql.trim() === '') return { error: `${macro} (${definition.file}) returned empty SQL` };
  return { sql };
}

/** A returned value as SQL: text as written, scalars as literals, an array as a comma-separated list. */
function resultSql(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value === null) return 'NULL';
  if (Array.isArray(value)) {
    const items = value.map(resultSql);
    return items.every((item): item is string => item !== undefined) ? items.join(', ') : undefined;
  }
  return undefined;
}

function isPromiseLike(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function safeLocate(definition: MacroDefinition, err: unknown): string | undefined {
  try {
    return definition.locate?.(err);
  } catch {
    return undefined;
  }
}

/** The evaluator's helpers that do not depend on the model being rendered. */
export const evaluatorHelpers: Pick<MacroEvaluator, 'ident' | 'literal' | 'stringValue'> = {
  ident: (...parts) => parts.map((part) => quoteIdent(String(part))).join('.'),
  literal: (value) => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`literal(${value}): not a finite number`);
      return String(value);
    }
    return quoteLiteral(String(value));
  },
  stringValue: (arg) => {
    const { tokens } = tokenize(String(arg));
    const only = tokens.length === 1 ? tokens[0] : undefined;
    return only && only.type === 'string' && !only.macroString ? only.value : undefined;
  },
};
