// Temporary model projects for the model-layer tests: model files, external models and source schemas
// written the way ingest writes them.

import { makeProject, type TempProject } from '../helpers/project';
import { exportSchemaYaml } from '../../core/schema/export';
import type { ColumnSchema, DataType, SourceSchema } from '../../core/schema/types';
import type { ProjectDiagnostic } from '../../core/dag/types';

/** A column of a test source table; the field path defaults to the column name. */
export function col(name: string, dataType: DataType, path: string[] = [name]): ColumnSchema {
  return { name, dataType, nullable: true, path };
}

/** The shop source: orders with a nested customer name, and customers. */
export const shopSchema: SourceSchema = {
  name: 'shop',
  version: 1,
  tables: [
    {
      name: 'orders',
      resource: 'orders',
      writeDisposition: 'merge',
      columns: [
        { name: '_sluice_id', dataType: 'text', nullable: false },
        col('id', 'bigint'),
        col('customer_id', 'bigint', ['customerId']),
        col('status', 'text'),
        col('amount', 'double'),
        col('customer__name', 'text', ['customer', 'name']),
        col('created_at', 'timestamp', ['createdAt']),
      ],
    },
    {
      name: 'customers',
      resource: 'customers',
      writeDisposition: 'replace',
      columns: [col('id', 'bigint'), col('name', 'text'), col('region', 'text')],
    },
  ],
};

/** A project with the given files and, unless told otherwise, the shop source schema. */
export function modelProject(files: Record<string, string>, schemas: SourceSchema[] = [shopSchema]): TempProject {
  const project = makeProject(files);
  for (const schema of schemas) exportSchemaYaml(project.dir, schema);
  return project;
}

/** Diagnostics as `relative/file:line:column: severity: message`, stable to compare. */
export function describe(diagnostics: readonly ProjectDiagnostic[], dir: string): string[] {
  return diagnostics.map((d) => `${d.file.slice(dir.length + 1).split('\\').join('/')}:${d.start.line}:${d.start.column}: ${d.severity}: ${d.message}`);
}

export function errorsOf(diagnostics: readonly ProjectDiagnostic[], dir: string): string[] {
  return describe(diagnostics.filter((d) => d.severity === 'error'), dir);
}

/** The three-model chain used by several tests: staging → intermediate (with *) → mart. */
export const chainModels: Record<string, string> = {
  'models/staging/orders.sql': `MODEL (name staging.orders, kind VIEW);

SELECT
  id AS order_id,
  customer_id,
  status,
  amount,
  customer__name AS customer_name,
  CAST(created_at AS DATE) AS order_date
FROM shop.orders
`,
  'models/intermediate/orders_wide.sql': `MODEL (name intermediate.orders_wide, kind FULL);

SELECT o.*, c.region
FROM staging.orders AS o
JOIN shop.customers AS c ON c.id = o.customer_id
`,
  'models/marts/daily_revenue.sql': `MODEL (name analytics.daily_revenue, kind FULL);

SELECT order_date, sum(amount) AS revenue, count(*) AS orders
FROM intermediate.orders_wide
WHERE status = 'paid'
GROUP BY order_date
`,
};
