// The dialect table: how each target spells what every query needs (names, strings, the clauses DuckDB has
// and others lack). Functions are in functions.ts, types in typeNames.ts. A new dialect is one more entry
// here plus its columns in those two tables.

import type { TargetDialect } from './types';

export interface DialectRules {
  name: TargetDialect;
  quoteIdent(name: string): string;
  stringLiteral(value: string): string;
  /** QUALIFY is native; otherwise it becomes a filter around a subquery. */
  qualify: boolean;
  /** How `* EXCLUDE (a)` is written; undefined when the star must be spelled out from known columns. */
  starExclude?: 'EXCLUDE' | 'EXCEPT';
  /** `* REPLACE (expr AS a)` is native. */
  starReplace: boolean;
  /** GROUP BY ALL is native; otherwise it becomes the positions of the non-aggregate select items. */
  groupByAll: boolean;
  /** DISTINCT ON (...) is native. */
  distinctOn: boolean;
  /** Set operations need an explicit DISTINCT (BigQuery's UNION DISTINCT). */
  explicitSetDistinct: boolean;
  /** EXCEPT ALL / INTERSECT ALL exist. */
  setAll: boolean;
  /** Column aliases after a table alias: `AS t(a, b)`, and in CTE names. */
  columnAliases: boolean;
  /** NATURAL JOIN exists. */
  naturalJoin: boolean;
}

function doubleQuoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Standard SQL strings: quotes doubled, backslashes literal (PostgreSQL with standard_conforming_strings). */
function standardString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

// BigQuery and Snowflake read backslash escapes inside single-quoted strings, so a literal backslash must
// be doubled; BigQuery's plain strings cannot hold a raw newline either.
function backslashString(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `'${escaped}'`;
}

export const DIALECTS: Record<TargetDialect, DialectRules> = {
  duckdb: {
    name: 'duckdb', quoteIdent: doubleQuoted, stringLiteral: standardString, qualify: true, starExclude: 'EXCLUDE',
    starReplace: true, groupByAll: true, distinctOn: true, explicitSetDistinct: false, setAll: true, columnAliases: true, naturalJoin: true,
  },
  postgres: {
    name: 'postgres', quoteIdent: doubleQuoted, stringLiteral: standardString, qualify: false, starExclude: undefined,
    starReplace: false, groupByAll: false, distinctOn: true, explicitSetDistinct: false, setAll: true, columnAliases: true, naturalJoin: true,
  },
  bigquery: {
    name: 'bigquery',
    quoteIdent: (name) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
    stringLiteral: backslashString, qualify: true, starExclude: 'EXCEPT', starReplace: true, groupByAll: false,
    distinctOn: false, explicitSetDistinct: true, setAll: false, columnAliases: false, naturalJoin: false,
  },
  snowflake: {
    name: 'snowflake', quoteIdent: doubleQuoted, stringLiteral: backslashString, qualify: true, starExclude: 'EXCLUDE',
    starReplace: true, groupByAll: true, distinctOn: false, explicitSetDistinct: false, setAll: false, columnAliases: true, naturalJoin: true,
  },
};
