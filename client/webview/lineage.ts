// The lineage panel's script (runs in the webview): receives the graphs from the extension, lays them out
// with ELK and draws them; a click on a node asks the extension to open the file it comes from.

import type { Graph } from '../../core/protocol';
import { doc, vscodeApi, win, type MiniElement } from './dom';
import { layout } from './layout';
import type { FromWebview, ToWebview } from './messages';
import { renderDrawing } from './render';

const api = vscodeApi<FromWebview>();
/** Only the newest message is drawn: layouts finish out of order. */
let generation = 0;

function element(id: string): MiniElement {
  const found = doc().getElementById(id);
  if (!found) throw new Error(`the panel has no #${id}`);
  return found;
}

function text(tag: string, content: string, className?: string): MiniElement {
  const e = doc().createElement(tag);
  e.textContent = content;
  if (className) e.setAttribute('class', className);
  return e;
}

async function section(graph: Graph | undefined, host: MiniElement, empty: string, mine: number): Promise<void> {
  if (!graph || graph.nodes.length === 0) {
    host.replaceChildren(text('p', empty, 'hint'));
    return;
  }
  const drawing = await layout(graph);
  if (mine !== generation) return;
  host.replaceChildren(renderDrawing(drawing, (location) => api.postMessage({ type: 'open', location })));
  // A wide graph starts scrolled to the selected node.
  const focus = drawing.boxes.find((b) => b.focus);
  if (focus) host.scrollLeft = Math.max(0, focus.x + focus.width / 2 - host.clientWidth / 2);
}

async function show(message: ToWebview): Promise<void> {
  const mine = ++generation;
  const title = element('title');
  const status = element('status');
  const models = element('models');
  const columns = element('columns');
  if (message.type !== 'lineage') {
    title.textContent = 'Lineage';
    status.textContent = message.message;
    status.classList.toggle('error', message.type === 'error');
    models.replaceChildren();
    columns.replaceChildren();
    return;
  }
  const { result } = message;
  status.classList.remove('error');
  title.textContent = result.model ? `Lineage of ${result.model}` : `Lineage of project ${result.project ?? ''}`;
  status.textContent = result.truncated ? 'The graph was cut to its nearest nodes.' : '';
  element('columns-title').textContent = result.column ? `Column ${result.column}` : result.model ? `Columns of ${result.model}` : 'Columns';
  try {
    await section(result.models, models, 'No tables.', mine);
    await section(result.columns, columns, 'Put the cursor on a column, or open a model, to see its column lineage.', mine);
  } catch (err) {
    if (mine !== generation) return;
    status.textContent = `could not lay out the graph: ${err instanceof Error ? err.message : String(err)}`;
    status.classList.add('error');
  }
}

win().addEventListener<ToWebview>('message', (event) => void show(event.data));
api.postMessage({ type: 'ready' });
