// What the Warehouse and Environments views show, read from the DuckDB file read-only: the file is opened
// for the query and closed at once, so nothing here keeps the CLI (or a DuckDB client) out.

import fs from 'node:fs';
import { describeError } from '../../core/errors';
import type { Environments, WarehouseCatalog, WarehouseTable } from '../../core/protocol';
import { withWarehouse } from '../../core/warehouse/connection';
import { SYSTEM_SCHEMA, systemTableExists } from '../../core/warehouse/system';
import { qualified } from '../../core/warehouse/quote';
import type { WarehouseGate } from './gate';

export async function readCatalog(gate: WarehouseGate, warehouse: string): Promise<WarehouseCatalog.Result> {
  const result: WarehouseCatalog.Result = { warehouse, exists: fs.existsSync(warehouse), schemas: [] };
  if (!result.exists) return result;
  try {
    const { tables, columns } = await gate.read(warehouse, () =>
      withWarehouse(
        warehouse,
        async (wh) => ({
          tables: await wh.json<{ s: string; t: string; kind: string }>(
            `SELECT table_schema AS s, table_name AS t, table_type AS kind FROM information_schema.tables
             WHERE table_catalog = current_database() ORDER BY table_schema, table_name`,
          ),
          columns: await wh.json<{ s: string; t: string; c: string; type: string }>(
            `SELECT table_schema AS s, table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns
             WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position`,
          ),
        }),
        { readOnly: true },
      ),
    );
    const bySchema = new Map<string, Map<string, WarehouseTable>>();
    for (const t of tables) {
      let schema = bySchema.get(t.s);
      if (!schema) bySchema.set(t.s, (schema = new Map()));
      schema.set(t.t, { name: t.t, kind: /view/i.test(t.kind) ? 'view' : 'table', columns: [] });
    }
    for (const c of columns) bySchema.get(c.s)?.get(c.t)?.columns.push({ name: c.c, type: c.type });
    // Sluice's own bookkeeping last: it is rarely what one is looking for.
    const names = [...bySchema.keys()].sort((a, b) => Number(a === SYSTEM_SCHEMA) - Number(b === SYSTEM_SCHEMA) || (a < b ? -1 : a > b ? 1 : 0));
    result.schemas = names.map((name) => ({ name, tables: [...bySchema.get(name)!.values()] }));
  } catch (err) {
    result.error = describeError(err);
  }
  return result;
}

export async function readEnvironments(gate: WarehouseGate, warehouse: string): Promise<Environments.Result> {
  const prod: Environments.Result = { environments: [{ name: 'prod' }] };
  if (!fs.existsSync(warehouse)) return prod;
  try {
    const rows = await gate.read(warehouse, () =>
      withWarehouse(
        warehouse,
        async (wh) => {
          if (!(await systemTableExists(wh, 'environments'))) return [];
          return wh.json<{ name: string; updated_at: string | null; models: number | null }>(
            `SELECT "name", CAST("updated_at" AS VARCHAR) AS updated_at, json_array_length("snapshots") AS models
             FROM ${qualified(SYSTEM_SCHEMA, 'environments')} ORDER BY "name"`,
          );
        },
        { readOnly: true },
      ),
    );
    if (rows.length === 0) return prod;
    return {
      environments: rows.map((r) => {
        const env: Environments.Result['environments'][number] = { name: r.name };
        if (r.updated_at) env.updatedAt = r.updated_at;
        if (r.models !== null && r.models !== undefined) env.models = Number(r.models);
        return env;
      }),
    };
  } catch (err) {
    return { ...prod, error: describeError(err) };
  }
}
