// SCD type 2 models: the table keeps every version of each row, with the time it became valid (valid_from)
// and the time it stopped being valid (valid_to, NULL while it is current). Each batch compares the query's
// rows with the current versions by unique key, as SQLMesh does:
// - SCD_TYPE_2_BY_TIME: a row whose updated_at is later than its current version's closes that version at
//   the new updated_at and opens a new one from it;
// - SCD_TYPE_2_BY_COLUMN: a row whose compared columns differ closes its current version at the execution
//   time (or at its updated_at_name column) and opens a new one from then;
// - a key the query no longer returns keeps its current version open, or with invalidate_hard_deletes has it
//   closed at the execution time;
// - a key without a current version is opened: from 1970-01-01 (by time: from updated_at with
//   updated_at_as_valid_from; by column: from the execution time after the first load, or always with
//   execution_time_as_valid_from), and a key coming back after it was closed never before its last valid_to.
// Earlier versions are never touched. The caller runs this inside the batch's transaction.

import { validityColumns, type Scd2Kind } from '../models/scd2';
import { checkedType } from '../quality/fixtures';
import type { Warehouse } from '../warehouse/connection';
import { quoteIdent, quoteLiteral } from '../warehouse/quote';
import { changedRows, keyColumns } from './dml';
import { physicalSql } from './names';
import type { SnapshotRecord } from './types';

const EPOCH = '1970-01-01 00:00:00';

/** Its kind, for a record known to be SCD type 2. */
function scd2Kind(record: SnapshotRecord): Scd2Kind {
  return record.kind as Scd2Kind;
}

/** The type of the validity columns, checked before it goes into SQL. */
function timeType(record: SnapshotRecord): string {
  return checkedType(scd2Kind(record).timeDataType, `model ${record.name} (${record.file}), time_data_type`);
}

/**
 * The SELECT that gives a new SCD type 2 table its shape: the query's columns (updated_at in the time type)
 * and the two validity columns, without rows.
 */
export function scd2TableShape(record: SnapshotRecord, query: string): string {
  const kind = scd2Kind(record);
  const type = timeType(record);
  const validity = validityColumns(kind).map((c) => `CAST(NULL AS ${type}) AS ${quoteIdent(c.name)}`);
  return `SELECT ${sourceColumns(kind, type)}, ${validity.join(', ')} FROM (${query}) AS q LIMIT 0`;
}

/** The query's columns, with by-time's updated_at cast to the time type (it is compared with valid_to). */
function sourceColumns(kind: Scd2Kind, type: string): string {
  return kind.name === 'SCD_TYPE_2_BY_TIME' ? `q.* REPLACE (CAST(q.${quoteIdent(kind.updatedAtName)} AS ${type}) AS ${quoteIdent(kind.updatedAtName)})` : 'q.*';
}

export interface Scd2Batch {
  /** The execution time (ms): when deletes are closed, and by column when changes happen. */
  executionTimeMs: number;
  /** No batch of this table ran yet: by column, new rows then start at 1970-01-01. */
  first: boolean;
}

