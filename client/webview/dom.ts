// The few browser APIs the lineage webview script uses, typed here because the project's TypeScript
// settings (shared with Node code) have no DOM library. Only what the script calls is declared.

export interface MiniEvent {
  preventDefault(): void;
  stopPropagation(): void;
  readonly target: MiniElement | null;
}

export interface MiniKeyboardEvent extends MiniEvent {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
}

export interface MiniPointerEvent extends MiniEvent {
  readonly clientX: number;
  readonly clientY: number;
  readonly button: number;
  readonly pointerId: number;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
}

export interface MiniWheelEvent extends MiniPointerEvent {
  readonly deltaY: number;
  /** 0: pixels, 1: lines, 2: pages. */
  readonly deltaMode: number;
  readonly ctrlKey: boolean;
}

export interface MiniMessageEvent<T> {
  readonly data: T;
}

export interface MiniRect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface MiniElement {
  textContent: string | null;
  hidden: boolean;
  /** Form controls. */
  value: string;
  checked: boolean;
  disabled: boolean;
  readonly clientWidth: number;
  readonly clientHeight: number;
  /** Set through the CSSOM, which a Content Security Policy without 'unsafe-inline' allows. */
  readonly style: { flexGrow: string; height: string; width: string };
  /** Scrolling elements. */
  scrollTop: number;
  title: string;
  readonly classList: { add(...names: string[]): void; remove(...names: string[]): void; toggle(name: string, on?: boolean): void; contains(name: string): boolean };
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  removeAttribute(name: string): void;
  appendChild<T extends MiniElement>(child: T): T;
  replaceChildren(...children: MiniElement[]): void;
  querySelector(selector: string): MiniElement | null;
  querySelectorAll(selector: string): Iterable<MiniElement>;
  closest(selector: string): MiniElement | null;
  getBoundingClientRect(): MiniRect;
  /** SVG text elements. */
  getComputedTextLength(): number;
  focus(): void;
  setPointerCapture(pointerId: number): void;
  releasePointerCapture(pointerId: number): void;
  addEventListener(type: 'keydown', listener: (event: MiniKeyboardEvent) => void): void;
  addEventListener(type: 'click' | 'pointerdown' | 'pointermove' | 'pointerup' | 'pointercancel', listener: (event: MiniPointerEvent) => void, capture?: boolean): void;
  addEventListener(type: 'wheel', listener: (event: MiniWheelEvent) => void, options: { passive: boolean }): void;
  addEventListener(type: 'input' | 'change' | 'scroll', listener: (event: MiniEvent) => void): void;
  addEventListener(type: 'dblclick', listener: (event: MiniPointerEvent) => void): void;
}

export interface MiniDocument {
  getElementById(id: string): MiniElement | null;
  createElement(tag: string): MiniElement;
  createElementNS(namespace: string, tag: string): MiniElement;
}

export interface MiniWindow {
  addEventListener<T>(type: 'message', listener: (event: MiniMessageEvent<T>) => void): void;
  requestAnimationFrame(callback: () => void): number;
}

export interface MiniResizeObserver {
  observe(element: MiniElement): void;
}

export interface VsCodeApi<T> {
  postMessage(message: T): void;
}

const global = globalThis as unknown as {
  document: MiniDocument;
  window: MiniWindow;
  performance: { timeOrigin: number };
  ResizeObserver: new (callback: () => void) => MiniResizeObserver;
  acquireVsCodeApi<T>(): VsCodeApi<T>;
};

export const doc = (): MiniDocument => global.document;
export const win = (): MiniWindow => global.window;
export const vscodeApi = <T>(): VsCodeApi<T> => global.acquireVsCodeApi<T>();
export const observeResize = (callback: () => void): MiniResizeObserver => new global.ResizeObserver(callback);
/** When the page started loading (Date.now() time). */
export const pageStart = (): number => global.performance.timeOrigin;

export const SVG_NS = 'http://www.w3.org/2000/svg';
