// Reads SQLMesh audit files: any number of `AUDIT (name ..., blocking false, defaults (...));` blocks, each
// followed by optional @DEF statements and the audit's SELECT. Pure and total: every problem becomes a
// diagnostic at file:line:col, never an exception.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isKeyword, isPunct, tokenize, type Token } from '../models/tokenizer';
import type { ParsedModel, Position } from '../models/types';
import { setOwn } from '../models/objects';
import { positionsIn } from './positions';
import { booleanLiteral, singleIdentifier, sqlList } from './sqlFragments';
import type { AuditDefinition, ParsedAuditFile, QualityDiagnostic } from './types';
import { findFiles } from '../project/files';

/** Properties SQLMesh accepts in an AUDIT block (the later ones only matter for standalone audits). */
const AUDIT_PROPERTIES = new Set([
  'name', 'dialect', 'blocking', 'skip', 'standalone', 'defaults', 'depends_on', 'description', 'owner', 'tags',
  'cron', 'cron_tz', 'start', 'interval_unit', 'formatting',
]);

const QUERY_START = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE']);

interface Range {
  first: number;
  last: number;
}

type Report = (message: string, start: number, end: number, severity?: 'error' | 'warning') => void;

export interface AuditParseOptions {
  /** Where `text` starts in its file, when it is a piece of a larger file (an inline audit in a model). */
  base?: Position;
  /** Mark the audits as written inside a model file. */
  inline?: boolean;
}

export function parseAuditFile(text: string, file: string, options: AuditParseOptions = {}): ParsedAuditFile {
  const at = positionsIn(text, options.base);
  const diagnostics: QualityDiagnostic[] = [];
  const report: Report = (message, start, end, severity = 'error') => {
    diagnostics.push({ file, message, start: at(start), end: at(end), severity });
  };
  const audits: AuditDefinition[] = [];

  const { tokens, errors } = tokenize(text);
  for (const e of errors) report(e.message, e.start, e.end);
  if (errors.some((e) => e.message.startsWith('unterminated'))) return { file, audits, diagnostics };

  const ranges = splitOnSemicolons(tokens);
  let k = 0;
  if (ranges.length === 0) return { file, audits, diagnostics };
  if (!isAuditHeader(tokens, ranges[0])) {
    const t = tokens[ranges[0].first];
    report(`an audit file starts with AUDIT (name ..., ...); found "${t.text}"`, t.start, t.end);
    while (k < ranges.length && !isAuditHeader(tokens, ranges[k])) k++;
  }
  const seen = new Map<string, number>();
  while (k < ranges.length) {
    const header = ranges[k++];
    const body: Range[] = [];
    while (k < ranges.length && !isAuditHeader(tokens, ranges[k])) body.push(ranges[k++]);
    const audit = readAudit({ text, tokens, header, body, file, at, report, inline: options.inline ?? false });
    if (!audit) continue;
    const line = seen.get(audit.name);
    if (line !== undefined) {
      report(`audit ${audit.name} is defined twice in this file (first on line ${line})`, tokens[header.first].start, tokens[header.first].end);
      continue;
    }
    seen.set(audit.name, audit.start.line);
    audits.push(audit);
  }
  return { file, audits, diagnostics };
}

/** Inline `AUDIT (...); SELECT ...;` blocks of a model file, as audits of that file. */
export function inlineAudits(model: ParsedModel): ParsedAuditFile {
  const out: ParsedAuditFile = { file: model.file, audits: [], diagnostics: [] };
  for (const statement of model.statements) {
    if (statement.role !== 'audit') continue;
    const parsed = parseAuditFile(statement.text, model.file, { base: statement.start, inline: true });
    out.audits.push(...parsed.audits);
    out.diagnostics.push(...parsed.diagnostics);
  }
  return out;
}

