// DuckDB SQL → another dialect: DuckDB parses the text (the same parse Sluice uses everywhere), the printer
// walks the tree with the target's rules. Either every construct renders or the result has no SQL and
// lists each construct that could not be rendered, at its position in the text.

import { parseSql, type ParsedSql } from '../sql/duckdbParser';
import { duckdbFunctionNames } from '../sql/functionNames';
import { DIALECTS } from './dialects';
import { Printer } from './printer';
import type { DialectProblem, TargetDialect, TranspileOptions, TranspileResult } from './types';

export async function transpile(sql: string, dialect: TargetDialect, options: TranspileOptions = {}): Promise<TranspileResult> {
  return transpileParsed(await parseSql(sql), dialect, options);
}

/** For a query already parsed with parseSql. */
export async function transpileParsed(parsed: ParsedSql, dialect: TargetDialect, options: TranspileOptions = {}): Promise<TranspileResult> {
  const syntax = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (syntax.length > 0 || !parsed.query) {
    return { dialect, problems: syntax.map((d) => ({ message: d.message, offset: d.offset })) };
  }
  const printer = new Printer(DIALECTS[dialect], options, (await duckdbFunctionNames()).aggregates);
  const sql = printer.query(parsed.query);
  const problems: DialectProblem[] = printer.refusals.map((r) => ({ message: r.message, offset: parsed.source.indexOfByte(r.location) ?? 0 }));
  problems.sort((a, b) => a.offset - b.offset);
  return problems.length > 0 ? { dialect, problems } : { dialect, sql, problems };
}
