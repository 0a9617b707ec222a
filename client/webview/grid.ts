// The result grid's script (runs in the webview). Rows come from the extension page by page as the user
// scrolls; only the rows in view are in the DOM (gridWindow.ts), and only a bounded number of pages is kept,
// so a result of millions of rows scrolls without being loaded whole. Sort and filter work on the loaded
// rows (gridRows.ts) and the status line says so. Copy, export, history, cancel and the environment go to
// the extension, which talks to the language server.

import { isNumericType } from '../../core/query/format';
import type { QueryColumn, QueryValue } from '../../core/query/types';
import type { ExportFormat } from '../../core/query/export';
import { doc, vscodeApi, win, type MiniElement } from './dom';
import type { FromGrid, GridQuery, ToGrid } from './gridMessages';
import { cellText, filteredIndexes, isNested, rowsAsText, sortedIndexes, type SortDirection } from './gridRows';
import { pagesOf, pagesToEvict, scrollRowCount, visibleRows } from './gridWindow';

const api = vscodeApi<FromGrid>();
/** Must match the CSS height of a row. */
const ROW_HEIGHT = 22;
/** Pages kept in the page (about 40,000 rows at the usual page size). */
const KEPT_PAGES = 200;
const MAX_COLUMN_CH = 40;

function element(id: string): MiniElement {
  const found = doc().getElementById(id);
  if (!found) throw new Error(`the grid has no #${id}`);
  return found;
}

const ui = {
  label: element('label'),
  toolbar: element('toolbar'),
  environment: element('environment'),
  rerun: element('rerun'),
  cancel: element('cancel'),
  history: element('history'),
  filter: element('filter'),
  copy: element('copy'),
  rowCount: element('row-count'),
  elapsed: element('elapsed'),
  scope: element('scope'),
  note: element('note'),
  error: element('error'),
  errorMessage: element('error-message'),
  errorLocation: element('error-location'),
  viewport: element('viewport'),
  cols: element('cols'),
  header: element('header'),
  body: element('body'),
  detail: element('detail'),
  detailTitle: element('detail-title'),
  detailText: element('detail-text'),
  detailClose: element('detail-close'),
};

let query: GridQuery | undefined;
let columns: QueryColumn[] = [];
/** Per column: right-aligned and sorted as numbers (worked out once per result, not per cell). */
let numericColumns: boolean[] = [];
let pages = new Map<number, QueryValue[][]>();
let requested = new Set<number>();
let rowsRead = 0;
let done = false;
let sort: { column: number; direction: SortDirection } | undefined;
let filter = '';
/** While sorted or filtered: the loaded rows (with their place in the result) and the order shown. */
let derived: { rows: { index: number; values: QueryValue[] }[]; order: number[] } | undefined;
let selectedRows = new Set<number>();
let anchorRow: number | undefined;
let selectedCell: { row: number; column: number } | undefined;
let errorLocation: { file: string; line: number; character: number } | undefined;
let renderQueued = false;

const limit = () => query?.rowLimit ?? 0;
const pageSize = () => query?.pageSize ?? 200;
const truncated = () => limit() > 0 && (rowsRead > limit() || (!done && rowsRead >= limit()));

/** Rows the grid shows now: the derived order, or the result's rows as far as known. */
function shownCount(): number {
  if (derived) return derived.order.length;
  return scrollRowCount(rowsRead, done, pageSize(), limit());
}

/** The row shown at display position i, and its place in the result; values undefined while its page loads. */
function shownRow(i: number): { index: number; values?: QueryValue[] } {
  if (derived) return derived.rows[derived.order[i]];
  return { index: i, values: pages.get(Math.floor(i / pageSize()))?.[i % pageSize()] };
}

function loadedRows(): { index: number; values: QueryValue[] }[] {
  const out: { index: number; values: QueryValue[] }[] = [];
  const cap = limit() > 0 ? limit() : Infinity;
  for (const p of [...pages.keys()].sort((a, b) => a - b)) {
    pages.get(p)!.forEach((values, i) => {
      const index = p * pageSize() + i;
      if (index < cap) out.push({ index, values });
    });
  }
  return out;
}

