// The fast path of the flattener. Items of one resource mostly share one shape: the same keys in the same
// order (some of them absent in some items), each value of its column's type. For such items, looking up every key, building row objects and
// encoding them again as CSV is replaced by one function compiled for the shape, which checks an item
// against it and writes the item's rows straight as CSV lines.
//
// The compiled function only takes items whose rows the general path would produce without a decision:
// every key known, every value of its column's type or null, nothing new for the schema, no contract,
// no error. Anything else (another key order, a key the template lacks, a Date, a value for a variant column, a cyclic
// object, a missing required value) makes it write nothing and return -1, and the item goes the general
// way. So the rows, their ids and the CSV text are the same either way, byte for byte. The few rewrites
// the general path makes of a value its column takes as is (a timestamp with a space before its time, a
// NUMERIC's trailing zeros, as database sources give them) are made here with the same functions.

import type { DataType } from '../../schema/types';
import type { LineLayout } from '../package';
import { NULL_MARKER, QUOTE, encodeNumber, escapeQuotes } from '../load/csvEncode';
import { isWellFormed } from './printable';
import type { TableState } from './schemaBuilder';
import { LIST_INDEX, LOAD_ID, PARENT_ID, ROOT_ID, ROW_ID } from './systemColumns';
import { decimalColumnCell } from './infer';
import { Temporal, canonicalTimestamp, classifyTemporal } from './temporal';

/** What the flattener knows about one object position: the slot of each raw key seen there. */
export interface ShapeNode {
  readonly table: TableState;
  readonly slots: ReadonlyMap<string, ShapeSlot>;
  readonly element: ShapeSlot | undefined;
}

export interface ShapeSlot {
  readonly column: ShapeColumn | undefined;
  readonly asJson: boolean;
  readonly object: ShapeNode | undefined;
  readonly list: TableState | undefined;
}

export interface ShapeColumn {
  readonly name: string;
  readonly type: DataType;
  /** A decimal column's precision and scale, when known. */
  readonly schema: { readonly precision?: number; readonly scale?: number };
}

export interface CompiledShape {
  /** The tables the shape writes lines for; `out[i]` collects the lines of `tables[i]`. */
  readonly tables: readonly { readonly table: TableState; readonly layout: LineLayout }[];
  readonly out: string[][];
  /**
   * Writes the item's lines to `out` and returns the next free row id, the item's rows numbered from
   * firstId on; or returns -1 and writes nothing when the item does not have the shape.
   */
  run(item: unknown, firstId: number): number;
}

export interface ShapeContext {
  readonly root: TableState;
  /** The node of a table's rows (the flattener's per-table cache). */
  node(table: TableState): ShapeNode;
  readonly maxNesting: number;
  /** Child rows carry the root row's id. */
  readonly merge: boolean;
  /** Root columns that must hold a value. */
  readonly required: readonly string[];
  readonly loadId: string;
}

/**
 * Column types the compiled code writes itself; a value of any other type takes the general path. A text
 * field's variable holds the text with its quote characters doubled, and the line puts quotes around it.
 */
const VALUE_CHECKS: Partial<Record<DataType, (v: string, field: string, column: ShapeColumn) => string>> = {
  text: (v, f) => `if (typeof ${v} !== 'string' || !wellFormed(${v})) break ok; ${f} = ${v}.includes(QUOTE) ? escape(${v}) : ${v};`,
  // A number goes into the line as it is (the same digits num() gives), except the spellings num() owns.
  bigint: (v, f) => `if (typeof ${v} !== 'number' || !safeInteger(${v})) break ok; ${f} = ${v} !== 0 ? ${v} : num(${v});`,
  double: (v, f) => `if (typeof ${v} !== 'number') break ok; ${f} = ${v} !== 0 && finite(${v}) ? ${v} : num(${v});`,
  bool: (v, f) => `if (typeof ${v} !== 'boolean') break ok; ${f} = ${v} ? 'true' : 'false';`,
  // Timestamp text as the general path stores it: as it is when DuckDB reads it exactly, else rewritten
  // (a database's '2024-01-02 03:04:05+00'); dates and anything else take the general path.
  timestamp: (v, f) =>
    `if (typeof ${v} !== 'string') break ok; { const tk = classify(${v}); if (tk === TIMESTAMP) ${f} = ${v}; else if (tk === TIMESTAMP_TO_FIX) ${f} = canonical(${v}); else break ok; }`,
  // Decimal text (a database's NUMERIC) in its canonical form, if it fits the column exactly.
  decimal: (v, f, column) =>
    `if (typeof ${v} !== 'string') break ok; ${f} = decimal(${v}, ${numberLiteral(column.schema.precision)}, ${numberLiteral(column.schema.scale)}); if (${f} === undefined) break ok;`,
};
/** Types whose fields are quoted (and whose variable is undefined for NULL, as text can be anything). */
const QUOTED: ReadonlySet<DataType> = new Set(['text', 'timestamp', 'decimal']);

