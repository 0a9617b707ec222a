// A graph from the server as the panel shows it: row filters hidden unless asked for, then folded to a
// level of detail that fits.

import type { Graph } from '../../core/protocol';
import type { GraphName, ViewGraph } from './drawing';
import { levelOfDetail } from './levelOfDetail';
import { rowFilterCount, withoutRowFilters } from './rowFilters';

export interface ViewOptions {
  showRowFilters: boolean;
  /** Folded boxes the user opened (ids of `schema:` and `table:` nodes). */
  expanded: ReadonlySet<string>;
}

export function graphView(graph: Graph, name: GraphName, options: ViewOptions): { graph: ViewGraph; rowFilters: number } {
  const rowFilters = rowFilterCount(graph);
  const shown = options.showRowFilters ? graph : withoutRowFilters(graph);
  return { graph: levelOfDetail(shown, name, options.expanded), rowFilters };
}
