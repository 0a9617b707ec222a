// merge with the delete-insert and upsert strategies. Both end with exactly one row per primary key:
// matching target rows (and their child rows) are deleted, then the load's last row per key is inserted
// with its own child rows.

import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import { quoteIdent } from '../../warehouse/quote';
import { ROOT_ID, ROW_ID } from './columns';
import type { FamilyLoad } from './familyLoad';
import { appendFamily } from './append';
import { partColumnNames, partRef } from './parts';
import { columnList, exec, keyMatch, scratchTable } from './sql';
import { dropStaging, dropScratch, stageRoots } from './stage';

const DELETED = '__sluice_deleted_roots';

export async function mergeDeleteInsert(load: FamilyLoad, strategy: 'delete-insert' | 'upsert'): Promise<void> {
  const { wh, root } = load;
  const primaryKey = root.columns.filter((c) => c.primaryKey).map((c) => c.name);
  const mergeKey = strategy === 'upsert' ? [] : root.columns.filter((c) => c.mergeKey).map((c) => c.name);
  if (strategy === 'upsert' && primaryKey.length === 0) {
    throw new SluiceError(`resource "${root.resource}" (table "${root.name}") uses merge strategy upsert but has no primary key`);
  }
  // Without any key there is nothing to match on: the rows are appended (documented behaviour).
  if (primaryKey.length === 0 && mergeKey.length === 0) return appendFamily(load);
  if (!load.hasRows(root)) return;

  const roots = await stageRoots(load, primaryKey.length > 0 ? primaryKey : undefined);
  const matches = [primaryKey, mergeKey]
    .filter((keys) => keys.length > 0)
    .map((keys) => `EXISTS (SELECT 1 FROM ${roots} AS s WHERE ${keyMatch(keys, 't', 's')})`)
    .join(' OR ');

  const rowId = load.family.children.length > 0 ? load.requireColumn(root, ROW_ID, 'links child rows to their root') : '';
  if (load.family.children.length > 0) {
    await exec(
      wh,
      `CREATE OR REPLACE TABLE ${scratchTable(DELETED)} AS
       SELECT t.${quoteIdent(rowId)} AS id FROM ${load.target(root)} AS t WHERE ${matches}`,
    );
    for (const child of load.family.children) {
      const rootId = load.requireColumn(child, ROOT_ID, 'links child rows to their root');
      await exec(wh, `DELETE FROM ${load.target(child)} WHERE ${quoteIdent(rootId)} IN (SELECT id FROM ${scratchTable(DELETED)})`);
    }
    await dropScratch(load, DELETED);
  }
  await exec(wh, `DELETE FROM ${load.target(root)} AS t WHERE ${matches}`);

  const names = columnList(load.columns(root));
  load.count(root, await exec(wh, `INSERT INTO ${load.target(root)} (${names}) SELECT ${names} FROM ${roots}`));

  // Only child rows of roots that survived de-duplication are kept.
  for (const child of load.family.children) {
    requireRootIdInParts(load, child);
    load.count(child, await load.insertParts(child, { where: `${partRef(ROOT_ID)} IN (SELECT ${quoteIdent(rowId)} FROM ${roots})` }));
  }
  await dropStaging(load);
}

export function requireRootIdInParts(load: FamilyLoad, table: TableSchema): void {
  for (const part of load.parts(table)) {
    if (!partColumnNames(part).includes(ROOT_ID)) {
      throw new SluiceError(`part ${part.file} of child table "${table.name}" has no ${ROOT_ID} column; its rows cannot be matched to their root`);
    }
  }
}