/** A precision or scale in generated code: a whole number, or undefined. */
function numberLiteral(value: number | undefined): string {
  return Number.isSafeInteger(value) ? String(value) : 'undefined';
}

const OBJECT_PROTO = Object.prototype;

/** Thrown while compiling when the template holds something the fast path leaves to the general one. */
class NotCompilable extends Error {}

interface Field {
  readonly variable: string;
  readonly quoted: boolean;
}

/** One table's rows as the generated code builds them: a variable per field. */
interface RowCode {
  readonly table: TableState;
  readonly out: number;
  /** Column name → the variable holding its field, and whether the line quotes it. */
  readonly fields: Map<string, Field>;
}

/**
 * Compiles the shape of `template`, an item the general path has just flattened (so every key it holds
 * has its slot). Returns undefined when the template holds something only the general path handles.
 */
export function compileShape(template: unknown, context: ShapeContext): CompiledShape | undefined {
  let shape: CompiledShape;
  try {
    shape = new ShapeCompiler(context).compile(template);
  } catch (err) {
    if (err instanceof NotCompilable) return undefined;
    throw err;
  }
  // The template must take the fast path itself; a shape that refuses it would only cost time.
  const lengths = shape.out.map((lines) => lines.length);
  const taken = shape.run(template, 1) >= 0;
  shape.out.forEach((lines, i) => (lines.length = lengths[i]));
  return taken ? shape : undefined;
}

class ShapeCompiler {
  private readonly keyLists: string[][] = [];
  private readonly tables: { table: TableState; row: RowCode; rootRow: boolean }[] = [];
  private names = 0;

  constructor(private readonly context: ShapeContext) {}

  compile(template: unknown): CompiledShape {
    if (!isPlainObject(template)) throw new NotCompilable();
    const root = this.row(this.context.root, true);
    const body = this.objectCode('item', template, this.context.node(this.context.root), root, 'rootId', 0);
    const required = this.context.required.map((column) => {
      const field = root.fields.get(column);
      if (field === undefined) throw new NotCompilable();
      return `if (${isNull(field)}) break ok;`;
    });
    const children = this.tables.slice(1);
    const outs = this.tables.map((_, i) => `o${i} = out[${i}]`).join(', ');
    const marks = children.map((_, i) => `m${i + 1} = o${i + 1}.length`);
    const rollback = children.map((_, i) => `o${i + 1}.length = m${i + 1};`).join(' ');
    const code = [
      `const ${this.keyLists.map((_, i) => `k${i} = K[${i}]`).join(', ')};`,
      `const ${outs};`,
      `return function run(item, firstId) {`,
      marks.length > 0 ? `const ${marks.join(', ')};` : '',
      `const rootId = firstId; let next = firstId + 1;`,
      declare(root),
      `ok: {`,
      `if (typeof item !== 'object' || item === null || proto(item) !== OP) break ok;`,
      body,
      ...required,
      `o0.push(${this.line(root, { id: 'rootId' })});`,
      `return next;`,
      `}`,
      rollback,
      `return -1;`,
      `};`,
    ].join('\n');
    const out = this.tables.map(() => [] as string[]);
    const factory = new Function(
      'K', 'out', 'NULL', 'QUOTE', 'OP', 'TIMESTAMP', 'TIMESTAMP_TO_FIX', 'proto', 'isArray', 'safeInteger', 'finite', 'wellFormed', 'escape',
      'num', 'classify', 'canonical', 'decimal',
      code,
    );
    const run = factory(
      this.keyLists, out, NULL_MARKER, QUOTE, OBJECT_PROTO, Temporal.Timestamp, Temporal.TimestampToFix, Object.getPrototypeOf, Array.isArray,
      Number.isSafeInteger, Number.isFinite, isWellFormed, escapeQuotes, encodeNumber, classifyTemporal, canonicalTimestamp, decimalColumnCell,
    ) as (item: unknown, firstId: number) => number;
    return {
      tables: this.tables.map(({ table, row, rootRow }) => ({ table, layout: this.layout(row, rootRow) })),
      out,
      run,
    };
  }

