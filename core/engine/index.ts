// The adapter of a connection: the plan code receives the DuckDB Warehouse it always did, or an adapter of
// another engine, and asks this for the engine's way of doing what differs.

import { Warehouse } from '../warehouse/connection';
import { DuckDbAdapter } from './duckdb';
import type { EngineAdapter, EngineConnection } from './types';

export type { CatalogColumn, CatalogRelation, EngineAdapter, EngineConnection, EngineType, Relation, SqlSession, ViewDefinition } from './types';

const duckdbAdapters = new WeakMap<Warehouse, DuckDbAdapter>();

export function engineOf(connection: EngineConnection): EngineAdapter {
  if (!(connection instanceof Warehouse)) return connection;
  let adapter = duckdbAdapters.get(connection);
  if (!adapter) {
    adapter = new DuckDbAdapter(connection);
    duckdbAdapters.set(connection, adapter);
  }
  return adapter;
}