function rederive(): void {
  if (!sort && filter === '') {
    derived = undefined;
  } else {
    const rows = loadedRows();
    const values = rows.map((r) => r.values);
    let order = filteredIndexes(values, filter);
    if (sort) order = sortedIndexes(values, order, sort.column, sort.direction, numericColumns[sort.column] === true);
    derived = { rows, order };
  }
  selectedRows = new Set();
  selectedCell = undefined;
  ui.viewport.scrollTop = 0;
  showStatus();
  render();
}

function queueRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  win().requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

/** Builds the rows in view between two spacer rows as tall as the rows above and below them. */
function render(): void {
  // Before a result's columns are known there is nothing to show (a scroll event may still come).
  if (columns.length === 0) {
    ui.body.replaceChildren();
    return;
  }
  const count = shownCount();
  const window = visibleRows(ui.viewport.scrollTop, ui.viewport.clientHeight, ROW_HEIGHT, count);
  if (!derived && query) fetchPages(pagesOf(window, pageSize()));
  const top = spacer(window.first * ROW_HEIGHT);
  const rows: MiniElement[] = [top];
  for (let i = window.first; i < window.end; i++) rows.push(rowElement(i));
  rows.push(spacer((count - window.end) * ROW_HEIGHT));
  ui.body.replaceChildren(...rows);
  if (!derived) for (const p of pagesToEvict(pages.keys(), window, pageSize(), KEPT_PAGES)) pages.delete(p);
}

function spacer(height: number): MiniElement {
  const tr = doc().createElement('tr');
  tr.classList.add('spacer');
  tr.style.height = `${height}px`;
  return tr;
}

function rowElement(i: number): MiniElement {
  const row = shownRow(i);
  const tr = doc().createElement('tr');
  tr.classList.add('row');
  tr.setAttribute('data-index', String(i));
  if (selectedRows.has(i)) tr.classList.add('selected');
  const number = doc().createElement('td');
  number.classList.add('rownum');
  number.textContent = String(row.index + 1);
  tr.appendChild(number);
  columns.forEach((column, c) => {
    const td = doc().createElement('td');
    td.classList.add('cell');
    td.setAttribute('data-column', String(c));
    if (numericColumns[c]) td.classList.add('number');
    if (selectedCell?.row === i && selectedCell.column === c) td.classList.add('current');
    if (!row.values) {
      td.classList.add('loading');
      td.textContent = '…';
    } else {
      const value = row.values[c];
      const text = cellText(value);
      if (text === undefined) {
        td.classList.add('null');
        td.textContent = 'NULL';
      } else if (text === '') {
        td.classList.add('empty');
        td.title = 'empty text';
      } else {
        td.textContent = text;
        if (isNested(value)) td.classList.add('nested');
      }
    }
    tr.appendChild(td);
  });
  return tr;
}

function fetchPages(wanted: number[]): void {
  if (!query) return;
  for (const p of wanted) {
    if (pages.has(p) || requested.has(p)) continue;
    const offset = p * pageSize();
    if (done && offset >= rowsRead) continue;
    if (limit() > 0 && offset > limit()) continue;
    requested.add(p);
    // One row past the limit tells whether the result has more.
    const count = limit() > 0 ? Math.min(pageSize(), limit() + 1 - offset) : pageSize();
    api.postMessage({ type: 'fetch', runId: query.runId, offset, count });
  }
}

function received(offset: number, rows: QueryValue[][], read: number, finished: boolean): void {
  const p = Math.floor(offset / pageSize());
  requested.delete(p);
  pages.set(p, rows);
  rowsRead = Math.max(rowsRead, read, offset + rows.length);
  done = finished;
  showStatus();
  queueRender();
}

function showStatus(): void {
  const n = (value: number) => value.toLocaleString('en-US');
  if (!query || columns.length === 0) return;
  const count = Math.min(rowsRead, limit() > 0 ? limit() : Infinity);
  const rowWord = (value: number) => `${n(value)} row${value === 1 ? '' : 's'}`;
  ui.rowCount.textContent = truncated()
    ? `first ${rowWord(limit())}; the result has more (setting sluice.preview.rowLimit)`
    : done
      ? rowWord(count)
      : `${rowWord(count)} so far, scroll for more`;
  ui.scope.textContent = derived
    ? `· ${sort ? 'sorted' : ''}${sort && filter ? ' and ' : ''}${filter ? `filtered to ${rowWord(derived.order.length)}` : ''} over the ${rowWord(derived.rows.length)} loaded`
    : '· sort and filter apply to the loaded rows';
}

