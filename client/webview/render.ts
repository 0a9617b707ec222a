// Draws a laid-out lineage graph as SVG: boxes coloured by what they are (model, source table, seed,
// external), the selected one outlined, filter edges dashed. A box with a place in a file is a button that
// asks the extension to open it.

import type { FileLocation } from '../../core/protocol';
import { doc, SVG_NS, type MiniElement } from './dom';
import type { Drawing } from './layout';

const MARGIN = 12;

function svg(tag: string, attributes: Record<string, string | number> = {}): MiniElement {
  const element = doc().createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

export function renderDrawing(drawing: Drawing, open: (location: FileLocation) => void): MiniElement {
  const root = svg('svg', {
    width: Math.ceil(drawing.width + MARGIN * 2),
    height: Math.ceil(drawing.height + MARGIN * 2),
    class: 'graph',
    role: 'group',
  });
  const defs = root.appendChild(svg('defs'));
  const marker = defs.appendChild(svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }));
  marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  const layer = root.appendChild(svg('g', { transform: `translate(${MARGIN} ${MARGIN})` }));

  // Groups first, so the edges and the column boxes are drawn over them.
  for (const box of drawing.boxes.filter((b) => b.group)) {
    const g = layer.appendChild(svg('g', { class: `group kind-${box.kind}` }));
    g.appendChild(svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 6 }));
    const title = g.appendChild(svg('text', { x: box.x + 8, y: box.y + 17, class: 'group-label' }));
    title.textContent = box.label;
  }
  for (const line of drawing.lines) {
    const mid = (line.from.x + line.to.x) / 2;
    layer.appendChild(
      svg('path', {
        d: `M ${line.from.x} ${line.from.y} C ${mid} ${line.from.y}, ${mid} ${line.to.y}, ${line.to.x} ${line.to.y}`,
        class: `edge edge-${line.role}`,
        'marker-end': 'url(#arrow)',
      }),
    );
  }
  for (const box of drawing.boxes.filter((b) => !b.group)) {
    const classes = ['node', `kind-${box.kind}`];
    if (box.focus) classes.push('focus');
    if (box.location) classes.push('clickable');
    const g = layer.appendChild(svg('g', { class: classes.join(' '), 'data-id': box.id }));
    g.appendChild(svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 4 }));
    const label = g.appendChild(svg('text', { x: box.x + 10, y: box.y + (box.detail ? 16 : box.height / 2 + 4), class: 'label' }));
    label.textContent = box.label;
    if (box.detail) {
      const detail = g.appendChild(svg('text', { x: box.x + 10, y: box.y + box.height - 7, class: 'detail' }));
      detail.textContent = box.detail;
    }
    const location = box.location;
    if (location) {
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', `open ${box.id}`);
      g.addEventListener('click', () => open(location));
      g.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open(location);
        }
      });
    }
  }
  return root;
}
