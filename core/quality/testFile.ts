// Reads SQLMesh unit-test files (tests/**/test*.yaml): test name → model, inputs, outputs, vars. YAML
// syntax errors and structural problems become diagnostics at file:line:col; a test with errors is left out.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { LineMap } from '../models/position';
import type { Position } from '../models/types';
import { valueFromYaml } from './fixtureValues';
import { findFiles } from '../project/files';
import type {
  CteExpectation, DiscoveredTests, FixtureData, FixtureRow, InputFixture, QualityDiagnostic, UnitTestDefinition,
} from './types';

const TEST_KEYS = new Set(['model', 'description', 'inputs', 'outputs', 'vars', 'schema', 'gateway']);
const DATA_KEYS = new Set(['rows', 'query', 'format', 'csv_settings', 'path', 'columns', 'partial']);

interface Reader {
  file: string;
  doc: Document;
  lines: LineMap;
  diagnostics: QualityDiagnostic[];
  /** Set when the current test has an error, so it is left out. */
  failed: boolean;
}

/** Parses one test file. `baseDir` is what `path:` entries are relative to (the project directory). */
export function parseTestFile(text: string, file: string, baseDir = path.dirname(path.dirname(file))): DiscoveredTests {
  const lines = new LineMap(text);
  const diagnostics: QualityDiagnostic[] = [];
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  for (const err of doc.errors) {
    const [from, to] = err.pos;
    diagnostics.push({ file, message: `YAML: ${err.message.split('\n')[0]}`, start: lines.position(from), end: lines.position(to), severity: 'error' });
  }
  if (doc.errors.length > 0) return { tests: [], diagnostics };
  const reader: Reader = { file, doc, lines, diagnostics, failed: false };
  const root = doc.contents;
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) return { tests: [], diagnostics };
  if (!isMap(root)) {
    problem(reader, root, 'a test file maps test names to tests (test_name: {model: ..., inputs: ..., outputs: ...})');
    return { tests: [], diagnostics };
  }
  const tests: UnitTestDefinition[] = [];
  for (const pair of root.items) {
    reader.failed = false;
    const test = readTest(reader, pair, baseDir);
    if (test && !reader.failed) tests.push(test);
  }
  return { tests, diagnostics };
}

/** Every test file of a project, in path order; a test name used twice is reported on the later one. */
export async function discoverTests(projectDir: string): Promise<DiscoveredTests> {
  const files = await listTestFiles(path.join(projectDir, 'tests'));
  const parsed = await Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(file, 'utf8');
      return parseTestFile(text.startsWith('\ufeff') ? text.slice(1) : text, file, projectDir);
    }),
  );
  const out: DiscoveredTests = { tests: [], diagnostics: [] };
  const seen = new Map<string, UnitTestDefinition>();
  for (const result of parsed) {
    out.diagnostics.push(...result.diagnostics);
    for (const test of result.tests) {
      const earlier = seen.get(test.name);
      if (earlier) {
        out.diagnostics.push({
          file: test.file,
          message: `test ${test.name} is also defined in ${earlier.file}:${earlier.start.line}:${earlier.start.column}`,
          start: test.start,
          end: test.end,
          severity: 'error',
        });
        continue;
      }
      seen.set(test.name, test);
      out.tests.push(test);
    }
  }
  return out;
}

/** tests/**\/test*.yaml and test*.yml, as SQLMesh finds them; hidden folders are skipped. */
export function listTestFiles(dir: string): Promise<string[]> {
  return findFiles(dir, (name) => /^test.*\.ya?ml$/i.test(name));
}

// ---------- structure ----------

function where(reader: Reader, node: unknown): { start: Position; end: Position } {
  const range = (node as Node | undefined)?.range;
  if (!range) return { start: reader.lines.position(0), end: reader.lines.position(0) };
  return { start: reader.lines.position(range[0]), end: reader.lines.position(range[1]) };
}

