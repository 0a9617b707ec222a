// parseModelFile: one SQL model file → definition, @DEF variables, query and diagnostics. Pure and total:
// it never throws; every problem becomes a diagnostic at the offending token.

import { modelBlueprints } from './blueprints';
import type { ProjectMacros } from './macroApi';
import { applyModelDefaults, type ModelDefaults } from './defaults';
import { buildDefinition } from './definition';
import { findClosingParen, HeaderParser, type HeaderProperty, type Report } from './headerParser';
import { LineMap, START_OF_FILE } from './position';
import { MODEL_PROPERTIES } from './properties';
import { splitStatements } from './statements';
import { isKeyword, isPunct, tokenize, type Token, type TokenizeError } from './tokenizer';
import type { ModelDefinition, ModelDiagnostic, ParsedModel } from './types';

export interface ParseOptions {
  /**
   * The name to use when the file has no name property (SQLMesh's infer_names: folders under models/ and the
   * file name, e.g. ['sales', 'orders'] for models/sales/orders.sql). With it, the MODEL block is optional.
   */
  inferredName?: readonly string[];
  /** The project's model_defaults, for what the MODEL block leaves unset. */
  defaults?: ModelDefaults;
  /** Which of the MODEL block's blueprints to make the model from (0-based; default the first). */
  blueprint?: number;
  /** The project's macros, for blueprints a macro makes (`blueprints @gen_blueprints()`). */
  macros?: ProjectMacros;
}

export function parseModelFile(text: string, file: string, options: ParseOptions = {}): ParsedModel {
  const lines = new LineMap(text);
  const diagnostics: ModelDiagnostic[] = [];
  const report: Report = (message, start, end, severity = 'error') => {
    diagnostics.push({ file, message, start: lines.position(start), end: lines.position(end), severity });
  };
  const parsed: ParsedModel = {
    file,
    defs: {},
    defLocations: {},
    query: '',
    queryStart: START_OF_FILE,
    statements: [],
    diagnostics,
  };

  try {
    const { tokens, comments, errors } = tokenize(text);
    for (const e of errors) report(e.message, e.start, e.end);
    const lexicalErrors = diagnostics.length;

    const header = readHeader(text, tokens, report, options.inferredName !== undefined);
    const blueprintsProperty = header.properties?.find((p) => p.key === 'blueprints' && p.value);
    if (blueprintsProperty) {
      parsed.blueprints = modelBlueprints({ text, tokens, lines, report }, blueprintsProperty.value!, options.macros);
      parsed.blueprint = parsed.blueprints[options.blueprint ?? 0];
    }
    let definition: ModelDefinition | undefined;
    // A blueprints property that gives no blueprint (each was reported) makes no model.
    if (header.properties && (!blueprintsProperty || parsed.blueprint)) {
      definition = buildDefinition({
        text,
        tokens,
        lines,
        report,
        properties: header.properties,
        modelStart: header.modelStart,
        modelEnd: header.modelEnd,
        leadingComments: header.implicit ? [] : comments.filter((c) => c.end <= header.modelStart && c.body !== '').map((c) => c.body),
        inferredName: options.inferredName,
        blueprint: parsed.blueprint,
      });
      if (definition) {
        applyModelDefaults(definition, options.defaults);
        parsed.definition = definition;
      }
    }

    const split = splitStatements({ text, tokens, from: header.next, lines, report });
    parsed.defs = split.defs;
    parsed.defLocations = split.defLocations;
    parsed.statements = split.statements;
    if (split.query) {
      const first = tokens[split.query.first];
      const last = tokens[split.query.last];
      parsed.query = text.slice(first.start, last.end);
      parsed.queryStart = lines.position(first.start);
    } else {
      // The kind as written, even if its options were invalid (then definition.kind is the VIEW fallback).
      const kindName = definition?.properties.kind?.raw.match(/^\w+/)?.[0].toUpperCase() ?? definition?.kind.name;
      const needsNoQuery = kindName === 'SEED' || kindName === 'EXTERNAL' || split.jinjaQuery;
      if (!needsNoQuery && header.properties) {
        const name = definition ? ` ${definition.name}` : '';
        report(`model${name} has no query; add a SELECT after the MODEL block`, header.modelStart, header.modelEnd);
      }
      parsed.queryStart = lines.position(text.length);
    }
    parsed.diagnostics = withoutKnockOnErrors(diagnostics, lexicalErrors, errors);
  } catch (err) {
    // A bug here must not take the editor down: surface it as a diagnostic on the whole file.
    const message = err instanceof Error ? err.message : String(err);
    report(`internal error while reading the model file: ${message}`, 0, text.length);
  }
  parsed.diagnostics.sort((a, b) => a.start.offset - b.start.offset);
  return parsed;
}

