// DuckDB values as JSON values, keeping what a result grid needs: NULL stays null, lists, structs and maps
// stay arrays and objects, JSON columns become the JSON value they hold. Integers and DECIMALs are numbers
// while a double holds them exactly, and strings beyond; times stay DuckDB's text.

import {
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  doubleFromDecimalValue,
  stringFromValue,
  type DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import type { QueryValue } from './types';

const EXACT_DECIMAL_DIGITS = 15;

const toJsonValue: DuckDBValueConverter<Json> = (value: DuckDBValue, type: DuckDBType, self: DuckDBValueConverter<Json>) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT: {
      const n = Number(value as bigint);
      return Number.isSafeInteger(n) ? n : String(value);
    }
    case DuckDBTypeId.DECIMAL: {
      if (type.width <= EXACT_DECIMAL_DIGITS) return doubleFromDecimalValue(value);
      // Wide decimals (sums are DECIMAL(38,s)) are numbers while a double still prints them exactly.
      const text = stringFromValue(value);
      const n = Number(text);
      return Number.isFinite(n) && Math.abs(n) < 1e15 && n.toFixed(type.scale) === text ? n : text;
    }
    default:
      return JsonDuckDBValueConverter(value, type, self);
  }
};

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** A column's type as DESCRIBE names it: the alias (JSON) when it has one. */
export function typeName(type: DuckDBType): string {
  return type.alias ?? type.toString();
}

/**
 * The rows of a chunk as JSON values. `jsonColumns[i]` says column i is of type JSON (the chunk's own vector
 * types do not carry the alias, the result's column types do).
 */
export function chunkRows(chunk: DuckDBDataChunk, jsonColumns: readonly boolean[]): QueryValue[][] {
  const rows = chunk.convertRows(toJsonValue) as QueryValue[][];
  if (jsonColumns.some(Boolean)) {
    for (const row of rows) {
      for (let i = 0; i < row.length; i++) if (jsonColumns[i] && typeof row[i] === 'string') row[i] = parseJson(row[i] as string) as QueryValue;
    }
  }
  return rows;
}
