// Small ways to build a Catalog. Table and column names are compared lower-case, as DuckDB compares
// identifiers case-insensitively.

import type { SourceSchema } from '../schema/types';
import type { Catalog, QualifiedName } from './types';

/** `schema.table`, lower-case. */
export function qualifiedName(schema: string, table: string): QualifiedName {
  return `${schema.toLowerCase()}.${table.toLowerCase()}`;
}

/** A catalog over a plain map from `schema.table` to column names. */
export function catalogFromTables(tables: Record<string, readonly string[]> | Map<string, readonly string[]>): Catalog {
  const byName = new Map<string, string[]>();
  const entries = tables instanceof Map ? tables.entries() : Object.entries(tables);
  for (const [name, columns] of entries) byName.set(name.toLowerCase(), columns.map((c) => c.toLowerCase()));
  return { columns: (table) => byName.get(table) };
}

/** A catalog over the tables of loaded sources (each source is a schema). */
export function catalogFromSourceSchemas(schemas: readonly SourceSchema[]): Catalog {
  const tables = new Map<string, string[]>();
  for (const schema of schemas) {
    for (const table of schema.tables) {
      tables.set(qualifiedName(schema.name, table.name), table.columns.map((c) => c.name));
    }
  }
  return catalogFromTables(tables);
}

/** The first catalog that knows a table answers for it. */
export function combineCatalogs(...catalogs: Catalog[]): Catalog {
  return {
    columns(table) {
      for (const c of catalogs) {
        const cols = c.columns(table);
        if (cols) return cols;
      }
      return undefined;
    },
  };
}

export const emptyCatalog: Catalog = { columns: () => undefined };