/** audits/**\/*.sql of a project, sorted by path; a name defined in two files is reported on the later one. */
export async function discoverAudits(projectDir: string): Promise<ParsedAuditFile[]> {
  const files = await listSqlFiles(path.join(projectDir, 'audits'));
  const parsed = await Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(file, 'utf8');
      return parseAuditFile(text.startsWith('\ufeff') ? text.slice(1) : text, file);
    }),
  );
  const firstDefinition = new Map<string, AuditDefinition>();
  for (const auditFile of parsed) {
    auditFile.audits = auditFile.audits.filter((audit) => {
      const earlier = firstDefinition.get(audit.name);
      if (!earlier) {
        firstDefinition.set(audit.name, audit);
        return true;
      }
      auditFile.diagnostics.push({
        file: audit.file,
        message: `audit ${audit.name} is also defined in ${earlier.file}:${earlier.start.line}:${earlier.start.column}`,
        start: audit.start,
        end: audit.end,
        severity: 'error',
      });
      return false;
    });
  }
  return parsed;
}

function listSqlFiles(dir: string): Promise<string[]> {
  return findFiles(dir, (name) => name.toLowerCase().endsWith('.sql'));
}

function splitOnSemicolons(tokens: Token[]): Range[] {
  const out: Range[] = [];
  let first = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i === tokens.length || isPunct(tokens[i], ';')) {
      if (i > first) out.push({ first, last: i - 1 });
      first = i + 1;
    }
  }
  return out;
}

function isAuditHeader(tokens: Token[], range: Range): boolean {
  return isKeyword(tokens[range.first], 'AUDIT') && isPunct(tokens[range.first + 1], '(');
}

interface AuditInput {
  text: string;
  tokens: Token[];
  header: Range;
  body: Range[];
  file: string;
  at: (offset: number) => Position;
  report: Report;
  inline: boolean;
}

function readAudit(input: AuditInput): AuditDefinition | undefined {
  const { text, tokens, header, body, report } = input;
  const keyword = tokens[header.first];
  const open = header.first + 1;
  const close = closingParen(tokens, open, header.last);
  if (close < 0) {
    report('the "(" of the AUDIT block is never closed', tokens[open].start, tokens[open].end);
    return undefined;
  }
  if (close < header.last) {
    const extra = tokens[close + 1];
    report(`expected ";" after the AUDIT block, found "${extra.text}"`, extra.start, extra.end);
  }

  const audit: AuditDefinition = {
    name: '',
    file: input.file,
    start: input.at(keyword.start),
    end: input.at(tokens[close].end),
    blocking: true,
    skip: false,
    standalone: false,
    defaults: {},
    defs: {},
    query: '',
    queryStart: input.at(keyword.start),
    inline: input.inline,
  };

  let named = false;
  const seenKeys = new Set<string>();
  for (const item of topLevelItems(tokens, open + 1, close - 1)) {
    const key = tokens[item.first];
    if (key.type !== 'ident' || key.templated) {
      report(`expected an audit property name, found "${key.text}"`, key.start, key.end);
      continue;
    }
    const name = key.value.toLowerCase();
    if (seenKeys.has(name)) {
      report(`property '${name}' is set twice`, key.start, key.end);
      continue;
    }
    seenKeys.add(name);
    if (!AUDIT_PROPERTIES.has(name)) {
      report(`unknown audit property '${name}' (known: ${[...AUDIT_PROPERTIES].slice(0, 6).join(', ')}, ...)`, key.start, key.end);
      continue;
    }
    if (item.first === item.last) {
      report(`property '${name}' has no value`, key.start, key.end);
      continue;
    }
    const valueStart = tokens[item.first + 1].start;
    const valueEnd = tokens[item.last].end;
    const raw = text.slice(valueStart, valueEnd);
    const bad = (message: string) => report(message, valueStart, valueEnd);
    switch (name) {
      case 'name': {
        const value = item.first + 1 === item.last && tokens[item.last].type === 'string' ? tokens[item.last].value : singleIdentifier(raw);
        if (!value) bad(`the audit name must be a name like assert_positive_amount, found ${raw}`);
        else {
          audit.name = value.toLowerCase();
          named = true;
        }
        break;
      }
      case 'blocking':
      case 'skip':
      case 'standalone': {
        const value = booleanLiteral(raw);
        if (value === undefined) bad(`${name} must be true or false, found ${raw}`);
        else audit[name] = value;
        break;
      }
      case 'dialect':
        audit.dialect = (singleIdentifier(raw) ?? raw.replace(/^'(.*)'$/, '$1')).toLowerCase();
        break;
      case 'defaults':
        readDefaults(raw, valueStart, valueEnd, audit, report);
        break;
      default:
        // Standalone-audit metadata (owner, cron, ...): accepted as SQLMesh does, not used by Sluice.
        break;
    }
  }
  if (!named) {
    report('the AUDIT block has no name; add e.g. name assert_positive_amount', keyword.start, keyword.end);
    return undefined;
  }

  const statements = [...body];
  const queryRange = statements.pop();
  if (!queryRange) {
    report(`audit ${audit.name} has no query; add a SELECT returning the rows that break the rule`, keyword.start, tokens[close].end);
    return undefined;
  }
  for (const statement of statements) {
    const head = tokens[statement.first];
    if (head.type === 'macro' && head.value.toLowerCase() === 'def' && isPunct(tokens[statement.first + 1], '(')) {
      readDef(text, tokens, statement, audit, report);
    } else {
      report(`audit ${audit.name}: statements before the query are not run by Sluice`, head.start, head.end, 'warning');
    }
  }
  if (!startsQuery(tokens, queryRange)) {
    const head = tokens[queryRange.first];
    report(`audit ${audit.name}: expected a SELECT query, found "${head.text}"`, head.start, head.end);
    return undefined;
  }
  const qStart = tokens[queryRange.first].start;
  audit.query = text.slice(qStart, tokens[queryRange.last].end);
  audit.queryStart = input.at(qStart);
  return audit;
}

