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

const MAX_THROWN_LENGTH = 500;

/**
 * What a value thrown by a source says, as one line. Sources can throw anything (a string with line
 * breaks, null, an object without toString, an error whose message getter throws); this never throws.
 */
export function describeThrown(err: unknown): string {
  let text: string;
  try {
    text = thrownText(err);
  } catch {
    text = describeType(err);
  }
  const line = text.split(/\r\n|[\n\r\u2028\u2029]/).find((l) => l.trim() !== '')?.trim() ?? '';
  const shown = line || (err instanceof Error ? err.name : describeType(err));
  return shown.length > MAX_THROWN_LENGTH ? shown.slice(0, MAX_THROWN_LENGTH - 3) + '...' : shown;
}

function thrownText(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err === null || (typeof err !== 'object' && typeof err !== 'function')) return String(err);
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (err instanceof Error) return '';
  const json = JSON.stringify(err);
  return typeof json === 'string' && json !== '{}' ? json : describeType(err);
}
