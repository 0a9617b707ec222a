// Finds a source module's resources by reading its text, never by running it: the `name: '...'` of each
// object literal directly inside the `resources: [...]` array, and the source's own name next to it. Config
// sources name their resources in other ways, found too: sqlDatabase's `tables: ['orders', ...]` and
// singerTap's `streams: { orders: {...} }` (each key is a stream). This
// is what lets the editor point at a resource (go to definition, CodeLens, contract errors) in a workspace
// that is not trusted, and without compiling anything. Sources that build their resource list in code are
// only partly found; the editor then falls back to the top of the file.

export interface ScannedName {
  name: string;
  /** Offsets of the name's text, without the quotes. */
  start: number;
  end: number;
}

export interface ScannedSource {
  /** The `name` beside `resources`, if written as a string. */
  source?: ScannedName;
  resources: ScannedName[];
}

interface Frame {
  open: '{' | '[' | '(';
  /** This bracket is the array of a `resources:` or `tables:` property. */
  resources?: boolean;
  /** This brace is the object of a `streams:` property: its keys are resources. */
  streams?: boolean;
}

/** Properties whose array lists resources: by object with a name, or by name alone. */
const RESOURCE_LISTS = ['resources', 'tables'];

export function scanResources(text: string): ScannedSource {
  const out: ScannedSource = { resources: [] };
  const stack: Frame[] = [];
  let pendingKey: { key: string; at: number } | undefined;
  /** The last token was [ { or , (comments and spaces aside): a string here starts a list entry or a key. */
  let entryStart = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    // Comments and strings are skipped whole, so brackets and names inside them do not count.
    if (c === '/' && text[i + 1] === '/') {
      i = lineEnd(text, i);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const end = stringEnd(text, i);
      const value = text.slice(i + 1, end - 1);
      if (pendingKey?.key === 'name' && (c !== '`' || !value.includes('${'))) {
        const top = stack[stack.length - 1];
        const parent = stack[stack.length - 2];
        const found = { name: value, start: i + 1, end: end - 1 };
        if (top?.open === '{' && parent?.resources) out.resources.push(found);
        else if (top?.open === '{' && !out.source && objectHasResources(text, stack.length, i)) out.source = found;
      }
      // A plain string right inside resources: [...] is a resource by name (restApiSource's shorthand).
      else if (!pendingKey && entryStart && stack[stack.length - 1]?.resources && c !== '`' && /^[,\]]/.test(text[nextToken(text, end)] ?? '')) {
        out.resources.push({ name: value, start: i + 1, end: end - 1 });
      }
      // A quoted key of streams: { ... }.
      else if (!pendingKey && entryStart && stack[stack.length - 1]?.streams && c !== '`' && text[nextToken(text, end)] === ':') {
        out.resources.push({ name: value, start: i + 1, end: end - 1 });
      }
      pendingKey = undefined;
      entryStart = false;
      i = end;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') {
      stack.push({
        open: c,
        resources: c === '[' && RESOURCE_LISTS.includes(pendingKey?.key ?? ''),
        streams: c === '{' && pendingKey?.key === 'streams',
      });
      pendingKey = undefined;
      entryStart = c === '[' || c === '{';
      i++;
      continue;
    }
    if (c === '}' || c === ']' || c === ')') {
      stack.pop();
      pendingKey = undefined;
      entryStart = false;
      i++;
      continue;
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 64));
    if (word) {
      const keyPosition = entryStart;
      entryStart = false;
      const after = skipSpace(text, i + word[0].length);
      pendingKey = text[after] === ':' ? { key: word[0], at: i } : undefined;
      // A plain key of streams: { ... } (not a value: keys follow the brace or a comma).
      if (pendingKey && keyPosition && stack[stack.length - 1]?.streams) {
        out.resources.push({ name: word[0], start: i, end: i + word[0].length });
      }
      i = text[after] === ':' ? after + 1 : i + word[0].length;
      continue;
    }
    if (!/\s/.test(c)) {
      pendingKey = undefined;
      entryStart = c === ',';
    }
    i++;
  }
  return out;
}

/** Whether the object literal open at this depth also has a `resources`, `tables` or `streams` key (the source definition). */
function objectHasResources(text: string, depth: number, from: number): boolean {
  // Cheap check on the text after the name: a `resources:` before the object closes.
  let level = depth;
  for (let i = from; i < text.length && level >= depth; i++) {
    const c = text[i];
    if (c === '{' || c === '[' || c === '(') level++;
    else if (c === '}' || c === ']' || c === ')') level--;
    else if (level === depth && /^(?:resources|tables|streams)\s*:/.test(text.slice(i, i + 24)) && !/[\w$]/.test(text[i - 1] ?? '')) return true;
  }
  return false;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** Index just after the string starting at from (quote at from). Template literals skip ${...} nesting. */
function stringEnd(text: string, from: number): number {
  const quote = text[from];
  let i = from + 1;
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (quote === '`') {
      if (c === '$' && text[i + 1] === '{') {
        depth++;
        i += 2;
        continue;
      }
      if (c === '}' && depth > 0) {
        depth--;
        i++;
        continue;
      }
    }
    if (c === quote && depth === 0) return i + 1;
    if (c === '\n' && quote !== '`') return i;
    i++;
  }
  return text.length;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

/** Offset of the next token at or after from, past spaces and comments. */
function nextToken(text: string, from: number): number {
  let i = skipSpace(text, from);
  while (text.startsWith('//', i) || text.startsWith('/*', i)) {
    const close = text.startsWith('//', i) ? lineEnd(text, i) : text.indexOf('*/', i + 2);
    i = skipSpace(text, close < 0 ? text.length : text.startsWith('//', i) ? close : close + 2);
  }
  return i;
}
