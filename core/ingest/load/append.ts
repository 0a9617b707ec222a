// append (and the insert half of replace): every part of every table of the family goes in as is.

import type { FamilyLoad } from './familyLoad';

export async function appendFamily(load: FamilyLoad): Promise<void> {
  for (const table of load.tables) load.count(table, await load.insertParts(table));
}
