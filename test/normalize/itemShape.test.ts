// The compiled fast path (itemShape.ts) must give exactly what the general path gives: the same rows with
// the same ids, encoded as the same CSV fields, the same schema and the same errors. Every test here
// normalizes one item stream twice, once with normalize() + encodeCell and once with stage(), and
// compares the two.

import { strict as assert } from 'node:assert';
import { NULL_MARKER, QUOTE, encodeCell } from '../../core/ingest/load/csvEncode';
import { Normalizer, type NormalizerOptions } from '../../core/ingest/normalize';
import type { LineLayout, Row } from '../../core/ingest/package';
import type { Item, ResourceDef } from '../../core/ingest/types';
import type { SourceSchema } from '../../core/schema/types';

/** One row as its encoded CSV fields by column; NULL fields are left out. */
type Fields = Record<string, string>;

interface Outcome {
  tables: Record<string, Fields[]>;
  /** Rows that reached the sink as CSV lines (stage() only). */
  lines: number;
  error?: string;
  normalizer: Normalizer;
}

interface Setup {
  def?: Partial<ResourceDef>;
  previous?: SourceSchema;
  contract?: NormalizerOptions['contract'];
  batchSize?: number;
}

function fieldsOfRow(row: Row): Fields {
  const fields: Fields = {};
  for (const key of Object.keys(row)) {
    const cell = row[key];
    if (cell !== null && cell !== undefined) fields[key] = encodeCell(cell);
  }
  return fields;
}

/** Splits a CSV line as the part files are written (quoted fields keep their quotes). */
function splitLine(line: string): string[] {
  assert.ok(line.endsWith('\n'), `a line ends with its newline: ${JSON.stringify(line)}`);
  const fields: string[] = [];
  let i = 0;
  const end = line.length - 1;
  for (;;) {
    let j = i;
    if (line[i] === QUOTE) {
      j++;
      for (;;) {
        if (line[j] !== QUOTE) j++;
        else if (line[j + 1] === QUOTE) j += 2;
        else break;
        assert.ok(j < end, `unterminated quote in ${JSON.stringify(line)}`);
      }
      j++;
    } else {
      while (j < end && line[j] !== ',') j++;
    }
    fields.push(line.slice(i, j));
    if (j === end) return fields;
    assert.equal(line[j], ',', `field separator in ${JSON.stringify(line)}`);
    i = j + 1;
  }
}

function fieldsOfLine(line: string, layout: LineLayout): Fields {
  const values = splitLine(line);
  assert.equal(values.length, layout.columns.length, `fields of ${JSON.stringify(line)} for ${layout.columns.join(',')}`);
  const fields: Fields = {};
  layout.columns.forEach((column, i) => {
    if (values[i] !== NULL_MARKER) fields[column] = values[i];
  });
  for (const [column, value] of Object.entries(layout.constants ?? {})) fields[column] = encodeCell(value);
  return fields;
}

function normalizerFor(setup: Setup): Normalizer {
  return new Normalizer('src', setup.previous, [{ name: 'r', ...setup.def }], { loadId: 'load "1"', contract: setup.contract });
}

