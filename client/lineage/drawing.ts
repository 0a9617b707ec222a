// What the lineage panel draws: graphs as the view shows them (row filters hidden or not, wide graphs
// grouped) and their laid-out boxes and lines. Types only: the extension, the layout worker and the page
// script all import them, and nothing here may pull ELK or the DOM into the page's bundle.

import type { FileLocation, GraphEdge, GraphNode, TableKindName } from '../../core/protocol';

export type GraphName = 'models' | 'columns';

export interface ViewNode extends GraphNode {
  /** One box standing for several tables or columns (a wide graph's level of detail); a click shows them. */
  collapsed?: { members: string[] };
  /** A table box around columns that can be folded back into one box. */
  collapsible?: boolean;
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: GraphEdge[];
}

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  detail?: string;
  kind: TableKindName;
  focus: boolean;
  /** A table box holding column boxes. */
  group: boolean;
  location?: FileLocation;
  /** Set on a box standing for several nodes: their labels (searched too). */
  members?: string[];
  collapsible?: boolean;
}

export interface Line {
  from: { x: number; y: number };
  to: { x: number; y: number };
  role: 'source' | 'filter';
}

export interface Drawing {
  width: number;
  height: number;
  boxes: Box[];
  lines: Line[];
}
