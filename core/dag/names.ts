// How tables and columns are named across a project. DuckDB compares identifiers case-insensitively, so
// every key is lower-case. A name is `schema.table`: a catalog part is ignored (as the lineage resolver
// does) and a name without a schema is in DuckDB's default schema, `main`.

export const DEFAULT_SCHEMA = 'main';

/** `schema.table`, lower-case, from the parts of a name (1 to 3 parts). */
export function tableKey(parts: readonly string[]): string {
  const clean = parts.filter((p) => p !== '');
  const table = (clean[clean.length - 1] ?? '').toLowerCase();
  const schema = clean.length >= 2 ? clean[clean.length - 2].toLowerCase() : DEFAULT_SCHEMA;
  return `${schema}.${table}`;
}

/** Splits a dotted SQL name into parts; double-quoted parts may contain dots. Returns undefined for malformed names. */
export function splitName(name: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  const text = name.trim();
  while (i < text.length) {
    if (text[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      parts.push(part);
    } else {
      const dot = text.indexOf('.', i);
      const end = dot < 0 ? text.length : dot;
      const part = text.slice(i, end).trim();
      if (part === '') return undefined;
      parts.push(part);
      i = end;
    }
    if (i < text.length) {
      if (text[i] !== '.') return undefined;
      i++;
      if (i >= text.length) return undefined;
    }
  }
  return parts.length > 0 ? parts : undefined;
}

/** The key of a table named in text (e.g. from external_models.yaml or the command line). */
export function tableKeyOfName(name: string): string | undefined {
  const parts = splitName(name);
  return parts && parts.length <= 3 ? tableKey(parts) : undefined;
}

/** `schema.table.column`, the way lineage names a column everywhere. */
export function columnName(table: string, column: string): string {
  return `${table}.${column}`;
}