function batches(items: readonly Item[], size: number): Item[][] {
  const out: Item[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function viaRows(items: readonly Item[], setup: Setup): Outcome {
  const normalizer = normalizerFor(setup);
  const tables: Record<string, Fields[]> = {};
  try {
    for (const batch of batches(items, setup.batchSize ?? 50)) {
      for (const [table, rows] of normalizer.normalize('r', batch)) (tables[table] ??= []).push(...rows.map(fieldsOfRow));
    }
  } catch (err) {
    return { tables, lines: 0, error: (err as Error).message, normalizer };
  }
  return { tables, lines: 0, normalizer };
}

function viaStage(items: readonly Item[], setup: Setup): Outcome {
  const normalizer = normalizerFor(setup);
  const tables: Record<string, Fields[]> = {};
  let lines = 0;
  try {
    for (const batch of batches(items, setup.batchSize ?? 50)) {
      normalizer.stage('r', batch, {
        rows: (table, rows) => (tables[table] ??= []).push(...rows.map(fieldsOfRow)),
        lines: (table, layout, encoded) => {
          lines += encoded.length;
          (tables[table] ??= []).push(...encoded.map((line) => fieldsOfLine(line, layout)));
        },
      });
    }
  } catch (err) {
    return { tables, lines, error: (err as Error).message, normalizer };
  }
  return { tables, lines, normalizer };
}

/** Normalizes the items both ways, checks that everything matches and returns the staged outcome. */
function same(items: readonly Item[], setup: Setup = {}): Outcome {
  const expected = viaRows(items, setup);
  const actual = viaStage(items, setup);
  assert.equal(actual.error, expected.error);
  if (expected.error === undefined) {
    assert.deepEqual(actual.tables, expected.tables);
    assert.deepEqual(actual.normalizer.schema(), expected.normalizer.schema());
    assert.deepEqual(actual.normalizer.changes(), expected.normalizer.changes());
    assert.deepEqual(actual.normalizer.rowIds(), expected.normalizer.rowIds());
    assert.deepEqual(actual.normalizer.discarded(), expected.normalizer.discarded());
  }
  return actual;
}

function issue(i: number): Item {
  return {
    id: 1000 + i,
    title: `Issue "${i}", with a comma`,
    score: (i + 0.5) / 8,
    open: i % 3 === 0,
    created_at: `2024-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
    user: { login: `user${i % 5}`, id: i % 5 },
    tags: ['a', `t${i % 4}`],
    labels: [{ id: 1, name: 'bug' }, { id: 2 + (i % 3), name: `area ${i % 3}` }],
  };
}

/** A seeded generator (mulberry32): the same seed gives the same items on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Point {
  constructor(readonly x: number, readonly y: number) {}
}

/** Ways an item can differ from the usual shape; each keeps the item valid for the general path. */
const MUTATIONS: ((item: Record<string, any>, i: number) => void)[] = [
  (item) => delete item.score,
  (item) => (item.title = null),
  (item) => (item.title = undefined),
  (item) => (item.id = 'not a number'),
  (item) => (item.id = 2 ** 60),
  (item) => (item.id = 2 ** 70),
  (item) => (item.id = 12345678901234567890n),
  (item) => (item.score = Number.NaN),
  (item) => (item.score = -0),
  (item) => (item.id = -0),
  (item) => (item.score = 0),
  (item) => (item.score = Number.POSITIVE_INFINITY),
  (item) => (item.score = 'high'),
  (item) => (item.open = 1),
  (item) => (item.created_at = '2024-01-02 03:04'),
  (item) => (item.created_at = '2024-02-30T00:00:00Z'),
  (item) => (item.created_at = new Date(Date.UTC(2024, 5, 1))),
  (item) => (item.created_at = '2024-01-02'),
  (item, i) => (item[`extra_${i % 3}`] = i),
  (item) => (item.user = null),
  (item) => (item.user = {}),
  (item) => (item.user = { id: 7, login: 'reordered' }),
  (item) => (item.user = { login: 'more', id: 1, site_admin: true }),
  (item) => (item.user = 'plain text'),
  (item) => (item.user = ['a', 'list']),
  (item) => (item.user = new Point(1, 2)),
  (item) => (item.user = Object.assign(Object.create(null), { login: 'no prototype', id: 3 })),
  (item) => (item.tags = []),
  (item) => (item.tags = [1, 2]),
  (item) => (item.tags = [null, 'b']),
  (item) => (item.tags = [['nested'], 'x']),
  (item) => (item.labels = []),
  (item) => (item.labels = [null, { id: 9, name: 'after a null' }]),
  (item) => (item.labels = [{ name: 'reordered', id: 4 }]),
  (item) => (item.labels = [{ id: 1.5, name: 'double id' }]),
  (item) => (item.labels = [{ id: 1, name: 'bug', extra: { deep: [1, 2] } }]),
  (item) => (item.labels = 'not a list'),
  (item) => (item.labels = { id: 1, name: 'an object' }),
  (item) => (item.title = 'a "quoted", multi\nline, ünïcödé 😀 title'),
  (item) => (item.title = `the part files' quote character ${QUOTE}, twice: ${QUOTE}${QUOTE}`),
  (item) => (item.title = ''),
  (item) => (item.title = NULL_MARKER),
  (item) => {
    const reversed = Object.fromEntries(Object.entries(item).reverse());
    for (const key of Object.keys(item)) delete item[key];
    Object.assign(item, reversed);
  },
];

function mutatedStream(seed: number, count: number, rate: number): Item[] {
  const next = random(seed);
  const items: Item[] = [];
  for (let i = 0; i < count; i++) {
    const item = issue(i) as Record<string, any>;
    while (next() < rate) MUTATIONS[Math.floor(next() * MUTATIONS.length)](item, i);
    items.push(item);
  }
  return items;
}

describe('normalize: compiled item shapes give what the general path gives', () => {
  it('items of one shape go through the compiled shape, and the rows match', () => {
    const items = Array.from({ length: 400 }, (_, i) => issue(i));
    const outcome = same(items);
    // Every item but the first (whose shape is then compiled) goes through the fast path: root and child rows.
    assert.equal(outcome.lines, 399 * 5);
    assert.equal(outcome.tables.r.length, 400);
    assert.equal(outcome.tables.r__labels.length, 800);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`a stream with random differences from the usual shape matches (seed ${seed})`, () => {
      const outcome = same(mutatedStream(seed, 1500, 0.15));
      assert.ok(outcome.lines > 0, 'some items went through compiled shapes');
    });
  }

  it('matches when nearly every item differs', () => {
    same(mutatedStream(99, 1500, 0.9));
  });

  it('matches across batch boundaries of every size', () => {
    const items = mutatedStream(11, 300, 0.1);
    for (const batchSize of [1, 2, 7, 64, 300]) same(items, { batchSize });
  });

  it('matches for merge resources (child rows carry the root id) with required keys', () => {
    const items = mutatedStream(12, 1000, 0.1).map((item, i) => (i % 97 === 0 ? { ...item, id: null } : item));
    const def = { primaryKey: 'id', writeDisposition: 'merge' as const };
    const outcome = same(items.filter((item) => (item as Record<string, unknown>).id != null), { def });
    assert.ok(outcome.lines > 0);
    assert.ok(outcome.tables.r__labels.every((row) => row._sluice_root_id !== undefined));
    // A missing primary key fails the same way on both paths.
    assert.match(same(items, { def }).error ?? '', /no value for field 'id'/);
  });

  it('matches with column hints, a nesting limit and a json column', () => {
    const def = { maxNesting: 1, columns: { score: { dataType: 'text' as const }, user: { dataType: 'json' as const } } };
    same(mutatedStream(13, 800, 0.1), { def });
  });

  it('takes database rows (NUMERIC text, timestamps with a space) through the compiled shape, and they match', () => {
    // What the sqlDatabase source gives for a PostgreSQL table: numeric(12,2) and numeric as text, timestamptz
    // in the server's ISO output, with some values that need the general path (too many digits, not a number, a date).
    const odd = ['1.234', '12345678901.5', 'NaN', '1e5', '-0.00', '007.50', '-12.30'];
    const items = Array.from({ length: 600 }, (_, i) => ({
      id: i,
      amount: i % 50 === 7 ? odd[(i / 50) % odd.length | 0] : i % 7 === 5 ? null : `${i % 1000}.${String(i % 100).padStart(2, '0')}`,
      ratio: i % 40 === 3 ? 'abc' : `${i}.${i % 7}0`,
      at: i % 60 === 9 ? '2024-02-30 00:00:00+00' : i % 60 === 19 ? '2024-03-01' : `2024-01-${String(1 + (i % 28)).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:05.25+00`,
      at_utc: i % 3 === 0 ? null : `2024-01-02 03:04:${String(i % 60).padStart(2, '0')}Z`,
    }));
    const def = {
      columns: {
        amount: { dataType: 'decimal' as const, precision: 12, scale: 2 },
        ratio: { dataType: 'decimal' as const },
        at: { dataType: 'timestamp' as const },
        at_utc: { dataType: 'timestamp' as const },
      },
    };
    const outcome = same(items, { def });
    assert.ok(outcome.lines > 300, `most rows take the compiled shape (${outcome.lines} of 600)`);
    assert.equal(outcome.tables.r[1].amount, `${QUOTE}1.01${QUOTE}`);
    assert.equal(outcome.tables.r[10].amount, `${QUOTE}10.1${QUOTE}`, 'trailing zeros dropped, as the general path stores them');
    assert.equal(outcome.tables.r[1].at, `${QUOTE}2024-01-02T10:01:05.25+00${QUOTE}`);
  });

  it('matches under contracts that discard rows or values, and fails the same way under freeze', () => {
    const first = viaRows(Array.from({ length: 5 }, (_, i) => issue(i)), {}).normalizer.schema();
    const items = mutatedStream(14, 800, 0.15);
    same(items, { previous: first, contract: { columns: 'discard_row', data_type: 'discard_value', tables: 'discard_value' } });
    same(items, { previous: first, contract: { columns: 'discard_value', data_type: 'discard_row' } });
    assert.match(same(items, { previous: first, contract: { columns: 'freeze' } }).error ?? '', /column/);
  });

  it('keeps ids counting from where an earlier load stopped', () => {
    const items = Array.from({ length: 50 }, (_, i) => issue(i));
    const expected = new Normalizer('src', undefined, [{ name: 'r' }], { loadId: 'l', firstRowId: 1000 });
    const actual = new Normalizer('src', undefined, [{ name: 'r' }], { loadId: 'l', firstRowId: 1000 });
    expected.normalize('r', items);
    const ids: string[] = [];
    actual.stage('r', items, {
      rows: (table, rows) => ids.push(...rows.map((row) => `${table}:${row._sluice_id}`)),
      lines: (table, _layout, lines) => ids.push(...lines.map((line) => `${table}:${line.slice(0, line.indexOf(','))}`)),
    });
    assert.deepEqual(actual.rowIds(), expected.rowIds());
    assert.equal(ids[0], 'r:1000');
    assert.equal(new Set(ids.map((id) => id.split(':')[1])).size, 250);
  });

  it('reports bad values in an item of a known shape exactly as the general path does', () => {
    const lone = '\ud800';
    const cyclic: Record<string, any> = issue(5);
    cyclic.user = { login: 'x', id: 1 };
    cyclic.user.login = cyclic;
    const bad: Item[] = [
      { ...issue(5), title: `lone ${lone}` },
      { ...issue(5), labels: [{ id: 1, name: lone }] },
      { ...issue(5), user: { login: 'x', id: () => 1 } },
      cyclic,
      { ...issue(5), [`key ${lone}`]: 1 },
    ];
    for (const item of bad) {
      const outcome = same([issue(1), issue(2), issue(3), item, issue(4)]);
      assert.ok(outcome.error, `an error for ${Object.keys(item).join(',')}`);
    }
  });

  it('keys that are awkward in code or on Object.prototype are read as data, never run', () => {
    const hostile = ['"]; throw new Error("ran"); //', '__proto__', 'constructor', 'toString', 'a.b', '', 'ünï', '\u2028x', '0', '10'];
    const items = Array.from({ length: 30 }, (_, i) => {
      const item: Record<string, unknown> = JSON.parse(JSON.stringify({ n: i }));
      for (const [k, key] of hostile.entries()) Object.defineProperty(item, key, { value: `${k}:${i}`, enumerable: true, writable: true, configurable: true });
      return item;
    });
    const outcome = same(items);
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.lines, 29);
    assert.equal(outcome.tables.r.length, 30);
  });

  it('lists of scalars, lists of lists and empty objects match', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({
      id: i,
      values: i % 10 === 0 ? [] : [i, i + 1, null],
      empty: {},
      ...(i % 7 === 0 ? { grid: [[1, 2], [3]] } : {}),
      nested: { deeper: { deepest: i % 4 === 0 ? null : `d${i}` } },
    }));
    const outcome = same(items);
    assert.equal(outcome.error, undefined);
    assert.ok(outcome.lines > 0);
  });
});
