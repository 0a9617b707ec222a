// DuckDB type names in each target dialect. Where a target has no type holding the same values the type is
// refused (a diagnostic), rather than narrowed silently.

import type { TargetDialect } from './types';

/** The serialized type DuckDB puts in cast_type. */
export interface TypeNode {
  id?: string;
  type_info?: {
    type?: string;
    width?: number;
    scale?: number;
    child_type?: TypeNode;
    child_types?: { first: string; second: TypeNode }[];
    name?: string;
  };
}

export type TypeResult = { sql: string } | { refused: string };

type Names = Partial<Record<string, string>>;

// Plain types with no parameters. A missing entry means the target has no such type.
const PLAIN: Record<Exclude<TargetDialect, 'duckdb'>, Names> = {
  postgres: {
    BOOLEAN: 'BOOLEAN', TINYINT: 'SMALLINT', SMALLINT: 'SMALLINT', INTEGER: 'INTEGER', BIGINT: 'BIGINT',
    HUGEINT: 'NUMERIC(38, 0)', UTINYINT: 'SMALLINT', USMALLINT: 'INTEGER', UINTEGER: 'BIGINT', UBIGINT: 'NUMERIC(20, 0)',
    UHUGEINT: 'NUMERIC(39, 0)', FLOAT: 'REAL', DOUBLE: 'DOUBLE PRECISION', VARCHAR: 'TEXT', BLOB: 'BYTEA',
    DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ',
    TIMESTAMP_S: 'TIMESTAMP(0)', TIMESTAMP_MS: 'TIMESTAMP(3)', INTERVAL: 'INTERVAL', UUID: 'UUID', JSON: 'JSONB',
  },
  bigquery: {
    BOOLEAN: 'BOOL', TINYINT: 'INT64', SMALLINT: 'INT64', INTEGER: 'INT64', BIGINT: 'INT64',
    HUGEINT: 'BIGNUMERIC', UTINYINT: 'INT64', USMALLINT: 'INT64', UINTEGER: 'INT64', UBIGINT: 'NUMERIC',
    UHUGEINT: 'BIGNUMERIC', FLOAT: 'FLOAT64', DOUBLE: 'FLOAT64', VARCHAR: 'STRING', BLOB: 'BYTES',
    // DuckDB's TIMESTAMP is a wall-clock time with no zone: BigQuery's DATETIME. Its TIMESTAMPTZ is an instant.
    DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'DATETIME', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP',
    TIMESTAMP_S: 'DATETIME', TIMESTAMP_MS: 'DATETIME', INTERVAL: 'INTERVAL', UUID: 'STRING', JSON: 'JSON',
  },
  snowflake: {
    BOOLEAN: 'BOOLEAN', TINYINT: 'SMALLINT', SMALLINT: 'SMALLINT', INTEGER: 'INTEGER', BIGINT: 'BIGINT',
    HUGEINT: 'NUMBER(38, 0)', UTINYINT: 'SMALLINT', USMALLINT: 'INTEGER', UINTEGER: 'BIGINT', UBIGINT: 'NUMBER(20, 0)',
    FLOAT: 'FLOAT', DOUBLE: 'DOUBLE', VARCHAR: 'VARCHAR', BLOB: 'BINARY',
    // TIMESTAMP_LTZ, like DuckDB's TIMESTAMPTZ, is an instant shown in the session's zone.
    DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP_NTZ', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP_LTZ',
    TIMESTAMP_S: 'TIMESTAMP_NTZ(0)', TIMESTAMP_MS: 'TIMESTAMP_NTZ(3)', UUID: 'VARCHAR', JSON: 'VARIANT',
  },
};

/** DuckDB's own spelling of a type, for the duckdb dialect and for messages. */
export function duckdbTypeName(type: TypeNode): string {
  const id = type.id ?? '';
  const info = type.type_info;
  if (id === 'DECIMAL') return `DECIMAL(${info?.width ?? 18}, ${info?.scale ?? 3})`;
  if (id === 'LIST') return `${duckdbTypeName(info?.child_type ?? {})}[]`;
  if (id === 'STRUCT') return `STRUCT(${(info?.child_types ?? []).map((c) => `${quoteDouble(c.first)} ${duckdbTypeName(c.second)}`).join(', ')})`;
  if (id === 'MAP') {
    const [k, v] = info?.child_type?.type_info?.child_types ?? [];
    return `MAP(${duckdbTypeName(k?.second ?? {})}, ${duckdbTypeName(v?.second ?? {})})`;
  }
  if (id === 'UNBOUND' || id === 'USER') return info?.name ?? id;
  return id === 'TIMESTAMP WITH TIME ZONE' ? 'TIMESTAMPTZ' : id;
}

function quoteDouble(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The type in the dialect, or why it has none. quote renders a field name of a struct type. */
export function typeName(type: TypeNode, dialect: TargetDialect, quote: (name: string) => string): TypeResult {
  if (dialect === 'duckdb') return { sql: duckdbTypeName(type) };
  const id = type.id === 'UNBOUND' || type.id === 'USER' ? (type.type_info?.name ?? '').toUpperCase() : type.id ?? '';
  const info = type.type_info;
  switch (id) {
    case 'DECIMAL': {
      const width = info?.width ?? 18;
      const scale = info?.scale ?? 3;
      if (dialect === 'postgres') return { sql: `NUMERIC(${width}, ${scale})` };
      if (dialect === 'snowflake') return { sql: `NUMBER(${width}, ${scale})` };
      // BigQuery's NUMERIC holds 29 digits before the point and 9 after; wider decimals need BIGNUMERIC.
      return { sql: width - scale <= 29 && scale <= 9 ? `NUMERIC(${width}, ${scale})` : `BIGNUMERIC(${width}, ${scale})` };
    }
    case 'LIST': {
      const child = typeName(info?.child_type ?? {}, dialect, quote);
      if ('refused' in child) return child;
      if (dialect === 'postgres') return { sql: `${child.sql}[]` };
      if (dialect === 'bigquery') return { sql: `ARRAY<${child.sql}>` };
      return { sql: 'ARRAY' };
    }
    case 'STRUCT': {
      if (dialect === 'postgres') return { refused: 'PostgreSQL has no anonymous STRUCT type' };
      if (dialect === 'snowflake') return { sql: 'OBJECT' };
      const fields: string[] = [];
      for (const c of info?.child_types ?? []) {
        const t = typeName(c.second, dialect, quote);
        if ('refused' in t) return t;
        fields.push(`${quote(c.first)} ${t.sql}`);
      }
      return { sql: `STRUCT<${fields.join(', ')}>` };
    }
    case 'MAP':
      return dialect === 'snowflake' ? { sql: 'OBJECT' } : { refused: `${dialectTitle(dialect)} has no MAP type` };
  }
  const plain = PLAIN[dialect][id];
  return plain ? { sql: plain } : { refused: `${dialectTitle(dialect)} has no type equivalent to DuckDB's ${duckdbTypeName(type)}` };
}

export function dialectTitle(dialect: TargetDialect): string {
  return { duckdb: 'DuckDB', postgres: 'PostgreSQL', bigquery: 'BigQuery', snowflake: 'Snowflake' }[dialect];
}