function problem(reader: Reader, node: unknown, message: string, severity: 'error' | 'warning' = 'error'): void {
  reader.diagnostics.push({ file: reader.file, message, ...where(reader, node), severity });
  if (severity === 'error') reader.failed = true;
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function entries(map: YAMLMap): Array<[string, Pair]> {
  return map.items.map((pair) => [keyOf(pair), pair]);
}

function stringValue(reader: Reader, pair: Pair, what: string): string | undefined {
  if (isScalar(pair.value) && (typeof pair.value.value === 'string' || typeof pair.value.value === 'number')) return String(pair.value.value);
  problem(reader, pair.value ?? pair.key, `${what} must be a string`);
  return undefined;
}

function readTest(reader: Reader, pair: Pair, baseDir: string): UnitTestDefinition | undefined {
  const name = keyOf(pair);
  const at = where(reader, pair.key);
  if (!isMap(pair.value)) {
    problem(reader, pair.value ?? pair.key, `test ${name} must be a mapping with model, inputs and outputs`);
    return undefined;
  }
  const test: UnitTestDefinition = {
    name, file: reader.file, start: at.start, end: at.end, model: '', vars: {}, inputs: [], outputs: { ctes: [] }, baseDir,
  };
  let outputsSeen = false;
  for (const [key, entry] of entries(pair.value)) {
    switch (key) {
      case 'model':
        test.model = stringValue(reader, entry, `${name}.model`) ?? '';
        break;
      case 'description':
        test.description = stringValue(reader, entry, `${name}.description`);
        break;
      case 'vars':
        if (isMap(entry.value)) test.vars = (entry.value.toJS(reader.doc) ?? {}) as Record<string, unknown>;
        else if (entry.value !== null && !(isScalar(entry.value) && entry.value.value === null)) problem(reader, entry.value, `${name}.vars must map variable names to values`);
        break;
      case 'inputs':
        test.inputs = readInputs(reader, entry, name);
        break;
      case 'outputs':
        outputsSeen = true;
        test.outputs = readOutputs(reader, entry, name);
        break;
      case 'schema':
      case 'gateway':
        // Each test runs in a fresh in-memory database, so these SQLMesh settings have nothing to choose.
        break;
      default:
        problem(reader, entry.key, `unknown key '${key}' in test ${name} (expected one of ${[...TEST_KEYS].join(', ')})`, 'warning');
    }
  }
  if (!test.model) problem(reader, pair.key, `test ${name} has no model; add model: schema.table`);
  if (!outputsSeen) problem(reader, pair.key, `test ${name} has no outputs; add outputs: query: rows: [...]`);
  else if (!test.outputs.query && test.outputs.ctes.length === 0 && !reader.failed) {
    problem(reader, pair.key, `test ${name}: outputs must contain query or ctes`);
  }
  return test;
}

function readInputs(reader: Reader, pair: Pair, test: string): InputFixture[] {
  if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return [];
  if (!isMap(pair.value)) {
    problem(reader, pair.value, `${test}.inputs must map table names to their rows`);
    return [];
  }
  const out: InputFixture[] = [];
  for (const [name, entry] of entries(pair.value)) {
    const data = readData(reader, entry, `inputs.${name}`, false, undefined);
    if (data) out.push({ ...data, name });
  }
  return out;
}

function readOutputs(reader: Reader, pair: Pair, test: string): UnitTestDefinition['outputs'] {
  const out: UnitTestDefinition['outputs'] = { ctes: [] };
  if (!isMap(pair.value)) {
    problem(reader, pair.value ?? pair.key, `${test}.outputs must contain query and/or ctes`);
    return out;
  }
  const partialPair = pair.value.items.find((p) => keyOf(p) === 'partial');
  const partial = partialPair ? booleanValue(reader, partialPair, 'outputs.partial') : undefined;
  for (const [key, entry] of entries(pair.value)) {
    if (key === 'partial') continue;
    if (key === 'query') {
      out.query = readData(reader, entry, 'outputs.query', true, partial);
    } else if (key === 'ctes') {
      if (!isMap(entry.value)) {
        problem(reader, entry.value ?? entry.key, `${test}.outputs.ctes must map CTE names to their rows`);
        continue;
      }
      for (const [cte, ctePair] of entries(entry.value)) {
        const data = readData(reader, ctePair, `outputs.ctes.${cte}`, true, partial);
        if (data) out.ctes.push({ ...data, cte } satisfies CteExpectation);
      }
    } else {
      problem(reader, entry.key, `unknown key '${key}' in ${test}.outputs (expected query, ctes or partial)`, 'warning');
    }
  }
  return out;
}

function booleanValue(reader: Reader, pair: Pair, what: string): boolean | undefined {
  if (isScalar(pair.value) && typeof pair.value.value === 'boolean') return pair.value.value;
  problem(reader, pair.value ?? pair.key, `${what} must be true or false`);
  return undefined;
}

/** Rows written as a list, or {rows | query | path, format, csv_settings, columns, partial}. */
function readData(reader: Reader, pair: Pair, label: string, isOutput: boolean, inheritedPartial: boolean | undefined): FixtureData | undefined {
  const node = pair.value;
  const data: FixtureData = { label, where: where(reader, pair.key).start, format: 'yaml' };
  if (inheritedPartial) data.partial = true;
  if (isSeq(node)) {
    data.rows = readRows(reader, node, label);
    return data;
  }
  if (!isMap(node)) {
    problem(reader, node ?? pair.key, `${label} must be a list of rows or a mapping with rows, query or path`);
    return undefined;
  }
  let rowsNode: unknown;
  for (const [key, entry] of entries(node)) {
    switch (key) {
      case 'rows':
        rowsNode = entry.value;
        break;
      case 'query':
        data.query = stringValue(reader, entry, `${label}.query`);
        break;
      case 'path':
        data.path = stringValue(reader, entry, `${label}.path`);
        break;
      case 'format': {
        const format = stringValue(reader, entry, `${label}.format`)?.toLowerCase();
        if (format === 'csv' || format === 'yaml') data.format = format;
        else if (format !== undefined) problem(reader, entry.value, `${label}.format must be yaml or csv, found ${format}`);
        break;
      }
      case 'csv_settings':
        readCsvSettings(reader, entry, label, data);
        break;
      case 'columns':
        data.columns = readColumns(reader, entry, label);
        break;
      case 'partial':
        if (!isOutput) problem(reader, entry.key, `${label}: partial only applies to outputs`, 'warning');
        else if (booleanValue(reader, entry, `${label}.partial`)) data.partial = true;
        else data.partial = false;
        break;
      default:
        problem(reader, entry.key, `unknown key '${key}' in ${label} (expected one of ${[...DATA_KEYS].join(', ')})`, 'warning');
    }
  }
  if (rowsNode !== undefined) {
    if (data.format === 'csv') {
      if (isScalar(rowsNode) && typeof rowsNode.value === 'string') data.csv = rowsNode.value;
      else problem(reader, rowsNode, `${label}.rows must be CSV text (rows: |) when format is csv`);
    } else if (isSeq(rowsNode)) data.rows = readRows(reader, rowsNode, label);
    else if (rowsNode === null || (isScalar(rowsNode) && rowsNode.value === null)) data.rows = [];
    else problem(reader, rowsNode, `${label}.rows must be a list of rows (- column: value)`);
  }
  const sources = [rowsNode !== undefined, data.query !== undefined, data.path !== undefined].filter(Boolean).length;
  if (sources > 1) problem(reader, pair.key, `${label}: use only one of rows, query and path`);
  if (sources === 0) {
    if (isOutput) problem(reader, pair.key, `${label} has no rows; add rows: [...] (or query:)`);
    else data.rows = [];
  }
  return data;
}

function readRows(reader: Reader, node: import('yaml').YAMLSeq, label: string): FixtureRow[] {
  const rows: FixtureRow[] = [];
  node.items.forEach((item, i) => {
    if (!isMap(item)) {
      problem(reader, item, `${label} row ${i + 1} must be a mapping of column to value`);
      return;
    }
    rows.push(item.items.map((p) => [keyOf(p), valueFromYaml(p.value, reader.doc)]));
  });
  return rows;
}

function readColumns(reader: Reader, pair: Pair, label: string): Record<string, string> | undefined {
  if (!isMap(pair.value)) {
    problem(reader, pair.value ?? pair.key, `${label}.columns must map column names to types`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, entry] of entries(pair.value)) {
    const type = stringValue(reader, entry, `${label}.columns.${name}`);
    if (type !== undefined) Object.defineProperty(out, name, { value: type, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function readCsvSettings(reader: Reader, pair: Pair, label: string, data: FixtureData): void {
  if (!isMap(pair.value)) {
    problem(reader, pair.value ?? pair.key, `${label}.csv_settings must be a mapping`);
    return;
  }
  for (const [key, entry] of entries(pair.value)) {
    if (key === 'sep' || key === 'delimiter') data.csvSeparator = stringValue(reader, entry, `${label}.csv_settings.${key}`);
    else if (key !== 'skip_blank_lines') problem(reader, entry.key, `${label}.csv_settings.${key} is not supported by Sluice (only sep)`, 'warning');
  }
}
