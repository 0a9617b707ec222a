// The property and kind names SQLMesh knows, so Sluice can tell "kept but not interpreted" from "unknown".

/** Top-level MODEL properties SQLMesh accepts (current and deprecated spellings). */
export const SQLMESH_MODEL_PROPERTIES: ReadonlySet<string> = new Set([
  'name', 'project', 'kind', 'audits', 'dialect', 'owner', 'stamp', 'tags', 'cron', 'cron_tz', 'interval_unit',
  'start', 'end', 'description', 'column_descriptions', 'grain', 'grains', 'references', 'depends_on',
  'table_format', 'storage_format', 'partitioned_by', 'clustered_by', 'columns', 'physical_properties',
  'table_properties', 'virtual_properties', 'session_properties', 'allow_partials', 'enabled',
  'physical_version', 'gateway', 'optimize_query', 'validate_query', 'ignored_rules', 'formatting',
  'virtual_environment_mode', 'grants', 'grants_target_layer', 'signals', 'retention',
  'physical_schema_override', 'blueprints', 'default_catalog',
]);

/** MODEL properties Sluice adds to SQLMesh's (SQLMesh itself would reject them). */
export const SLUICE_MODEL_PROPERTIES: ReadonlySet<string> = new Set(['freshness']);

/** Every top-level MODEL property Sluice accepts. */
export const MODEL_PROPERTIES: ReadonlySet<string> = new Set([...SQLMESH_MODEL_PROPERTIES, ...SLUICE_MODEL_PROPERTIES]);

/** Every model kind name SQLMesh knows. */
export const SQLMESH_KIND_NAMES: readonly string[] = [
  'INCREMENTAL_BY_TIME_RANGE', 'INCREMENTAL_BY_UNIQUE_KEY', 'INCREMENTAL_BY_PARTITION', 'INCREMENTAL_UNMANAGED',
  'FULL', 'SCD_TYPE_2', 'SCD_TYPE_2_BY_TIME', 'SCD_TYPE_2_BY_COLUMN', 'VIEW', 'EMBEDDED', 'SEED', 'EXTERNAL',
  'CUSTOM', 'MANAGED', 'DBT_CUSTOM',
];

/** The kinds Sluice can run. */
export const SUPPORTED_KIND_NAMES: readonly string[] = [
  'FULL', 'VIEW', 'INCREMENTAL_BY_TIME_RANGE', 'INCREMENTAL_BY_UNIQUE_KEY', 'INCREMENTAL_BY_PARTITION',
  'INCREMENTAL_UNMANAGED', 'SCD_TYPE_2', 'SCD_TYPE_2_BY_TIME', 'SCD_TYPE_2_BY_COLUMN', 'SEED', 'EMBEDDED', 'EXTERNAL',
];

const INCREMENTAL_COMMON = [
  'forward_only', 'disable_restatement', 'on_destructive_change', 'on_additive_change', 'auto_restatement_cron',
  'batch_size', 'batch_concurrency', 'lookback', 'dialect',
];

const SCD_TYPE_2_COMMON = [
  ...INCREMENTAL_COMMON.filter((o) => o !== 'lookback'), 'unique_key', 'valid_from_name', 'valid_to_name',
  'invalidate_hard_deletes', 'time_data_type',
];

/** Options each supported kind accepts inside its parentheses. */
export const KIND_OPTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  FULL: new Set(),
  EMBEDDED: new Set(),
  EXTERNAL: new Set(),
  VIEW: new Set(['materialized']),
  INCREMENTAL_BY_TIME_RANGE: new Set([
    ...INCREMENTAL_COMMON, 'time_column', 'format', 'auto_restatement_intervals', 'partition_by_time_column',
  ]),
  INCREMENTAL_BY_UNIQUE_KEY: new Set([...INCREMENTAL_COMMON, 'unique_key', 'when_matched', 'merge_filter']),
  // Their query is not split by time: one evaluation per run, so no batch_size, batch_concurrency or lookback.
  INCREMENTAL_BY_PARTITION: new Set(['forward_only', 'disable_restatement', 'on_destructive_change', 'on_additive_change', 'auto_restatement_cron', 'dialect']),
  INCREMENTAL_UNMANAGED: new Set(['insert_overwrite', 'forward_only', 'disable_restatement', 'on_destructive_change', 'on_additive_change', 'dialect']),
  SEED: new Set(['path', 'batch_size', 'csv_settings']),
  SCD_TYPE_2: new Set([...SCD_TYPE_2_COMMON, 'updated_at_name', 'updated_at_as_valid_from']),
  SCD_TYPE_2_BY_TIME: new Set([...SCD_TYPE_2_COMMON, 'updated_at_name', 'updated_at_as_valid_from']),
  SCD_TYPE_2_BY_COLUMN: new Set([...SCD_TYPE_2_COMMON, 'columns', 'execution_time_as_valid_from', 'updated_at_name']),
};

/** Every option name any kind accepts; used to spot a missing comma between kind options. */
export const ALL_KIND_OPTIONS: ReadonlySet<string> = new Set([
  ...Object.values(KIND_OPTIONS).flatMap((s) => [...s]),
  'valid_from_name', 'valid_to_name', 'invalidate_hard_deletes', 'updated_at_name', 'updated_at_as_valid_from',
  'execution_time_as_valid_from', 'time_data_type', 'columns', 'materialization', 'materialization_properties',
]);

export const INTERVAL_UNITS: ReadonlySet<string> = new Set([
  'year', 'month', 'day', 'hour', 'half_hour', 'quarter_hour', 'five_minute',
]);

export const CRON_ALIASES: ReadonlySet<string> = new Set(['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@midnight']);

/** SQLMesh's built-in macro functions and clause operators (Sluice supports @DEF and @VAR of these). */
export const SQLMESH_MACRO_FUNCTIONS: readonly string[] = [
  'EACH', 'IF', 'EVAL', 'FILTER', 'REDUCE', 'STAR', 'GENERATE_SURROGATE_KEY', 'SAFE_ADD', 'SAFE_SUB', 'SAFE_DIV',
  'UNION', 'HAVERSINE_DISTANCE', 'PIVOT', 'DEDUPLICATE', 'DATE_SPINE', 'RESOLVE_TEMPLATE', 'AND', 'OR', 'SQL',
  'BLUEPRINT_VAR', 'WITH', 'JOIN', 'WHERE', 'GROUP_BY', 'HAVING', 'ORDER_BY', 'LIMIT',
];
