// The zoom and pan of a graph canvas as plain numbers: which part of the drawing the canvas shows, as the
// SVG viewBox. A view is the drawing point at the canvas's top-left corner and the pixels per drawing unit.
// No DOM here, so the arithmetic can be checked outside a browser.

export interface View {
  x: number;
  y: number;
  scale: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Space kept around the drawing when it is fitted. */
export const MARGIN = 12;
/** Fitting never enlarges: a graph that fits is drawn at its own size, as in a wide panel. */
export const FIT_MAX_SCALE = 1;
export const MAX_SCALE = 4;
/** Zooming out stops at half the scale that fits the whole graph (or half size, if it fits as it is). */
export const minScale = (fitted: View): number => Math.min(fitted.scale, FIT_MAX_SCALE) / 2;

/** The drawing with its margin: the area a fit shows. */
export function contentSize(drawing: Size): Size {
  return { width: drawing.width + 2 * MARGIN, height: drawing.height + 2 * MARGIN };
}

/** The whole drawing in the canvas, as large as fits up to its own size; centred across when scaled down. */
export function fitView(drawing: Size, canvas: Size): View {
  const content = contentSize(drawing);
  if (canvas.width <= 0 || canvas.height <= 0) return { x: -MARGIN, y: -MARGIN, scale: FIT_MAX_SCALE };
  const scale = Math.min(FIT_MAX_SCALE, canvas.width / content.width, canvas.height / content.height);
  const spare = canvas.width / scale - content.width;
  return { x: -MARGIN - (scale < FIT_MAX_SCALE ? spare / 2 : 0), y: -MARGIN, scale };
}

/** Zooms by factor keeping the drawing point under `at` (canvas pixels) where it is. */
export function zoomAt(view: View, factor: number, at: Point, limits: { min: number; max: number }): View {
  const scale = Math.min(limits.max, Math.max(limits.min, view.scale * factor));
  return {
    x: view.x + at.x / view.scale - at.x / scale,
    y: view.y + at.y / view.scale - at.y / scale,
    scale,
  };
}

/** Moves the drawing by dx, dy canvas pixels (a drag to the right shows what is further left). */
export function panBy(view: View, dx: number, dy: number): View {
  return { x: view.x - dx / view.scale, y: view.y - dy / view.scale, scale: view.scale };
}

/** Puts a drawing point in the middle of the canvas, zooming in to at least `atLeast`. */
export function centreOn(view: View, point: Point, canvas: Size, atLeast = 0): View {
  const scale = Math.max(view.scale, atLeast);
  return { x: point.x - canvas.width / 2 / scale, y: point.y - canvas.height / 2 / scale, scale };
}

export function viewBox(view: View, canvas: Size): string {
  const round = (n: number) => Math.round(n * 100) / 100;
  return [view.x, view.y, canvas.width / view.scale, canvas.height / view.scale].map(round).join(' ');
}

/**
 * The canvas height a drawing needs once fitted to the canvas width: what each graph's share of the panel's
 * height is weighed by.
 */
export function heightNeeded(drawing: Size, width: number): number {
  const content = contentSize(drawing);
  return content.height * Math.min(FIT_MAX_SCALE, width / content.width);
}

/**
 * Splits the panel's height among its graphs: each gets the height it needs (at least `least`) as long as
 * that is no more than an equal part of what the others left; space left over is shared in proportion.
 * So a small graph keeps its size and a large one takes the rest.
 */
export function shareHeights(total: number, needs: readonly number[], least: number): number[] {
  const shares = needs.map(() => 0);
  const smallestFirst = needs.map((_, i) => i).sort((a, b) => needs[a] - needs[b]);
  let left = total;
  smallestFirst.forEach((i, done) => {
    const equalPart = left / (needs.length - done);
    shares[i] = Math.max(least, Math.min(Math.max(needs[i], least), equalPart));
    left -= shares[i];
  });
  const given = shares.reduce((sum, share) => sum + share, 0);
  return left > 0 && given > 0 ? shares.map((share) => share + (left * share) / given) : shares;
}
