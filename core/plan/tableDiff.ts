// `sluice diff ENV_A:ENV_B MODEL`: how a model's data differs between two environments: the schema diff,
// row counts, rows only on one side (over the columns both have), and, on the model's grain, how many
// rows match per column.

import { SluiceError } from '../errors';
import type { EngineConnection } from '../engine';
import { qualified, quoteIdent } from '../warehouse/quote';
import { viewRelation } from './names';

export interface DiffSide {
  environment: string;
  relation: string;
  rows: number;
}

export interface ColumnMatch {
  column: string;
  /** Share of rows joined on the grain whose values are equal (nulls equal nulls); 1 when none joined. */
  matchRate: number;
  mismatched: number;
}

export interface TableDiff {
  model: string;
  left: DiffSide;
  right: DiffSide;
  schema: {
    /** In the right side only. */
    added: { column: string; type: string }[];
    /** In the left side only. */
    removed: { column: string; type: string }[];
    retyped: { column: string; from: string; to: string }[];
  };
  /** Rows (over the shared, same-typed columns) only in the left side, with a sample. */
  onlyLeft: { count: number; sample: Record<string, unknown>[] };
  onlyRight: { count: number; sample: Record<string, unknown>[] };
  /** Present when a grain is known. */
  grain?: {
    columns: string[];
    joined: number;
    leftOnly: number;
    rightOnly: number;
    columnsCompared: ColumnMatch[];
  };
}

export interface TableDiffOptions {
  /** Columns identifying a row; default none (no per-column comparison). */
  grain?: readonly string[];
  /** Sample size of one-sided rows. Default 5. */
  limit?: number;
}

export async function diffEnvironments(wh: EngineConnection, model: string, left: string, right: string, options: TableDiffOptions = {}): Promise<TableDiff> {
  const limit = Math.max(0, Math.trunc(options.limit ?? 5));
  const l = viewRelation(model, left);
  const r = viewRelation(model, right);
  const [lc, rc] = [await columnsOf(wh, l, model, left), await columnsOf(wh, r, model, right)];
  const lSql = qualified(l.schema, l.table);
  const rSql = qualified(r.schema, r.table);
  const lTypes = new Map(lc.map((c) => [c.column, c.type]));
  const rTypes = new Map(rc.map((c) => [c.column, c.type]));
  const shared = lc.filter((c) => rTypes.get(c.column) === c.type).map((c) => c.column);
  const count = async (sql: string) => Number((await wh.json<{ n: number }>(`SELECT count(*) AS n FROM ${sql}`))[0].n);
  const list = shared.map(quoteIdent).join(', ');
  const oneSided = async (a: string, b: string) => {
    if (shared.length === 0) return { count: 0, sample: [] };
    // Ordered by every column by position: the same as DuckDB's ORDER BY ALL, in words every engine knows.
    const except = `(SELECT ${list} FROM ${a} EXCEPT ALL SELECT ${list} FROM ${b}) AS d`;
    return { count: await count(except), sample: limit > 0 ? await wh.json(`SELECT * FROM ${except} ORDER BY ${shared.map((_, i) => i + 1).join(', ')} LIMIT ${limit}`) : [] };
  };
  const diff: TableDiff = {
    model,
    left: { environment: left, relation: `${l.schema}.${l.table}`, rows: await count(lSql) },
    right: { environment: right, relation: `${r.schema}.${r.table}`, rows: await count(rSql) },
    schema: {
      added: rc.filter((c) => !lTypes.has(c.column)),
      removed: lc.filter((c) => !rTypes.has(c.column)),
      retyped: lc.filter((c) => rTypes.has(c.column) && rTypes.get(c.column) !== c.type).map((c) => ({ column: c.column, from: c.type, to: rTypes.get(c.column)! })),
    },
    onlyLeft: await oneSided(lSql, rSql),
    onlyRight: await oneSided(rSql, lSql),
  };
  const grain = (options.grain ?? []).map((g) => g.toLowerCase());
  if (grain.length > 0) {
    const missing = grain.filter((g) => !lTypes.has(g) || !rTypes.has(g));
    if (missing.length > 0) throw new SluiceError(`grain column ${missing.join(', ')} of ${model} is not in both environments`);
    diff.grain = await compareOnGrain(wh, lSql, rSql, grain, lc.map((c) => c.column).filter((c) => rTypes.has(c) && !grain.includes(c)));
  }
  return diff;
}

async function compareOnGrain(wh: EngineConnection, lSql: string, rSql: string, grain: string[], columns: string[]): Promise<NonNullable<TableDiff['grain']>> {
  const present = quoteIdent('__sluice_present');
  const on = grain.map((g) => `l.${quoteIdent(g)} = r.${quoteIdent(g)}`).join(' AND ');
  const both = `l.${present} AND r.${present}`;
  const measures = [
    `count(*) FILTER (WHERE ${both}) AS "joined"`,
    `count(*) FILTER (WHERE r.${present} IS NULL) AS "left_only"`,
    `count(*) FILTER (WHERE l.${present} IS NULL) AS "right_only"`,
    ...columns.map((c, i) => `count(*) FILTER (WHERE ${both} AND l.${quoteIdent(c)} IS NOT DISTINCT FROM r.${quoteIdent(c)}) AS "m${i}"`),
  ];
  const [row] = await wh.json<Record<string, number>>(
    `SELECT ${measures.join(', ')}
     FROM (SELECT *, true AS ${present} FROM ${lSql}) AS l FULL OUTER JOIN (SELECT *, true AS ${present} FROM ${rSql}) AS r ON ${on}`,
  );
  const joined = Number(row.joined);
  return {
    columns: grain,
    joined,
    leftOnly: Number(row.left_only),
    rightOnly: Number(row.right_only),
    columnsCompared: columns.map((column, i) => {
      const matched = Number(row[`m${i}`]);
      return { column, matchRate: joined === 0 ? 1 : matched / joined, mismatched: joined - matched };
    }),
  };
}

async function columnsOf(wh: EngineConnection, relation: { schema: string; table: string }, model: string, env: string): Promise<{ column: string; type: string }[]> {
  const rows = await wh.all<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_catalog = current_database() AND lower(table_schema) = $1 AND lower(table_name) = $2 ORDER BY ordinal_position`,
    [relation.schema, relation.table],
  );
  if (rows.length === 0) throw new SluiceError(`model ${model} has no view in environment ${env} (${relation.schema}.${relation.table}); apply it first: sluice apply ${env}`);
  return rows.map((r) => ({ column: r.column_name.toLowerCase(), type: r.data_type }));
}
