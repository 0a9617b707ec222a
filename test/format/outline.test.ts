// The outline of model files read from text alone, and the formatting edit the server sends (only the span
// that changed, whole \r\n and surrogate pairs).

import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatModelText } from '../../core/format/modelFormat';
import { modelOutline, type OutlineSymbol } from '../../core/models/outline';
import { changedSpan, formatModelDocument } from '../../server/language/formatting';

/** name (kind): children, as nested arrays, for comparing shapes. */
function shape(symbols: OutlineSymbol[]): unknown[] {
  return symbols.map((s) => (s.children.length > 0 ? [`${s.name} (${s.kind})`, shape(s.children)] : `${s.name} (${s.kind})`));
}

describe('model outline', () => {
  it('lists the MODEL block, @DEF variables, CTEs and output columns, with names selected', () => {
    const text = "MODEL (name a.b, kind FULL);\n@DEF(limit_rows, 10);\nWITH x AS (SELECT 1 AS one, t.two FROM t)\nSELECT one, two AS second, count(*) n, x.* FROM x";
    const symbols = modelOutline(text);
    assert.deepEqual(shape(symbols), [
      ['a.b (model)', ['name (property)', 'kind (property)']],
      'limit_rows (variable)',
      ['x (cte)', ['one (column)', 'two (column)']],
      ['SELECT (query)', ['one (column)', 'second (column)', 'n (column)', 'x.* (column)']],
    ]);
    const second = symbols[3].children[1];
    assert.equal(text.slice(second.selectionStart, second.selectionEnd), 'second');
    assert.equal(text.slice(second.start, second.end), 'two AS second');
    assert.equal(second.detail, 'two');
    assert.equal(symbols[1].detail, '10');
  });

  it('outlines a query without a MODEL block, and a MODEL block whose query does not read', () => {
    assert.deepEqual(shape(modelOutline('SELECT a, b FROM t')), [['SELECT (query)', ['a (column)', 'b (column)']]]);
    assert.deepEqual(shape(modelOutline('MODEL (name a.b, cron @daily\nSELECT (a FROM t')), [['a.b (model)', ['name (property)', 'cron (property)']]]);
  });

  it('names the columns of a UNION after its first SELECT', () => {
    const [query] = modelOutline('SELECT 1 AS a, 2 AS b UNION ALL SELECT 3, 4');
    assert.deepEqual(query.children.map((c) => c.name), ['a', 'b']);
  });
});

describe('formatting edit', () => {
  it('covers only the span that changed', () => {
    const text = 'MODEL (\n  name a.b\n);\n\nselect a,b from t\n';
    const [edit] = formatModelDocument(TextDocument.create('file:///m.sql', 'sluice-sql', 1, text), () => undefined);
    assert.equal(edit.range.start.line, 4);
    const result = TextDocument.applyEdits(TextDocument.create('file:///m.sql', 'sluice-sql', 1, text), [edit]);
    assert.equal(result, (formatModelText(text) as { text: string }).text);
  });

  it('never splits a \\r\\n or a surrogate pair', () => {
    assert.deepEqual(changedSpan('a\r\nb', 'a\r\n  b'), { start: 3, oldEnd: 3, newEnd: 5 });
    assert.deepEqual(changedSpan('a\nb', 'a\r\nb'), { start: 1, oldEnd: 2, newEnd: 3 });
    assert.deepEqual(changedSpan('x\r\ny', 'x\ny'), { start: 1, oldEnd: 3, newEnd: 2 });
    // 😀 is \ud83d\ude00; 😁 is \ud83d\ude01: the edit starts at the pair, not in it.
    assert.deepEqual(changedSpan('😀', '😁'), { start: 0, oldEnd: 2, newEnd: 2 });
  });

  it('sends nothing for a formatted file or one that does not read', () => {
    const log: string[] = [];
    const formatted = 'MODEL (\n  name a.b\n);\n\nSELECT 1\n';
    assert.deepEqual(formatModelDocument(TextDocument.create('file:///m.sql', 'sql', 1, formatted), (m) => log.push(m)), []);
    assert.deepEqual(formatModelDocument(TextDocument.create('file:///m.sql', 'sql', 1, "SELECT 'x"), (m) => log.push(m)), []);
    assert.deepEqual(log, ['not formatting file:///m.sql: line 1, column 8: unterminated string literal']);
  });
});
