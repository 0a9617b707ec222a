// Turns a resolved audit into the SQL to run against one relation. User audits are rendered with the model
// layer's macro renderer (their arguments become macro variables, @this_model the audited table); built-ins
// are assembled from quoted identifiers and the author's expressions, which are rendered on their own so
// macros such as @start_ds work there too while identifiers never pass through macro expansion.

import { renderQuery, type RenderContext } from '../models/render';
import type { ParsedModel } from '../models/types';
import { qualified, quoteIdent } from '../warehouse/quote';
import { buildBuiltinQuery, type AuditPieces } from './builtinAudits';
import { FILE_START } from './positions';
import type { AuditRelation, AuditSpec, BuiltinAuditSpec, QualityDiagnostic } from './types';

/** Times and variables for macros in audits; @this_model always becomes the audited relation. */
export type AuditRenderContext = Omit<RenderContext, 'thisModel'>;

export interface AuditQuery {
  sql: string;
  /** Macro problems; when there are errors the SQL is not meant to be run. */
  diagnostics: QualityDiagnostic[];
}

export function relationParts(relation: AuditRelation): string[] {
  return relation.catalog ? [relation.catalog, relation.schema, relation.table] : [relation.schema, relation.table];
}

export function relationSql(relation: AuditRelation): string {
  const table = qualified(relation.schema, relation.table);
  return relation.catalog ? `${quoteIdent(relation.catalog)}.${table}` : table;
}

export function auditQuery(spec: AuditSpec, relation: AuditRelation, context: AuditRenderContext = {}): AuditQuery {
  if (spec.source === 'builtin') return builtinQuery(spec, relation, context);
  const parsed = syntheticModel(spec.file, spec.query, spec.variables, spec.queryStart);
  const rendered = renderQuery(parsed, { ...context, thisModel: relationParts(relation) });
  return { sql: rendered.sql, diagnostics: rendered.diagnostics };
}

function builtinQuery(spec: BuiltinAuditSpec, relation: AuditRelation, context: AuditRenderContext): AuditQuery {
  const diagnostics: QualityDiagnostic[] = [];
  const file = spec.modelFile ?? '';
  const render = (sql: string): string => {
    // Most arguments hold no macro at all; only those that do go through the renderer.
    if (!sql.includes('@')) return sql;
    const rendered = renderQuery(syntheticModel(file, sql, {}, FILE_START), { ...context, thisModel: relationParts(relation) });
    diagnostics.push(...rendered.diagnostics.map((d) => ({ ...d, message: `${spec.label}: ${d.message}` })));
    return rendered.sql;
  };
  const arg = (name: string) => (Object.hasOwn(spec.args, name) ? spec.args[name] : undefined);
  const pieces: AuditPieces = {
    relation: relationSql(relation),
    ids: (name) => {
      const a = arg(name);
      return a?.kind === 'identifiers' ? a.sql : [];
    },
    expr: (name) => {
      const a = arg(name);
      return a?.kind === 'expression' ? render(a.sql) : undefined;
    },
    list: (name) => {
      const a = arg(name);
      return a?.kind === 'list' ? a.sql.map(render) : [];
    },
    flag: (name, fallback) => {
      const a = arg(name);
      return a?.kind === 'flag' ? a.value : fallback;
    },
    condition: 'TRUE',
  };
  pieces.condition = pieces.expr('condition') ?? 'TRUE';
  return { sql: buildBuiltinQuery(spec.builtin, pieces), diagnostics };
}

/** A query dressed as a model so the model layer's renderer can expand its macros. */
function syntheticModel(file: string, query: string, defs: Record<string, string>, queryStart: ParsedModel['queryStart']): ParsedModel {
  return { file, defs, defLocations: {}, query, queryStart, statements: [], diagnostics: [] };
}
