// Small helpers to check and name JavaScript values in error messages.

/** An object literal (or Object.create(null)), including one from another realm. Not arrays, dates, maps, class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** The type of a value as a user would name it: "string", "null", "array", "Date", "Map", "object". */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'function') return 'function';
  if (typeof value !== 'object') return typeof value;
  if (isPlainObject(value)) return 'object';
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name ? ctor.name : 'object';
}

/** A short rendering of a value for messages: primitives as JSON, others by type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeType(value);
}
