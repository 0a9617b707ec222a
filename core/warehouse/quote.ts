// Every identifier that reaches SQL goes through quoteIdent; every value goes through a prepared
// parameter or quoteLiteral. Nothing from data is pasted into SQL text unquoted.

export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`);
  return '"' + name.replace(/"/g, '""') + '"';
}

/** schema.table, both quoted. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** A SQL string literal. For values that cannot be bound as parameters (file paths in table functions, DDL). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('string literal contains a NUL character');
  return "'" + value.replace(/'/g, "''") + "'";
}
