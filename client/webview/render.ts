// Draws a laid-out lineage graph as SVG: boxes coloured by what they are (model, source table, seed,
// external), the selected one outlined, filter edges dashed, folded boxes with a doubled edge. A box with a
// place in a file is a button that asks the extension to open it; a folded box is a button that unfolds
// it. The SVG fills its canvas; which part of the drawing it shows is the canvas's viewBox.

import type { FileLocation } from '../../core/protocol';
import type { Box, Drawing } from '../lineage/drawing';
import { doc, SVG_NS, type MiniElement } from './dom';

export interface NodeActions {
  open(location: FileLocation): void;
  expand(id: string): void;
  fold(id: string): void;
}

const TEXT_INSET = 10;
const GROUP_TEXT_INSET = 8;

function svg(tag: string, attributes: Record<string, string | number> = {}): MiniElement {
  const element = doc().createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** A text line that must stay inside `room` pixels of its box (see fitLabels). */
function text(parent: MiniElement, content: string, attributes: Record<string, string | number>, room: number): void {
  const t = parent.appendChild(svg('text', { ...attributes, 'data-room': Math.max(1, Math.floor(room)) }));
  t.textContent = content;
}

/** Makes a box a button: click, Enter and Space run the action. */
function button(g: MiniElement, label: string, action: () => void): void {
  g.setAttribute('tabindex', '0');
  g.setAttribute('role', 'button');
  g.setAttribute('aria-label', label);
  g.classList.add('clickable');
  g.addEventListener('click', action);
  g.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      action();
    }
  });
}

export function renderDrawing(drawing: Drawing, name: string, actions: NodeActions): MiniElement {
  const root = svg('svg', { width: '100%', height: '100%', class: 'graph', role: 'group', preserveAspectRatio: 'xMinYMin meet' });
  const arrow = `arrow-${name}`;
  const defs = root.appendChild(svg('defs'));
  const marker = defs.appendChild(svg('marker', { id: arrow, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }));
  marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));

  // Groups first, so the edges and the column boxes are drawn over them.
  for (const box of drawing.boxes.filter((b) => b.group)) {
    const g = root.appendChild(svg('g', { class: `group kind-${box.kind}`, 'data-id': box.id }));
    g.appendChild(svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 6 }));
    text(g, box.collapsible ? `▾ ${box.label}` : box.label, { x: box.x + GROUP_TEXT_INSET, y: box.y + 17, class: 'group-label' }, box.width - 2 * GROUP_TEXT_INSET);
    if (box.collapsible) button(g, `fold ${box.label} into one box`, () => actions.fold(box.id));
  }
  for (const line of drawing.lines) {
    const mid = (line.from.x + line.to.x) / 2;
    root.appendChild(
      svg('path', {
        d: `M ${line.from.x} ${line.from.y} C ${mid} ${line.from.y}, ${mid} ${line.to.y}, ${line.to.x} ${line.to.y}`,
        class: `edge edge-${line.role}`,
        'marker-end': `url(#${arrow})`,
      }),
    );
  }
  for (const box of drawing.boxes.filter((b) => !b.group)) root.appendChild(nodeOf(box, actions));
  return root;
}

function nodeOf(box: Box, actions: NodeActions): MiniElement {
  const classes = ['node', `kind-${box.kind}`];
  if (box.focus) classes.push('focus');
  if (box.members) classes.push('collapsed');
  const g = svg('g', { class: classes.join(' '), 'data-id': box.id });
  g.appendChild(svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 4 }));
  if (box.members) g.appendChild(svg('rect', { x: box.x + 3, y: box.y + 3, width: box.width - 6, height: box.height - 6, rx: 3, class: 'inner' }));
  const room = box.width - 2 * TEXT_INSET;
  text(g, box.label, { x: box.x + TEXT_INSET, y: box.y + (box.detail ? 16 : box.height / 2 + 4), class: 'label' }, room);
  if (box.detail) text(g, box.detail, { x: box.x + TEXT_INSET, y: box.y + box.height - 7, class: 'detail' }, room);
  const location = box.location;
  if (box.members) button(g, `show the ${box.members.length} in ${box.label}`, () => actions.expand(box.id));
  else if (location) button(g, `open ${box.id}`, () => actions.open(location));
  return g;
}

/**
 * Squeezes any text longer than its box (the layout only estimates text widths) into it, so that no label
 * runs past its box or is cut. Needs the SVG in the page, where text can be measured.
 */
export function fitLabels(root: MiniElement): void {
  for (const t of root.querySelectorAll('text[data-room]')) {
    const room = Number(t.getAttribute('data-room'));
    if (t.getComputedTextLength() > room) {
      t.setAttribute('textLength', String(room));
      t.setAttribute('lengthAdjust', 'spacingAndGlyphs');
    }
  }
}
