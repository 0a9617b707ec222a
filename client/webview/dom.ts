// The few browser APIs the lineage webview script uses, typed here because the project's TypeScript
// settings (shared with Node code) have no DOM library. Only what the script calls is declared.

export interface MiniEvent {
  preventDefault(): void;
  stopPropagation(): void;
  readonly key?: string;
}

export interface MiniMessageEvent<T> {
  readonly data: T;
}

export interface MiniElement {
  textContent: string | null;
  scrollLeft: number;
  readonly clientWidth: number;
  readonly classList: { add(...names: string[]): void; remove(...names: string[]): void; toggle(name: string, on?: boolean): void };
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  appendChild<T extends MiniElement>(child: T): T;
  replaceChildren(...children: MiniElement[]): void;
  addEventListener(type: 'click' | 'keydown', listener: (event: MiniEvent) => void): void;
}

export interface MiniDocument {
  getElementById(id: string): MiniElement | null;
  createElement(tag: string): MiniElement;
  createElementNS(namespace: string, tag: string): MiniElement;
}

export interface MiniWindow {
  addEventListener<T>(type: 'message', listener: (event: MiniMessageEvent<T>) => void): void;
}

export interface VsCodeApi<T> {
  postMessage(message: T): void;
}

const global = globalThis as unknown as {
  document: MiniDocument;
  window: MiniWindow;
  acquireVsCodeApi<T>(): VsCodeApi<T>;
};

export const doc = (): MiniDocument => global.document;
export const win = (): MiniWindow => global.window;
export const vscodeApi = <T>(): VsCodeApi<T> => global.acquireVsCodeApi<T>();

export const SVG_NS = 'http://www.w3.org/2000/svg';