function startsQuery(tokens: Token[], range: Range): boolean {
  let i = range.first;
  while (i < range.last && isPunct(tokens[i], '(')) i++;
  const t = tokens[i];
  return t.type === 'ident' && !t.templated && QUERY_START.has(t.value.toUpperCase());
}

/** defaults (threshold = 10, column = id) */
function readDefaults(raw: string, start: number, end: number, audit: AuditDefinition, report: Report): void {
  const items = sqlList(raw);
  if (!items.ok || !/^\s*[([]/.test(raw)) {
    report(`defaults must be written as (name = value, ...)${items.ok ? '' : `: ${items.error}`}`, start, end);
    return;
  }
  for (const item of items.value) {
    const { tokens } = tokenize(item);
    const key = tokens[0];
    const op = tokens[1];
    if (!key || (key.type !== 'ident' && key.type !== 'qident') || !(isPunct(op, '=') || isPunct(op, ':=')) || tokens.length < 3) {
      report(`defaults entries must be name = value, found ${item}`, start, end);
      continue;
    }
    setOwn(audit.defaults, key.value.toLowerCase(), item.slice(tokens[2].start).trim());
  }
}

/** @DEF(name, value) before the audit's query: one more macro variable for it. */
function readDef(text: string, tokens: Token[], range: Range, audit: AuditDefinition, report: Report): void {
  const open = range.first + 1;
  const close = closingParen(tokens, open, range.last);
  const nameToken = tokens[open + 1];
  const comma = tokens[open + 2];
  if (close < 0 || !nameToken || (nameToken.type !== 'ident' && nameToken.type !== 'string') || !isPunct(comma, ',') || open + 3 >= close) {
    const head = tokens[range.first];
    report('@DEF needs a name and a value: @DEF(name, value)', head.start, tokens[range.last].end);
    return;
  }
  setOwn(audit.defs, nameToken.value.toLowerCase(), text.slice(tokens[open + 3].start, tokens[close - 1].end));
}

function closingParen(tokens: Token[], open: number, last: number): number {
  let depth = 0;
  for (let i = open; i <= last; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Token ranges of the comma-separated items between first and last (inclusive), at bracket depth 0. */
function topLevelItems(tokens: Token[], first: number, last: number): Range[] {
  const out: Range[] = [];
  let depth = 0;
  let start = first;
  for (let i = first; i <= last + 1; i++) {
    const t = tokens[i];
    if (i > last || (depth === 0 && isPunct(t, ','))) {
      if (i > start) out.push({ first: start, last: i - 1 });
      start = i + 1;
      continue;
    }
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    else if (isPunct(t, ')') || isPunct(t, ']')) depth--;
  }
  return out;
}
