// DuckDB SQL → another dialect: DuckDB parses the text (the same parse Sluice uses everywhere), the printer
// walks the tree with the target's rules. Either every construct renders or the result has no SQL and
// lists each construct that could not be rendered, at its position in the text.

import { parseSql, withScratchConnection, type ParsedSql } from '../sql/duckdbParser';
import { DIALECTS } from './dialects';
import { Printer } from './printer';
import type { DialectProblem, TargetDialect, TranspileOptions, TranspileResult } from './types';

let aggregateNames: Promise<ReadonlySet<string>> | undefined;

/** DuckDB's aggregate functions, from its own catalog (GROUP BY ALL groups by everything else). */
function aggregates(): Promise<ReadonlySet<string>> {
  if (!aggregateNames) {
    aggregateNames = withScratchConnection(async (connection) => {
      const reader = await connection.runAndReadAll("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'");
      return new Set(reader.getRows().map((r) => String(r[0]).toLowerCase()));
    });
    aggregateNames.catch(() => (aggregateNames = undefined));
  }
  return aggregateNames;
}

export async function transpile(sql: string, dialect: TargetDialect, options: TranspileOptions = {}): Promise<TranspileResult> {
  return transpileParsed(await parseSql(sql), dialect, options);
}

/** For a query already parsed with parseSql. */
export async function transpileParsed(parsed: ParsedSql, dialect: TargetDialect, options: TranspileOptions = {}): Promise<TranspileResult> {
  const syntax = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (syntax.length > 0 || !parsed.query) {
    return { dialect, problems: syntax.map((d) => ({ message: d.message, offset: d.offset })) };
  }
  const printer = new Printer(DIALECTS[dialect], options, await aggregates());
  const sql = printer.query(parsed.query);
  const problems: DialectProblem[] = printer.refusals.map((r) => ({ message: r.message, offset: parsed.source.indexOfByte(r.location) ?? 0 }));
  problems.sort((a, b) => a.offset - b.offset);
  return problems.length > 0 ? { dialect, problems } : { dialect, sql, problems };
}
