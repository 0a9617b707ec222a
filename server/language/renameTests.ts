// Unit tests (tests/**/test*.yaml) name models and their columns, so a rename edits them too: the model a
// test is for, the tables its inputs give rows for, and the columns in the rows (and `columns` types) of
// inputs from a renamed model and of the expected output of a renamed model.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { tableKeyOfName } from '../../core/dag/names';
import { listTestFiles, parseTestFile } from '../../core/quality/testFile';
import type { ColumnRenames } from './queryRename';
import { FileEdits, RenameRefused } from './renameEdits';

export interface TestRenames {
  /** A renamed model: its key and its new name as written. */
  model?: { key: string; newName: string };
  columns?: ColumnRenames;
}

/** Adds the edits of the project's test files; `openText` gives an open editor's text of a file. */
export async function renameInTests(projectDir: string, renames: TestRenames, edits: FileEdits, openText: (file: string) => string | undefined): Promise<void> {
  for (const file of await listTestFiles(path.join(projectDir, 'tests'))) {
    const raw = openText(file) ?? (await fs.readFile(file, 'utf8').catch(() => undefined));
    if (raw === undefined) continue;
    const text = raw.startsWith('\ufeff') ? raw.slice(1) : raw;
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
    const replace = (node: unknown, newText: string) => {
      const range = (node as Node | undefined)?.range;
      if (!isScalar(node) || !range) return;
      edits.otherTexts.set(file, text);
      edits.add(file, range[0], range[1], yamlScalar(newText));
    };
    const renameColumns = (data: unknown, columns: Map<string, string> | undefined) => {
      if (!columns || !isMap(data)) return;
      const rows = pairOf(data, 'rows')?.value;
      const maps = isSeq(rows) ? rows.items.filter(isMap) : [];
      const types = pairOf(data, 'columns')?.value;
      if (isMap(types)) maps.push(types);
      for (const map of maps) {
        for (const pair of map.items) {
          const next = columns.get(keyOf(pair).toLowerCase());
          if (next !== undefined) replace(pair.key, next);
        }
      }
    };
    for (const testPair of doc.contents.items) {
      if (!isMap(testPair.value)) continue;
      const modelPair = pairOf(testPair.value, 'model');
      const model = modelPair && isScalar(modelPair.value) ? tableKeyOfName(String(modelPair.value.value)) : undefined;
      if (model && model === renames.model?.key) replace(modelPair!.value, renames.model.newName);
      const inputs = pairOf(testPair.value, 'inputs')?.value;
      for (const input of isMap(inputs) ? inputs.items : []) {
        const table = tableKeyOfName(keyOf(input));
        if (table && table === renames.model?.key) replace(input.key, renames.model.newName);
        if (table) renameColumns(input.value, renames.columns?.get(table));
      }
      const outputs = pairOf(testPair.value, 'outputs')?.value;
      if (model && isMap(outputs)) renameColumns(pairOf(outputs, 'query')?.value, renames.columns?.get(model));
    }
  }
}

/** Refuses when a test file would have problems it does not have now. */
export function checkTests(edits: FileEdits): void {
  for (const [file, text] of edits.otherTexts) {
    const errors = (t: string) => parseTestFile(t, file).diagnostics.filter((d) => d.severity === 'error').length;
    if (errors(edits.apply(file, text)) > errors(text)) throw new RenameRefused(`the rename would break the test file ${file}`);
  }
}

function pairOf(map: { items: Pair[] }, key: string): Pair | undefined {
  return map.items.find((p) => keyOf(p) === key);
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** A YAML scalar for a name: plain when it is a plain name, else double-quoted. */
function yamlScalar(name: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(name);
  return plain ? name : JSON.stringify(name);
}
