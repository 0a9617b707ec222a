// Matches a model's `audits (...)` references to audit definitions: the model's inline audits, then
// audits/*.sql, then the built-ins (a user audit with a built-in's name wins, as in SQLMesh). Arguments are
// checked here, so a typo is reported on the model file at the argument, not when the plan runs.

import type { MacroValue } from '../models/render';
import type { ProjectMacros } from '../models/macroApi';
import { isPunct, tokenize, type Token } from '../models/tokenizer';
import type { AuditRef, ModelDefinition, ParsedModel, Position, PropertyText } from '../models/types';
import { inlineAudits } from './auditFile';
import { auditQuery } from './auditQuery';
import { lookupBuiltin, readBuiltinArgs, UNSUPPORTED_BUILTINS } from './builtinAudits';
import { FILE_START, positionsIn } from './positions';
import { booleanLiteral, sqlExpression } from './sqlFragments';
import type { AuditDefinition, AuditSpec, ParsedAuditFile, QualityDiagnostic } from './types';

export interface ResolveAuditsOptions {
  /** Project variables, so audits that use them are not reported as using undefined macros. */
  variables?: Record<string, MacroValue>;
  /** The project's macros (macros/*.ts), which audit arguments may call like the model's query does. */
  macros?: ProjectMacros;
  /** The model's file, for diagnostics, when a bare ModelDefinition is passed. */
  modelFile?: string;
}

export interface ResolvedAudits {
  audits: AuditSpec[];
  diagnostics: QualityDiagnostic[];
}

/**
 * The audits to run for a model: those its `audits` property names. Pass the ParsedModel so names can be
 * its inline audits (an inline audit it does not name gets a warning, and does not run). Audits with
 * `skip true` are left out.
 */
export function resolveAudits(
  model: ModelDefinition | ParsedModel,
  auditFiles: readonly ParsedAuditFile[],
  options: ResolveAuditsOptions = {},
): ResolvedAudits {
  const parsed = 'diagnostics' in model && 'statements' in model ? (model as ParsedModel) : undefined;
  const definition = parsed ? parsed.definition : (model as ModelDefinition);
  const out: ResolvedAudits = { audits: [], diagnostics: [] };
  if (!definition) return out;
  const modelFile = parsed?.file ?? options.modelFile ?? '';

  const inline = parsed ? inlineAudits(parsed).audits : [];
  const byName = new Map<string, AuditDefinition>();
  for (const file of auditFiles) for (const audit of file.audits) if (!byName.has(audit.name)) byName.set(audit.name, audit);
  for (const audit of inline) byName.set(audit.name, audit);

  const locations = locateReferences(definition.properties.audits);
  const used = new Set<RefLocation>();
  const referenced = new Set<string>();
  for (const ref of definition.audits) {
    const location = locations.find((l) => l.name === ref.name && !used.has(l));
    if (location) used.add(location);
    const where = location ?? fallbackLocation(definition.properties.audits);
    const report = (message: string, arg?: string) => {
      const span = (arg !== undefined && location?.args.get(arg)) || where;
      out.diagnostics.push({ file: modelFile, message: `${definition.name}: ${message}`, start: span.start, end: span.end, severity: 'error' });
    };
    referenced.add(ref.name);
    const spec = resolveOne(ref, definition, byName, report, modelFile);
    if (spec) out.audits.push(spec);
  }
  // As in SQLMesh, an inline audit runs only when the audits property names it.
  for (const audit of inline) {
    if (referenced.has(audit.name)) continue;
    out.diagnostics.push({
      file: modelFile,
      message: `inline audit ${audit.name} is not in the audits property of ${definition.name}, so it does not run; add it there, e.g. audits (${audit.name})`,
      start: audit.start,
      end: audit.end,
      severity: 'warning',
    });
  }

  // A trial render catches parameters the model forgot to pass, at the macro in the audit file.
  for (const spec of out.audits) {
    const trial = auditQuery(spec, relationOf(definition), { variables: options.variables, macros: options.macros });
    for (const d of trial.diagnostics) {
      out.diagnostics.push({ ...d, message: `${d.message} (audit ${spec.name} of model ${definition.name})` });
    }
  }
  return out;
}

