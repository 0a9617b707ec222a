// Schema contracts: what happens when data would add a table, add a column or need a variant column.

import { ContractViolation, SluiceError } from '../../errors';
import type { Contract, ContractMode } from '../types';
import { previewValue } from './serialize';

export type ContractEntity = 'tables' | 'columns' | 'data_type';

export type ResolvedContract = Record<ContractEntity, ContractMode>;

const MODES: readonly ContractMode[] = ['evolve', 'freeze', 'discard_row', 'discard_value'];
const ENTITIES: readonly ContractEntity[] = ['tables', 'columns', 'data_type'];

function checkMode(mode: unknown, where: string): ContractMode {
  if (typeof mode === 'string' && (MODES as readonly string[]).includes(mode)) return mode as ContractMode;
  throw new SluiceError(
    `${where}: contract mode ${previewValue(mode)} is not one of ${MODES.join(', ')}`,
  );
}

function expand(contract: Contract | undefined, where: string): Partial<ResolvedContract> {
  if (contract === undefined) return {};
  if (typeof contract === 'string') {
    const mode = checkMode(contract, where);
    return { tables: mode, columns: mode, data_type: mode };
  }
  if (typeof contract !== 'object' || contract === null || Array.isArray(contract)) {
    throw new SluiceError(`${where}: contract must be a mode or an object with tables/columns/data_type, got ${previewValue(contract)}`);
  }
  const out: Partial<ResolvedContract> = {};
  for (const [key, mode] of Object.entries(contract)) {
    if (!(ENTITIES as readonly string[]).includes(key)) {
      throw new SluiceError(`${where}: unknown contract entity '${key}' (expected ${ENTITIES.join(', ')})`);
    }
    if (mode !== undefined) out[key as ContractEntity] = checkMode(mode, `${where} ${key}`);
  }
  return out;
}

/** The resource's own setting wins per entity, then the source's, then evolve. */
export function resolveContract(resource: string, own: Contract | undefined, source: Contract | undefined): ResolvedContract {
  const fromSource = expand(source, `source contract (resource '${resource}')`);
  const fromResource = expand(own, `resource '${resource}' contract`);
  return {
    tables: fromResource.tables ?? fromSource.tables ?? 'evolve',
    columns: fromResource.columns ?? fromSource.columns ?? 'evolve',
    data_type: fromResource.data_type ?? fromSource.data_type ?? 'evolve',
  };
}

/** The error a freeze contract raises; the message names resource, field path and value. */
export function violation(
  entity: ContractEntity,
  resource: string,
  fieldPath: string,
  value: unknown,
  what: string,
): ContractViolation {
  const message =
    `resource '${resource}': ${what} at field '${fieldPath}' (value ${previewValue(value)}) ` +
    `is not allowed: the ${entity} contract is freeze`;
  return new ContractViolation(resource, fieldPath, value, message);
}
