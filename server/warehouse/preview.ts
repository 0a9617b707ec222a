// sluice/previewTable: the first rows of a warehouse table or view, for a read-only preview. The relation
// must exist (looked up by parameters, not by pasting its name into SQL); its name then reaches the query
// only quoted. Values come back as text, so every type shows the way DuckDB prints it.

import fs from 'node:fs';
import { SluiceError } from '../../core/errors';
import type { PreviewTable } from '../../core/protocol';
import { withWarehouse } from '../../core/warehouse/connection';
import { qualified, quoteIdent } from '../../core/warehouse/quote';
import type { WarehouseGate } from './gate';

export const PREVIEW_ROWS = 100;

export async function previewTable(gate: WarehouseGate, warehouse: string, params: PreviewTable.Params): Promise<PreviewTable.Result> {
  const schema = String(params.schema ?? '');
  const table = String(params.table ?? '');
  const requested = Number(params.limit);
  const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, PREVIEW_ROWS) : PREVIEW_ROWS;
  if (!fs.existsSync(warehouse)) throw new SluiceError(`there is no warehouse yet (${warehouse})`);
  return gate.read(warehouse, () =>
    withWarehouse(
      warehouse,
      async (wh) => {
        const columns = await wh.json<{ name: string; type: string }>(
          `SELECT column_name AS name, data_type AS type FROM information_schema.columns
           WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
          [schema, table],
        );
        if (columns.length === 0) throw new SluiceError(`there is no table or view ${schema}.${table} in the warehouse`);
        // Every column cast to text: the preview shows values, and text travels as JSON unchanged.
        const select = columns.map((c) => `CAST(${quoteIdent(c.name)} AS VARCHAR)`).join(', ');
        // limit is an integer built here; one row more tells whether there are more.
        const reader = await wh.connection.runAndReadAll(`SELECT ${select} FROM ${qualified(schema, table)} LIMIT ${limit + 1}`);
        const rows = reader.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
        return { schema, table, columns, rows: rows.slice(0, limit), truncated: rows.length > limit };
      },
      { readOnly: true },
    ),
  );
}

