import { strict as assert } from 'node:assert';
import { centreOn, fitView, heightNeeded, MARGIN, minScale, panBy, shareHeights, viewBox, zoomAt, type View } from '../../client/webview/viewBox';

/** Where a drawing point lands in the canvas (pixels) under a view. */
const onScreen = (view: View, p: { x: number; y: number }) => ({ x: (p.x - view.x) * view.scale, y: (p.y - view.y) * view.scale });
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);

describe('lineage panel: fitting, zooming and panning a graph (viewBox arithmetic)', () => {
  it('scales a graph wider than the canvas down until all of it shows, centred across', () => {
    // The demo's table graph (about 990 × 250) in a 466 px wide side panel.
    const drawing = { width: 990, height: 250 };
    const canvas = { width: 466, height: 300 };
    const view = fitView(drawing, canvas);
    close(view.scale, 466 / (990 + 2 * MARGIN), 'scale');
    for (const corner of [{ x: 0, y: 0 }, { x: 990, y: 250 }]) {
      const at = onScreen(view, corner);
      assert.ok(at.x >= 0 && at.x <= canvas.width && at.y >= 0 && at.y <= canvas.height, `corner ${JSON.stringify(corner)} at ${JSON.stringify(at)}`);
    }
    // Limited by the height instead: the unused width is split on both sides.
    const tall = fitView({ width: 200, height: 1000 }, { width: 466, height: 300 });
    close(tall.scale, 300 / (1000 + 2 * MARGIN), 'scale of a tall graph');
    const left = onScreen(tall, { x: -MARGIN, y: 0 }).x;
    const right = canvas.width - onScreen(tall, { x: 200 + MARGIN, y: 0 }).x;
    close(left, right, 'space left and right');
  });

  it('draws a graph that fits at its own size, at the top left, as in a wide panel', () => {
    const view = fitView({ width: 400, height: 200 }, { width: 1200, height: 800 });
    assert.deepEqual(view, { x: -MARGIN, y: -MARGIN, scale: 1 });
    assert.equal(viewBox(view, { width: 1200, height: 800 }), `${-MARGIN} ${-MARGIN} 1200 800`);
  });

  it('zooms around the pointer: the point under it stays put, within the limits', () => {
    const view: View = { x: 10, y: 20, scale: 0.5 };
    const pointer = { x: 120, y: 80 };
    const under = { x: view.x + pointer.x / view.scale, y: view.y + pointer.y / view.scale };
    const zoomed = zoomAt(view, 2, pointer, { min: 0.1, max: 4 });
    close(zoomed.scale, 1, 'scale');
    const after = onScreen(zoomed, under);
    close(after.x, pointer.x, 'x under the pointer');
    close(after.y, pointer.y, 'y under the pointer');
    assert.equal(zoomAt(view, 100, pointer, { min: 0.1, max: 4 }).scale, 4);
    assert.equal(zoomAt(view, 0.001, pointer, { min: 0.1, max: 4 }).scale, 0.1);
    // Zooming out stops at half of what fits.
    assert.equal(minScale({ x: 0, y: 0, scale: 0.4 }), 0.2);
    assert.equal(minScale({ x: 0, y: 0, scale: 1 }), 0.5);
  });

  it('pans with the drag: the drawing follows the pointer', () => {
    const view: View = { x: 0, y: 0, scale: 2 };
    const panned = panBy(view, 30, -10);
    const p = { x: 50, y: 50 };
    close(onScreen(panned, p).x, onScreen(view, p).x + 30, 'x');
    close(onScreen(panned, p).y, onScreen(view, p).y - 10, 'y');
  });

  it('centres a node and zooms in to a readable scale, never out', () => {
    const canvas = { width: 400, height: 300 };
    const centred = centreOn({ x: 0, y: 0, scale: 0.4 }, { x: 700, y: 120 }, canvas, 1);
    assert.equal(centred.scale, 1);
    assert.deepEqual(onScreen(centred, { x: 700, y: 120 }), { x: 200, y: 150 });
    assert.equal(centreOn({ x: 0, y: 0, scale: 2 }, { x: 1, y: 1 }, canvas, 1).scale, 2);
  });

  it('weighs a graph by the height it needs once fitted to the width', () => {
    close(heightNeeded({ width: 990, height: 250 }, 466), (250 + 2 * MARGIN) * (466 / (990 + 2 * MARGIN)), 'scaled down');
    assert.equal(heightNeeded({ width: 300, height: 250 }, 1000), 250 + 2 * MARGIN);
  });

  it('shares the panel height: a small graph keeps what it needs, a large one takes the rest', () => {
    // A short, wide table graph and a tall column graph in 500 px.
    assert.deepEqual(shareHeights(500, [60, 2000], 100), [100, 400]);
    assert.deepEqual(shareHeights(500, [2000, 150], 100), [350, 150]);
    // Two large graphs: half each.
    assert.deepEqual(shareHeights(500, [900, 2000], 100), [250, 250]);
    // Both fit: the space left over is shared in proportion, so the canvases fill the panel.
    assert.deepEqual(shareHeights(500, [100, 150], 50), [200, 300]);
    assert.deepEqual(shareHeights(400, [3000], 100), [400]);
  });
});
