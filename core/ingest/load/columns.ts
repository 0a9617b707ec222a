// Names of the bookkeeping columns the normalizer adds and the load stage relies on.

/** On root rows: the load that inserted the row (recorded once per part, filled in by the load). */
export const LOAD_ID = '_sluice_load_id';

/** Unique id of a row; for scd2 roots a hash of the row's content. */
export const ROW_ID = '_sluice_id';
/** On child-table rows: the _sluice_id of the root row they were unnested from. */
export const ROOT_ID = '_sluice_root_id';
/** scd2 validity range of a root row version; valid_to is NULL while the version is current. */
export const VALID_FROM = '_sluice_valid_from';
export const VALID_TO = '_sluice_valid_to';
