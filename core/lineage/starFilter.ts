// Which columns a filtered star keeps: COLUMNS('regex'), COLUMNS(['a', 'b']), COLUMNS(c -> c LIKE 'x%')
// and `* LIKE 'x%'`. Lambdas are evaluated for the simple predicates people write over column names;
// anything else keeps every column and says so.

import {
  type ExpressionNode,
  type StarExpression,
  isColumnRef,
  isFunction,
  isLambda,
  isStar,
  stringConstant,
} from '../sql/ast';

export interface NameFilterResult {
  filter?: (name: string) => boolean;
  /** Set when the argument could not be understood and every column is kept. */
  problem?: string;
}

type Predicate = (name: string) => boolean;

/** The filter of a COLUMNS(...) argument (undefined argument: COLUMNS(*), every column). */
export function columnNameFilter(arg: ExpressionNode | undefined): NameFilterResult {
  if (!arg) return {};
  const pattern = stringConstant(arg);
  if (pattern !== undefined) {
    const re = safeRegExp(pattern, false);
    return re ? { filter: (n) => re.test(n) } : { problem: `COLUMNS('${pattern}') is not a valid regular expression; keeping every column` };
  }
  if (isFunction(arg)) {
    const name = arg.function_name.toLowerCase();
    const children = arg.children ?? [];
    if (name === 'list_value') {
      const names = children.map(stringConstant);
      if (names.every((n): n is string => n !== undefined)) {
        const wanted = new Set(names.map((n) => n.toLowerCase()));
        return { filter: (n) => wanted.has(n) };
      }
    }
    if (name === 'list_filter' && children.length === 2 && isStar(children[0]) && isLambda(children[1])) {
      const lambda = children[1];
      if (isColumnRef(lambda.lhs)) {
        const predicate = compile(lambda.expr, lambda.lhs.column_names[0].toLowerCase());
        if (predicate) return { filter: predicate };
      }
    }
  }
  return { problem: 'cannot evaluate the COLUMNS(...) argument; keeping every column' };
}

/** `* LIKE 'x%'` (and NOT LIKE, ILIKE, GLOB, SIMILAR TO) in a select list. */
export function likeStarFilter(item: ExpressionNode): { star: StarExpression; filter: Predicate } | undefined {
  if (!isFunction(item)) return undefined;
  const [first, second] = item.children ?? [];
  if (!first || !isStar(first) || first.columns) return undefined;
  const pattern = stringConstant(second);
  if (pattern === undefined) return undefined;
  const filter = patternPredicate(item.function_name, pattern);
  return filter ? { star: first, filter } : undefined;
}

function patternPredicate(operator: string, pattern: string): Predicate | undefined {
  switch (operator.toLowerCase()) {
    case '~~':
    case '~~*':
    case 'like':
    case 'ilike':
      return likeRegExp(pattern);
    case '!~~':
    case '!~~*':
      return not(likeRegExp(pattern));
    case '~~~':
    case 'glob':
      return globRegExp(pattern);
    case 'regexp_full_match':
      return regExpPredicate(pattern, true);
    case 'regexp_matches':
      return regExpPredicate(pattern, false);
    default:
      return undefined;
  }
}

/** A predicate over a column name for a lambda body whose parameter is `param`. */
function compile(e: ExpressionNode, param: string): Predicate | undefined {
  const isParam = (x: ExpressionNode | undefined): boolean =>
    !!x && isColumnRef(x) && x.column_names.length === 1 && x.column_names[0].toLowerCase() === param;
  if (isFunction(e)) {
    const [a, b] = e.children ?? [];
    const text = stringConstant(b);
    if (isParam(a) && text !== undefined) {
      const name = e.function_name.toLowerCase();
      const p = patternPredicate(name, text);
      if (p) return p;
      const t = text.toLowerCase();
      if (name === 'starts_with' || name === 'prefix') return (n) => n.startsWith(t);
      if (name === 'ends_with' || name === 'suffix') return (n) => n.endsWith(t);
      if (name === 'contains') return (n) => n.includes(t);
    }
    return undefined;
  }
  const children = (e.children as ExpressionNode[] | undefined) ?? [];
  switch (e.type) {
    case 'COMPARE_EQUAL':
    case 'COMPARE_NOTEQUAL': {
      const left = e.left as ExpressionNode;
      const right = e.right as ExpressionNode;
      const text = isParam(left) ? stringConstant(right) : isParam(right) ? stringConstant(left) : undefined;
      if (text === undefined) return undefined;
      const t = text.toLowerCase();
      return e.type === 'COMPARE_EQUAL' ? (n) => n === t : (n) => n !== t;
    }
    case 'COMPARE_IN':
    case 'COMPARE_NOT_IN': {
      if (!isParam(children[0])) return undefined;
      const values = children.slice(1).map(stringConstant);
      if (!values.every((v): v is string => v !== undefined)) return undefined;
      const set = new Set(values.map((v) => v.toLowerCase()));
      return e.type === 'COMPARE_IN' ? (n) => set.has(n) : (n) => !set.has(n);
    }
    case 'OPERATOR_NOT': {
      const inner = children[0] && compile(children[0], param);
      return inner ? not(inner) : undefined;
    }
    case 'CONJUNCTION_AND':
    case 'CONJUNCTION_OR': {
      const parts = children.map((c) => compile(c, param));
      if (!parts.every((p): p is Predicate => p !== undefined)) return undefined;
      return e.type === 'CONJUNCTION_AND' ? (n) => parts.every((p) => p(n)) : (n) => parts.some((p) => p(n));
    }
    default:
      return undefined;
  }
}

function not(p: Predicate): Predicate {
  return (n) => !p(n);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function likeRegExp(pattern: string): Predicate {
  let source = '';
  for (const ch of pattern) source += ch === '%' ? '.*' : ch === '_' ? '.' : escapeRegExp(ch);
  const re = new RegExp(`^${source}$`, 'is');
  return (n) => re.test(n);
}

function globRegExp(pattern: string): Predicate {
  let source = '';
  for (const ch of pattern) source += ch === '*' ? '.*' : ch === '?' ? '.' : escapeRegExp(ch);
  const re = new RegExp(`^${source}$`, 'is');
  return (n) => re.test(n);
}

function regExpPredicate(pattern: string, full: boolean): Predicate | undefined {
  const re = safeRegExp(pattern, full);
  return re ? (n) => re.test(n) : undefined;
}

// Column names are compared lower-case, so patterns match case-insensitively.
function safeRegExp(pattern: string, full: boolean): RegExp | undefined {
  try {
    return new RegExp(full ? `^(?:${pattern})$` : pattern, 'i');
  } catch {
    return undefined;
  }
}
