// Stages a family's incoming root rows in a scratch table shaped like the target, optionally keeping
// only the last occurrence of each key (file order, via the scratch table's insertion order).

import { quoteIdent } from '../../warehouse/quote';
import type { FamilyLoad } from './familyLoad';
import { columnList, exec, scratchTable, withInsertionOrder } from './sql';

const STAGE = '__sluice_stage';

/** Returns the scratch table holding the root rows to merge. */
export async function stageRoots(load: FamilyLoad, dedupeBy: readonly string[] | undefined): Promise<string> {
  const { wh, root } = load;
  const columns = load.columns(root);
  const names = columnList(columns);
  const stage = scratchTable(STAGE);
  await exec(wh, `CREATE OR REPLACE TABLE ${stage} AS SELECT ${names} FROM ${load.target(root)} LIMIT 0`);
  // The dedupe below reads file order from rowid: this insert must keep it.
  await withInsertionOrder(wh, true, () => load.insertParts(root, { target: stage }));
  if (!dedupeBy || dedupeBy.length === 0) return stage;

  // rowid follows insertion order (DuckDB preserves it for INSERT ... SELECT), so the highest rowid per
  // key is the row that came last; the others are deleted in place. The window only sees the key and
  // rowid, not whole rows, and rowid is copied into a plain column first: window functions over the
  // rowid pseudo-column directly are not reliable in DuckDB.
  const seq = quoteIdent(unusedName('_sluice_seq', columns));
  const keys = columnList(dedupeBy);
  await exec(
    wh,
    `DELETE FROM ${stage} WHERE rowid IN (
       SELECT ${seq} FROM (SELECT ${keys}, rowid AS ${seq} FROM ${stage})
       QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${seq} DESC) > 1)`,
  );
  return stage;
}

export async function dropStaging(load: FamilyLoad): Promise<void> {
  await dropScratch(load, STAGE);
}

export async function dropScratch(load: FamilyLoad, name: string): Promise<void> {
  await exec(load.wh, `DROP TABLE IF EXISTS ${scratchTable(name)}`);
}

function unusedName(base: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  let name = base;
  while (lower.has(name.toLowerCase())) name += '_';
  return name;
}
