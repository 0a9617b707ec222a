// merge with the delete-insert and upsert strategies. Both end with exactly one row per primary key:
// matching target rows (and their child rows) are deleted, then the load's last row per key is inserted
// with its own child rows.
//
// Only the keys and row ids of the load's root rows are staged; the rows go from the part files into the
// target as an append's do. Each step is one hash join or one scan (EXPLAIN ANALYZE: key matches with IS
// NOT DISTINCT FROM become SEMI or MARK hash joins), and no statement run per part joins against the
// whole load: the part files are filtered only when de-duplication dropped rows, and then against the
// dropped row ids alone.
//
// Large merge loads go in while the source runs (see LoadSession): their rows are then in the target
// before the keys are known, and mergeAfterEarlyRows finishes the merge from the target itself.

import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import { quoteIdent, quoteLiteral } from '../../warehouse/quote';
import { LOAD_ID, ROOT_ID, ROW_ID } from './columns';
import type { FamilyLoad } from './familyLoad';
import { appendFamily } from './append';
import { partColumnNames, partRef } from './parts';
import { columnList, exec, keyMatch, scratchTable } from './sql';
import { dropStaging, dropScratch, stageRoots, type StagedRoots } from './stage';

const DELETED = '__sluice_deleted_roots';
const STAGE_KEYS = '__sluice_stage_keys';
const DROPPED_ROWS = '__sluice_dropped_rows';

export async function mergeDeleteInsert(load: FamilyLoad, strategy: 'delete-insert' | 'upsert'): Promise<void> {
  const { root } = load;
  const primaryKey = root.columns.filter((c) => c.primaryKey).map((c) => c.name);
  const mergeKey = strategy === 'upsert' ? [] : root.columns.filter((c) => c.mergeKey).map((c) => c.name);
  if (strategy === 'upsert' && primaryKey.length === 0) {
    throw new SluiceError(`resource "${root.resource}" (table "${root.name}") uses merge strategy upsert but has no primary key`);
  }
  // Without any key there is nothing to match on: the rows are appended (documented behaviour).
  if (primaryKey.length === 0 && mergeKey.length === 0) return appendFamily(load);
  if (load.tables.some((t) => load.hasEarlyRows(t))) return mergeAfterEarlyRows(load, primaryKey, [primaryKey, mergeKey].filter((keys) => keys.length > 0));
  if (!load.hasRows(root)) return;
  for (const child of load.family.children) requireRootIdInParts(load, child);

  const rowId = load.column(root, ROW_ID);
  const staged = await stageRoots(load, distinctNames([...primaryKey, ...mergeKey, ...(rowId ? [rowId] : [])]), { by: primaryKey, rowId });
  await deleteMatching(load, staged.stage, [primaryKey, mergeKey].filter((keys) => keys.length > 0));
  await insertLastRows(load, staged);
  await dropStaging(load);
}

/**
 * Whether a merge table's parts may go into the target while the source runs. The rows of this load are
 * then told from older ones by their load id, and their order (the last row of a repeated key wins) by
 * their integer row ids, which the normalizer hands out in item order. scd2 compares whole snapshots and
 * text row ids do not sort in item order: those load at the end.
 */
export function mergesAfterEarlyRows(table: TableSchema): boolean {
  if (table.writeDisposition !== 'merge' || table.mergeStrategy === 'scd2') return false;
  const type = (name: string) => table.columns.find((c) => c.name === name)?.dataType;
  if (type(ROW_ID) !== 'bigint') return false;
  return table.parent === undefined ? type(LOAD_ID) === 'text' : type(ROOT_ID) === 'bigint';
}

/**
 * Finishes a merge whose first parts went into the target while the source ran: the remaining parts go in
 * the same way, then the earlier rows of a key repeated within the load, and the older rows the load's
 * keys match, are deleted with their child rows. The result is the same as mergeDeleteInsert's.
 */
