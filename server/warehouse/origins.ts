// What builds each warehouse table, for the Warehouse view's "open the model or source" and "show lineage":
// a model (its view in prod or an environment, or one of its physical versions) or a source (its tables).
// Everything comes from the analysed project and the source files' text; nothing is run.

import type { ModelProject } from '../../core/dag';
import type { SourceTableInfo } from '../../core/dag/types';
import type { TableOrigin } from '../../core/protocol';
import { readSourceText, resourceLocation } from '../sources/sourceFiles';
import { physicalModel, type SchemaClass } from './schemaGroups';

export interface ProjectTables {
  project?: ModelProject;
  /** Tables the sources loaded (schemas/*.schema.yaml). */
  sourceTables: readonly SourceTableInfo[];
  /** Source modules by lower-case name. */
  sourceFiles: ReadonlyMap<string, string>;
}

export interface Origin {
  origin?: TableOrigin;
  lineage?: string;
}

export class OriginLookup {
  private readonly texts = new Map<string, ReturnType<typeof readSourceText>>();

  constructor(private readonly tables: ProjectTables) {}

  async of(schema: string, table: string, cls: SchemaClass): Promise<Origin> {
    const s = schema.toLowerCase();
    const t = table.toLowerCase();
    if (cls.role === 'system') return {};
    if (cls.role === 'physical') {
      const key = cls.base ? physicalModel(cls.base, t) : undefined;
      return key ? this.model(key) : {};
    }
    if (cls.role === 'environment') return this.model(`${cls.base}.${t}`, cls.environment);
    const sourceFile = this.tables.sourceFiles.get(s);
    const sourceTable = this.tables.sourceTables.find((x) => x.source === s && x.table === t);
    if (sourceFile || sourceTable) return this.source(s, t, sourceTable, sourceFile);
    return this.tables.project?.model(`${s}.${t}`) ? this.model(`${s}.${t}`) : {};
  }

  private model(key: string, environment?: string): Origin {
    const model = this.tables.project?.model(key);
    const origin: TableOrigin = { kind: 'model', model: key };
    if (environment) origin.environment = environment;
    if (model) origin.file = model.file;
    return { origin, lineage: model ? key : undefined };
  }

  private async source(source: string, table: string, info: SourceTableInfo | undefined, file: string | undefined): Promise<Origin> {
    const origin: TableOrigin = { kind: 'source', source };
    if (info) origin.resource = info.resource;
    if (file) {
      origin.file = file;
      let text = this.texts.get(file);
      if (!text) this.texts.set(file, (text = readSourceText(file)));
      const read = await text;
      if (read) origin.location = resourceLocation(read, info?.resource);
    }
    const key = `${source}.${table}`;
    return { origin, lineage: this.tables.project?.table(key) ? key : undefined };
  }
}
