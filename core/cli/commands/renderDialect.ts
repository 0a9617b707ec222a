// The output of `sluice render`: the model's rendered query in DuckDB's dialect (what apply runs), or printed
// for another engine with `--dialect`. Constructs that cannot be rendered are `file:line:col: message` and exit 1.

import * as path from 'node:path';
import { modelOptionsOf, ModelProject } from '../../dag/project';
import { tableKey } from '../../dag/names';
import type { ProjectDiagnostic } from '../../dag/types';
import { isTargetDialect, renderModelInDialect, TARGET_DIALECTS, type TargetDialect } from '../../dialect';
import type { RenderedQuery } from '../../models/render';
import { translateRendered } from '../../models/translate';
import type { ParsedModel } from '../../models/types';
import type { Project } from '../../project/config';
import { closeSqlParser } from '../../sql/duckdbParser';
import { CliFailure, printJson } from '../output';
import { reportDiagnostics } from './models';

export function renderDialect(name: string | undefined): TargetDialect {
  const dialect = (name ?? 'duckdb').trim().toLowerCase();
  if (!isTargetDialect(dialect)) throw new CliFailure(`unknown dialect ${name}: use one of ${TARGET_DIALECTS.join(', ')}`, 2);
  return dialect;
}

export async function printRendered(project: Project, model: ParsedModel, rendered: RenderedQuery, dialect: TargetDialect, json: boolean): Promise<void> {
  const name = model.definition?.name ?? model.file;
  let diagnostics: ProjectDiagnostic[] = rendered.diagnostics.filter((d) => d.severity === 'error');
  let sql: string | undefined = diagnostics.length > 0 ? undefined : rendered.sql;
  if (sql !== undefined && dialect === 'duckdb') {
    // A model written in another dialect: its DuckDB translation is what apply runs.
    const translated = translateRendered(rendered, model.definition?.dialect, model.file);
    diagnostics = translated.diagnostics.filter((d) => d.severity === 'error');
    sql = diagnostics.length > 0 ? undefined : translated.rendered.sql;
  } else if (sql !== undefined) {
    try {
      // The project's tables and models give the columns a star stands for where the dialect must spell it out.
      const models = await ModelProject.load(project.dir, await modelOptionsOf(project));
      const columnsOf = (parts: readonly string[]) => models.table(tableKey(parts))?.columns?.map((c) => c.name);
      const result = await renderModelInDialect(model, rendered, dialect, { columnsOf });
      sql = result.sql;
      diagnostics = result.diagnostics;
    } finally {
      await closeSqlParser();
    }
  }
  if (json) {
    printJson({
      model: name,
      dialect,
      sql: sql ?? null,
      diagnostics: diagnostics.map((d) => ({ file: path.relative(project.dir, d.file).split(path.sep).join('/'), line: d.start.line, column: d.start.column, severity: d.severity, message: d.message })),
    });
  } else reportDiagnostics(diagnostics);
  if (sql === undefined) throw new CliFailure(`cannot render ${name}${dialect === 'duckdb' ? '' : ` for ${dialect}`}`, 1);
  if (!json) process.stdout.write(sql.endsWith('\n') ? sql : `${sql}\n`);
}
