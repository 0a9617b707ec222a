// How source keys become warehouse identifiers. Every name Sluice derives from data goes through here,
// so lineage, primary-key lookup and the normalizer all agree on what a field is called.

import { createHash } from 'node:crypto';

/** Joins the segments of a nested path (`user` + `login` → `user__login`). */
export const PATH_SEPARATOR = '__';
/** Longest identifier Sluice produces; longer names get a hash suffix (Postgres' limit, kept for portability). */
export const MAX_IDENTIFIER_LENGTH = 63;
/** What an empty key is called. */
export const EMPTY_NAME = '_empty';
/** Start of the name of a key with nothing left to name it by (only emoji or punctuation), before a hash of the key. */
const UNNAMED_PREFIX = '_key_';
/** Prefix of the columns Sluice adds itself; data may not use it. */
export const SYSTEM_PREFIX = '_sluice_';

const HASH_LENGTH = 8;

const ACRONYM_BOUNDARY = /(\p{Lu}+)(\p{Lu}\p{Ll})/gu;
const CAMEL_BOUNDARY = /([\p{Ll}\p{N}])(\p{Lu})/gu;
const NOT_WORD = /[^\p{L}\p{M}\p{N}_]+/gu;
const UNDERSCORES = /_{2,}/g;
const TRAILING_UNDERSCORES = /_+$/;
const LEADING_NUMBER = /^\p{N}/u;
const ALREADY_NORMAL = /^_?[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
// Symbols that carry meaning in real keys ('+1' and '-1' reactions, 'Phone #', 'growth %') become words,
// so that such keys do not all collapse to the same name. A '-' counts only at the start (e-mail stays e_mail).
const SYMBOL_WORDS = /[+#%&@]|^-(?=\p{N})/gu;
const SYMBOL_NAMES: Record<string, string> = { '+': 'plus', '-': 'minus', '#': 'num', '%': 'pct', '&': 'and', '@': 'at' };

/**
 * One key → one snake_case segment, without length limiting. The result never contains `__`, so a key
 * can never be mistaken for a nested path; it may start with a single `_` (kept from the key or added
 * before a leading digit).
 */
export function normalizeSegment(raw: string): string {
  // Plain ASCII snake_case is by far the most common input: skip the Unicode machinery for it.
  if (ALREADY_NORMAL.test(raw)) return raw;
  let s = raw
    .normalize('NFC')
    .replace(SYMBOL_WORDS, (symbol, offset: number) => `${offset === 0 ? '' : '_'}${SYMBOL_NAMES[symbol]}_`);
  s = s.replace(ACRONYM_BOUNDARY, '$1_$2').replace(CAMEL_BOUNDARY, '$1_$2');
  s = s.toLowerCase().normalize('NFC');
  s = s.replace(NOT_WORD, '_').replace(UNDERSCORES, '_').replace(TRAILING_UNDERSCORES, '');
  // Keys made only of emoji or punctuation would all be one name: a hash of the key keeps them apart.
  if (s === '' || s === '_') return raw === '' ? EMPTY_NAME : `${UNNAMED_PREFIX}${hashOf(raw.normalize('NFC'))}`;
  if (LEADING_NUMBER.test(s)) s = '_' + s;
  return s;
}

/** Shortens names longer than MAX_IDENTIFIER_LENGTH: a prefix plus a hash of the whole name, so it stays stable and distinct. */
export function shortenName(name: string): string {
  if (name.length <= MAX_IDENTIFIER_LENGTH) return name;
  const chars = Array.from(name);
  if (chars.length <= MAX_IDENTIFIER_LENGTH) return name;
  const hash = hashOf(name);
  const head = chars.slice(0, MAX_IDENTIFIER_LENGTH - HASH_LENGTH - 1).join('').replace(TRAILING_UNDERSCORES, '');
  return `${head}_${hash}`;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/** A single key (field or table name) → identifier. Idempotent: normalizing the result returns it unchanged. */
export function normalizeIdentifier(raw: string): string {
  return shortenName(normalizeSegment(raw));
}

/** A nested field path (raw keys) → column name, e.g. ['user', 'login'] → 'user__login'. */
export function normalizeFieldPath(path: readonly string[]): string {
  if (path.length === 0) return EMPTY_NAME;
  return shortenName(path.map(normalizeSegment).join(PATH_SEPARATOR));
}

/**
 * A name that may already be a normalized path (`user__login`, `userName`) → column name. `__` is read as
 * the nesting separator, so normalized column names come back unchanged.
 */
export function normalizeName(name: string): string {
  const segments = name.split(PATH_SEPARATOR).filter((s) => s !== '');
  return normalizeFieldPath(segments);
}

/**
 * How a user refers to a field in hints, primaryKey, mergeKey or an incremental cursor → its column name.
 * A dot means nesting (`user.login` → `user__login`); otherwise the name is read like normalizeName
 * (`userName` → `user_name`, `user__login` stays).
 */
export function columnNameForField(field: string): string {
  if (field.includes('.')) return normalizeFieldPath(field.split('.'));
  return normalizeName(field);
}

/** The table a resource writes to: `table ?? name`, normalized as one identifier. */
export function rootTableName(resource: { name: string; table?: string }): string {
  return normalizeIdentifier(resource.table ?? resource.name);
}

/** Variant column holding the values of `column` whose type is `type`. */
export function variantColumnName(column: string, type: string): string {
  return shortenName(`${column}${PATH_SEPARATOR}v_${type}`);
}

export function isSystemName(name: string): boolean {
  return name.startsWith(SYSTEM_PREFIX);
}