function showHeader(): void {
  ui.cols.replaceChildren();
  ui.header.replaceChildren();
  const first = pages.get(0) ?? [];
  const numberCol = doc().createElement('col');
  numberCol.style.width = `${Math.max(4, String(Math.max(rowsRead, 1)).length + 2)}ch`;
  ui.cols.appendChild(numberCol);
  const corner = doc().createElement('th');
  corner.classList.add('rownum');
  ui.header.appendChild(corner);
  columns.forEach((column, c) => {
    const widest = Math.max(column.name.length + 2, Math.min(column.type.length, 16), ...first.slice(0, 200).map((row) => (cellText(row[c]) ?? 'NULL').length));
    const col = doc().createElement('col');
    col.style.width = `${Math.min(MAX_COLUMN_CH, Math.max(6, widest)) + 2}ch`;
    ui.cols.appendChild(col);
    const th = doc().createElement('th');
    th.setAttribute('data-column', String(c));
    th.title = `${column.name} ${column.type}: click to sort the loaded rows`;
    const name = doc().createElement('div');
    name.classList.add('name');
    name.textContent = sort?.column === c ? `${column.name} ${sort.direction === 'asc' ? '▲' : '▼'}` : column.name;
    const type = doc().createElement('div');
    type.classList.add('type');
    type.textContent = column.type;
    th.appendChild(name);
    th.appendChild(type);
    ui.header.appendChild(th);
  });
}

function reset(next: GridQuery): void {
  query = next;
  columns = [];
  numericColumns = [];
  pages = new Map();
  requested = new Set();
  rowsRead = 0;
  done = false;
  sort = undefined;
  derived = undefined;
  selectedRows = new Set();
  selectedCell = undefined;
  ui.filter.value = filter = '';
  ui.error.hidden = true;
  ui.detail.hidden = true;
  ui.body.replaceChildren();
  ui.header.replaceChildren();
  ui.viewport.scrollTop = 0;
  ui.label.textContent = next.label;
  ui.environment.replaceChildren(
    ...next.environments.map((name) => {
      const option = doc().createElement('option');
      option.textContent = name;
      option.setAttribute('value', name);
      return option;
    }),
  );
  ui.environment.value = next.environment;
  ui.rowCount.textContent = 'Running…';
  ui.elapsed.textContent = '';
  ui.scope.textContent = '';
  ui.note.textContent = '';
  setRunning(true);
}

function setRunning(running: boolean): void {
  ui.cancel.disabled = !running;
  ui.cancel.hidden = !running;
  ui.rerun.hidden = running;
  doc().getElementById('grid-page')?.classList.toggle('running', running);
}

function showError(message: string, location?: { file: string; line: number; character: number; label: string }): void {
  setRunning(false);
  ui.rowCount.textContent = '';
  ui.error.hidden = false;
  ui.errorMessage.textContent = message;
  errorLocation = location;
  ui.errorLocation.hidden = !location;
  ui.errorLocation.textContent = location?.label ?? '';
}

win().addEventListener<ToGrid>('message', (event) => {
  const message = event.data;
  switch (message.type) {
    case 'running':
      reset(message.query);
      break;
    case 'result':
      if (message.runId !== query?.runId) return;
      setRunning(false);
      columns = message.columns;
      numericColumns = columns.map((column) => isNumericType(column.type));
      ui.elapsed.textContent = `· first rows in ${message.elapsedMs.toLocaleString('en-US')} ms · ${query.environment} · ${message.access}`;
      pages.set(0, message.rows);
      rowsRead = Math.max(message.rowsRead, message.rows.length);
      done = message.done;
      showHeader();
      showStatus();
      render();
      break;
    case 'rows':
      if (message.runId === query?.runId) received(message.offset, message.rows, message.rowsRead, message.done);
      break;
    case 'error':
      if (message.runId === query?.runId) showError(message.message, message.location);
      break;
    case 'cancelled':
      if (message.runId !== query?.runId) return;
      setRunning(false);
      ui.rowCount.textContent = 'Cancelled.';
      break;
    case 'note':
      ui.note.textContent = message.message;
      break;
  }
});

