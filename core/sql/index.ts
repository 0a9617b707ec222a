export { closeSqlParser, parseMany, parseSql, type ParsedSql } from './duckdbParser';
export { SourceText, type SqlDiagnostic, type SqlSeverity, type TextPosition } from './diagnostic';
export { expressionName } from './expressionName';
export * as ast from './ast';
export { isDuckDbDialect, isSupportedDialect, supportedDialects, transpileToDuckDb, type TranspiledSql } from './dialect';