async function mergeAfterEarlyRows(load: FamilyLoad, primaryKey: string[], keySets: string[][]): Promise<void> {
  const { wh, root } = load;
  for (const table of load.tables) {
    if (!mergesAfterEarlyRows(table)) throw new Error(`table "${table.name}" was loaded early, but cannot be merged from the target`);
    if (table !== root) requireRootIdInParts(load, table);
    load.count(table, await load.insertParts(table));
  }
  const loadId = load.requireColumn(root, LOAD_ID, 'tells the rows of this load');
  const rowId = load.requireColumn(root, ROW_ID, 'orders the rows of this load');
  // The load id is Sluice's own (a time and random hex), quoted as a literal.
  const ours = `${quoteIdent(loadId)} = ${quoteLiteral(load.manifest.loadId)}`;
  const older = (alias: string) => `${alias}.${quoteIdent(loadId)} IS DISTINCT FROM ${quoteLiteral(load.manifest.loadId)}`;
  if (primaryKey.length > 0) await dropRepeatedKeys(load, primaryKey, rowId, ours);
  // A target that held nothing before this load (a first run) has nothing to match.
  const [{ found }] = await wh.all<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${load.target(root)} AS t WHERE ${older('t')}) AS found`);
  if (!found) return;
  const stage = scratchTable(STAGE_KEYS);
  const keys = distinctNames(keySets.flat());
  await exec(wh, `CREATE OR REPLACE TABLE ${stage} AS SELECT ${columnList(keys)} FROM ${load.target(root)} WHERE ${ours}`);
  await deleteMatching(load, stage, keySets, older('t'));
  await dropScratch(load, STAGE_KEYS);
}

/** Deletes this load's rows of a key that repeats in it, all but the last (the highest row id), and their child rows. */
async function dropRepeatedKeys(load: FamilyLoad, keys: string[], rowId: string, ours: string): Promise<void> {
  const { wh, root } = load;
  const dropped = scratchTable(DROPPED_ROWS);
  const id = quoteIdent(rowId);
  await exec(wh, `CREATE OR REPLACE TABLE ${dropped} AS SELECT ${id} AS "id" FROM ${load.target(root)} LIMIT 0`);
  const repeated = await exec(wh, `INSERT INTO ${dropped} SELECT ${id} FROM ${load.target(root)} WHERE ${ours}
     QUALIFY row_number() OVER (PARTITION BY ${columnList(keys)} ORDER BY ${id} DESC) > 1`);
  if (repeated > 0) {
    const [{ distinct }] = await wh.all<{ distinct: boolean }>(`SELECT count(DISTINCT ${id}) = count(*) AS "distinct" FROM ${load.target(root)} WHERE ${ours}`);
    if (!distinct) {
      throw new SluiceError(
        `table "${load.source}"."${root.name}" gets several rows with the same primary key, and their ${ROW_ID} values ` +
          `repeat, so the last of them cannot be told apart from the others`,
      );
    }
    for (const child of load.family.children) {
      const rootId = quoteIdent(load.requireColumn(child, ROOT_ID, 'links child rows to their root'));
      load.count(child, -(await exec(wh, `DELETE FROM ${load.target(child)} WHERE ${rootId} IN (SELECT "id" FROM ${dropped})`)));
    }
    load.count(root, -(await exec(wh, `DELETE FROM ${load.target(root)} WHERE ${ours} AND ${id} IN (SELECT "id" FROM ${dropped})`)));
  }
  await dropScratch(load, DROPPED_ROWS);
}

/**
 * Deletes the target rows whose primary key or merge key matches a staged row, and their child rows;
 * `only`, a condition on the target's alias `t`, limits the rows that may be deleted.
 */
async function deleteMatching(load: FamilyLoad, stage: string, keySets: string[][], only?: string): Promise<void> {
  const { wh, root } = load;
  const anyMatch = keySets.map((keys) => `EXISTS (SELECT 1 FROM ${stage} AS s WHERE ${keyMatch(keys, 't', 's')})`).join(' OR ');
  const matches = only === undefined ? anyMatch : `${only} AND (${anyMatch})`;
  if (load.family.children.length > 0) {
    const rowId = load.requireColumn(root, ROW_ID, 'links child rows to their root');
    const deleted = scratchTable(DELETED);
    await exec(wh, `CREATE OR REPLACE TABLE ${deleted} AS SELECT t.${quoteIdent(rowId)} AS id FROM ${load.target(root)} AS t WHERE ${matches}`);
    for (const child of load.family.children) {
      const rootId = load.requireColumn(child, ROOT_ID, 'links child rows to their root');
      await exec(wh, `DELETE FROM ${load.target(child)} WHERE ${quoteIdent(rootId)} IN (SELECT id FROM ${deleted})`);
    }
    await dropScratch(load, DELETED);
  }
  await exec(wh, `DELETE FROM ${load.target(root)} AS t WHERE ${matches}`);
}

/** Inserts every root and child row from the part files, except the rows (and child rows) of dropped duplicates. */
async function insertLastRows(load: FamilyLoad, staged: StagedRoots): Promise<void> {
  const kept = (column: string) => (staged.dropped ? `${partRef(column)} NOT IN (SELECT "id" FROM ${staged.dropped})` : undefined);
  load.count(load.root, await load.insertParts(load.root, { where: kept(ROW_ID) }));
  for (const child of load.family.children) load.count(child, await load.insertParts(child, { where: kept(ROOT_ID) }));
}

export function requireRootIdInParts(load: FamilyLoad, table: TableSchema): void {
  for (const part of load.parts(table)) {
    if (!partColumnNames(part).includes(ROOT_ID)) {
      throw new SluiceError(`part ${part.file} of child table "${table.name}" has no ${ROOT_ID} column; its rows cannot be matched to their root`);
    }
  }
}

/** Names without repeats, compared case-insensitively as DuckDB compares identifiers. */
function distinctNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase()));
}