ui.viewport.addEventListener('scroll', () => queueRender());
ui.cancel.addEventListener('click', () => query && api.postMessage({ type: 'cancel', runId: query.runId }));
ui.rerun.addEventListener('click', () => api.postMessage({ type: 'rerun' }));
ui.environment.addEventListener('change', () => api.postMessage({ type: 'rerun', environment: ui.environment.value }));
ui.history.addEventListener('click', () => api.postMessage({ type: 'history' }));
ui.filter.addEventListener('input', () => {
  filter = ui.filter.value;
  rederive();
});
ui.copy.addEventListener('click', () => copySelection());
for (const button of ui.toolbar.querySelectorAll('button[data-export]')) {
  button.addEventListener('click', () => api.postMessage({ type: 'export', format: button.getAttribute('data-export') as ExportFormat }));
}
ui.errorLocation.addEventListener('click', (event) => {
  event.preventDefault();
  if (errorLocation) api.postMessage({ type: 'open', location: errorLocation });
});
ui.detailClose.addEventListener('click', () => (ui.detail.hidden = true));

ui.header.addEventListener('click', (event) => {
  const th = event.target?.closest('th[data-column]');
  if (!th) return;
  const column = Number(th.getAttribute('data-column'));
  sort = sort?.column !== column ? { column, direction: 'asc' } : sort.direction === 'asc' ? { column, direction: 'desc' } : undefined;
  showHeader();
  rederive();
});

ui.body.addEventListener('click', (event) => {
  const tr = event.target?.closest('tr.row');
  if (!tr) return;
  const row = Number(tr.getAttribute('data-index'));
  const td = event.target?.closest('td');
  if (td?.classList.contains('rownum')) {
    if (event.shiftKey && anchorRow !== undefined) {
      for (let i = Math.min(anchorRow, row); i <= Math.max(anchorRow, row); i++) selectedRows.add(i);
    } else if (event.ctrlKey || event.metaKey) {
      if (selectedRows.has(row)) selectedRows.delete(row);
      else selectedRows.add(row);
      anchorRow = row;
    } else {
      selectedRows = new Set([row]);
      anchorRow = row;
    }
    selectedCell = undefined;
  } else if (td && td.getAttribute('data-column') !== null) {
    selectedRows = new Set();
    selectedCell = { row, column: Number(td.getAttribute('data-column')) };
    const value = shownRow(row).values?.[selectedCell.column];
    if (value !== undefined && isNested(value)) showDetail(selectedCell.column, value);
  }
  render();
  ui.viewport.focus();
});

ui.viewport.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'c') {
    event.preventDefault();
    copySelection();
  }
});

/** A list, struct, map or JSON value in full, indented, below the grid. */
function showDetail(column: number, value: QueryValue): void {
  ui.detail.hidden = false;
  ui.detailTitle.textContent = `${columns[column].name} (${columns[column].type})`;
  ui.detailText.textContent = JSON.stringify(value, null, 2);
}

/** The selected rows (tab-separated, with the header) or the selected cell, through the extension's clipboard. */
function copySelection(): void {
  if (selectedRows.size > 0) {
    const rows = [...selectedRows]
      .sort((a, b) => a - b)
      .map((i) => shownRow(i).values)
      .filter((values): values is QueryValue[] => values !== undefined);
    api.postMessage({ type: 'copy', text: rowsAsText(columns.map((c) => c.name), rows), what: `${rows.length} row${rows.length === 1 ? '' : 's'}` });
  } else if (selectedCell) {
    const value = shownRow(selectedCell.row).values?.[selectedCell.column];
    if (value === undefined) return;
    api.postMessage({ type: 'copy', text: cellText(value) ?? '', what: value === null ? 'an empty cell (NULL)' : 'the cell' });
  }
}

api.postMessage({ type: 'ready' });
