// Keys written by users (column names, @DEF names, YAML keys) can be anything, including "__proto__".
// Plain assignment would silently drop such a key, so records are filled through defineProperty.

export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

export function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}