/** Applies one batch of the model's query to its table; returns how many versions were closed or opened. */
export async function applyScd2Batch(wh: Warehouse, record: SnapshotRecord, query: string, batch: Scd2Batch): Promise<number> {
  const kind = scd2Kind(record);
  const type = timeType(record);
  const keys = keyColumns(record.name, kind.uniqueKey, 'matches SCD type 2 rows');
  const target = physicalSql(record.name, record.version);
  const stage = quoteIdent(`sluice_scd2_${record.version.slice(0, 12)}`);
  const from = quoteIdent(kind.validFromName);
  const to = quoteIdent(kind.validToName);
  const at = (sql: string) => `CAST(CAST(${sql} AS TIMESTAMP) AS ${type})`;
  // The execution time is formatted here, not taken from input: a literal is safe, and keeps parameters out of statements that do not need them.
  const executionTime = at(quoteLiteral(new Date(batch.executionTimeMs).toISOString().replace('T', ' ').replace('Z', '')));
  const sameKey = (a: string, b: string) => keys.map((k) => `${a}.${quoteIdent(k)} IS NOT DISTINCT FROM ${b}.${quoteIdent(k)}`).join(' AND ');
  const partition = keys.map(quoteIdent).join(', ');
  const updatedAt = kind.updatedAtName === undefined ? undefined : `s.${quoteIdent(kind.updatedAtName)}`;

  // One row per key: with duplicates, the one updated last.
  const latestFirst = kind.updatedAtName === undefined ? '' : ` ORDER BY q.${quoteIdent(kind.updatedAtName)} DESC NULLS LAST`;
  await wh.run(`CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT ${sourceColumns(kind, type)} FROM (${query}) AS q QUALIFY row_number() OVER (PARTITION BY ${keys.map((k) => `q.${quoteIdent(k)}`).join(', ')}${latestFirst}) = 1`);
  let changed: string;
  let changedAt: string;
  let opensFrom: string;
  if (kind.name === 'SCD_TYPE_2_BY_TIME') {
    changed = `${updatedAt} > t.${quoteIdent(kind.updatedAtName)}`;
    changedAt = updatedAt!;
    // A key seen before (closed now or earlier) reopens at its updated_at, never before its last valid_to.
    opensFrom = `CASE WHEN h.last_to IS NOT NULL THEN greatest(h.last_to, ${updatedAt}) ELSE ${kind.updatedAtAsValidFrom ? updatedAt : at(quoteLiteral(EPOCH))} END`;
  } else {
    const compared = kind.columns === '*' ? await stageColumns(wh, stage) : kind.columns;
    changed = `(${compared.map((c) => `t.${quoteIdent(c)} IS DISTINCT FROM s.${quoteIdent(c)}`).join(' OR ')})`;
    changedAt = updatedAt ? at(updatedAt) : executionTime;
    opensFrom = batch.first && !kind.executionTimeAsValidFrom ? `CASE WHEN h.last_to IS NOT NULL THEN ${changedAt} ELSE ${at(quoteLiteral(EPOCH))} END` : changedAt;
  }
  let count = 0;
  // Close the current versions of changed keys...
  count += changedRows(await wh.json(`UPDATE ${target} AS t SET ${to} = ${changedAt} FROM ${stage} AS s WHERE t.${to} IS NULL AND ${sameKey('t', 's')} AND ${changed}`));
  // ...and of keys the query no longer returns, when deletes count.
  if (kind.invalidateHardDeletes) {
    count += changedRows(await wh.json(`UPDATE ${target} AS t SET ${to} = ${executionTime} WHERE t.${to} IS NULL AND NOT EXISTS (SELECT 1 FROM ${stage} AS s WHERE ${sameKey('t', 's')})`));
  }
  // Open a version for every key left without a current one: new, changed, or back after a delete.
  const history = `SELECT ${partition}, max(${to}) AS last_to FROM ${target} GROUP BY ${partition}`;
  count += changedRows(await wh.json(
    `INSERT INTO ${target} BY NAME SELECT s.*, ${opensFrom} AS ${from}, CAST(NULL AS ${type}) AS ${to} FROM ${stage} AS s LEFT JOIN (${history}) AS h ON ${sameKey('h', 's')}
     WHERE NOT EXISTS (SELECT 1 FROM ${target} AS c WHERE c.${to} IS NULL AND ${sameKey('c', 's')})`,
  ));
  // On failure the transaction's rollback removes the staging table with everything else.
  await wh.run(`DROP TABLE ${stage}`);
  return count;
}

/** The column names of the staged query rows (for columns '*'). */
async function stageColumns(wh: Warehouse, stage: string): Promise<string[]> {
  return (await wh.json(`DESCRIBE ${stage}`)).map((r) => String(r.column_name));
}
