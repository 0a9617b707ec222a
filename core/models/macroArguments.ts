// Keyword arguments of TypeScript macro calls: `@MASK(email, replacement := '#')` passes '#' as the
// function's parameter named `replacement`, as SQLMesh passes keyword arguments to Python macros. The
// parameter names are read from the function's own source text (bundling keeps them).

/** One argument of a call as written: `name := value` or a positional value (text offsets into the call). */
export interface WrittenArgument {
  /** The keyword, when written as `name := value`. */
  name?: string;
  /** Where the value starts and ends in the call's text. */
  start: number;
  end: number;
  /** Where the whole argument (keyword included) starts. */
  from: number;
}

const KEYWORD = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*:=\s*)/;

/** Splits `name := value` into its keyword and where its value starts; a positional argument as it is. */
export function writtenArgument(text: string, start: number, end: number): WrittenArgument {
  const match = KEYWORD.exec(text.slice(start, end));
  if (!match) return { start, end, from: start };
  return { name: match[2], start: start + match[0].length, end, from: start + match[1].length };
}

/**
 * The order in which the function takes the written arguments: `slots[i]` is the index among the macro's
 * arguments (after the evaluator) that argument i fills. An error names what does not fit.
 */
export function argumentSlots(fn: Function, written: readonly WrittenArgument[]): { slots: number[] } | { error: string; at: number } {
  const keywords = written.some((w) => w.name !== undefined);
  const slots: number[] = [];
  if (!keywords) return { slots: written.map((_, i) => i) };
  const params = parameterNames(fn).slice(1); // the first parameter is the evaluator
  const taken = new Set<number>();
  let seenKeyword = false;
  for (const [i, arg] of written.entries()) {
    if (arg.name === undefined) {
      if (seenKeyword) return { error: 'a positional argument cannot follow a keyword argument', at: i };
      slots.push(i);
      taken.add(i);
      continue;
    }
    seenKeyword = true;
    const slot = params.findIndex((p) => p !== undefined && p.toLowerCase() === arg.name!.toLowerCase());
    if (slot < 0) {
      const known = params.filter((p): p is string => p !== undefined);
      return { error: `no parameter named ${arg.name} (its parameters: ${known.length > 0 ? known.join(', ') : 'none after the evaluator'})`, at: i };
    }
    if (taken.has(slot)) return { error: `${arg.name} is given twice`, at: i };
    taken.add(slot);
    slots.push(slot);
  }
  return { slots };
}

/**
 * The names of a function's parameters, from its source text; undefined for one that has no plain name
 * (a destructuring pattern or a rest parameter, which keywords cannot name).
 */
export function parameterNames(fn: Function): (string | undefined)[] {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf('(');
  const arrowName = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrowName && (open < 0 || arrowName.index + arrowName[0].length <= open)) return [arrowName[1]];
  if (open < 0) return [];
  const params: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      // Skip a string in a default value.
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      current += source.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) {
      params.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') params.push(current);
  return params.map((p) => /^\s*([A-Za-z_$][\w$]*)\s*(?:=|$)/.exec(p)?.[1]);
}