/**
 * Every model a file defines: one, or one per blueprint when its MODEL block has `blueprints`. Problems of
 * the file itself (syntax, the blueprints list) are in each model's diagnostics.
 */
export function parseModelBlueprints(text: string, file: string, options: Omit<ParseOptions, 'blueprint'> = {}): ParsedModel[] {
  const first = parseModelFile(text, file, options);
  const count = first.blueprints?.length ?? 0;
  const out = [first];
  for (let index = 1; index < count; index++) out.push(parseModelFile(text, file, { ...options, blueprint: index }));
  return out;
}

/**
 * An unterminated string or comment swallows the rest of the file, so everything reported after it, and
 * the "never closed" / "no query" errors it causes, are noise. Keep the lexical errors and what comes before.
 */
function withoutKnockOnErrors(diagnostics: ModelDiagnostic[], lexicalCount: number, errors: readonly TokenizeError[]): ModelDiagnostic[] {
  const swallowing = errors.filter((e) => e.message.startsWith('unterminated'));
  if (swallowing.length === 0) return diagnostics;
  const cutoff = Math.min(...swallowing.map((e) => e.start));
  return diagnostics.filter(
    (d, i) => i < lexicalCount || (d.end.offset <= cutoff && !/never closed|has no query/.test(d.message)),
  );
}

interface HeaderResult {
  /** Undefined when there is no MODEL block to read. */
  properties?: HeaderProperty[];
  modelStart: number;
  modelEnd: number;
  /** Index of the first token after the block and its semicolon. */
  next: number;
  /** There is no MODEL block; the definition comes from the inferred name alone. */
  implicit?: boolean;
}

function readHeader(text: string, tokens: Token[], report: Report, nameInferred: boolean): HeaderResult {
  const first = tokens[0];
  if (!first) {
    report('the file is empty; a model file starts with MODEL (name schema.table, ...)', 0, text.length);
    return { modelStart: 0, modelEnd: 0, next: 0 };
  }
  if (!isKeyword(first, 'MODEL') && nameInferred) {
    // With inferred names SQLMesh allows a file that is just a query.
    return { properties: [], modelStart: first.start, modelEnd: first.end, next: 0, implicit: true };
  }
  if (!isKeyword(first, 'MODEL')) {
    report(`a model file must start with a MODEL (...) block, found "${first.text}"`, first.start, first.end);
    return { modelStart: first.start, modelEnd: first.end, next: 0 };
  }
  const open = tokens[1];
  if (!isPunct(open, '(')) {
    const at = open ?? first;
    report(open ? `expected "(" after MODEL, found "${open.text}"` : 'expected "(" after MODEL', at.start, at.end);
    // Without the parenthesis there is no block to read: skip to the first semicolon and read the rest.
    const semicolon = tokens.findIndex((t) => isPunct(t, ';'));
    return { modelStart: first.start, modelEnd: first.end, next: semicolon < 0 ? tokens.length : semicolon + 1 };
  }

  const close = findClosingParen(tokens, 1);
  let to = close;
  if (close < 0) {
    report('the "(" of the MODEL block is never closed', open.start, open.end);
    // Best guess at where the block was meant to end: the first semicolon.
    const semicolon = tokens.findIndex((t, i) => i > 1 && isPunct(t, ';'));
    to = semicolon < 0 ? tokens.length : semicolon;
  }

  const parser = new HeaderParser(tokens, report);
  parser.pos = 2;
  const properties = parser.parseProperties(to, MODEL_PROPERTIES, false);

  let next: number;
  if (close < 0) {
    next = to < tokens.length ? to + 1 : to;
  } else {
    next = close + 1;
    const after = tokens[next];
    if (isPunct(after, ';')) next++;
    else if (after) report(`expected ";" after the MODEL block, found "${after.text}"`, after.start, after.end);
  }
  return { properties, modelStart: first.start, modelEnd: first.end, next };
}
