// merge with the delete-insert and upsert strategies. Both end with exactly one row per primary key:
// matching target rows (and their child rows) are deleted, then the load's last row per key is inserted
// with its own child rows.
//
// Only the keys and row ids of the load's root rows are staged; the rows go from the part files into the
// target as an append's do. Each step is one hash join or one scan (EXPLAIN ANALYZE: key matches with IS
// NOT DISTINCT FROM become SEMI or MARK hash joins), and no statement run per part joins against the
// whole load: the part files are filtered only when de-duplication dropped rows, and then against the
// dropped row ids alone.

import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import { quoteIdent } from '../../warehouse/quote';
import { ROOT_ID, ROW_ID } from './columns';
import type { FamilyLoad } from './familyLoad';
import { appendFamily } from './append';
import { partColumnNames, partRef } from './parts';
import { exec, keyMatch, scratchTable } from './sql';
import { dropStaging, dropScratch, stageRoots, type StagedRoots } from './stage';

const DELETED = '__sluice_deleted_roots';

export async function mergeDeleteInsert(load: FamilyLoad, strategy: 'delete-insert' | 'upsert'): Promise<void> {
  const { root } = load;
  const primaryKey = root.columns.filter((c) => c.primaryKey).map((c) => c.name);
  const mergeKey = strategy === 'upsert' ? [] : root.columns.filter((c) => c.mergeKey).map((c) => c.name);
  if (strategy === 'upsert' && primaryKey.length === 0) {
    throw new SluiceError(`resource "${root.resource}" (table "${root.name}") uses merge strategy upsert but has no primary key`);
  }
  // Without any key there is nothing to match on: the rows are appended (documented behaviour).
  if (primaryKey.length === 0 && mergeKey.length === 0) return appendFamily(load);
  if (!load.hasRows(root)) return;
  for (const child of load.family.children) requireRootIdInParts(load, child);

  const rowId = load.column(root, ROW_ID);
  const staged = await stageRoots(load, distinctNames([...primaryKey, ...mergeKey, ...(rowId ? [rowId] : [])]), { by: primaryKey, rowId });
  await deleteMatching(load, staged.stage, [primaryKey, mergeKey].filter((keys) => keys.length > 0));
  await insertLastRows(load, staged);
  await dropStaging(load);
}

/** Deletes the target rows whose primary key or merge key matches a staged row, and their child rows. */
async function deleteMatching(load: FamilyLoad, stage: string, keySets: string[][]): Promise<void> {
  const { wh, root } = load;
  const matches = keySets.map((keys) => `EXISTS (SELECT 1 FROM ${stage} AS s WHERE ${keyMatch(keys, 't', 's')})`).join(' OR ');
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
