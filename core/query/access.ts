// How a query reaches the warehouse without holding writers out for longer than it runs.
// - 'read-only': the file is opened read-only when no writer holds it, else a snapshot copy is read (a
//   short query from the command line: it ends within moments, and a writer that comes meanwhile waits
//   for it as for any reader, within its lock_wait).
// - 'snapshot': always a private copy (results that stay open while someone pages through them).

import fs from 'node:fs';
import { SluiceError } from '../errors';
import type { Warehouse } from '../warehouse/connection';
import { leaseSnapshot, openReadOnlyUnlessWritten, type SnapshotOptions } from './snapshot';
import type { QueryAccess } from './types';

export interface QueryConnection {
  warehouse: Warehouse;
  access: QueryAccess;
  release(): void;
}

export interface AccessOptions extends SnapshotOptions {
  prefer: QueryAccess;
}

export async function openForQuery(warehousePath: string, options: AccessOptions): Promise<QueryConnection> {
  if (!fs.existsSync(warehousePath)) throw new SluiceError(`there is no warehouse yet (${warehousePath}): run sluice ingest or sluice apply first`);
  if (options.prefer === 'read-only' && !options.writerInProcess) {
    const direct = await openReadOnlyUnlessWritten(warehousePath);
    if (direct) return prepared({ warehouse: direct, access: 'read-only', release: () => direct.close() });
  }
  const lease = await leaseSnapshot(warehousePath, options);
  return prepared({ warehouse: lease.warehouse, access: 'snapshot', release: lease.release });
}

/** Errors name their type and position (see queryError.ts). */
async function prepared(connection: QueryConnection): Promise<QueryConnection> {
  try {
    await connection.warehouse.run('SET errors_as_json = true');
    return connection;
  } catch (err) {
    connection.release();
    throw err;
  }
}
