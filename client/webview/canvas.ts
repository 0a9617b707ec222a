// One graph's canvas in the lineage page: draws a laid-out graph fitted to the canvas, and lets the user
// zoom (wheel around the pointer, +/− buttons and keys), pan (drag, arrow keys) and fit again (button, 0).
// All of it only changes the SVG's viewBox; the layout stays as the extension sent it.

import type { Box, Drawing, GraphName } from '../lineage/drawing';
import type { MiniElement, MiniKeyboardEvent, MiniPointerEvent, MiniWheelEvent } from './dom';
import { fitLabels, renderDrawing, type NodeActions } from './render';
import { centreOn, fitView, heightNeeded, MAX_SCALE, minScale, panBy, viewBox, zoomAt, type Point, type Size, type View } from './viewBox';

const ZOOM_STEP = 1.25;
const PAN_STEP = 60;
/** A press that moves less than this is a click, not a drag. */
const DRAG_THRESHOLD = 4;
/** Search zooms in to at least this scale, so that the found node can be read. */
const READABLE_SCALE = 1;

export class GraphCanvas {
  private drawing?: Drawing;
  private svg?: MiniElement;
  private view: View = { x: 0, y: 0, scale: 1 };
  private fitted: View = this.view;
  /** The canvas size the view was last set for. */
  private shownSize: Size = { width: 0, height: 0 };
  /** The user zoomed or panned: a resize keeps what they look at instead of fitting again. */
  private moved = false;
  private drag?: { pointer: number; x: number; y: number; dragging: boolean };
  private endOfDrag = false;

  constructor(
    readonly name: GraphName,
    /** The canvas element; its section is `section`, the hint shown instead of an empty graph `hint`. */
    private readonly host: MiniElement,
    readonly section: MiniElement,
    private readonly hint: MiniElement,
    private readonly actions: NodeActions,
  ) {
    host.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    host.addEventListener('pointerdown', (e) => this.pointerDown(e));
    host.addEventListener('pointermove', (e) => this.pointerMove(e));
    host.addEventListener('pointerup', (e) => this.pointerUp(e));
    host.addEventListener('pointercancel', (e) => this.pointerUp(e));
    // The click that ends a drag is not a click on the node under the pointer.
    host.addEventListener(
      'click',
      (e) => {
        if (!this.endOfDrag) return;
        this.endOfDrag = false;
        e.stopPropagation();
        e.preventDefault();
      },
      true,
    );
    host.addEventListener('keydown', (e) => this.key(e));
    for (const control of section.querySelectorAll('button[data-zoom]')) {
      control.addEventListener('click', () => this.command(control.getAttribute('data-zoom') ?? ''));
    }
  }

  /** Draws a graph (or the hint, when there is nothing to draw); fit() then sizes it to the canvas. */
  show(drawing: Drawing | undefined, empty: string): void {
    const has = drawing !== undefined && drawing.boxes.length > 0;
    this.drawing = has ? drawing : undefined;
    this.svg = undefined;
    this.moved = false;
    this.hint.textContent = empty;
    this.hint.hidden = has;
    this.host.hidden = !has;
    this.section.hidden = false;
    this.section.classList.toggle('empty', !has);
    for (const control of this.section.querySelectorAll('button[data-zoom]')) control.disabled = !has;
    if (!this.drawing) {
      this.host.replaceChildren();
      return;
    }
    this.svg = renderDrawing(this.drawing, this.name, this.actions);
    this.host.replaceChildren(this.svg);
    fitLabels(this.svg);
  }

  hide(): void {
    this.drawing = undefined;
    this.svg = undefined;
    this.host.replaceChildren();
    this.section.hidden = true;
  }

  get boxes(): readonly Box[] {
    return this.drawing?.boxes ?? [];
  }

  /** The height this graph needs at the canvas's width (0 without a graph). */
  heightNeeded(): number {
    return this.drawing ? heightNeeded(this.drawing, this.host.clientWidth) : 0;
  }

  canvasHeight(): number {
    return this.host.clientHeight;
  }

  fit(): void {
    if (!this.drawing) return;
    this.fitted = fitView(this.drawing, this.size());
    this.moved = false;
    this.set(this.fitted);
  }

