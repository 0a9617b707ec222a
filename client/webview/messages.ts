// Messages between the lineage panel (extension side) and its webview script. Types only: both sides import
// them, and nothing here may need the DOM or the vscode module.

import type { FileLocation } from '../../core/protocol';
import type { Drawing, GraphName } from '../lineage/drawing';

export interface LineageView {
  /** "Lineage of analytics.daily_revenue", "Lineage of project demo". */
  title: string;
  columnsTitle: string;
  /** Some nodes were left out to stay under the server's limit. */
  truncated: boolean;
  models: DrawnGraph;
  /** Absent without a model or column to show columns of. */
  columns?: DrawnGraph;
  showRowFilters: boolean;
}

export interface DrawnGraph {
  drawing: Drawing;
  /** Filter edges of the whole graph, shown or not. */
  rowFilters: number;
}

export type ToWebview =
  /** Graphs to draw, laid out. */
  | { type: 'lineage'; view: LineageView }
  /** Nothing to show (no model file active), with why. */
  | { type: 'empty'; message: string }
  | { type: 'error'; message: string };

export type FromWebview =
  /** The script is loaded and listening. */
  | { type: 'ready' }
  /** A node was clicked: open its file there. */
  | { type: 'open'; location: FileLocation }
  /** Row filters on or off. */
  | { type: 'rowFilters'; show: boolean }
  /** A folded box was clicked (expand), or an unfolded table's header (fold it again). */
  | { type: 'expand' | 'fold'; graph: GraphName; id: string }
  /** The first graphs are on screen: when each step happened (Date.now() in the page). */
  | { type: 'drawn'; timings: PaintTimings };

export interface PaintTimings {
  /** The page started loading, its script started, and the graphs' message arrived. */
  pageStart: number;
  scriptStart: number;
  received: number;
  /** The graphs are in the page and fitted to it. */
  drawn: number;
}
