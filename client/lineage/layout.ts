// Lays a lineage graph out with ELK (layered, left to right: upstream on the left) and turns the result into
// plain boxes and edges to draw. Column graphs draw each table as a box holding its columns; a table or
// schema folded into one box is an ordinary node. Runs in the layout worker (Node), never in the page.

import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { Box, Drawing, Line, ViewGraph, ViewNode } from './drawing';

const CHAR_WIDTH = 7;
const PADDING = 16;
const NODE_HEIGHT = 40;
/** Columns with a type or field line below the name need room for both. */
const COLUMN_HEIGHT = 24;
const COLUMN_WITH_DETAIL_HEIGHT = 38;
const GROUP_HEADER = 26;

const elk = new ELK();

const LAYOUT = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.spacing.nodeNode': '16',
  'elk.edgeRouting': 'POLYLINE',
};

function widthOf(node: ViewNode): number {
  const longest = Math.max(node.label.length, (node.detail ?? '').length * 0.9);
  return Math.max(90, Math.round(longest * CHAR_WIDTH + PADDING * 2));
}

/** Table boxes drawn around their columns: `table:<key>` nodes that are not folded into one box. */
function isGroup(node: ViewNode): boolean {
  return node.id.startsWith('table:') && !node.collapsed;
}

export async function layout(graph: ViewGraph): Promise<Drawing> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const groups = graph.nodes.filter(isGroup);
  const membersOf = new Map<string, ViewNode[]>(groups.map((g) => [g.id, []]));
  const children: ElkNode[] = [];
  for (const node of graph.nodes) {
    if (isGroup(node)) continue;
    const members = node.table ? membersOf.get(`table:${node.table}`) : undefined;
    if (members) members.push(node);
    else children.push({ id: node.id, width: widthOf(node), height: NODE_HEIGHT });
  }
  for (const group of groups) {
    const members = membersOf.get(group.id)!;
    const width = Math.max(widthOf(group), ...members.map(widthOf));
    children.push({
      id: group.id,
      layoutOptions: {
        'elk.padding': `[top=${GROUP_HEADER},left=8,bottom=8,right=8]`,
        'elk.algorithm': 'layered',
        'elk.direction': 'DOWN',
        'elk.spacing.nodeNode': '6',
      },
      children: members.map((m) => ({ id: m.id, width, height: m.detail ? COLUMN_WITH_DETAIL_HEIGHT : COLUMN_HEIGHT })),
    });
  }
  const root: ElkNode = {
    id: 'root',
    layoutOptions: { ...LAYOUT, 'elk.hierarchyHandling': 'INCLUDE_CHILDREN' },
    children,
    edges: graph.edges.filter((e) => byId.has(e.from) && byId.has(e.to)).map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const laid = await elk.layout(root);

  const boxes: Box[] = [];
  const place = (node: ElkNode, dx: number, dy: number): void => {
    const data = byId.get(node.id);
    const x = dx + (node.x ?? 0);
    const y = dy + (node.y ?? 0);
    if (data) boxes.push(boxOf(data, { x, y, width: node.width ?? 0, height: node.height ?? 0 }));
    for (const child of node.children ?? []) place(child, x, y);
  };
  for (const child of laid.children ?? []) place(child, 0, 0);

  const at = new Map(boxes.map((b) => [b.id, b]));
  const lines: Line[] = [];
  for (const e of graph.edges) {
    const from = at.get(e.from);
    const to = at.get(e.to);
    if (!from || !to) continue;
    lines.push({
      from: { x: from.x + from.width, y: from.y + from.height / 2 },
      to: { x: to.x, y: to.y + to.height / 2 },
      role: e.role,
    });
  }
  return { width: laid.width ?? 0, height: laid.height ?? 0, boxes, lines };
}

function boxOf(data: ViewNode, place: { x: number; y: number; width: number; height: number }): Box {
  const box: Box = { id: data.id, ...place, label: data.label, kind: data.kind, focus: data.focus === true, group: isGroup(data) };
  if (data.detail) box.detail = data.detail;
  if (data.location) box.location = data.location;
  if (data.collapsed) box.members = data.collapsed.members;
  if (data.collapsible) box.collapsible = true;
  return box;
}
