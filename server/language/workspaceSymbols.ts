// workspace/symbol: the models, sources and resources of every project, matched against the query by
// substring first, then by its letters in order (fuzzy). Sources and resources are read from the source
// modules' text, never by running them, so this works in an untrusted workspace.

import * as path from 'node:path';
import { SymbolKind, type SymbolInformation } from 'vscode-languageserver/node';
import type { ModelIndex } from '../models/modelIndex';
import { lineAndCharacter, readSourceText, sourceModules } from '../sources/sourceFiles';
import type { ProjectIndex } from '../workspace/projects';
import { toFileUri } from '../workspace/uri';

export interface WorkspaceSymbolDeps {
  index: ProjectIndex;
  models: ModelIndex;
  /** The editor's text of an open file, if it is open. */
  openText(file: string): string | undefined;
}

/** At most this many symbols go back; editors show far fewer. */
const LIMIT = 500;

export async function workspaceSymbols(deps: WorkspaceSymbolDeps, query: string): Promise<SymbolInformation[]> {
  await deps.index.ready();
  const found: { symbol: SymbolInformation; score: number }[] = [];
  const offer = (symbol: SymbolInformation, ...names: string[]) => {
    const score = Math.max(...names.map((n) => matchScore(query, n)));
    if (score > 0) found.push({ symbol, score });
  };
  for (const entry of deps.index.projects()) {
    const dir = entry.info.dir;
    const project = await deps.models.project(dir).catch(() => undefined);
    for (const model of project ? project.models() : []) {
      const name = project?.preparedModel(model.key)?.parsed.definition?.properties.name;
      const at = name ? { line: name.start.line - 1, character: name.start.column - 1 } : { line: 0, character: 0 };
      const end = name ? { line: name.end.line - 1, character: name.end.column - 1 } : at;
      offer({ name: model.name, kind: SymbolKind.Module, containerName: `model · ${model.kind}`, location: { uri: toFileUri(model.file), range: { start: at, end } } }, model.name, model.key);
    }
    for (const module of await sourceModules(dir)) {
      const source = await readSourceText(module.file, deps.openText(module.file));
      if (!source) continue;
      const uri = toFileUri(module.file);
      const named = source.scanned.source;
      const start = lineAndCharacter(source.text, named?.start ?? 0);
      const end = lineAndCharacter(source.text, named?.end ?? 0);
      offer({ name: module.name, kind: SymbolKind.Package, containerName: `source · ${path.basename(module.file)}`, location: { uri, range: { start, end } } }, module.name);
      for (const resource of source.scanned.resources) {
        const range = { start: lineAndCharacter(source.text, resource.start), end: lineAndCharacter(source.text, resource.end) };
        offer({ name: resource.name, kind: SymbolKind.Struct, containerName: module.name, location: { uri, range } }, resource.name, `${module.name}.${resource.name}`);
      }
    }
  }
  found.sort((a, b) => b.score - a.score || a.symbol.name.localeCompare(b.symbol.name));
  return found.slice(0, LIMIT).map((f) => f.symbol);
}

/**
 * How well a name matches a query, case-insensitively: 0 no match; an exact name, a prefix, a substring
 * (earlier is better), then the query's characters in order with gaps (fewer gaps is better).
 */
export function matchScore(query: string, name: string): number {
  const q = query.toLowerCase().replace(/\s+/g, '');
  const n = name.toLowerCase();
  if (q === '') return 1;
  if (n === q) return 1000;
  const at = n.indexOf(q);
  if (at === 0) return 900;
  if (at > 0) return 800 - Math.min(at, 100);
  let gaps = 0;
  let j = 0;
  for (let i = 0; i < n.length && j < q.length; i++) {
    if (n[i] === q[j]) j++;
    else if (j > 0) gaps++;
  }
  return j === q.length ? Math.max(1, 500 - gaps) : 0;
}
