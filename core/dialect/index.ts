export { transpile, transpileParsed } from './transpile';
export { isTargetDialect, TARGET_DIALECTS, type DialectProblem, type TargetDialect, type TranspileOptions, type TranspileResult } from './types';
export { renderModelInDialect, type ModelInDialect } from './model';