  private row(table: TableState, rootRow: boolean): RowCode {
    const row: RowCode = { table, out: this.tables.length, fields: new Map() };
    this.tables.push({ table, row, rootRow });
    return row;
  }

  private name(prefix: string): string {
    return `${prefix}${this.names++}`;
  }

  /**
   * Code that checks the object in variable `v` against the template's keys and fills `row` from it.
   * `level` is the nesting level of the object (as in the flattener), `id` the variable of the row's id.
   */
  private objectCode(v: string, template: object, node: ShapeNode, row: RowCode, id: string, level: number): string {
    const keys = Object.keys(template);
    // for...in also sees inherited enumerable keys, as the general path does: then the shapes differ.
    const inherited: string[] = [];
    for (const key in template) inherited.push(key);
    if (inherited.length !== keys.length) throw new NotCompilable();
    const list = `k${this.keyLists.length}`;
    this.keyLists.push(keys);
    const k = this.name('n');
    // The item's keys must be the template's in the template's order, any of them absent: an absent key
    // reads as undefined, which every field's code takes as null, as the general path does.
    const code = [`{ let ${k} = 0; for (const key in ${v}) { while (${k} < ${keys.length} && key !== ${list}[${k}]) ${k}++; if (${k} === ${keys.length}) break ok; ${k}++; } }`];
    for (const key of keys) {
      const value = this.name('v');
      code.push(`const ${value} = ${v}[${JSON.stringify(key)}];`);
      code.push(this.fieldCode(value, (template as Record<string, unknown>)[key], node.slots.get(key), row, id, level));
    }
    return code.join('\n');
  }

  /** Code for one field of an object at `level`, whose template value is `sample`. */
  private fieldCode(v: string, sample: unknown, slot: ShapeSlot | undefined, row: RowCode, id: string, level: number): string {
    if (sample === null || sample === undefined) {
      // The general path skipped it; a value of the column's type is still simple, anything else is not.
      const check = slot === undefined || slot.asJson ? undefined : this.scalarCheck(v, slot, row);
      return check === undefined ? `if (${v} != null) break ok;` : `if (${v} != null) { ${check} }`;
    }
    if (slot === undefined) throw new NotCompilable();
    if (typeof sample !== 'object') {
      const check = this.scalarCheck(v, slot, row);
      if (check === undefined) throw new NotCompilable();
      return `if (${v} != null) { ${check} }`;
    }
    if (slot.asJson || level >= this.context.maxNesting) throw new NotCompilable();
    if (Array.isArray(sample)) {
      if (sample.length === 0) return `if (${v} != null && (!isArray(${v}) || ${v}.length !== 0)) break ok;`;
      if (slot.list === undefined) throw new NotCompilable();
      return this.listCode(v, sample, slot.list, id, level + 1);
    }
    if (!isPlainObject(sample) || slot.object === undefined) throw new NotCompilable();
    const nested = this.objectCode(v, sample, slot.object, row, id, level + 1);
    return `if (${v} != null) {\nif (typeof ${v} !== 'object' || proto(${v}) !== OP) break ok;\n${nested}\n}`;
  }

  /** The check and encoding of a scalar in the slot's column, or undefined when the column's type is not simple. */
  private scalarCheck(v: string, slot: ShapeSlot, row: RowCode): string | undefined {
    const column = slot.column;
    const check = column && VALUE_CHECKS[column.type];
    if (column === undefined || check === undefined) return undefined;
    let field = row.fields.get(column.name);
    if (field === undefined) {
      field = { variable: this.name('c'), quoted: QUOTED.has(column.type) };
      row.fields.set(column.name, field);
    }
    return check(v, field.variable, column);
  }

  /** Code for a non-empty list at `level` (the level its elements are flattened at) of a row whose id is `parentId`. */
  private listCode(v: string, sample: unknown[], table: TableState, parentId: string, level: number): string {
    const element = sample.find((e) => e !== null && e !== undefined);
    if (element === undefined) throw new NotCompilable();
    const row = this.row(table, false);
    const node = this.context.node(table);
    const e = this.name('e');
    const id = this.name('id');
    let body: string;
    if (typeof element !== 'object') {
      const check = node.element && this.scalarCheck(e, node.element, row);
      if (check === undefined) throw new NotCompilable();
      body = check;
    } else {
      if (!isPlainObject(element)) throw new NotCompilable();
      body = `if (typeof ${e} !== 'object' || proto(${e}) !== OP) break ok;\n${this.objectCode(e, element, node, row, id, level)}`;
    }
    const i = this.name('i');
    return [
      `if (${v} != null) {`,
      `if (!isArray(${v})) break ok;`,
      `for (let ${i} = 0; ${i} < ${v}.length; ${i}++) {`,
      `const ${e} = ${v}[${i}];`,
      `const ${id} = next++;`,
      declare(row),
      `if (${e} != null) {\n${body}\n}`,
      `o${row.out}.push(${this.line(row, { id, parentId, index: i })});`,
      `}`,
      `}`,
    ].join('\n');
  }

