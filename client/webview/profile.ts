// The profile panel's script (runs in the webview): a table's columns with their share of NULLs, distinct
// values, min and max, most frequent values and a histogram drawn as SVG sparkline bars. Everything is
// built as DOM nodes with text content; nothing from the data becomes markup.

import type { TableProfile } from '../../core/query/profile';
import { doc, SVG_NS, vscodeApi, win, type MiniElement } from './dom';
import { sparkBars } from './sparkline';

type ToProfile = { type: 'profile'; profile: TableProfile } | { type: 'error'; message: string };

const api = vscodeApi<{ type: 'ready' }>();
const SPARK_WIDTH = 80;
const SPARK_HEIGHT = 18;

function element(id: string): MiniElement {
  const found = doc().getElementById(id);
  if (!found) throw new Error(`the profile has no #${id}`);
  return found;
}

function cell(tag: string, text: string, className?: string): MiniElement {
  const el = doc().createElement(tag);
  el.textContent = text;
  if (className) el.classList.add(className);
  return el;
}

const count = (n: number) => n.toLocaleString('en-US');

function sparkline(histogram: { upper: unknown; count: number }[]): MiniElement {
  const svg = doc().createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', String(SPARK_WIDTH));
  svg.setAttribute('height', String(SPARK_HEIGHT));
  svg.setAttribute('viewBox', `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`);
  svg.classList.add('spark');
  const bars = sparkBars(histogram.map((b) => b.count), SPARK_WIDTH, SPARK_HEIGHT);
  bars.forEach((bar, i) => {
    const rect = doc().createElementNS(SVG_NS, 'rect');
    for (const [name, value] of Object.entries(bar)) rect.setAttribute(name, value.toFixed(2));
    const title = doc().createElementNS(SVG_NS, 'title');
    title.textContent = `≤ ${String(histogram[i].upper)}: ${count(histogram[i].count)}`;
    rect.appendChild(title);
    svg.appendChild(rect);
  });
  return svg;
}

function show(profile: TableProfile): void {
  element('title').textContent = `Profile of ${profile.table}`;
  const sample = profile.sample ? `; figures from a sample of ${count(profile.sample.rows)} rows` : '';
  const relation = profile.relation !== profile.table ? ` (${profile.relation})` : '';
  element('status').textContent = `${count(profile.row_count)} rows${relation}, ${profile.environment}${sample}. Distinct counts are approximate.`;
  const body = element('columns');
  body.replaceChildren(
    ...profile.columns.map((c) => {
      const tr = doc().createElement('tr');
      tr.appendChild(cell('td', c.name, 'name'));
      tr.appendChild(cell('td', c.type, 'type'));
      const nulls = cell('td', `${c.null_pct}%`, 'number');
      if (c.null_pct > 0) nulls.classList.add('has-nulls');
      tr.appendChild(nulls);
      tr.appendChild(cell('td', c.distinct === null ? '–' : count(c.distinct), 'number'));
      tr.appendChild(c.min === null ? cell('td', 'NULL', 'null') : cell('td', c.min));
      tr.appendChild(c.max === null ? cell('td', 'NULL', 'null') : cell('td', c.max));
      const top = cell('td', c.top.map((t) => `${t.value} (${count(t.count)})`).join(', '), 'top');
      top.title = c.top.map((t) => `${t.value}: ${count(t.count)}`).join('\n');
      tr.appendChild(top);
      const histogram = doc().createElement('td');
      if (c.histogram && c.histogram.length > 0) histogram.appendChild(sparkline(c.histogram));
      tr.appendChild(histogram);
      return tr;
    }),
  );
  element('profile').hidden = false;
}

win().addEventListener<ToProfile>('message', (event) => {
  const message = event.data;
  if (message.type === 'profile') show(message.profile);
  else {
    element('status').textContent = message.message;
    element('status').classList.add('error');
  }
});

api.postMessage({ type: 'ready' });
