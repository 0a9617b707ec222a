// Which warehouse schemas are the project's own and which are Sluice's machinery: virtual environments'
// views (`<schema>__<env>`), model versions (`sluice__<schema>`) and the bookkeeping schema (_sluice).
// The Warehouse view shows the project's own first and folds the rest away.

import { PHYSICAL_PREFIX, PROD, VERSION_CHARS } from '../../core/plan/names';
import type { SchemaRole } from '../../core/protocol';
import { SYSTEM_SCHEMA } from '../../core/warehouse/system';

export interface SchemaClass {
  role: SchemaRole;
  /** environment schemas: the environment; physical schemas: the model schema they hold versions of. */
  environment?: string;
  base?: string;
}

/** The role of a schema, given the environments recorded in the warehouse (and the editor's). */
export function classifySchema(name: string, environments: Iterable<string>): SchemaClass {
  const lower = name.toLowerCase();
  if (lower === SYSTEM_SCHEMA) return { role: 'system' };
  if (lower.startsWith(PHYSICAL_PREFIX)) return { role: 'physical', base: lower.slice(PHYSICAL_PREFIX.length) };
  for (const env of environments) {
    if (env === PROD) continue;
    const suffix = `__${env.toLowerCase()}`;
    if (lower.length > suffix.length && lower.endsWith(suffix)) return { role: 'environment', environment: env.toLowerCase(), base: lower.slice(0, -suffix.length) };
  }
  return { role: 'user' };
}

const ROLE_ORDER: Record<SchemaRole, number> = { user: 0, environment: 1, physical: 2, system: 3 };

/** User schemas first, then environments, model versions and bookkeeping; by name within each. */
export function compareSchemas(a: { name: string; role: SchemaRole }, b: { name: string; role: SchemaRole }): number {
  return ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The model a physical table holds a version of: `orders__1a2b3c4d5e` in sluice__staging is staging.orders. */
export function physicalModel(base: string, table: string): string | undefined {
  const match = new RegExp(`^(.+)__[0-9a-f]{${VERSION_CHARS}}$`).exec(table.toLowerCase());
  return match ? `${base}.${match[1]}` : undefined;
}