  /**
   * The fields of the table's lines: every column the table has (less the load id of root rows, which
   * parts record once), in its column order. Those the shape does not fill are NULL, so shapes that differ
   * in which keys their items hold write lines of one layout, and share a part.
   */
  private layout(row: RowCode, rootRow: boolean): LineLayout {
    const columns = this.lineColumns(row, rootRow).map((c) => c.name);
    return rootRow ? { columns, constants: { [LOAD_ID]: this.context.loadId } } : { columns };
  }

  /** The line's fields in layout order: system fields as the variables of their ids, the others as filled (undefined: NULL). */
  private lineColumns(row: RowCode, rootRow: boolean, ids: LineIds = NO_IDS): { name: string; field: Field | undefined }[] {
    return [...row.table.columns.values()].flatMap((column) => {
      if (rootRow && column.name === LOAD_ID) return [];
      const system = this.systemField(column.name, rootRow, ids);
      const field = system === undefined ? row.fields.get(column.name) : { variable: system, quoted: false };
      return [{ name: column.name, field }];
    });
  }

  private systemField(name: string, rootRow: boolean, ids: LineIds): string | undefined {
    if (name === ROW_ID) return ids.id;
    if (rootRow) return undefined;
    if (name === PARENT_ID) return ids.parentId;
    if (name === LIST_INDEX) return ids.index;
    if (name === ROOT_ID && this.context.merge) return 'rootId';
    return undefined;
  }

  /**
   * The expression of one CSV line of the row. When no quoted field is NULL (the usual case) the quotes
   * join the separators around them, which saves two string concatenations a field.
   */
  private line(row: RowCode, ids: LineIds): string {
    const fields = this.lineColumns(row, row.out === 0, ids).map((c) => c.field);
    const quoted = fields.filter((f): f is Field => f !== undefined && f.quoted);
    const usual = concatenation(fields.flatMap((f, i) => {
      const separator = i === 0 ? [] : [{ text: ',' }];
      if (f === undefined) return [...separator, { text: NULL_MARKER }];
      return f.quoted ? [...separator, { text: QUOTE }, { code: f.variable }, { text: QUOTE }] : [...separator, { code: f.variable }];
    }));
    if (quoted.length === 0) return usual;
    const any = concatenation(fields.flatMap((f, i) => [
      ...(i === 0 ? [] : [{ text: ',' }]),
      f === undefined ? { text: NULL_MARKER } : { code: f.quoted ? `(${isNull(f)} ? NULL : QUOTE + ${f.variable} + QUOTE)` : f.variable },
    ]));
    return `(${quoted.map((f) => `!(${isNull(f)})`).join(' && ')} ? ${usual} : ${any})`;
  }
}

interface LineIds {
  id: string;
  parentId?: string;
  index?: string;
}

/** Stand-ins for the id variables when only the layout's column names are wanted. */
const NO_IDS: LineIds = { id: 'id', parentId: 'parent', index: 'index' };

/** `a + ',' + QUOTE + b + QUOTE + '\n'` (as literals) from pieces of code and constant text, adjacent texts joined; ends with the newline. */
function concatenation(pieces: ({ text: string } | { code: string })[]): string {
  const terms: string[] = [];
  let text = '';
  for (const piece of [...pieces, { text: '\n' }]) {
    if ('text' in piece) {
      text += piece.text;
      continue;
    }
    if (text !== '') terms.push(JSON.stringify(text));
    text = '';
    terms.push(piece.code);
  }
  terms.push(JSON.stringify(text));
  // Terms alternate between code and text, so a number never meets a number: the sum is a string.
  return terms.join(' + ');
}

function isNull(field: Field): string {
  return field.quoted ? `${field.variable} === undefined` : `${field.variable} === NULL`;
}

function declare(row: RowCode): string {
  const fields = [...row.fields.values()];
  return fields.length === 0 ? '' : `let ${fields.map((f) => `${f.variable} = ${f.quoted ? 'undefined' : 'NULL'}`).join(', ')};`;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === OBJECT_PROTO;
}
