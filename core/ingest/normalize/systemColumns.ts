// Columns Sluice adds to every table it creates. They have no source path.

import type { ColumnSchema, DataType } from '../../schema/types';

export const LOAD_ID = '_sluice_load_id';
export const ROW_ID = '_sluice_id';
export const PARENT_ID = '_sluice_parent_id';
export const LIST_INDEX = '_sluice_list_idx';
export const ROOT_ID = '_sluice_root_id';
export const VALID_FROM = '_sluice_valid_from';
export const VALID_TO = '_sluice_valid_to';
/** A table's JSON column for the fields beyond its column limit (see maxColumns). */
export const OVERFLOW = '_sluice_overflow';

/** The overflow column, added to a table the first time a field finds it full. */
export function overflowColumn(): ColumnSchema {
  return { name: OVERFLOW, dataType: 'json', nullable: true };
}

export interface TableKind {
  root: boolean;
  merge: boolean;
  scd2: boolean;
  /** The type of the family's row id columns (see rowIdType). */
  idType: DataType;
}

/**
 * Row ids are integers: cheap to generate, store and join on. Two kinds of table family keep text ids:
 * scd2 roots, whose id is a content hash, and families first loaded when ids were text (the columns keep
 * their type, so old and new rows stay joinable).
 */
export function rowIdType(scd2: boolean, existingRootIdType: DataType | undefined): DataType {
  if (existingRootIdType !== undefined) return existingRootIdType;
  return scd2 ? 'text' : 'bigint';
}

/** The system columns a table of this kind carries, in the order they are declared. */
export function systemColumns(kind: TableKind): ColumnSchema[] {
  if (kind.root) {
    const columns: ColumnSchema[] = [
      { name: LOAD_ID, dataType: 'text', nullable: false },
      { name: ROW_ID, dataType: kind.idType, nullable: false },
    ];
    if (kind.scd2) {
      // Filled by the loader when it closes and opens record versions.
      columns.push({ name: VALID_FROM, dataType: 'timestamp', nullable: true });
      columns.push({ name: VALID_TO, dataType: 'timestamp', nullable: true });
    }
    return columns;
  }
  const columns: ColumnSchema[] = [
    { name: ROW_ID, dataType: kind.idType, nullable: false },
    { name: PARENT_ID, dataType: kind.idType, nullable: false },
    { name: LIST_INDEX, dataType: 'bigint', nullable: false },
  ];
  if (kind.merge) columns.push({ name: ROOT_ID, dataType: kind.idType, nullable: false });
  return columns;
}
