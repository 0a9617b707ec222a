// merge with the scd2 strategy: the package holds the full current snapshot of the resource, and root
// _sluice_id is a content hash. Current versions missing from the snapshot are closed at the load time;
// snapshot rows with no current version are inserted as new versions; unchanged rows are not touched.

import { quoteIdent } from '../../warehouse/quote';
import { ROOT_ID, ROW_ID, VALID_FROM, VALID_TO } from './columns';
import type { FamilyLoad } from './familyLoad';
import { requireRootIdInParts } from './merge';
import { partRef } from './parts';
import { columnList, exec, scratchTable } from './sql';
import { dropStaging, dropScratch, stageRoots } from './stage';

/** Row ids of the snapshot's new versions: those with no current version in the target. */
const FRESH = '__sluice_scd2_fresh';
const FRESH_ROWS = '__sluice_scd2_fresh_rows';
const FRESH_FOR_CHILD = '__sluice_scd2_fresh_child';

export async function mergeScd2(load: FamilyLoad): Promise<void> {
  const { wh, root } = load;
  // A run that produced no root rows is not taken as "everything was deleted" (a failed or empty fetch
  // would otherwise close every record).
  if (!load.hasRows(root)) return;
  const rowIdName = load.requireColumn(root, ROW_ID, 'scd2 compares row versions by');
  const rowId = quoteIdent(rowIdName);
  const validTo = quoteIdent(load.requireColumn(root, VALID_TO, 'scd2 records validity in'));
  const target = load.target(root);

  // Only the snapshot's row ids are staged to compare it with the current versions: whole rows are read
  // for the new versions alone, which after the first load are usually few.
  const { stage: snapshot } = await stageRoots(load, [rowIdName]);
  await exec(
    wh,
    `UPDATE ${target} AS t SET ${validTo} = CAST($1 AS TIMESTAMPTZ)
     WHERE t.${validTo} IS NULL AND NOT EXISTS (SELECT 1 FROM ${snapshot} AS s WHERE s.${rowId} = t.${rowId})`,
    [load.loadTime],
  );
  await exec(
    wh,
    `CREATE OR REPLACE TABLE ${scratchTable(FRESH)} AS
     SELECT DISTINCT s.${rowId} AS id FROM ${snapshot} AS s
     WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE t.${validTo} IS NULL AND t.${rowId} = s.${rowId})`,
  );
  load.count(root, await insertNewVersions(load, rowIdName));

  // Child rows follow new root versions only. A version that comes back after being closed shares its
  // content hash (and so its child rows) with the old version: those rows are not inserted twice.
  for (const child of load.family.children) {
    requireRootIdInParts(load, child);
    const rootId = quoteIdent(load.requireColumn(child, ROOT_ID, 'links child rows to their root'));
    await exec(
      wh,
      `CREATE OR REPLACE TABLE ${scratchTable(FRESH_FOR_CHILD)} AS
       SELECT f.id FROM ${scratchTable(FRESH)} AS f
       WHERE NOT EXISTS (SELECT 1 FROM ${load.target(child)} AS c WHERE c.${rootId} = f.id)`,
    );
    load.count(child, await load.insertParts(child, { where: `${partRef(ROOT_ID)} IN (SELECT id FROM ${scratchTable(FRESH_FOR_CHILD)})` }));
    await dropScratch(load, FRESH_FOR_CHILD);
  }
  await dropScratch(load, FRESH);
  await dropStaging(load);
}

/**
 * Inserts the new versions, valid from the load time. The same content twice in the snapshot has the same
 * row id and goes in once. Their rows are staged first, in any order: repeats are identical, so any of
 * them will do.
 */
async function insertNewVersions(load: FamilyLoad, rowIdName: string): Promise<number> {
  const { wh, root } = load;
  const rows = scratchTable(FRESH_ROWS);
  const columns = load.columns(root);
  await exec(wh, `CREATE OR REPLACE TABLE ${rows} AS SELECT ${columnList(columns)} FROM ${load.target(root)} LIMIT 0`);
  await load.insertParts(root, { target: rows, where: `${partRef(ROW_ID)} IN (SELECT id FROM ${scratchTable(FRESH)})` });
  const values = columns.map((c) => {
    const lower = c.toLowerCase();
    if (lower === VALID_FROM) return `CAST($1 AS TIMESTAMPTZ)`;
    if (lower === VALID_TO) return `CAST(NULL AS TIMESTAMPTZ)`;
    return quoteIdent(c);
  });
  const inserted = await exec(
    wh,
    `INSERT INTO ${load.target(root)} (${columnList(columns)})
     SELECT ${values.join(', ')} FROM ${rows} QUALIFY row_number() OVER (PARTITION BY ${quoteIdent(rowIdName)}) = 1`,
    [load.loadTime],
  );
  await dropScratch(load, FRESH_ROWS);
  return inserted;
}
