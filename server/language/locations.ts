// Where tables and columns are defined, for links in hovers, go to definition and lineage graph nodes:
// a model's name in its MODEL block and each output column's select item; a source table's resource in
// its source module (found in the text, not by running it); an external model's entry in its YAML file.

import { promises as fs } from 'node:fs';
import type { ModelProject } from '../../core/dag';
import type { Position } from '../../core/models';
import type { FileLocation } from '../../core/protocol';
import type { SelectScope } from '../../core/lineage/scope';
import { readSourceText, resourceLocation, sourceModule, lineAndCharacter } from '../sources/sourceFiles';
import { outputsPerItem, resolvedQuery } from './resolution';

export class Locator {
  private readonly texts = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly project: ModelProject,
    private readonly projectDir: string,
  ) {}

  /** Where a table is defined: model file, source resource, or external models entry. */
  async table(key: string): Promise<FileLocation | undefined> {
    const info = this.project.table(key);
    if (!info) return undefined;
    if (info.kind === 'model') {
      const prepared = this.project.preparedModel(key);
      const name = prepared?.parsed.definition?.properties.name;
      return { file: info.file!, ...(name ? fromPosition(name.start) : { line: 0, character: 0 }) };
    }
    if (info.kind === 'source') {
      const first = info.columns?.find((c) => !c.name.startsWith('_sluice_')) ?? info.columns?.[0];
      const origin = first ? this.project.origin(key, first.name) : undefined;
      if (origin) return (await this.resource(origin.source, origin.resource)) ?? (info.file ? { file: info.file, line: 0, character: 0 } : undefined);
      return info.file ? { file: info.file, line: 0, character: 0 } : undefined;
    }
    if (!info.file) return undefined;
    const text = await this.read(info.file);
    const table = key.split('.').pop() ?? key;
    const at = text ? findName(text, key, table) : -1;
    return { file: info.file, ...(text && at >= 0 ? lineAndCharacter(text, at) : { line: 0, character: 0 }) };
  }

  /** Where a column is defined: its select item in a model, its resource in a source module. */
  async column(table: string, column: string): Promise<FileLocation | undefined> {
    const info = this.project.table(table);
    if (!info) return undefined;
    if (info.kind === 'model') return this.modelColumn(table, column) ?? this.table(table);
    if (info.kind === 'source') {
      const origin = this.project.origin(table, column);
      if (origin) return (await this.resource(origin.source, origin.resource)) ?? this.table(table);
    }
    return this.table(table);
  }

  /** The resource's name in the source module of `source`. */
  async resource(source: string, resource: string): Promise<FileLocation | undefined> {
    const module = await sourceModule(this.projectDir, source);
    if (!module) return undefined;
    const text = await readSourceText(module.file, await this.read(module.file));
    return text ? resourceLocation(text, resource) : undefined;
  }

  /** The select item that produces an output column of a model. */
  modelColumn(model: string, column: string): FileLocation | undefined {
    const prepared = this.project.preparedModel(model);
    if (!prepared?.rendered || !prepared.sql) return undefined;
    const definition = prepared.parsed.definition;
    const resolved = resolvedQuery(this.project, prepared);
    if (!resolved || resolved.root.kind !== 'select') {
      // Seeds and external models have no select list; their columns are declared in the MODEL block.
      const declared = definition?.properties.columns;
      return declared ? { file: prepared.file, ...fromPosition(declared.start) } : undefined;
    }
    const wanted = column.toLowerCase();
    for (const [item, outputs] of outputsPerItem(resolved.root as SelectScope)) {
      if (!outputs.some((o) => o.name === wanted)) continue;
      const index = prepared.sql.source.indexOfByte(item.query_location);
      if (index === undefined) continue;
      return { file: prepared.file, ...fromPosition(prepared.rendered.sourceMap.toFilePosition(index)) };
    }
    return undefined;
  }

  private read(file: string): Promise<string | undefined> {
    let text = this.texts.get(file);
    if (!text) {
      text = fs.readFile(file, 'utf8').catch(() => undefined);
      this.texts.set(file, text);
    }
    return text;
  }
}

export function fromPosition(p: Position): { line: number; character: number } {
  return { line: p.line - 1, character: p.column - 1 };
}

/** A file URI with a line (and column) fragment, which VS Code opens at that place. */
export function locationLink(location: FileLocation, toUri: (file: string) => string): string {
  return `${toUri(location.file)}#L${location.line + 1},${location.character + 1}`;
}

/** The offset of a table's name in an external models file: `name: schema.table`, else the bare table name. */
function findName(text: string, key: string, table: string): number {
  const lower = text.toLowerCase();
  const full = lower.indexOf(key);
  if (full >= 0) return full;
  const re = new RegExp(`\\b${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
  const m = re.exec(text);
  return m ? m.index : -1;
}
