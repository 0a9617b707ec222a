// Lays out a model's query in the style of the demo project: each clause on its own line, one select item
// per line, conditions of WHERE/HAVING/QUALIFY one per line from the second on, ON under its join,
// subqueries and CTE bodies as indented blocks, CASE with several WHENs one branch per line. Everything
// else (calls, window specs, lists) stays on the line it belongs to.

import { Emitter, type EmitterInput } from './emitter';
import {
  buildQueryTree, isPunctNode, isSubquery, nodeKeyword, splitAt, splitClauses, splitConditions,
  type CaseNode, type Clause, type GroupNode, type QueryNode, type QueryWords,
} from './queryTree';

const INDENT = 2;

/** The formatted text of tokens [first, last] (a query), starting at column 0, without a final newline. */
export function formatQueryText(input: EmitterInput): string {
  const words: QueryWords = { tokens: input.tokens, roles: input.roles };
  const tree = buildQueryTree(words, input.first, input.last);
  const layout = new QueryLayout(words, new Emitter(input));
  layout.query(tree, 0);
  return layout.emitter.finish();
}

class QueryLayout {
  constructor(
    private readonly words: QueryWords,
    readonly emitter: Emitter,
  ) {}

  /** One query level; the caller has put the emitter at the start of a line with this indent. */
  query(items: readonly QueryNode[], indent: number): void {
    splitClauses(this.words, items).forEach((clause, i) => {
      if (i > 0) this.emitter.breakLine(indent);
      this.clause(clause, indent);
    });
  }

  private clause(clause: Clause, indent: number): void {
    for (const word of clause.head) this.emitter.token(word.index);
    const body = clause.body;
    switch (clause.kind) {
      case 'select':
        return this.select(body, indent);
      case 'with':
        return this.list(body, indent, 'inline-first');
      case 'values':
        return this.list(body, indent + INDENT, 'one-inline');
      case 'where':
      case 'having':
      case 'qualify':
        return this.conditions(body, indent);
      case 'join':
        return this.join(body, indent);
      case 'setop':
        if (body.length > 0) this.emitter.breakLine(indent);
        return this.expression(body);
      default:
        return this.expression(body);
    }
  }

  /** SELECT [DISTINCT [ON (...)] | ALL] items: one item stays on the SELECT line, several get a line each. */
  private select(body: readonly QueryNode[], indent: number): void {
    let k = 0;
    const word = nodeKeyword(this.words, body[0]);
    if (word === 'DISTINCT' || word === 'ALL') {
      k = 1;
      if (word === 'DISTINCT' && nodeKeyword(this.words, body[1]) === 'ON' && body[2]?.kind === 'group') k = 3;
      this.expression(body.slice(0, k));
    }
    this.list(body.slice(k), indent + INDENT, 'one-inline');
  }

  /**
   * Comma-separated items. 'one-inline': a single item stays on the current line, several get a line each
   * at itemIndent. 'inline-first': the first stays on the current line, the others start lines at itemIndent.
   */
  private list(items: readonly QueryNode[], itemIndent: number, mode: 'one-inline' | 'inline-first'): void {
    const parts = splitAt(items, (n) => isPunctNode(this.words, n, ','));
    const several = parts.length > 1;
    parts.forEach((part, i) => {
      if (several && (mode === 'one-inline' || i > 0)) this.emitter.breakLine(itemIndent);
      this.expression(part.items);
      if (part.separator) this.node(part.separator);
    });
  }

  private conditions(body: readonly QueryNode[], indent: number): void {
    splitConditions(this.words, body).forEach((part, i) => {
      if (i > 0) this.emitter.breakLine(indent + INDENT);
      this.expression(part);
    });
  }

  /** JOIN table [USING (...)] on one line, ON and its condition on the next. */
  private join(body: readonly QueryNode[], indent: number): void {
    const on = body.findIndex((n) => nodeKeyword(this.words, n) === 'ON');
    if (on < 0) return this.expression(body);
    this.expression(body.slice(0, on));
    this.emitter.breakLine(indent + INDENT);
    this.expression(body.slice(on));
  }

  private expression(items: readonly QueryNode[]): void {
    for (const node of items) this.node(node);
  }

  private node(node: QueryNode): void {
    if (node.kind === 'token') this.emitter.token(node.index);
    else if (node.kind === 'group') this.group(node);
    else this.caseExpression(node);
  }

  /** A subquery is a block: "(" ends its line, the query is indented, ")" starts a line. */
  private group(group: GroupNode): void {
    this.emitter.token(group.open);
    if (isSubquery(this.words, group)) {
      const base = this.emitter.lineIndent;
      this.emitter.breakLine(base + INDENT);
      this.query(group.items, base + INDENT);
      this.emitter.breakLine(base);
    } else {
      this.expression(group.items);
    }
    this.emitter.token(group.close);
  }

  /** CASE with one WHEN stays on its line; with more, each WHEN and the ELSE get a line, END lines up with CASE. */
  private caseExpression(node: CaseNode): void {
    const branches = node.items.filter((n) => nodeKeyword(this.words, n) === 'WHEN').length;
    if (branches <= 1) return this.expression(node.items);
    this.node(node.items[0]);
    const base = this.emitter.lineIndent;
    for (const item of node.items.slice(1)) {
      const word = nodeKeyword(this.words, item);
      if (word === 'WHEN' || word === 'ELSE') this.emitter.breakLine(base + INDENT);
      else if (word === 'END' && item === node.items[node.items.length - 1]) this.emitter.breakLine(base);
      this.node(item);
    }
  }
}
