// How raw keys from data appear in error messages. Keys may hold anything: a newline would cut the
// one-line message short, a bidi control would reorder it on screen, and two spellings of one word
// (NFC and NFD) would look identical. None of that may make a message wrong or ambiguous.

/** Control characters, bidi controls, line/paragraph separators and lone surrogates. */
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NOT_ASCII = /[^\x20-\x7e]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  return SHORT_ESCAPES[ch] ?? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

/** The text with invisible and layout-changing characters written as escapes (`\n`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/**
 * Two keys for one message. When they would print alike (they differ only in Unicode normalization),
 * both are written with every non-ASCII character escaped, so the reader can see how they differ.
 */
export function printablePair(a: string, b: string): [string, string] {
  const pa = printable(a);
  const pb = printable(b);
  if (pa.normalize('NFC') !== pb.normalize('NFC')) return [pa, pb];
  return [a.replace(NOT_ASCII, escapeChar), b.replace(NOT_ASCII, escapeChar)];
}

/** Whether the string is valid UTF-16 (no lone surrogates), i.e. can be stored as UTF-8 text. */
export function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed exists in Node 20 but not in the ES2022 typings.
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
