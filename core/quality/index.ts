// Audits and model unit tests in SQLMesh's formats, run on DuckDB.

export * from './types';
export { parseAuditFile, inlineAudits, discoverAudits, type AuditParseOptions } from './auditFile';
export { resolveAudits, type ResolveAuditsOptions, type ResolvedAudits } from './resolveAudits';
export { auditQuery, relationSql, type AuditQuery, type AuditRenderContext } from './auditQuery';
export { runAudits, type RunAuditsOptions } from './runAudits';
export { BUILTIN_AUDITS, lookupBuiltin } from './builtinAudits';
export { parseTestFile, discoverTests, listTestFiles } from './testFile';
export { runUnitTest, runUnitTests, indexModels, TestSandbox, type RunUnitTestOptions, type RunUnitTestsOptions } from './unitTest';
export { compareRows, formatRowDiff, type RowComparison } from './rowDiff';