  /** After the canvas changed size: fit again, or keep the middle of what the user zoomed to. */
  resized(): void {
    if (!this.drawing) return;
    if (!this.moved) return this.fit();
    const before = this.shownSize;
    const middle = { x: this.view.x + before.width / 2 / this.view.scale, y: this.view.y + before.height / 2 / this.view.scale };
    this.fitted = fitView(this.drawing, this.size());
    this.set(centreOn(this.view, middle, this.size()));
  }

  /** Puts a node in the middle of the canvas, readable. */
  reveal(box: Box): void {
    this.moved = true;
    this.set(centreOn(this.view, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, this.size(), READABLE_SCALE));
  }

  /** Marks found nodes (and the current one). */
  mark(found: ReadonlySet<string>, current: string | undefined): void {
    if (!this.svg) return;
    for (const g of this.svg.querySelectorAll('[data-id]')) {
      const id = g.getAttribute('data-id') ?? '';
      g.classList.toggle('match', found.has(id));
      g.classList.toggle('current', id === current);
    }
  }

  private command(which: string): void {
    if (which === 'in') this.zoom(ZOOM_STEP);
    else if (which === 'out') this.zoom(1 / ZOOM_STEP);
    else if (which === 'fit') this.fit();
  }

  private zoom(factor: number, at?: Point): void {
    if (!this.drawing) return;
    const size = this.size();
    this.moved = true;
    this.set(zoomAt(this.view, factor, at ?? { x: size.width / 2, y: size.height / 2 }, { min: minScale(this.fitted), max: MAX_SCALE }));
  }

  private pan(dx: number, dy: number): void {
    if (!this.drawing) return;
    this.moved = true;
    this.set(panBy(this.view, dx, dy));
  }

  private wheel(event: MiniWheelEvent): void {
    if (!this.drawing) return;
    event.preventDefault();
    // Pixels from a touchpad or a mouse, lines or pages from some mice: about 25% per notch either way.
    const pixels = event.deltaY * (event.deltaMode === 1 ? 40 : event.deltaMode === 2 ? 400 : 1);
    const rect = this.host.getBoundingClientRect();
    this.zoom(Math.exp(-pixels * 0.002), { x: event.clientX - rect.left, y: event.clientY - rect.top });
  }

  private pointerDown(event: MiniPointerEvent): void {
    this.endOfDrag = false;
    if (event.button !== 0 || !this.drawing) return;
    this.drag = { pointer: event.pointerId, x: event.clientX, y: event.clientY, dragging: false };
  }

  private pointerMove(event: MiniPointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.dragging) {
      if (Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
      // Captured only now: capturing on press would take the click away from the node under the pointer.
      drag.dragging = true;
      this.host.setPointerCapture(event.pointerId);
      this.host.classList.add('dragging');
    }
    this.pan(dx, dy);
    drag.x = event.clientX;
    drag.y = event.clientY;
  }

  private pointerUp(event: MiniPointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return;
    this.drag = undefined;
    if (!drag.dragging) return;
    this.endOfDrag = true;
    this.host.releasePointerCapture(event.pointerId);
    this.host.classList.remove('dragging');
  }

  private key(event: MiniKeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey || !this.drawing) return;
    const actions: Record<string, () => void> = {
      '+': () => this.zoom(ZOOM_STEP),
      '=': () => this.zoom(ZOOM_STEP),
      '-': () => this.zoom(1 / ZOOM_STEP),
      _: () => this.zoom(1 / ZOOM_STEP),
      '0': () => this.fit(),
      ArrowLeft: () => this.pan(PAN_STEP, 0),
      ArrowRight: () => this.pan(-PAN_STEP, 0),
      ArrowUp: () => this.pan(0, PAN_STEP),
      ArrowDown: () => this.pan(0, -PAN_STEP),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  private size(): Size {
    return { width: this.host.clientWidth, height: this.host.clientHeight };
  }

  private set(view: View): void {
    this.view = view;
    this.shownSize = this.size();
    this.svg?.setAttribute('viewBox', viewBox(view, this.shownSize));
  }
}
