// Messages between the lineage panel (extension side) and its webview script. Types only: both sides import
// them, and nothing here may need the DOM or the vscode module.

import type { FileLocation, Lineage } from '../../core/protocol';

export type ToWebview =
  /** Graphs to draw, with the request's outcome. */
  | { type: 'lineage'; result: Lineage.Result }
  /** Nothing to show (no model file active), with why. */
  | { type: 'empty'; message: string }
  | { type: 'error'; message: string };

export type FromWebview =
  /** The script is loaded and listening. */
  | { type: 'ready' }
  /** A node was clicked: open its file there. */
  | { type: 'open'; location: FileLocation };