function resolveOne(
  ref: AuditRef,
  model: ModelDefinition,
  byName: ReadonlyMap<string, AuditDefinition>,
  report: (message: string, arg?: string) => void,
  modelFile: string,
): AuditSpec | undefined {
  const args = { ...ref.args };
  let blockingOverride: boolean | undefined;
  if (Object.hasOwn(args, 'blocking')) {
    blockingOverride = booleanLiteral(args.blocking);
    if (blockingOverride === undefined) report(`audit ${ref.name}: blocking must be true or false, found ${args.blocking}`, 'blocking');
    delete args.blocking;
  }

  const user = byName.get(ref.name);
  if (user) {
    if (user.standalone) {
      report(`audit ${ref.name} is a standalone audit (standalone true) and cannot be attached to a model`);
      return undefined;
    }
    if (user.skip) return undefined;
    return { ...sqlSpec(user, { name: ref.name, args }, model, blockingOverride ?? user.blocking, modelFile), label: label(ref) };
  }

  const builtin = lookupBuiltin(ref.name);
  if (!builtin) {
    report(`audit ${ref.name} is not defined: it is not a built-in audit and no audits/*.sql file has AUDIT (name ${ref.name})`);
    return undefined;
  }
  if (UNSUPPORTED_BUILTINS.has(builtin.base)) {
    report(`the built-in audit ${builtin.base} is not supported by Sluice yet`);
    return undefined;
  }
  const read = readBuiltinArgs(builtin.base, args);
  for (const problem of read.problems) report(problem.message, problem.arg);
  if (read.problems.length > 0) return undefined;
  return {
    source: 'builtin',
    name: ref.name,
    label: label(ref),
    blocking: blockingOverride ?? builtin.blocking,
    model: model.name,
    modelFile,
    builtin: builtin.base,
    args: read.args,
  };
}

function sqlSpec(audit: AuditDefinition, ref: AuditRef, model: ModelDefinition, blocking: boolean, modelFile: string): AuditSpec {
  return {
    source: 'sql',
    name: ref.name,
    label: label(ref),
    blocking,
    model: model.name,
    modelFile,
    file: audit.file,
    query: audit.query,
    queryStart: audit.queryStart,
    variables: { ...audit.defaults, ...audit.defs, ...ref.args },
  };
}

function label(ref: AuditRef): string {
  const args = Object.entries(ref.args).map(([k, v]) => {
    const clean = sqlExpression(v);
    return `${k} := ${(clean.ok ? clean.value : v).replace(/\s+/g, ' ').trim()}`;
  });
  return args.length > 0 ? `${ref.name}(${args.join(', ')})` : ref.name;
}

function relationOf(model: ModelDefinition) {
  const parts = model.nameParts;
  if (parts.length >= 3) return { catalog: parts[parts.length - 3], schema: parts[parts.length - 2], table: parts[parts.length - 1] };
  return { schema: parts.length === 2 ? parts[0] : 'main', table: parts[parts.length - 1] ?? 'model' };
}

// ---------- where each reference is written ----------

interface Span {
  start: Position;
  end: Position;
}

interface RefLocation extends Span {
  name: string;
  /** Argument name (lower-cased) → where its value is written. */
  args: Map<string, Span>;
}

function fallbackLocation(prop: PropertyText | undefined): Span {
  if (!prop) return { start: FILE_START, end: FILE_START };
  return { start: prop.keyStart ?? prop.start, end: prop.keyEnd ?? prop.end };
}

/** Finds each audit call in the raw `audits` property text, with its arguments' positions. */
function locateReferences(prop: PropertyText | undefined): RefLocation[] {
  if (!prop) return [];
  const at = positionsIn(prop.raw, prop.start);
  const { tokens } = tokenize(prop.raw);
  if (tokens.length === 0) return [];
  const bracketed = (isPunct(tokens[0], '(') || isPunct(tokens[0], '[')) && matching(tokens, 0) === tokens.length - 1;
  const items = bracketed ? splitItems(tokens, 1, tokens.length - 2) : [{ first: 0, last: tokens.length - 1 }];
  const out: RefLocation[] = [];
  for (const item of items) {
    const head = tokens[item.first];
    if (head.type !== 'ident' && head.type !== 'qident') continue;
    const location: RefLocation = { name: head.value.toLowerCase(), start: at(head.start), end: at(tokens[item.last].end), args: new Map() };
    const open = item.first + 1;
    if (isPunct(tokens[open], '(')) {
      const close = matching(tokens, open);
      for (const arg of splitItems(tokens, open + 1, (close < 0 ? item.last + 1 : close) - 1)) {
        const key = tokens[arg.first];
        const op = tokens[arg.first + 1];
        if (!key || !(isPunct(op, ':=') || isPunct(op, '=')) || arg.first + 2 > arg.last) continue;
        location.args.set(key.value.toLowerCase(), { start: at(tokens[arg.first + 2].start), end: at(tokens[arg.last].end) });
      }
    }
    out.push(location);
  }
  return out;
}

function matching(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    else if (isPunct(t, ')') || isPunct(t, ']')) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function splitItems(tokens: Token[], first: number, last: number): Array<{ first: number; last: number }> {
  const out: Array<{ first: number; last: number }> = [];
  let depth = 0;
  let start = first;
  for (let i = first; i <= last + 1; i++) {
    if (i > last || (depth === 0 && isPunct(tokens[i], ','))) {
      if (i > start) out.push({ first: start, last: i - 1 });
      start = i + 1;
      continue;
    }
    if (isPunct(tokens[i], '(') || isPunct(tokens[i], '[')) depth++;
    else if (isPunct(tokens[i], ')') || isPunct(tokens[i], ']')) depth--;
  }
  return out;
}
