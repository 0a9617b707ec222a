// Messages between the result grid panel (extension side) and its webview script. Types only.

import type { QueryColumn, QueryValue } from '../../core/query/types';
import type { ExportFormat } from '../../core/query/export';

export interface GridQuery {
  /** Changes with every run: pages of an older run are dropped. */
  runId: number;
  /** What ran, in words: `analytics.orders`, `CTE paid in analytics.orders`, `selection in ...`. */
  label: string;
  environment: string;
  environments: string[];
  /** Rows the grid goes through at most (0: no limit). */
  rowLimit: number;
  pageSize: number;
}

export type ToGrid =
  /** A query started: the toolbar shows it running with Cancel. */
  | { type: 'running'; query: GridQuery }
  /** Its columns and first rows. */
  | { type: 'result'; runId: number; columns: QueryColumn[]; rows: QueryValue[][]; rowsRead: number; done: boolean; elapsedMs: number; access: string }
  /** Rows asked for with `fetch`. */
  | { type: 'rows'; runId: number; offset: number; rows: QueryValue[][]; rowsRead: number; done: boolean }
  | { type: 'error'; runId: number; message: string; location?: { file: string; line: number; character: number; label: string } }
  | { type: 'cancelled'; runId: number }
  /** A one-line note under the toolbar (an export written, rows copied). */
  | { type: 'note'; message: string };

export type FromGrid =
  | { type: 'ready' }
  | { type: 'fetch'; runId: number; offset: number; count: number }
  | { type: 'cancel'; runId: number }
  | { type: 'rerun'; environment?: string }
  | { type: 'history' }
  | { type: 'copy'; text: string; what: string }
  | { type: 'export'; format: ExportFormat }
  | { type: 'open'; location: { file: string; line: number; character: number } };
