// The lineage panel's script (runs in the webview): receives the graphs from the extension, already laid
// out, and draws them fitted to the panel; zoom, pan and search happen here. Clicks on nodes go back to the
// extension (open a file, unfold a box), as does the row-filter switch, which needs a new layout.

import type { GraphName } from '../lineage/drawing';
import { GraphCanvas } from './canvas';
import { doc, observeResize, pageStart, vscodeApi, win, type MiniElement } from './dom';
import type { FromWebview, LineageView, ToWebview } from './messages';
import { findMatches, stepMatch } from './search';
import { shareHeights } from './viewBox';

const scriptStart = Date.now();
const api = vscodeApi<FromWebview>();
/** The smallest canvas a graph gets when the panel's height is shared. */
const LEAST_CANVAS_HEIGHT = 100;

function element(id: string): MiniElement {
  const found = doc().getElementById(id);
  if (!found) throw new Error(`the panel has no #${id}`);
  return found;
}

function canvas(name: GraphName): GraphCanvas {
  return new GraphCanvas(name, element(name), element(`${name}-section`), element(`${name}-hint`), {
    open: (location) => api.postMessage({ type: 'open', location }),
    expand: (id) => api.postMessage({ type: 'expand', graph: name, id }),
    fold: (id) => api.postMessage({ type: 'fold', graph: name, id }),
  });
}

const canvases = [canvas('models'), canvas('columns')];
const title = element('title');
const status = element('status');
const columnsTitle = element('columns-title');
const searchBox = element('search');
const searchResult = element('search-result');
const rowFilters = element('row-filters');
const rowFilterCount = element('row-filter-count');
let drawnReported = false;

/**
 * Shares the panel's height between the graphs by the height each needs at the panel's width (see
 * shareHeights). The sections are flex items of the page; each one's flex-grow is its canvas's share plus
 * its heading, which makes the browser give the canvases exactly those heights.
 */
function weigh(): void {
  const shown = canvases.filter((c) => c.heightNeeded() > 0);
  const total = shown.reduce((sum, c) => sum + c.canvasHeight(), 0);
  const shares = shareHeights(total, shown.map((c) => c.heightNeeded()), LEAST_CANVAS_HEIGHT);
  shown.forEach((c, i) => (c.section.style.flexGrow = String(Math.round(shares[i] + c.section.clientHeight - c.canvasHeight()))));
}

function showLineage(view: LineageView, received: number): void {
  title.textContent = view.title;
  status.textContent = view.truncated ? 'The graph was cut to its nearest nodes.' : '';
  status.classList.remove('error');
  columnsTitle.textContent = view.columnsTitle;
  const [models, columns] = canvases;
  models.show(view.models.drawing, 'No tables.');
  columns.show(view.columns?.drawing, 'Put the cursor on a column, or open a model, to see its column lineage.');
  const filters = view.columns?.rowFilters ?? 0;
  rowFilters.checked = view.showRowFilters;
  rowFilters.disabled = filters === 0 && !view.showRowFilters;
  rowFilterCount.textContent = `(${filters})`;
  weigh();
  for (const c of canvases) c.fit();
  search(false);
  if (!drawnReported) {
    drawnReported = true;
    // The next frame is the first one showing the graphs.
    win().requestAnimationFrame(() =>
      api.postMessage({ type: 'drawn', timings: { pageStart: pageStart(), scriptStart, received, drawn: Date.now() } }),
    );
  }
}

function show(message: ToWebview): void {
  const received = Date.now();
  if (message.type === 'lineage') return showLineage(message.view, received);
  title.textContent = 'Lineage';
  status.textContent = message.message;
  status.classList.toggle('error', message.type === 'error');
  for (const c of canvases) c.hide();
  search(false);
}

// Search: every drawn box of both graphs, tables first; Enter steps to the next match, Shift+Enter back.
let matches: { canvas: GraphCanvas; id: string }[] = [];
let current = -1;

function search(reveal: boolean): void {
  const boxes = canvases.flatMap((c) => c.boxes.map((box) => ({ canvas: c, id: box.id, label: box.label, members: box.members })));
  matches = findMatches(boxes, searchBox.value);
  current = matches.length > 0 ? 0 : -1;
  showMatches(reveal);
}

function showMatches(reveal: boolean): void {
  const found = new Set(matches.map((m) => m.id));
  const at = matches[current];
  for (const c of canvases) c.mark(found, at?.canvas === c ? at.id : undefined);
  searchResult.textContent = !searchBox.value.trim() ? '' : matches.length === 0 ? 'no match' : `${current + 1} of ${matches.length}`;
  if (reveal && at) {
    const box = at.canvas.boxes.find((b) => b.id === at.id);
    if (box) at.canvas.reveal(box);
  }
}

searchBox.addEventListener('input', () => search(true));
searchBox.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    current = stepMatch(current, matches.length, event.shiftKey);
    showMatches(true);
  } else if (event.key === 'Escape' && searchBox.value) {
    event.preventDefault();
    searchBox.value = '';
    search(false);
    for (const c of canvases) c.fit();
  }
});

rowFilters.addEventListener('change', () => api.postMessage({ type: 'rowFilters', show: rowFilters.checked }));

const resize = observeResize(() => {
  weigh();
  for (const c of canvases) c.resized();
});
for (const name of ['models', 'columns']) resize.observe(element(name));

win().addEventListener<ToWebview>('message', (event) => show(event.data));
api.postMessage({ type: 'ready' });
